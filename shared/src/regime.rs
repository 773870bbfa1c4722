//! Which consent regime applies where. Pure functions, table-tested.

use serde::{Deserialize, Serialize};

/// How consent works for a request's jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Nothing non-necessary before a choice (EEA, UK, CH, BR, KR, Quebec).
    OptIn,
    /// Defaults granted except sensitive data; GPC opts out (US states with opt-out rights).
    OptOut,
    /// Inform only; configurable default elsewhere.
    Notice,
}

impl Regime {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "opt_in" => Some(Self::OptIn),
            "opt_out" => Some(Self::OptOut),
            "notice" => Some(Self::Notice),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OptIn => "opt_in",
            Self::OptOut => "opt_out",
            Self::Notice => "notice",
        }
    }
}

/// EU member states plus Iceland, Liechtenstein and Norway.
const EEA: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];
const OTHER_OPT_IN: &[&str] = &["GB", "CH", "BR", "KR"];
/// US states whose comprehensive privacy laws give an opt-out of sale / sharing / targeted ads.
/// Not Florida, although GPP has a section for it (usfl): its Digital Bill of Rights binds only
/// controllers with over $1 billion in global gross annual revenue (Fla. Stat. § 501.702,
/// "controller"), so it is no default for every site; a site in its scope sets the override
/// `US-FL=opt_out`, and its Florida visitors then get the usfl section.
const US_OPT_OUT_STATES: &[&str] = &[
    "CA", "CO", "CT", "VA", "UT", "TX", "OR", "MT", "IA", "DE", "NH", "NJ", "NE", "TN", "MN", "MD", "IN", "KY", "RI",
];

/// A request's jurisdiction: ISO 3166-1 country, optionally with an ISO 3166-2 subdivision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jurisdiction {
    pub country: String,
    pub subdivision: Option<String>,
}

