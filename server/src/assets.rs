//! Finds the front end's bundles Trunk built — the banner (`dist/banner/assent-banner-<hash>.js`
//! and `…_bg.wasm`), the privacy-settings page (`dist/settings/assent-settings-<hash>…`) and the
//! site owners' dashboard (`dist/admin/assent-admin-<hash>…`), the last two absent until built,
//! the banner with its TCF layer (`dist/banner-tcf/assent-banner-<hash>…`) and the banner's
//! first-visit bundle (`dist/first-visit/assent-first-visit-<hash>…`) —
//! so `/embed.js`, the hosted settings page and `/admin` name the current hashed files
//! (served under `/assets/<bundle>/`), and the minified loader the build scripts made beside
//! the banner (`dist/loader/embed.js`), if any.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::SystemTime;

pub const LOADER_FILE: &str = "loader/embed.js";

/// The banner's stylesheet (`style/banner.css`) without its comments and indentation. The
/// loader hands it to the banner (`boot.css`): it styles the first layer the server rendered
/// before the wasm arrives, and then every layer the banner draws.
pub fn banner_css() -> &'static str {
    static CSS: LazyLock<String> = LazyLock::new(|| compact_css(include_str!("../../style/banner.css")));
    &CSS
}

/// `css` without `/* … */` comments, leading and trailing spaces of each line and empty
/// lines. Our own stylesheet only: it never writes `/*` inside a string.
fn compact_css(css: &str) -> String {
    let mut plain = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        plain.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    plain.push_str(rest);
    plain
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One of the front end's bundles, each its own Trunk build so a visitor downloads only the
/// one a page needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BundleName {
    Banner,
    /// The banner with its IAB TCF layer (the same code built with the `tcf` feature), sent
    /// only to sites whose notice enables TCF: the others never download that layer.
    BannerTcf,
    /// The banner's consent context without its views (`app/src/first_visit.rs`), run on a
    /// first visit while the loader shows the first layer the server rendered; part of the
    /// banner's build ([`Bundle::first_visit`]).
    FirstVisit,
    Settings,
    /// The site owners' dashboard (`/admin`): never named to visitors.
    Admin,
}

impl BundleName {
    /// Its directory under `dist/`, and so under `/assets/`.
    pub const fn dir(self) -> &'static str {
        match self {
            Self::Banner => "banner",
            Self::BannerTcf => "banner-tcf",
            Self::FirstVisit => "first-visit",
            Self::Settings => "settings",
            Self::Admin => "admin",
        }
    }

    /// How Trunk names its files (`<prefix><hash>.js`, `<prefix><hash>_bg.wasm`).
    const fn prefix(self) -> &'static str {
        match self {
            Self::Banner | Self::BannerTcf => "assent-banner-",
            Self::FirstVisit => "assent-first-visit-",
            Self::Settings => "assent-settings-",
            Self::Admin => "assent-admin-",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub name: BundleName,
    /// The JS glue's file name (in [`BundleName::dir`]).
    pub js: String,
    /// The wasm's file name.
    pub wasm: String,
    /// SHA-256 of the JS glue, the wasm and the banner's built-in words (which the server sends
    /// with the notice): recorded on every event as `banner_build`, it pins the code and texts
    /// a visitor saw (the notice hash pins the notice and its overrides).
    pub build: String,
    /// The minified loader, when the build made one (the banners' only; read with the bundle).
    pub loader: Option<String>,
    /// The banner's first-visit bundle, once built (the plain banner's only): its files are
    /// hashed into this bundle's `build`, since on a first visit it is the code that records.
    pub first_visit: Option<Box<Bundle>>,
}

impl Bundle {
    /// Where `/assets` serves the JS glue: `/assets/<bundle>/<file>`.
    pub fn js_url(&self) -> String {
        format!("/assets/{}/{}", self.name.dir(), self.js)
    }

    /// Where `/assets` serves the wasm.
    pub fn wasm_url(&self) -> String {
        format!("/assets/{}/{}", self.name.dir(), self.wasm)
    }
}

/// Remembers each bundle by its file names and mtime, so its hash is computed once per build.
#[derive(Debug, Default)]
pub struct Bundles {
    cache: Mutex<HashMap<BundleName, (PathBuf, SystemTime, Bundle)>>,
}

