//! Building and running the server: database, keys, first admin, HTTP.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use diesel::prelude::*;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{self, request_id};
use crate::auth::cache::AccountCache;
use crate::auth::password;
use crate::auth::token::Keys;
use crate::config::Config;
use crate::db::schema::{settings, users};
use crate::db::{write_transaction, Db, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::ops::Metrics;
use crate::state::AppState;

const SIGNING_KEY_SETTING: &str = "jwt_signing_key";

/// The signing secret kept in the database, created on first use, so every
/// instance on one database signs and verifies alike.
fn stored_signing_secret(conn: &mut DbConnection) -> ApiResult<String> {
    let existing: Option<String> = settings::table
        .filter(settings::key.eq(SIGNING_KEY_SETTING))
        .select(settings::value)
        .first(conn)
        .optional()?;
    if let Some(secret) = existing {
        return Ok(secret);
    }
    let created = write_transaction(conn, |conn| {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(SIGNING_KEY_SETTING),
                settings::value.eq(password::random_secret()),
            ))
            .execute(conn)?;
        Ok(())
    });
    match created {
        // Another instance won the race: use its key.
        Ok(()) | Err(ApiError::Conflict { .. }) => Ok(settings::table
            .filter(settings::key.eq(SIGNING_KEY_SETTING))
            .select(settings::value)
            .first(conn)?),
        Err(e) => Err(e),
    }
}

/// Creates the `admin` account when the database has no user at all.
fn bootstrap_admin(conn: &mut DbConnection, password_from_env: Option<&str>) -> ApiResult<()> {
    let users_count: i64 = users::table.count().get_result(conn)?;
    if users_count > 0 {
        return Ok(());
    }
    let (secret, generated) = match password_from_env {
        Some(p) if !p.is_empty() => (p.to_owned(), false),
        _ => (password::random_secret()[..20].to_owned(), true),
    };
    let at = api::now();
    let hash = password::hash(&secret)?;
    let inserted = write_transaction(conn, |conn| {
        diesel::insert_into(users::table)
            .values((
                users::id.eq(api::new_id()),
                users::username.eq("admin"),
                users::password_hash.eq(hash),
                users::full_name.eq(Some("Administrator")),
                users::role.eq("admin"),
                users::disabled.eq(false),
                users::version.eq(1i64),
                users::created_at.eq(at),
                users::updated_at.eq(at),
            ))
            .execute(conn)?;
        Ok(())
    });
    match inserted {
        Ok(()) if generated => {
            tracing::warn!(
                "created account 'admin' with generated password: {secret} (shown once; change it)"
            );
        }
        Ok(()) => tracing::info!("created account 'admin' with BOOTSTRAP_ADMIN_PASSWORD"),
        Err(ApiError::Conflict { .. }) => {}
        Err(e) => return Err(e),
    }
    Ok(())
}

/// A configured server bound to its port, ready to run.
pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    /// Connects, migrates, prepares keys and the first admin, and binds.
    pub async fn build(config: Config) -> Result<Self, String> {
        let pool_size = config.pool_size();
        let db = Db::connect(&config.database_url, pool_size)?;
        let applied = db.migrate()?;
        if applied > 0 {
            tracing::info!(applied, "migrations applied");
        }
        let setup_db = db.clone();
        let bootstrap_password = config.bootstrap_admin_password.clone();
        let configured_secret = config.jwt_secret.clone();
        let secret = web::block(move || -> ApiResult<String> {
            let mut conn = setup_db.get()?;
            bootstrap_admin(&mut conn, bootstrap_password.as_deref())?;
            match configured_secret {
                Some(secret) if !secret.is_empty() => Ok(secret),
                _ => stored_signing_secret(&mut conn),
            }
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("start-up failed: {e:?}"))?;
        crate::sync::retention::spawn(
            db.clone(),
            config.change_retention_days,
            std::time::Duration::from_secs(config.change_compaction_interval_seconds.max(1)),
        );
        let keys = Keys::new(&secret, config.jwt_previous_secret.as_deref());
        let read_audits = crate::audit::reads::ReadAudits::start(db.clone());
        let writer = crate::db::GroupWriter::start(db.clone())?;
        let accounts = std::sync::Arc::new(AccountCache::start(&db, config.keeps_accounts())?);
        let state = web::Data::new(AppState {
            writer,
            accounts,
            db,
            keys,
            token_ttl_seconds: config.token_ttl_seconds,
            metrics: Metrics::default(),
            read_audits,
        });
        let listener = TcpListener::bind(&config.bind_address)
            .map_err(|e| format!("cannot listen on {}: {e}", config.bind_address))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let workers = config
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
        // Blocking threads beyond the pool size would only queue inside r2d2
        // and stretch the tail latency; keep them to the pool per worker.
        let blocking_per_worker = (pool_size as usize).div_ceil(workers).max(1);
        let origins = config.cors_allowed_origins.clone();
        let max_body = config.max_body_bytes;
        let import_limits = web::Data::new(crate::sync::import::ImportLimits {
            max_bytes: config.max_import_bytes,
        });
        let server = HttpServer::new(move || {
            let (app, document) = App::new()
                .into_utoipa_app()
                .openapi(crate::openapi::document())
                .configure(crate::openapi::register)
                .split_for_parts();
            let _ = document;
            app.app_data(state.clone())
                .app_data(import_limits.clone())
                .app_data(api::json_config(max_body))
                .app_data(api::query_config())
                .app_data(api::path_config())
                .app_data(web::PayloadConfig::new(max_body))
                .service(
                    SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", crate::openapi::document()),
                )
                .default_service(web::route().to(not_found))
                .wrap(from_fn(api::idempotency::middleware))
                .wrap(cors(&origins))
                .wrap(from_fn(request_id::middleware))
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking_per_worker)
        .shutdown_timeout(30)
        .listen(listener)
        .map_err(|e| e.to_string())?
        .run();
        Ok(Self { server, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "idempotency-key",
            "x-request-id",
            "accept-language",
        ])
        .expose_headers([
            "etag",
            "link",
            "location",
            "x-request-id",
            "retry-after",
            "x-change-cursor",
        ])
        .max_age(3600);
    for origin in origins.iter().filter(|o| !o.trim().is_empty()) {
        cors = cors.allowed_origin(origin.trim());
    }
    cors
}
