//! Shared application state, handed to handlers as `State<AppState>`.

use crate::assets::BannerAssets;
use crate::config::Config;
use crate::keys::Keys;
use crate::ledger::writer::Writer;
use crate::ledger::{Ledger, SiteRecord};
use assent_shared::ids::SiteId;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// When computed, and per site the version from which stored choices stay valid.
pub type LoaderVersions = (std::time::Instant, HashMap<SiteId, u32>);

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
    /// Per site, the notice version from which stored choices stay valid (for the loader),
    /// with when it was computed: refreshed every few seconds, so a newly published material
    /// change reaches returning visitors at once.
    pub loader_versions: Arc<tokio::sync::Mutex<Option<LoaderVersions>>>,
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
        *self.sites.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        Ok(())
    }

    /// See `loader_versions`.
    pub async fn consent_valid_from_by_site(&self) -> anyhow::Result<HashMap<SiteId, u32>> {
        const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(5);
        let mut cached = self.loader_versions.lock().await;
        if let Some((at, map)) = cached.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(map.clone());
        }
        let ids: Vec<SiteId> = self
            .sites
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        let mut map = HashMap::new();
        for id in ids {
            if let Some(latest) = self.ledger.latest_notice(&id).await? {
                let from = self
                    .notices
                    .consent_valid_from(self.ledger.as_ref(), &id, latest.version)
                    .await?;
                map.insert(id, from);
            }
        }
        *cached = Some((std::time::Instant::now(), map.clone()));
        Ok(map)
    }
}
