//! Operations endpoints: liveness, readiness and Prometheus metrics.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::{get, web, HttpResponse};

use crate::auth::cache::AccountCache;
use crate::db::{Db, GroupWriter};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Upper bounds (seconds) of the request-duration histogram.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Request counters and a latency histogram, lock-free.
#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    /// Counts one finished request.
    pub fn observe(&self, status: u16, seconds: f64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add((seconds * 1_000_000.0) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self, db: &Db, writer: &GroupWriter, accounts: &AccountCache) -> String {
        let mut out = String::new();
        out.push_str("# HELP http_requests_total HTTP requests answered, by status class.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        for (i, counter) in self.by_class.iter().enumerate() {
            out.push_str(&format!(
                "http_requests_total{{status_class=\"{}xx\"}} {}\n",
                i + 1,
                counter.load(Ordering::Relaxed)
            ));
        }
        out.push_str("# HELP http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            out.push_str(&format!(
                "http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}\n",
                bucket.load(Ordering::Relaxed)
            ));
        }
        let count = self.count.load(Ordering::Relaxed);
        out.push_str(&format!(
            "http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n"
        ));
        out.push_str(&format!(
            "http_request_duration_seconds_sum {}\n",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1_000_000.0
        ));
        out.push_str(&format!("http_request_duration_seconds_count {count}\n"));
        let (connections, idle) = db.pool_state();
        let (groups, writes) = writer.totals();
        let mut scalars = vec![
            ("db_pool_connections", "gauge", "Open database connections.", connections.into()),
            ("db_pool_idle_connections", "gauge", "Idle database connections.", idle.into()),
            ("db_write_groups_total", "counter", "Transactions the writer committed or tried, each holding the writes that waited together.", groups),
            ("db_writes_total", "counter", "Write requests run by the writer.", writes),
        ];
        if let Some((listening, changes)) = accounts.hearing() {
            scalars.extend([
                ("account_listener_up", "gauge", "Whether this instance is listening for other instances' account changes (while not, it keeps no accounts).", u64::from(listening)),
                ("account_changes_heard_total", "counter", "Account and organisation changes heard from the instances on this database.", changes),
            ]);
        }
        for (name, kind, help, value) in scalars {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
            ));
        }
        out
    }
}

/// The process is alive (never touches the database).
#[utoipa::path(
    tag = "operations",
        operation_id = "healthz",
    security(()),
    responses((status = 200, description = "Alive", body = Object, example = json!({"status": "ok"})))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// The database is reachable and every migration applied.
#[utoipa::path(
    tag = "operations",
        operation_id = "readyz",
    security(()),
    responses(
        (status = 200, description = "Ready", body = Object, example = json!({"status": "ready"})),
        (status = 503, description = "Database unreachable or migrations pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pending = state
        .db
        .run(|conn| Db::migrations_pending(conn).map_err(|_| ApiError::DatabaseUnavailable))
        .await?;
    if pending {
        return Err(ApiError::DatabaseUnavailable);
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready"})))
}

/// Prometheus metrics in the text format.
#[utoipa::path(
    tag = "operations",
        operation_id = "metrics",
    security(()),
    responses((status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain",
        example = "# TYPE http_requests_total counter\nhttp_requests_total{status_class=\"2xx\"} 42\n"))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(
            state
                .metrics
                .render(&state.db, &state.writer, &state.accounts),
        )
}
