//! The SQLite side: one file, WAL with `synchronous=FULL` so a committed batch survives a
//! crash, and a busy timeout for the rare second process.

use super::{Backend, SqlLedger};
use anyhow::Context;
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;
use std::path::Path;

/// The SQLite schema's migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub async fn connect(url: &str, timeout: std::time::Duration) -> anyhow::Result<SqlLedger> {
    sqlx::any::install_default_drivers();
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating database directory {}", dir.display()))?;
    }
    let url = if url.contains('?') {
        url.to_owned()
    } else {
        format!("{url}?mode=rwc")
    };
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(timeout)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                    .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .with_context(|| format!("opening SQLite database {path}"))?;
    MIGRATOR.run(&pool).await.context("running SQLite migrations")?;
    Ok(SqlLedger::new(pool, Backend::Sqlite))
}
