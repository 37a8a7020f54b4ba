//! Study campaigns of directives and resolutions (học tập, quán triệt) and
//! the participation of each grassroots organisation.

pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
