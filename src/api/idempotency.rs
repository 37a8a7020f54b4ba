//! `Idempotency-Key` for POST (SPEC section 3).
//!
//! The first request with a key runs and its answer is stored per caller; a
//! retry with the same key and body gets that answer again and creates
//! nothing; the same key with another body is 422; a retry while the first
//! is still running is 409. State lives in the database, so it holds across
//! instances; keys are kept 24 hours. Server errors are not stored, so a
//! request that failed on our side can be retried with the same key.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse, ResponseError};
use chrono::Duration;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::api::now;
use crate::db::schema::idempotency_keys as k;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::i18n::Msg;
use crate::state::AppState;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// How long an answer is kept for replay.
pub const RETENTION_HOURS: i64 = 24;
/// Larger answers are not kept (exports and imports stream; they are not replayed).
const MAX_STORED_BODY: usize = 1024 * 1024;

/// Whether a client's key is acceptable: 1–255 visible ASCII characters.
pub fn is_acceptable(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// What the store says about a key when a request arrives.
enum Claim {
    /// The key is new: run the request.
    Fresh,
    /// A finished answer to replay.
    Replay {
        status: u16,
        location: Option<String>,
        body: String,
    },
}

#[derive(Queryable)]
struct StoredKey {
    request_hash: String,
    state: String,
    response_status: Option<i32>,
    response_location: Option<String>,
    response_body: Option<String>,
}

fn claim(conn: &mut DbConnection, caller: &str, key: &str, hash: &str) -> ApiResult<Claim> {
    let at = now();
    let expired = at - Duration::hours(RETENTION_HOURS);
    diesel::delete(
        k::table
            .filter(k::caller.eq(caller))
            .filter(k::created_at.lt(expired)),
    )
    .execute(conn)?;
    let inserted = diesel::insert_into(k::table)
        .values((
            k::caller.eq(caller),
            k::idempotency_key.eq(key),
            k::request_hash.eq(hash),
            k::state.eq("in_flight"),
            k::created_at.eq(at),
        ))
        .execute(conn);
    match inserted.map_err(ApiError::from) {
        Ok(_) => return Ok(Claim::Fresh),
        Err(ApiError::Conflict { .. }) => {}
        Err(other) => return Err(other),
    }
    let stored: StoredKey = k::table
        .filter(k::caller.eq(caller))
        .filter(k::idempotency_key.eq(key))
        .select((
            k::request_hash,
            k::state,
            k::response_status,
            k::response_location,
            k::response_body,
        ))
        .first(conn)?;
    if stored.request_hash != hash {
        return Err(ApiError::rule(
            "idempotency_key_reused",
            Msg::IdempotencyKeyReused,
        ));
    }
    if stored.state != "done" {
        return Err(ApiError::conflict(
            "idempotency_in_flight",
            Msg::IdempotencyInFlight,
        ));
    }
    Ok(Claim::Replay {
        status: stored.response_status.unwrap_or(200) as u16,
        location: stored.response_location,
        body: stored.response_body.unwrap_or_default(),
    })
}

fn settle(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    answer: Option<(u16, Option<String>, String)>,
) -> ApiResult<()> {
    let row = k::table
        .filter(k::caller.eq(caller))
        .filter(k::idempotency_key.eq(key));
    match answer {
        Some((status, location, body)) => {
            diesel::update(row)
                .set((
                    k::state.eq("done"),
                    k::response_status.eq(Some(i32::from(status))),
                    k::response_location.eq(location),
                    k::response_body.eq(Some(body)),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::delete(row).execute(conn)?;
        }
    }
    Ok(())
}

fn replay(status: u16, location: Option<String>, body: String) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    let content_type = if status >= 400 {
        crate::error::PROBLEM_JSON
    } else {
        "application/json"
    };
    response.insert_header((header::CONTENT_TYPE, content_type));
    response.insert_header((REPLAYED, "true"));
    if let Some(location) = location {
        response.insert_header((header::LOCATION, location));
    }
    response.body(body)
}

/// The middleware; a no-op for anything but an authenticated POST with the header.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(key) = req
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|v| v.to_str().unwrap_or("").to_owned())
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if req.method() != Method::POST {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if !is_acceptable(&key) {
        let error = ApiError::invalid_field(
            "Idempotency-Key",
            "invalid_idempotency_key",
            Msg::InvalidIdempotencyKey,
        );
        return Ok(req.into_response(error.error_response()));
    }
    // Without a valid token the handler answers 401 anyway: nothing to keep.
    let caller = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .and_then(|token| state.keys.verify(token.trim()).ok())
        .map(|claims| claims.sub);
    let Some(caller) = caller else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let bytes = match req.extract::<web::Bytes>().await {
        Ok(bytes) => bytes,
        Err(error) => return Ok(req.into_response(error.error_response())),
    };
    let mut hasher = Sha256::new();
    hasher.update(req.path().as_bytes());
    hasher.update(b"?");
    hasher.update(req.query_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());
    req.set_payload(Payload::from(bytes));

    let (claim_caller, claim_key) = (caller.clone(), key.clone());
    let claimed = state
        .db
        .run(move |conn| claim(conn, &claim_caller, &claim_key, &hash))
        .await;
    match claimed {
        Err(error) => return Ok(req.into_response(error.error_response())),
        Ok(Claim::Replay {
            status,
            location,
            body,
        }) => {
            return Ok(req.into_response(replay(status, location, body)));
        }
        Ok(Claim::Fresh) => {}
    }

    let response = match next.call(req).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            let _ = state
                .db
                .run(move |conn| settle(conn, &caller, &key, None))
                .await;
            return Err(error);
        }
    };
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = body::to_bytes(body).await.unwrap_or_default();
    let keep = !status.is_server_error() && bytes.len() <= MAX_STORED_BODY;
    let answer = keep.then(|| {
        (
            status.as_u16(),
            location,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    });
    if let Err(error) = state
        .db
        .run(move |conn| settle(conn, &caller, &key, answer))
        .await
    {
        tracing::warn!(error = %error, "could not store the idempotent answer");
    }
    Ok(ServiceResponse::new(
        request,
        head.set_body(BoxBody::new(bytes)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert!(is_acceptable("order-2026-11-25-0001"));
        assert!(!is_acceptable(""));
        assert!(!is_acceptable("has space"));
        assert!(!is_acceptable(&"k".repeat(256)));
    }
}
