//! Configuration: environment variables, each also a flag of `serve`, with
//! defaults that make `cargo run --release` work with no set-up.

use clap::{Args, ValueEnum};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything the server needs to start. Passed by value; never global.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/party-registry.db"
    )]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "BIND_ADDRESS", default_value = "127.0.0.1:8080")]
    pub bind_address: String,

    /// Database connections per instance (default 8 on SQLite, 16 on PostgreSQL).
    #[arg(long, env = "DB_POOL_SIZE")]
    pub db_pool_size: Option<u32>,

    /// HS256 signing secret; without it a key is generated once and kept in the database.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// The previous signing secret: its tokens stay valid until they expire.
    #[arg(long, env = "JWT_PREVIOUS_SECRET", hide_env_values = true)]
    pub jwt_previous_secret: Option<String>,

    /// Lifetime of an access token.
    #[arg(long, env = "TOKEN_TTL_SECONDS", default_value_t = 3600)]
    pub token_ttl_seconds: i64,

    /// Comma-separated origins allowed by CORS; none by default.
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub cors_allowed_origins: Vec<String>,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,

    /// Password of the `admin` account created on first start with an empty database.
    #[arg(long, env = "BOOTSTRAP_ADMIN_PASSWORD", hide_env_values = true)]
    pub bootstrap_admin_password: Option<String>,

    /// `text` or `json`.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Largest import body, in bytes (imports stream to a temporary file).
    #[arg(long, env = "MAX_IMPORT_BYTES", default_value_t = 1 << 30)]
    pub max_import_bytes: u64,

    /// Days the change feed keeps its entries.
    #[arg(long, env = "CHANGE_RETENTION_DAYS", default_value_t = 90)]
    pub change_retention_days: i64,

    /// Seconds between compactions of the change feed (first one at start).
    #[arg(
        long,
        env = "CHANGE_COMPACTION_INTERVAL_SECONDS",
        default_value_t = 3600
    )]
    pub change_compaction_interval_seconds: u64,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "WORKERS")]
    pub workers: Option<usize>,

    /// Keep callers' accounts between reads (see `auth::cache`); on by
    /// default. On PostgreSQL each instance then listens for the others'
    /// account changes (`auth::listener`), which needs a session of its
    /// own: behind a pooler in transaction mode, set it to false.
    #[arg(long, env = "ACCOUNT_CACHE")]
    pub account_cache: Option<bool>,
}

impl Config {
    /// Defaults for everything but the database, as `serve` would have them
    /// with no environment; used by tests and tools.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            bind_address: "127.0.0.1:0".to_owned(),
            db_pool_size: None,
            jwt_secret: None,
            jwt_previous_secret: None,
            token_ttl_seconds: 3600,
            cors_allowed_origins: Vec::new(),
            max_body_bytes: 1_048_576,
            bootstrap_admin_password: None,
            log_format: LogFormat::Text,
            max_import_bytes: 1 << 30,
            change_retention_days: 90,
            change_compaction_interval_seconds: 3600,
            workers: None,
            account_cache: None,
        }
    }

    /// The pool size in force for the configured backend.
    pub fn pool_size(&self) -> u32 {
        self.db_pool_size
            .unwrap_or(if self.on_postgres() { 16 } else { 8 })
    }

    /// Whether reads keep accounts: unless configured off.
    pub fn keeps_accounts(&self) -> bool {
        self.account_cache.unwrap_or(true)
    }

    fn on_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}
