//! Awards (khen thưởng) to organisations and members.

pub mod model;
pub mod routes;
pub mod store;
