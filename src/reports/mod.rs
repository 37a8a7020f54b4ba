//! Reports (SPEC section 7): the annual report, village coverage and data
//! quality, each for the caller's scope root or an organisation inside it.

pub mod annual;
pub mod data_quality;
pub mod ratio;
pub mod routes;
pub mod sql;
pub mod tree;
