//! A site's notice: the purposes it asks about, their legal bases, vendors, cookies and texts.
//!
//! A published notice version is immutable. What a visitor is shown is its
//! [`LocalizedNotice`] for one language; the ledger records the hash of exactly that view.

use crate::Invalid;
use crate::consent_mode::{ConsentModeType, Integration};
use crate::ids::PurposeKey;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod tcf;
pub use tcf::{
    LEGITIMATE_INTEREST_PURPOSES, MAX_TCF_VENDORS, PublisherRestrictionSetting, Restriction, TCF_PURPOSES, TcfSettings,
};

/// The legal basis a purpose rests on (GDPR Art. 6(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    Consent,
    Contract,
    LegitimateInterests,
    LegalObligation,
}

impl LegalBasis {
    /// Purposes on these bases need no choice from the visitor (shown, locked on).
    pub fn is_necessary(self) -> bool {
        matches!(self, Self::Contract | Self::LegalObligation)
    }
}

/// Where a declared item lives on the visitor's device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StorageKind {
    #[default]
    Cookie,
    LocalStorage,
    SessionStorage,
}

/// A cookie or storage key a vendor sets. `name` may end in `*` to match a prefix; the
/// banner deletes matching items when their purpose is refused or withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Cookie {
    pub name: String,
    pub provider: String,
    pub duration: String,
    #[serde(default)]
    pub storage: StorageKind,
    /// Cookie domain, when the vendor sets it on a parent domain (e.g. `.example.com`).
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    pub name: String,
    #[serde(default)]
    pub privacy_url: Option<String>,
    #[serde(default)]
    pub cookies: Vec<Cookie>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PurposeText {
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    pub key: PurposeKey,
    pub legal_basis: LegalBasis,
    /// Sale, sharing or cross-context advertising: a GPC signal opts out of it.
    #[serde(default)]
    pub gpc_covered: bool,
    /// Sensitive data (e.g. precise location): always opt-in, never bundled.
    #[serde(default)]
    pub sensitive: bool,
    /// Asked for in the cookie banner (device-storage purposes).
    #[serde(default)]
    pub in_banner: bool,
    /// Included in the banner's "Accept all".
    #[serde(default)]
    pub in_accept_all: bool,
    /// Google Consent Mode types this purpose governs.
    #[serde(default)]
    pub consent_mode: Vec<ConsentModeType>,
    /// How long a consent to this purpose lasts before it is asked for again (default 365).
    #[serde(default)]
    pub lifetime_days: Option<u32>,
    #[serde(default)]
    pub data_categories: Vec<String>,
    pub retention: String,
    #[serde(default)]
    pub vendors: Vec<Vendor>,
    /// Texts per language tag; the notice's default language must be present.
    pub texts: BTreeMap<String, PurposeText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeText {
    pub title: String,
    pub body: String,
}

/// Theme keys a notice may set (each becomes `--assent-<key>` in the banner).
pub const THEME_KEYS: &[&str] = &[
    "accent",
    "accent_fg",
    "bg",
    "fg",
    "muted",
    "border",
    "focus",
    "radius",
    "font",
];

/// One version of a site's notice, as the site owner publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub version: u32,
    pub policy_version: String,
    pub policy_url: String,
    pub default_language: String,
    /// Reload the page after a withdrawal (for tags that cannot be stopped otherwise).
    #[serde(default)]
    pub reload_on_withdrawal: bool,
    /// This version changes purposes or vendors materially: choices made under earlier
    /// versions are asked for again.
    #[serde(default)]
    pub material_change: bool,
    /// What changed, per language, shown when asking again.
    #[serde(default)]
    pub change_summary: BTreeMap<String, String>,
    /// The banner's look: `accent`, `accent_fg`, `bg`, `fg`, `muted`, `border`, `focus`,
    /// `radius`, `font` → CSS values (system fonts only: nothing is fetched).
    #[serde(default)]
    pub theme: BTreeMap<String, String>,
    /// Overrides of the banner's own words, per language: `{"en": {"accept_all": "Allow all"}}`.
    #[serde(default)]
    pub ui_texts: BTreeMap<String, BTreeMap<String, String>>,
    pub texts: BTreeMap<String, NoticeText>,
    pub purposes: Vec<Purpose>,
    /// Vendors whose own consent APIs the loader signals, from the Consent Mode state the
    /// purposes map ([`Integration`]). Left out of the hashed notice when empty, so notices
    /// published before it existed keep their hashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub integrations: Vec<Integration>,
    /// IAB TCF for this site ([`TcfSettings`]); absent, the site does not use TCF. Left out
    /// of the hashed notice when absent, so notices without it keep their hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcf: Option<TcfSettings>,
}

