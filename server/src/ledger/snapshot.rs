//! A consistent, read-only view of one site's ledger for exports: the events selected by a
//! filter, read in pages by keyset pagination in chain order, with their count, checkpoints
//! and notices, all as of one moment.
//!
//! One read transaction holds the view (PostgreSQL `REPEATABLE READ, READ ONLY`; on SQLite a
//! deferred transaction, which in WAL mode reads one snapshot), so the count announced before
//! the first page matches the pages even while visitors keep appending.
//!
//! Pages follow the primary key `(site_id, subject_id, seq)`, so each page is an index range
//! and an export costs one pass over the site's events whatever the page size. A date or
//! purpose filter narrows that pass (no index on `recorded_at` is needed or kept).

use super::EventRow;
use crate::clock;
use anyhow::Context;
use assent_shared::Invalid;
use assent_shared::api::Checkpoint;
use assent_shared::ids::{PurposeKey, SiteId};
use assent_shared::notice::Notice;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// Which events an export holds. Bounds are ledger timestamps (UTC RFC 3339 with
/// milliseconds, see [`clock::format_rfc3339`]), compared with each event's `recorded_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Inclusive lower bound on `recorded_at`.
    pub from: Option<String>,
    /// Exclusive upper bound on `recorded_at`.
    pub to: Option<String>,
    /// Only events whose decisions name this purpose.
    pub purpose: Option<PurposeKey>,
}

impl EventFilter {
    /// Builds a filter from user input: dates as RFC 3339 (any offset) or `YYYY-MM-DD`
    /// (midnight UTC), a purpose key. Errors name the field (`from`, `to`, `purpose`).
    pub fn parse(from: Option<&str>, to: Option<&str>, purpose: Option<&str>) -> Result<Self, Invalid> {
        let filter = Self {
            from: from.map(|raw| parse_bound("from", raw)).transpose()?,
            to: to.map(|raw| parse_bound("to", raw)).transpose()?,
            purpose: purpose.map(PurposeKey::parse).transpose()?,
        };
        if let (Some(from), Some(to)) = (&filter.from, &filter.to)
            && from >= to
        {
            return Err(Invalid::new("to", "must be later than from"));
        }
        Ok(filter)
    }

    /// Whether the filter selects every event.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A bound as a ledger timestamp, rounded up to the millisecond: stored times have millisecond
/// precision, so `t >= bound` and `t < bound` mean the same with the rounded bound.
fn parse_bound(field: &str, raw: &str) -> Result<String, Invalid> {
    let raw = raw.trim();
    let instant = OffsetDateTime::parse(raw, &Rfc3339)
        .or_else(|_| {
            time::Date::parse(raw, format_description!("[year]-[month]-[day]")).map(|d| d.midnight().assume_utc())
        })
        .map_err(|_| Invalid::new(field, "use RFC 3339 (2026-11-26T10:00:00Z) or a date (2026-11-26)"))?;
    let sub_milli = instant.nanosecond() % 1_000_000;
    let rounded = if sub_milli == 0 {
        instant
    } else {
        instant + time::Duration::nanoseconds(i64::from(1_000_000 - sub_milli))
    };
    if !(0..=9999).contains(&rounded.to_offset(time::UtcOffset::UTC).year()) {
        return Err(Invalid::new(field, "must be between the years 0000 and 9999"));
    }
    Ok(clock::format_rfc3339(rounded))
}

/// How a filter selects events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Exactly the events that match.
    Events,
    /// Every event of each chain with at least one matching event, so each chain verifies
    /// from `seq` 1 (evidence bundles).
    WholeChains,
}

/// Where a page ends: the next page starts after this chain position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPosition {
    pub subject_id: String,
    pub seq: i64,
}

impl From<&EventRow> for ChainPosition {
    fn from(row: &EventRow) -> Self {
        Self {
            subject_id: row.subject_id.clone(),
            seq: row.seq,
        }
    }
}

/// How many events and chains a selection holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCount {
    pub chains: u64,
    pub events: u64,
}

