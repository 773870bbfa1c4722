//! Appending a batch inside one transaction with a fixed number of statements per site, not
//! per event: one read each for the event ids already recorded, the subjects, the chain heads
//! and the current decisions; the chains are extended in memory; then one multi-row insert each
//! for new subjects, events and current-state rows. This is what makes group commit pay off.

use super::placeholders::{params, positional, rows};
use super::{AppendRefused, AppendResult, Appended, Backend, NewEvent, StoredEvent};
use anyhow::Context;
use assent_shared::canonical::event_hash;
use assent_shared::consent::{ConsentEvent, ConsentState, GENESIS_HASH, States, advance};
use assent_shared::ids::PurposeKey;
use assent_shared::wire_name;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};

struct Recorded {
    stored: StoredEvent,
    digest: String,
}

/// Appends the events of one site. The caller owns the transaction.
pub(super) async fn append_site_batch(
    conn: &mut AnyConnection,
    backend: Backend,
    site: &str,
    batch: &[&NewEvent],
    now: &str,
) -> anyhow::Result<Vec<AppendResult>> {
    let event_ids: Vec<&str> = batch
        .iter()
        .map(|n| n.draft.event_id.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let known: Vec<&str> = batch
        .iter()
        .filter(|n| !n.new_subject)
        .map(|n| n.draft.subject_id.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if backend == Backend::Postgres && !known.is_empty() {
        lock_chains(conn, site, &known).await?;
    }
    let mut seen = recorded_events(conn, site, &event_ids).await?;
    let subjects = subject_states(conn, site, &known).await?;
    let mut heads = chain_heads(conn, backend, site, &known).await?;
    let mut current = current_states(conn, site, &known).await?;

    let mut outcomes = Vec::with_capacity(batch.len());
    let mut new_subjects = Vec::new();
    let mut inserts: Vec<(ConsentEvent, String, String)> = Vec::new();
    let mut touched: Touched = BTreeMap::new();
    for new in batch {
        let draft = &new.draft;
        if let Some(prior) = seen.get(draft.event_id.as_str()) {
            outcomes.push(if prior.digest == new.request_digest {
                Ok(Appended::Replayed(prior.stored.clone()))
            } else {
                Err(AppendRefused::EventIdReused(draft.event_id.clone()))
            });
            continue;
        }
        let subject = draft.subject_id.as_str();
        let (seq, prev_hash) = if new.new_subject {
            new_subjects.push(subject.to_owned());
            (1, GENESIS_HASH.to_owned())
        } else {
            match (subjects.get(subject), heads.get(subject)) {
                (Some(true), _) => {
                    outcomes.push(Err(AppendRefused::ErasedSubject(draft.subject_id.clone())));
                    continue;
                }
                (Some(false), Some((seq, hash))) => (seq + 1, hash.clone()),
                _ => {
                    outcomes.push(Err(AppendRefused::UnknownSubject(draft.subject_id.clone())));
                    continue;
                }
            }
        };
        let mut event = draft.clone();
        event.seq = seq;
        event.prev_hash = prev_hash;
        event.recorded_at = now.to_owned();
        event.hash = event_hash(&event)?;
        let states = advance(
            current.entry(subject.to_owned()).or_default(),
            event.method,
            &event.decisions,
        );
        for (purpose, state) in &states {
            touched.insert(
                (subject.to_owned(), purpose.clone()),
                (*state, event.event_id.to_string(), now.to_owned()),
            );
        }
        heads.insert(subject.to_owned(), (seq, event.hash.clone()));
        let stored = StoredEvent {
            event: event.clone(),
            states: states.clone(),
        };
        inserts.push((event, new.request_digest.clone(), serde_json::to_string(&states)?));
        seen.insert(
            draft.event_id.to_string(),
            Recorded {
                stored: stored.clone(),
                digest: new.request_digest.clone(),
            },
        );
        outcomes.push(Ok(Appended::Recorded(stored)));
    }

    insert_subjects(conn, site, &new_subjects, now).await?;
    insert_events(conn, &inserts).await?;
    upsert_current(conn, site, &touched).await?;
    Ok(outcomes)
}

/// Serialises appends to these chains across processes, in a fixed order (no deadlocks);
/// released at commit or rollback.
async fn lock_chains(conn: &mut AnyConnection, site: &str, subjects: &[&str]) -> anyhow::Result<()> {
    let sql = positional(
        conn,
        format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || k, 0)) \
         FROM (VALUES {}) AS v(k)) AS l",
            rows(2, subjects.len(), 1)
        ),
    );
    let mut q = sqlx::query(&sql).bind(site);
    for s in subjects {
        q = q.bind(*s);
    }
    q.fetch_one(&mut *conn).await.context("locking chains")?;
    Ok(())
}

