//! Black-box HTTP tests over the real application, on SQLite by default and
//! on PostgreSQL when `TEST_DATABASE_URL` is set.

mod helpers;

mod accounts;
mod auth;
mod candidates;
mod conventions;
mod localities;
mod members;
mod openapi;
mod operations;
mod organisations;
mod quotas;
mod reports;
mod worklists;
