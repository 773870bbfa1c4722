//! The Global Vendor List refresher: one process at a time across every process on the
//! database fetches the list and the translations the sites' notices need, checks them
//! (`VendorList::parse`, `Translation::parse`) and stores them (`crate::db::gvl`).
//!
//! **One refresher.** Every process runs the task; each [`TICK`] it takes or renews the
//! [`LEASE`] (as the webhook sender does, `crate::webhooks`) and only the holder looks at
//! `gvl_status`. The lease lasts [`LEASE_TTL`], three fetch timeouts, while a refresh takes at
//! most two (the list, then the translations at once), and the holder renews it before it
//! stores; so two processes never refresh at once.
//!
//! **When.** When asked (`POST /v1/admin/tcf/gvl/refresh`, or a TCF notice published), and
//! otherwise once `next_fetch_at` passes: `tcf_gvl_refresh_secs` after a success, or later
//! while the list's `Cache-Control` max-age says it is still fresh (capped at
//! [`MAX_FRESH`]); [`RETRY_AFTER_FAILURE`] after a failure, if sooner.
//!
//! **Refusals.** A list that cannot be fetched or does not parse is not stored: the error is
//! logged and recorded in `gvl_status.last_error`, and every process keeps serving the last
//! good version. A translation that fails is left out (texts stay English) and named there too.

use super::fetch::{FETCH_TIMEOUT, Fetched, Fetcher, translation_language};
use crate::clock;
use crate::db::gvl::GvlAttempt;
use crate::state::AppState;
use assent_shared::signals::tcf::gvl::{Translation, VendorList};
use std::collections::BTreeSet;
use std::time::Duration;

/// The lease that makes one process the refresher.
pub const LEASE: &str = "gvl_refresher";
/// How often each process takes or renews the lease and looks whether a refresh is due.
pub const TICK: Duration = Duration::from_secs(1);
const LEASE_TTL: Duration = Duration::from_secs(FETCH_TIMEOUT.as_secs() * 3);
/// The longest a `Cache-Control` max-age delays the next fetch.
pub const MAX_FRESH: Duration = Duration::from_secs(7 * 24 * 3600);
/// The longest wait before trying again after a failed fetch.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(600);

/// Starts this process's refresher task, if TCF is on (`tcf_cmp_id` set).
pub fn spawn(state: &AppState) -> anyhow::Result<()> {
    if super::settings::cmp(&state.config).is_none() {
        return Ok(());
    }
    let fetcher = Fetcher::new(&state.config)?;
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match state.db.hold_lease(LEASE, &state.instance_id, LEASE_TTL).await {
                Ok(true) => {
                    if let Err(err) = run_if_due(&state, &fetcher).await {
                        tracing::error!(error = ?err, "GVL refresher");
                    }
                }
                Ok(false) => {}
                Err(err) => tracing::warn!(error = ?err, "cannot take the GVL refresher's lease"),
            }
        }
    });
    Ok(())
}

/// Refreshes if asked to or if the schedule says so.
async fn run_if_due(state: &AppState, fetcher: &Fetcher) -> anyhow::Result<()> {
    let status = state.db.gvl_status().await?;
    let scheduled =
        state.config.tcf_gvl_refresh_secs > 0 && status.next_fetch_at.is_none_or(|at| at <= clock::now_unix_ms());
    if status.refresh_requested != 0 || scheduled {
        refresh(state, fetcher).await?;
    }
    Ok(())
}

/// A list fetched and checked, with the translations that were.
struct Fresh {
    list: VendorList,
    files: Vec<(String, String)>,
    max_age: Option<Duration>,
    /// Translations that failed, each with why.
    errors: Vec<String>,
}

