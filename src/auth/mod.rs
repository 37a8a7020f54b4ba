//! Access control (SPEC section 4): who the caller is, what its role may do,
//! and which organisation subtree it may see.

pub mod cache;
pub mod listener;
pub mod password;
pub mod routes;
pub mod throttle;
pub mod token;

use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};
use diesel::prelude::*;

use crate::api::request_id::RequestId;
use crate::db::schema::{api_clients, organisations, users};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::vocabularies::Role;

/// What kind of account a token was issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    User,
    Client,
    /// The service itself (seeding); never carried by a token.
    System,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::User => "user",
            AccountKind::Client => "client",
            AccountKind::System => "system",
        }
    }
}

/// The caller as its token says, before the account is checked in the database.
#[derive(Debug, Clone)]
pub struct Caller {
    pub kind: AccountKind,
    pub account_id: String,
    pub request_id: String,
}

impl Caller {
    /// The `sub` claim for an account.
    pub fn subject(kind: AccountKind, id: &str) -> String {
        format!("{}:{id}", kind.as_str())
    }

    /// Key under which this caller's idempotency keys are kept.
    pub fn idempotency_owner(&self) -> String {
        Self::subject(self.kind, &self.account_id)
    }
}

fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_of(req))
    }
}

fn caller_of(req: &HttpRequest) -> ApiResult<Caller> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("app state missing".to_owned()))?;
    let token = bearer_token(req).ok_or(ApiError::Unauthenticated(Msg::TokenMissing))?;
    let claims = state.keys.verify(token)?;
    let (kind, account_id) = match claims.sub.split_once(':') {
        Some(("user", id)) => (AccountKind::User, id.to_owned()),
        Some(("client", id)) => (AccountKind::Client, id.to_owned()),
        _ => return Err(ApiError::Unauthenticated(Msg::TokenInvalid)),
    };
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    Ok(Caller {
        kind,
        account_id,
        request_id,
    })
}

/// A right a role may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Read records within scope.
    Read,
    /// Create, change and delete records within scope.
    Write,
    /// See sensitive personal data (Law 91/2025/QH15).
    ReadPersonal,
    /// Read the audit log.
    ReadAudit,
    /// Follow the change feed and export.
    Sync,
    /// Write through imports.
    Import,
    /// Manage user accounts and API clients.
    ManageAccounts,
}

/// The role table of SPEC section 4.
pub fn role_may(role: Role, right: Right) -> bool {
    use Right::*;
    match role {
        Role::Admin => true,
        Role::Organiser => matches!(right, Read | Write | ReadPersonal | Import),
        Role::Viewer => matches!(right, Read),
        Role::Auditor => matches!(right, Read | ReadAudit),
        Role::Sync => matches!(right, Read | ReadPersonal | Sync | Import),
    }
}

/// The half-open range of materialised paths inside the subtree rooted at
/// `path` (paths look like `/root-id/child-id/`; `'0'` follows `'/'`).
pub fn subtree_range(path: &str) -> (String, String) {
    let upper = format!("{}0", path.strip_suffix('/').unwrap_or(path));
    (path.to_owned(), upper)
}

/// The organisation subtree a caller is bound to.
#[derive(Debug, Clone)]
pub struct Scope {
    /// `(organisation id, its path)`; `None` for an unbounded caller.
    root: Option<(String, String)>,
}

impl Scope {
    pub fn unbounded() -> Self {
        Self { root: None }
    }

    pub fn rooted_at(organisation_id: String, path: String) -> Self {
        Self {
            root: Some((organisation_id, path)),
        }
    }

    /// The scope's root organisation, if bound.
    pub fn root_id(&self) -> Option<&str> {
        self.root.as_ref().map(|(id, _)| id.as_str())
    }

    /// The path range to filter by, or `None` when everything is visible.
    pub fn path_range(&self) -> Option<(String, String)> {
        self.root.as_ref().map(|(_, path)| subtree_range(path))
    }

    /// Whether a record at this organisation path is inside the scope.
    pub fn covers(&self, path: &str) -> bool {
        match &self.root {
            None => true,
            Some((_, root)) => path.starts_with(root.as_str()),
        }
    }
}

/// Name, role, scope organisation, disabled flag and scope path of an account.
type AccountState = (String, String, Option<String>, bool, Option<String>);

/// What the database says of a live account: its name, role and scope.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub role: Role,
    pub scope: Scope,
}

