//! Party members: registration, the dated actions of their Party life, and
//! the event history the annual report is computed from.

pub mod model;
pub mod routes;
pub mod rules;
mod search;
pub mod store;
