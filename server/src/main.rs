//! The `assent` command line: parse, start tracing, dispatch (the commands live in `cli`).

use assent_server::config::Config;
use assent_server::export::{DEFAULT_PAGE_SIZE, ExportRequest, Format};
use assent_server::ledger::EventFilter;
use assent_server::startup::Application;
use assent_server::{cli, cli_sites};
use assent_shared::ids::SiteId;
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
    /// sqlite://path or postgres://… [env: ASSENT_DATABASE_URL, default sqlite://data/assent.db].
    #[arg(long, global = true)]
    database_url: Option<String>,
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
        /// Only what changed since each site's newest checkpoint (its signed heads taken as
        /// verified): one read per old chain plus the events since. An old event altered
        /// without recomputing its chain is found only by the full walk (the default).
        #[arg(long)]
        since_checkpoint: bool,
    },
    /// Export one site's ledger: its events as NDJSON (as stored) or CSV, or an evidence
    /// bundle for `assent verify-bundle`. Progress and ETA on stderr when writing to a file.
    Export {
        #[arg(long)]
        site: String,
        #[arg(long, value_enum)]
        format: Format,
        /// Only events recorded at or after this time (RFC 3339, or YYYY-MM-DD: midnight UTC).
        #[arg(long)]
        from: Option<String>,
        /// Only events recorded before this time (RFC 3339, or YYYY-MM-DD: midnight UTC).
        #[arg(long)]
        to: Option<String>,
        /// Only events whose decisions name this purpose. A bundle holds the whole chains of
        /// the matching events, so that each verifies.
        #[arg(long)]
        purpose: Option<String>,
        /// Write to this file instead of stdout.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Events per database read.
        #[arg(long, default_value_t = DEFAULT_PAGE_SIZE, value_parser = clap::value_parser!(u32).range(1..))]
        page_size: u32,
    },
    /// Verify an evidence bundle offline, with no database and no key file. Exits 2 if broken.
    VerifyBundle {
        /// The bundle (from `assent export --format bundle`).
        file: PathBuf,
    },
    /// Make a signed checkpoint of the chain heads now.
    Checkpoint {
        #[arg(long)]
        site: Option<String>,
    },
    /// Apply the retention setting now: unlink subjects inactive for `retention_days`.
    Retention,
    /// Rebuild the current-state projection of every site from its events.
    RebuildProjection,
    /// Publish a new notice version for a site from a JSON file (the next version number;
    /// `material_change: true` asks every visitor again).
    PublishNotice {
        #[arg(long)]
        site: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Override the regime per region for a site: `--set US-CA=opt_in --set '*=opt_in'`
    /// (no --set clears them). Running servers pick it up within a second.
    SetRegimes {
        #[arg(long)]
        site: String,
        #[arg(long = "set")]
        pairs: Vec<String>,
    },
    /// Issue a service token for automation, scoped to sites (`*` for all).
    AdminToken {
        #[arg(long = "site", required = true)]
        sites: Vec<String>,
        /// owner or viewer.
        #[arg(long, default_value = "owner")]
        role: String,
        /// Lifetime in hours (1 to 8760, a year).
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(i64).range(1..=8760))]
        hours: i64,
    },
    /// Back up the whole instance — every table, read in one consistent snapshot while it
    /// runs, and the key, checkpoint and audit-anchor files — into a new directory.
    Backup {
        /// The directory to create.
        #[arg(long)]
        output: PathBuf,
    },
    /// Restore a backup (of either database) into an empty database, with its key,
    /// checkpoint and audit-anchor files, in one transaction: all of it or nothing.
    Restore {
        /// The backup directory (from `assent backup`).
        #[arg(long)]
        input: PathBuf,
        /// Replace everything the target database holds, and its key, checkpoint and anchor
        /// files, instead of refusing a target that is not empty.
        #[arg(long)]
        replace: bool,
    },
    /// Register and list sites.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage admin accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum SiteCommand {
    /// Register a site with its starter notice; prints the script tag and the site secret.
    Create {
        /// The site id used in the script tag and the API (a-z, 0-9, -, _).
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// An origin allowed to embed the banner (repeatable), e.g. https://shop.example.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        /// Where the site's privacy policy lives.
        #[arg(long, default_value = "/privacy")]
        policy_url: String,
        /// Give this account the owner role on the new site.
        #[arg(long)]
        owner: Option<String>,
    },
    /// List every site.
    List,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account. The password comes from ASSENT_ADMIN_PASSWORD, or one is
    /// generated and printed once.
    CreateUser {
        #[arg(long)]
        email: String,
        /// An instance administrator (every site, accounts).
        #[arg(long)]
        admin: bool,
    },
    /// Give an account a role on a site: owner, viewer, or none to remove it.
    Grant {
        #[arg(long)]
        email: String,
        #[arg(long)]
        site: String,
        #[arg(long)]
        role: String,
    },
}

