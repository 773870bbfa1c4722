//! Shared application state, handed to handlers as `State<AppState>`.

use crate::assets::BannerAssets;
use crate::config::Config;
use crate::keys::Keys;
use crate::ledger::writer::Writer;
use crate::ledger::{Ledger, SiteRecord};
use assent_shared::ids::SiteId;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub ledger: Arc<dyn Ledger>,
    pub writer: Writer,
    pub keys: Arc<Keys>,
    pub assets: Arc<BannerAssets>,
    pub notices: Arc<crate::notice_cache::NoticeCache>,
    /// Registered sites, cached: every public API request checks its origin against them.
    pub sites: Arc<RwLock<HashMap<SiteId, SiteRecord>>>,
    /// Current notice version per site: the loader compares a stored choice against it.
    pub notice_versions: Arc<RwLock<HashMap<SiteId, u32>>>,
    /// This server's own origin (`http://127.0.0.1:8080`), as the loader and receipts name it.
    pub public_origin: Arc<str>,
    /// Port of the demo site's listener, when it runs.
    pub demo_port: Option<u16>,
}

impl AppState {
    pub fn site(&self, id: &str) -> Option<SiteRecord> {
        let id = SiteId::parse(id).ok()?;
        self.sites
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&id)
            .cloned()
    }

    pub async fn reload_sites(&self) -> anyhow::Result<()> {
        let fresh: HashMap<_, _> = self
            .ledger
            .sites()
            .await?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let mut versions = HashMap::new();
        for id in fresh.keys() {
            if let Some(notice) = self.ledger.latest_notice(id).await? {
                versions.insert(id.clone(), notice.version);
            }
        }
        *self.sites.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        *self
            .notice_versions
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = versions;
        Ok(())
    }
}
