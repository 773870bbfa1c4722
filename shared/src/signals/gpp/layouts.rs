//! The state sections of GPP (ids 8 to 27) described once, as data: each section's fields in
//! string order with their widths, its optional subsection, and where its list of sensitive
//! data categories puts precise geolocation. One encoder and decoder ([`super::states`]) reads
//! this table; each entry follows that state's IAB technical specification
//! (github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform, `Sections/US-States/`) as
//! IAB's reference library `@iabgpp/cmpapi` 3.2.0 implements it.
//!
//! Two layouts exist. Sections 8 to 23 follow usnat's: `Version`, notices, opt-outs,
//! `SensitiveDataProcessing`, child consents, MSPA fields, then an optional GPC subsection
//! (`SubsectionType` 1, `Gpc`). Maryland, Indiana, Kentucky and Rhode Island (24 to 27) start
//! with the MSPA fields (`MspaVersion`, `MspaCoveredTransaction`, `MspaMode`); Indiana's,
//! Kentucky's and Rhode Island's sensitive-data consents are a subsection of their own, written
//! without a type field. Their specifications (public comment, October 2025) add a section
//! header (`SectionID`, `Version`, a Fibonacci range of subsection ids) that the reference
//! library does not write: strings follow the library, which is what vendors decode with.

use serde::{Deserialize, Serialize};

/// A field of a US section, named as in the IAB specifications (and on the wire: a section
/// serializes to an object with these names, as `__gpp('getSection')` returns it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    /// The section's version (Int 6), fixed by the layout.
    Version,
    /// The newer layout's first field (Int 6): the library writes the section version there.
    MspaVersion,
    SharingNotice,
    SaleOptOutNotice,
    SharingOptOutNotice,
    TargetedAdvertisingOptOutNotice,
    SensitiveDataProcessingOptOutNotice,
    SensitiveDataLimitUseNotice,
    /// Iowa's notice of the opt-out of sensitive data processing.
    SensitiveDataOptOutNotice,
    ProcessingNotice,
    SaleOptOut,
    SharingOptOut,
    TargetedAdvertisingOptOut,
    /// One 2-bit entry per sensitive data category, in the state's own numbering.
    SensitiveDataProcessing,
    /// One 2-bit entry, or one per age band where the state distinguishes them.
    KnownChildSensitiveDataConsents,
    PersonalDataConsents,
    AdditionalDataProcessingConsent,
    MspaCoveredTransaction,
    /// The newer layout's single MSPA mode: 0 none, 1 opt-out option, 2 service provider.
    MspaMode,
    MspaOptOutOptionMode,
    MspaServiceProviderMode,
    /// The GPC subsection's signal.
    Gpc,
}

/// How a field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// An unsigned integer of this many bits.
    Int(usize),
    /// One bit.
    Bool,
    /// This many 2-bit integers (the specifications' `N-Bitfield(2, n)`).
    List(usize),
}

/// A subsection after the core, separated by `.`.
#[derive(Debug)]
pub(super) struct Subsection {
    /// The `SubsectionType` written first in 2 bits, where the layout has one.
    pub subsection_type: Option<u64>,
    pub fields: &'static [(Field, Kind)],
}

/// One section's layout.
#[derive(Debug)]
pub(super) struct Layout {
    pub id: u64,
    pub name: &'static str,
    /// The ISO 3166-2 subdivision code after `US-`.
    pub subdivision: &'static str,
    pub version: u8,
    pub core: &'static [(Field, Kind)],
    pub subsection: Option<Subsection>,
    /// The spec's entry number (from 1) of precise geolocation in SensitiveDataProcessing, or
    /// `None` where the state's list of sensitive data has no such category.
    pub precise_geolocation: Option<usize>,
}

impl Layout {
    /// How `field` is written, if the core or the subsection has it.
    pub fn kind(&self, field: Field) -> Option<Kind> {
        let sub = self.subsection.as_ref().map_or(&[][..], |s| s.fields);
        self.core
            .iter()
            .chain(sub)
            .find(|(f, _)| *f == field)
            .map(|(_, kind)| *kind)
    }
}

use Field::*;

const fn two(field: Field) -> (Field, Kind) {
    (field, Kind::Int(2))
}

const fn list(field: Field, entries: usize) -> (Field, Kind) {
    (field, Kind::List(entries))
}

