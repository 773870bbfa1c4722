//! Published notices are immutable, so each version (and each language's hash) is read and
//! computed once per process instead of on every recorded decision. The latest version of
//! each site read last is kept too, so a banner can still be shown while the database is out.

use crate::ledger::Ledger;
use assent_shared::canonical::notice_hash;
use assent_shared::ids::SiteId;
use assent_shared::notice::{LocalizedNotice, Notice};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

/// A notice as a visitor saw it: the localized view, its hash, and the banner's own words
/// in that language with the notice's overrides applied.
#[derive(Debug)]
pub struct ShownNotice {
    pub notice: LocalizedNotice,
    pub hash: String,
    pub texts: BTreeMap<String, String>,
}

impl ShownNotice {
    /// `notice` in `language` (one it has: see `Notice::negotiate_language`), uncached — for
    /// a draft, whose version number is not yet a published one's.
    pub fn of(notice: &Notice, language: &str) -> anyhow::Result<Self> {
        let localized = notice.localize(Some(language));
        Ok(Self {
            hash: notice_hash(&localized)?,
            texts: assent_shared::ui_texts::resolve(&localized.language, &localized.ui_texts),
            notice: localized,
        })
    }
}

#[derive(Debug, Default)]
pub struct NoticeCache {
    versions: Mutex<HashMap<(SiteId, u32), Arc<Notice>>>,
    shown: Mutex<HashMap<(SiteId, u32, String), Arc<ShownNotice>>>,
    /// The latest version of each site, as last read from the database.
    latest: Mutex<HashMap<SiteId, Arc<Notice>>>,
}

impl NoticeCache {
    /// The latest published version of `site`, read from the database; while the database is
    /// out of reach, full or read-only, the one this process read last (a publication since
    /// would have reached it through the configuration version, polled from the same
    /// database, so it is at most as old as the outage). `None` if none was ever published;
    /// an outage before any read is an error.
    pub async fn latest(&self, ledger: &dyn Ledger, site: &SiteId) -> anyhow::Result<Option<Arc<Notice>>> {
        match ledger.latest_notice(site).await {
            Ok(found) => {
                let found = found.map(Arc::new);
                let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
                match &found {
                    Some(notice) => latest.insert(site.clone(), notice.clone()),
                    None => latest.remove(site),
                };
                Ok(found)
            }
            Err(err) => {
                let kept = crate::ledger::outage(&err).and_then(|_| {
                    self.latest
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get(site)
                        .cloned()
                });
                match kept {
                    Some(notice) => {
                        tracing::warn!(error = %err, site = %site, version = notice.version, "serving the notice last read: the database is out");
                        Ok(Some(notice))
                    }
                    None => Err(err),
                }
            }
        }
    }

    /// The published version, or `None` if it was never published.
    pub async fn version(
        &self,
        ledger: &dyn Ledger,
        site: &SiteId,
        version: u32,
    ) -> anyhow::Result<Option<Arc<Notice>>> {
        let key = (site.clone(), version);
        if let Some(hit) = self.versions.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok(Some(hit.clone()));
        }
        let Some(notice) = ledger.notice(site, version).await? else {
            return Ok(None);
        };
        let notice = Arc::new(notice);
        self.versions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, notice.clone());
        Ok(Some(notice))
    }

    /// The latest version up to `latest` that changed things materially (version 1 counts):
    /// choices made under an earlier version must be asked for again.
    pub async fn consent_valid_from(&self, ledger: &dyn Ledger, site: &SiteId, latest: u32) -> anyhow::Result<u32> {
        let mut v = latest;
        while v > 1 {
            if self.version(ledger, site, v).await?.is_some_and(|n| n.material_change) {
                return Ok(v);
            }
            v -= 1;
        }
        Ok(1)
    }

    /// The version in the best language for `requested` (keyed by the negotiated language, so
    /// arbitrary input cannot grow the cache).
    pub fn shown(&self, site: &SiteId, notice: &Notice, requested: Option<&str>) -> anyhow::Result<Arc<ShownNotice>> {
        let language = notice.negotiate_language(requested).to_owned();
        let key = (site.clone(), notice.version, language.clone());
        if let Some(hit) = self.shown.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok(hit.clone());
        }
        let shown = Arc::new(ShownNotice::of(notice, &language)?);
        self.shown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, shown.clone());
        Ok(shown)
    }
}
