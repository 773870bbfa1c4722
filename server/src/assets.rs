//! Finds the banner bundle Trunk built (`dist/banner/assent-banner-<hash>.js` and
//! `…_bg.wasm`), so `/embed.js` can name the current hashed files.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

pub const BANNER_DIR: &str = "banner";
const PREFIX: &str = "assent-banner-";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerBundle {
    pub js: String,
    pub wasm: String,
    /// SHA-256 of the JS glue and the wasm: recorded on every event as `banner_build`.
    pub build: String,
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
        let bundle = BannerBundle {
            js,
            wasm,
            build: hex::encode(hasher.finalize()),
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
        assert_eq!(found.build, hex::encode(Sha256::digest(b"jswasm")));
    }
}