/// One 2-bit child consent, or one per age band.
const CHILD: (Field, Kind) = two(KnownChildSensitiveDataConsents);
const fn children(bands: usize) -> (Field, Kind) {
    list(KnownChildSensitiveDataConsents, bands)
}

const VERSION: (Field, Kind) = (Version, Kind::Int(6));
const MSPA_VERSION: (Field, Kind) = (MspaVersion, Kind::Int(6));

const GPC: Option<Subsection> = Some(Subsection {
    subsection_type: Some(super::usnat::GPC_SUBSECTION),
    fields: &[(Gpc, Kind::Bool)],
});
const SENSITIVE_DATA_CONSENTS: Option<Subsection> = Some(Subsection {
    subsection_type: None,
    fields: &[list(SensitiveDataProcessing, 8)],
});

const CA: &[(Field, Kind)] = &[
    VERSION,
    two(SaleOptOutNotice),
    two(SharingOptOutNotice),
    two(SensitiveDataLimitUseNotice),
    two(SaleOptOut),
    two(SharingOptOut),
    list(SensitiveDataProcessing, 9),
    children(2),
    two(PersonalDataConsents),
    two(MspaCoveredTransaction),
    two(MspaOptOutOptionMode),
    two(MspaServiceProviderMode),
];

/// Virginia's fields, with `$sensitive` sensitive entries and the child consents `$child`:
/// Colorado's and Connecticut's too.
macro_rules! va_like {
    ($sensitive:expr, $child:expr) => {
        &[
            VERSION,
            two(SharingNotice),
            two(SaleOptOutNotice),
            two(TargetedAdvertisingOptOutNotice),
            two(SaleOptOut),
            two(TargetedAdvertisingOptOut),
            list(SensitiveDataProcessing, $sensitive),
            $child,
            two(MspaCoveredTransaction),
            two(MspaOptOutOptionMode),
            two(MspaServiceProviderMode),
        ]
    };
}

const UT: &[(Field, Kind)] = &[
    VERSION,
    two(SharingNotice),
    two(SaleOptOutNotice),
    two(TargetedAdvertisingOptOutNotice),
    two(SensitiveDataProcessingOptOutNotice),
    two(SaleOptOut),
    two(TargetedAdvertisingOptOut),
    list(SensitiveDataProcessing, 8),
    CHILD,
    two(MspaCoveredTransaction),
    two(MspaOptOutOptionMode),
    two(MspaServiceProviderMode),
];

const MT: &[(Field, Kind)] = &[
    VERSION,
    two(SharingNotice),
    two(SaleOptOutNotice),
    two(TargetedAdvertisingOptOutNotice),
    two(SaleOptOut),
    two(TargetedAdvertisingOptOut),
    list(SensitiveDataProcessing, 8),
    children(3),
    two(AdditionalDataProcessingConsent),
    two(MspaCoveredTransaction),
    two(MspaOptOutOptionMode),
    two(MspaServiceProviderMode),
];

/// The fields of Florida and the states that start with a processing notice like it:
/// `ProcessingNotice`, sale and targeted-advertising notices and opt-outs, this many sensitive
/// entries, the child consents `$child`, then additional consent and the MSPA fields.
macro_rules! processing_notice {
    ($sensitive:expr, $child:expr) => {
        &[
            VERSION,
            two(ProcessingNotice),
            two(SaleOptOutNotice),
            two(TargetedAdvertisingOptOutNotice),
            two(SaleOptOut),
            two(TargetedAdvertisingOptOut),
            list(SensitiveDataProcessing, $sensitive),
            $child,
            two(AdditionalDataProcessingConsent),
            two(MspaCoveredTransaction),
            two(MspaOptOutOptionMode),
            two(MspaServiceProviderMode),
        ]
    };
}

const IA: &[(Field, Kind)] = &[
    VERSION,
    two(ProcessingNotice),
    two(SaleOptOutNotice),
    two(TargetedAdvertisingOptOutNotice),
    two(SensitiveDataOptOutNotice),
    two(SaleOptOut),
    two(TargetedAdvertisingOptOut),
    list(SensitiveDataProcessing, 8),
    CHILD,
    two(MspaCoveredTransaction),
    two(MspaOptOutOptionMode),
    two(MspaServiceProviderMode),
];

const MD: &[(Field, Kind)] = &[
    MSPA_VERSION,
    two(MspaCoveredTransaction),
    two(MspaMode),
    two(ProcessingNotice),
    two(SaleOptOutNotice),
    two(TargetedAdvertisingOptOutNotice),
    two(SaleOptOut),
    two(TargetedAdvertisingOptOut),
    two(AdditionalDataProcessingConsent),
];

