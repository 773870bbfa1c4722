//! A notice's IAB TCF section: the Global Vendor List vendors a site works with. A notice
//! with this section enables TCF for its site (the banner's TCF layer, TC strings, the site's
//! share of the GVL at `GET /v1/sites/{site}/gvl`); one without it leaves the site as it was.
//!
//! Only the shape is checked here ([`TcfSettings::validate`]): whether each vendor is on the
//! current Global Vendor List, and not deleted from it, is checked by the server when the
//! notice is published, against the list it holds.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The most vendors a notice may declare (IAB's whole list holds about a thousand).
pub const MAX_TCF_VENDORS: usize = 4096;

/// The TCF settings of a notice (TCF 2.3; IAB "Transparency and Consent String and Global
/// Vendor List Format", "Disclosed Vendors").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TcfSettings {
    /// GVL vendor ids (1 to 65535) the site works with: the vendors its banner discloses and
    /// asks about, in the owner's order, each once.
    pub vendors: Vec<u16>,
}

impl TcfSettings {
    /// Checks the shape: at least one vendor, at most [`MAX_TCF_VENDORS`], no id 0, none
    /// twice. Refusals name `tcf.vendors` or the offending entry (`tcf.vendors[3]`).
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.vendors.is_empty() {
            return Err(Invalid::new(
                "tcf.vendors",
                "TCF needs at least one vendor from the Global Vendor List",
            ));
        }
        if self.vendors.len() > MAX_TCF_VENDORS {
            return Err(Invalid::new(
                "tcf.vendors",
                format!("at most {MAX_TCF_VENDORS} vendors"),
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, id) in self.vendors.iter().enumerate() {
            if *id == 0 {
                return Err(Invalid::new(format!("tcf.vendors[{i}]"), "vendor ids start at 1"));
            }
            if !seen.insert(*id) {
                return Err(Invalid::new(
                    format!("tcf.vendors[{i}]"),
                    format!("vendor {id} is listed twice"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendors_are_required_positive_and_unique() {
        let tcf = |vendors: Vec<u16>| TcfSettings { vendors };
        assert_eq!(tcf(vec![8, 2, 10]).validate(), Ok(()));
        assert_eq!(tcf(vec![]).validate().map_err(|e| e.field), Err("tcf.vendors".into()));
        assert_eq!(
            tcf(vec![2, 0]).validate().map_err(|e| e.field),
            Err("tcf.vendors[1]".into())
        );
        let twice = tcf(vec![2, 8, 2]).validate().expect_err("duplicate");
        assert_eq!(twice.field, "tcf.vendors[2]");
        assert!(twice.reason.contains("vendor 2"), "{}", twice.reason);
        assert!(tcf((1..=4097).collect()).validate().is_err());
    }
}
