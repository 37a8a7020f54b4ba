//! People: the personal record shared by candidates, members and cadres.
//! Party membership reveals political opinion, so the whole record is
//! sensitive personal data (Law 91/2025/QH15): some fields are shown only to
//! roles with the right, and every full read by such a role is audited.

pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