async fn recorded_events(
    conn: &mut AnyConnection,
    site: &str,
    ids: &[&str],
) -> anyhow::Result<HashMap<String, Recorded>> {
    let sql = positional(
        conn,
        format!(
            "SELECT event_id, event, states, request_digest FROM consent_events WHERE site_id = $1 AND event_id IN ({})",
            params(2, ids.len())
        ),
    );
    let mut q = sqlx::query(&sql).bind(site);
    for id in ids {
        q = q.bind(*id);
    }
    let found = q.fetch_all(&mut *conn).await.context("looking up event ids")?;
    found
        .iter()
        .map(|r| {
            let stored = StoredEvent {
                event: serde_json::from_str(r.try_get::<&str, _>("event")?).context("stored event JSON")?,
                states: serde_json::from_str(r.try_get::<&str, _>("states")?).context("stored states JSON")?,
            };
            Ok((
                r.try_get("event_id")?,
                Recorded {
                    stored,
                    digest: r.try_get("request_digest")?,
                },
            ))
        })
        .collect()
}

/// Known subjects → whether they were erased.
async fn subject_states(
    conn: &mut AnyConnection,
    site: &str,
    subjects: &[&str],
) -> anyhow::Result<HashMap<String, bool>> {
    if subjects.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = positional(
        conn,
        format!(
            "SELECT subject_id, erased_at FROM subjects WHERE site_id = $1 AND subject_id IN ({})",
            params(2, subjects.len())
        ),
    );
    let mut q = sqlx::query(&sql).bind(site);
    for s in subjects {
        q = q.bind(*s);
    }
    let found = q.fetch_all(&mut *conn).await.context("reading subjects")?;
    found
        .iter()
        .map(|r| {
            Ok((
                r.try_get("subject_id")?,
                r.try_get::<Option<String>, _>("erased_at")?.is_some(),
            ))
        })
        .collect()
}

/// Joins each subject `s` to its chain head `e` (columns `seq`, `hash`): one descending
/// primary-key seek per subject. A `MAX(seq) … GROUP BY` join lets SQLite's planner scan every
/// event of the site instead, which made each append cost more as the ledger grew. PostgreSQL
/// gets the seek as a `LATERAL` subquery: given the correlated `e.seq = (SELECT …)` condition,
/// its planner hashed the whole events table for every page of heads (9–15 s for a page of
/// 5,000 at 1M events; 0.15–0.17 s as `LATERAL`, `EXPLAIN ANALYZE` in BENCHMARKS.md).
pub(super) fn head_join(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "JOIN consent_events e ON e.site_id = s.site_id AND e.subject_id = s.subject_id \
             AND e.seq = (SELECT m.seq FROM consent_events m WHERE m.site_id = s.site_id \
                          AND m.subject_id = s.subject_id ORDER BY m.seq DESC LIMIT 1)"
        }
        Backend::Postgres => {
            "CROSS JOIN LATERAL (SELECT m.seq, m.hash FROM consent_events m WHERE m.site_id = s.site_id \
             AND m.subject_id = s.subject_id ORDER BY m.seq DESC LIMIT 1) e"
        }
    }
}

async fn chain_heads(
    conn: &mut AnyConnection,
    backend: Backend,
    site: &str,
    subjects: &[&str],
) -> anyhow::Result<HashMap<String, (u64, String)>> {
    if subjects.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = positional(
        conn,
        format!(
            "SELECT s.subject_id, e.seq, e.hash FROM subjects s {} WHERE s.site_id = $1 AND s.subject_id IN ({})",
            head_join(backend),
            params(2, subjects.len())
        ),
    );
    let mut q = sqlx::query(&sql).bind(site);
    for s in subjects {
        q = q.bind(*s);
    }
    let found = q.fetch_all(&mut *conn).await.context("reading chain heads")?;
    found
        .iter()
        .map(|r| {
            Ok((
                r.try_get("subject_id")?,
                (u64::try_from(r.try_get::<i64, _>("seq")?)?, r.try_get("hash")?),
            ))
        })
        .collect()
}