/// One refresh: fetch, check, store, record.
async fn refresh(state: &AppState, fetcher: &Fetcher) -> anyhow::Result<()> {
    let at = clock::now_rfc3339();
    let languages = wanted_languages(state).await?;
    let interval = Duration::from_secs(state.config.tcf_gvl_refresh_secs);
    let after = |wait: Duration| {
        (!interval.is_zero())
            .then(|| clock::now_unix_ms().saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)))
    };
    let fresh = match fetch(fetcher, &languages).await {
        Ok(fresh) => fresh,
        Err(error) => {
            tracing::error!(%error, "Global Vendor List refused; the last good version stays in use");
            return state
                .db
                .record_gvl_attempt(&GvlAttempt {
                    at: &at,
                    succeeded: false,
                    error: Some(error.as_str()),
                    next_fetch_at: after(interval.min(RETRY_AFTER_FAILURE)),
                })
                .await;
        }
    };
    // Still the refresher? (A refresh outliving its lease must not race the next holder.)
    if !state.db.hold_lease(LEASE, &state.instance_id, LEASE_TTL).await? {
        return Ok(());
    }
    let version = fresh.list.vendor_list_version;
    if let Some((held, _)) = state.db.gvl_current().await?
        && held > version
    {
        tracing::warn!(
            fetched = version,
            held,
            "the fetched Global Vendor List is older than the one in use; kept as history, not served"
        );
    }
    let changed = state.db.store_gvl_files(version, &fresh.files, &at).await?;
    let error = (!fresh.errors.is_empty()).then(|| fresh.errors.join("; "));
    match &error {
        Some(error) => tracing::warn!(version, %error, "Global Vendor List stored without some translations"),
        None => tracing::info!(
            version,
            changed,
            languages = fresh.files.len(),
            "Global Vendor List checked"
        ),
    }
    // Loaded here before the success is recorded: whoever reads the status sees a list this
    // process serves (the others load it on the configuration version's next poll).
    state.gvl.reload(&state.db).await?;
    let fresh_for = fresh.max_age.unwrap_or_default().min(MAX_FRESH);
    state
        .db
        .record_gvl_attempt(&GvlAttempt {
            at: &at,
            succeeded: true,
            error: error.as_deref(),
            next_fetch_at: after(interval.max(fresh_for)),
        })
        .await
}

/// `vendor-list.json`, then the translations of `languages` at once. The list's failure is
/// the whole refresh's (as text for the status); a translation's is only noted.
async fn fetch(fetcher: &Fetcher, languages: &BTreeSet<String>) -> Result<Fresh, String> {
    let name = "vendor-list.json";
    let refused = |e: &dyn std::fmt::Display| {
        format!(
            "{name} ({}): {e}",
            fetcher.url(name).map_or_else(|_| name.to_owned(), |u| u.to_string())
        )
    };
    let Fetched { body, max_age } = fetcher.get(name).await.map_err(|e| refused(&format!("{e:#}")))?;
    let list = VendorList::parse(&body).map_err(|e| refused(&e))?;
    let mut files = vec![("en".to_owned(), body)];
    let mut errors = Vec::new();
    let mut running = tokio::task::JoinSet::new();
    for lang in languages {
        let (fetcher, lang) = (fetcher.clone(), lang.clone());
        running.spawn(async move {
            let name = format!("purposes-{lang}.json");
            let checked = match fetcher.get(&name).await {
                Ok(f) => Translation::parse(&f.body).map(|_| f.body).map_err(|e| e.to_string()),
                Err(e) => Err(format!("{e:#}")),
            };
            (lang, name, checked)
        });
    }
    while let Some(done) = running.join_next().await {
        match done {
            Ok((lang, _, Ok(body))) => files.push((lang, body)),
            Ok((_, name, Err(error))) => errors.push(format!("{name}: {error}")),
            Err(error) => errors.push(format!("a translation fetch failed: {error}")),
        }
    }
    errors.sort();
    Ok(Fresh {
        list,
        files,
        max_age,
        errors,
    })
}

/// The translation languages (IAB's codes, English excepted) of every live site whose
/// latest notice enables TCF.
async fn wanted_languages(state: &AppState) -> anyhow::Result<BTreeSet<String>> {
    let sites: Vec<_> = state
        .sites
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .values()
        .filter(|s| !s.archived)
        .map(|s| s.id.clone())
        .collect();
    let mut languages = BTreeSet::new();
    for site in sites {
        if let Some(notice) = state.notices.latest(state.ledger.as_ref(), &site).await?
            && notice.tcf.is_some()
        {
            languages.extend(notice.texts.keys().map(String::as_str).filter_map(translation_language));
        }
    }
    Ok(languages)
}
