//! The SQLite side: one file, WAL with `synchronous=FULL` so a committed batch survives a
//! crash, and a busy timeout for the rare second process.

use super::{Backend, SqlLedger};
use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::{Connection, Executor};
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
    create_private(Path::new(path))?;
    let url = if url.contains('?') {
        url.to_owned()
    } else {
        format!("{url}?mode=rwc")
    };
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(timeout)
        .after_release(|conn, _meta| {
            Box::pin(async move {
                // SQLite itself may end a whole transaction when one of its statements fails
                // with SQLITE_FULL, _IOERR, _NOMEM or _BUSY. sqlx's ROLLBACK then fails and sqlx
                // still counts the transaction as open, so its next BEGIN on this connection
                // would be a SAVEPOINT, and a failed one after it would leave a transaction open
                // for good: every later commit on the connection acknowledged, none written.
                // The ping runs the rollback queued when the transaction was dropped; a
                // connection still counted in a transaction after it is closed, not reused.
                conn.ping().await?;
                let clean = !conn.is_in_transaction();
                if !clean {
                    tracing::warn!("closing a SQLite connection whose transaction SQLite ended by itself");
                }
                Ok(clean)
            })
        })
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

/// Creates a missing database file readable by its owner only: it holds password hashes and
/// webhook secrets. SQLite gives its `-wal` and `-shm` files the same mode. An existing file
/// (or an in-memory database) is left as it is.
fn create_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if path.as_os_str().is_empty() || path.starts_with(":memory:") || path.exists() {
        return Ok(());
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err).with_context(|| format!("creating database file {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, Executor};

    #[tokio::test]
    async fn a_new_database_and_its_log_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("new.db");
        let url = format!("sqlite://{}", file.display());
        let pool = super::connect(&url, std::time::Duration::from_secs(5))
            .await
            .expect("connect")
            .db()
            .pool;
        pool.execute("UPDATE config_version SET version = version + 1")
            .await
            .expect("write");
        for path in [file.clone(), dir.path().join("new.db-wal")] {
            let mode = std::fs::metadata(&path).expect("exists").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", path.display());
        }
        pool.close().await;
    }

    /// SQLite ends the whole transaction when a one-row `INSERT` finds no page (SQLITE_FULL);
    /// a connection that went through that must come back from the pool outside any
    /// transaction, and what is committed on it must be seen by another connection.
    #[tokio::test]
    async fn a_transaction_sqlite_ended_by_itself_leaves_no_connection_inside_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = super::connect(&url, std::time::Duration::from_secs(5))
            .await
            .expect("connect")
            .db()
            .pool;
        let max = pool.options().get_max_connections();
        pool.execute("CREATE TABLE grows (b BLOB)").await.expect("table");
        let mut held = Vec::new();
        for _ in 0..max {
            held.push(pool.acquire().await.expect("acquire"));
        }
        for conn in &mut held {
            conn.execute("PRAGMA max_page_count = 1").await.expect("limit");
            let mut tx = conn.begin().await.expect("begin");
            let full = tx.execute("INSERT INTO grows VALUES (zeroblob(16384))").await;
            assert!(full.is_err(), "the page limit refuses the row");
            drop(tx);
            conn.execute("PRAGMA max_page_count = 1073741823").await.expect("lift");
        }
        drop(held);

        let mut held = Vec::new();
        for _ in 0..max {
            held.push(pool.acquire().await.expect("acquire"));
        }
        for (i, conn) in held.iter_mut().enumerate() {
            assert!(
                !conn.is_in_transaction(),
                "connection {i} is still counted in a transaction"
            );
            let mut tx = conn.begin().await.expect("begin");
            tx.execute(format!("UPDATE config_version SET version = version + {}", i + 1).as_str())
                .await
                .expect("update");
            tx.commit().await.expect("commit");
        }
        let mut other = sqlx::AnyConnection::connect(&url).await.expect("another connection");
        let version: i64 = sqlx::query_scalar("SELECT version FROM config_version")
            .fetch_one(&mut other)
            .await
            .expect("read");
        let added: i64 = (1..=i64::from(max)).sum();
        assert!(
            version >= added,
            "commits seen elsewhere: version {version}, at least {added}"
        );
    }
}
