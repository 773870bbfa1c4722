//! The SQL both backends share (sqlx `Any`; `$n` placeholders work on SQLite and PostgreSQL).

use super::{AppendRefused, AppendResult, Appended, Backend, Ledger, NewEvent, SiteRecord, StoredEvent, postgres};
use crate::clock;
use anyhow::{Context, bail};
use assent_shared::canonical::event_hash;
use assent_shared::consent::{ConsentEvent, Decision, Decisions, GENESIS_HASH, derive_states};
use assent_shared::ids::{PurposeKey, SiteId, SubjectId};
use assent_shared::notice::Notice;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

#[derive(Debug, Clone)]
pub struct SqlLedger {
    pool: AnyPool,
    backend: Backend,
}

impl SqlLedger {
    pub fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    async fn append_one(&self, conn: &mut AnyConnection, new: &NewEvent, now: &str) -> anyhow::Result<AppendResult> {
        let draft = &new.draft;
        let site = draft.site_id.as_str();
        if let Some(existing) = find_by_event_id(conn, site, draft.event_id.as_str()).await? {
            let (stored, digest) = existing;
            return Ok(if digest == new.request_digest {
                Ok(Appended::Replayed(stored))
            } else {
                Err(AppendRefused::EventIdReused(draft.event_id.clone()))
            });
        }
        let subject = draft.subject_id.as_str();
        let (seq, prev_hash) = if new.new_subject {
            sqlx::query("INSERT INTO subjects (site_id, subject_id, created_at) VALUES ($1, $2, $3)")
                .bind(site)
                .bind(subject)
                .bind(now)
                .execute(&mut *conn)
                .await
                .context("creating subject")?;
            (1, GENESIS_HASH.to_owned())
        } else {
            if self.backend == Backend::Postgres {
                sqlx::query(postgres::LOCK_CHAIN_SQL)
                    .bind(site)
                    .bind(subject)
                    .fetch_one(&mut *conn)
                    .await
                    .context("locking chain")?;
            }
            match chain_head(conn, site, subject).await? {
                Some((seq, hash)) => (seq + 1, hash),
                None => return Ok(Err(AppendRefused::UnknownSubject(draft.subject_id.clone()))),
            }
        };
        let previous = current_decisions(conn, site, subject).await?;
        let mut event = draft.clone();
        event.seq = seq;
        event.prev_hash = prev_hash;
        event.recorded_at = now.to_owned();
        event.hash = event_hash(&event)?;
        let states = derive_states(&previous, event.method, &event.decisions);
        insert_event(conn, &event, &new.request_digest, &serde_json::to_string(&states)?).await?;
        for (purpose, decision) in &event.decisions {
            upsert_state(conn, &event, purpose, *decision).await?;
        }
        Ok(Ok(Appended::Recorded(StoredEvent { event, states })))
    }
}

async fn find_by_event_id(
    conn: &mut AnyConnection,
    site: &str,
    event_id: &str,
) -> anyhow::Result<Option<(StoredEvent, String)>> {
    let row =
        sqlx::query("SELECT event, states, request_digest FROM consent_events WHERE site_id = $1 AND event_id = $2")
            .bind(site)
            .bind(event_id)
            .fetch_optional(&mut *conn)
            .await
            .context("looking up event id")?;
    row.map(|row| {
        let stored = StoredEvent {
            event: serde_json::from_str(row.try_get::<&str, _>("event")?).context("stored event JSON")?,
            states: serde_json::from_str(row.try_get::<&str, _>("states")?).context("stored states JSON")?,
        };
        Ok((stored, row.try_get::<String, _>("request_digest")?))
    })
    .transpose()
}

async fn chain_head(conn: &mut AnyConnection, site: &str, subject: &str) -> anyhow::Result<Option<(u64, String)>> {
    let row = sqlx::query(
        "SELECT seq, hash FROM consent_events WHERE site_id = $1 AND subject_id = $2 ORDER BY seq DESC LIMIT 1",
    )
    .bind(site)
    .bind(subject)
    .fetch_optional(&mut *conn)
    .await
    .context("reading chain head")?;
    row.map(|r| Ok((u64::try_from(r.try_get::<i64, _>("seq")?)?, r.try_get("hash")?)))
        .transpose()
}

