//! Cadre movements: rotation (luân chuyển), transfer (điều động) and
//! secondment (biệt phái), with their status.

pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