impl Jurisdiction {
    /// Parses `DE`, `US-CA` or a country plus a separate subdivision header value
    /// (`US` + `CA` or `US` + `US-CA`). Returns `None` for anything that is not a code.
    pub fn parse(country: &str, subdivision: Option<&str>) -> Option<Self> {
        let country = country.trim().to_ascii_uppercase();
        let (country, inline_sub) = match country.split_once('-') {
            Some((c, s)) => (c.to_owned(), Some(s.to_owned())),
            None => (country, None),
        };
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let sub = inline_sub.or_else(|| {
            subdivision.map(|s| {
                let s = s.trim().to_ascii_uppercase();
                s.strip_prefix(&format!("{country}-")).map(str::to_owned).unwrap_or(s)
            })
        });
        let sub = sub.filter(|s| (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
        Some(Self {
            country,
            subdivision: sub,
        })
    }

    /// `DE` or `US-CA`: the form recorded on every event.
    pub fn code(&self) -> String {
        match &self.subdivision {
            Some(sub) => format!("{}-{sub}", self.country),
            None => self.country.clone(),
        }
    }

    /// The regime DESIGN.md assigns; `fallback` covers everywhere else.
    pub fn regime(&self, fallback: Regime) -> Regime {
        let c = self.country.as_str();
        let sub = self.subdivision.as_deref();
        if EEA.contains(&c) || OTHER_OPT_IN.contains(&c) || (c == "CA" && sub == Some("QC")) {
            Regime::OptIn
        } else if c == "US" && sub.is_some_and(|s| US_OPT_OUT_STATES.contains(&s)) {
            Regime::OptOut
        } else {
            fallback
        }
    }
}

/// Whether consent is asked item by item, never bundled, for a recorded jurisdiction code
/// (`KR`, `KR-11`): Korea's PIPA Art. 22(1) requires each matter needing consent to be
/// presented separately so the data subject can recognise it, so the banner offers one yes/no
/// per purpose and no "Accept all".
pub fn per_item_consent(jurisdiction: &str) -> bool {
    jurisdiction == "KR" || jurisdiction.starts_with("KR-")
}

/// IAB TCF's `gdprApplies` for a recorded jurisdiction code (`FR`, `GB`, `unknown`) under the
/// request's `regime`: the GDPR in the EEA (Art. 3), the UK GDPR in the United Kingdom and
/// Switzerland's FADP, where TCF is used alike. A jurisdiction the server could not tell
/// follows the regime: under opt-in the visitor is treated as protected. A site's regime
/// override does not make the GDPR apply elsewhere (Brazil, Korea and Quebec are opt-in by
/// their own laws, not by the GDPR).
pub fn gdpr_applies(jurisdiction: &str, regime: Regime) -> bool {
    let country = jurisdiction.split('-').next().unwrap_or_default();
    match Jurisdiction::parse(country, None) {
        Some(j) => EEA.contains(&j.country.as_str()) || matches!(j.country.as_str(), "GB" | "CH"),
        None => regime == Regime::OptIn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gdpr_applies_in_the_eea_the_uk_and_switzerland_and_where_unknown_under_opt_in() {
        for (code, regime, want) in [
            ("FR", Regime::OptIn, true),
            ("DE-BY", Regime::OptIn, true),
            ("NO", Regime::OptIn, true),
            ("GB", Regime::OptIn, true),
            ("CH", Regime::OptIn, true),
            ("FR", Regime::Notice, true),
            ("BR", Regime::OptIn, false),
            ("KR", Regime::OptIn, false),
            ("CA-QC", Regime::OptIn, false),
            ("US-CA", Regime::OptOut, false),
            ("JP", Regime::OptIn, false),
            ("unknown", Regime::OptIn, true),
            ("unknown", Regime::Notice, false),
            ("", Regime::OptOut, false),
        ] {
            assert_eq!(gdpr_applies(code, regime), want, "{code} {regime:?}");
        }
    }

    #[test]
    fn only_korea_asks_item_by_item() {
        for (code, want) in [
            ("KR", true),
            ("KR-11", true),
            ("KP", false),
            ("DE", false),
            ("US-KR", false),
            ("", false),
        ] {
            assert_eq!(per_item_consent(code), want, "{code:?}");
        }
    }

    #[test]
    fn regimes_follow_the_design_table() {
        let cases = [
            ("DE", None, Regime::OptIn),
            ("no", None, Regime::OptIn),
            ("GB", None, Regime::OptIn),
            ("CH", None, Regime::OptIn),
            ("BR", None, Regime::OptIn),
            ("KR", None, Regime::OptIn),
            ("CA", Some("QC"), Regime::OptIn),
            ("CA", Some("ON"), Regime::Notice),
            ("US-CA", None, Regime::OptOut),
            ("US", Some("US-CO"), Regime::OptOut),
            ("US", Some("AL"), Regime::Notice),
            ("US", None, Regime::Notice),
            ("JP", None, Regime::Notice),
        ];
        for (country, sub, want) in cases {
            let j = Jurisdiction::parse(country, sub).expect("valid code");
            assert_eq!(j.regime(Regime::Notice), want, "{country} {sub:?}");
        }
    }

    #[test]
    fn every_state_with_a_gpp_section_is_an_opt_out_state_but_florida() {
        use crate::signals::gpp::UsState;
        let mut with_opt_out: Vec<UsState> = US_OPT_OUT_STATES
            .iter()
            .filter_map(|s| UsState::from_subdivision(s))
            .collect();
        with_opt_out.sort();
        let mut want = UsState::ALL.to_vec();
        want.retain(|s| *s != UsState::Fl);
        assert_eq!(with_opt_out, want);
        let florida = Jurisdiction::parse("US", Some("FL")).expect("valid");
        assert_eq!(florida.regime(Regime::Notice), Regime::Notice);
    }

    #[test]
    fn the_fallback_applies_only_outside_named_regions() {
        let jp = Jurisdiction::parse("JP", None).expect("valid");
        assert_eq!(jp.regime(Regime::OptIn), Regime::OptIn);
        let ca = Jurisdiction::parse("US", Some("CA")).expect("valid");
        assert_eq!(ca.regime(Regime::OptIn), Regime::OptOut);
    }

    #[test]
    fn codes_are_normalised_and_junk_is_refused() {
        assert_eq!(Jurisdiction::parse(" us ", Some("ca")).expect("valid").code(), "US-CA");
        assert_eq!(Jurisdiction::parse("FR", None).expect("valid").code(), "FR");
        assert_eq!(Jurisdiction::parse("XX1", None), None);
        assert_eq!(Jurisdiction::parse("", None), None);
    }
}
