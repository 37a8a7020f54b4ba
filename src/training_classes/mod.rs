//! Training classes (lớp bồi dưỡng, đào tạo) and their enrolments, with the
//! attendance sheet as CSV.

pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
