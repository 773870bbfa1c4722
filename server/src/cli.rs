//! The operator commands behind `assent …` (all but `serve`): each takes the loaded
//! configuration, prints what it did, and returns an error a person can act on.

use crate::config::Config;
use crate::export::{self, ExportRequest, Format, Progress};
use crate::keys::Keys;
use crate::ledger::{self, Ledger, checkpoint, retention, verify};
use anyhow::{Context, bail};
use assent_shared::api::LedgerProblem;
use assent_shared::ids::SiteId;
use assent_shared::notice::Notice;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

async fn open(config: &Config, site: Option<&str>) -> anyhow::Result<(Arc<dyn Ledger>, Keys, Vec<SiteId>)> {
    let ledger = ledger::open(&config.database_url).await?;
    let keys = Keys::load_or_create(&config.key_file)?;
    let registered: Vec<SiteId> = ledger.sites().await?.into_iter().map(|s| s.id).collect();
    let sites = match site {
        // A site the database does not know gets no "OK" and no checkpoint over nothing; one
        // deleted whole is reported by `assent verify` without `--site`, from the checkpoint file.
        Some(s) if !registered.iter().any(|r| r.as_str() == s) => bail!(
            "site {s} is not in the database (a site deleted whole is reported by `assent verify` without --site)"
        ),
        Some(s) => vec![SiteId::parse(s)?],
        None => registered,
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

/// Re-walks every chain and checkpoint — or, `since_checkpoint`, what changed since each
/// site's newest checkpoint — (and, for all sites, the audit log); returns whether
/// everything verified.
pub async fn verify(config: &Config, site: Option<&str>, since_checkpoint: bool) -> anyhow::Result<bool> {
    let (ledger, keys, sites) = open(config, site).await?;
    let mut clean = true;
    if site.is_none() && !check_file_sites(config, &sites)? {
        clean = false;
    }
    for site in sites {
        let report = if since_checkpoint {
            verify::verify_site_since_checkpoint(ledger.as_ref(), &keys, &site).await?
        } else {
            verify::verify_site(ledger.as_ref(), &keys, &site, Some(&config.checkpoint_file)).await?
        };
        let summary = format!(
            "site {}: {}, {}, {}",
            report.site_id,
            count(report.chains, "chain"),
            count(report.events, "event"),
            count(report.checkpoints, "checkpoint")
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
    if site.is_none() {
        let db = ledger::connect(&config.database_url).await?.db();
        let (entries, mut problems) = db.verify_audit().await?;
        let anchors = crate::db::audit_anchor::anchor_file(&config.checkpoint_file);
        problems.extend(db.check_audit_anchors(&keys, &anchors).await?);
        match problems.first() {
            None => println!("audit log: {entries} entries: OK"),
            Some(first) => {
                clean = false;
                println!("audit log: {entries} entries: BROKEN ({} problems)", problems.len());
                println!("  first broken: entry {} — {}", first.seq, first.problem);
            }
        }
    }
    Ok(clean)
}

/// Whether every site the checkpoint file names is still in the database: a site deleted
/// whole (events, checkpoints and the site row) leaves no chain to walk, only its published
/// checkpoints. Prints each such site as broken.
fn check_file_sites(config: &Config, sites: &[SiteId]) -> anyhow::Result<bool> {
    if !config.checkpoint_file.exists() {
        return Ok(true);
    }
    let mut gone: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for c in checkpoint::read_file(&config.checkpoint_file)? {
        if !sites.contains(&c.site_id) {
            *gone.entry(c.site_id.to_string()).or_default() += 1;
        }
    }
    for (site, n) in &gone {
        println!(
            "site {site}: BROKEN — {} in {} but the site is not in the database (deleted?)",
            count(*n as u64, "published checkpoint"),
            config.checkpoint_file.display()
        );
    }
    Ok(gone.is_empty())
}

/// Writes one site's export to `output`, or to stdout when `None`. A progress bar with an
/// ETA is drawn on stderr when writing to a file from a terminal. A file is written under a
/// `.partial` name and renamed once complete, so a failed export leaves no file that looks whole.
pub async fn export(config: &Config, request: ExportRequest, output: Option<&Path>) -> anyhow::Result<()> {
    let site = request.site.clone();
    let jwks = match request.format {
        // The bundle's JWKS must hold the keys that signed its checkpoints: never a fresh one.
        Format::Bundle if !config.key_file.exists() => bail!(
            "key file {} not found: a bundle carries the public keys that signed the checkpoints",
            config.key_file.display()
        ),
        Format::Bundle => Keys::load_or_create(&config.key_file)?.jwks(),
        Format::Ndjson | Format::Csv => serde_json::Value::Null,
    };
    let ledger = ledger::open(&config.database_url).await?;
    if !ledger.sites().await?.iter().any(|s| s.id == site) {
        bail!("site {site} is not registered");
    }
    let bar = if output.is_some() && std::io::stderr().is_terminal() {
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {human_pos}/{human_len} events, {per_sec}, ETA {eta}",
        )?;
        ProgressBar::new(0).with_style(style.progress_chars("=> "))
    } else {
        ProgressBar::hidden()
    };
    let mut progress = |p: Progress| {
        if p.written == 0 {
            // The total is known now: the time spent counting says nothing about the rate.
            bar.set_length(p.total);
            bar.reset();
        }
        bar.set_position(p.written);
    };
    let summary = match output {
        None => {
            let mut out = BufWriter::new(std::io::stdout());
            export::write_export(ledger.as_ref(), &jwks, request, &mut out, &mut progress).await?
        }
        Some(path) => {
            let partial = PathBuf::from(format!("{}.partial", path.display()));
            let file = std::fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
            let mut out = BufWriter::new(file);
            let written = export::write_export(ledger.as_ref(), &jwks, request, &mut out, &mut progress).await;
            let finished = written.and_then(|summary| {
                out.into_inner()?.sync_all()?;
                std::fs::rename(&partial, path)?;
                Ok(summary)
            });
            if finished.is_err() {
                let _ = std::fs::remove_file(&partial);
            }
            finished.with_context(|| format!("writing {}", path.display()))?
        }
    };
    bar.finish_and_clear();
    let to = output.map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
    eprintln!(
        "site {site}: exported {} events of {} chains to {to}",
        summary.events, summary.chains
    );
    Ok(())
}

/// Verifies an evidence bundle offline (no database, no key file) and prints what it found;
/// returns whether it verified.
pub fn verify_bundle(file: &Path) -> anyhow::Result<bool> {
    let reader = BufReader::new(std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?);
    let report = export::verify_bundle(reader).with_context(|| format!("reading {}", file.display()))?;
    let site = report.site_id.as_ref().map_or("?".to_owned(), ToString::to_string);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "bundle of site {site}, made {} by Assent {}",
        report.created_at.as_deref().unwrap_or("?"),
        report.assent_version.as_deref().unwrap_or("?")
    )?;
    if !report.filter.is_empty() {
        writeln!(out, "filter: {}", serde_json::to_string(&report.filter)?)?;
    }
    writeln!(
        out,
        "signing keys: {} (compare with the site's /.well-known/jwks.json)",
        report.key_ids.join(", ")
    )?;
    let summary = format!(
        "{}, {}, {}, {}",
        count(report.chains, "chain"),
        count(report.events, "event"),
        count(report.checkpoints, "checkpoint"),
        count(report.notices, "notice")
    );
    if report.checkpoints == 0 {
        writeln!(
            out,
            "warning: no signed checkpoint anchors these chains, so a whole chain could be left out \
             unnoticed; run `assent checkpoint` before exporting"
        )?;
    }
    match report.problems.first() {
        None => writeln!(out, "{summary}: OK")?,
        Some(first) => {
            writeln!(out, "{summary}: BROKEN ({} problems)", report.problems.len())?;
            writeln!(out, "  first broken: {}", describe(first))?;
            for p in report.problems.iter().skip(1) {
                writeln!(out, "  also: {}", describe(p))?;
            }
        }
    }
    Ok(report.is_ok())
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
    let anchors = crate::db::audit_anchor::anchor_file(&config.checkpoint_file);
    if ledger::connect(&config.database_url)
        .await?
        .db()
        .anchor_audit(&keys, &anchors)
        .await?
    {
        println!("audit log: head anchored in {}", anchors.display());
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
    if notice.tcf.is_some() {
        // The same check as the admin API's, against the list this database holds.
        let gvl = crate::tcf::cache::GvlCache::default();
        gvl.reload(&crate::cli_sites::db(config).await?).await?;
        crate::tcf::notice::check_against(config, gvl.current().as_ref().map(|g| &g.list), &notice)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
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

/// Backs up the whole instance into the new directory `output` and says what it holds.
pub async fn backup(config: &Config, output: &Path) -> anyhow::Result<()> {
    let manifest = crate::backup::backup(config, output).await?;
    let rows: u64 = manifest.tables.iter().map(|t| t.rows).sum();
    println!(
        "backed up {} of {} tables ({}, schema version {}) to {}",
        count(rows, "row"),
        manifest.tables.len(),
        manifest.source_backend,
        manifest.schema_version,
        output.display()
    );
    for file in &manifest.files {
        println!("  {} copied from {}", file.path, file.source);
    }
    println!("It holds the signing keys and the webhook secrets: keep it as safe as the key file.");
    Ok(())
}

/// Restores a backup into the configured database and files; refuses a database that
/// holds data unless `replace`.
pub async fn restore(config: &Config, input: &Path, replace: bool) -> anyhow::Result<()> {
    let restored = crate::backup::restore(config, input, replace).await?;
    let m = &restored.manifest;
    let replaced = if restored.replaced > 0 {
        format!(", replacing {}", count(restored.replaced, "row"))
    } else {
        String::new()
    };
    println!(
        "restored {} of {} tables from {} (made {} by Assent {} on {}){replaced}",
        count(restored.rows, "row"),
        m.tables.len(),
        input.display(),
        m.created_at,
        m.assent_version,
        m.source_backend
    );
    for line in &restored.files {
        println!("  {line}");
    }
    println!("Check it with `assent verify`.");
    Ok(())
}

pub fn rotate_key(config: &Config) -> anyhow::Result<()> {
    let kid = Keys::rotate(&config.key_file).context("rotating the signing key")?;
    println!("new signing key {kid} in {}", config.key_file.display());
    Ok(())
}

/// `1 chain`, `3 chains`: counts as people write them.
fn count<N: Into<u64>>(n: N, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
