//! The `assent` command line.

use anyhow::Context;
use assent_server::config::Config;
use assent_server::extract::AdminClaims;
use assent_server::keys::Keys;
use assent_server::ledger::{checkpoint, verify};
use assent_server::startup::Application;
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
            let (ledger, keys, sites) = open_ledger(&config, site.as_deref()).await?;
            let mut broken = false;
            for site in sites {
                let report = verify::verify_site(ledger.as_ref(), &keys, &site, Some(&config.checkpoint_file)).await?;
                let summary = format!(
                    "site {}: {} chains, {} events, {} checkpoints",
                    report.site_id, report.chains, report.events, report.checkpoints
                );
                match report.problems.first() {
                    None => println!("{summary}: OK"),
                    Some(first) => {
                        broken = true;
                        println!("{summary}: BROKEN ({} problems)", report.problems.len());
                        println!("  first broken: {}", describe(first));
                        for p in report.problems.iter().skip(1) {
                            println!("  also: {}", describe(p));
                        }
                    }
                }
            }
            if broken {
                std::process::exit(2);
            }
            Ok(())
        }
        Command::Checkpoint { site, database_url } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            let (ledger, keys, sites) = open_ledger(&config, site.as_deref()).await?;
            for site in sites {
                let c = checkpoint::make(ledger.as_ref(), &keys, &site, Some(&config.checkpoint_file)).await?;
                println!(
                    "site {site}: checkpoint {} over {} chains, root {}",
                    c.number, c.tree_size, c.root
                );
            }
            Ok(())
        }
        Command::Retention { database_url } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            let ledger = assent_server::ledger::open(&config.database_url).await?;
            let n = assent_server::ledger::retention::run(ledger.as_ref(), config.retention_days).await?;
            println!("unlinked {n} subjects with no event in {} days", config.retention_days);
            Ok(())
        }
        Command::RebuildProjection { database_url } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            let (ledger, _keys, sites) = open_ledger(&config, None).await?;
            for site in sites {
                let n = ledger.rebuild_projection(&site).await?;
                println!("site {site}: projection rebuilt from {n} events");
            }
            Ok(())
        }
        Command::PublishNotice {
            site,
            file,
            database_url,
        } => {
            config.database_url = database_url.unwrap_or(config.database_url);
            let site = SiteId::parse(&site)?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let notice: assent_shared::notice::Notice =
                serde_json::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
            notice.validate()?;
            let ledger = assent_server::ledger::open(&config.database_url).await?;
            if !ledger.sites().await?.iter().any(|s| s.id == site) {
                anyhow::bail!("site {site} is not registered");
            }
            let next = ledger.latest_notice(&site).await?.map_or(1, |n| n.version + 1);
            if notice.version != next {
                anyhow::bail!("the next version of site {site} must be {next}, not {}", notice.version);
            }
            ledger.publish_notice(&site, &notice).await?;
            let kind = if notice.material_change {
                "material change: visitors are asked again"
            } else {
                "no material change"
            };
            println!("site {site}: published notice version {} ({kind})", notice.version);
            Ok(())
        }
        Command::AdminToken { sites, hours } => {
            let keys = Keys::load_or_create(&config.key_file)?;
            let exp = time::OffsetDateTime::now_utc().unix_timestamp() + hours * 3600;
            println!(
                "{}",
                keys.sign(&AdminClaims {
                    typ: "admin".into(),
                    sites,
                    exp
                })?
            );
            Ok(())
        }
        Command::RotateKey => {
            let kid = Keys::rotate(&config.key_file).context("rotating the signing key")?;
            println!("new signing key {kid} in {}", config.key_file.display());
            Ok(())
        }
    }
}

async fn open_ledger(
    config: &Config,
    site: Option<&str>,
) -> anyhow::Result<(std::sync::Arc<dyn assent_server::ledger::Ledger>, Keys, Vec<SiteId>)> {
    let ledger = assent_server::ledger::open(&config.database_url).await?;
    let keys = Keys::load_or_create(&config.key_file)?;
    let sites = match site {
        Some(s) => vec![SiteId::parse(s)?],
        None => ledger.sites().await?.into_iter().map(|s| s.id).collect(),
    };
    Ok((ledger, keys, sites))
}

fn describe(p: &assent_shared::api::LedgerProblem) -> String {
    let mut at = String::new();
    if let Some(s) = &p.subject_id {
        at.push_str(&format!("subject {s} "));
    }
    if let Some(seq) = p.seq {
        at.push_str(&format!("seq {seq} "));
    }
    if let Some(e) = &p.event_id {
        at.push_str(&format!("(event {e}) "));
    }
    format!("{at}— {}", p.problem)
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
