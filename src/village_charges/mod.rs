//! Members in charge of villages (đảng viên phụ trách bản): a member assigned
//! to a village without members or without a cell, to build a cell there.

pub mod model;
pub mod routes;
pub mod store;
