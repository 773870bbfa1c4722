//! The anonymous "banner shown" counter: counted in memory per (site, UTC day, regime) and
//! added to `banner_impressions` every few seconds by each process, so a page view costs no
//! database write. Nothing about the visitor is kept — not even in memory.

use crate::db::Db;
use assent_shared::ids::SiteId;
use assent_shared::regime::Regime;
use assent_shared::wire_name;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// How often each process adds its counts to the database.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);

type Counts = BTreeMap<(String, String, String), u64>;

#[derive(Debug, Default)]
pub struct Impressions {
    pending: Mutex<Counts>,
}

impl Impressions {
    /// One banner shown to a visitor with no stored choice, now.
    pub fn count(&self, site: &SiteId, regime: Regime) {
        let day = crate::clock::now_rfc3339().get(..10).unwrap_or_default().to_owned();
        let key = (site.to_string(), day, wire_name(&regime));
        *self
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key)
            .or_default() += 1;
    }

    /// Writes the counts gathered so far; on failure they are kept for the next attempt.
    pub async fn flush(&self, db: &Db) -> anyhow::Result<()> {
        let taken = std::mem::take(&mut *self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        if taken.is_empty() {
            return Ok(());
        }
        if let Err(err) = db.add_impressions(&taken).await {
            let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            for (key, n) in taken {
                *pending.entry(key).or_default() += n;
            }
            return Err(err);
        }
        Ok(())
    }
}
