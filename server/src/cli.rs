//! The operator commands behind `assent …` (all but `serve`): each takes the loaded
//! configuration, prints what it did, and returns an error a person can act on.

use crate::config::Config;
use crate::keys::Keys;
use crate::ledger::{self, Ledger, checkpoint, retention, verify};
use anyhow::{Context, bail};
use assent_shared::api::LedgerProblem;
use assent_shared::ids::SiteId;
use assent_shared::notice::Notice;
use std::path::Path;
use std::sync::Arc;

async fn open(config: &Config, site: Option<&str>) -> anyhow::Result<(Arc<dyn Ledger>, Keys, Vec<SiteId>)> {
    let ledger = ledger::open(&config.database_url).await?;
    let keys = Keys::load_or_create(&config.key_file)?;
    let sites = match site {
        Some(s) => vec![SiteId::parse(s)?],
        None => ledger.sites().await?.into_iter().map(|s| s.id).collect(),
    };
    Ok((ledger, keys, sites))
}

fn describe(p: &LedgerProblem) -> String {
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

/// Re-walks every chain and checkpoint; returns whether everything verified.
pub async fn verify(config: &Config, site: Option<&str>) -> anyhow::Result<bool> {
    let (ledger, keys, sites) = open(config, site).await?;
    let mut clean = true;
    for site in sites {
        let report = verify::verify_site(ledger.as_ref(), &keys, &site, Some(&config.checkpoint_file)).await?;
        let summary = format!(
            "site {}: {} chains, {} events, {} checkpoints",
            report.site_id, report.chains, report.events, report.checkpoints
        );
        match report.problems.first() {
            None => println!("{summary}: OK"),
            Some(first) => {
                clean = false;
                println!("{summary}: BROKEN ({} problems)", report.problems.len());
                println!("  first broken: {}", describe(first));
                for p in report.problems.iter().skip(1) {
                    println!("  also: {}", describe(p));
                }
            }
        }
    }
    Ok(clean)
}

pub async fn checkpoint(config: &Config, site: Option<&str>) -> anyhow::Result<()> {
    let (ledger, keys, sites) = open(config, site).await?;
    for site in sites {
        let c = checkpoint::make(ledger.as_ref(), &keys, &site, Some(&config.checkpoint_file)).await?;
        println!(
            "site {site}: checkpoint {} over {} chains, root {}",
            c.number, c.tree_size, c.root
        );
    }
    Ok(())
}

pub async fn retention(config: &Config) -> anyhow::Result<()> {
    let ledger = ledger::open(&config.database_url).await?;
    let n = retention::run(ledger.as_ref(), config.retention_days).await?;
    println!("unlinked {n} subjects with no event in {} days", config.retention_days);
    Ok(())
}

pub async fn rebuild_projection(config: &Config) -> anyhow::Result<()> {
    let (ledger, _keys, sites) = open(config, None).await?;
    for site in sites {
        let n = ledger.rebuild_projection(&site).await?;
        println!("site {site}: projection rebuilt from {n} events");
    }
    Ok(())
}

/// Publishes the next notice version of a site from a JSON file.
pub async fn publish_notice(config: &Config, site: &str, file: &Path) -> anyhow::Result<()> {
    let site = SiteId::parse(site)?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let notice: Notice = serde_json::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
    notice.validate()?;
    let ledger = ledger::open(&config.database_url).await?;
    if !ledger.sites().await?.iter().any(|s| s.id == site) {
        bail!("site {site} is not registered");
    }
    let next = ledger.latest_notice(&site).await?.map_or(1, |n| n.version + 1);
    if notice.version != next {
        bail!("the next version of site {site} must be {next}, not {}", notice.version);
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

/// Sets a site's regime overrides from `KEY=REGIME` pairs (`US-CA=opt_in`, `*=opt_in`);
/// none clears them.
pub async fn set_regimes(config: &Config, site: &str, pairs: &[String]) -> anyhow::Result<()> {
    let site = SiteId::parse(site)?;
    let mut overrides = std::collections::BTreeMap::new();
    for pair in pairs {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("{pair:?}: use KEY=REGIME, e.g. US-CA=opt_in"))?;
        let regime = assent_shared::regime::Regime::parse(value)
            .with_context(|| format!("{value:?}: use opt_in, opt_out or notice"))?;
        let key = key.trim().to_ascii_uppercase();
        let valid =
            key == "*" || assent_shared::regime::Jurisdiction::parse(&key, None).is_some_and(|j| j.code() == key);
        if !valid {
            bail!("{key:?}: use a country (US), a subdivision (US-CA) or *");
        }
        overrides.insert(key, regime);
    }
    let ledger = ledger::open(&config.database_url).await?;
    ledger.set_regime_overrides(&site, &overrides).await?;
    println!("site {site}: regime overrides {}", serde_json::to_string(&overrides)?);
    Ok(())
}

pub fn rotate_key(config: &Config) -> anyhow::Result<()> {
    let kid = Keys::rotate(&config.key_file).context("rotating the signing key")?;
    println!("new signing key {kid} in {}", config.key_file.display());
    Ok(())
}
