//! Telling a database outage from a bug. The database may be out of reach (no connection in
//! time, a broken one, no answer), full, or refusing writes (a read-only file or mount,
//! `PRAGMA query_only`, a PostgreSQL standby): none of these is Assent's fault and each
//! passes once the operator acts, so each is answered `503 database_unavailable` with
//! `Retry-After`, and the request may be sent again with the same ids (recorded once).
//! [`Outage`] says which, for the log, `/readyz` and the answer's `details.reason`.

/// Why the database cannot take a request now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// No connection within `db_timeout_ms`, a broken connection, no answer within the
    /// bound on a batch, an I/O error, or (SQLite) a lock another process holds too long.
    Unreachable,
    /// The database cannot grow: its disk is full (SQLite `SQLITE_FULL`, also its page
    /// limit; PostgreSQL `53100`).
    StorageFull,
    /// The database refuses writes (SQLite `SQLITE_READONLY`; PostgreSQL `25006`, a
    /// standby or a read-only transaction). Reads still work.
    ReadOnly,
}

impl Outage {
    /// `details.reason` of the 503: `unreachable`, `storage_full` or `read_only`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::StorageFull => "storage_full",
            Self::ReadOnly => "read_only",
        }
    }

    /// What the client is told (no detail of the deployment beyond the kind).
    pub fn message(self) -> &'static str {
        match self {
            Self::Unreachable => "the database is not answering; try again in a moment",
            Self::StorageFull => "the database has no room to record this (its storage is full); try again later",
            Self::ReadOnly => "the database accepts no writes at the moment (it is read-only); try again later",
        }
    }

    /// What `/readyz` says, for an operator.
    pub fn readiness(self) -> &'static str {
        match self {
            Self::Unreachable => "the database is not reachable",
            Self::StorageFull => "the database refuses writes: it is full (free disk space, or raise its limit)",
            Self::ReadOnly => "the database refuses writes: it is read-only (a read-only file or mount, or a standby)",
        }
    }
}

/// The error that carries an [`Outage`] through `anyhow` chains (the group-commit writer
/// raises it when a batch outlives its bound).
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.message())]
pub struct DatabaseUnavailable(pub Outage);

/// The outage `err` reports, if it is one rather than a failed statement or a bug.
pub fn outage(err: &anyhow::Error) -> Option<Outage> {
    err.chain().find_map(|cause| {
        if let Some(DatabaseUnavailable(kind)) = cause.downcast_ref() {
            return Some(*kind);
        }
        match cause.downcast_ref::<sqlx::Error>()? {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => {
                Some(Outage::Unreachable)
            }
            sqlx::Error::Database(db) => db.code().as_deref().and_then(by_code),
            _ => None,
        }
    })
}

/// SQLSTATEs are five characters; SQLite's (extended) result codes are numbers below 10 000,
/// whose low byte is the primary code.
fn by_code(code: &str) -> Option<Outage> {
    if code.len() == 5 {
        return match code {
            "53100" => Some(Outage::StorageFull),
            "25006" => Some(Outage::ReadOnly),
            // Connection exceptions; shutting down or starting; out of connections or memory.
            c if c.starts_with("08") => Some(Outage::Unreachable),
            "57P01" | "57P02" | "57P03" | "53000" | "53200" | "53300" => Some(Outage::Unreachable),
            _ => None,
        };
    }
    match code.parse::<u32>().ok()? & 0xff {
        13 => Some(Outage::StorageFull),
        8 => Some(Outage::ReadOnly),
        // SQLITE_BUSY after busy_timeout, SQLITE_IOERR, SQLITE_CANTOPEN.
        5 | 10 | 14 => Some(Outage::Unreachable),
        _ => None,
    }
}

/// Below this much space left on its file system, a SQLite database counts as full: the
/// write-ahead log grows at commits, which the rolled-back probe below never reaches.
pub const SQLITE_MIN_FREE_BYTES: u64 = 1 << 20;

