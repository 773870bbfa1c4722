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
