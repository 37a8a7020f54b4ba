//! Sync for provincial systems (SPEC section 8): the change feed, exports and imports.

pub mod export;
pub mod feed;
pub mod import;
pub mod retention;