/// Indiana's, Kentucky's and Rhode Island's core (their sensitive entries are a subsection).
const IN: &[(Field, Kind)] = &[
    MSPA_VERSION,
    two(MspaCoveredTransaction),
    two(MspaMode),
    two(ProcessingNotice),
    two(SaleOptOutNotice),
    two(TargetedAdvertisingOptOutNotice),
    two(SaleOptOut),
    two(TargetedAdvertisingOptOut),
    CHILD,
    two(AdditionalDataProcessingConsent),
];

/// A state section's layout; every one is at version 1 (IAB's reference library 3.2.0).
const fn state(
    id: u64,
    name: &'static str,
    subdivision: &'static str,
    core: &'static [(Field, Kind)],
    subsection: Option<Subsection>,
    precise_geolocation: Option<usize>,
) -> Layout {
    Layout {
        id,
        name,
        subdivision,
        version: 1,
        core,
        subsection,
        precise_geolocation,
    }
}

/// Indexed by [`super::UsState`] (its order is the id order).
pub(super) static LAYOUTS: [Layout; 20] = [
    state(8, "usca", "CA", CA, GPC, Some(3)),
    state(9, "usva", "VA", va_like!(8, CHILD), None, Some(8)),
    state(10, "usco", "CO", va_like!(7, CHILD), GPC, None),
    state(11, "usut", "UT", UT, None, Some(8)),
    state(12, "usct", "CT", va_like!(8, children(3)), GPC, Some(8)),
    state(13, "usfl", "FL", processing_notice!(8, children(3)), None, Some(8)),
    state(14, "usmt", "MT", MT, GPC, Some(8)),
    state(15, "usor", "OR", processing_notice!(11, children(3)), GPC, Some(11)),
    state(16, "ustx", "TX", processing_notice!(8, CHILD), GPC, Some(8)),
    state(17, "usde", "DE", processing_notice!(9, children(5)), GPC, Some(8)),
    state(18, "usia", "IA", IA, GPC, Some(8)),
    state(19, "usne", "NE", processing_notice!(8, CHILD), GPC, Some(8)),
    state(20, "usnh", "NH", processing_notice!(8, children(3)), GPC, Some(8)),
    state(21, "usnj", "NJ", processing_notice!(10, children(5)), GPC, Some(8)),
    state(22, "ustn", "TN", processing_notice!(8, CHILD), GPC, Some(8)),
    state(23, "usmn", "MN", processing_notice!(8, CHILD), GPC, Some(8)),
    state(24, "usmd", "MD", MD, GPC, None),
    state(25, "usin", "IN", IN, SENSITIVE_DATA_CONSENTS, Some(8)),
    state(26, "usky", "KY", IN, SENSITIVE_DATA_CONSENTS, Some(8)),
    state(27, "usri", "RI", IN, SENSITIVE_DATA_CONSENTS, Some(8)),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::gpp::UsState;

    #[test]
    fn the_table_is_in_id_order_and_each_state_finds_its_own_layout() {
        for (i, state) in UsState::ALL.into_iter().enumerate() {
            assert_eq!(state as usize, i);
            assert_eq!(state.id(), 8 + i as u64);
            assert_eq!(UsState::from_id(state.id()), Some(state));
            assert_eq!(UsState::from_subdivision(state.layout().subdivision), Some(state));
            assert_eq!(state.name(), format!("us{}", state.layout().subdivision.to_lowercase()));
            // `UsSection::sale_opt_out` reads it from every section.
            assert_eq!(state.layout().kind(SaleOptOut), Some(Kind::Int(2)), "{state:?}");
        }
        assert_eq!((UsState::from_id(7), UsState::from_id(28)), (None, None));
    }

    #[test]
    fn precise_geolocation_is_an_entry_of_each_sensitive_list() {
        for state in UsState::ALL {
            let layout = state.layout();
            let entries = match layout.kind(SensitiveDataProcessing) {
                Some(Kind::List(n)) => Some(n),
                _ => None,
            };
            match (layout.precise_geolocation, entries) {
                (Some(entry), Some(n)) => assert!((1..=n).contains(&entry), "{state:?}"),
                (None, _) => assert!(matches!(state, UsState::Co | UsState::Md), "{state:?}"),
                (Some(_), None) => panic!("{state:?} has no sensitive list"),
            }
        }
    }
}
