//! The consent ledger: append-only, hash-chained per subject, on SQLite or PostgreSQL.
//!
//! [`Ledger`] is the one storage interface. [`SqlLedger`] implements it for both backends
//! through sqlx's `Any` driver: the SQL is the same, while each side ([`sqlite`],
//! [`postgres`]) owns what differs — connecting, migrations, durability settings and how a
//! chain head is locked. [`writer`] batches concurrent appends into one transaction, which
//! also enqueues the webhook messages announcing its events ([`outbox`]) and counts them in
//! the daily statistics ([`rollup`]).

mod append;
mod chains;
pub mod checkpoint;
pub mod outage;
mod outbox;
mod placeholders;
pub mod postgres;
pub mod retention;
pub mod rollup;
pub mod snapshot;
mod sql;
pub mod sqlite;
pub mod verify;
pub mod writer;

use assent_shared::api::{ChainHead, Checkpoint, CurrentDecision, PublicCheckpoint};
use assent_shared::consent::{ConsentEvent, ConsentState};
use assent_shared::ids::{EventId, PurposeKey, SiteId, SubjectId};
use assent_shared::notice::Notice;
use assent_shared::regime::Regime;
use std::collections::BTreeMap;
use std::sync::Arc;

pub use outage::{DatabaseUnavailable, Outage, outage};
pub use snapshot::{ChainPosition, EventCount, EventFilter, Selection, SiteSnapshot};
pub use sql::{SqlLedger, bump_config_version, insert_notice, is_retryable};

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
    /// Jurisdiction (`US-CA`), country (`US`) or `*` → regime, over the built-in rules.
    pub regime_overrides: BTreeMap<String, Regime>,
    /// Archived: the public API no longer serves it; its ledger stays and verifies.
    pub archived: bool,
    /// Its published notice is still the starter notice, not yet reviewed by an owner.
    pub starter_notice: bool,
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
    #[error("subject {0} was erased")]
    ErasedSubject(SubjectId),
}

pub type AppendResult = Result<Appended, AppendRefused>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectStatus {
    Unknown,
    Active,
    Erased,
}

/// An events-table row as stored, for verification and exports: the columns and the event
/// JSON, unparsed, because verification must not trust either and exports copy it verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    pub event_id: String,
    pub subject_id: String,
    pub prev_hash: String,
    pub hash: String,
    /// The event JSON exactly as stored: the hashed event.
    pub event: String,
}