/// A write that is always rolled back: a table is created and a row of a few pages put in
/// it, so a database that refuses writes or cannot grow says so (a read-only one at the
/// first statement; a full one where it must find pages it does not have). On SQLite, first
/// the free space of the database's file system ([`SQLITE_MIN_FREE_BYTES`]): a disk that
/// fills under the write-ahead log is otherwise seen only at a commit.
pub(super) async fn write_probe(pool: &sqlx::AnyPool, backend: super::Backend) -> anyhow::Result<()> {
    use anyhow::Context;
    if backend == super::Backend::Sqlite
        && let Some(free) = sqlite_free_space(pool).await?
        && free < SQLITE_MIN_FREE_BYTES
    {
        return Err(anyhow::Error::from(DatabaseUnavailable(Outage::StorageFull))
            .context(format!("{free} bytes left on the database's file system")));
    }
    let [create, fill] = match backend {
        super::Backend::Sqlite => [
            "CREATE TABLE assent_write_probe (b BLOB)",
            "INSERT INTO assent_write_probe VALUES (zeroblob(16384))",
        ],
        super::Backend::Postgres => [
            "CREATE TABLE assent_write_probe (b bytea)",
            "INSERT INTO assent_write_probe VALUES (decode(repeat('ff', 16384), 'hex'))",
        ],
    };
    let mut tx = pool.begin().await.context("starting the write probe")?;
    for sql in [create, fill] {
        sqlx::query(sql).execute(&mut *tx).await.context("write probe")?;
    }
    tx.rollback().await.context("rolling the write probe back")?;
    Ok(())
}

/// Bytes the server may still write on the file system of a SQLite database's file (`None`
/// for an in-memory database).
async fn sqlite_free_space(pool: &sqlx::AnyPool) -> anyhow::Result<Option<u64>> {
    use anyhow::Context;
    let file: String = sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .fetch_one(pool)
        .await
        .context("finding the database file")?;
    let Some(dir) = std::path::Path::new(&file).parent().filter(|_| !file.is_empty()) else {
        return Ok(None);
    };
    let stat = rustix::fs::statvfs(dir).with_context(|| format!("free space of {}", dir.display()))?;
    Ok(Some(stat.f_bavail.saturating_mul(stat.f_frsize)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Executor;

    async fn sqlite_error(setup: &str) -> anyhow::Error {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect("sqlite::memory:")
            .await
            .expect("memory database");
        conn.execute("CREATE TABLE t (b BLOB)").await.expect("table");
        conn.execute(setup).await.expect("setup");
        let err = conn
            .execute("INSERT INTO t VALUES (zeroblob(65536))")
            .await
            .expect_err("the write is refused");
        anyhow::Error::from(err).context("appending")
    }

    #[tokio::test]
    async fn the_free_space_of_a_sqlite_file_is_read_and_an_in_memory_one_has_none() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("f.db").display());
        let file = sqlx::AnyPool::connect(&url).await.expect("file database");
        let free = sqlite_free_space(&file).await.expect("free space").expect("a file");
        let stat = rustix::fs::statvfs(dir.path()).expect("statvfs");
        assert!(free > 0 && free <= stat.f_blocks * stat.f_frsize, "{free}");
        let memory = sqlx::AnyPool::connect("sqlite::memory:").await.expect("memory");
        assert_eq!(sqlite_free_space(&memory).await.expect("free space"), None);
    }

    #[tokio::test]
    async fn sqlite_refusals_are_told_apart_from_bugs() {
        let full = sqlite_error("PRAGMA max_page_count = 1").await;
        assert_eq!(outage(&full), Some(Outage::StorageFull), "{full:#}");
        let read_only = sqlite_error("PRAGMA query_only = ON").await;
        assert_eq!(outage(&read_only), Some(Outage::ReadOnly), "{read_only:#}");
        let syntax = anyhow::Error::from(sqlx::Error::Protocol("bad".into()));
        assert_eq!(outage(&syntax), None);
    }

    #[test]
    fn postgresql_states_and_sqlite_extended_codes_are_classified() {
        for (code, kind) in [
            ("53100", Some(Outage::StorageFull)),
            ("25006", Some(Outage::ReadOnly)),
            ("08006", Some(Outage::Unreachable)),
            ("57P01", Some(Outage::Unreachable)),
            ("23505", None),
            ("1032", Some(Outage::ReadOnly)),
            ("778", Some(Outage::Unreachable)),
            ("19", None),
            ("2067", None),
        ] {
            assert_eq!(by_code(code), kind, "{code}");
        }
    }

    #[test]
    fn the_kind_survives_context() {
        let err = anyhow::Error::from(DatabaseUnavailable(Outage::ReadOnly)).context("publishing");
        assert_eq!(outage(&err), Some(Outage::ReadOnly));
    }
}
