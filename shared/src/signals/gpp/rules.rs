//! Which US section a visitor's jurisdiction calls for, and what a notice's decisions and GPC
//! write into it. The mapping is usnat's ([`UsNat::from_decisions`]), carried into each
//! state's own fields: the same opt-outs, precise geolocation at that state's own entry.

use super::UsState;
use super::layouts::{Field, Kind};
use super::states::{StateSection, Value};
use super::string::Section;
use super::usnat::{self, USNAT_SECTION_NAME, UsNat};
use crate::consent::Decisions;
use crate::notice::LocalizedNotice;
use crate::regime::Jurisdiction;
use serde::Serialize;

impl UsState {
    /// The state of a jurisdiction code as [`crate::regime`] writes it (`US-CA`, case and a
    /// separate `US` + `CA` aside), if it has a section of its own; `None` for another state,
    /// `US` alone or another country.
    pub fn from_jurisdiction(code: &str) -> Option<Self> {
        let jurisdiction = Jurisdiction::parse(code, None)?;
        if jurisdiction.country != "US" {
            return None;
        }
        Self::from_subdivision(jurisdiction.subdivision.as_deref()?)
    }
}

impl StateSection {
    /// The section a site's notice and a visitor's decisions produce in `state`'s layout, by
    /// [`UsNat::from_decisions`]'s rules:
    /// - every notice field the section has is 1, given (the banner is the notice):
    ///   ProcessingNotice, SharingNotice, SaleOptOutNotice, SharingOptOutNotice,
    ///   TargetedAdvertisingOptOutNotice, SensitiveDataProcessingOptOutNotice,
    ///   SensitiveDataLimitUseNotice, SensitiveDataOptOutNotice;
    /// - SaleOptOut, SharingOptOut and TargetedAdvertisingOptOut (those it has) are 1, opted
    ///   out, when GPC is on or a GPC-covered purpose is not granted, else 2;
    /// - a `precise_location` purpose sets the state's own precise-geolocation entry of
    ///   SensitiveDataProcessing (see [`UsState`]'s variants: 3 in California, 11 in Oregon,
    ///   8 elsewhere, none in Colorado and Maryland) to 2 when granted, 1 when not — "did not
    ///   opt out" / "opted out" where the entries are opt-outs, "consent" / "no consent" where
    ///   they are consents; Indiana, Kentucky and Rhode Island write their Sensitive Data
    ///   Consents subsection only then;
    /// - `Gpc` is `gpc` where the section has a GPC subsection (Virginia, Utah, Florida and the
    ///   newer layout's Indiana, Kentucky and Rhode Island have none; GPC still opts out there);
    /// - child consents, additional-processing consents and MSPA fields keep their defaults
    ///   (0, not applicable; MspaCoveredTransaction 2, not covered).
    pub fn from_decisions(state: UsState, notice: &LocalizedNotice, decisions: &Decisions, gpc: bool) -> Self {
        let mut section = Self::new(state);
        // Only fields the layout has, with values of their kind: `set` has nothing to refuse.
        let mut put = |field, value| {
            if section.has(field) {
                let stored = section.set(field, value);
                debug_assert!(stored.is_ok(), "{state:?} {field:?}: {stored:?}");
            }
        };
        for notice_field in [
            Field::ProcessingNotice,
            Field::SharingNotice,
            Field::SaleOptOutNotice,
            Field::SharingOptOutNotice,
            Field::TargetedAdvertisingOptOutNotice,
            Field::SensitiveDataProcessingOptOutNotice,
            Field::SensitiveDataLimitUseNotice,
            Field::SensitiveDataOptOutNotice,
        ] {
            put(notice_field, Value::Int(1));
        }
        let opt_out = usnat::opt_out(notice, decisions, gpc);
        for opt_out_field in [
            Field::SaleOptOut,
            Field::SharingOptOut,
            Field::TargetedAdvertisingOptOut,
        ] {
            put(opt_out_field, Value::Int(opt_out));
        }
        let layout = state.layout();
        if let (Some(entry), Some(Kind::List(entries)), Some(value)) = (
            layout.precise_geolocation,
            layout.kind(Field::SensitiveDataProcessing),
            usnat::precise_geolocation(notice, decisions),
        ) {
            let mut sensitive = vec![0; entries];
            sensitive[entry - 1] = value;
            put(Field::SensitiveDataProcessing, Value::List(sensitive));
        }
        put(Field::Gpc, Value::Bool(gpc));
        section
    }
}

/// The US section a GPP string carries for a visitor: usnat, or their state's own.
/// Serializes to the section's fields, as `__gpp('getSection')` returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum UsSection {
    Nat(UsNat),
    State(StateSection),
}

