//! A notice's IAB TCF section: the Global Vendor List vendors a site works with, the
//! restrictions the publisher puts on them, and the stacks its first layer shows. A notice
//! with this section enables TCF for its site (the banner's TCF layer, TC strings, the site's
//! share of the GVL at `GET /v1/sites/{site}/gvl`); one without it leaves the site as it was.
//!
//! Only the shape is checked here ([`TcfSettings::validate`]): whether each vendor and stack
//! is on the current Global Vendor List (vendors not deleted, stacks not overlapping) is
//! checked by the server when the notice is published, against the list it holds.

use crate::Invalid;
use crate::signals::tcf::RestrictionType;
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
    /// What the publisher requires of declared vendors per purpose (TC string "Publisher
    /// Restrictions" section; TCF Policy, "Publisher restrictions"). Absent: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publisher_restrictions: Vec<PublisherRestrictionSetting>,
    /// GVL stack ids the first layer presents instead of the purposes they group, in order
    /// (TCF Policy, Appendix A "Stacks"); no two may share a purpose or special feature.
    /// Absent: each purpose on its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<u16>,
}

/// One publisher restriction: on `purpose`, `restriction` for `vendors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublisherRestrictionSetting {
    /// A TCF purpose, 1 to 11 (TCF Policy v5, Appendix A).
    pub purpose: u8,
    pub restriction: Restriction,
    /// Declared vendors (`tcf.vendors`) it applies to, each once.
    pub vendors: Vec<u16>,
}

/// A publisher restriction's type (TC string RestrictionType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Restriction {
    /// 0: the vendors may not process data for the purpose on this site.
    NotAllowed,
    /// 1: a vendor that may use either basis (flexible) must ask consent.
    RequireConsent,
    /// 2: a flexible vendor must rely on legitimate interest.
    RequireLegitimateInterest,
}

impl From<Restriction> for RestrictionType {
    /// The TC string's RestrictionType for a notice's restriction (the same three, 0 to 2).
    fn from(r: Restriction) -> Self {
        match r {
            Restriction::NotAllowed => Self::NotAllowed,
            Restriction::RequireConsent => Self::RequireConsent,
            Restriction::RequireLegitimateInterest => Self::RequireLegitimateInterest,
        }
    }
}

/// The most stacks a notice may show (IAB's list defines about forty-five).
pub const MAX_TCF_STACKS: usize = 64;

/// The most publisher restrictions a notice may hold (11 purposes × 3 types is 33).
pub const MAX_TCF_RESTRICTIONS: usize = 33;

/// The purposes TCF defines (Policy v5: 1 to 11).
pub const TCF_PURPOSES: std::ops::RangeInclusive<u8> = 1..=11;

/// Purposes that may rest on legitimate interest (Policy v4 onwards: not 1, 3, 4, 5, 6).
pub const LEGITIMATE_INTEREST_PURPOSES: [u8; 6] = [2, 7, 8, 9, 10, 11];

impl TcfSettings {
    /// Checks the shape: at least one vendor, at most [`MAX_TCF_VENDORS`], no id 0, none
    /// twice; each restriction on a TCF purpose, of a type the purpose allows, for declared
    /// vendors, no vendor restricted twice on one purpose; no stack twice. Refusals name the
    /// offending entry (`tcf.vendors[3]`, `tcf.publisher_restrictions[0].vendors[1]`, …).
    pub fn validate(&self) -> Result<(), Invalid> {
        self.validate_vendors()?;
        if self.publisher_restrictions.len() > MAX_TCF_RESTRICTIONS {
            return Err(Invalid::new(
                "tcf.publisher_restrictions",
                format!("at most {MAX_TCF_RESTRICTIONS} restrictions (one per purpose and type)"),
            ));
        }
        self.validate_restrictions()?;
        if self.stacks.len() > MAX_TCF_STACKS {
            return Err(Invalid::new("tcf.stacks", format!("at most {MAX_TCF_STACKS} stacks")));
        }
        let mut stacks = BTreeSet::new();
        for (i, id) in self.stacks.iter().enumerate() {
            if !stacks.insert(*id) {
                return Err(Invalid::new(
                    format!("tcf.stacks[{i}]"),
                    format!("stack {id} is listed twice"),
                ));
            }
        }
        Ok(())
    }