/// A purpose as shown in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalizedPurpose {
    pub key: PurposeKey,
    pub legal_basis: LegalBasis,
    pub gpc_covered: bool,
    pub sensitive: bool,
    pub in_banner: bool,
    pub in_accept_all: bool,
    pub consent_mode: Vec<ConsentModeType>,
    pub lifetime_days: Option<u32>,
    pub title: String,
    pub description: String,
    pub data_categories: Vec<String>,
    pub retention: String,
    pub vendors: Vec<Vendor>,
}

impl LocalizedPurpose {
    /// The visitor can switch this purpose on or off in the banner.
    pub fn is_choosable(&self) -> bool {
        self.in_banner && self.legal_basis == LegalBasis::Consent
    }
}

/// Exactly what a visitor is shown: the notice in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalizedNotice {
    pub version: u32,
    pub policy_version: String,
    pub policy_url: String,
    pub language: String,
    pub reload_on_withdrawal: bool,
    pub material_change: bool,
    pub change_summary: Option<String>,
    pub theme: BTreeMap<String, String>,
    pub ui_texts: BTreeMap<String, String>,
    pub title: String,
    pub body: String,
    pub purposes: Vec<LocalizedPurpose>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub integrations: Vec<Integration>,
    /// The notice's TCF section, as published: the vendors disclosed are part of what was
    /// shown, and so of the hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcf: Option<TcfSettings>,
}

/// The CSS functions a theme value may call: colours and arithmetic, none of which loads
/// anything. `url()`, `image-set()`, `image()`, `cross-fade()` and `src()` would fetch before
/// any consent, which nothing Assent shows may do.
const THEME_FUNCTIONS: &[&str] = &[
    "",
    "rgb",
    "rgba",
    "hsl",
    "hsla",
    "hwb",
    "lab",
    "lch",
    "oklab",
    "oklch",
    "color",
    "color-mix",
    "light-dark",
    "calc",
    "min",
    "max",
    "clamp",
    "var",
];

