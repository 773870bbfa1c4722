//! The consent ledger: append-only, hash-chained per subject, on SQLite or PostgreSQL.
//!
//! [`Ledger`] is the one storage interface. [`SqlLedger`] implements it for both backends
//! through sqlx's `Any` driver: the SQL is the same, while each side ([`sqlite`],
//! [`postgres`]) owns what differs — connecting, migrations, durability settings and how a
//! chain head is locked. [`writer`] batches concurrent appends into one transaction.

pub mod postgres;
mod sql;
pub mod sqlite;
pub mod writer;

use assent_shared::consent::{ConsentEvent, ConsentState};
use assent_shared::ids::{EventId, PurposeKey, SiteId, SubjectId};
use assent_shared::notice::Notice;
use std::collections::BTreeMap;
use std::sync::Arc;

pub use sql::SqlLedger;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A registered site and the origins allowed to call its public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRecord {
    pub id: SiteId,
    pub name: String,
    pub origins: Vec<String>,
}

/// An event ready to append: everything but its place in the chain (`seq`, `prev_hash`,
/// `recorded_at`, `hash`), which the ledger fills in inside the transaction.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub draft: ConsentEvent,
    /// The subject is created by this event (no `subject_id` came with the request).
    pub new_subject: bool,
    /// SHA-256 of the canonical request body: equal on a retry, different on a reuse.
    pub request_digest: String,
}

/// An event as stored, with the per-purpose states it produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub event: ConsentEvent,
    pub states: BTreeMap<PurposeKey, ConsentState>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    Recorded(StoredEvent),
    /// The same `event_id` and body were recorded before: nothing new was written.
    Replayed(StoredEvent),
}

/// Why one event of a batch was refused (the rest of the batch is unaffected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendRefused {
    #[error("event {0} was already recorded with a different body")]
    EventIdReused(EventId),
    #[error("subject {0} is not known for this site")]
    UnknownSubject(SubjectId),
}

pub type AppendResult = Result<Appended, AppendRefused>;

#[async_trait::async_trait]
pub trait Ledger: Send + Sync + std::fmt::Debug + 'static {
    fn backend(&self) -> Backend;
    async fn ping(&self) -> anyhow::Result<()>;
    async fn sites(&self) -> anyhow::Result<Vec<SiteRecord>>;
    /// Creates the site or replaces its name and origins.
    async fn put_site(&self, site: &SiteRecord) -> anyhow::Result<()>;
    /// Publishes a notice version; publishing the identical version again is a no-op,
    /// a different body under an existing version is an error (published notices are immutable).
    async fn publish_notice(&self, site: &SiteId, notice: &Notice) -> anyhow::Result<()>;
    async fn latest_notice(&self, site: &SiteId) -> anyhow::Result<Option<Notice>>;
    async fn notice(&self, site: &SiteId, version: u32) -> anyhow::Result<Option<Notice>>;
    /// Appends a batch in one transaction; one outcome per event, in order.
    async fn append_batch(&self, batch: &[NewEvent]) -> anyhow::Result<Vec<AppendResult>>;
    async fn subject_exists(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<bool>;
    /// A subject's events in chain order.
    async fn history(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<Vec<ConsentEvent>>;
}

/// Opens the backend the URL names (`sqlite:` or `postgres://`), running its migrations.
pub async fn open(database_url: &str) -> anyhow::Result<Arc<dyn Ledger>> {
    let ledger = if database_url.starts_with("sqlite:") {
        sqlite::connect(database_url).await?
    } else {
        postgres::connect(database_url).await?
    };
    Ok(Arc::new(ledger))
}
