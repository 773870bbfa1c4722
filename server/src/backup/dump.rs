//! `assent backup`: every table in one read transaction, and the files beside the database,
//! into a new directory (written as `<dir>.partial` and renamed once whole).

use super::catalog::{self, quote};
use super::rows::{self, Hashing};
use super::{FileRole, LEFT_OUT, LeftOut, Manifest, TABLES, TablePart, files};
use crate::clock;
use crate::config::Config;
use crate::ledger::Backend;
use anyhow::{Context, bail};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tokio_stream::StreamExt;

/// Backs up the instance `config` names into the new directory `output`; returns its manifest.
///
/// Order matters for consistency while the instance runs: the checkpoint and anchor files
/// are copied first (whatever they hold was in the database before, so the snapshot taken
/// next holds it too), then every table is read in one transaction, then the key file is
/// copied (keys are only ever added, so it holds every key that signed what was read).
pub async fn backup(config: &Config, output: &Path) -> anyhow::Result<Manifest> {
    if output.exists() {
        bail!(
            "{} already exists: a backup goes into a new directory",
            output.display()
        );
    }
    let partial = PathBuf::from(format!("{}.partial", output.display()));
    if partial.exists() {
        bail!(
            "{} exists: another backup is being written there, or one failed (remove it)",
            partial.display()
        );
    }
    let (pool, backend) = open_source(&config.database_url).await?;
    let written = write_into(config, &pool, backend, &partial).await;
    pool.close().await;
    match written {
        Ok(manifest) => {
            std::fs::rename(&partial, output)
                .with_context(|| format!("renaming {} to {}", partial.display(), output.display()))?;
            Ok(manifest)
        }
        Err(err) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(err)
        }
    }
}

/// Opens the database without migrating it (a backup changes nothing), and checks that its
/// schema is the one this Assent knows.
async fn open_source(url: &str) -> anyhow::Result<(AnyPool, Backend)> {
    sqlx::any::install_default_drivers();
    let backend = catalog::backend_of(url);
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(crate::ledger::DEFAULT_DB_TIMEOUT)
        .connect(url)
        .await
        .context("connecting to the database")?;
    let mut conn = pool.acquire().await?;
    let found = catalog::schema_version(&mut conn).await?;
    let expected = catalog::expected_schema_version(backend);
    if found != expected {
        bail!(
            "the database is at schema version {found}, this Assent's is {expected}: back it up with the \
             Assent that runs it"
        );
    }
    catalog::check_tables(&mut conn, backend).await?;
    drop(conn);
    Ok((pool, backend))
}

async fn write_into(config: &Config, pool: &AnyPool, backend: Backend, dir: &Path) -> anyhow::Result<Manifest> {
    create_private_dir(dir)?;
    create_private_dir(&dir.join("tables"))?;
    create_private_dir(&dir.join("files"))?;
    let mut files = Vec::new();
    for role in [FileRole::CheckpointFile, FileRole::AuditAnchorFile] {
        files.extend(files::copy_in(config, role, dir)?);
    }

    let mut tx = match backend {
        Backend::Postgres => {
            pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await
        }
        Backend::Sqlite => pool.begin().await,
    }
    .context("starting the read transaction")?;
    let created_at = clock::now_rfc3339();
    let mut tables = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        tables.push(dump_table(&mut tx, backend, table.name, table.key, dir).await?);
    }
    tx.rollback().await.context("ending the read transaction")?;

    files.extend(files::copy_in(config, FileRole::KeyFile, dir)?);
    let manifest = Manifest {
        format: super::FORMAT.to_owned(),
        format_version: super::FORMAT_VERSION,
        assent_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version: catalog::expected_schema_version(backend),
        created_at,
        source_backend: super::backend_name(backend).to_owned(),
        tables,
        files,
        left_out: LEFT_OUT
            .iter()
            .map(|(name, reason)| LeftOut {
                name: (*name).to_owned(),
                reason: (*reason).to_owned(),
            })
            .collect(),
    };
    files::write_manifest(dir, &manifest)?;
    for sub in ["tables", "files", ""] {
        std::fs::File::open(dir.join(sub))
            .and_then(|d| d.sync_all())
            .with_context(|| format!("syncing {}", dir.join(sub).display()))?;
    }
    Ok(manifest)
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// Streams one table's rows, in key order, into its part.
async fn dump_table(
    conn: &mut AnyConnection,
    backend: Backend,
    name: &str,
    key: &str,
    dir: &Path,
) -> anyhow::Result<TablePart> {
    let columns = catalog::columns(conn, backend, name).await?;
    let list: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
    let sql = format!("SELECT {} FROM {} ORDER BY {key}", list.join(", "), quote(name));
    let path = super::table_path(name);
    let mut out = Hashing::new(BufWriter::new(files::create_private(&dir.join(&path))?));
    let mut rows = 0u64;
    let mut stream = sqlx::query(&sql).fetch(&mut *conn);
    while let Some(row) = stream.next().await {
        let row = row.with_context(|| format!("reading {name}"))?;
        let cells = rows::from_row(&row, &columns).with_context(|| format!("reading a row of {name}"))?;
        rows::write_line(&mut out, &cells)?;
        rows += 1;
    }
    drop(stream);
    out.flush()?;
    let (writer, sha256) = out.finish();
    writer
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()
        .with_context(|| format!("writing {path}"))?;
    Ok(TablePart {
        name: name.to_owned(),
        path,
        columns,
        rows,
        sha256,
    })
}
