//! Leadership and management positions (chức danh lãnh đạo, quản lý) that
//! cadres are appointed to.

pub mod model;
pub mod routes;
pub mod store;
