//! `assent restore`: a backup into an empty database — or, when asked, in place of
//! everything a database holds — never half-applied.
//!
//! 1. The whole backup is checked before the target is touched: its format and schema
//!    version, the tables it carries, and every part's bytes, row count, SHA-256 and row
//!    shapes against the manifest. Its files are staged beside their places, so a key file
//!    already there with other keys is refused before the database is opened (and migrated).
//! 2. One transaction does the rest. It first locks the target (`BEGIN IMMEDIATE` on
//!    SQLite; `LOCK TABLE … ACCESS EXCLUSIVE` on PostgreSQL), so nothing else writes between
//!    the emptiness check and the commit. Replacing deletes every row first: the append-only
//!    triggers would refuse that, so they are set aside inside the same transaction —
//!    dropped and re-created from their own SQL on SQLite (whose DDL is transactional),
//!    `DISABLE TRIGGER USER` and `ENABLE TRIGGER USER` on PostgreSQL — and are back before
//!    the commit. Each part is hashed again as it is inserted; any failure (a constraint, a
//!    part that changed since the check, a lost connection) rolls everything back, triggers
//!    included.
//! 3. Only after the commit are the key, checkpoint and anchor files, staged beside their
//!    places, renamed in.

use super::catalog::{self, quote};
use super::rows::{self, Cell, Lines};
use super::{FORMAT, FORMAT_VERSION, LEFT_OUT, Manifest, TABLES, TablePart, files};
use crate::config::Config;
use crate::ledger::{self, Backend};
use anyhow::{Context, bail};
use sqlx::AnyConnection;
use std::io::BufReader;
use std::path::Path;

/// At most this many values per `INSERT` (SQLite allows 32 766, PostgreSQL 65 535).
const VALUES_PER_INSERT: usize = 4_000;

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    pub rows: u64,
    /// Rows the target held before (replaced).
    pub replaced: u64,
    /// One line per file put in place, removed, or found already in place.
    pub files: Vec<String>,
}

/// Restores the backup in `input` into the database and files `config` names. Refuses a
/// target that holds data unless `replace`.
pub async fn restore(config: &Config, input: &Path, replace: bool) -> anyhow::Result<Restored> {
    let manifest = {
        let input = input.to_owned();
        tokio::task::spawn_blocking(move || check_backup(&input))
            .await
            .context("checking the backup")??
    };
    let expected = catalog::expected_schema_version(catalog::backend_of(&config.database_url));
    if manifest.schema_version != expected {
        bail!(
            "the backup is of schema version {}, this Assent's is {expected}: restore it with the Assent \
             that made it ({}), then upgrade",
            manifest.schema_version,
            manifest.assent_version
        );
    }
    // The files first: a key file in the way is refused before the database is touched.
    let (staged, mut notes) = files::stage(&manifest, input, config, replace)?;
    let (rows, replaced) = match into_database(config, &manifest, input, replace).await {
        Ok(done) => done,
        Err(err) => {
            files::discard(staged);
            return Err(err);
        }
    };
    let mut files = files::put_in_place(staged)?;
    files.append(&mut notes);
    Ok(Restored {
        manifest,
        rows,
        replaced,
        files,
    })
}

/// Everything the backup holds into the database, in one transaction; the rows written and
/// the rows replaced.
async fn into_database(
    config: &Config,
    manifest: &Manifest,
    input: &Path,
    replace: bool,
) -> anyhow::Result<(u64, u64)> {
    let db = ledger::connect(&config.database_url).await?.db();
    let backend = db.backend;
    let mut conn = db.pool.acquire().await?;
    catalog::check_tables(&mut conn, backend).await?;
    for part in &manifest.tables {
        let mut theirs = part.columns.clone();
        let mut ours = catalog::columns(&mut conn, backend, &part.name).await?;
        theirs.sort();
        ours.sort();
        if theirs != ours {
            bail!("the backup's columns of {} differ from this database's", part.name);
        }
    }
    drop(conn);

    let mut tx = match backend {
        Backend::Sqlite => db.pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => db.pool.begin().await,
    }
    .context("starting the restore transaction")?;
    if backend == Backend::Postgres {
        let all: Vec<String> = TABLES.iter().map(|t| quote(t.name)).collect();
        sqlx::query(&format!("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", all.join(", ")))
            .execute(&mut *tx)
            .await
            .context("locking the target's tables")?;
    }
    let held = row_counts(&mut tx).await?;
    let replaced: u64 = held.iter().map(|(_, n)| n).sum();
    if replaced > 0 && !replace {
        let list: Vec<String> = held.iter().map(|(t, n)| format!("{t}: {n}")).collect();
        bail!(
            "the target database is not empty ({}): restore into an empty database, or pass --replace to \
             replace everything it holds",
            list.join(", ")
        );
    }
    let rows = write_all(&mut tx, backend, manifest, input, replaced > 0).await?;
    tx.commit().await.context("committing the restore")?;
    Ok((rows, replaced))
}

