//! The `assent` command line: parse, start tracing, dispatch (the commands live in `cli`).

use assent_server::cli;
use assent_server::config::Config;
use assent_server::startup::Application;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "assent",
    version,
    about = "Consent and cookie management with a tamper-evident ledger"
)]
struct Cli {
    /// TOML configuration file (optional; environment variables override it).
    #[arg(long, global = true, env = "ASSENT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (and the demo site with ASSENT_DEMO=1).
    Serve {
        /// Address of the API listener [env: ASSENT_BIND, default 127.0.0.1:8080].
        #[arg(long)]
        bind: Option<std::net::SocketAddr>,
        /// sqlite://path or postgres://… [env: ASSENT_DATABASE_URL, default sqlite://data/assent.db].
        #[arg(long)]
        database_url: Option<String>,
        /// Serve the demo site on a second listener [env: ASSENT_DEMO].
        #[arg(long)]
        demo: bool,
        /// Address of the demo site [env: ASSENT_DEMO_BIND, default 127.0.0.1:8081].
        #[arg(long)]
        demo_bind: Option<std::net::SocketAddr>,
    },
    /// Add a new signing key; older keys keep verifying what they signed.
    RotateKey,
    /// Re-walk every chain and checkpoint; name the first broken event. Exits 2 if broken.
    Verify {
        /// Only this site (default: every site).
        #[arg(long)]
        site: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Make a signed checkpoint of the chain heads now.
    Checkpoint {
        #[arg(long)]
        site: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Apply the retention setting now: unlink subjects inactive for `retention_days`.
    Retention {
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Rebuild the current-state projection of every site from its events.
    RebuildProjection {
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Publish a new notice version for a site from a JSON file (the next version number;
    /// `material_change: true` asks every visitor again).
    PublishNotice {
        #[arg(long)]
        site: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Override the regime per region for a site: `--set US-CA=opt_in --set '*=opt_in'`
    /// (no --set clears them). Running servers pick it up within a minute.
    SetRegimes {
        #[arg(long)]
        site: String,
        #[arg(long = "set")]
        pairs: Vec<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Issue an admin API token for some sites (`*` for all).
    AdminToken {
        #[arg(long = "site", required = true)]
        sites: Vec<String>,
        /// Lifetime in hours.
        #[arg(long, default_value_t = 24)]
        hours: i64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("ASSENT_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let mut config = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    match cli.command {
        Command::Serve {
            bind,
            database_url,
            demo,
            demo_bind,
        } => {
            config.bind = bind.unwrap_or(config.bind);
            config.database_url = database_url.unwrap_or(config.database_url);
            config.demo |= demo;
            config.demo_bind = demo_bind.unwrap_or(config.demo_bind);
            tracing::info!(?config, "starting");
            let app = Application::build(config).await?;
            // One machine-readable line on stdout: scripts and tests read the bound ports here.
            match app.demo_addr() {
                Some(demo) => println!("assent listening api=http://{} demo=http://{demo}", app.api_addr()),
                None => println!("assent listening api=http://{}", app.api_addr()),
            }
            app.run_until_stopped(shutdown_signal()).await
        }
        Command::Verify { site, database_url } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            if !cli::verify(&config, site.as_deref()).await? {
                std::process::exit(2);
            }
            Ok(())
        }
        Command::Checkpoint { site, database_url } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            cli::checkpoint(&config, site.as_deref()).await
        }
        Command::Retention { database_url } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            cli::retention(&config).await
        }
        Command::RebuildProjection { database_url } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            cli::rebuild_projection(&config).await
        }
        Command::PublishNotice {
            site,
            file,
            database_url,
        } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            cli::publish_notice(&config, &site, &file).await
        }
        Command::SetRegimes {
            site,
            pairs,
            database_url,
        } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            cli::set_regimes(&config, &site, &pairs).await
        }
        Command::AdminToken { sites, hours } => cli::admin_token(&config, sites, hours),
        Command::RotateKey => cli::rotate_key(&config),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(err) => tracing::error!(error = %err, "cannot listen for SIGTERM"),
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down");
}
