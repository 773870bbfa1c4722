//! The reads that walk a site's chains in pages, and the checkpoint heads table: what
//! verification and checkpoints need without holding a whole ledger, or one query per chain.
//!
//! Pages follow the primary keys `(site_id, subject_id, seq)` of `consent_events` and
//! `checkpoint_heads`, so each page is an index range.

use super::placeholders::{params, rows};
use super::snapshot::event_row;
use super::{Backend, EventRow};
use anyhow::Context;
use assent_shared::api::{ChainHead, Checkpoint, PublicCheckpoint};
use assent_shared::ids::SiteId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

/// The head checkpoint `$n` signs for subject `h`: its recorded head with the highest seq
/// among those recorded by checkpoints numbered up to `$n` (see migration 0013).
///
/// `number + 0` keeps SQLite's planner off the `(site_id, number)` index, which it otherwise
/// takes for the subquery: a scan of every recorded head per head (38 s for a page of 1,000
/// at 250,000 heads, measured; 2 ms with the primary key).
fn signed(n: usize) -> String {
    format!(
        "h.number + 0 <= ${n} AND h.seq = (SELECT m.seq FROM checkpoint_heads m WHERE m.site_id = h.site_id \
         AND m.subject_id = h.subject_id AND m.number + 0 <= ${n} ORDER BY m.seq DESC LIMIT 1)"
    )
}

fn head(r: &AnyRow) -> anyhow::Result<ChainHead> {
    Ok(ChainHead {
        subject_id: r.try_get("subject_id")?,
        seq: u64::try_from(r.try_get::<i64, _>("seq")?)?,
        hash: r.try_get("hash")?,
    })
}

fn numbered_head(r: &AnyRow) -> anyhow::Result<(u64, ChainHead)> {
    Ok((u64::try_from(r.try_get::<i64, _>("number")?)?, head(r)?))
}

fn limit(n: u32) -> i64 {
    i64::from(n)
}

/// Up to `n` subject ids that have events, after `after` in subject order (`""`: from the
/// first).
pub async fn subjects_page(pool: &AnyPool, site: &SiteId, after: &str, n: u32) -> anyhow::Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT DISTINCT subject_id FROM consent_events WHERE site_id = $1 AND subject_id > $2 \
         ORDER BY subject_id LIMIT $3",
    )
    .bind(site.as_str())
    .bind(after)
    .bind(limit(n))
    .fetch_all(pool)
    .await
    .context("reading a page of chains")?;
    rows.iter().map(|r| Ok(r.try_get("subject_id")?)).collect()
}

/// The rows of each chain in `from` (subject id, first seq wanted), in chain order and
/// unparsed — one query for the whole page: one index range per chain.
pub async fn chains_from(
    pool: &AnyPool,
    backend: Backend,
    site: &SiteId,
    from: &[(String, u64)],
) -> anyhow::Result<Vec<EventRow>> {
    if from.is_empty() {
        return Ok(vec![]);
    }
    // Each listed chain must stay the outer side, one index range per chain. Left to choose,
    // SQLite's planner scanned the site's whole index (21 s for a page of 500 chains at 1M
    // events, measured), and PostgreSQL, before statistics caught up with a fast-growing
    // table, hashed the whole site (1 s). `CROSS JOIN` fixes SQLite's order; PostgreSQL's
    // `LATERAL` does the same (SQLite has no `LATERAL`, PostgreSQL no `CROSS JOIN … ON`).
    let chains = match backend {
        Backend::Sqlite => {
            "c CROSS JOIN consent_events e ON e.site_id = $1 AND e.subject_id = c.subject_id \
                            AND e.seq >= c.seq"
        }
        Backend::Postgres => {
            "c CROSS JOIN LATERAL (SELECT * FROM consent_events x WHERE x.site_id = $1 \
                              AND x.subject_id = c.subject_id AND x.seq >= c.seq) e"
        }
    };
    let sql = format!(
        "WITH c (subject_id, seq) AS (VALUES {}) \
         SELECT e.seq, e.event_id, e.subject_id, e.prev_hash, e.hash, e.event FROM {chains} \
         ORDER BY e.subject_id, e.seq",
        rows(2, from.len(), 2)
    );
    let mut q = sqlx::query(&sql).bind(site.as_str());
    for (subject, seq) in from {
        q = q.bind(subject.as_str()).bind(i64::try_from(*seq)?);
    }
    let found = q.fetch_all(pool).await.context("reading a page of chains")?;
    found.iter().map(event_row).collect()
}