/// Whether every function `value` calls (an identifier right before `(`; a bare `(` groups
/// inside `calc()`) is one of [`THEME_FUNCTIONS`], in any letter case.
fn theme_calls_only_safe_functions(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.match_indices('(').all(|(at, _)| {
        let name_start = lower[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(0, |p| p + 1);
        THEME_FUNCTIONS.contains(&&lower[name_start..at])
    })
}

/// Checks where the banner's *Privacy policy* link may point: a path on the site (`/privacy`)
/// or an `http(s)://` URL, at most 2,048 characters, without spaces or control characters.
/// Anything else (`javascript:`, `//host`, `/\host`, which browsers read as another host)
/// is refused: the banner renders it as a link.
pub fn check_policy_url(url: &str) -> Result<(), Invalid> {
    check_link("policy_url", url)
}

/// [`check_policy_url`]'s rule for any link a notice carries, reported at `field` (a vendor's
/// `privacy_url` too: it is published to every visitor and shown as a link by the settings).
fn check_link(field: &str, url: &str) -> Result<(), Invalid> {
    let path = url.starts_with('/') && !url.starts_with("//") && !url.starts_with("/\\");
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    let clean = !url.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if url.len() <= 2048 && clean && (path || absolute) {
        Ok(())
    } else {
        Err(Invalid::new(
            field,
            "a path on the site (/privacy) or an http(s) URL, without spaces or backslashes",
        ))
    }
}

/// Checks that every key of a per-language map is a language tag: 1–35 letters, digits and
/// `-`, starting with a letter (the shape of RFC 5646 tags: `de`, `pt-BR`, `zh-Hant-TW`). A
/// key holding `.` or `[` would also make the paths of lint findings ambiguous.
/// A cookie or storage key name as the banner matches it for deletion: an RFC 6265 §4.1.1
/// token (no separators, spaces or controls), optionally ending in `*` for a prefix.
fn check_cookie_name(field: &str, name: &str) -> Result<(), Invalid> {
    let stem = name.strip_suffix('*').unwrap_or(name);
    let token = |c: char| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?={}".contains(c);
    if stem.is_empty() || name.len() > 200 || !stem.chars().all(token) {
        return Err(Invalid::new(
            field,
            "a cookie or storage key name: letters, digits and - _ . ! # $ % & ' * + ^ ` | ~ (a trailing * matches a prefix)",
        ));
    }
    Ok(())
}

fn check_language_keys<'a>(field: &str, keys: impl IntoIterator<Item = &'a String>) -> Result<(), Invalid> {
    let is_tag = |key: &str| {
        key.len() <= 35
            && key.starts_with(|c: char| c.is_ascii_alphabetic())
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    match keys.into_iter().find(|key| !is_tag(key)) {
        Some(key) => Err(Invalid::new(
            field,
            format!("{key:?} is not a language tag (such as en or pt-BR)"),
        )),
        None => Ok(()),
    }
}

impl Notice {
    /// Checks what the type system cannot: unique purpose keys, texts in the default
    /// language, language tags as the keys of every per-language map, and that only consent
    /// purposes are bundled into "Accept all".
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.version == 0 {
            return Err(Invalid::new("version", "must be 1 or more"));
        }
        check_policy_url(&self.policy_url)?;
        check_language_keys("texts", self.texts.keys())?;
        check_language_keys("change_summary", self.change_summary.keys())?;
        check_language_keys("ui_texts", self.ui_texts.keys())?;
        if !self.texts.contains_key(&self.default_language) {
            return Err(Invalid::new(
                "texts",
                format!("missing the default language {:?}", self.default_language),
            ));
        }
        for (key, value) in &self.theme {
            if !THEME_KEYS.contains(&key.as_str()) {
                return Err(Invalid::new(
                    "theme",
                    format!("unknown key {key:?}; use one of {}", THEME_KEYS.join(", ")),
                ));
            }
            // A value is one declaration's value: nothing that could end it or load anything.
            let safe = value.len() <= 120
                && !value.contains([';', '{', '}', '<', '>', '\\'])
                && theme_calls_only_safe_functions(value);
            if !safe {
                return Err(Invalid::new(
                    format!("theme.{key}"),
                    "not an allowed CSS value: one value, without ; { } < > \\, calling no CSS function \
                     but colours and arithmetic (rgb(), hsl(), oklch(), color-mix(), calc(), var(), …): \
                     url(), image-set() and the like would load something before consent",
                ));
            }
        }
        for (lang, overrides) in &self.ui_texts {
            if let Some(key) = overrides
                .keys()
                .find(|k| !crate::ui_texts::keys().any(|known| known == k.as_str()))
            {
                return Err(Invalid::new(
                    format!("ui_texts.{lang}"),
                    format!("unknown text {key:?}"),
                ));
            }
        }
        if self.purposes.is_empty() {
            return Err(Invalid::new("purposes", "a notice needs at least one purpose"));
        }
        let mut seen = BTreeSet::new();
        for (i, p) in self.purposes.iter().enumerate() {
            let field = format!("purposes[{i}]");
            if !seen.insert(p.key.as_str()) {
                return Err(Invalid::new(
                    field,
                    format!("duplicate purpose key {:?}", p.key.as_str()),
                ));
            }
            if !p.texts.contains_key(&self.default_language) {
                return Err(Invalid::new(field, "missing texts in the default language"));
            }
            check_language_keys(&format!("{field}.texts"), p.texts.keys())?;
            if p.lifetime_days == Some(0) {
                return Err(Invalid::new(
                    format!("{field}.lifetime_days"),
                    "must be 1 or more days (empty: the default, 365)",
                ));
            }
            for (j, vendor) in p.vendors.iter().enumerate() {
                let at = format!("{field}.vendors[{j}]");
                if vendor.name.trim().is_empty() {
                    return Err(Invalid::new(
                        format!("{at}.name"),
                        "a vendor needs its name: visitors are told who",
                    ));
                }
                if let Some(url) = &vendor.privacy_url {
                    check_link(&format!("{at}.privacy_url"), url)?;
                }
                for (k, cookie) in vendor.cookies.iter().enumerate() {
                    check_cookie_name(&format!("{at}.cookies[{k}].name"), &cookie.name)?;
                }
            }
            if p.legal_basis.is_necessary() && !p.consent_mode.is_empty() {
                return Err(Invalid::new(field, "necessary purposes map to no Consent Mode type"));
            }
            if p.in_accept_all && (p.legal_basis != LegalBasis::Consent || p.sensitive || !p.in_banner) {
                return Err(Invalid::new(
                    field,
                    "only non-sensitive consent purposes shown in the banner may be part of Accept all",
                ));
            }
        }
        if let Some(tcf) = &self.tcf {
            tcf.validate()?;
        }
        Ok(())
    }

    /// The best language this notice offers for what the visitor asked ([`negotiate`] over
    /// its languages), else its default.
    pub fn negotiate_language(&self, requested: Option<&str>) -> &str {
        negotiate(requested, self.texts.keys().map(String::as_str)).unwrap_or(&self.default_language)
    }

    pub fn localize(&self, requested: Option<&str>) -> LocalizedNotice {
        let language = self.negotiate_language(requested).to_owned();
        let pick_notice = self
            .texts
            .get(&language)
            .or_else(|| self.texts.get(&self.default_language));
        let (title, body) = pick_notice
            .map(|t| (t.title.clone(), t.body.clone()))
            .unwrap_or_default();
        let ui_texts = self.ui_texts.get(&language).cloned().unwrap_or_default();
        let change_summary = self
            .change_summary
            .get(&language)
            .or_else(|| self.change_summary.get(&self.default_language))
            .cloned();
        let purposes = self
            .purposes
            .iter()
            .map(|p| {
                let text = p.texts.get(&language).or_else(|| p.texts.get(&self.default_language));
                let (title, description) = text
                    .map(|t| (t.title.clone(), t.description.clone()))
                    .unwrap_or_default();
                LocalizedPurpose {
                    key: p.key.clone(),
                    legal_basis: p.legal_basis,
                    gpc_covered: p.gpc_covered,
                    sensitive: p.sensitive,
                    in_banner: p.in_banner,
                    in_accept_all: p.in_accept_all,
                    consent_mode: p.consent_mode.clone(),
                    lifetime_days: p.lifetime_days,
                    title,
                    description,
                    data_categories: p.data_categories.clone(),
                    retention: p.retention.clone(),
                    vendors: p.vendors.clone(),
                }
            })
            .collect();
        LocalizedNotice {
            version: self.version,
            policy_version: self.policy_version.clone(),
            policy_url: self.policy_url.clone(),
            language,
            reload_on_withdrawal: self.reload_on_withdrawal,
            material_change: self.material_change,
            change_summary,
            theme: self.theme.clone(),
            ui_texts,
            title,
            body,
            purposes,
            integrations: self.integrations.clone(),
            tcf: self.tcf.clone(),
        }
    }
}