/// The log filter without `ASSENT_LOG`. sqlx's warning about an unknown parameter of the
/// database URL prints that parameter's value, which may be a misspelt password: only its
/// errors are shown.
const DEFAULT_LOG: &str = "info,sqlx=warn,sqlx_postgres::options=error";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // One line per failure, its causes joined: an operator needs the message, not a
    // backtrace (which anyhow prints for a returned error whenever RUST_BACKTRACE is set).
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("ASSENT_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG)))
        .with_writer(std::io::stderr)
        .init();
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        config.database_url = url;
    }
    let needs_database = !matches!(
        cli.command,
        Command::Serve { .. } | Command::RotateKey | Command::VerifyBundle { .. } | Command::Restore { .. }
    );
    if needs_database {
        require_existing_database(&config.database_url)?;
    }
    match cli.command {
        Command::Serve { bind, demo, demo_bind } => {
            config.bind = bind.unwrap_or(config.bind);
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
        Command::Verify { site, since_checkpoint } => {
            if !cli::verify(&config, site.as_deref(), since_checkpoint).await? {
                std::process::exit(2);
            }
            Ok(())
        }
        Command::Export {
            site,
            format,
            from,
            to,
            purpose,
            output,
            page_size,
        } => {
            let request = ExportRequest {
                site: SiteId::parse(&site)?,
                format,
                filter: EventFilter::parse(from.as_deref(), to.as_deref(), purpose.as_deref())?,
                page_size,
            };
            cli::export(&config, request, output.as_deref()).await
        }
        Command::VerifyBundle { file } => {
            if !cli::verify_bundle(&file)? {
                std::process::exit(2);
            }
            Ok(())
        }
        Command::Checkpoint { site } => cli::checkpoint(&config, site.as_deref()).await,
        Command::Retention => cli::retention(&config).await,
        Command::RebuildProjection => cli::rebuild_projection(&config).await,
        Command::PublishNotice { site, file } => cli::publish_notice(&config, &site, &file).await,
        Command::SetRegimes { site, pairs } => cli::set_regimes(&config, &site, &pairs).await,
        Command::AdminToken { sites, role, hours } => cli_sites::service_token(&config, sites, &role, hours).await,
        Command::Site(SiteCommand::Create {
            id,
            name,
            origins,
            policy_url,
            owner,
        }) => cli_sites::site_create(&config, &id, &name, &origins, &policy_url, owner.as_deref()).await,
        Command::Site(SiteCommand::List) => cli_sites::site_list(&config).await,
        Command::Admin(AdminCommand::CreateUser { email, admin }) => {
            let password = std::env::var("ASSENT_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
            cli_sites::create_user(&config, &email, admin, password).await
        }
        Command::Admin(AdminCommand::Grant { email, site, role }) => {
            cli_sites::grant(&config, &email, &site, &role).await
        }
        Command::RotateKey => cli::rotate_key(&config),
        Command::Backup { output } => cli::backup(&config, &output).await,
        Command::Restore { input, replace } => cli::restore(&config, &input, replace).await,
    }
}

/// An operator command run from the wrong directory must not quietly create (and act on) a
/// new, empty SQLite file: only `assent serve` creates the database.
fn require_existing_database(url: &str) -> anyhow::Result<()> {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Ok(());
    };
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path == ":memory:" || std::path::Path::new(path).exists() {
        return Ok(());
    }
    anyhow::bail!(
        "no database at {path}: run this where `assent serve` runs (its data/ directory), or pass \
         --database-url / ASSENT_DATABASE_URL"
    )
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
