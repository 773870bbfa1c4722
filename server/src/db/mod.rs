//! The site owners' side of the database: accounts and roles ([`accounts`]), site settings,
//! secrets and notice drafts ([`sites`]), and the audit log ([`audit`]); and the identity
//! links sites make between subjects and their accounts ([`identity`]). The consent events
//! stay behind [`crate::ledger::Ledger`]; this is mutable side data on the same database.
//!
//! Writes that belong together (a site, its starter notice, its secret, its owner and the
//! audit entry) run in one transaction through [`in_transaction!`], which retries the whole
//! transaction when another process won a race (SQLite busy, a unique-key collision on the
//! audit chain head, a PostgreSQL serialization failure).

/// Runs `$body` (an expression using `$tx: &mut AnyConnection`, returning
/// `anyhow::Result<T>`) in a transaction and commits; retries it from the start, up to 8
/// times, when the failure was a race with another writer. A macro rather than a method
/// taking an async closure: the handler's future must stay `Send`, which an async closure
/// borrowing the connection cannot yet promise.
macro_rules! in_transaction {
    ($db:expr, |$tx:ident| $body:expr) => {{
        let mut attempt = 0u64;
        loop {
            attempt += 1;
            // SQLite: the write lock at BEGIN (waiting `busy_timeout`), as the ledger's appends
            // take it. A deferred transaction that reads first fails at once with
            // SQLITE_BUSY_SNAPSHOT when another connection wrote in between.
            let mut transaction = match $db.backend {
                $crate::ledger::Backend::Sqlite => $db.pool.begin_with("BEGIN IMMEDIATE").await,
                $crate::ledger::Backend::Postgres => $db.pool.begin().await,
            }
            .map_err(anyhow::Error::from)?;
            let result = {
                let $tx: &mut sqlx::AnyConnection = &mut transaction;
                $body
            };
            let result = match result {
                Ok(value) => transaction.commit().await.map(|()| value).map_err(anyhow::Error::from),
                Err(err) => Err(err),
            };
            match result {
                Err(err) if attempt < 8 && $crate::ledger::is_retryable(&err) => {
                    tokio::time::sleep(std::time::Duration::from_millis(3 * attempt)).await;
                }
                other => break other,
            }
        }
    }};
}

pub mod accounts;
pub mod audit;
pub mod audit_anchor;
pub mod gvl;
pub mod identity;
pub mod lease;
pub mod settings;
pub mod sites;
pub mod stats;
pub mod webhooks;

use crate::ledger::Backend;
use anyhow::Context;
use sqlx::AnyPool;

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

impl Db {
    pub fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    /// The configuration version every process polls (see [`crate::ledger::bump_config_version`]).
    pub async fn config_version(&self) -> anyhow::Result<i64> {
        sqlx::query_scalar("SELECT version FROM config_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .context("reading the configuration version")
    }
}