/// Up to `n` current chain heads (the last event of each chain) after `after`, in subject
/// order.
pub async fn current_heads_page(
    pool: &AnyPool,
    backend: Backend,
    site: &SiteId,
    after: &str,
    n: u32,
) -> anyhow::Result<Vec<ChainHead>> {
    let sql = format!(
        "SELECT s.subject_id, e.seq, e.hash FROM subjects s {} WHERE s.site_id = $1 AND s.subject_id > $2 \
         ORDER BY s.subject_id LIMIT $3",
        super::append::head_join(backend)
    );
    let rows = sqlx::query(&sql)
        .bind(site.as_str())
        .bind(after)
        .bind(limit(n))
        .fetch_all(pool)
        .await
        .context("reading chain heads")?;
    rows.iter().map(head).collect()
}

/// Up to `n` of the heads checkpoint `number` signs, after `after` in subject order.
pub async fn signed_heads_page(
    pool: &AnyPool,
    site: &SiteId,
    number: u64,
    after: &str,
    n: u32,
) -> anyhow::Result<Vec<ChainHead>> {
    let sql = format!(
        "SELECT h.subject_id, h.seq, h.hash FROM checkpoint_heads h \
         WHERE h.site_id = $1 AND h.subject_id > $2 AND {} ORDER BY h.subject_id LIMIT $4",
        signed(3)
    );
    let rows = sqlx::query(&sql)
        .bind(site.as_str())
        .bind(after)
        .bind(i64::try_from(number)?)
        .bind(limit(n))
        .fetch_all(pool)
        .await
        .context("reading checkpoint heads")?;
    rows.iter().map(head).collect()
}

/// The heads checkpoint `number` signs for these subjects (none for a subject it did not see).
pub async fn signed_heads_of(
    pool: &AnyPool,
    site: &SiteId,
    number: u64,
    subjects: &[String],
) -> anyhow::Result<Vec<ChainHead>> {
    if subjects.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT h.subject_id, h.seq, h.hash FROM checkpoint_heads h \
         WHERE h.site_id = $1 AND h.subject_id IN ({}) AND {}",
        params(3, subjects.len()),
        signed(2)
    );
    let mut q = sqlx::query(&sql).bind(site.as_str()).bind(i64::try_from(number)?);
    for s in subjects {
        q = q.bind(s.as_str());
    }
    let rows = q.fetch_all(pool).await.context("reading checkpoint heads")?;
    rows.iter().map(head).collect()
}

/// Every head any checkpoint recorded for these subjects, with the recording checkpoint's
/// number.
pub async fn recorded_heads_of(
    pool: &AnyPool,
    site: &SiteId,
    subjects: &[String],
) -> anyhow::Result<Vec<(u64, ChainHead)>> {
    if subjects.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT number, subject_id, seq, hash FROM checkpoint_heads WHERE site_id = $1 AND subject_id IN ({}) \
         ORDER BY subject_id, seq",
        params(2, subjects.len())
    );
    let mut q = sqlx::query(&sql).bind(site.as_str());
    for s in subjects {
        q = q.bind(s.as_str());
    }
    let rows = q.fetch_all(pool).await.context("reading checkpoint heads")?;
    rows.iter().map(numbered_head).collect()
}

/// Up to `n` recorded heads whose chain has no event left at all, in subject order.
pub async fn heads_without_chain(pool: &AnyPool, site: &SiteId, n: u32) -> anyhow::Result<Vec<(u64, ChainHead)>> {
    let rows = sqlx::query(
        "SELECT h.number, h.subject_id, h.seq, h.hash FROM checkpoint_heads h WHERE h.site_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM consent_events e WHERE e.site_id = h.site_id AND e.subject_id = h.subject_id) \
         ORDER BY h.subject_id, h.seq LIMIT $2",
    )
    .bind(site.as_str())
    .bind(limit(n))
    .fetch_all(pool)
    .await
    .context("reading checkpoint heads")?;
    rows.iter().map(numbered_head).collect()
}

