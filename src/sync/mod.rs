//! Sync for provincial systems (SPEC section 8): the change feed and exports.

pub mod export;
pub mod feed;
