//! A dark-pattern and quality lint for notices: what [`Notice::validate`] lets through but a
//! site owner must fix before publishing (errors) or should know about (warnings).
//!
//! Each rule is one function below, named after the `code` of its findings, with its source.
//! The lint expects a notice that validates and does not repeat those checks.

mod contrast;

use crate::consent::DEFAULT_LIFETIME_DAYS;
use crate::consent_mode::ConsentModeType;
use crate::notice::{LegalBasis, Notice, StorageKind};
use crate::ui_texts;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How serious a finding is: an `Error` refuses publication, a `Warning` is shown only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The notice may not be published as it is.
    Error,
    /// Shown to the site owner; publication goes ahead.
    Warning,
}

/// One problem the lint found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The rule, as a stable snake_case id, e.g. `low_contrast`.
    pub code: String,
    pub severity: Severity,
    /// JSON path into the notice, e.g. `purposes[2].lifetime_days`, `theme.accent`,
    /// `ui_texts.de.reject_all`.
    pub field: String,
    /// Plain English a site owner can act on.
    pub message: String,
}

impl Finding {
    fn new(code: &str, severity: Severity, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            severity,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The longest a consent may last before it is asked for again, in days: 13 months.
pub const MAX_LIFETIME_DAYS: u32 = 395;

/// Lints `notice` for a site serving `languages` (tags such as `de` or `pt-BR`; every one must
/// have texts). Pass the notice's own `texts` keys when the site declares none. Returns one
/// finding per problem, rule by rule in notice order; empty when there is nothing to fix.
pub fn lint(notice: &Notice, languages: &[String]) -> Vec<Finding> {
    let languages: BTreeSet<&str> = languages.iter().map(String::as_str).collect();
    [
        prechecked_consent(notice),
        legitimate_interest_storage(notice),
        contrast::check(&notice.theme),
        missing_translation(notice, &languages),
        lifetime_too_long(notice),
        cookie_conflict(notice),
        reject_label_weight(notice, &languages),
        purpose_without_effect(notice),
        integration_without_mapping(notice),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `prechecked_consent` (error): a consent purpose granted before the visitor chose anything.
/// A notice has no per-purpose default: the banner starts every switch off and records nothing
/// before a choice (opt-out regimes' defaults come from the law, not from the notice). The one
/// thing on by default is Consent Mode's `security_storage`, granted before any choice and
/// whatever is chosen (`consent_mode::update`, the loader's `gtag('consent', 'default', …)`),
/// so a consent purpose that governs it is consented to in advance, at each such mapping.
/// Source: GDPR Art. 4(11) and 7(1); CJEU C-673/17 *Planet49* (a pre-ticked box is not consent).
fn prechecked_consent(notice: &Notice) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (i, p) in notice.purposes.iter().enumerate() {
        if p.legal_basis != LegalBasis::Consent {
            continue;
        }
        for (j, _) in p
            .consent_mode
            .iter()
            .enumerate()
            .filter(|(_, t)| **t == ConsentModeType::SecurityStorage)
        {
            findings.push(Finding::new(
                "prechecked_consent",
                Severity::Error,
                format!("purposes[{i}].consent_mode[{j}]"),
                format!(
                    "\"{}\" rests on consent but governs security_storage, which is granted before and \
                     regardless of any choice, so it would be consented to in advance. Remove security_storage \
                     from it.",
                    p.key
                ),
            ));
        }
    }
    findings
}

/// `legitimate_interest_storage` (error): a purpose on legitimate interests that stores or reads
/// on the visitor's device: its vendors declare cookies or storage keys, it governs Consent Mode
/// types (all of which are about storage), or it is shown in the cookie banner (which asks only
/// about device storage). Only consent, or strict necessity, allows that.
/// Source: ePrivacy Directive 2002/58/EC Art. 5(3); EDPB Guidelines 2/2023 on its technical scope.
fn legitimate_interest_storage(notice: &Notice) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (i, p) in notice.purposes.iter().enumerate() {
        if p.legal_basis != LegalBasis::LegitimateInterests {
            continue;
        }
        let reasons: Vec<&str> = [
            (
                p.vendors.iter().any(|v| !v.cookies.is_empty()),
                "its vendors declare cookies or storage keys",
            ),
            (!p.consent_mode.is_empty(), "it governs Consent Mode types"),
            (p.in_banner, "it is shown in the cookie banner"),
        ]
        .into_iter()
        .filter_map(|(applies, reason)| applies.then_some(reason))
        .collect();
        if !reasons.is_empty() {
            findings.push(Finding::new(
                "legitimate_interest_storage",
                Severity::Error,
                format!("purposes[{i}].legal_basis"),
                format!(
                    "\"{}\" rests on legitimate interests, but {}: storing or reading on a visitor's device needs \
                     consent unless strictly necessary. Base it on consent, or keep it off the device.",
                    p.key,
                    reasons.join(" and ")
                ),
            ));
        }
    }
    findings
}

/// `missing_translation` (error): the notice, a purpose, or the summary of a material change
/// without texts in one of the site's languages, so that its visitors would read the default
/// language instead. A language counts as served when the notice negotiates it to a tag with the
/// same primary subtag (`de-AT` → `de`), and a purpose or summary must then have that exact tag,
/// as localizing looks it up. Vendors carry no texts in this model.
/// Source: GDPR Art. 7(2) and 12(1) (clear and plain language); Article 29 WP Guidelines on
/// transparency (WP260 rev.01, endorsed by the EDPB) §13: the languages of the audience addressed.
fn missing_translation(notice: &Notice, languages: &BTreeSet<&str>) -> Vec<Finding> {
    let primary = |tag: &str| tag.split(['-', '_']).next().unwrap_or(tag).to_ascii_lowercase();
    let blank = |text: &str| text.trim().is_empty();
    let mut findings = Vec::new();
    let mut missing = |field: String, what: &str, lang: &str, empty: bool| {
        let problem = if empty { "an empty text" } else { "no text" };
        findings.push(Finding::new(
            "missing_translation",
            Severity::Error,
            field,
            format!("{what} has {problem} in \"{lang}\", one of the site's languages: write it."),
        ));
    };
    for lang in languages {
        let served = notice.negotiate_language(Some(lang));
        let tag = if primary(served) == primary(lang) {
            served
        } else {
            missing(format!("texts.{lang}"), "The notice", lang, false);
            lang
        };
        if let Some(text) = notice.texts.get(tag).filter(|t| blank(&t.title) || blank(&t.body)) {
            let field = if blank(&text.title) { "title" } else { "body" };
            missing(format!("texts.{tag}.{field}"), "The notice", tag, true);
        }
        for (i, p) in notice.purposes.iter().enumerate() {
            match p.texts.get(tag) {
                None => missing(
                    format!("purposes[{i}].texts.{tag}"),
                    &format!("Purpose \"{}\"", p.key),
                    tag,
                    false,
                ),
                Some(text) if blank(&text.title) || blank(&text.description) => {
                    let field = if blank(&text.title) { "title" } else { "description" };
                    missing(
                        format!("purposes[{i}].texts.{tag}.{field}"),
                        &format!("Purpose \"{}\"", p.key),
                        tag,
                        true,
                    );
                }
                Some(_) => {}
            }
        }
        if notice.material_change && !notice.change_summary.is_empty() {
            match notice.change_summary.get(tag) {
                None => missing(
                    format!("change_summary.{tag}"),
                    "The summary of what changed",
                    tag,
                    false,
                ),
                Some(text) if blank(text) => missing(
                    format!("change_summary.{tag}"),
                    "The summary of what changed",
                    tag,
                    true,
                ),
                Some(_) => {}
            }
        }
    }
    findings
}

/// `lifetime_too_long` (error): a consent purpose whose consent lasts more than
/// [`MAX_LIFETIME_DAYS`] before it is asked for again (unset means [`DEFAULT_LIFETIME_DAYS`]).
/// Source: CNIL guidelines and recommendation on cookies and other trackers (2020): a choice is
/// kept 13 months at most; EDPB Guidelines 05/2020 on consent §110: refresh it at intervals.
fn lifetime_too_long(notice: &Notice) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (i, p) in notice.purposes.iter().enumerate() {
        let days = p.lifetime_days.unwrap_or(DEFAULT_LIFETIME_DAYS);
        if p.legal_basis == LegalBasis::Consent && days > MAX_LIFETIME_DAYS {
            findings.push(Finding::new(
                "lifetime_too_long",
                Severity::Error,
                format!("purposes[{i}].lifetime_days"),
                format!(
                    "A consent to \"{}\" lasts {days} days; ask again after {MAX_LIFETIME_DAYS} days (13 months) at \
                     most.",
                    p.key
                ),
            ));
        }
    }
    findings
}

/// `cookie_conflict` (error): one device item declared under two different purposes, so a
/// refusal of one would not stop it, and the banner would delete it when the other is refused.
/// Items are the same when their storage kind matches and their names overlap: equal, or one
/// ends in `*` and the other starts with what precedes it (the banner deletes by that prefix).
/// The finding is at each later declaration. Source: GDPR Art. 4(11) (consent is specific) and
/// EDPB Guidelines 05/2020 on consent §3.2 (granularity per purpose).
fn cookie_conflict(notice: &Notice) -> Vec<Finding> {
    let overlap = |a: &str, b: &str| match (a.strip_suffix('*'), b.strip_suffix('*')) {
        (None, None) => a == b,
        (Some(prefix), None) => b.starts_with(prefix),
        (None, Some(prefix)) => a.starts_with(prefix),
        (Some(p), Some(q)) => p.starts_with(q) || q.starts_with(p),
    };
    let mut seen: Vec<(usize, &str, StorageKind)> = Vec::new();
    let mut findings = Vec::new();
    for (i, p) in notice.purposes.iter().enumerate() {
        for (v, vendor) in p.vendors.iter().enumerate() {
            for (c, cookie) in vendor.cookies.iter().enumerate() {
                let first = seen
                    .iter()
                    .find(|(j, name, storage)| *j != i && *storage == cookie.storage && overlap(name, &cookie.name));
                if let Some((j, name, _)) = first {
                    findings.push(Finding::new(
                        "cookie_conflict",
                        Severity::Error,
                        format!("purposes[{i}].vendors[{v}].cookies[{c}]"),
                        format!(
                            "\"{}\" under \"{}\" is also declared as \"{name}\" under \"{}\": a device item belongs \
                             to one purpose, or refusing one purpose cannot stop it. Keep one declaration.",
                            cookie.name, p.key, notice.purposes[*j].key
                        ),
                    ));
                }
                seen.push((i, &cookie.name, cookie.storage));
            }
        }
    }
    findings
}

/// `reject_label_weight` (error): in a site language, the banner's "Reject all" label is empty,
/// or more than twice or less than half as long (in characters, trimmed) as its "Accept all".
/// The labels are those a visitor is served: the built-in words of the negotiated language with
/// the notice's `ui_texts` overrides for it, as the server resolves them.
/// Source: EDPB Guidelines 03/2022 on deceptive design patterns; CNIL recommendation on cookies
/// (2020): refusing must be as easy and as visible as accepting.
fn reject_label_weight(notice: &Notice, languages: &BTreeSet<&str>) -> Vec<Finding> {
    let served: BTreeMap<String, BTreeMap<String, String>> = languages
        .iter()
        .map(|lang| notice.localize(Some(lang)))
        .map(|view| (view.language, view.ui_texts))
        .collect();
    let mut findings = Vec::new();
    for (lang, overrides) in &served {
        let words = ui_texts::resolve(lang, overrides);
        let label = |key: &str| words.get(key).map_or("", |w| w.trim());
        let (accept, reject) = (label("accept_all"), label("reject_all"));
        let (a, r) = (accept.chars().count(), reject.chars().count());
        let problem = if r == 0 {
            "is empty".to_owned()
        } else if a > 0 && (r > 2 * a || 2 * r < a) {
            format!("({r} characters) is not between half and twice as long as \"{accept}\" ({a})")
        } else {
            continue;
        };
        findings.push(Finding::new(
            "reject_label_weight",
            Severity::Error,
            format!("ui_texts.{lang}.reject_all"),
            format!(
                "In \"{lang}\", the Reject all label \"{reject}\" {problem}: refusing must be as easy and as \
                 visible as accepting. Give both labels comparable words."
            ),
        ));
    }
    findings
}

/// `integration_without_mapping` (warning): a vendor integration (Microsoft UET or Clarity,
/// Meta Pixel) reads Consent Mode types that no purpose governs, so its signal can never be
/// granted: the vendor stays refused whatever the visitor chooses. Map the purposes that cover
/// that vendor to those types (`Integration::reads` lists them).
/// Source: GDPR Art. 7(1) (the processing must follow the consent that was given).
fn integration_without_mapping(notice: &Notice) -> Vec<Finding> {
    notice
        .integrations
        .iter()
        .enumerate()
        .filter_map(|(i, integration)| {
            let unmapped: Vec<&str> = integration
                .reads()
                .iter()
                .filter(|t| !notice.purposes.iter().any(|p| p.consent_mode.contains(t)))
                .map(|t| t.as_str())
                .collect();
            (!unmapped.is_empty()).then(|| {
                Finding::new(
                    "integration_without_mapping",
                    Severity::Warning,
                    format!("integrations[{i}]"),
                    format!(
                        "{} follows {}, which no purpose governs, so it is never granted. Add {} to the \
                         consent_mode of the purposes that cover this vendor.",
                        crate::wire_name(integration),
                        unmapped.join(" and "),
                        unmapped.join(" and "),
                    ),
                )
            })
        })
        .collect()
}

/// `purpose_without_effect` (warning): a consent purpose that nothing on the page acts on. A
/// decision takes effect through the Consent Mode types its purpose governs, or through blocked
/// content: the loader releases `<script type="text/plain" data-category="KEY">` and
/// `<iframe data-src data-category="KEY">` once the decision for purpose KEY is granted, and the
/// banner decides only the purposes it shows (`in_banner`). A consent purpose with neither
/// Consent Mode types nor a place in the banner is asked in vain on the page; one asked
/// elsewhere (a sign-up form, a feature's own prompt) trips this too, hence a warning.
/// Source: GDPR Art. 5(1)(a) (fair and transparent: a choice offered must change what happens)
/// and Art. 7(1) (the controller must show the processing follows the consent).
fn purpose_without_effect(notice: &Notice) -> Vec<Finding> {
    notice
        .purposes
        .iter()
        .enumerate()
        .filter(|(_, p)| p.legal_basis == LegalBasis::Consent && p.consent_mode.is_empty() && !p.in_banner)
        .map(|(i, p)| {
            Finding::new(
                "purpose_without_effect",
                Severity::Warning,
                format!("purposes[{i}]"),
                format!(
                    "\"{key}\" rests on consent but is not in the banner and governs no Consent Mode type, so no \
                     data-category=\"{key}\" content and no Google tag follows its decision. Fine if you ask for it \
                     elsewhere; otherwise show it in the banner or map it to Consent Mode types.",
                    key = p.key
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