impl UsSection {
    /// The section for a visitor in `jurisdiction` (`US-CA`, as [`crate::regime`] records it):
    /// their state's own where it has one (IAB: a state's section is used where its law
    /// applies), usnat otherwise; filled from the notice, decisions and GPC by
    /// [`StateSection::from_decisions`] or [`UsNat::from_decisions`]. Whether any section
    /// applies (an opt-out regime) is the caller's question.
    pub fn for_visitor(jurisdiction: &str, notice: &LocalizedNotice, decisions: &Decisions, gpc: bool) -> Self {
        match UsState::from_jurisdiction(jurisdiction) {
            Some(state) => Self::State(StateSection::from_decisions(state, notice, decisions, gpc)),
            None => Self::Nat(UsNat::from_decisions(notice, decisions, gpc)),
        }
    }

    /// The section with id `id` (7 or 8 to 27) read from `section`; `None` for another id or
    /// text its decoder refuses ([`UsNat::decode`], [`StateSection::decode`]).
    pub fn decode(id: u64, section: &str) -> Option<Self> {
        if id == usnat::USNAT_SECTION_ID {
            return UsNat::decode(section).map(Self::Nat);
        }
        StateSection::decode(UsState::from_id(id)?, section).map(Self::State)
    }

    /// The section's API prefix: `usnat`, `usca`, …
    pub fn name(&self) -> &'static str {
        match self {
            Self::Nat(_) => USNAT_SECTION_NAME,
            Self::State(section) => section.state().name(),
        }
    }

    /// SaleOptOut, which every US section has: 0 not applicable, 1 opted out, 2 did not opt out.
    pub fn sale_opt_out(&self) -> u8 {
        match self {
            Self::Nat(usnat) => usnat.sale_opt_out,
            Self::State(section) => match section.get(Field::SaleOptOut) {
                Some(Value::Int(v)) => *v,
                _ => 0,
            },
        }
    }
}

/// Every section a visitor can get, as the CMP API's ping lists them in `supportedAPIs`: `id:name`
/// in id order, usnat (`7:usnat`) then the state sections (`8:usca` to `27:usri`).
pub fn supported_apis() -> Vec<String> {
    let usnat = (usnat::USNAT_SECTION_ID, USNAT_SECTION_NAME);
    std::iter::once(usnat)
        .chain(UsState::ALL.map(|state| (state.id(), state.name())))
        .map(|(id, name)| format!("{id}:{name}"))
        .collect()
}

impl Section for UsSection {
    fn id(&self) -> u64 {
        match self {
            Self::Nat(usnat) => usnat.id(),
            Self::State(section) => section.id(),
        }
    }

