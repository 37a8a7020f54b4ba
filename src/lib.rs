//! party-registry: the party-building register of a Vietnamese Party
//! committee as a JSON REST API. `main.rs` is a thin CLI over this library;
//! tests start the same `Application` on port 0.

pub mod accounts;
pub mod admission_quotas;
pub mod api;
pub mod appointments;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod cadres;
pub mod candidates;
pub mod config;
pub mod db;
pub mod error;
pub mod i18n;
pub mod localities;
pub mod members;
pub mod memory;
pub mod openapi;
pub mod ops;
pub mod organisations;
pub mod people;
pub mod positions;
pub mod reports;
pub mod rotations;
pub mod seed;
pub mod startup;
pub mod state;
pub mod study_campaigns;
pub mod sync;
pub mod training_classes;
pub mod village_charges;
pub mod vocabularies;
pub mod worklists;

pub use config::Config;
pub use startup::Application;
