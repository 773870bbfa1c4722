//! The bodies of Assent's IAB TCF endpoints: a site's share of the Global Vendor List as the
//! banner downloads it (`GET /v1/sites/{site}/gvl`), and the state of the server's GVL cache
//! as operators read it (`GET /v1/admin/tcf/gvl`).

use crate::signals::tcf::gvl::VendorList;
use serde::{Deserialize, Serialize};

/// The CMP that makes this server's TC strings: the id and version the operator registered
/// with IAB Europe (TC string core fields CmpId and CmpVersion, 12 bits each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CmpIdentity {
    /// 2 to 4095 (IAB's library refuses 0 and 1).
    pub id: u16,
    /// 0 to 4095.
    pub version: u16,
    /// The id is the demo's placeholder, registered to no one: TC strings made with it are
    /// for trying Assent out and are not valid with any vendor.
    pub placeholder: bool,
}

/// `GET /v1/sites/{site}/gvl`: what the banner needs to show a site's TCF layer and write
/// its TC strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteGvlResponse {
    pub cmp: CmpIdentity,
    /// The publisher's country (TC string PublisherCC): ISO 3166-1 alpha-2, upper case.
    pub publisher_country_code: String,
    /// The language of the texts (the list's own `en` when no translation matched): the TC
    /// string's ConsentLanguage.
    pub language: String,
    /// The Global Vendor List (format version 3, IAB's JSON field names) narrowed to the
    /// vendors the site's notice declares and what they use (`VendorList::for_site`), its
    /// texts in `language`. Its `vendorListVersion` and `tcfPolicyVersion` are the full
    /// list's, as the TC string must carry them.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub vendor_list: VendorList,
    /// The TCF layer's own words in the request's language (`crate::tcf_texts`, key → text;
    /// English when Assent has none in that language).
    pub texts: std::collections::BTreeMap<String, String>,
}

/// One stored version of the Global Vendor List.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GvlVersionInfo {
    /// `vendorListVersion`.
    pub vendor_list_version: u16,
    /// When `vendor-list.json` of this version was first stored (RFC 3339, UTC).
    pub fetched_at: String,
    /// Languages stored for it: `en` (the list itself), then each translation fetched.
    pub languages: Vec<String>,
}

/// `GET /v1/admin/tcf/gvl`: the server's GVL cache and its refresher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GvlCacheStatus {
    /// Where lists are fetched from (`tcf_gvl_url`).
    pub source: String,
    /// The CMP this server writes TC strings as; absent when `tcf_cmp_id` is not set (TCF is
    /// then off on this server).
    pub cmp: Option<CmpIdentity>,
    pub publisher_country_code: String,
    /// The version served (the highest stored), if any.
    pub in_use: Option<GvlVersionInfo>,
    /// Every stored version, newest first (at most the last 20).
    pub history: Vec<GvlVersionInfo>,
    /// The last refresh attempt, successful or not (RFC 3339).
    pub last_attempt_at: Option<String>,
    /// The last refresh that stored a valid list (RFC 3339).
    pub last_success_at: Option<String>,
    /// Why the last attempt failed in whole or part (a list refused, a translation missing);
    /// absent after a clean refresh.
    pub last_error: Option<String>,
    /// When the refresher fetches next (RFC 3339), honouring the list's `Cache-Control`
    /// max-age; absent when only a request can start it (`tcf_gvl_refresh_secs = 0`).
    pub next_fetch_at: Option<String>,
    /// A refresh was asked for (`POST /v1/admin/tcf/gvl/refresh`) and has not run yet.
    pub refresh_requested: bool,
}

/// `GET /v1/admin/sites/{site}/tcf/vendors`: the Global Vendor List in use, as the notice
/// editor offers it for the notice's `tcf.vendors` (TCF Policy: a CMP discloses the vendors
/// the publisher works with, and TCF 2.3 writes exactly those into the TC string's disclosed
/// vendors segment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GvlVendorCatalog {
    /// `vendorListVersion` of the list in use.
    pub vendor_list_version: u16,
    /// The list's purposes (1–11), by ascending id, with their English names: what a vendor's
    /// `purposes` and `leg_int_purposes` refer to.
    pub purposes: Vec<GvlName>,
    /// The list's special features (1–2), by ascending id, with their English names.
    pub special_features: Vec<GvlName>,
    /// The list's stacks, by ascending id: what a first layer may present instead of the
    /// purposes and special features each groups.
    pub stacks: Vec<GvlStackEntry>,
    /// Every vendor on the list, by ascending id, the deleted ones included (marked): a notice
    /// may not declare one, and the editor shows why one it declares is refused.
    pub vendors: Vec<GvlVendorEntry>,
}

/// A purpose or feature of the list: its id and English name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GvlName {
    pub id: u8,
    pub name: String,
}

/// A stack of the list: its id, English name and what it groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GvlStackEntry {
    pub id: u16,
    pub name: String,
    pub purposes: Vec<u8>,
    pub special_features: Vec<u8>,
}

/// One vendor of [`GvlVendorCatalog`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GvlVendorEntry {
    /// The vendor's GVL id (1–65535).
    pub id: u16,
    pub name: String,
    /// Purposes it asks consent for.
    pub purposes: Vec<u8>,
    /// Purposes it claims a legitimate interest for (the visitor may object).
    pub leg_int_purposes: Vec<u8>,
    /// Special features it asks opt-in consent for (1: precise geolocation, 2: device scan).
    pub special_features: Vec<u8>,
    /// Its English privacy policy, when the list gives one.
    pub privacy_url: Option<String>,
    /// The list marks it deleted (`deletedDate`): it can no longer be declared.
    pub deleted: bool,
}

