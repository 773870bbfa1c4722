//! Daily statistics roll-ups (`stats_daily`), maintained inside the append transaction so
//! the counts commit with the events or not at all, and rebuildable from the events (the
//! ledger is the truth; the roll-ups are a projection). The layout is described in the
//! migration `0009_statistics.sql` and the dimension names in
//! [`assent_shared::stats::dimension`].

use super::placeholders::{positional, rows};
use super::{AppendResult, Appended, Backend};
use crate::db::Db;
use anyhow::Context;
use assent_shared::consent::{ConsentEvent, Method};
use assent_shared::stats::dimension;
use assent_shared::wire_name;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// (purpose or `""`, day, regime, dimension, key).
pub type RollupKey = (String, String, String, &'static str, String);

/// Rows per upsert: 7 parameters each stays far below SQLite's and PostgreSQL's limits.
const ROWS_PER_UPSERT: usize = 1000;

/// The counters one event moves. Every event counts under purpose `""`; it also counts under
/// each purpose it carried a decision on, with that decision.
pub fn add_event(deltas: &mut BTreeMap<RollupKey, i64>, event: &ConsentEvent) {
    let day = event.recorded_at.get(..10).unwrap_or(&event.recorded_at).to_owned();
    let regime = wire_name(&event.regime);
    let method = wire_name(&event.method);
    let version = event.notice_version.to_string();
    let gpc = event.gpc.to_string();
    let purposes = std::iter::once((String::new(), None))
        .chain(event.decisions.iter().map(|(p, d)| (p.to_string(), Some(wire_name(d)))));
    for (purpose, decision) in purposes {
        let mut bump = |dim: &'static str, key: &str| {
            *deltas
                .entry((purpose.clone(), day.clone(), regime.clone(), dim, key.to_owned()))
                .or_default() += 1;
        };
        bump(dimension::EVENTS, "");
        bump(dimension::METHOD, &method);
        bump(dimension::JURISDICTION, &event.jurisdiction);
        bump(dimension::LANGUAGE, &event.language);
        bump(dimension::NOTICE_VERSION, &version);
        bump(dimension::GPC, &gpc);
        match decision {
            Some(decision) => bump(dimension::DECISION, &decision),
            None if event.seq == 1 && is_banner_choice(event.method) => bump(dimension::FIRST_DECISION, ""),
            None => {}
        }
    }
}

/// A choice a visitor made in the banner's first layer or preferences, as opposed to a signal,
/// an expiry, an API call or a sync (a device adopting its account's choice, no banner
/// shown): what the funnel counts as "decided".
fn is_banner_choice(method: Method) -> bool {
    match method {
        Method::AcceptAll | Method::RejectAll | Method::Save | Method::Close => true,
        Method::Withdraw | Method::Object | Method::Gpc | Method::Expire | Method::Api | Method::Sync => false,
    }
}

/// Adds the counts of the events `results` recorded (not replays, not refusals). The caller
/// owns the transaction.
pub(super) async fn record(conn: &mut AnyConnection, site: &str, results: &[AppendResult]) -> anyhow::Result<()> {
    let mut deltas = BTreeMap::new();
    for result in results {
        if let Ok(Appended::Recorded(stored)) = result {
            add_event(&mut deltas, &stored.event);
        }
    }
    upsert(conn, site, &deltas).await
}

/// Adds `deltas` to the site's counters. Keys go in sorted order, so two processes
/// upserting the same rows lock them in the same order (no deadlock on PostgreSQL).
pub async fn upsert(conn: &mut AnyConnection, site: &str, deltas: &BTreeMap<RollupKey, i64>) -> anyhow::Result<()> {
    let counters: Vec<_> = deltas.iter().collect();
    for chunk in counters.chunks(ROWS_PER_UPSERT) {
        let values = rows(1, chunk.len(), 7);
        let sql = positional(
            conn,
            format!(
                "INSERT INTO stats_daily (site_id, purpose, day, regime, dimension, key, count) VALUES {values} \
                 ON CONFLICT (site_id, purpose, day, regime, dimension, key) \
                 DO UPDATE SET count = stats_daily.count + excluded.count"
            ),
        );
        let mut q = sqlx::query(&sql);
        for ((purpose, day, regime, dim, key), n) in chunk {
            q = q
                .bind(site)
                .bind(purpose.as_str())
                .bind(day.as_str())
                .bind(regime.as_str())
                .bind(*dim)
                .bind(key.as_str())
                .bind(**n);
        }
        q.execute(&mut *conn).await.context("updating statistics roll-ups")?;
    }
    Ok(())
}

/// Recomputes a site's roll-ups from its events (after an upgrade from a version without
/// them, or to check them): deletes the site's rows and counts every event again, reading
/// the events in keyset pages. The caller owns the transaction. Returns the events counted.
///
/// Safe while other processes append: on PostgreSQL the roll-up table is locked first, so an
/// append that commits during the rebuild waits at its roll-up upsert and adds its own counts
/// after the rebuild commits (its events were not visible to the rebuild's reads); on SQLite
/// the first statement takes the database's one write lock.
pub async fn rebuild(conn: &mut AnyConnection, backend: Backend, site: &str) -> anyhow::Result<u64> {
    const PAGE: i64 = 5000;
    if backend == Backend::Postgres {
        sqlx::query("LOCK TABLE stats_daily IN EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await
            .context("locking the roll-ups")?;
    }
    sqlx::query("DELETE FROM stats_daily WHERE site_id = $1")
        .bind(site)
        .execute(&mut *conn)
        .await
        .context("clearing statistics roll-ups")?;
    let mut deltas = BTreeMap::new();
    let mut after = (String::new(), 0i64);
    let mut counted = 0u64;
    loop {
        let page = sqlx::query(
            "SELECT subject_id, seq, event FROM consent_events WHERE site_id = $1 \
             AND (subject_id > $2 OR (subject_id = $2 AND seq > $3)) ORDER BY subject_id, seq LIMIT $4",
        )
        .bind(site)
        .bind(after.0.as_str())
        .bind(after.1)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await
        .context("reading events for the roll-ups")?;
        for row in &page {
            let event: ConsentEvent =
                serde_json::from_str(row.try_get::<&str, _>("event")?).context("stored event JSON")?;
            add_event(&mut deltas, &event);
            counted += 1;
        }
        match page.last() {
            Some(last) => after = (last.try_get("subject_id")?, last.try_get("seq")?),
            None => break,
        }
        if i64::try_from(page.len())? < PAGE {
            break;
        }
    }
    upsert(conn, site, &deltas).await?;
    Ok(counted)
}

/// Counts the events of every site that has events but no roll-ups — a ledger written before
/// statistics existed — once, at startup. Returns the sites counted.
pub async fn backfill(db: &Db) -> anyhow::Result<Vec<(String, u64)>> {
    let missing: Vec<String> = sqlx::query_scalar(
        "SELECT s.id FROM sites s WHERE EXISTS (SELECT 1 FROM consent_events e WHERE e.site_id = s.id) \
         AND NOT EXISTS (SELECT 1 FROM stats_daily r WHERE r.site_id = s.id) ORDER BY s.id",
    )
    .fetch_all(&db.pool)
    .await
    .context("finding sites without statistics")?;
    let mut counted = Vec::new();
    for site in missing {
        let n = in_transaction!(db, |tx| rebuild(tx, db.backend, &site).await)?;
        tracing::info!(
            site,
            events = n,
            "statistics: counted the events recorded before roll-ups existed"
        );
        counted.push((site, n));
    }
    Ok(counted)
}