impl LocalizedNotice {
    pub fn purpose(&self, key: &PurposeKey) -> Option<&LocalizedPurpose> {
        self.purposes.iter().find(|p| &p.key == key)
    }
}

/// The best of `available` for what a visitor asked: one tag (`de-AT`) or their whole
/// ordered list, as `navigator.languages` joined by commas or an `Accept-Language` header
/// (`nl-NL, nl;q=0.9, de;q=0.8, en;q=0.5`). Each tag is tried in order of preference (its
/// `q`, then its place; `q=0` and `*` are skipped): exact (any case), then its primary subtag
/// (`de-AT` → `de`), then another tag with that primary subtag (`pt-PT` → `pt-BR`); the first
/// that matches wins, else `None`. So a visitor reading Dutch, then German, gets German where
/// there is no Dutch — not the default. Source: RFC 9110 §12.5.4 (Accept-Language), RFC 4647
/// §3.4 (lookup).
pub fn negotiate<'a, I>(requested: Option<&str>, available: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let available = available.into_iter();
    let mut ranked: Vec<(u16, &str)> = requested
        .unwrap_or_default()
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), |q| {
                    q.trim()
                        .parse::<f32>()
                        .ok()
                        .map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16)
                })?;
            (q > 0 && !tag.is_empty() && tag != "*").then_some((q, tag))
        })
        .collect();
    // Stable: equal weights keep the visitor's order.
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    ranked.iter().find_map(|(_, tag)| match_tag(tag, available.clone()))
}