    fn validate_restrictions(&self) -> Result<(), Invalid> {
        let declared: BTreeSet<u16> = self.vendors.iter().copied().collect();
        let mut restricted: BTreeSet<(u8, u16)> = BTreeSet::new();
        for (i, r) in self.publisher_restrictions.iter().enumerate() {
            let at = format!("tcf.publisher_restrictions[{i}]");
            if !TCF_PURPOSES.contains(&r.purpose) {
                return Err(Invalid::new(format!("{at}.purpose"), "a TCF purpose, 1 to 11"));
            }
            match r.restriction {
                Restriction::RequireConsent if r.purpose == 1 => {
                    return Err(Invalid::new(
                        format!("{at}.restriction"),
                        "purpose 1 rests on consent alone already: require_consent changes nothing",
                    ));
                }
                Restriction::RequireLegitimateInterest if !LEGITIMATE_INTEREST_PURPOSES.contains(&r.purpose) => {
                    return Err(Invalid::new(
                        format!("{at}.restriction"),
                        format!(
                            "purpose {} may not rest on legitimate interest (TCF Policy: only purposes 2 and 7 to 11)",
                            r.purpose
                        ),
                    ));
                }
                _ => {}
            }
            if r.vendors.is_empty() {
                return Err(Invalid::new(format!("{at}.vendors"), "at least one vendor"));
            }
            for (j, id) in r.vendors.iter().enumerate() {
                if !declared.contains(id) {
                    return Err(Invalid::new(
                        format!("{at}.vendors[{j}]"),
                        format!("vendor {id} is not declared in tcf.vendors"),
                    ));
                }
                if !restricted.insert((r.purpose, *id)) {
                    return Err(Invalid::new(
                        format!("{at}.vendors[{j}]"),
                        format!("vendor {id} is restricted twice on purpose {}", r.purpose),
                    ));
                }
            }
        }
        Ok(())
    }

    fn validate_vendors(&self) -> Result<(), Invalid> {
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
        let tcf = |vendors: Vec<u16>| TcfSettings {
            vendors,
            publisher_restrictions: vec![],
            stacks: vec![],
        };
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

    fn restricted(purpose: u8, restriction: Restriction, vendors: Vec<u16>) -> TcfSettings {
        TcfSettings {
            vendors: vec![2, 8, 10],
            publisher_restrictions: vec![PublisherRestrictionSetting {
                purpose,
                restriction,
                vendors,
            }],
            stacks: vec![],
        }
    }

    #[test]
    fn a_restriction_names_a_purpose_it_fits_and_declared_vendors() {
        use Restriction::*;
        #[rustfmt::skip]
        let table: Vec<(&str, TcfSettings, Option<&str>)> = vec![
            ("not allowed, any purpose", restricted(1, NotAllowed, vec![2, 8]), None),
            ("legitimate interest on purpose 7", restricted(7, RequireLegitimateInterest, vec![2]), None),
            ("consent on purpose 4", restricted(4, RequireConsent, vec![10]), None),
            ("purpose 0", restricted(0, NotAllowed, vec![2]), Some("tcf.publisher_restrictions[0].purpose")),
            ("purpose 12", restricted(12, NotAllowed, vec![2]), Some("tcf.publisher_restrictions[0].purpose")),
            ("legitimate interest on purpose 3", restricted(3, RequireLegitimateInterest, vec![2]),
                Some("tcf.publisher_restrictions[0].restriction")),
            ("consent on purpose 1", restricted(1, RequireConsent, vec![2]), Some("tcf.publisher_restrictions[0].restriction")),
            ("no vendor", restricted(2, NotAllowed, vec![]), Some("tcf.publisher_restrictions[0].vendors")),
            ("an undeclared vendor", restricted(2, NotAllowed, vec![2, 77]), Some("tcf.publisher_restrictions[0].vendors[1]")),
        ];
        for (what, tcf, field) in table {
            assert_eq!(
                tcf.validate().err().map(|e| e.field),
                field.map(str::to_owned),
                "{what}"
            );
        }
        let mut twice = restricted(2, NotAllowed, vec![2]);
        twice.publisher_restrictions.push(PublisherRestrictionSetting {
            purpose: 2,
            restriction: RequireConsent,
            vendors: vec![8, 2],
        });
        let err = twice.validate().expect_err("vendor 2 twice on purpose 2");
        assert_eq!(err.field, "tcf.publisher_restrictions[1].vendors[1]");
        assert!(err.reason.contains("restricted twice"), "{}", err.reason);
    }

    #[test]
    fn a_stack_is_listed_once() {
        let mut tcf = restricted(2, Restriction::NotAllowed, vec![2]);
        tcf.stacks = vec![1, 42, 1];
        assert_eq!(tcf.validate().err().map(|e| e.field), Some("tcf.stacks[2]".into()));
        tcf.stacks = (1..=65).collect();
        assert_eq!(tcf.validate().err().map(|e| e.field), Some("tcf.stacks".into()));
        tcf.stacks = vec![];
        let one = tcf.publisher_restrictions[0].clone();
        tcf.publisher_restrictions = vec![one; 34];
        assert_eq!(
            tcf.validate().err().map(|e| e.field),
            Some("tcf.publisher_restrictions".into())
        );
    }

    #[test]
    fn without_restrictions_or_stacks_the_section_serializes_as_before() {
        let tcf = TcfSettings {
            vendors: vec![2, 8],
            publisher_restrictions: vec![],
            stacks: vec![],
        };
        assert_eq!(serde_json::to_string(&tcf).expect("json"), r#"{"vendors":[2,8]}"#);
    }
}
