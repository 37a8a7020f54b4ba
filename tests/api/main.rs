//! Black-box HTTP tests over the real application, on SQLite by default and
//! on PostgreSQL when `TEST_DATABASE_URL` is set.

mod helpers;

mod accounts;
mod assessments;
mod auth;
mod awards;
mod cadres;
mod candidates;
mod concurrency;
mod conventions;
mod demo;
mod faults;
mod feed;
mod imports;
mod languages;
mod localities;
mod member_search;
mod members;
mod openapi;
mod operations;
mod organisations;
mod positions;
mod quotas;
mod reports;
mod rotations;
mod security;
mod study;
mod synthetic;
mod training;
mod village_charges;
mod worklists;
