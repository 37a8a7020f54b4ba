//! `seed synthetic` (generated data at any scale, for benchmarks) and
//! `seed demo` (a district modelled on the source document).

mod bulk;
pub mod demo;
mod names;
pub mod synthetic;