/// Up to `n` subjects that exist without any event (their chain was deleted), in order.
pub async fn empty_chains(pool: &AnyPool, site: &SiteId, n: u32) -> anyhow::Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT s.subject_id FROM subjects s WHERE s.site_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM consent_events e WHERE e.site_id = s.site_id AND e.subject_id = s.subject_id) \
         ORDER BY s.subject_id LIMIT $2",
    )
    .bind(site.as_str())
    .bind(limit(n))
    .fetch_all(pool)
    .await
    .context("reading subjects")?;
    rows.iter().map(|r| Ok(r.try_get("subject_id")?)).collect()
}

/// Stores a checkpoint and the heads it records first (`checkpoint.heads`), in one
/// transaction: a checkpoint is never stored without its heads, nor heads without it.
/// A checkpoint recording at least this many heads refreshes PostgreSQL's statistics of
/// `checkpoint_heads` at once (see [`append_checkpoint`]).
const ANALYZE_AFTER_HEADS: usize = 10_000;

pub async fn append_checkpoint(pool: &AnyPool, backend: Backend, c: &Checkpoint) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO checkpoints (site_id, number, created_at, tree_size, root, heads, signature) \
         VALUES ($1, $2, $3, $4, $5, '[]', $6)",
    )
    .bind(c.site_id.as_str())
    .bind(i64::try_from(c.number)?)
    .bind(c.created_at.as_str())
    .bind(i64::try_from(c.tree_size)?)
    .bind(c.root.as_str())
    .bind(c.signature.as_str())
    .execute(&mut *tx)
    .await
    .context("storing checkpoint")?;
    for chunk in c.heads.chunks(500) {
        let sql = format!(
            "INSERT INTO checkpoint_heads (site_id, number, subject_id, seq, hash) VALUES {}",
            rows(1, chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for h in chunk {
            q = q
                .bind(c.site_id.as_str())
                .bind(i64::try_from(c.number)?)
                .bind(h.subject_id.as_str())
                .bind(i64::try_from(h.seq)?)
                .bind(h.hash.as_str());
        }
        q.execute(&mut *tx).await.context("storing checkpoint heads")?;
    }
    tx.commit().await.context("storing checkpoint")?;
    // PostgreSQL plans the head queries from statistics that autovacuum refreshes a minute or
    // more later: a first checkpoint of a large ledger read with statistics of an empty table
    // made each page of signed heads a scan of the whole table (223 ms a page instead of 4.7,
    // measured at 250,000 heads). A large insert refreshes them now (a sample: ~0.1 s).
    if backend == Backend::Postgres && c.heads.len() >= ANALYZE_AFTER_HEADS {
        sqlx::query("ANALYZE checkpoint_heads")
            .execute(pool)
            .await
            .context("refreshing checkpoint head statistics")?;
    }
    Ok(())
}

/// Up to `n` of a site's checkpoints numbered above `after`, oldest first, without heads.
pub async fn checkpoints_after(
    conn: &mut AnyConnection,
    site: &SiteId,
    after: u64,
    n: i64,
) -> anyhow::Result<Vec<PublicCheckpoint>> {
    let rows = sqlx::query(
        "SELECT number, created_at, tree_size, root, signature FROM checkpoints \
         WHERE site_id = $1 AND number > $2 ORDER BY number LIMIT $3",
    )
    .bind(site.as_str())
    .bind(i64::try_from(after)?)
    .bind(n)
    .fetch_all(conn)
    .await
    .context("reading checkpoints")?;
    rows.iter()
        .map(|r| {
            Ok(PublicCheckpoint {
                site_id: site.clone(),
                number: u64::try_from(r.try_get::<i64, _>("number")?)?,
                created_at: r.try_get("created_at")?,
                tree_size: u64::try_from(r.try_get::<i64, _>("tree_size")?)?,
                root: r.try_get("root")?,
                signature: r.try_get("signature")?,
            })
        })
        .collect()
}

/// The heads checkpoint `number` recorded first, in subject order (for evidence bundles).
pub async fn heads_recorded_by(conn: &mut AnyConnection, site: &SiteId, number: u64) -> anyhow::Result<Vec<ChainHead>> {
    let rows = sqlx::query(
        "SELECT subject_id, seq, hash FROM checkpoint_heads WHERE site_id = $1 AND number = $2 \
         ORDER BY subject_id, seq",
    )
    .bind(site.as_str())
    .bind(i64::try_from(number)?)
    .fetch_all(conn)
    .await
    .context("reading checkpoint heads")?;
    rows.iter().map(head).collect()
}
