//! The Global Vendor List, version 3 of its format (IAB Tech Lab, "Transparency and Consent
//! String with Global Vendor List Format", section "The Global Vendor List", `vendor-list.json`
//! since TCF 2.2), and its translation files (`purposes-{language}.json`): what the server
//! fetches, checks, keeps per version and trims to the vendors a site uses.
//!
//! - [`VendorList::parse`] refuses a list that is not version 3 or that contradicts itself,
//!   naming what is wrong, so the caller can keep the last good version (`gvl/check.rs`).
//! - [`VendorList::for_site`] keeps only a site's vendors and what they declare, and
//!   [`VendorList::disclosed_vendors`] gives the ids for the Disclosed Vendors segment
//!   (`gvl/site.rs`).
//!
//! Fields are named as in the JSON; unknown fields are ignored, so later additions to the
//! format do not break the parser. `e2e/tcf/gvl.mjs` checks that IAB's `GVL` class reads the
//! fixture this crate's tests read (`shared/tests/fixtures/gvl-v3.json`).

mod check;
mod site;

pub use check::{GvlError, MAX_GVL_LEN};
pub use site::SiteVendorList;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `gvlSpecificationVersion` this module reads.
pub const GVL_SPECIFICATION_VERSION: u8 = 3;

/// A `vendor-list.json` of format version 3. Every map is keyed by its items' ids, written as
/// decimal strings in the JSON (`"purposes": {"1": {"id": 1, …}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorList {
    /// Always [`GVL_SPECIFICATION_VERSION`] once parsed.
    pub gvl_specification_version: u8,
    /// Incremented with each published list; the TC string's VendorListVersion (1 to 4095).
    pub vendor_list_version: u16,
    /// The TCF policy the list follows (5 for TCF 2.3); the TC string's TcfPolicyVersion.
    pub tcf_policy_version: u8,
    /// When the list was published, as IAB writes it (RFC 3339, e.g. `2026-02-26T16:00:00Z`).
    pub last_updated: String,
    /// Purposes, ids 1 to 24 (the TC string's purpose fields are 24 bits).
    pub purposes: BTreeMap<u8, Declaration>,
    pub special_purposes: BTreeMap<u8, Declaration>,
    pub features: BTreeMap<u8, Declaration>,
    /// Special features, ids 1 to 12 (SpecialFeatureOptIns is 12 bits).
    pub special_features: BTreeMap<u8, Declaration>,
    /// Stacks: named groups of purposes and special features a CMP may show as one item.
    #[serde(default)]
    pub stacks: BTreeMap<u16, Stack>,
    /// Data categories vendors declare (new in version 3).
    #[serde(default)]
    pub data_categories: BTreeMap<u16, DataCategory>,
    /// Vendors, ids 1 to 65535, deleted ones included (see [`Vendor::deleted_date`]).
    pub vendors: BTreeMap<u16, Vendor>,
}

/// A purpose, special purpose, feature or special feature: its text in the list's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Declaration {
    pub id: u8,
    pub name: String,
    pub description: String,
    /// Examples of the processing, each a paragraph (required in version 3, may be empty).
    #[serde(default)]
    pub illustrations: Vec<String>,
    /// `false`: a CMP must never offer a consent choice for it (absent means `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consentable: Option<bool>,
    /// `false`: a CMP must never offer a right to object (absent means `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_to_object: Option<bool>,
}

/// A stack: purposes and special features a CMP may present together under one text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    pub id: u16,
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub purposes: Vec<u8>,
    #[serde(default)]
    pub special_features: Vec<u8>,
}

/// A category of data a vendor may process (e.g. "IP addresses").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCategory {
    pub id: u16,
    pub name: String,
    pub description: String,
}

