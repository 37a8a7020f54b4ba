//! Appointments of cadres to positions (bầu, bổ nhiệm, quyền, kiêm nhiệm).

pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
