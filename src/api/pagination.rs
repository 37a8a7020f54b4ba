//! Keyset pagination (SPEC section 3): `?limit=`, opaque `?cursor=`,
//! `?sort=field` / `?sort=-field`, `?count=true`, and a `Link: rel="next"`.
//!
//! The cursor carries the last row's sort key and id and a fingerprint of
//! the filters and sort it was made under, so a page costs the same at any
//! depth and a cursor reused with other filters is refused.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::i18n::Msg;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// Paging parameters shared by every list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Rows per page, 1–500 (default 50).
    #[param(example = 50, minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// `field` ascending or `-field` descending, among the list's documented sort fields.
    #[param(example = "-created_at")]
    pub sort: Option<String>,
    /// When true, the response carries `total`, the number of matching rows.
    pub count: Option<bool>,
}

/// A list page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Cursor of the next page, `null` on the last one.
    pub next_cursor: Option<String>,
    /// Number of matching rows, when `count=true` was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// Where to start a page, decoded from a cursor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct After {
    /// The last row's sort key, as text.
    #[serde(rename = "k")]
    pub key: String,
    #[serde(rename = "i")]
    pub id: String,
}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    #[serde(flatten)]
    after: After,
    #[serde(rename = "f")]
    fingerprint: String,
}

/// A validated page request for one list.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    pub sort_field: &'static str,
    pub descending: bool,
    pub after: Option<After>,
    pub with_total: bool,
    fingerprint: String,
}

impl PageRequest {
    /// Validates paging against the list's sort fields (the first is the default)
    /// and the filters in force (any serializable value).
    pub fn parse(
        params: &PageParams,
        sort_fields: &[&'static str],
        filters: &impl Serialize,
    ) -> ApiResult<Self> {
        let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid_field(
                "limit",
                "out_of_range",
                Msg::RangeBetween
                    .with("field", "limit")
                    .with("min", 1)
                    .with("max", MAX_LIMIT),
            ));
        }
        let requested = params.sort.as_deref().unwrap_or(sort_fields[0]);
        let (name, descending) = match requested.strip_prefix('-') {
            Some(name) => (name, true),
            None => (requested, false),
        };
        let sort_field = sort_fields
            .iter()
            .find(|f| **f == name)
            .copied()
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "sort",
                    "unknown_sort_field",
                    Msg::OneOf
                        .with("field", "sort")
                        .with("choices", sort_fields.join(", ")),
                )
            })?;
        let filters = serde_json::to_string(filters).unwrap_or_default();
        let fingerprint = hex::encode(&Sha256::digest(format!("{filters}|{requested}"))[..8]);
        let after = match &params.cursor {
            None => None,
            Some(cursor) => Some(decode_cursor(cursor, &fingerprint)?),
        };
        Ok(Self {
            limit,
            sort_field,
            descending,
            after,
            with_total: params.count.unwrap_or(false),
            fingerprint,
        })
    }

    /// How many rows to fetch: one more than the page, to know if another follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Builds the page from `limit + 1` fetched rows.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        key_of: impl Fn(&R) -> After,
        view: impl Fn(R) -> T,
        total: Option<i64>,
    ) -> Page<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().map(|last| self.encode_cursor(key_of(last)))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
            total,
        }
    }

    fn encode_cursor(&self, after: After) -> String {
        let body = CursorBody {
            after,
            fingerprint: self.fingerprint.clone(),
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&body).unwrap_or_default())
    }
}

fn decode_cursor(cursor: &str, fingerprint: &str) -> ApiResult<After> {
    let malformed = || ApiError::invalid_field("cursor", "invalid_cursor", Msg::InvalidCursor);
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| malformed())?;
    let body: CursorBody = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    if body.fingerprint != fingerprint {
        return Err(ApiError::invalid_field(
            "cursor",
            "cursor_mismatch",
            Msg::CursorMismatch,
        ));
    }
    Ok(body.after)
}

/// The JSON response of a page, with `Link: <…>; rel="next"` when one follows.
pub fn respond<T: Serialize>(req: &HttpRequest, page: &Page<T>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &page.next_cursor {
        let kept: Vec<&str> = req
            .query_string()
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
            .collect();
        let mut query = kept.join("&");
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("cursor=");
        query.push_str(cursor);
        response.insert_header((
            header::LINK,
            format!("<{}?{}>; rel=\"next\"", req.path(), query),
        ));
    }
    response.json(page)
}

/// Applies keyset order and the `after` bound for one sort column of a boxed
/// diesel query. `$parse` turns the cursor key text back into the column's type.
#[macro_export]
macro_rules! keyset {
    ($query:expr, $page:expr, $column:expr, $id:expr, $parse:expr) => {{
        let mut query = $query;
        if let Some(after) = &$page.after {
            let key = $parse(after.key.as_str())?;
            let id = after.id.clone();
            query = if $page.descending {
                query.filter($column.lt(key.clone()).or($column.eq(key).and($id.lt(id))))
            } else {
                query.filter($column.gt(key.clone()).or($column.eq(key).and($id.gt(id))))
            };
        }
        if $page.descending {
            query.order(($column.desc(), $id.desc()))
        } else {
            query.order(($column.asc(), $id.asc()))
        }
    }};
}

/// Cursor key parsers for the column types lists sort by.
pub mod key {
    use crate::error::{ApiError, ApiResult};
    use crate::i18n::Msg;

    fn malformed() -> ApiError {
        ApiError::invalid_field("cursor", "invalid_cursor", Msg::InvalidCursor)
    }

    pub fn text(key: &str) -> ApiResult<String> {
        Ok(key.to_owned())
    }

    pub fn instant(key: &str) -> ApiResult<chrono::NaiveDateTime> {
        chrono::NaiveDateTime::parse_from_str(key, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| malformed())
    }

    pub fn date(key: &str) -> ApiResult<chrono::NaiveDate> {
        key.parse().map_err(|_| malformed())
    }

    pub fn instant_text(value: &chrono::NaiveDateTime) -> String {
        value.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(limit: Option<i64>, sort: Option<&str>, cursor: Option<String>) -> PageParams {
        PageParams {
            limit,
            cursor,
            sort: sort.map(str::to_owned),
            count: None,
        }
    }

    #[test]
    fn a_negative_limit_is_refused() {
        assert!(PageRequest::parse(&params(Some(-1), None, None), &["id"], &()).is_err());
    }

    #[test]
    fn an_unknown_sort_field_is_refused() {
        assert!(PageRequest::parse(&params(None, Some("password"), None), &["id"], &()).is_err());
    }

    #[test]
    fn a_cursor_round_trips_under_the_same_filters() {
        let page = PageRequest::parse(&params(Some(1), Some("-code"), None), &["id", "code"], &"x")
            .expect("valid");
        let built = page.page(
            vec![("a", "1"), ("b", "2")],
            |r| After {
                key: r.0.to_owned(),
                id: r.1.to_owned(),
            },
            |r| r,
            None,
        );
        let cursor = built.next_cursor.expect("more rows");
        let next = PageRequest::parse(
            &params(Some(1), Some("-code"), Some(cursor.clone())),
            &["id", "code"],
            &"x",
        )
        .expect("valid");
        assert_eq!(
            next.after,
            Some(After {
                key: "a".into(),
                id: "1".into()
            })
        );
        assert!(PageRequest::parse(
            &params(Some(1), Some("-code"), Some(cursor)),
            &["id", "code"],
            &"y"
        )
        .is_err());
    }
}