    fn encode(&self) -> String {
        match self {
            Self::Nat(usnat) => usnat.encode(),
            Self::State(section) => section.encode(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::Decision::{Denied, Granted};
    use crate::ids::PurposeKey;
    use crate::notice::Notice;

    /// The demo notice: advertising is GPC-covered; precise_location is a sensitive purpose.
    fn demo() -> LocalizedNotice {
        let notice: Notice =
            serde_json::from_str(include_str!("../../../../server/demo/notice.json")).expect("the demo notice parses");
        notice.localize(Some("en"))
    }

    fn decisions(advertising: crate::consent::Decision, location: crate::consent::Decision) -> Decisions {
        let key = |k: &str| PurposeKey::parse(k).expect("key");
        [(key("advertising"), advertising), (key("precise_location"), location)].into()
    }

    #[test]
    fn a_jurisdiction_picks_its_state_section_or_usnat() {
        for (code, want) in [
            ("US-CA", Some(UsState::Ca)),
            ("us-or", Some(UsState::Or)),
            ("US-RI", Some(UsState::Ri)),
            ("US-FL", Some(UsState::Fl)),
            ("US-NY", None),
            ("US", None),
            ("CA", None),
            ("CA-QC", None),
            ("", None),
        ] {
            assert_eq!(UsState::from_jurisdiction(code), want, "{code}");
        }
        let notice = demo();
        let none = Decisions::new();
        assert_eq!(UsSection::for_visitor("US-CA", &notice, &none, false).name(), "usca");
        assert_eq!(UsSection::for_visitor("US-NY", &notice, &none, false).name(), "usnat");
    }

    #[test]
    fn supported_apis_name_usnat_and_every_state_section_in_id_order() {
        let apis = supported_apis();
        assert_eq!(apis.len(), 21);
        assert_eq!(
            (apis[0].as_str(), apis[1].as_str(), apis[20].as_str()),
            ("7:usnat", "8:usca", "27:usri")
        );
        for (api, id) in apis.iter().zip(7..) {
            assert!(api.starts_with(&format!("{id}:")), "{api}");
        }
    }

    #[test]
    fn precise_geolocation_lands_on_each_states_own_entry() {
        let notice = demo();
        for (location, value) in [(Granted, 2), (Denied, 1)] {
            for state in UsState::ALL {
                let section = StateSection::from_decisions(state, &notice, &decisions(Granted, location), false);
                let want = state.layout().precise_geolocation.map(|entry| entry - 1);
                match section.get(Field::SensitiveDataProcessing) {
                    Some(Value::List(list)) => {
                        let set: Vec<usize> = (0..list.len()).filter(|i| list[*i] != 0).collect();
                        assert_eq!(set, Vec::from_iter(want), "{state:?}");
                        assert!(want.is_none_or(|i| list[i] == value), "{state:?}");
                    }
                    other => assert_eq!((other, want), (None, None), "{state:?}"),
                }
            }
        }
        let ca = StateSection::from_decisions(UsState::Ca, &notice, &decisions(Granted, Granted), false);
        assert_eq!(
            ca.get(Field::SensitiveDataProcessing),
            Some(&Value::List(vec![0, 0, 2, 0, 0, 0, 0, 0, 0]))
        );
        let or = StateSection::from_decisions(UsState::Or, &notice, &decisions(Granted, Denied), false);
        let mut eleventh = vec![0; 11];
        eleventh[10] = 1;
        assert_eq!(or.get(Field::SensitiveDataProcessing), Some(&Value::List(eleventh)));
    }

    #[test]
    fn without_a_location_purpose_the_sensitive_subsection_is_not_written() {
        let mut notice = demo();
        notice
            .purposes
            .retain(|p| p.key.as_str() != crate::consent::PRECISE_LOCATION);
        let section = StateSection::from_decisions(UsState::In, &notice, &Decisions::new(), false);
        assert_eq!(
            (
                section.get(Field::SensitiveDataProcessing),
                section.encode().contains('.')
            ),
            (None, false)
        );
    }

    #[test]
    fn gpc_and_denied_covered_purposes_opt_out_in_every_section_as_in_usnat() {
        let notice = demo();
        for (advertising, gpc) in [(Granted, false), (Denied, false), (Granted, true)] {
            let decisions = decisions(advertising, Granted);
            let usnat = UsNat::from_decisions(&notice, &decisions, gpc);
            for state in UsState::ALL {
                let section =
                    UsSection::for_visitor(&format!("US-{}", state.layout().subdivision), &notice, &decisions, gpc);
                let UsSection::State(s) = &section else {
                    panic!("{state:?} has its own section");
                };
                assert_eq!(section.sale_opt_out(), usnat.sale_opt_out, "{state:?}");
                for field in [Field::SharingOptOut, Field::TargetedAdvertisingOptOut] {
                    assert!(
                        s.get(field).is_none_or(|v| *v == Value::Int(usnat.sale_opt_out)),
                        "{state:?} {field:?}"
                    );
                }
                let has_gpc = !matches!(
                    state,
                    UsState::Va | UsState::Ut | UsState::Fl | UsState::In | UsState::Ky | UsState::Ri
                );
                assert_eq!(s.get(Field::Gpc), has_gpc.then_some(&Value::Bool(gpc)), "{state:?}");
                for notice_field in [
                    Field::ProcessingNotice,
                    Field::SaleOptOutNotice,
                    Field::TargetedAdvertisingOptOutNotice,
                ] {
                    assert!(s.get(notice_field).is_none_or(|v| *v == Value::Int(1)), "{state:?}");
                }
            }
        }
    }

    #[test]
    fn a_state_section_travels_alone_or_beside_others() {
        let notice = demo();
        let decisions = decisions(Denied, Granted);
        let usca = UsSection::for_visitor("US-CA", &notice, &decisions, true);
        let usnat = UsSection::for_visitor("US", &notice, &decisions, true);
        let alone = crate::signals::gpp::gpp_string(&[&usca]).expect("one section");
        assert_eq!(crate::signals::gpp::sections(&alone).map(|s| s.len()), Some(1));
        let both = crate::signals::gpp::gpp_string(&[&usca, &usnat]).expect("two sections");
        let parts = crate::signals::gpp::sections(&both).expect("splits");
        assert_eq!(parts.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [7, 8]);
        assert_eq!(UsSection::decode(8, parts[1].1), Some(usca));
        assert_eq!(UsSection::decode(7, parts[0].1), Some(usnat));
    }
}