/// Reads and checks the manifest and every part it names, writing nothing.
fn check_backup(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let head: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    if head["format"] != FORMAT {
        bail!(
            "{} is not an Assent backup manifest (format {})",
            path.display(),
            head["format"]
        );
    }
    if head["format_version"] != FORMAT_VERSION {
        bail!(
            "the backup is in format version {}; this Assent reads version {FORMAT_VERSION}",
            head["format_version"]
        );
    }
    let manifest: Manifest = serde_json::from_value(head).with_context(|| format!("reading {}", path.display()))?;
    let names: Vec<&str> = manifest.tables.iter().map(|t| t.name.as_str()).collect();
    let expected: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    if names != expected {
        let unknown: Vec<&str> = names.iter().copied().filter(|n| !expected.contains(n)).collect();
        let missing: Vec<&str> = expected.iter().copied().filter(|n| !names.contains(n)).collect();
        bail!(
            "the backup's tables are not this Assent's (not known here: [{}]; missing: [{}]; left out on \
             purpose: {})",
            unknown.join(", "),
            missing.join(", "),
            LEFT_OUT.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        );
    }
    files::check(&manifest, dir)?;
    for part in &manifest.tables {
        if part.path != super::table_path(&part.name) {
            bail!("the manifest puts table {} at {}", part.name, part.path);
        }
        read_part(dir, part, |_| Ok(()))?;
    }
    Ok(manifest)
}

/// Reads a part line by line, handing each parsed row to `each`, and checks its row count
/// and SHA-256 against the manifest at the end.
fn read_part(
    dir: &Path,
    part: &TablePart,
    mut each: impl FnMut(Vec<Cell>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let path = dir.join(&part.path);
    let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let mut lines = Lines::new(BufReader::new(file));
    let damaged = |what: String| anyhow::anyhow!("{}: {what}: the backup was changed or damaged", part.path);
    loop {
        let line = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(err) => return Err(damaged(format!("{err:#}"))),
        };
        let cells =
            rows::parse_line(line, &part.columns).map_err(|e| damaged(format!("line {}: {e:#}", lines.count)))?;
        each(cells)?;
    }
    let count = lines.count;
    let sha256 = lines.finish();
    if count != part.rows {
        return Err(damaged(format!("{count} rows, the manifest says {}", part.rows)));
    }
    if sha256 != part.sha256 {
        return Err(damaged(format!("SHA-256 {sha256}, the manifest says {}", part.sha256)));
    }
    Ok(())
}

/// Rows in every table the backup carries, except the configuration version's one row
/// (which the migrations write), for the tables that have any.
async fn row_counts(conn: &mut AnyConnection) -> anyhow::Result<Vec<(&'static str, u64)>> {
    let mut held = Vec::new();
    for table in TABLES.iter().filter(|t| t.name != "config_version") {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote(table.name)))
            .fetch_one(&mut *conn)
            .await
            .with_context(|| format!("counting the rows of {}", table.name))?;
        if n > 0 {
            held.push((table.name, u64::try_from(n)?));
        }
    }
    Ok(held)
}