#[async_trait::async_trait]
pub trait Ledger: Send + Sync + std::fmt::Debug + 'static {
    fn backend(&self) -> Backend;
    async fn ping(&self) -> anyhow::Result<()>;
    /// Whether the database takes a write now ([`outage::write_probe`]); leaves nothing behind.
    async fn write_probe(&self) -> anyhow::Result<()>;
    /// Every site, archived ones included.
    async fn sites(&self) -> anyhow::Result<Vec<SiteRecord>>;
    /// Creates the site or replaces its name and origins (its regime overrides are kept).
    async fn put_site(&self, site: &SiteRecord) -> anyhow::Result<()>;
    async fn set_regime_overrides(&self, site: &SiteId, overrides: &BTreeMap<String, Regime>) -> anyhow::Result<()>;
    /// Publishes a notice version; publishing the identical version again is a no-op,
    /// a different body under an existing version is an error (published notices are immutable).
    async fn publish_notice(&self, site: &SiteId, notice: &Notice) -> anyhow::Result<()>;
    async fn latest_notice(&self, site: &SiteId) -> anyhow::Result<Option<Notice>>;
    async fn notice(&self, site: &SiteId, version: u32) -> anyhow::Result<Option<Notice>>;
    /// Appends a batch in one transaction; one outcome per event, in order.
    async fn append_batch(&self, batch: &[NewEvent]) -> anyhow::Result<Vec<AppendResult>>;
    async fn subject_status(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<SubjectStatus>;
    /// The projection: latest decision per purpose.
    async fn current_state(
        &self,
        site: &SiteId,
        subject: &SubjectId,
    ) -> anyhow::Result<BTreeMap<PurposeKey, CurrentDecision>>;
    /// Rebuilds the projection of a site from its events (the events are the truth).
    async fn rebuild_projection(&self, site: &SiteId) -> anyhow::Result<u64>;
    /// Unlinks a subject: marks it erased and deletes its side-table data (current state,
    /// identity links); events stay.
    async fn erase_subject(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<()>;
    /// Retention: unlinks every subject whose last event was recorded before `cutoff`
    /// (RFC 3339), as erasure does; returns how many.
    async fn unlink_inactive(&self, cutoff: &str) -> anyhow::Result<u64>;
    /// A subject's events in chain order.
    async fn history(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<Vec<ConsentEvent>>;
    /// Up to `n` subject ids that have events, after `after` in subject order (`""`: from the
    /// first), as stored (possibly tampered).
    async fn chain_subjects(&self, site: &SiteId, after: &str, n: u32) -> anyhow::Result<Vec<String>>;
    /// The rows of each chain named in `from` (subject id, first `seq` wanted), in chain
    /// order, unparsed: one read for a page of chains.
    async fn chains_from(&self, site: &SiteId, from: &[(String, u64)]) -> anyhow::Result<Vec<EventRow>>;
    /// Up to `n` current chain heads (each chain's last event) after `after`, by subject id.
    async fn chain_heads(&self, site: &SiteId, after: &str, n: u32) -> anyhow::Result<Vec<ChainHead>>;
    /// Up to `n` of the heads checkpoint `number` signs, after `after`, by subject id: per
    /// subject, the recorded head with the highest `seq` among those recorded by checkpoints
    /// `1..=number`.
    async fn signed_heads(&self, site: &SiteId, number: u64, after: &str, n: u32) -> anyhow::Result<Vec<ChainHead>>;
    /// The heads checkpoint `number` signs for these subjects (none for one it did not see).
    async fn signed_heads_of(&self, site: &SiteId, number: u64, subjects: &[String]) -> anyhow::Result<Vec<ChainHead>>;
    /// Every head a checkpoint recorded for these subjects, with that checkpoint's number.
    async fn recorded_heads_of(&self, site: &SiteId, subjects: &[String]) -> anyhow::Result<Vec<(u64, ChainHead)>>;
    /// Up to `n` recorded heads whose chain has no event left, by subject id.
    async fn heads_without_chain(&self, site: &SiteId, n: u32) -> anyhow::Result<Vec<(u64, ChainHead)>>;
    /// Up to `n` subjects that exist without any event, by subject id.
    async fn empty_chains(&self, site: &SiteId, n: u32) -> anyhow::Result<Vec<String>>;
    /// Stores a checkpoint with the heads it records first (`heads`: those that moved since
    /// the checkpoint before), in one transaction.
    async fn append_checkpoint(&self, checkpoint: &Checkpoint) -> anyhow::Result<()>;
    /// A site's checkpoints, oldest first, without their heads.
    async fn checkpoints(&self, site: &SiteId) -> anyhow::Result<Vec<PublicCheckpoint>>;
    /// A site's newest checkpoint, if it has one.
    async fn latest_checkpoint(&self, site: &SiteId) -> anyhow::Result<Option<PublicCheckpoint>>;
    /// A consistent read-only view of one site for an export; it holds a database connection
    /// (and on PostgreSQL a snapshot) until dropped.
    async fn snapshot(&self, site: &SiteId) -> anyhow::Result<Box<dyn SiteSnapshot>>;
}

/// How long a command-line tool waits for a database connection.
pub const DEFAULT_DB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Connects to the backend the URL names (`sqlite:` or `postgres://`), running its migrations.
pub async fn connect(database_url: &str) -> anyhow::Result<SqlLedger> {
    connect_with(database_url, DEFAULT_DB_TIMEOUT).await
}

/// [`connect`], waiting at most `timeout` for a pooled connection (then the call fails with
/// an [`Outage`] instead of waiting on).
pub async fn connect_with(database_url: &str, timeout: std::time::Duration) -> anyhow::Result<SqlLedger> {
    if database_url.starts_with("sqlite:") {
        sqlite::connect(database_url, timeout).await
    } else {
        postgres::connect(database_url, timeout).await
    }
}

/// [`connect`], as the one storage interface.
pub async fn open(database_url: &str) -> anyhow::Result<Arc<dyn Ledger>> {
    Ok(Arc::new(connect(database_url).await?))
}
