//! Leases for periodic jobs: each job runs in one process at a time across every process on
//! the same database. A process takes or renews a job's lease with one conditional upsert
//! (atomic on SQLite and PostgreSQL alike); whoever holds an unexpired lease runs the job.

use super::Db;
use crate::clock;
use anyhow::Context;

impl Db {
    /// Takes the lease on `job` for `holder` until `ttl` from now, if it is free, expired, or
    /// already `holder`'s. Returns whether `holder` now holds it.
    pub async fn try_lease(&self, job: &str, holder: &str, ttl: time::Duration) -> anyhow::Result<bool> {
        let now = time::OffsetDateTime::now_utc();
        let done = sqlx::query(
            "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE job_leases.holder = excluded.holder OR job_leases.expires_at < $4",
        )
        .bind(job)
        .bind(holder)
        .bind(clock::format_rfc3339(now + ttl))
        .bind(clock::format_rfc3339(now))
        .execute(&self.pool)
        .await
        .with_context(|| format!("taking the lease on {job}"))?;
        Ok(done.rows_affected() == 1)
    }
}
