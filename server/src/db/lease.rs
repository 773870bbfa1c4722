//! Leases: how a job runs in one process at a time across every process on the database.
//!
//! One row per job in `leases` (name, holder, expires_at). A process takes the lease if it is
//! free or expired, and renews it while it works; a process that dies simply stops renewing,
//! and another takes over once `expires_at` passes. The same SQL on SQLite and PostgreSQL:
//! one conditional upsert, atomic on both, which changes the row only for its holder or after
//! expiry. Times are the processes' clocks (unix ms): they must agree to well within a lease's
//! length, which NTP gives.

use super::Db;
use crate::clock;
use anyhow::Context;
use std::time::Duration;

impl Db {
    /// Takes or renews the lease `name` for `holder` until `ttl` from now. `Ok(true)` while
    /// `holder` has it; `Ok(false)` if another holder's lease has not expired.
    pub async fn hold_lease(&self, name: &str, holder: &str, ttl: Duration) -> anyhow::Result<bool> {
        let now = clock::now_unix_ms();
        let until = now.saturating_add(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
        let changed = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at < $4",
        )
        .bind(name)
        .bind(holder)
        .bind(until)
        .bind(now)
        .execute(&self.pool)
        .await
        .with_context(|| format!("taking the {name} lease"))?
        .rows_affected();
        Ok(changed == 1)
    }
}
