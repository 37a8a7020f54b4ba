//! The cadre register (cán bộ): cadres with their person, planning and
//! current appointments, and the grassroots organisations they oversee
//! (phân công phụ trách).

pub mod model;
pub mod routes;
pub mod store;