async fn current_states(
    conn: &mut AnyConnection,
    site: &str,
    subjects: &[&str],
) -> anyhow::Result<HashMap<String, States>> {
    let mut out: HashMap<String, States> = HashMap::new();
    if subjects.is_empty() {
        return Ok(out);
    }
    let sql = positional(
        conn,
        format!(
            "SELECT subject_id, purpose, decision, state FROM consent_state WHERE site_id = $1 AND subject_id IN ({})",
            params(2, subjects.len())
        ),
    );
    let mut q = sqlx::query(&sql).bind(site);
    for s in subjects {
        q = q.bind(*s);
    }
    for r in q.fetch_all(&mut *conn).await.context("reading current state")? {
        let state = stored_state(r.try_get("decision")?, r.try_get("state")?)?;
        out.entry(r.try_get("subject_id")?)
            .or_default()
            .insert(PurposeKey::parse(r.try_get("purpose")?)?, state);
    }
    Ok(out)
}

/// A projection row's state; rows from before the `state` column derive it from the decision.
pub(super) fn stored_state(decision: &str, state: Option<String>) -> anyhow::Result<ConsentState> {
    if let Some(state) = state {
        return serde_json::from_value(serde_json::Value::String(state)).context("unknown state in consent_state");
    }
    match decision {
        "granted" => Ok(ConsentState::Given),
        "denied" => Ok(ConsentState::Refused),
        other => anyhow::bail!("unknown decision {other:?} in consent_state"),
    }
}

async fn insert_subjects(conn: &mut AnyConnection, site: &str, subjects: &[String], now: &str) -> anyhow::Result<()> {
    if subjects.is_empty() {
        return Ok(());
    }
    let sql = positional(
        conn,
        format!(
            "INSERT INTO subjects (site_id, subject_id, created_at) VALUES {}",
            rows(1, subjects.len(), 3)
        ),
    );
    let mut q = sqlx::query(&sql);
    for s in subjects {
        q = q.bind(site).bind(s.as_str()).bind(now);
    }
    q.execute(&mut *conn).await.context("creating subjects")?;
    Ok(())
}

async fn insert_events(conn: &mut AnyConnection, events: &[(ConsentEvent, String, String)]) -> anyhow::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let sql = positional(
        conn,
        format!(
            "INSERT INTO consent_events (site_id, subject_id, seq, event_id, recorded_at, method, event, prev_hash, hash, \
         request_digest, states) VALUES {}",
            rows(1, events.len(), 11)
        ),
    );
    let mut q = sqlx::query(&sql);
    for (e, digest, states) in events {
        let method = wire_name(&e.method);
        q = q
            .bind(e.site_id.to_string())
            .bind(e.subject_id.to_string())
            .bind(i64::try_from(e.seq)?)
            .bind(e.event_id.to_string())
            .bind(e.recorded_at.clone())
            .bind(method)
            .bind(serde_json::to_string(e)?)
            .bind(e.prev_hash.clone())
            .bind(e.hash.clone())
            .bind(digest.clone())
            .bind(states.clone());
    }
    q.execute(&mut *conn).await.context("inserting events")?;
    Ok(())
}

/// Current-state rows to write: (subject, purpose) → (state, event id, updated at).
pub(super) type Touched = BTreeMap<(String, PurposeKey), (ConsentState, String, String)>;

/// One row per (subject, purpose): a multi-row upsert may not touch the same row twice.
pub(super) async fn upsert_current(conn: &mut AnyConnection, site: &str, touched: &Touched) -> anyhow::Result<()> {
    if touched.is_empty() {
        return Ok(());
    }
    let sql = positional(
        conn,
        format!(
            "INSERT INTO consent_state (site_id, subject_id, purpose, decision, state, event_id, updated_at) VALUES {} \
         ON CONFLICT (site_id, subject_id, purpose) DO UPDATE SET decision = excluded.decision, \
         state = excluded.state, event_id = excluded.event_id, updated_at = excluded.updated_at",
            rows(1, touched.len(), 7)
        ),
    );
    let mut q = sqlx::query(&sql);
    for ((subject, purpose), (state, event_id, updated_at)) in touched {
        let state_str = wire_name(state);
        q = q
            .bind(site)
            .bind(subject.as_str())
            .bind(purpose.as_str())
            .bind(wire_name(&state.decision()))
            .bind(state_str)
            .bind(event_id.as_str())
            .bind(updated_at.as_str());
    }
    q.execute(&mut *conn).await.context("updating current state")?;
    Ok(())
}
