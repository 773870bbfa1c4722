//! Retention: subjects with no event for `retention_days` are unlinked (side tables only;
//! their pseudonymous events stay and keep verifying).

use super::Ledger;
use crate::clock;

pub async fn run(ledger: &dyn Ledger, retention_days: u64) -> anyhow::Result<u64> {
    if retention_days == 0 {
        return Ok(0);
    }
    let days = i64::try_from(retention_days)?;
    let cutoff = clock::format_rfc3339(time::OffsetDateTime::now_utc() - time::Duration::days(days));
    ledger.unlink_inactive(&cutoff).await
}
