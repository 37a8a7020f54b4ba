//! One error type for the whole service, rendered as RFC 9457 problem+json.
//!
//! Every failure a client can cause maps to a 4xx with a stable snake_case
//! `code`; internal causes are logged with the request id and never sent.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::{Msg, Text};

/// One broken rule or malformed field inside a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field (`person.date_of_birth`), or `null` for the whole request.
    #[schema(example = "code")]
    pub field: Option<String>,
    /// Machine-readable code of what is wrong.
    #[schema(example = "required")]
    pub code: String,
    /// Human-readable explanation, in the language of `Content-Language`.
    #[schema(value_type = String, example = "code is required")]
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<Text>) -> Self {
        Self {
            field: Some(field.into()),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, as every error response carries it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:party-registry:problem:not_found",
    "title": "Not found",
    "status": 404,
    "detail": "No such record, or it is outside your scope.",
    "code": "not_found",
    "errors": [],
    "request_id": "3f2c1b7e-0d6a-4f59-9b8e-2a1c3d4e5f60"
}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code; for 422 it names the broken rule.
    pub code: String,
    pub errors: Vec<FieldError>,
    /// The request id, as in the `X-Request-Id` response header.
    pub request_id: Option<String>,
}

/// Every error the API can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed (syntax, types, unknown fields, bad parameters).
    #[error("{detail}")]
    BadRequest {
        code: &'static str,
        detail: Text,
        errors: Vec<FieldError>,
    },
    /// 401: no token, or a token that is not valid now.
    #[error("{}", .0.template(crate::i18n::Lang::En))]
    Unauthenticated(Msg),
    /// 403: the caller's role lacks the right.
    #[error("your role may not do this")]
    Forbidden,
    /// 404: no such record, or outside the caller's scope.
    #[error("not found")]
    NotFound,
    /// 404: a body names a record that does not exist or is outside the
    /// caller's scope (indistinguishable on purpose).
    #[error("{field} names no record you can see")]
    ReferenceNotFound { field: &'static str },
    /// 409: duplicate human code or a state conflict.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: Text },
    /// 410: a change-feed cursor older than the feed keeps.
    #[error("the change feed no longer holds changes this old; resync from an export")]
    Gone,
    /// 412: `If-Match` names a version that is no longer current.
    #[error("the record has changed since the version named in If-Match")]
    PreconditionFailed,
    /// 413: the body is larger than `MAX_BODY_BYTES`.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415: wrong `Content-Type`.
    #[error("unsupported content type")]
    UnsupportedMediaType,
    /// 422: a domain rule is broken; `code` names the rule.
    #[error("{detail}")]
    RuleBroken {
        code: &'static str,
        detail: Text,
        errors: Vec<FieldError>,
    },
    /// 429: too many requests; try again after the given seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u64 },
    /// 503: the database cannot be reached.
    #[error("database unavailable")]
    DatabaseUnavailable,
    /// 500: a bug. The cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(code: &'static str, detail: impl Into<Text>) -> Self {
        Self::BadRequest {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A 400 listing every invalid field at once.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = Text::Joined(errors.iter().map(|e| e.message.clone()).collect());
        Self::BadRequest {
            code: "validation_failed",
            detail,
            errors,
        }
    }

    pub fn invalid_field(field: &str, code: &'static str, message: impl Into<Text>) -> Self {
        Self::invalid(vec![FieldError::new(field, code, message)])
    }

    pub fn conflict(code: &'static str, detail: impl Into<Text>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A 422 for one broken domain rule.
    pub fn rule(code: &'static str, detail: impl Into<Text>) -> Self {
        Self::RuleBroken {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// Turns a 404 of a lookup into a 404 naming the body field that referred to it.
    pub fn for_reference(self, field: &'static str) -> Self {
        match self {
            Self::NotFound => Self::ReferenceNotFound { field },
            other => other,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. } => code,
            Self::Unauthenticated(_) => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::ReferenceNotFound { .. } => "reference_not_found",
            Self::Conflict { code, .. } => code,
            Self::Gone => "cursor_expired",
            Self::PreconditionFailed => "precondition_failed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RuleBroken { code, .. } => code,
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::DatabaseUnavailable => "database_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> Msg {
        match self {
            Self::BadRequest { .. } => Msg::TitleBadRequest,
            Self::Unauthenticated(_) => Msg::TitleUnauthenticated,
            Self::Forbidden => Msg::TitleForbidden,
            Self::NotFound => Msg::TitleNotFound,
            Self::ReferenceNotFound { .. } => Msg::TitleReferenceNotFound,
            Self::Conflict { .. } => Msg::TitleConflict,
            Self::Gone => Msg::TitleGone,
            Self::PreconditionFailed => Msg::TitlePreconditionFailed,
            Self::PayloadTooLarge => Msg::TitlePayloadTooLarge,
            Self::UnsupportedMediaType => Msg::TitleUnsupportedMediaType,
            Self::RuleBroken { .. } => Msg::TitleRuleBroken,
            Self::TooManyRequests { .. } => Msg::TitleTooManyRequests,
            Self::DatabaseUnavailable => Msg::TitleServiceUnavailable,
            Self::Internal(_) => Msg::TitleInternal,
        }
    }

    /// The problem's `detail`, to be rendered in the caller's language.
    pub fn detail(&self) -> Text {
        match self {
            Self::BadRequest { detail, .. }
            | Self::Conflict { detail, .. }
            | Self::RuleBroken { detail, .. } => detail.clone(),
            Self::Unauthenticated(msg) => Text::from(*msg),
            Self::Forbidden => Msg::Forbidden.into(),
            Self::NotFound => Msg::NotFound.into(),
            Self::ReferenceNotFound { field } => Msg::ReferenceNotFound.with("field", field),
            Self::Gone => Msg::CursorExpired.into(),
            Self::PreconditionFailed => Msg::PreconditionFailed.into(),
            Self::PayloadTooLarge => Msg::PayloadTooLarge.into(),
            Self::UnsupportedMediaType => Msg::UnsupportedMediaType.into(),
            Self::TooManyRequests {
                retry_after_seconds,
            } => Msg::TooManyRequests.with("seconds", retry_after_seconds),
            Self::DatabaseUnavailable => Msg::DatabaseUnavailable.into(),
            Self::Internal(_) => Msg::Internal.into(),
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::BadRequest { errors, .. } | Self::RuleBroken { errors, .. } => errors.clone(),
            Self::ReferenceNotFound { field } => vec![FieldError::new(
                *field,
                "reference_not_found",
                Msg::ReferenceNotFound.with("field", field),
            )],
            _ => Vec::new(),
        }
    }

    /// The problem document for this error in the language of the request
    /// being served (without request id; the request-id middleware fills it in).
    pub fn to_problem(&self) -> Problem {
        let code = self.code();
        let lang = crate::i18n::current();
        Problem {
            problem_type: format!("urn:party-registry:problem:{code}"),
            title: self.title().template(lang).to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail().render(lang),
            code: code.to_owned(),
            errors: self.field_errors(),
            request_id: None,
        }
    }
}

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound | Self::ReferenceNotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Gone => StatusCode::GONE,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RuleBroken { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(cause = %cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        response.insert_header((header::CONTENT_LANGUAGE, crate::i18n::current().tag()));
        match self {
            Self::Unauthenticated(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::TooManyRequests {
                retry_after_seconds,
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            Self::DatabaseUnavailable => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => Self::conflict("duplicate", Msg::Duplicate),
                DatabaseErrorKind::ForeignKeyViolation => {
                    Self::rule("reference_not_found", Msg::ReferenceMissing)
                }
                DatabaseErrorKind::SerializationFailure => {
                    Self::conflict("concurrent_update", Msg::ConcurrentUpdate)
                }
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                    Self::DatabaseUnavailable
                }
                _ if is_busy(info.message()) => Self::DatabaseUnavailable,
                _ => Self::Internal(format!("database error: {}", info.message())),
            },
            other => Self::Internal(format!("database error: {other}")),
        }
    }
}

/// SQLite reports lock time-outs and PostgreSQL lost connections as plain messages.
fn is_busy(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("database is locked")
        || message.contains("server closed the connection")
        || message.contains("terminating connection")
        || message.contains("no connection to the server")
        || message.contains("connection")
            && (message.contains("refused") || message.contains("reset"))
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        Self::Internal("blocking task was cancelled".to_owned())
    }
}

/// Shorthand for handler and store results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violation_is_a_conflict_named_duplicate() {
        let error = ApiError::from(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            Box::new("UNIQUE constraint failed".to_owned()),
        ));
        assert_eq!(error.code(), "duplicate");
        assert_eq!(error.status_code(), StatusCode::CONFLICT);
    }

    #[test]
    fn internal_cause_never_reaches_the_problem() {
        let problem = ApiError::Internal("secret table name".to_owned()).to_problem();
        assert!(!problem.detail.contains("secret"));
        assert_eq!(problem.status, 500);
    }
}
