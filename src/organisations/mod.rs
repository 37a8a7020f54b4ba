//! Party organisations: the tree, its dated history, merges.

pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