async fn current_decisions(conn: &mut AnyConnection, site: &str, subject: &str) -> anyhow::Result<Decisions> {
    let rows = sqlx::query("SELECT purpose, decision FROM consent_state WHERE site_id = $1 AND subject_id = $2")
        .bind(site)
        .bind(subject)
        .fetch_all(&mut *conn)
        .await
        .context("reading current state")?;
    rows.iter()
        .map(|r| {
            let purpose = PurposeKey::parse(r.try_get("purpose")?)?;
            let decision = match r.try_get::<&str, _>("decision")? {
                "granted" => Decision::Granted,
                "denied" => Decision::Denied,
                other => bail!("unknown decision {other:?} in consent_state"),
            };
            Ok((purpose, decision))
        })
        .collect()
}

async fn insert_event(
    conn: &mut AnyConnection,
    event: &ConsentEvent,
    digest: &str,
    states: &str,
) -> anyhow::Result<()> {
    let method = serde_json::to_value(event.method)?;
    sqlx::query(
        "INSERT INTO consent_events (site_id, subject_id, seq, event_id, recorded_at, method, event, prev_hash, hash, request_digest, states) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(event.site_id.as_str())
    .bind(event.subject_id.as_str())
    .bind(i64::try_from(event.seq)?)
    .bind(event.event_id.as_str())
    .bind(event.recorded_at.as_str())
    .bind(method.as_str().unwrap_or_default())
    .bind(serde_json::to_string(event)?)
    .bind(event.prev_hash.as_str())
    .bind(event.hash.as_str())
    .bind(digest)
    .bind(states)
    .execute(&mut *conn)
    .await
    .context("inserting event")?;
    Ok(())
}

async fn upsert_state(
    conn: &mut AnyConnection,
    event: &ConsentEvent,
    purpose: &PurposeKey,
    decision: Decision,
) -> anyhow::Result<()> {
    let decision = match decision {
        Decision::Granted => "granted",
        Decision::Denied => "denied",
    };
    sqlx::query(
        "INSERT INTO consent_state (site_id, subject_id, purpose, decision, event_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (site_id, subject_id, purpose) DO UPDATE SET decision = excluded.decision, event_id = excluded.event_id, updated_at = excluded.updated_at",
    )
    .bind(event.site_id.as_str())
    .bind(event.subject_id.as_str())
    .bind(purpose.as_str())
    .bind(decision)
    .bind(event.event_id.as_str())
    .bind(event.recorded_at.as_str())
    .execute(&mut *conn)
    .await
    .context("updating current state")?;
    Ok(())
}

fn parse_notice(row: &AnyRow) -> anyhow::Result<Notice> {
    serde_json::from_str(row.try_get::<&str, _>("body")?).context("stored notice JSON")
}

/// Errors worth retrying the whole batch for: another process won a race on a chain head
/// or an event id, or the database was momentarily busy.
fn is_retryable(err: &anyhow::Error) -> bool {
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

    async fn sites(&self) -> anyhow::Result<Vec<SiteRecord>> {
        let rows = sqlx::query("SELECT id, name, origins FROM sites ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(SiteRecord {
                    id: SiteId::parse(r.try_get("id")?)?,
                    name: r.try_get("name")?,
                    origins: serde_json::from_str(r.try_get::<&str, _>("origins")?)?,
                })
            })
            .collect()
    }

    async fn put_site(&self, site: &SiteRecord) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO sites (id, name, origins, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, origins = excluded.origins",
        )
        .bind(site.id.as_str())
        .bind(site.name.as_str())
        .bind(serde_json::to_string(&site.origins)?)
        .bind(clock::now_rfc3339())
        .execute(&self.pool)
        .await
        .context("saving site")?;
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
        sqlx::query("INSERT INTO notices (site_id, version, body, published_at) VALUES ($1, $2, $3, $4)")
            .bind(site.as_str())
            .bind(i64::from(notice.version))
            .bind(serde_json::to_string(notice)?)
            .bind(clock::now_rfc3339())
            .execute(&self.pool)
            .await
            .context("publishing notice")?;
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
        let row = sqlx::query("SELECT body FROM notices WHERE site_id = $1 AND version = $2")
            .bind(site.as_str())
            .bind(i64::from(version))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(parse_notice).transpose()
    }

    async fn append_batch(&self, batch: &[NewEvent]) -> anyhow::Result<Vec<AppendResult>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut tx = self.pool.begin().await.context("starting append transaction")?;
            let now = clock::now_rfc3339();
            let mut outcomes = Vec::with_capacity(batch.len());
            let mut failed = None;
            for new in batch {
                match self.append_one(&mut tx, new, &now).await {
                    Ok(outcome) => outcomes.push(outcome),
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

    async fn subject_exists(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<bool> {
        let row = sqlx::query("SELECT subject_id FROM subjects WHERE site_id = $1 AND subject_id = $2")
            .bind(site.as_str())
            .bind(subject.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
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
}
