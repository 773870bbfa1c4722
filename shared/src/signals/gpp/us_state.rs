//! The US states with a GPP section of their own (ids 8 to 27), each tied to its entry of the
//! layout table ([`super::layouts`]).

use super::layouts::{LAYOUTS, Layout};
use serde::{Deserialize, Serialize};

/// A US state with a GPP section of its own. Each variant's note gives its section, its IAB
/// technical specification and what its sensitive-data entries mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum UsState {
    /// `usca` (8), "California Privacy Technical Specification": 9 sensitive entries, opt-outs
    /// of the use of sensitive personal information (CCPA's right to limit, Cal. Civ. Code
    /// § 1798.121); entry 3 precise geolocation. Two child entries.
    Ca,
    /// `usva` (9), "Virginia Privacy Technical Specification": 8 sensitive entries, consents
    /// (the VCDPA asks consent for sensitive data, Va. Code § 59.1-578); entry 8 precise
    /// geolocation. No GPC subsection.
    Va,
    /// `usco` (10), "Colorado Privacy Technical Specification": 7 sensitive entries, consents;
    /// none for geolocation, which the Colorado Privacy Act's definition of sensitive data
    /// (C.R.S. § 6-1-1303) does not list.
    Co,
    /// `usut` (11), "Utah Privacy Technical Specification": 8 sensitive entries, opt-outs (the
    /// Utah Consumer Privacy Act, Utah Code title 13 ch. 61, asks notice and an opportunity to
    /// opt out, not consent); entry 8 specific geolocation. No GPC subsection.
    Ut,
    /// `usct` (12), "Connecticut Privacy Technical Specification": 8 consents; entry 8 precise
    /// geolocation. Three child entries.
    Ct,
    /// `usfl` (13), "Florida Privacy Technical Specification": 8 consents; entry 8 precise
    /// geolocation. No GPC subsection.
    Fl,
    /// `usmt` (14), "Montana Privacy Technical Specification": 8 consents; entry 8.
    Mt,
    /// `usor` (15), "Oregon Privacy Technical Specification": 11 consents (national origin,
    /// crime-victim status, transgender or non-binary status added); entry 11 precise
    /// geolocation.
    Or,
    /// `ustx` (16), "Texas Privacy Technical Specification": 8 consents; entry 8.
    Tx,
    /// `usde` (17), "Delaware Privacy Technical Specification": 9 consents (transgender or
    /// non-binary status as 9); entry 8. Five child entries (age bands 13–16, 16–18).
    De,
    /// `usia` (18), "Iowa Privacy Technical Specification": 8 opt-outs (Iowa's consumer data
    /// protection act, Iowa Code ch. 715D, gives notice and an opt-out for sensitive data, not
    /// consent); entry 8.
    Ia,
    /// `usne` (19), "Nebraska Privacy Technical Specification": 8 consents; entry 8.
    Ne,
    /// `usnh` (20), "New Hampshire Privacy Technical Specification": 8 consents; entry 8.
    Nh,
    /// `usnj` (21), "New Jersey Privacy Technical Specification": 10 consents (transgender or
    /// non-binary status, financial information); entry 8. Five child entries.
    Nj,
    /// `ustn` (22), "Tennessee Privacy Technical Specification": 8 consents; entry 8.
    Tn,
    /// `usmn` (23), "Minnesota Privacy Technical Specification": 8 consents; entry 8 specific
    /// geolocation. The usnat layout still.
    Mn,
    /// `usmd` (24), "Maryland Privacy Technical Specification": the newer layout, no sensitive
    /// or child entries at all (the Maryland Online Data Privacy Act of 2024 forbids selling
    /// sensitive data outright, so there is no consent to signal), a GPC subsection.
    Md,
    /// `usin` (25), "Indiana Privacy Technical Specification": the newer layout; 8 consents in
    /// an optional Sensitive Data Consents subsection, entry 8 precise geolocation. No GPC.
    In,
    /// `usky` (26), "Kentucky Privacy Technical Specification": as Indiana.
    Ky,
    /// `usri` (27), "Rhode Island Privacy Technical Specification": as Indiana.
    Ri,
}

impl UsState {
    /// Every state with a section, in section id order.
    pub const ALL: [Self; 20] = [
        Self::Ca,
        Self::Va,
        Self::Co,
        Self::Ut,
        Self::Ct,
        Self::Fl,
        Self::Mt,
        Self::Or,
        Self::Tx,
        Self::De,
        Self::Ia,
        Self::Ne,
        Self::Nh,
        Self::Nj,
        Self::Tn,
        Self::Mn,
        Self::Md,
        Self::In,
        Self::Ky,
        Self::Ri,
    ];

    /// The section id (8 to 27).
    pub fn id(self) -> u64 {
        self.layout().id
    }

    /// The section's API prefix: `usca`, `usva`, …
    pub fn name(self) -> &'static str {
        self.layout().name
    }

    /// The state whose section has this id.
    pub fn from_id(id: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The state of an ISO 3166-2 subdivision code after `US-` (`CA`), if it has a section.
    pub fn from_subdivision(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.layout().subdivision == code)
    }

    pub(super) fn layout(self) -> &'static Layout {
        &LAYOUTS[self as usize]
    }
}
