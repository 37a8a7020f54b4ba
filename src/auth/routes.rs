//! `POST /api/v1/auth/token` and `GET /api/v1/me`.

use actix_web::{get, post, web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{password, throttle, AccountKind, Caller, Right};
use crate::api::now;
use crate::db::schema::{api_clients, users};
use crate::db::write_transaction;
use crate::error::{ApiError, FieldError, Problem};
use crate::i18n::Msg;
use crate::state::AppState;

/// Credentials of a person (`username`, `password`) or a system (`client_id`, `client_secret`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "admin", "password": "change-me-now"}))]
pub struct TokenRequest {
    pub username: Option<String>,
    pub password: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// A bearer token.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiIsImtpZCI6IjNmMmMxYjdlMGQ2YTRmNTkifQ.eyJzdWIiOiJ1c2VyOjAxOTM…", "token_type": "Bearer", "expires_in": 3600}))]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

enum Login {
    User { username: String, password: String },
    Client { client_id: String, secret: String },
}

impl TokenRequest {
    fn into_login(self) -> Result<Login, ApiError> {
        match (
            self.username,
            self.password,
            self.client_id,
            self.client_secret,
        ) {
            (Some(username), Some(password), None, None) => Ok(Login::User { username, password }),
            (None, None, Some(client_id), Some(secret)) => Ok(Login::Client { client_id, secret }),
            _ => Err(ApiError::invalid(vec![FieldError {
                field: None,
                code: "credentials_required".to_owned(),
                message: Msg::CredentialsShape.into(),
            }])),
        }
    }
}

/// Stored credentials of one account.
struct Stored {
    id: String,
    hash: String,
    role: String,
    scope: Option<String>,
    disabled: bool,
}

/// Exchanges credentials for an access token.
///
/// Failed attempts are counted per account name in the database; after five
/// within 15 minutes the name is locked for 15 minutes (429 with
/// `Retry-After`). Unknown names and wrong passwords get the same answer.
#[utoipa::path(
    tag = "auth",
    operation_id = "issueToken",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Token issued", body = TokenResponse),
        (status = 400, description = "Malformed credentials", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(())
)]
#[post("/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let login = body.into_inner().into_login()?;
    let app = state.clone();
    let response = state
        .db
        .run(move |conn| {
            let at = now();
            let (kind, name, secret) = match &login {
                Login::User { username, password } => {
                    (AccountKind::User, username.as_str(), password.as_str())
                }
                Login::Client { client_id, secret } => {
                    (AccountKind::Client, client_id.as_str(), secret.as_str())
                }
            };
            let throttle_key = format!("{}:{}", kind.as_str(), name.to_lowercase());
            throttle::check(conn, &throttle_key, at)?;
            let stored: Option<Stored> = match kind {
                AccountKind::System => None,
                AccountKind::User => users::table
                    .filter(users::username.eq(name))
                    .filter(users::deleted_at.is_null())
                    .select((
                        users::id,
                        users::password_hash,
                        users::role,
                        users::scope_organisation_id,
                        users::disabled,
                    ))
                    .first::<(String, String, String, Option<String>, bool)>(conn)
                    .optional()?,
                AccountKind::Client => api_clients::table
                    .filter(api_clients::client_id.eq(name))
                    .filter(api_clients::deleted_at.is_null())
                    .select((
                        api_clients::id,
                        api_clients::secret_hash,
                        api_clients::role,
                        api_clients::scope_organisation_id,
                        api_clients::disabled,
                    ))
                    .first::<(String, String, String, Option<String>, bool)>(conn)
                    .optional()?,
            }
            .map(|(id, hash, role, scope, disabled)| Stored {
                id,
                hash,
                role,
                scope,
                disabled,
            });
            let accepted = match &stored {
                Some(account) => password::verify(secret, &account.hash) && !account.disabled,
                None => {
                    password::verify_nothing(secret);
                    false
                }
            };
            let account = match (accepted, stored) {
                (true, Some(account)) => account,
                _ => {
                    write_transaction(conn, |conn| {
                        throttle::record_failure(conn, &throttle_key, at)
                    })?;
                    return Err(ApiError::Unauthenticated(Msg::InvalidCredentials));
                }
            };
            throttle::clear(conn, &throttle_key)?;
            let token = app.keys.issue(
                Caller::subject(kind, &account.id),
                &account.role,
                account.scope,
                app.token_ttl_seconds,
            )?;
            Ok(TokenResponse {
                access_token: token,
                token_type: "Bearer",
                expires_in: app.token_ttl_seconds,
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(response))
}

/// The caller, as the server sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "user", "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "name": "admin", "role": "admin", "scope_organisation_id": null, "rights": ["read", "write", "read_personal", "read_audit", "sync", "import", "manage_accounts"]}))]
pub struct Me {
    /// `user` or `client`.
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub role: crate::vocabularies::Role,
    pub scope_organisation_id: Option<String>,
    /// What the role may do.
    pub rights: Vec<&'static str>,
}

/// Describes the caller: account, role, scope and rights.
#[utoipa::path(
    tag = "auth",
    operation_id = "getMe",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let me = state
        .read(caller, Right::Read, |_, access| {
            let rights = [
                (Right::Read, "read"),
                (Right::Write, "write"),
                (Right::ReadPersonal, "read_personal"),
                (Right::ReadAudit, "read_audit"),
                (Right::Sync, "sync"),
                (Right::Import, "import"),
                (Right::ManageAccounts, "manage_accounts"),
            ]
            .into_iter()
            .filter(|(right, _)| access.may(*right))
            .map(|(_, name)| name)
            .collect();
            Ok(Me {
                kind: access.kind.as_str(),
                id: access.account_id.clone(),
                name: access.name.clone(),
                role: access.role,
                scope_organisation_id: access.scope.root_id().map(str::to_owned),
                rights,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}
