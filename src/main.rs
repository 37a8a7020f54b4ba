//! The command line: `serve` (default), `migrate`, `openapi`.

use clap::{Parser, Subcommand};
use party_registry::config::{Config, LogFormat};
use party_registry::db::Db;
use party_registry::Application;
use tracing_subscriber::EnvFilter;

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
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("party-registry: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[actix_web::main]
async fn serve(config: Config) -> Result<(), String> {
    let bind = config.bind_address.clone();
    let app = Application::build(config).await?;
    tracing::info!(address = %bind, port = app.port(), "serving");
    app.run_until_stopped().await.map_err(|e| e.to_string())
}
