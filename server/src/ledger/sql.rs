//! The SQL both backends share (sqlx `Any`; `$n` placeholders work on SQLite and PostgreSQL).

use super::snapshot::{SiteSnapshot, SqlSnapshot};
use super::{
    AppendResult, Backend, EventRow, Ledger, NewEvent, SiteRecord, SubjectStatus, append, chains, outbox, rollup,
};
use crate::clock;
use anyhow::{Context, bail};
use assent_shared::api::{ChainHead, Checkpoint, CurrentDecision, PublicCheckpoint};
use assent_shared::consent::{ConsentEvent, States, advance};
use assent_shared::ids::{PurposeKey, SiteId, SubjectId};
use assent_shared::notice::Notice;
use assent_shared::regime::Regime;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::BTreeMap;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct SqlLedger {
    pool: AnyPool,
    backend: Backend,
}

impl SqlLedger {
    pub fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    /// The same database, for the site owners' tables ([`crate::db::Db`]).
    pub fn db(&self) -> crate::db::Db {
        crate::db::Db::new(self.pool.clone(), self.backend)
    }
}

/// Tells every process that configuration changed (sites, origins, regimes, secrets,
/// notices): each polls this one row and reloads when it moves.
pub async fn bump_config_version(conn: &mut sqlx::AnyConnection) -> anyhow::Result<()> {
    sqlx::query("UPDATE config_version SET version = version + 1 WHERE id = 1")
        .execute(conn)
        .await
        .context("bumping the configuration version")?;
    Ok(())
}

/// Appends one site's events and, in the same transaction, the webhook messages announcing
/// them and the statistics counting them: all commit together or not at all.
async fn append_site(
    tx: &mut AnyConnection,
    backend: Backend,
    site: &str,
    events: &[&NewEvent],
    now: &str,
) -> anyhow::Result<Vec<AppendResult>> {
    let results = append::append_site_batch(tx, backend, site, events, now).await?;
    outbox::enqueue(tx, site, &results, clock::now_unix_ms()).await?;
    rollup::record(tx, site, &results).await?;
    Ok(results)
}

fn parse_notice(row: &AnyRow) -> anyhow::Result<Notice> {
    serde_json::from_str(row.try_get::<&str, _>("body")?).context("stored notice JSON")
}

/// Inserts a published notice version (immutable from here on) and tells every process.
pub async fn insert_notice(conn: &mut sqlx::AnyConnection, site: &SiteId, notice: &Notice) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO notices (site_id, version, body, published_at) VALUES ($1, $2, $3, $4)")
        .bind(site.as_str())
        .bind(i64::from(notice.version))
        .bind(serde_json::to_string(notice)?)
        .bind(clock::now_rfc3339())
        .execute(&mut *conn)
        .await
        .context("publishing notice")?;
    bump_config_version(conn).await
}

/// Errors worth retrying the whole batch for: another process won a race on a chain head
/// or an event id, or the database was momentarily busy.
pub fn is_retryable(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<sqlx::Error>())
        .any(|e| match e {
            sqlx::Error::Database(db) => {
                matches!(
                    db.code().as_deref(),
                    Some("23505" | "40001" | "40P01" | "5" | "6" | "517" | "1555" | "2067")
                )
            }
            _ => false,
        })
}