impl Account {
    /// Loads the caller's account; a deleted or disabled account is 401.
    pub fn load(conn: &mut DbConnection, caller: &Caller) -> ApiResult<Self> {
        let gone = || ApiError::Unauthenticated(Msg::AccountDisabled);
        let row: Option<AccountState> = match caller.kind {
            AccountKind::System => None,
            // Run on the backend's own connection: this runs on every request.
            AccountKind::User => {
                let query = users::table
                    .left_join(organisations::table)
                    .filter(users::id.eq(&caller.account_id))
                    .filter(users::deleted_at.is_null())
                    .select((
                        users::username,
                        users::role,
                        users::scope_organisation_id,
                        users::disabled,
                        organisations::path.nullable(),
                    ));
                crate::on_backend!(conn, |c| query.first(c).optional())?
            }
            AccountKind::Client => {
                let query = api_clients::table
                    .left_join(organisations::table)
                    .filter(api_clients::id.eq(&caller.account_id))
                    .filter(api_clients::deleted_at.is_null())
                    .select((
                        api_clients::name,
                        api_clients::role,
                        api_clients::scope_organisation_id,
                        api_clients::disabled,
                        organisations::path.nullable(),
                    ));
                crate::on_backend!(conn, |c| query.first(c).optional())?
            }
        };
        let (name, role, scope_id, disabled, scope_path) = row.ok_or_else(gone)?;
        if disabled {
            return Err(gone());
        }
        let scope = match (scope_id, scope_path) {
            (Some(id), Some(path)) => Scope::rooted_at(id, path),
            (None, _) => Scope::unbounded(),
            // A scope organisation that no longer exists sees nothing.
            (Some(id), None) => Scope::rooted_at(id, "/\u{0}/".to_owned()),
        };
        Ok(Self {
            name,
            role: Role::from_db(&role),
            scope,
        })
    }
}

/// The checked caller: its account is live, and its role and scope come from
/// the database (so a changed or disabled account takes effect at once).
#[derive(Debug, Clone)]
pub struct Access {
    pub kind: AccountKind,
    pub account_id: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    pub request_id: String,
}

impl Access {
    /// Loads the caller's account; a deleted or disabled account is 401.
    pub fn resolve(conn: &mut DbConnection, caller: &Caller) -> ApiResult<Self> {
        let account = Account::load(conn, caller)?;
        Ok(Self::of(caller.clone(), account))
    }

    /// The caller acting with its loaded account.
    pub fn of(caller: Caller, account: Account) -> Self {
        Self {
            kind: caller.kind,
            account_id: caller.account_id,
            name: account.name,
            role: account.role,
            scope: account.scope,
            request_id: caller.request_id,
        }
    }

    /// The service acting for itself (seeding), unscoped, as an admin.
    pub fn system(request_id: &str) -> Self {
        Self {
            kind: AccountKind::System,
            account_id: "system".to_owned(),
            name: "system".to_owned(),
            role: Role::Admin,
            scope: Scope::unbounded(),
            request_id: request_id.to_owned(),
        }
    }

    pub fn may(&self, right: Right) -> bool {
        role_may(self.role, right)
    }

    /// 403 unless the role holds the right.
    pub fn require(&self, right: Right) -> ApiResult<()> {
        if self.may(right) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_read_but_never_write() {
        assert!(role_may(Role::Viewer, Right::Read));
        assert!(!role_may(Role::Viewer, Right::Write));
        assert!(!role_may(Role::Viewer, Right::ReadPersonal));
    }

    #[test]
    fn only_admins_manage_accounts() {
        for role in Role::ALL {
            assert_eq!(role_may(*role, Right::ManageAccounts), *role == Role::Admin);
        }
    }

    #[test]
    fn sync_reads_personal_data_and_imports_but_does_not_write_directly() {
        assert!(role_may(Role::Sync, Right::ReadPersonal));
        assert!(role_may(Role::Sync, Right::Import));
        assert!(!role_may(Role::Sync, Right::Write));
    }

    #[test]
    fn a_subtree_range_holds_descendants_and_not_siblings() {
        let (lo, hi) = subtree_range("/a/b/");
        for inside in ["/a/b/", "/a/b/c/", "/a/b/zz/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/a/", "/a/bb/", "/a/c/", "/a/b0/"] {
            assert!(
                !(outside >= lo.as_str() && outside < hi.as_str()),
                "{outside}"
            );
        }
    }

    #[test]
    fn scope_covers_only_its_subtree() {
        let scope = Scope::rooted_at("b".into(), "/a/b/".into());
        assert!(scope.covers("/a/b/c/"));
        assert!(!scope.covers("/a/bc/"));
        assert!(Scope::unbounded().covers("/anything/"));
    }
}
