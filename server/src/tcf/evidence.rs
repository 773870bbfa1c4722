//! What the server checks of the TCF side of a recorded choice beyond the notice and the
//! method (`TcfEvidence::check` in shared): that TCF is on here, that the TC string was
//! written as this server's CMP, and that its Global Vendor List is one this server stored
//! (and so one a banner could have been shown).

use crate::error::ApiError;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::consent::Method;
use assent_shared::notice::LocalizedNotice;
use assent_shared::tcf_evidence::{TcfChoice, TcfEvidence};

/// The evidence to record for `choice`, or why not: 422 `invalid_input` at `tcf` (TCF off,
/// or a notice without a `tcf` section) or at `tcf.tc_string` (the string's field at fault:
/// CmpId, VendorListVersion, a TcfPolicyVersion other than the list's, Created/LastUpdated
/// backwards or ahead of the clock, DisclosedVendors, …); 503 `gvl_not_fetched` while no list
/// is held.
pub async fn check(
    state: &AppState,
    shown: &LocalizedNotice,
    method: Method,
    language: &str,
    choice: &TcfChoice,
) -> Result<TcfEvidence, ApiError> {
    let Some(cmp) = super::settings::cmp(&state.config) else {
        return Err(super::notice::tcf_off());
    };
    let (tc, evidence) = TcfEvidence::check(shown, method, language, &choice.tc_string)?;
    let invalid = |reason: String| ApiError::from(Invalid::new("tcf.tc_string", reason));
    if tc.cmp_id != cmp.id {
        return Err(invalid(format!(
            "CmpId {} is not this server's CMP id ({})",
            tc.cmp_id, cmp.id
        )));
    }
    let gvl = state.gvl.current().ok_or_else(super::notice::gvl_not_fetched)?;
    let in_use = gvl.list.vendor_list_version;
    let version = tc.vendor_list_version;
    if version == in_use && tc.tcf_policy_version != gvl.list.tcf_policy_version {
        return Err(invalid(format!(
            "TcfPolicyVersion {} is not the one of Global Vendor List {version} ({})",
            tc.tcf_policy_version, gvl.list.tcf_policy_version
        )));
    }
    // Created and LastUpdated are deciseconds since the epoch, read from the device's clock as
    // `client_time` is: a clock off by days or months still records a choice somebody made (a
    // withdrawal refused for it would be lost), so the bound is `client_time`'s, a year ahead.
    // A string updated before it was created is no record of this choice.
    let now_ds = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0) * 10;
    if tc.last_updated < tc.created || tc.last_updated > now_ds + 366 * 864_000 {
        return Err(invalid(format!(
            "Created {} and LastUpdated {} (deciseconds since 1970) must not run backwards or lie more than a year ahead of this server's clock",
            tc.created, tc.last_updated
        )));
    }
    // What the list has: a purpose or special feature it does not define is no choice a
    // banner could have shown.
    let unknown = |set: &std::collections::BTreeSet<u8>, known: &std::collections::BTreeMap<u8, _>| -> Vec<String> {
        set.iter()
            .filter(|id| !known.contains_key(*id))
            .map(ToString::to_string)
            .collect()
    };
    for (field, ids) in [
        ("PurposesConsent", unknown(&tc.purposes_consent, &gvl.list.purposes)),
        (
            "PurposesLITransparency",
            unknown(&tc.purposes_li_transparency, &gvl.list.purposes),
        ),
        (
            "SpecialFeatureOptIns",
            unknown(&tc.special_feature_opt_ins, &gvl.list.special_features),
        ),
    ] {
        if !ids.is_empty() {
            return Err(invalid(format!(
                "{field} holds ids the Global Vendor List does not define: {}",
                ids.join(", ")
            )));
        }
    }
    let publisher_cc = String::from_utf8_lossy(&tc.publisher_cc).into_owned();
    if !publisher_cc.eq_ignore_ascii_case(&state.config.tcf_publisher_cc) {
        return Err(invalid(format!(
            "PublisherCC {publisher_cc} is not this server's publisher country ({})",
            state.config.tcf_publisher_cc
        )));
    }
    if version > in_use {
        return Err(invalid(format!(
            "VendorListVersion {version} is newer than the list in use ({in_use})"
        )));
    }
    if version < in_use && !state.db.gvl_has_version(version).await? {
        return Err(invalid(format!(
            "VendorListVersion {version} is not a list this server has stored (in use: {in_use})"
        )));
    }
    Ok(evidence)
}