/// One site's ledger as of the moment the view was opened (see the module doc).
#[async_trait::async_trait]
pub trait SiteSnapshot: Send + std::fmt::Debug {
    /// The site this view reads.
    fn site(&self) -> &SiteId;
    /// How many events and chains `filter` selects.
    async fn count(&mut self, filter: &EventFilter, selection: Selection) -> anyhow::Result<EventCount>;
    /// Up to `limit` selected events after `after` (from the start when `None`), in chain
    /// order: by subject id, then `seq`. An empty page means the end.
    async fn events_page(
        &mut self,
        filter: &EventFilter,
        selection: Selection,
        after: Option<&ChainPosition>,
        limit: u32,
    ) -> anyhow::Result<Vec<EventRow>>;
    /// How many checkpoints the site has.
    async fn checkpoint_count(&mut self) -> anyhow::Result<u64>;
    /// The site's first checkpoint numbered above `after` (0: the first of all), or `None`
    /// after the last. One at a time: each holds a head for every chain of the site.
    async fn checkpoint_after(&mut self, after: u64) -> anyhow::Result<Option<Checkpoint>>;
    /// A published notice version as stored, or `None` if it was never published.
    async fn notice(&mut self, version: u32) -> anyhow::Result<Option<Notice>>;
}

/// The view over the shared SQL (both backends through `Any`).
#[derive(Debug)]
pub(super) struct SqlSnapshot {
    site: SiteId,
    tx: Transaction<'static, Any>,
    /// How long one read may take: five times the pool's acquire timeout (`db_timeout_ms`),
    /// the bound of an ordinary request (`crate::request_bound`). An export's body streams for
    /// as long as it takes, so no request bound covers it; without this, a database that went
    /// silent mid-export would hold the download open for good.
    bound: std::time::Duration,
}

/// `read`, failed with an error naming `what` when it takes longer than `bound`.
async fn bounded<T, E: Into<anyhow::Error>>(
    bound: std::time::Duration,
    what: &str,
    read: impl std::future::Future<Output = Result<T, E>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(bound, read).await {
        Ok(answer) => answer.map_err(Into::into).with_context(|| what.to_owned()),
        Err(_) => anyhow::bail!("{what}: the database did not answer within {bound:?}"),
    }
}

impl SqlSnapshot {
    pub(super) async fn open(pool: &AnyPool, backend: super::Backend, site: &SiteId) -> anyhow::Result<Self> {
        let tx = match backend {
            super::Backend::Postgres => {
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await
            }
            super::Backend::Sqlite => pool.begin().await,
        }
        .context("opening a read transaction for the export")?;
        Ok(Self {
            site: site.clone(),
            tx,
            bound: pool.options().get_acquire_timeout() * 5,
        })
    }
}

/// A bind value of a built query.
enum Bind {
    Text(String),
    Int(i64),
}

/// A query with `$n` placeholders, built up with its binds (sqlx's `QueryBuilder<Any>` writes
/// `?`, which PostgreSQL refuses).
struct Query {
    sql: String,
    binds: Vec<Bind>,
}

impl Query {
    fn new(head: &str) -> Self {
        Self {
            sql: head.to_owned(),
            binds: Vec::new(),
        }
    }

    /// Appends `sql` with `{}` replaced by the placeholder of `value`.
    fn push(&mut self, sql: &str, value: Bind) {
        self.binds.push(value);
        self.sql.push_str(&sql.replace("{}", &format!("${}", self.binds.len())));
    }

    fn raw(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    /// The filter's conditions on the events table named `t`.
    fn filter(&mut self, t: &str, filter: &EventFilter) {
        if let Some(from) = &filter.from {
            self.push(&format!(" AND {t}.recorded_at >= {{}}"), Bind::Text(from.clone()));
        }
        if let Some(to) = &filter.to {
            self.push(&format!(" AND {t}.recorded_at < {{}}"), Bind::Text(to.clone()));
        }
        if let Some(purpose) = &filter.purpose {
            // `states` holds exactly the event's decision keys ({"analytics":"given",…}) as
            // plain JSON text, so a LIKE works on both backends; `_` in keys is escaped.
            let pattern = format!("%\"{}\":%", purpose.as_str().replace('_', "\\_"));
            self.push(&format!(" AND {t}.states LIKE {{}} ESCAPE '\\'"), Bind::Text(pattern));
        }
    }

    /// The selection's conditions on the events table `e` (of site `$1`).
    fn selection(&mut self, filter: &EventFilter, selection: Selection) {
        match selection {
            Selection::Events => self.filter("e", filter),
            Selection::WholeChains if filter.is_empty() => {}
            Selection::WholeChains => {
                self.raw(
                    " AND EXISTS (SELECT 1 FROM consent_events f \
                     WHERE f.site_id = e.site_id AND f.subject_id = e.subject_id",
                );
                self.filter("f", filter);
                self.raw(")");
            }
        }
    }

    fn build(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments<'_>> {
        self.binds.iter().fold(sqlx::query(&self.sql), |q, b| match b {
            Bind::Text(s) => q.bind(s.as_str()),
            Bind::Int(i) => q.bind(*i),
        })
    }
}

fn site_query(head: &str, site: &SiteId) -> Query {
    let mut q = Query::new(head);
    q.push(" WHERE e.site_id = {}", Bind::Text(site.as_str().to_owned()));
    q
}

#[async_trait::async_trait]
impl SiteSnapshot for SqlSnapshot {
    fn site(&self) -> &SiteId {
        &self.site
    }

