//! The command line: `serve` (default), `migrate`, `openapi`.

use clap::{Parser, Subcommand};
use party_registry::config::{Config, LogFormat};
use party_registry::db::Db;
use party_registry::Application;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: per-thread free lists without
/// glibc's arena locks and consolidation passes on the request path. GET
/// /members/{id} 133 k -> 118 k instructions (bench/profile); at 1 M
/// members nearly every bench scenario ran faster, for more memory held
/// between bursts (README, Scaling: Memory).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "party-registry",
    version,
    about = "Party-building register REST API"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve(Config),
    /// Apply pending database migrations and exit.
    Migrate(Config),
    /// Print the OpenAPI document.
    Openapi,
    /// Load data: `seed demo` or `seed synthetic --members N`.
    Seed {
        #[command(subcommand)]
        kind: SeedKind,
    },
}

#[derive(Subcommand)]
enum SeedKind {
    /// The Mường Ảng district of the source document, with history around 2016.
    Demo {
        #[command(flatten)]
        config: Config,
    },
    /// Generated data at any scale, deterministic for a seed (for benchmarks).
    Synthetic {
        /// How many members to generate.
        #[arg(long, default_value_t = 10_000)]
        members: usize,
        /// The random seed; the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        config: Config,
    },
}

#[derive(Parser)]
struct ServeDefaults {
    #[command(flatten)]
    config: Config,
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeDefaults::parse_from(["serve"]).config));
    let outcome = match command {
        Command::Openapi => {
            print!("{}", party_registry::openapi::document_json());
            Ok(())
        }
        Command::Migrate(config) => {
            init_logging(config.log_format);
            Db::connect(&config.database_url, 1)
                .and_then(|db| db.migrate())
                .map(|applied| tracing::info!(applied, "migrations applied"))
        }
        Command::Serve(config) => {
            init_logging(config.log_format);
            serve(config)
        }
        Command::Seed {
            kind: SeedKind::Demo { config },
        } => {
            init_logging(config.log_format);
            seed_demo(&config)
        }
        Command::Seed {
            kind:
                SeedKind::Synthetic {
                    members,
                    seed,
                    config,
                },
        } => {
            init_logging(config.log_format);
            seed_synthetic(&config, members, seed)
        }
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("party-registry: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn seed_demo(config: &Config) -> Result<(), String> {
    let db = Db::connect(&config.database_url, 1)?;
    db.migrate()?;
    let summary = party_registry::seed::demo::load(&db)?;
    tracing::info!(
        organisations = summary.organisations,
        villages = summary.villages,
        members = summary.members,
        district = %summary.district_id,
        "demo district loaded: GET /api/v1/reports/annual?year=2016&organisation_id={}",
        summary.district_id
    );
    Ok(())
}

fn seed_synthetic(config: &Config, members: usize, seed: u64) -> Result<(), String> {
    let db = Db::connect(&config.database_url, 1)?;
    db.migrate()?;
    let started = std::time::Instant::now();
    let summary = party_registry::seed::synthetic::generate(&db, members, seed)?;
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        members = summary.members,
        events = summary.events,
        organisations = summary.organisations,
        localities = summary.localities,
        seconds,
        members_per_second = summary.members as f64 / seconds,
        "synthetic register written"
    );
    Ok(())
}

#[actix_web::main]
async fn serve(config: Config) -> Result<(), String> {
    let bind = config.bind_address.clone();
    let app = Application::build(config).await?;
    tracing::info!(address = %bind, port = app.port(), "serving");
    app.run_until_stopped().await.map_err(|e| e.to_string())
}
