//! Finds the banner bundle Trunk built (`dist/banner/assent-banner-<hash>.js` and
//! `…_bg.wasm`), so `/embed.js` can name the current hashed files, and the minified loader
//! the build scripts made beside it (`dist/loader/embed.js`), if any.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

pub const BANNER_DIR: &str = "banner";
pub const LOADER_FILE: &str = "loader/embed.js";
const PREFIX: &str = "assent-banner-";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerBundle {
    pub js: String,
    pub wasm: String,
    /// SHA-256 of the JS glue, the wasm and the banner's built-in words (which the server sends
    /// with the notice): recorded on every event as `banner_build`, it pins the banner's code
    /// and texts a visitor saw (the notice hash pins the notice and its overrides).
    pub build: String,
    /// The minified loader, when the build made one (read with the bundle).
    pub loader: Option<String>,
}

/// Remembers the last bundle by its file names and mtime, so the hash is computed once per build.
#[derive(Debug, Default)]
pub struct BannerAssets {
    cache: Mutex<Option<(PathBuf, SystemTime, BannerBundle)>>,
}

impl BannerAssets {
    pub fn find(&self, dist: &Path) -> std::io::Result<Option<BannerBundle>> {
        let dir = dist.join(BANNER_DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(None);
        };
        let mut js = None;
        let mut wasm = None;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with(PREFIX) {
                continue;
            }
            let modified = entry.metadata()?.modified()?;
            let slot = if name.ends_with("_bg.wasm") {
                &mut wasm
            } else if name.ends_with(".js") {
                &mut js
            } else {
                continue;
            };
            if slot.as_ref().is_none_or(|(_, t)| modified > *t) {
                *slot = Some((name, modified));
            }
        }
        let (Some((js, _)), Some((wasm, wasm_time))) = (js, wasm) else {
            return Ok(None);
        };
        let wasm_path = dir.join(&wasm);
        let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((path, time, bundle)) = cache.as_ref()
            && *path == wasm_path
            && *time == wasm_time
            && bundle.js == js
        {
            return Ok(Some(bundle.clone()));
        }
        let mut hasher = Sha256::new();
        hasher.update(std::fs::read(dir.join(&js))?);
        hasher.update(std::fs::read(&wasm_path)?);
        hasher.update(assent_shared::ui_texts::fingerprint().as_bytes());
        let bundle = BannerBundle {
            js,
            wasm,
            build: hex::encode(hasher.finalize()),
            loader: std::fs::read_to_string(dist.join(LOADER_FILE)).ok(),
        };
        *cache = Some((wasm_path, wasm_time, bundle.clone()));
        Ok(Some(bundle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_hashed_files_and_hashes_their_content() {
        let dist = tempfile::tempdir().expect("tempdir");
        let dir = dist.path().join(BANNER_DIR);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let assets = BannerAssets::default();
        assert_eq!(assets.find(dist.path()).expect("scan"), None);
        std::fs::write(dir.join("assent-banner-abc.js"), "js").expect("write");
        std::fs::write(dir.join("assent-banner-abc_bg.wasm"), "wasm").expect("write");
        std::fs::write(dir.join("index.html"), "html").expect("write");
        let found = assets.find(dist.path()).expect("scan").expect("bundle");
        assert_eq!(found.js, "assent-banner-abc.js");
        assert_eq!(found.wasm, "assent-banner-abc_bg.wasm");
        let texts = assent_shared::ui_texts::fingerprint();
        assert_eq!(found.build, hex::encode(Sha256::digest(format!("jswasm{texts}"))));
        assert_eq!(found.loader, None);
    }

    #[test]
    fn a_minified_loader_beside_the_bundle_is_picked_up_with_the_next_build() {
        let dist = tempfile::tempdir().expect("tempdir");
        let dir = dist.path().join(BANNER_DIR);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::create_dir_all(dist.path().join("loader")).expect("mkdir");
        std::fs::write(dist.path().join(LOADER_FILE), "var b=window.__assentBoot;").expect("write");
        std::fs::write(dir.join("assent-banner-def.js"), "js").expect("write");
        std::fs::write(dir.join("assent-banner-def_bg.wasm"), "wasm").expect("write");
        let found = BannerAssets::default()
            .find(dist.path())
            .expect("scan")
            .expect("bundle");
        assert_eq!(found.loader.as_deref(), Some("var b=window.__assentBoot;"));
    }
}