impl Bundles {
    /// The newest build of `name` in `dist`, or `None` while it has not been built.
    pub fn find(&self, dist: &Path, name: BundleName) -> std::io::Result<Option<Bundle>> {
        let dir = dist.join(name.dir());
        let Some((js, (wasm, wasm_time))) = newest_files(&dir, name.prefix())? else {
            return Ok(None);
        };
        let first_visit = match name {
            BundleName::Banner => self.find(dist, BundleName::FirstVisit)?.map(Box::new),
            _ => None,
        };
        let wasm_path = dir.join(&wasm);
        let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((path, time, bundle)) = cache.get(&name)
            && *path == wasm_path
            && *time == wasm_time
            && bundle.js == js
            && bundle.first_visit == first_visit
        {
            return Ok(Some(bundle.clone()));
        }
        let mut hasher = Sha256::new();
        hasher.update(std::fs::read(dir.join(&js))?);
        hasher.update(std::fs::read(&wasm_path)?);
        hasher.update(assent_shared::ui_texts::fingerprint().as_bytes());
        // The banner's first layer is shown from the server's rendering until the wasm takes
        // over, styled by the server's stylesheet: their code is part of what was shown.
        if matches!(name, BundleName::Banner | BundleName::BannerTcf) {
            hasher.update(assent_shared::first_layer::SOURCE.as_bytes());
            hasher.update(banner_css().as_bytes());
        }
        if name == BundleName::BannerTcf {
            hasher.update(assent_shared::tcf_texts::fingerprint().as_bytes());
        }
        if let Some(first) = &first_visit {
            hasher.update(first.build.as_bytes());
        }
        let bundle = Bundle {
            name,
            js,
            wasm,
            build: hex::encode(hasher.finalize()),
            loader: match name {
                BundleName::Banner | BundleName::BannerTcf => std::fs::read_to_string(dist.join(LOADER_FILE)).ok(),
                BundleName::FirstVisit | BundleName::Settings | BundleName::Admin => None,
            },
            first_visit,
        };
        cache.insert(name, (wasm_path, wasm_time, bundle.clone()));
        Ok(Some(bundle))
    }
}

