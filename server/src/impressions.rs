//! The anonymous "banner shown" counter: counted in memory per (site, UTC day, regime) and
//! added to `banner_impressions` every few seconds by each process, so a page view costs no
//! database write. Nothing about the visitor is stored; in memory, a rate limiter keyed by
//! client address and site (forgotten within minutes) bounds how far one client can inflate
//! the count, and only requests a browser makes from a page (with an `Origin` the site
//! registered — the CORS layer refuses others) are counted, so `<img>` tags and `no-cors`
//! requests planted on other sites count nothing.

use crate::db::Db;
use assent_shared::ids::SiteId;
use assent_shared::regime::Regime;
use assent_shared::wire_name;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

/// How often each process adds its counts to the database.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);

type Counts = BTreeMap<(String, String, String), u64>;

/// Banners one client address may add per site and minute (also the burst): more than a
/// person browsing, far less than a script.
pub const PER_CLIENT_PER_MINUTE: u32 = 12;

#[derive(Debug)]
pub struct Impressions {
    pending: Mutex<Counts>,
    per_client: DefaultKeyedRateLimiter<(IpAddr, SiteId)>,
}

impl Default for Impressions {
    fn default() -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(PER_CLIENT_PER_MINUTE).unwrap_or(NonZeroU32::MIN));
        Self {
            pending: Mutex::default(),
            per_client: RateLimiter::keyed(quota),
        }
    }
}

impl Impressions {
    /// One banner shown to a visitor with no stored choice, now, from `client`; not counted
    /// past [`PER_CLIENT_PER_MINUTE`] for this client and site.
    pub fn count(&self, site: &SiteId, regime: Regime, client: IpAddr) {
        if self.per_client.check_key(&(client, site.clone())).is_err() {
            return;
        }
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
    /// Also forgets clients the rate limiter no longer needs.
    pub async fn flush(&self, db: &Db) -> anyhow::Result<()> {
        self.per_client.retain_recent();
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
