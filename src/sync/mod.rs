//! Sync for provincial systems (SPEC section 8): the change feed.

pub mod feed;