/// A vendor's declarations. Purpose lists hold ids from [`VendorList::purposes`] (and so on
/// for each list); a purpose is declared for consent (`purposes`) or for legitimate interest
/// (`leg_int_purposes`), never both, and `flexible_purposes` only names declared ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vendor {
    pub id: u16,
    pub name: String,
    /// Purposes processed on the legal basis of consent.
    #[serde(default)]
    pub purposes: Vec<u8>,
    /// Purposes processed on the legal basis of legitimate interest.
    #[serde(default)]
    pub leg_int_purposes: Vec<u8>,
    /// Purposes whose legal basis a publisher restriction may switch.
    #[serde(default)]
    pub flexible_purposes: Vec<u8>,
    /// Special purposes (legitimate interest; no choice offered).
    #[serde(default)]
    pub special_purposes: Vec<u8>,
    #[serde(default)]
    pub features: Vec<u8>,
    /// Special features, each needing the user's opt-in.
    #[serde(default)]
    pub special_features: Vec<u8>,
    /// How long data are kept, in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_retention: Option<DataRetention>,
    /// Data category ids from [`VendorList::data_categories`].
    #[serde(default)]
    pub data_declaration: Vec<u16>,
    /// Privacy policy and legitimate-interest pages, per language (at least one in version 3).
    #[serde(default)]
    pub urls: Vec<VendorUrl>,
    /// Whether the vendor stores cookies (session or not).
    pub uses_cookies: bool,
    /// The longest a cookie of the vendor lives, in seconds; 0 or negative for a session
    /// cookie; `None` (JSON `null`) when `uses_cookies` is false.
    #[serde(default)]
    pub cookie_max_age_seconds: Option<i64>,
    /// Whether the vendor refreshes its cookies after setting them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie_refresh: Option<bool>,
    /// Whether the vendor uses other storage or device access (localStorage, ad ids, …).
    pub uses_non_cookie_access: bool,
    /// The vendor's device storage disclosure (IAB's "Vendor Device Storage & Operational
    /// Disclosures" JSON), an HTTPS URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_storage_disclosure_url: Option<String>,
    /// Set once the vendor left the framework (RFC 3339): it must no longer be shown or
    /// receive signals. IAB's library treats any vendor with this field as deleted; so do we.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_date: Option<String>,
    /// The vendor's limit on HTTP GET request length, in kilobytes (32 or 128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overflow: Option<Overflow>,
}

impl Vendor {
    /// Whether the vendor has left the framework (it has a `deletedDate`).
    pub fn is_deleted(&self) -> bool {
        self.deleted_date.is_some()
    }
}

/// Retention periods in days: a standard one and per (special) purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataRetention {
    /// The period for every purpose without its own, when the vendor gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std_retention: Option<u32>,
    #[serde(default)]
    pub purposes: BTreeMap<u8, u32>,
    #[serde(default)]
    pub special_purposes: BTreeMap<u8, u32>,
}

/// A vendor's pages in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorUrl {
    /// ISO 639-1 code in lower case (`en`, `fr`, …).
    pub lang_id: String,
    /// The privacy policy.
    pub privacy: String,
    /// The vendor's statement of its legitimate interests, when it claims any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leg_int_claim: Option<String>,
}

/// The vendor's HTTP GET request length limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overflow {
    /// In kilobytes: 32 or 128.
    pub http_get_limit: u16,
}

/// A translation file (`purposes-{language}.json`): the list's texts in another language,
/// without the vendors. A missing map or item leaves the English text in place
/// ([`VendorList::localize`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Translation {
    /// ISO 639-1 code of the file's language, when the file names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default)]
    pub purposes: BTreeMap<u8, Declaration>,
    #[serde(default)]
    pub special_purposes: BTreeMap<u8, Declaration>,
    #[serde(default)]
    pub features: BTreeMap<u8, Declaration>,
    #[serde(default)]
    pub special_features: BTreeMap<u8, Declaration>,
    #[serde(default)]
    pub stacks: BTreeMap<u16, Stack>,
    #[serde(default)]
    pub data_categories: BTreeMap<u16, DataCategory>,
}

impl VendorList {
    /// Replaces names, descriptions and illustrations with those of `translation` wherever it
    /// has the same id; everything else (ids, vendors, stacks' contents) stays as it is.
    pub fn localize(&mut self, translation: &Translation) {
        fn texts<K: Ord, T>(ours: &mut BTreeMap<K, T>, theirs: &BTreeMap<K, T>, copy: impl Fn(&mut T, &T)) {
            for (id, item) in ours.iter_mut() {
                if let Some(translated) = theirs.get(id) {
                    copy(item, translated);
                }
            }
        }
        let declaration = |ours: &mut Declaration, theirs: &Declaration| {
            ours.name.clone_from(&theirs.name);
            ours.description.clone_from(&theirs.description);
            ours.illustrations.clone_from(&theirs.illustrations);
        };
        texts(&mut self.purposes, &translation.purposes, declaration);
        texts(&mut self.special_purposes, &translation.special_purposes, declaration);
        texts(&mut self.features, &translation.features, declaration);
        texts(&mut self.special_features, &translation.special_features, declaration);
        texts(&mut self.stacks, &translation.stacks, |ours, theirs| {
            ours.name.clone_from(&theirs.name);
            ours.description.clone_from(&theirs.description);
        });
        texts(
            &mut self.data_categories,
            &translation.data_categories,
            |ours, theirs| {
                ours.name.clone_from(&theirs.name);
                ours.description.clone_from(&theirs.description);
            },
        );
    }
}