impl GvlVendorCatalog {
    /// The catalog of `list`.
    pub fn of(list: &VendorList) -> Self {
        let names = |m: &std::collections::BTreeMap<u8, crate::signals::tcf::gvl::Declaration>| {
            m.iter()
                .map(|(id, d)| GvlName {
                    id: *id,
                    name: d.name.clone(),
                })
                .collect()
        };
        Self {
            vendor_list_version: list.vendor_list_version,
            purposes: names(&list.purposes),
            special_features: names(&list.special_features),
            stacks: list
                .stacks
                .values()
                .map(|s| GvlStackEntry {
                    id: s.id,
                    name: s.name.clone(),
                    purposes: s.purposes.clone(),
                    special_features: s.special_features.clone(),
                })
                .collect(),
            vendors: list
                .vendors
                .values()
                .map(|v| GvlVendorEntry {
                    id: v.id,
                    name: v.name.clone(),
                    purposes: v.purposes.clone(),
                    leg_int_purposes: v.leg_int_purposes.clone(),
                    special_features: v.special_features.clone(),
                    privacy_url: v
                        .urls
                        .iter()
                        .find(|u| u.lang_id.eq_ignore_ascii_case("en"))
                        .or(v.urls.first())
                        .map(|u| u.privacy.clone()),
                    deleted: v.deleted_date.is_some(),
                })
                .collect(),
        }
    }
}

/// Whether a stack can be chosen for vendors (`declared`, the catalog entries of the vendors
/// the notice declares): every purpose and special feature it holds is used by one of them,
/// as publication requires (the first layer names only what the site's vendors do).
pub fn stack_fits<'a>(stack: &GvlStackEntry, declared: impl IntoIterator<Item = &'a GvlVendorEntry>) -> bool {
    let mut purposes = std::collections::BTreeSet::new();
    let mut features = std::collections::BTreeSet::new();
    for v in declared {
        purposes.extend(v.purposes.iter().chain(&v.leg_int_purposes).copied());
        features.extend(v.special_features.iter().copied());
    }
    stack.purposes.iter().all(|p| purposes.contains(p)) && stack.special_features.iter().all(|f| features.contains(f))
}

/// Whether a vendor matches what was typed in a vendor search (the notice editor's, the
/// banner's second layer): an empty query, the vendor's id exactly, or every word of the
/// query somewhere in its name, ignoring case.
pub fn vendor_matches(id: u16, name: &str, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    if query.is_empty() || id.to_string() == query {
        return true;
    }
    let name = name.to_lowercase();
    query.split_whitespace().all(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stack_fits_only_what_the_declared_vendors_use() {
        let vendor = |purposes: Vec<u8>, li: Vec<u8>, features: Vec<u8>| GvlVendorEntry {
            id: 1,
            name: "v".into(),
            purposes,
            leg_int_purposes: li,
            special_features: features,
            privacy_url: None,
            deleted: false,
        };
        let stack = |purposes: Vec<u8>, special_features: Vec<u8>| GvlStackEntry {
            id: 1,
            name: "s".into(),
            purposes,
            special_features,
        };
        let declared = [vendor(vec![1, 2], vec![7], vec![]), vendor(vec![3], vec![], vec![1])];
        assert!(
            stack_fits(&stack(vec![1, 7], vec![]), &declared),
            "consent and legitimate interest both count"
        );
        assert!(stack_fits(&stack(vec![2, 3], vec![1]), &declared));
        assert!(
            !stack_fits(&stack(vec![1, 4], vec![]), &declared),
            "nobody uses purpose 4"
        );
        assert!(
            !stack_fits(&stack(vec![1], vec![2]), &declared),
            "nobody uses special feature 2"
        );
        assert!(!stack_fits(&stack(vec![1], vec![]), &[]), "no vendor, no stack");
    }

    #[test]
    fn a_vendor_is_found_by_its_id_or_every_word_of_its_name() {
        for (query, found) in [
            ("", true),
            ("  ", true),
            ("77", true),
            ("7", false),
            ("ad exch", true),
            ("EXEMPLARY", true),
            ("exchange   exemplary", true),
            ("exchange media", false),
        ] {
            assert_eq!(vendor_matches(77, "Exemplary Ad Exchange", query), found, "{query:?}");
        }
    }

    #[test]
    fn the_catalog_marks_deleted_vendors_and_prefers_the_english_policy() {
        let list: VendorList =
            serde_json::from_str(include_str!("../tests/fixtures/gvl-v3.json")).expect("the fixture parses");
        let catalog = GvlVendorCatalog::of(&list);
        assert_eq!(catalog.vendors.len(), list.vendors.len());
        assert!(catalog.vendors.windows(2).all(|w| w[0].id < w[1].id));
        for entry in &catalog.vendors {
            let vendor = &list.vendors[&entry.id];
            assert_eq!(entry.deleted, vendor.deleted_date.is_some());
            let english = vendor.urls.iter().find(|u| u.lang_id == "en").or(vendor.urls.first());
            assert_eq!(entry.privacy_url, english.map(|u| u.privacy.clone()));
        }
        assert!(catalog.vendors.iter().any(|v| v.deleted));
    }
}
