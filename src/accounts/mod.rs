//! Accounts: people (`/api/v1/users`) and systems (`/api/v1/clients`),
//! managed by admins. A scoped admin manages only accounts bound inside its
//! own subtree.

pub mod clients;
pub mod users;

use crate::auth::Access;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::i18n::Msg;

/// The scope an account may be given by this admin: any organisation it can
/// see; `None` (everything) only for an unscoped admin.
pub fn check_assignable_scope(
    conn: &mut DbConnection,
    access: &Access,
    scope: Option<&str>,
) -> ApiResult<()> {
    match scope {
        Some(id) => {
            crate::organisations::store::find_reference(conn, access, id, "scope_organisation_id")
                .map(|_| ())
        }
        None if access.scope.root_id().is_some() => Err(ApiError::Forbidden),
        None => Ok(()),
    }
}

/// Checks a username: 3–64 characters of letters, digits and `._@-`.
pub fn check_username(username: &str) -> ApiResult<()> {
    let ok = (3..=64).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "username",
            "invalid_username",
            Msg::InvalidUsername,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_plain_ascii() {
        assert!(check_username("nguyen.van.a").is_ok());
        assert!(check_username("ng").is_err());
        assert!(check_username("nguyễn").is_err());
    }
}