/// The language of `available` for one tag, if there is one: exact, primary subtag, sibling.
fn match_tag<'a>(requested: &str, available: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let req = requested.replace('_', "-");
    let primary = |tag: &str| tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
    let wanted = primary(&req);
    let tags = || available.clone();
    tags()
        .find(|tag| tag.eq_ignore_ascii_case(&req))
        .or_else(|| tags().find(|tag| tag.eq_ignore_ascii_case(&wanted)))
        .or_else(|| tags().find(|tag| primary(tag) == wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(title: &str) -> PurposeText {
        PurposeText {
            title: title.into(),
            description: format!("{title} description"),
        }
    }

    fn purpose(key: &str, basis: LegalBasis, in_accept_all: bool) -> Purpose {
        Purpose {
            key: PurposeKey::parse(key).expect("valid key"),
            legal_basis: basis,
            gpc_covered: false,
            sensitive: false,
            in_banner: true,
            in_accept_all,
            consent_mode: vec![],
            lifetime_days: None,
            data_categories: vec![],
            retention: "13 months".into(),
            vendors: vec![],
            texts: BTreeMap::from([("en".into(), text(key)), ("de".into(), text(&format!("{key} (de)")))]),
        }
    }

    fn notice() -> Notice {
        Notice {
            version: 1,
            policy_version: "2025-10".into(),
            policy_url: "https://example.com/privacy".into(),
            default_language: "en".into(),
            reload_on_withdrawal: false,
            material_change: false,
            change_summary: BTreeMap::new(),
            theme: BTreeMap::new(),
            ui_texts: BTreeMap::new(),
            texts: BTreeMap::from([
                (
                    "en".into(),
                    NoticeText {
                        title: "Cookies".into(),
                        body: "We use cookies.".into(),
                    },
                ),
                (
                    "de".into(),
                    NoticeText {
                        title: "Cookies (de)".into(),
                        body: "Wir nutzen Cookies.".into(),
                    },
                ),
            ]),
            purposes: vec![
                purpose("necessary", LegalBasis::Contract, false),
                purpose("analytics", LegalBasis::Consent, true),
            ],
            integrations: vec![],
            tcf: None,
        }
    }

    #[test]
    fn a_well_formed_notice_validates() {
        assert_eq!(notice().validate(), Ok(()));
    }

    /// A notice without TCF serializes as before the section existed (its hash is unchanged:
    /// `canonical`'s frozen vectors), and one with it carries it into what is shown.
    #[test]
    fn the_tcf_section_is_optional_checked_and_shown() {
        let plain = serde_json::to_value(notice().localize(Some("en"))).expect("json");
        assert!(plain.get("tcf").is_none(), "{plain}");
        let mut n = notice();
        n.tcf = Some(TcfSettings {
            vendors: vec![2, 2],
            publisher_restrictions: vec![],
            stacks: vec![],
        });
        assert_eq!(n.validate().expect_err("twice").field, "tcf.vendors[1]");
        n.tcf = Some(TcfSettings {
            vendors: vec![8, 2],
            publisher_restrictions: vec![],
            stacks: vec![],
        });
        assert_eq!(n.validate(), Ok(()));
        assert_eq!(n.localize(None).tcf, n.tcf);
        let read: Notice = serde_json::from_value(serde_json::to_value(&n).expect("json")).expect("notice");
        assert_eq!(read, n);
    }

    #[test]
    fn duplicate_purpose_keys_are_refused() {
        let mut n = notice();
        n.purposes.push(purpose("analytics", LegalBasis::Consent, false));
        let err = n.validate().expect_err("duplicate");
        assert!(err.reason.contains("duplicate"), "{err}");
    }

    /// The `notice` fuzz target checks that each lint finding's path leads into the notice; a
    /// language keyed `e[n` made `texts.e[n` point into an array that is not there.
    #[test]
    fn every_per_language_map_is_keyed_by_language_tags() {
        let mut n = notice();
        n.texts.insert("zh-Hant-TW".into(), n.texts["en"].clone());
        n.change_summary.insert("pt-BR".into(), "Neu".into());
        assert_eq!(n.validate(), Ok(()));
        for bad in ["e[n", "de.DE", "", "1en", "en_GB", &"x".repeat(36)] {
            let mut t = notice();
            t.texts.insert(bad.into(), t.texts["en"].clone());
            assert_eq!(t.validate().map_err(|e| e.field), Err("texts".into()), "{bad:?}");
            let mut p = notice();
            p.purposes[1].texts.insert(bad.into(), text("x"));
            assert_eq!(
                p.validate().map_err(|e| e.field),
                Err("purposes[1].texts".into()),
                "{bad:?}"
            );
            let mut c = notice();
            c.change_summary.insert(bad.into(), "x".into());
            assert_eq!(
                c.validate().map_err(|e| e.field),
                Err("change_summary".into()),
                "{bad:?}"
            );
            let mut u = notice();
            u.ui_texts.insert(bad.into(), BTreeMap::new());
            assert_eq!(u.validate().map_err(|e| e.field), Err("ui_texts".into()), "{bad:?}");
        }
    }

    #[test]
    fn a_theme_takes_known_keys_and_plain_values_only() {
        let mut n = notice();
        n.theme.insert("accent".into(), "#0b6e4f".into());
        assert_eq!(n.validate(), Ok(()));
        n.theme
            .insert("accent".into(), "red; background: url(https://x)".into());
        assert_eq!(n.validate().expect_err("unsafe").field, "theme.accent");
        for loads in [
            r#"image-set("https://x/a.png" 1x)"#,
            "-webkit-image-set(url(a.png) 1x)",
            "URL(https://x)",
            "cross-fade(red, blue)",
            r#"src("https://x")"#,
            "var(--x, image(red))",
        ] {
            n.theme.insert("accent".into(), loads.into());
            assert_eq!(n.validate().expect_err(loads).field, "theme.accent", "{loads}");
        }
        for plain in [
            "oklch(60% 0.15 150)",
            "color-mix(in srgb, RGB(0 0 0) 40%, white)",
            "calc(4px * (2 + 1))",
        ] {
            n.theme.insert("accent".into(), plain.into());
            assert_eq!(n.validate(), Ok(()), "{plain}");
        }
        n.theme.clear();
        n.theme.insert("shadow".into(), "none".into());
        assert!(n.validate().expect_err("unknown").reason.contains("unknown key"));
    }

    #[test]
    fn ui_text_overrides_name_known_texts_only() {
        let mut n = notice();
        n.ui_texts
            .insert("en".into(), BTreeMap::from([("accept_all".into(), "Allow all".into())]));
        assert_eq!(n.validate(), Ok(()));
        assert_eq!(n.localize(Some("en")).ui_texts["accept_all"], "Allow all");
        assert!(n.localize(Some("de")).ui_texts.is_empty());
        n.ui_texts
            .insert("de".into(), BTreeMap::from([("acept_all".into(), "x".into())]));
        assert_eq!(n.validate().expect_err("typo").field, "ui_texts.de");
    }

    /// A vendor's privacy link is published to every visitor: the policy link's rule applies.
    #[test]
    fn a_vendor_privacy_url_is_a_path_or_an_http_url() {
        let vendor = |url: &str| Vendor {
            name: "X".into(),
            privacy_url: Some(url.into()),
            cookies: vec![],
        };
        let mut n = notice();
        n.purposes[1].vendors = vec![vendor("https://x.example/privacy")];
        assert_eq!(n.validate(), Ok(()));
        for bad in [
            "javascript:alert(1)",
            "//evil.example",
            "data:text/html,x",
            "https://x .example",
        ] {
            n.purposes[1].vendors = vec![vendor("https://x.example/privacy"), vendor(bad)];
            let err = n.validate().expect_err(bad);
            assert_eq!(err.field, "purposes[1].vendors[1].privacy_url", "{bad}");
        }
    }

    /// What the banner would show empty or could not delete is refused where it is typed.
    #[test]
    fn vendors_need_a_name_cookies_a_token_name_and_a_lifetime_is_a_day_or_more() {
        let cookie = |name: &str| Cookie {
            name: name.into(),
            provider: "X".into(),
            duration: "1 day".into(),
            storage: StorageKind::Cookie,
            domain: None,
            path: None,
        };
        let vendor = |name: &str, cookies: Vec<Cookie>| Vendor {
            name: name.into(),
            privacy_url: None,
            cookies,
        };
        let mut n = notice();
        n.purposes[1].vendors = vec![vendor(
            "Analytics Inc.",
            vec![cookie("_ga"), cookie("_ga_*"), cookie("a.b-c")],
        )];
        assert_eq!(n.validate(), Ok(()));
        n.purposes[1].vendors = vec![vendor(" ", vec![])];
        assert_eq!(n.validate().expect_err("nameless").field, "purposes[1].vendors[0].name");
        for bad in ["", "*", "a;b=c", "a b", "x\u{7f}", "é"] {
            n.purposes[1].vendors = vec![vendor("V", vec![cookie("ok"), cookie(bad)])];
            let err = n.validate().expect_err(bad);
            assert_eq!(err.field, "purposes[1].vendors[0].cookies[1].name", "{bad:?}");
        }
        n.purposes[1].vendors.clear();
        n.purposes[1].lifetime_days = Some(0);
        assert_eq!(n.validate().expect_err("zero").field, "purposes[1].lifetime_days");
        n.purposes[1].lifetime_days = Some(1);
        assert_eq!(n.validate(), Ok(()));
    }

    #[test]
    fn a_necessary_purpose_cannot_be_part_of_accept_all() {
        let mut n = notice();
        n.purposes[0].in_accept_all = true;
        assert_eq!(n.validate().expect_err("bundled").field, "purposes[0]");
    }

    #[test]
    fn a_list_of_languages_negotiates_like_a_notice_but_may_find_none() {
        let page = ["en", "de", "pt", "ar"];
        assert_eq!(negotiate(Some("de-CH, en;q=0.5"), page), Some("de"));
        assert_eq!(negotiate(Some("pt-BR"), page), Some("pt"));
        assert_eq!(negotiate(Some("nl;q=0.9, ar;q=0.8"), page), Some("ar"));
        assert_eq!(negotiate(Some("nl, ja"), page), None);
        assert_eq!(negotiate(None, page), None);
    }

    #[test]
    fn languages_negotiate_exact_then_primary_then_default() {
        let n = notice();
        assert_eq!(n.negotiate_language(Some("de")), "de");
        assert_eq!(n.negotiate_language(Some("de-AT")), "de");
        assert_eq!(n.negotiate_language(Some("fr")), "en");
        assert_eq!(n.negotiate_language(Some("DE")), "de");
        let mut pt = notice();
        pt.texts.insert(
            "pt-BR".into(),
            NoticeText {
                title: "t".into(),
                body: "b".into(),
            },
        );
        assert_eq!(pt.negotiate_language(Some("pt-PT")), "pt-BR");
        assert_eq!(pt.negotiate_language(Some("pt_br")), "pt-BR");
        assert_eq!(n.negotiate_language(None), "en");
    }

    #[test]
    fn the_whole_ordered_list_is_negotiated_not_only_its_first_tag() {
        let n = notice();
        // navigator.languages joined: Dutch first, which the notice lacks, then German.
        assert_eq!(n.negotiate_language(Some("nl-NL,nl,de-DE,de,en")), "de");
        // Accept-Language with weights, out of order.
        assert_eq!(n.negotiate_language(Some("en;q=0.5, nl-NL, de;q=0.8, nl;q=0.9")), "de");
        // q=0 means "not this one"; `*` adds nothing; garbage weights are skipped.
        assert_eq!(n.negotiate_language(Some("de;q=0, fr, *")), "en");
        assert_eq!(n.negotiate_language(Some("de;q=abc, en-GB")), "en");
        // Equal weights keep the visitor's order.
        assert_eq!(n.negotiate_language(Some("de-CH;q=0.7, en;q=0.7")), "de");
        assert_eq!(n.negotiate_language(Some(" , ;q=1, ")), "en");
    }

    #[test]
    fn localizing_picks_the_texts_of_the_negotiated_language() {
        let view = notice().localize(Some("de-CH"));
        assert_eq!(view.language, "de");
        assert_eq!(view.title, "Cookies (de)");
        assert_eq!(view.purposes[1].title, "analytics (de)");
    }
}