/// The newest JS glue and wasm named `<prefix>…` in `dir` (the wasm with its mtime), or
/// `None` until both are there.
fn newest_files(dir: &Path, prefix: &str) -> std::io::Result<Option<(String, (String, SystemTime))>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(None);
    };
    let mut js = None;
    let mut wasm = None;
    for entry in entries {
        let entry = entry?;
        let file = entry.file_name().to_string_lossy().into_owned();
        if !file.starts_with(prefix) {
            continue;
        }
        let modified = entry.metadata()?.modified()?;
        let slot = if file.ends_with("_bg.wasm") {
            &mut wasm
        } else if file.ends_with(".js") {
            &mut js
        } else {
            continue;
        };
        if slot.as_ref().is_none_or(|(_, t)| modified > *t) {
            *slot = Some((file, modified));
        }
    }
    Ok(js.zip(wasm).map(|((js, _), wasm)| (js, wasm)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a bundle's glue and wasm as Trunk names them, `<prefix><hash>.js` and
    /// `…_bg.wasm`, with `content` (plus `" js"` / `" wasm"`) in each.
    fn write_bundle(dist: &Path, name: BundleName, hash: &str, content: &str) {
        let dir = dist.join(name.dir());
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(format!("{}{hash}.js", name.prefix())), format!("{content}js")).expect("write");
        std::fs::write(
            dir.join(format!("{}{hash}_bg.wasm", name.prefix())),
            format!("{content}wasm"),
        )
        .expect("write");
    }

    fn found(assets: &Bundles, dist: &Path, name: BundleName) -> Bundle {
        assets.find(dist, name).expect("scan").expect("bundle")
    }

    /// The plain banner's `build` for the glue and wasm `files` (their contents, in order) and
    /// what else it covers after them (`then`).
    fn banner_build(files: &str, then: &str) -> String {
        let texts = assent_shared::ui_texts::fingerprint();
        let layer = assent_shared::first_layer::SOURCE;
        let css = banner_css();
        hex::encode(Sha256::digest(format!("{files}{texts}{layer}{css}{then}")))
    }

    #[test]
    fn finds_the_hashed_files_and_hashes_their_content() {
        let dist = tempfile::tempdir().expect("tempdir");
        let dir = dist.path().join(BundleName::Banner.dir());
        std::fs::create_dir_all(&dir).expect("mkdir");
        let assets = Bundles::default();
        assert_eq!(assets.find(dist.path(), BundleName::Banner).expect("scan"), None);
        std::fs::write(dir.join("assent-banner-abc.js"), "js").expect("write");
        std::fs::write(dir.join("assent-banner-abc_bg.wasm"), "wasm").expect("write");
        std::fs::write(dir.join("index.html"), "html").expect("write");
        let found = found(&assets, dist.path(), BundleName::Banner);
        assert_eq!(found.js, "assent-banner-abc.js");
        assert_eq!(found.wasm, "assent-banner-abc_bg.wasm");
        assert_eq!(found.js_url(), "/assets/banner/assent-banner-abc.js");
        assert_eq!(found.build, banner_build("jswasm", ""));
        assert_eq!(found.loader, None);
    }

    #[test]
    fn the_first_visit_bundle_is_part_of_the_banner_build_and_a_rebuild_of_it_changes_it() {
        let dist = tempfile::tempdir().expect("tempdir");
        write_bundle(dist.path(), BundleName::Banner, "abc", "");
        let assets = Bundles::default();
        let alone = found(&assets, dist.path(), BundleName::Banner);
        assert_eq!(alone.first_visit, None);

        write_bundle(dist.path(), BundleName::FirstVisit, "1", "first ");
        let with = found(&assets, dist.path(), BundleName::Banner);
        let own = with.first_visit.clone().expect("first-visit bundle");
        assert_eq!(own.wasm_url(), "/assets/first-visit/assent-first-visit-1_bg.wasm");
        assert_ne!(with.build, alone.build);
        assert_eq!(with.build, banner_build("jswasm", &own.build));

        // Only the first-visit bundle rebuilt: the banner's build follows.
        let first = dist.path().join(BundleName::FirstVisit.dir());
        std::fs::remove_file(first.join("assent-first-visit-1.js")).expect("rm");
        std::fs::write(first.join("assent-first-visit-2.js"), "other first js").expect("write");
        let rebuilt = found(&assets, dist.path(), BundleName::Banner);
        assert_ne!(rebuilt.build, with.build);
        assert_eq!(rebuilt.first_visit.expect("bundle").js, "assent-first-visit-2.js");
        // The TCF build never runs it.
        write_bundle(dist.path(), BundleName::BannerTcf, "t", "");
        assert_eq!(found(&assets, dist.path(), BundleName::BannerTcf).first_visit, None);
    }

    #[test]
    fn the_banner_stylesheet_loses_comments_and_indentation_only() {
        assert_eq!(
            compact_css("/* a */\n.a {\n  color: red; /* b\n c */\n}\n\n.b{content:\"\"}\n/* open"),
            ".a {\ncolor: red;\n}\n.b{content:\"\"}"
        );
        let css = banner_css();
        assert!(!css.contains("/*") && css.contains(".assent-banner {"), "{css}");
        assert!(css.len() < include_str!("../../style/banner.css").len());
    }

    #[test]
    fn a_minified_loader_beside_the_bundle_is_picked_up_with_the_next_build() {
        let dist = tempfile::tempdir().expect("tempdir");
        let dir = dist.path().join(BundleName::Banner.dir());
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::create_dir_all(dist.path().join("loader")).expect("mkdir");
        std::fs::write(dist.path().join(LOADER_FILE), "var b=window.__assentBoot;").expect("write");
        std::fs::write(dir.join("assent-banner-def.js"), "js").expect("write");
        std::fs::write(dir.join("assent-banner-def_bg.wasm"), "wasm").expect("write");
        let found = Bundles::default()
            .find(dist.path(), BundleName::Banner)
            .expect("scan")
            .expect("bundle");
        assert_eq!(found.loader.as_deref(), Some("var b=window.__assentBoot;"));
    }

    #[test]
    fn the_settings_bundle_is_found_apart_from_the_banner_and_only_once_built() {
        let dist = tempfile::tempdir().expect("tempdir");
        let assets = Bundles::default();
        let banner = dist.path().join(BundleName::Banner.dir());
        std::fs::create_dir_all(&banner).expect("mkdir");
        std::fs::write(banner.join("assent-banner-abc.js"), "banner js").expect("write");
        std::fs::write(banner.join("assent-banner-abc_bg.wasm"), "banner wasm").expect("write");
        assert!(assets.find(dist.path(), BundleName::Banner).expect("scan").is_some());
        assert_eq!(assets.find(dist.path(), BundleName::Settings).expect("scan"), None);

        let settings = dist.path().join(BundleName::Settings.dir());
        std::fs::create_dir_all(&settings).expect("mkdir");
        // Another bundle's files in its directory are not its own.
        std::fs::write(settings.join("assent-banner-zzz.js"), "stray").expect("write");
        std::fs::write(settings.join("assent-settings-123.js"), "settings js").expect("write");
        assert_eq!(assets.find(dist.path(), BundleName::Settings).expect("scan"), None);
        std::fs::write(settings.join("assent-settings-123_bg.wasm"), "settings wasm").expect("write");
        std::fs::write(settings.join("assent-settings-123_bg.wasm.br"), "br").expect("write");
        let found = assets
            .find(dist.path(), BundleName::Settings)
            .expect("scan")
            .expect("bundle");
        assert_eq!(found.js_url(), "/assets/settings/assent-settings-123.js");
        assert_eq!(found.wasm_url(), "/assets/settings/assent-settings-123_bg.wasm");
        assert_eq!(found.loader, None);
        let banner = assets
            .find(dist.path(), BundleName::Banner)
            .expect("scan")
            .expect("bundle");
        assert_ne!(banner.build, found.build, "each bundle is cached under its own name");
    }
}
