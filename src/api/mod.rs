//! Cross-cutting HTTP pieces used by every resource: extractor error mapping,
//! ETags and preconditions, pagination, merge patch, search and request ids.

pub mod dates;
pub mod idempotency;
pub mod pagination;
pub mod patch;
pub mod request_id;
pub mod search;
pub mod validate;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::{ApiError, FieldError};
use crate::i18n::Msg;

/// JSON bodies: `application/json` or any `+json` type (merge patch), a size
/// limit, and every failure as a problem.
pub fn json_config(max_body_bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(max_body_bytes)
        .content_type(|mime| mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
        .content_type_required(true)
        .error_handler(|error, _| json_error(error).into())
}

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge
        }
        JsonPayloadError::Deserialize(e) => body_error(&e.to_string()),
        other => ApiError::bad_request("malformed_body", Msg::MalformedBody.with("reason", other)),
    }
}

/// A 400 naming the field serde complained about, when it says which.
pub fn body_error(message: &str) -> ApiError {
    let field = between_backticks(message);
    let code = if message.starts_with("unknown field") {
        "unknown_field"
    } else if message.starts_with("missing field") {
        "required"
    } else {
        "invalid"
    };
    let reason = message.split(" at line ").next().unwrap_or(message);
    let text = match (code, &field) {
        ("unknown_field", Some(name)) => Msg::UnknownField.with("field", name),
        ("required", Some(name)) => Msg::FieldRequired.with("field", name),
        _ => match unknown_variant(reason) {
            Some((value, choices)) => Msg::UnknownVariant
                .with("value", value)
                .with("choices", choices),
            None => Msg::InvalidValue.with("reason", reason),
        },
    };
    ApiError::BadRequest {
        code: "validation_failed",
        detail: text.clone(),
        errors: vec![FieldError {
            field,
            code: code.to_owned(),
            message: text,
        }],
    }
}

/// The value and the allowed values of serde's "unknown variant `x`,
/// expected one of `a`, `b`" (an enum code that does not exist).
fn unknown_variant(reason: &str) -> Option<(String, String)> {
    let rest = reason.strip_prefix("unknown variant ")?;
    let (value, expected) = rest.split_once(", expected ")?;
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    Some((
        value.trim_matches('`').to_owned(),
        expected.replace('`', ""),
    ))
}

fn between_backticks(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_owned())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        let message = match &error {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        ApiError::bad_request("invalid_query", Msg::InvalidQuery.with("reason", message)).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error: PathError, _| {
        ApiError::bad_request("invalid_path", Msg::InvalidPath.with("reason", error)).into()
    })
}

/// The strong ETag of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version named by `If-Match`, if any (`*` matches every version).
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or("").trim();
    if value == "*" {
        return Ok(None);
    }
    let tag = value.strip_prefix("W/").unwrap_or(value).trim_matches('"');
    tag.parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::bad_request("invalid_if_match", Msg::InvalidIfMatch))
}

/// 412 unless the current version is the one `If-Match` named.
pub fn check_version(expected: Option<i64>, current: i64) -> Result<(), ApiError> {
    match expected {
        Some(expected) if expected != current => Err(ApiError::PreconditionFailed),
        _ => Ok(()),
    }
}

/// A single resource with its ETag, or 304 when `If-None-Match` already has it.
pub fn resource<T: Serialize>(req: &HttpRequest, version: i64, body: &T) -> HttpResponse {
    let tag = etag(version);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == tag)
        });
    if fresh {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(body)
}

/// 201 with `Location` and `ETag`.
pub fn created<T: Serialize>(location: String, version: i64, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// New ids are UUID v7: time-ordered, so the default sort is creation order.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current instant, as stored (UTC, microseconds).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    // PostgreSQL keeps microseconds; trimming here keeps both backends equal.
    now.with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}

use chrono::Timelike;

/// Parses a path id, answering 404 (not 400) for anything that is not a UUID,
/// since such a record cannot exist.
pub fn path_id(raw: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_the_field() {
        let error = body_error("unknown field `nmae`, expected one of `name` at line 1 column 8");
        match error {
            ApiError::BadRequest { errors, .. } => {
                assert_eq!(errors[0].field.as_deref(), Some("nmae"));
                assert_eq!(errors[0].code, "unknown_field");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_stale_version_fails_the_precondition() {
        assert!(check_version(Some(2), 3).is_err());
        assert!(check_version(Some(3), 3).is_ok());
        assert!(check_version(None, 3).is_ok());
    }
}
