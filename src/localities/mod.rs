//! Administrative localities: the dated map organisations are based in and
//! members reside in. Shared reference data: every caller reads it; only
//! unscoped organisers and admins change it, since a commune's map is not
//! one subtree's to redraw.

pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
