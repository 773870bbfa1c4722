//! What the server checks of a notice's TCF section before publishing it, beyond its shape
//! (`TcfSettings::validate`): that TCF is on here, and that every vendor it declares is on
//! the Global Vendor List in use and not deleted from it.

use crate::config::Config;
use crate::error::ApiError;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::notice::{Notice, PublisherRestrictionSetting, Restriction};
use assent_shared::signals::tcf::gvl::VendorList;
use std::collections::BTreeMap;

/// Refuses a notice whose `tcf` section this server cannot serve: 422 `invalid_input` at
/// `tcf` when TCF is off (no `tcf_cmp_id`), or at `tcf.vendors[i]` (the first offending entry)
/// naming every unknown and deleted vendor id; 503 `gvl_not_fetched` while no list is held.
pub fn check(state: &AppState, notice: &Notice) -> Result<(), ApiError> {
    check_against(&state.config, state.gvl.current().as_ref().map(|g| &g.list), notice)
}

/// [`check`] against `gvl`, the list in use (`None`: none stored yet); what `assent
/// publish-notice` runs with the list it reads from the database.
pub fn check_against(config: &Config, gvl: Option<&VendorList>, notice: &Notice) -> Result<(), ApiError> {
    let Some(tcf) = &notice.tcf else {
        return Ok(());
    };
    if super::settings::cmp(config).is_none() {
        return Err(tcf_off());
    }
    let gvl = gvl.ok_or_else(gvl_not_fetched)?;
    let site = gvl.for_site(tcf.vendors.iter().copied());
    let named = |ids: &[u16]| ids.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    let mut problems = Vec::new();
    if !site.unknown.is_empty() {
        problems.push(format!("not on the list: {}", named(&site.unknown)));
    }
    if !site.deleted.is_empty() {
        problems.push(format!("deleted from it: {}", named(&site.deleted)));
    }
    let first = tcf
        .vendors
        .iter()
        .position(|id| site.unknown.contains(id) || site.deleted.contains(id));
    if let Some(i) = first {
        return Err(Invalid::new(
            format!("tcf.vendors[{i}]"),
            format!(
                "vendors must be on the Global Vendor List (version {}) and not deleted; {}",
                gvl.vendor_list_version,
                problems.join("; ")
            ),
        )
        .into());
    }
    check_stacks(gvl, &site.list, &tcf.stacks)?;
    check_restrictions(&site.list, &tcf.publisher_restrictions)
}

/// Each restriction must mean something for each vendor it names (TC string format,
/// "Publisher Restrictions"): `not_allowed` a purpose the vendor uses, the two others a purpose
/// the vendor declares flexible — only there may the publisher pick the legal basis.
fn check_restrictions(site: &VendorList, restrictions: &[PublisherRestrictionSetting]) -> Result<(), ApiError> {
    for (i, r) in restrictions.iter().enumerate() {
        for (j, id) in r.vendors.iter().enumerate() {
            let Some(vendor) = site.vendors.get(id) else {
                continue;
            };
            let (fits, needs) = match r.restriction {
                Restriction::NotAllowed => (
                    vendor.purposes.contains(&r.purpose) || vendor.leg_int_purposes.contains(&r.purpose),
                    "use",
                ),
                _ => (vendor.flexible_purposes.contains(&r.purpose), "declare flexible"),
            };
            if !fits {
                return Err(Invalid::new(
                    format!("tcf.publisher_restrictions[{i}].vendors[{j}]"),
                    format!(
                        "vendor {id} ({}) does not {needs} purpose {}, so this restriction would change nothing for it",
                        vendor.name, r.purpose
                    ),
                )
                .into());
            }
        }
    }
    Ok(())
}

/// The first layer's stacks: each on the list and made only of what the declared vendors use
/// (the site's share of the list keeps no other, so the banner could not show it), and no
/// purpose or special feature in two of them (TCF Policy, Appendix A: a purpose is presented
/// once).
fn check_stacks(gvl: &VendorList, site: &VendorList, stacks: &[u16]) -> Result<(), ApiError> {
    let mut purposes: BTreeMap<u8, u16> = BTreeMap::new();
    let mut features: BTreeMap<u8, u16> = BTreeMap::new();
    for (i, id) in stacks.iter().enumerate() {
        let field = format!("tcf.stacks[{i}]");
        if !gvl.stacks.contains_key(id) {
            let reason = format!(
                "stack {id} is not on the Global Vendor List (version {})",
                gvl.vendor_list_version
            );
            return Err(Invalid::new(field, reason).into());
        }
        let stack = site.stacks.get(id).ok_or_else(|| {
            Invalid::new(
                &field,
                format!("stack {id} holds purposes or special features none of the declared vendors uses"),
            )
        })?;
        let shared = |held: &mut BTreeMap<u8, u16>, ids: &[u8], what: &str| {
            ids.iter().find_map(|p| {
                held.insert(*p, *id)
                    .map(|other| format!("stacks {other} and {id} both hold {what} {p}: each shows in one stack"))
            })
        };
        let clash = shared(&mut purposes, &stack.purposes, "purpose")
            .or_else(|| shared(&mut features, &stack.special_features, "special feature"));
        if let Some(reason) = clash {
            return Err(Invalid::new(field, reason).into());
        }
    }
    Ok(())
}

/// 422 `invalid_input` at `tcf`: this server has no IAB CMP id, so it neither serves TCF
/// notices nor records TC strings.
pub fn tcf_off() -> ApiError {
    Invalid::new(
        "tcf",
        "TCF is off on this server: its operator has set no IAB CMP id (tcf_cmp_id)",
    )
    .into()
}

/// 503 `gvl_not_fetched`: no Global Vendor List is held yet.
pub fn gvl_not_fetched() -> ApiError {
    ApiError::Unavailable {
        code: "gvl_not_fetched",
        message: "no Global Vendor List has been fetched yet; the refresher stores one shortly (an administrator sees why not in GET /v1/admin/tcf/gvl)",
    }
}
