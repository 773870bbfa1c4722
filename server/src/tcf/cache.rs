//! The Global Vendor List each process serves from: the highest version stored, parsed once
//! per version ([`GvlCache::reload`], run at start and whenever the configuration version
//! moves, which storing a new version does), and each site's trimmed, localized answer,
//! serialized once per (site, notice version, list version, language).

use crate::db::Db;
use anyhow::Context;
use assent_shared::ids::SiteId;
use assent_shared::signals::tcf::gvl::{Translation, VendorList};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// The list in use: `vendor-list.json` of the highest stored version and the translations
/// stored with it, keyed by IAB's language code (`fr`, `pt-br`).
#[derive(Debug)]
pub struct LoadedGvl {
    pub list: VendorList,
    pub translations: BTreeMap<String, Translation>,
}

/// A site's answer, ready to send: the JSON body and its entity tag.
#[derive(Debug)]
pub struct ServedGvl {
    pub body: String,
    /// `"…"`: the first 128 bits of the body's SHA-256, in hex.
    pub etag: String,
}

impl ServedGvl {
    pub fn new(body: String) -> Self {
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(body.as_bytes()))[..32]);
        Self { body, etag }
    }
}

/// (site, notice version, vendorListVersion, "translation|language": the list's texts and the
/// layer's words).
pub type ServedKey = (SiteId, u32, u16, String);

/// Answers kept before the map is emptied (a bound against many sites × languages).
const MAX_SERVED: usize = 4096;

#[derive(Debug, Default)]
pub struct GvlCache {
    current: RwLock<Option<Arc<LoadedGvl>>>,
    /// What `current` was loaded from: the version and its stored languages.
    loaded_from: Mutex<Option<(u16, Vec<String>)>>,
    served: Mutex<HashMap<ServedKey, Arc<ServedGvl>>>,
    /// Held through a whole reload: two at once (a refresh and the configuration poll) could
    /// otherwise finish out of order and leave the older version in use.
    reloading: tokio::sync::Mutex<()>,
}

impl GvlCache {
    /// The list in use, if one was ever stored.
    pub fn current(&self) -> Option<Arc<LoadedGvl>> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Loads the highest stored version if it (or its set of languages) is not the one held.
    /// Files were checked before they were stored; one that no longer parses (an Assent
    /// older than the one that stored it) is logged and left out, and the list held stays.
    pub async fn reload(&self, db: &Db) -> anyhow::Result<()> {
        let _one_at_a_time = self.reloading.lock().await;
        let Some(stored) = db.gvl_current().await? else {
            return Ok(());
        };
        if self.loaded_from.lock().unwrap_or_else(PoisonError::into_inner).as_ref() == Some(&stored) {
            return Ok(());
        }
        let files = db.gvl_files(stored.0).await?;
        // Parsing a full list (about 1.5 MB) takes milliseconds: off the async threads.
        let loaded = tokio::task::spawn_blocking(move || {
            let mut list = None;
            let mut translations = BTreeMap::new();
            for file in files {
                if file.language == "en" {
                    list = Some(VendorList::parse(&file.body).context("stored vendor-list.json")?);
                } else {
                    match Translation::parse(&file.body) {
                        Ok(t) => {
                            translations.insert(file.language, t);
                        }
                        Err(err) => tracing::error!(language = %file.language, error = %err, "a stored GVL translation does not parse; left out"),
                    }
                }
            }
            let list = list.context("the stored version has no vendor-list.json")?;
            anyhow::Ok(LoadedGvl { list, translations })
        })
        .await
        .context("parsing the stored GVL")??;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(loaded));
        *self.loaded_from.lock().unwrap_or_else(PoisonError::into_inner) = Some(stored);
        self.served.lock().unwrap_or_else(PoisonError::into_inner).clear();
        Ok(())
    }

    /// The answer for `key`, made by `make` the first time.
    pub fn served<E>(&self, key: ServedKey, make: impl FnOnce() -> Result<ServedGvl, E>) -> Result<Arc<ServedGvl>, E> {
        if let Some(hit) = self.served.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok(hit.clone());
        }
        let made = Arc::new(make()?);
        let mut served = self.served.lock().unwrap_or_else(PoisonError::into_inner);
        if served.len() >= MAX_SERVED {
            served.clear();
        }
        served.insert(key, made.clone());
        Ok(made)
    }
}