    async fn count(&mut self, filter: &EventFilter, selection: Selection) -> anyhow::Result<EventCount> {
        let mut q = site_query(
            "SELECT COUNT(*) AS events, COUNT(DISTINCT e.subject_id) AS chains FROM consent_events e",
            &self.site,
        );
        q.selection(filter, selection);
        let row = bounded(self.bound, "counting events", q.build().fetch_one(&mut *self.tx)).await?;
        Ok(EventCount {
            chains: u64::try_from(row.try_get::<i64, _>("chains")?)?,
            events: u64::try_from(row.try_get::<i64, _>("events")?)?,
        })
    }

    async fn events_page(
        &mut self,
        filter: &EventFilter,
        selection: Selection,
        after: Option<&ChainPosition>,
        limit: u32,
    ) -> anyhow::Result<Vec<EventRow>> {
        let mut q = site_query(
            "SELECT e.seq, e.event_id, e.subject_id, e.prev_hash, e.hash, e.event FROM consent_events e",
            &self.site,
        );
        q.selection(filter, selection);
        if let Some(after) = after {
            q.push(" AND (e.subject_id, e.seq) > ({}", Bind::Text(after.subject_id.clone()));
            q.push(", {})", Bind::Int(after.seq));
        }
        q.push(" ORDER BY e.subject_id, e.seq LIMIT {}", Bind::Int(i64::from(limit)));
        let rows = bounded(
            self.bound,
            "reading a page of events",
            q.build().fetch_all(&mut *self.tx),
        )
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn checkpoint_count(&mut self) -> anyhow::Result<u64> {
        let count: i64 = bounded(
            self.bound,
            "counting checkpoints",
            sqlx::query_scalar("SELECT COUNT(*) FROM checkpoints WHERE site_id = $1")
                .bind(self.site.as_str())
                .fetch_one(&mut *self.tx),
        )
        .await?;
        Ok(u64::try_from(count)?)
    }

    async fn checkpoint_after(&mut self, after: u64) -> anyhow::Result<Option<Checkpoint>> {
        let read = super::chains::checkpoints_after(&mut self.tx, &self.site, after, 1);
        let Some(found) = bounded(self.bound, "reading a checkpoint", read).await?.pop() else {
            return Ok(None);
        };
        let read = super::chains::heads_recorded_by(&mut self.tx, &self.site, found.number);
        let heads = bounded(self.bound, "reading a checkpoint's heads", read).await?;
        Ok(Some(found.with_heads(heads)))
    }

    async fn notice(&mut self, version: u32) -> anyhow::Result<Option<Notice>> {
        let read = super::sql::read_notice(&mut self.tx, &self.site, version);
        bounded(self.bound, "reading a notice", read).await
    }
}

pub(super) fn event_row(r: &AnyRow) -> anyhow::Result<EventRow> {
    Ok(EventRow {
        seq: r.try_get("seq")?,
        event_id: r.try_get("event_id")?,
        subject_id: r.try_get("subject_id")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
        event: r.try_get("event")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_accept_rfc3339_and_dates_and_become_utc_milliseconds() {
        let f = EventFilter::parse(Some("2026-11-26"), Some("2026-11-27T01:00:00+02:00"), Some("analytics"))
            .expect("valid");
        assert_eq!(f.from.as_deref(), Some("2026-11-26T00:00:00.000Z"));
        assert_eq!(f.to.as_deref(), Some("2026-11-26T23:00:00.000Z"));
        assert_eq!(f.purpose.map(String::from).as_deref(), Some("analytics"));
    }

    #[test]
    fn sub_millisecond_bounds_round_up() {
        let f = EventFilter::parse(Some("2026-11-26T10:00:00.0001Z"), None, None).expect("valid");
        assert_eq!(f.from.as_deref(), Some("2026-11-26T10:00:00.001Z"));
    }

    #[test]
    fn bad_bounds_and_purposes_name_their_field() {
        for (from, to, purpose, field) in [
            (Some("yesterday"), None, None, "from"),
            (None, Some("2026-13-01"), None, "to"),
            (Some("2026-11-27"), Some("2026-11-26"), None, "to"),
            (None, None, Some("Not-A-Key"), "purpose"),
        ] {
            let err = EventFilter::parse(from, to, purpose).expect_err("refused");
            assert_eq!(err.field, field, "{err}");
        }
    }
}
