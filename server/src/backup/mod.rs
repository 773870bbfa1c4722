//! `assent backup` and `assent restore`: a whole instance — every table, and the key,
//! checkpoint and audit-anchor files kept outside the database — copied into a directory
//! and back, between SQLite and PostgreSQL in either direction.
//!
//! # Format (version 1)
//! ```text
//! <dir>/manifest.json            what follows, with row counts and SHA-256 of every part
//! <dir>/tables/<table>.ndjson    one line per row: a JSON array in the manifest's column order
//! <dir>/files/keys.json          the signing key file
//! <dir>/files/checkpoints.jsonl  the published checkpoint file (if there was one)
//! <dir>/files/audit-anchors.jsonl the audit log's anchors (if there were any)
//! ```
//! Every column of the schema is text or a 64-bit integer on both databases (timestamps are
//! RFC 3339 text, JSON is text, flags are 0/1 integers), so a cell is a JSON string, a JSON
//! integer or `null`, and round-trips exactly whatever the two databases are.
//!
//! A backup reads every table in one read transaction (a PostgreSQL `REPEATABLE READ`
//! snapshot; on SQLite a read transaction, one WAL snapshot), so it is consistent while the
//! instance keeps running. A restore checks the whole backup (format, schema, every part's
//! count and hash, every row's shape) before it writes anything, then writes every table in
//! one transaction ([`restore`]).

mod catalog;
mod dump;
mod files;
mod restore;
mod rows;

pub use dump::backup;
pub use restore::restore;

use serde::{Deserialize, Serialize};

/// What `manifest.json` says a backup is.
pub const FORMAT: &str = "assent-backup";
/// The version of the layout described in the module doc; a restore refuses any other.
pub const FORMAT_VERSION: u32 = 1;

/// A table a backup carries and the key its rows are written in order of.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub key: &'static str,
}

const fn table(name: &'static str, key: &'static str) -> Table {
    Table { name, key }
}

/// Every table a backup carries, in restore order: a table comes after the tables it
/// references. A table the schema has that is neither here nor in [`LEFT_OUT`] makes
/// `assent backup` refuse (and the test comparing this list with the schema fail).
pub const TABLES: &[Table] = &[
    table("sites", "id"),
    table("admin_users", "id"),
    table("site_roles", "user_id, site_id"),
    table("site_secrets", "site_id, secret_id"),
    table("notices", "site_id, version"),
    table("notice_drafts", "site_id"),
    table("subjects", "site_id, subject_id"),
    table("consent_events", "site_id, subject_id, seq"),
    table("consent_state", "site_id, subject_id, purpose"),
    table("checkpoints", "site_id, number"),
    table("checkpoint_heads", "site_id, subject_id, seq"),
    table("audit_log", "seq"),
    table("config_version", "id"),
    table("webhook_endpoints", "id"),
    table("webhook_outbox", "id"),
    table("webhook_deliveries", "id"),
    table("stats_daily", "site_id, purpose, day, regime, dimension, key"),
    table("banner_impressions", "site_id, day, regime"),
    table("settings_codes", "code_hash"),
    table("identity_links", "id"),
    table("gvl_files", "vendor_list_version, language"),
];

/// Tables a backup leaves out on purpose, with the reason (also written to the manifest).
pub const LEFT_OUT: &[(&str, &str)] = &[
    (
        "leases",
        "which process runs each periodic job: they belong to the processes of the instance backed \
         up and expire within seconds; the restored instance's processes take their own",
    ),
    (
        "gvl_status",
        "where the Global Vendor List refresher stands (last attempt, next fetch): the restored \
         instance's refresher starts afresh from the versions restored in gvl_files",
    ),
];

/// The migration bookkeeping of sqlx: each database has its own, written by its migrations.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// The Assent that wrote it.
    pub assent_version: String,
    /// The latest migration applied to the database backed up; a restore needs the same.
    pub schema_version: i64,
    /// When the read transaction began (UTC RFC 3339).
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub source_backend: String,
    /// In restore order.
    pub tables: Vec<TablePart>,
    pub files: Vec<FilePart>,
    /// Tables not carried, and why.
    pub left_out: Vec<LeftOut>,
}

/// One table's part: `tables/<name>.ndjson`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TablePart {
    pub name: String,
    /// Relative to the backup directory.
    pub path: String,
    /// The order of each row's cells.
    pub columns: Vec<Column>,
    pub rows: u64,
    /// SHA-256 (hex) of the part's bytes.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
}

/// How a column stores its values, on both databases.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// `TEXT`: a JSON string.
    Text,
    /// `BIGINT` / `INTEGER` (64-bit): a JSON integer.
    Integer,
}

/// A file kept outside the database, copied into `files/`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FilePart {
    pub role: FileRole,
    /// Relative to the backup directory.
    pub path: String,
    /// Where it was read from (the setting of the instance backed up).
    pub source: String,
    pub bytes: u64,
    /// SHA-256 (hex) of its bytes.
    pub sha256: String,
}

/// Which setting a copied file belongs to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FileRole {
    /// `key_file`: the signing keys (and the pseudonymisation salt).
    KeyFile,
    /// `checkpoint_file`: every checkpoint, as published.
    CheckpointFile,
    /// `audit-anchors.jsonl` beside the checkpoint file.
    AuditAnchorFile,
}

impl FileRole {
    pub const ALL: [FileRole; 3] = [Self::KeyFile, Self::CheckpointFile, Self::AuditAnchorFile];

    /// Where a backup keeps it.
    pub fn path(self) -> &'static str {
        match self {
            Self::KeyFile => "files/keys.json",
            Self::CheckpointFile => "files/checkpoints.jsonl",
            Self::AuditAnchorFile => "files/audit-anchors.jsonl",
        }
    }

    /// Where the instance keeps it.
    pub fn location(self, config: &crate::config::Config) -> std::path::PathBuf {
        match self {
            Self::KeyFile => config.key_file.clone(),
            Self::CheckpointFile => config.checkpoint_file.clone(),
            Self::AuditAnchorFile => crate::db::audit_anchor::anchor_file(&config.checkpoint_file),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::KeyFile => "key file",
            Self::CheckpointFile => "checkpoint file",
            Self::AuditAnchorFile => "audit anchor file",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LeftOut {
    pub name: String,
    pub reason: String,
}

/// Where a table's rows are kept in a backup.
fn table_path(name: &str) -> String {
    format!("tables/{name}.ndjson")
}

fn backend_name(backend: crate::ledger::Backend) -> &'static str {
    match backend {
        crate::ledger::Backend::Sqlite => "sqlite",
        crate::ledger::Backend::Postgres => "postgres",
    }
}
