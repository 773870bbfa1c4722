//! Shared application state, handed to handlers as `State<AppState>`.

use crate::admin_auth::AccessCache;
use crate::assets::Bundles;
use crate::auth::LoginLimiter;
use crate::config::Config;
use crate::db::Db;
use crate::keys::Keys;
use crate::ledger::writer::Writer;
use crate::ledger::{Ledger, SiteRecord};
use assent_shared::ids::SiteId;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Per site, the version from which stored choices stay valid, and when it was computed.
pub type LoaderVersions = HashMap<SiteId, (std::time::Instant, LoaderFacts)>;

/// What a site's loader needs before any request of its own (`/embed.js?site=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoaderFacts {
    /// Choices stored under an earlier notice version are asked for again.
    pub consent_valid_from: u32,
    /// The vendor integrations of the latest notice, whose defaults go out before any tag.
    pub integrations: Vec<assent_shared::consent_mode::Integration>,
    /// Whether the latest notice has a `tcf` section (IAB TCF: the loader installs `__tcfapi`).
    pub tcf: bool,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub ledger: Arc<dyn Ledger>,
    /// The site owners' tables (accounts, site settings, drafts, audit log).
    pub db: Db,
    /// Accounts' current access, cached for [`crate::admin_auth::ACCESS_TTL`].
    pub access: Arc<AccessCache>,
    pub login_limiter: Arc<LoginLimiter>,
    /// This process's random id, as it holds leases on periodic jobs.
    pub instance_id: Arc<str>,
    pub writer: Writer,
    /// This process's Prometheus metrics (`GET /metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    pub keys: Arc<Keys>,
    /// The front end's bundles as last built (banner, settings page).
    pub assets: Arc<Bundles>,
    pub notices: Arc<crate::notice_cache::NoticeCache>,
    /// Registered sites, cached: every public API request checks its origin against them.
    pub sites: Arc<RwLock<HashMap<SiteId, SiteRecord>>>,
    /// Per site, the notice version from which stored choices stay valid (for the loader),
    /// with when it was computed: refreshed every few seconds, so a newly published material
    /// change reaches returning visitors at once.
    pub loader_versions: Arc<tokio::sync::Mutex<LoaderVersions>>,
    /// This server's own origin (`http://127.0.0.1:8080`), as the loader and receipts name it.
    pub public_origin: Arc<str>,
    /// The anonymous "banner shown" counter, flushed to the database every few seconds.
    pub impressions: Arc<crate::impressions::Impressions>,
    /// The Global Vendor List in use and each site's share of it (IAB TCF).
    pub gvl: Arc<crate::tcf::cache::GvlCache>,
    /// Port of the demo site's listener, when it runs.
    pub demo_port: Option<u16>,
}

impl AppState {
    /// A registered site, archived or not (the admin API still reads archived sites).
    pub fn site(&self, id: &str) -> Option<SiteRecord> {
        let id = SiteId::parse(id).ok()?;
        self.sites
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&id)
            .cloned()
    }

    /// A site the public API serves: registered and not archived.
    pub fn live_site(&self, id: &str) -> Option<SiteRecord> {
        self.site(id).filter(|s| !s.archived)
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

    /// What a site's loader needs ([`LoaderFacts`]), from its latest notice; cached a few
    /// seconds per site, and the configuration watch clears the cache on any change. While the
    /// database is out, from the latest notice this process read ([`crate::notice_cache::NoticeCache::latest`]).
    pub async fn loader_facts(&self, site: &SiteId) -> anyhow::Result<Option<LoaderFacts>> {
        const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(5);
        if let Some((at, facts)) = self.loader_versions.lock().await.get(site)
            && at.elapsed() < FRESH_FOR
        {
            return Ok(Some(facts.clone()));
        }
        let Some(latest) = self.notices.latest(self.ledger.as_ref(), site).await? else {
            return Ok(None);
        };
        let facts = LoaderFacts {
            consent_valid_from: self
                .notices
                .consent_valid_from(self.ledger.as_ref(), site, latest.version)
                .await?,
            integrations: latest.integrations.clone(),
            tcf: latest.tcf.is_some(),
        };
        self.loader_versions
            .lock()
            .await
            .insert(site.clone(), (std::time::Instant::now(), facts.clone()));
        Ok(Some(facts))
    }
}
