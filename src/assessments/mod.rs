//! Annual quality ratings (đánh giá, xếp loại chất lượng) of organisations
//! and members, and the per-organisation summary.

pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
