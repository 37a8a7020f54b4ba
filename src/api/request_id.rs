//! Request ids, the request span, access logs and problem bodies.
//!
//! Every response carries `X-Request-Id`: the client's when it is 1–128
//! characters of `[A-Za-z0-9._-]`, else a new UUID. Every log line of the
//! request is inside a span carrying it, and every problem+json body gets it.
//! (tracing-actix-web's own request id is a UUID it generates, which cannot
//! honour the client's id, so the span is built here.) Problem texts are
//! written in the language `Accept-Language` asks for (see `crate::i18n`),
//! chosen here once per request.

use std::time::Instant;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use tracing::Instrument;

use crate::error::PROBLEM_JSON;
use crate::i18n::{self, Lang};
use crate::state::AppState;

/// The request id, stored in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Whether a client-sent id may be used as is.
pub fn is_acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The outermost middleware: assigns the id, opens the span, logs the outcome
/// and completes problem bodies with the id.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let lang = Lang::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    async move {
        // Handler and extractor errors arrive here as responses already; an
        // Err can only come from inner middleware and is rendered by actix.
        let response = i18n::scope(lang, next.call(req))
            .await?
            .map_into_boxed_body();
        let status = response.status();
        let elapsed = started.elapsed().as_secs_f64();
        if let Some(state) = response.request().app_data::<web::Data<AppState>>() {
            state.metrics.observe(status.as_u16(), elapsed);
        }
        let elapsed_ms = elapsed * 1000.0;
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), elapsed_ms, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), elapsed_ms, "request");
        }
        let mut response = with_request_id_in_problem(response, &id).await;
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert(X_REQUEST_ID, value);
        }
        Ok(response)
    }
    .instrument(span)
    .await
}

fn is_problem(response: &ServiceResponse<BoxBody>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

async fn with_request_id_in_problem(
    response: ServiceResponse<BoxBody>,
    id: &str,
) -> ServiceResponse<BoxBody> {
    if !is_problem(&response) {
        return response;
    }
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = body::to_bytes(body).await.unwrap_or_default();
    let patched = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert("request_id".to_owned(), serde_json::Value::from(id));
            serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    let response: HttpResponse<BoxBody> = head.set_body(BoxBody::new(patched));
    ServiceResponse::new(request, response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_of_safe_characters_are_kept() {
        assert!(is_acceptable("abc-123_x.y"));
    }

    #[test]
    fn unsafe_or_oversized_ids_are_replaced() {
        assert!(!is_acceptable(""));
        assert!(!is_acceptable("has space"));
        assert!(!is_acceptable("inject\r\nheader"));
        assert!(!is_acceptable(&"a".repeat(129)));
    }
}
