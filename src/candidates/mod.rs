//! Candidates (quần chúng ưu tú): outstanding non-members being developed,
//! and their admission as probationary members.

pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
