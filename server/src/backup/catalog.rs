//! What the database itself says its schema is: its tables, each table's columns and how
//! they store values, and the latest migration applied. A backup takes its columns from
//! here (so a column added by a migration is carried without a change to this module), and
//! a restore checks the backup's columns against the target's.

use super::{Column, ColumnType, LEFT_OUT, MIGRATIONS_TABLE, TABLES};
use crate::ledger::Backend;
use anyhow::{Context, bail};
use sqlx::AnyConnection;

/// The backend a database URL names, as [`crate::ledger::connect`] reads it.
pub fn backend_of(url: &str) -> Backend {
    if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// Every table of the database but the migration bookkeeping, sorted.
pub async fn tables(conn: &mut AnyConnection, backend: Backend) -> anyhow::Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        Backend::Postgres => "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
    };
    let mut names: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(&mut *conn)
        .await
        .context("listing the database's tables")?;
    names.retain(|n| n != MIGRATIONS_TABLE);
    names.sort();
    Ok(names)
}

/// Fails unless the database's tables are exactly those a backup carries or leaves out.
pub async fn check_tables(conn: &mut AnyConnection, backend: Backend) -> anyhow::Result<()> {
    let found = tables(conn, backend).await?;
    let known = |name: &str| TABLES.iter().any(|t| t.name == name) || LEFT_OUT.iter().any(|(n, _)| *n == name);
    let unknown: Vec<&str> = found.iter().map(String::as_str).filter(|n| !known(n)).collect();
    let missing: Vec<&str> = TABLES
        .iter()
        .map(|t| t.name)
        .filter(|n| !found.iter().any(|f| f == n))
        .collect();
    if !unknown.is_empty() {
        bail!(
            "the database has tables this Assent's backup does not know ({}): back it up with the Assent \
             that runs it",
            unknown.join(", ")
        );
    }
    if !missing.is_empty() {
        bail!(
            "the database lacks the tables {}: is it an Assent database?",
            missing.join(", ")
        );
    }
    Ok(())
}

/// A table's columns in their order, each with how it stores values.
pub async fn columns(conn: &mut AnyConnection, backend: Backend, table: &str) -> anyhow::Result<Vec<Column>> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    let found: Vec<(String, String)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .with_context(|| format!("reading the columns of {table}"))?;
    if found.is_empty() {
        bail!("table {table} has no columns");
    }
    found
        .into_iter()
        .map(|(name, declared)| {
            let kind = column_type(&declared).with_context(|| {
                format!("column {table}.{name} is of type {declared}, which a backup cannot carry exactly")
            })?;
            Ok(Column { name, kind })
        })
        .collect()
}

/// The declared types the migrations use (see `migrations/`); anything else is refused
/// rather than carried approximately.
fn column_type(declared: &str) -> Option<ColumnType> {
    match declared.to_ascii_lowercase().as_str() {
        "text" => Some(ColumnType::Text),
        "bigint" | "integer" => Some(ColumnType::Integer),
        _ => None,
    }
}

/// PostgreSQL columns whose values the database generates (`GENERATED ALWAYS AS IDENTITY`):
/// a restore writes them with `OVERRIDING SYSTEM VALUE` and moves their sequence past the
/// largest. SQLite's `INTEGER PRIMARY KEY` takes written values and continues after them.
pub async fn identity_columns(conn: &mut AnyConnection, backend: Backend, table: &str) -> anyhow::Result<Vec<String>> {
    match backend {
        Backend::Sqlite => Ok(Vec::new()),
        Backend::Postgres => sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
        )
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .with_context(|| format!("reading the identity columns of {table}")),
    }
}

/// The latest migration applied to the database.
pub async fn schema_version(conn: &mut AnyConnection) -> anyhow::Result<i64> {
    let version: Option<i64> = sqlx::query_scalar(&format!("SELECT MAX(version) FROM {MIGRATIONS_TABLE}"))
        .fetch_one(&mut *conn)
        .await
        .context("reading the schema version: is it an Assent database?")?;
    version.context("no migration was ever applied: is it an Assent database?")
}

/// The schema version this Assent's migrations end at.
pub fn expected_schema_version(backend: Backend) -> i64 {
    let migrator = match backend {
        Backend::Sqlite => &crate::ledger::sqlite::MIGRATOR,
        Backend::Postgres => &crate::ledger::postgres::MIGRATOR,
    };
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// `"name"`: names come from [`TABLES`] and the catalogue, quoted anyway.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
