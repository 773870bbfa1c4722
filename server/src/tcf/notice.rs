//! What the server checks of a notice's TCF section before publishing it, beyond its shape
//! (`TcfSettings::validate`): that TCF is on here, and that every vendor it declares is on
//! the Global Vendor List in use and not deleted from it.

use crate::error::ApiError;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::notice::Notice;

/// Refuses a notice whose `tcf` section this server cannot serve: 422 `invalid_input` at
/// `tcf` when TCF is off (no `tcf_cmp_id`), or at `tcf.vendors[i]` (the first offending entry)
/// naming every unknown and deleted vendor id; 503 `gvl_not_fetched` while no list is held.
pub fn check(state: &AppState, notice: &Notice) -> Result<(), ApiError> {
    let Some(tcf) = &notice.tcf else {
        return Ok(());
    };
    if super::settings::cmp(&state.config).is_none() {
        return Err(Invalid::new(
            "tcf",
            "TCF is off on this server: its operator has set no IAB CMP id (tcf_cmp_id)",
        )
        .into());
    }
    let gvl = state.gvl.current().ok_or_else(gvl_not_fetched)?;
    let site = gvl.list.for_site(tcf.vendors.iter().copied());
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
    match first {
        None => Ok(()),
        Some(i) => Err(Invalid::new(
            format!("tcf.vendors[{i}]"),
            format!(
                "vendors must be on the Global Vendor List (version {}) and not deleted; {}",
                gvl.list.vendor_list_version,
                problems.join("; ")
            ),
        )
        .into()),
    }
}

/// 503 `gvl_not_fetched`: no Global Vendor List is held yet.
pub fn gvl_not_fetched() -> ApiError {
    ApiError::Unavailable {
        code: "gvl_not_fetched",
        message: "no Global Vendor List has been fetched yet; the refresher stores one shortly (GET /v1/admin/tcf/gvl shows why not)",
    }
}