/// Empties the target (when it holds data) and writes every part; returns the rows written.
async fn write_all(
    conn: &mut AnyConnection,
    backend: Backend,
    manifest: &Manifest,
    dir: &Path,
    holds_data: bool,
) -> anyhow::Result<u64> {
    let previous_version: i64 = sqlx::query_scalar("SELECT version FROM config_version WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0);
    if holds_data {
        empty_target(conn, backend).await?;
    } else {
        sqlx::query("DELETE FROM config_version").execute(&mut *conn).await?;
    }
    let mut written = 0;
    for part in &manifest.tables {
        written += insert_part(conn, backend, dir, part).await?;
    }
    // Processes still running on the target reload their sites when the version moves:
    // it must move even if the backup's is not past the target's.
    sqlx::query("UPDATE config_version SET version = CASE WHEN version > $1 THEN version ELSE $1 + 1 END")
        .bind(previous_version)
        .execute(&mut *conn)
        .await
        .context("moving the configuration version")?;
    Ok(written)
}

/// Deletes every row of every table the backup carries, setting the append-only triggers
/// aside for the deletes only (see the module doc).
async fn empty_target(conn: &mut AnyConnection, backend: Backend) -> anyhow::Result<()> {
    match backend {
        Backend::Sqlite => {
            let triggers: Vec<(String, String)> =
                sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
                    .fetch_all(&mut *conn)
                    .await
                    .context("reading the triggers")?;
            for (name, _) in &triggers {
                sqlx::query(&format!("DROP TRIGGER {}", quote(name)))
                    .execute(&mut *conn)
                    .await?;
            }
            delete_all(conn).await?;
            for (name, sql) in &triggers {
                sqlx::query(sql)
                    .execute(&mut *conn)
                    .await
                    .with_context(|| format!("re-creating trigger {name}"))?;
            }
        }
        Backend::Postgres => {
            for table in TABLES {
                sqlx::query(&format!("ALTER TABLE {} DISABLE TRIGGER USER", quote(table.name)))
                    .execute(&mut *conn)
                    .await?;
            }
            delete_all(conn).await?;
            for table in TABLES {
                sqlx::query(&format!("ALTER TABLE {} ENABLE TRIGGER USER", quote(table.name)))
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Deletes in reverse restore order, so no row outlives one it references.
async fn delete_all(conn: &mut AnyConnection) -> anyhow::Result<()> {
    for table in TABLES.iter().rev() {
        sqlx::query(&format!("DELETE FROM {}", quote(table.name)))
            .execute(&mut *conn)
            .await
            .with_context(|| format!("emptying {}", table.name))?;
    }
    Ok(())
}

/// Inserts one part in multi-row `INSERT`s, checking its hash and count again as it goes.
async fn insert_part(conn: &mut AnyConnection, backend: Backend, dir: &Path, part: &TablePart) -> anyhow::Result<u64> {
    let identity = catalog::identity_columns(conn, backend, &part.name).await?;
    let columns: Vec<String> = part.columns.iter().map(|c| quote(&c.name)).collect();
    let overriding = if identity.is_empty() {
        ""
    } else {
        " OVERRIDING SYSTEM VALUE"
    };
    let head = format!(
        "INSERT INTO {} ({}){overriding} VALUES ",
        quote(&part.name),
        columns.join(", ")
    );
    let per_insert = (VALUES_PER_INSERT / part.columns.len()).max(1);

    // The file is read synchronously in batches; each batch is written before the next is read.
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<Vec<Cell>>>(2);
    let reader = {
        let (dir, part) = (dir.to_owned(), part.clone());
        tokio::task::spawn_blocking(move || {
            let mut batch = Vec::with_capacity(per_insert);
            read_part(&dir, &part, |cells| {
                batch.push(cells);
                if batch.len() == per_insert {
                    sender
                        .blocking_send(std::mem::take(&mut batch))
                        .map_err(|_| anyhow::anyhow!("the restore stopped"))?;
                }
                Ok(())
            })?;
            if !batch.is_empty() {
                sender
                    .blocking_send(batch)
                    .map_err(|_| anyhow::anyhow!("the restore stopped"))?;
            }
            anyhow::Ok(())
        })
    };
    let mut written = 0u64;
    let mut failed = None;
    while let Some(batch) = batches.recv().await {
        let n = batch.len() as u64;
        if let Err(err) = insert_batch(conn, &head, part.columns.len(), batch).await {
            failed = Some(err.context(format!("restoring {}", part.name)));
            break;
        }
        written += n;
    }
    drop(batches);
    let read = reader.await.context("reading a part")?;
    if let Some(err) = failed {
        return Err(err);
    }
    read?;
    for column in identity {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
            quote(&column),
            quote(&part.name)
        );
        sqlx::query(&sql)
            .bind(quote(&part.name))
            .bind(&column)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("moving the sequence of {}.{column}", part.name))?;
    }
    Ok(written)
}

async fn insert_batch(conn: &mut AnyConnection, head: &str, width: usize, batch: Vec<Vec<Cell>>) -> anyhow::Result<()> {
    let mut sql = String::from(head);
    for (r, _) in batch.iter().enumerate() {
        if r > 0 {
            sql.push_str(", ");
        }
        let placeholders: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
        sql.push('(');
        sql.push_str(&placeholders.join(", "));
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for row in batch {
        query = rows::bind(query, row);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}