#[async_trait::async_trait]
impl Ledger for SqlLedger {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("database ping")?;
        Ok(())
    }

    async fn write_probe(&self) -> anyhow::Result<()> {
        super::outage::write_probe(&self.pool, self.backend).await
    }

    async fn sites(&self) -> anyhow::Result<Vec<SiteRecord>> {
        let rows = sqlx::query(
            "SELECT id, name, origins, regime_overrides, archived_at, starter_notice FROM sites ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SiteRecord {
                    id: SiteId::parse(r.try_get("id")?)?,
                    name: r.try_get("name")?,
                    origins: serde_json::from_str(r.try_get::<&str, _>("origins")?)?,
                    regime_overrides: serde_json::from_str(r.try_get::<&str, _>("regime_overrides")?)?,
                    archived: r.try_get::<Option<String>, _>("archived_at")?.is_some(),
                    starter_notice: r.try_get::<i64, _>("starter_notice")? != 0,
                })
            })
            .collect()
    }

    async fn put_site(&self, site: &SiteRecord) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sites (id, name, origins, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, origins = excluded.origins",
        )
        .bind(site.id.as_str())
        .bind(site.name.as_str())
        .bind(serde_json::to_string(&site.origins)?)
        .bind(clock::now_rfc3339())
        .execute(&mut *tx)
        .await
        .context("saving site")?;
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_regime_overrides(&self, site: &SiteId, overrides: &BTreeMap<String, Regime>) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE sites SET regime_overrides = $2 WHERE id = $1")
            .bind(site.as_str())
            .bind(serde_json::to_string(overrides)?)
            .execute(&mut *tx)
            .await
            .context("saving regime overrides")?;
        if done.rows_affected() == 0 {
            bail!("site {site} is not registered");
        }
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn publish_notice(&self, site: &SiteId, notice: &Notice) -> anyhow::Result<()> {
        if let Some(existing) = self.notice(site, notice.version).await? {
            if &existing == notice {
                return Ok(());
            }
            bail!(
                "notice version {} of site {site} is already published with other content",
                notice.version
            );
        }
        let mut tx = self.pool.begin().await?;
        insert_notice(&mut tx, site, notice).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn latest_notice(&self, site: &SiteId) -> anyhow::Result<Option<Notice>> {
        let row = sqlx::query("SELECT body FROM notices WHERE site_id = $1 ORDER BY version DESC LIMIT 1")
            .bind(site.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(parse_notice).transpose()
    }

    async fn notice(&self, site: &SiteId, version: u32) -> anyhow::Result<Option<Notice>> {
        read_notice(&mut *self.pool.acquire().await?, site, version).await
    }

    async fn append_batch(&self, batch: &[NewEvent]) -> anyhow::Result<Vec<AppendResult>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            // SQLite: take the write lock at BEGIN. A deferred transaction reads the chain heads
            // first and upgrades to a write later; if another connection (an `assent
            // checkpoint`, a second process) committed in between, the upgrade fails at once with
            // SQLITE_BUSY_SNAPSHOT instead of waiting `busy_timeout`, and a steady writer beside
            // it starves the retries below (seen as 503s to visitors).
            let mut tx = match self.backend {
                Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
                Backend::Postgres => self.pool.begin().await,
            }
            .context("starting append transaction")?;
            let now = clock::now_rfc3339();
            // Group by site, keeping each event's position for its outcome.
            let mut by_site: BTreeMap<&str, Vec<(usize, &NewEvent)>> = BTreeMap::new();
            for (i, new) in batch.iter().enumerate() {
                by_site.entry(new.draft.site_id.as_str()).or_default().push((i, new));
            }
            let mut outcomes: Vec<Option<AppendResult>> = vec![None; batch.len()];
            let mut failed = None;
            for (site, entries) in &by_site {
                let events: Vec<&NewEvent> = entries.iter().map(|(_, n)| *n).collect();
                match append_site(&mut tx, self.backend, site, &events, &now).await {
                    Ok(results) => {
                        for ((i, _), result) in entries.iter().zip(results) {
                            outcomes[*i] = Some(result);
                        }
                    }
                    Err(err) => {
                        failed = Some(err);
                        break;
                    }
                }
            }
            let result = match failed {
                None => tx
                    .commit()
                    .await
                    .map_err(anyhow::Error::from)
                    .context("committing batch"),
                Some(err) => {
                    // Dropping `tx` rolls back.
                    drop(tx);
                    Err(err)
                }
            };
            let outcomes: Vec<AppendResult> = outcomes.into_iter().flatten().collect();
            match result {
                Ok(()) => return Ok(outcomes),
                Err(err) if attempt < 8 && is_retryable(&err) => {
                    tracing::debug!(attempt, error = %err, "retrying append batch");
                    tokio::time::sleep(std::time::Duration::from_millis(2 * attempt)).await;
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn subject_status(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<SubjectStatus> {
        let row = sqlx::query("SELECT erased_at FROM subjects WHERE site_id = $1 AND subject_id = $2")
            .bind(site.as_str())
            .bind(subject.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            None => SubjectStatus::Unknown,
            Some(r) if r.try_get::<Option<String>, _>("erased_at")?.is_some() => SubjectStatus::Erased,
            Some(_) => SubjectStatus::Active,
        })
    }

    async fn current_state(
        &self,
        site: &SiteId,
        subject: &SubjectId,
    ) -> anyhow::Result<BTreeMap<PurposeKey, CurrentDecision>> {
        let rows = sqlx::query(
            "SELECT purpose, decision, state, event_id, updated_at FROM consent_state WHERE site_id = $1 AND subject_id = $2",
        )
        .bind(site.as_str())
        .bind(subject.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let state = append::stored_state(r.try_get("decision")?, r.try_get("state")?)?;
                Ok((
                    PurposeKey::parse(r.try_get("purpose")?)?,
                    CurrentDecision {
                        decision: state.decision(),
                        state,
                        event_id: r.try_get("event_id")?,
                        updated_at: r.try_get("updated_at")?,
                    },
                ))
            })
            .collect()
    }

    async fn rebuild_projection(&self, site: &SiteId) -> anyhow::Result<u64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM consent_state WHERE site_id = $1")
            .bind(site.as_str())
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "SELECT e.event FROM consent_events e JOIN subjects s ON s.site_id = e.site_id AND s.subject_id = e.subject_id \
             WHERE e.site_id = $1 AND s.erased_at IS NULL ORDER BY e.subject_id, e.seq",
        )
        .bind(site.as_str())
        .fetch_all(&mut *tx)
        .await?;
        // States are derived again, chain by chain, exactly as at append time.
        let mut touched = append::Touched::new();
        let mut states: HashMap<String, States> = HashMap::new();
        for row in &rows {
            let event: ConsentEvent = serde_json::from_str(row.try_get::<&str, _>("event")?)?;
            let subject = event.subject_id.to_string();
            let derived = advance(
                states.entry(subject.clone()).or_default(),
                event.method,
                &event.decisions,
            );
            for (purpose, state) in derived {
                touched.insert(
                    (subject.clone(), purpose),
                    (state, event.event_id.to_string(), event.recorded_at.clone()),
                );
            }
        }
        // Chunks keep each statement well under the databases' parameter limits.
        let entries: Vec<_> = touched.into_iter().collect();
        for chunk in entries.chunks(1000) {
            let part: append::Touched = chunk.iter().cloned().collect();
            append::upsert_current(&mut tx, site.as_str(), &part).await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    async fn unlink_inactive(&self, cutoff: &str) -> anyhow::Result<u64> {
        let mut tx = self.pool.begin().await?;
        let unlinked = sqlx::query(
            "UPDATE subjects SET erased_at = $2 WHERE erased_at IS NULL AND NOT EXISTS \
             (SELECT 1 FROM consent_events e WHERE e.site_id = subjects.site_id AND e.subject_id = subjects.subject_id \
              AND e.recorded_at >= $1)",
        )
        .bind(cutoff)
        .bind(clock::now_rfc3339())
        .execute(&mut *tx)
        .await
        .context("unlinking inactive subjects")?
        .rows_affected();
        sqlx::query(
            "DELETE FROM consent_state WHERE EXISTS (SELECT 1 FROM subjects s WHERE s.site_id = consent_state.site_id \
             AND s.subject_id = consent_state.subject_id AND s.erased_at IS NOT NULL)",
        )
        .execute(&mut *tx)
        .await
        .context("deleting unlinked projections")?;
        sqlx::query(
            "DELETE FROM identity_links WHERE EXISTS (SELECT 1 FROM subjects s WHERE s.site_id = identity_links.site_id \
             AND s.subject_id = identity_links.subject_id AND s.erased_at IS NOT NULL)",
        )
        .execute(&mut *tx)
        .await
        .context("deleting unlinked subjects' identity links")?;
        tx.commit().await?;
        Ok(unlinked)
    }

    async fn erase_subject(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE subjects SET erased_at = $3 WHERE site_id = $1 AND subject_id = $2 AND erased_at IS NULL")
            .bind(site.as_str())
            .bind(subject.as_str())
            .bind(clock::now_rfc3339())
            .execute(&mut *tx)
            .await?;
        for table in ["consent_state", "identity_links"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE site_id = $1 AND subject_id = $2"))
                .bind(site.as_str())
                .bind(subject.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await.context("committing erasure")?;
        Ok(())
    }

    async fn history(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<Vec<ConsentEvent>> {
        let rows = sqlx::query("SELECT event FROM consent_events WHERE site_id = $1 AND subject_id = $2 ORDER BY seq")
            .bind(site.as_str())
            .bind(subject.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| serde_json::from_str(r.try_get::<&str, _>("event")?).context("stored event JSON"))
            .collect()
    }

    async fn chain_subjects(&self, site: &SiteId, after: &str, n: u32) -> anyhow::Result<Vec<String>> {
        chains::subjects_page(&self.pool, site, after, n).await
    }

    async fn chains_from(&self, site: &SiteId, from: &[(String, u64)]) -> anyhow::Result<Vec<EventRow>> {
        chains::chains_from(&self.pool, self.backend, site, from).await
    }

    async fn chain_heads(&self, site: &SiteId, after: &str, n: u32) -> anyhow::Result<Vec<ChainHead>> {
        chains::current_heads_page(&self.pool, self.backend, site, after, n).await
    }

    async fn signed_heads(&self, site: &SiteId, number: u64, after: &str, n: u32) -> anyhow::Result<Vec<ChainHead>> {
        chains::signed_heads_page(&self.pool, site, number, after, n).await
    }

    async fn signed_heads_of(&self, site: &SiteId, number: u64, subjects: &[String]) -> anyhow::Result<Vec<ChainHead>> {
        chains::signed_heads_of(&self.pool, site, number, subjects).await
    }

    async fn recorded_heads_of(&self, site: &SiteId, subjects: &[String]) -> anyhow::Result<Vec<(u64, ChainHead)>> {
        chains::recorded_heads_of(&self.pool, site, subjects).await
    }

    async fn heads_without_chain(&self, site: &SiteId, n: u32) -> anyhow::Result<Vec<(u64, ChainHead)>> {
        chains::heads_without_chain(&self.pool, site, n).await
    }

    async fn empty_chains(&self, site: &SiteId, n: u32) -> anyhow::Result<Vec<String>> {
        chains::empty_chains(&self.pool, site, n).await
    }

    async fn append_checkpoint(&self, c: &Checkpoint) -> anyhow::Result<()> {
        chains::append_checkpoint(&self.pool, self.backend, c).await
    }

    async fn checkpoints(&self, site: &SiteId) -> anyhow::Result<Vec<PublicCheckpoint>> {
        chains::checkpoints_after(&mut *self.pool.acquire().await?, site, 0, i64::MAX).await
    }

    async fn latest_checkpoint(&self, site: &SiteId) -> anyhow::Result<Option<PublicCheckpoint>> {
        let mut conn = self.pool.acquire().await?;
        let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(number) FROM checkpoints WHERE site_id = $1")
            .bind(site.as_str())
            .fetch_one(&mut *conn)
            .await?;
        let Some(newest) = newest else {
            return Ok(None);
        };
        Ok(
            chains::checkpoints_after(&mut conn, site, u64::try_from(newest - 1)?, 1)
                .await?
                .pop(),
        )
    }

    async fn snapshot(&self, site: &SiteId) -> anyhow::Result<Box<dyn SiteSnapshot>> {
        Ok(Box::new(SqlSnapshot::open(&self.pool, self.backend, site).await?))
    }
}

/// A published notice version (shared by the ledger and the export snapshot).
pub(super) async fn read_notice(
    conn: &mut AnyConnection,
    site: &SiteId,
    version: u32,
) -> anyhow::Result<Option<Notice>> {
    let row = sqlx::query("SELECT body FROM notices WHERE site_id = $1 AND version = $2")
        .bind(site.as_str())
        .bind(i64::from(version))
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(parse_notice).transpose()
}
