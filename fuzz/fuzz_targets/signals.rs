//! The ad-tech signal strings (`assent_shared::signals`): the GPP header, the US National and
//! state sections, whole GPP strings, and the `us_privacy` string.
//!
//! Properties: the decoders never panic and stay bounded on any text; what the encoders
//! write for any valid input decodes to that input; a `us_privacy` string has the shape IAB's
//! specification gives it and names exactly the flags it was made from.
//! (TC strings have their own target, `tcf`.)
#![no_main]

use arbitrary::Arbitrary;
use assent_shared::signals::gpp::{
    self, Field, MAX_SECTIONS, Section, StateSection, USNAT_SECTION_ID, UsNat, UsSection, UsState, Value,
};
use assent_shared::signals::usp::us_privacy;
use libfuzzer_sys::fuzz_target;

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[derive(Debug, Arbitrary)]
enum Input {
    /// Any text as a GPP header, a whole GPP string, and a usnat and every state section.
    Text(String),
    /// Base64url text (each byte picks a character), where the decoders get past the alphabet.
    Base64url(Vec<u8>, Option<Vec<u8>>),
    /// Section ids to encode as a header: made ascending from 1 below.
    Header(Vec<u64>),
    /// A usnat section: each field's value is taken modulo what it may hold.
    UsNat(Box<Fields>),
    /// A state section (the state picked modulo 20): each field's value taken modulo what it
    /// may hold, its subsection written when `gpc` is `Some`.
    State(u8, Box<Fields>),
    /// The flags of a `us_privacy` string.
    UsPrivacy(bool, bool, bool, Option<bool>),
}

#[derive(Debug, Arbitrary)]
struct Fields {
    core: [u8; 32],
    gpc: Option<bool>,
}

fuzz_target!(|input: Input| match input {
    Input::Text(text) => decode_anything(&text),
    Input::Base64url(core, sub) => {
        let mut text = base64url(&core);
        if let Some(sub) = sub {
            text.push('.');
            text.push_str(&base64url(&sub));
        }
        decode_anything(&text);
    }
    Input::Header(steps) => {
        // Running sums of non-zero steps: strictly ascending ids from 1, as long as they fit.
        let mut ids = Vec::new();
        let mut previous = 0u64;
        for step in steps.into_iter().take(MAX_SECTIONS) {
            let Some(id) = previous.checked_add(step.max(1)) else {
                break;
            };
            ids.push(id);
            previous = id;
        }
        assert_eq!(gpp::decode_header(&gpp::header(&ids)), Some(ids));
    }
    Input::UsNat(fields) => {
        let usnat = usnat_from(&fields);
        let section = usnat.encode();
        assert_eq!(UsNat::decode(&section).as_ref(), Some(&usnat), "{section}");
        let full = gpp::usnat_string(&usnat);
        let (header, rest) = full.split_once('~').expect("a header and a section");
        assert_eq!(gpp::decode_header(header), Some(vec![USNAT_SECTION_ID]));
        assert_eq!(rest, section);
    }
    Input::State(state, fields) => {
        let section = state_from(state, &fields);
        let text = section.encode();
        assert_eq!(
            StateSection::decode(section.state(), &text).as_ref(),
            Some(&section),
            "{text}"
        );
        let usnat = usnat_from(&fields);
        let full = gpp::gpp_string(&[&section, &usnat]).expect("two distinct ids");
        let parts = gpp::sections(&full).expect("splits");
        assert_eq!(
            parts,
            [
                (USNAT_SECTION_ID, usnat.encode().as_str()),
                (section.id(), text.as_str())
            ]
        );
    }
    Input::UsPrivacy(applies, notice, opted_out, lspa) => {
        let s = us_privacy(applies, notice, opted_out, lspa);
        assert_eq!(read_us_privacy(&s), applies.then_some((notice, opted_out, lspa)), "{s}");
    }
});

/// The decoders on any text: no panic, and a header names at most `MAX_SECTIONS` ascending ids.
fn decode_anything(text: &str) {
    if let Some(ids) = gpp::decode_header(text) {
        assert!(ids.len() <= MAX_SECTIONS);
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        assert!(ids.first().is_none_or(|id| *id >= 1));
    }
    if let Some(usnat) = UsNat::decode(text) {
        // What decodes re-encodes to a section that decodes the same (padding may differ).
        assert_eq!(UsNat::decode(&usnat.encode()), Some(usnat));
    }
    for state in UsState::ALL {
        if let Some(section) = StateSection::decode(state, text) {
            assert_eq!(StateSection::decode(state, &section.encode()), Some(section));
        }
    }
    if let Some(parts) = gpp::sections(text) {
        assert!(parts.len() <= MAX_SECTIONS);
        for (id, part) in parts {
            if let Some(section) = UsSection::decode(id, part) {
                assert_eq!(UsSection::decode(id, &section.encode()), Some(section));
            }
        }
    }
}

fn base64url(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| char::from(BASE64URL[usize::from(*b) % 64]))
        .collect()
}

/// A version 2 section with every 2-bit field below 4 (the field width).
fn usnat_from(fields: &Fields) -> UsNat {
    let f = fields.core.map(|v| v % 4);
    UsNat {
        version: 2,
        sharing_notice: f[0],
        sale_opt_out_notice: f[1],
        sharing_opt_out_notice: f[2],
        targeted_advertising_opt_out_notice: f[3],
        sensitive_data_processing_opt_out_notice: f[4],
        sensitive_data_limit_use_notice: f[5],
        sale_opt_out: f[6],
        sharing_opt_out: f[7],
        targeted_advertising_opt_out: f[8],
        sensitive_data_processing: std::array::from_fn(|i| f[9 + i]),
        known_child_sensitive_data_consents: [f[25], f[26], f[27]],
        personal_data_consents: f[28],
        mspa_covered_transaction: f[29],
        mspa_opt_out_option_mode: f[30],
        mspa_service_provider_mode: f[31],
        gpc: fields.gpc,
    }
}

/// A section of state `state % 20` with every settable field from `fields.core` in turn, each
/// taken modulo what its width holds; the subsection written (GPC or sensitive-data consents)
/// when `fields.gpc` is `Some`.
fn state_from(state: u8, fields: &Fields) -> StateSection {
    let state = UsState::ALL[usize::from(state) % UsState::ALL.len()];
    let mut section = StateSection::new(state);
    let mut next = fields.core.iter().cycle().map(|v| v % 4);
    let names = [
        Field::SharingNotice,
        Field::SaleOptOutNotice,
        Field::SharingOptOutNotice,
        Field::TargetedAdvertisingOptOutNotice,
        Field::SensitiveDataProcessingOptOutNotice,
        Field::SensitiveDataLimitUseNotice,
        Field::SensitiveDataOptOutNotice,
        Field::ProcessingNotice,
        Field::SaleOptOut,
        Field::SharingOptOut,
        Field::TargetedAdvertisingOptOut,
        Field::PersonalDataConsents,
        Field::AdditionalDataProcessingConsent,
        Field::MspaCoveredTransaction,
        Field::MspaMode,
        Field::MspaOptOutOptionMode,
        Field::MspaServiceProviderMode,
    ];
    for field in names {
        let value = Value::Int(next.next().unwrap_or_default());
        if section.has(field) {
            section.set(field, value).expect("a 2-bit value for a 2-bit field");
        }
    }
    for field in [Field::SensitiveDataProcessing, Field::KnownChildSensitiveDataConsents] {
        // The layout's own shape (a list of some length, or one 2-bit value), new values.
        let value = match section.get(field) {
            Some(Value::List(list)) => Value::List(list.iter().map(|_| next.next().unwrap_or_default()).collect()),
            Some(_) => Value::Int(next.next().unwrap_or_default()),
            // In a subsection: written below, if at all.
            None => continue,
        };
        section.set(field, value).expect("a value of the field's shape");
    }
    if let Some(gpc) = fields.gpc {
        if section.has(Field::Gpc) {
            section.set(Field::Gpc, Value::Bool(gpc)).expect("a boolean");
        } else if section.has(Field::SensitiveDataProcessing) && section.get(Field::SensitiveDataProcessing).is_none() {
            let entries = (0..8).map(|_| next.next().unwrap_or_default()).collect();
            section
                .set(Field::SensitiveDataProcessing, Value::List(entries))
                .expect("8 entries");
        }
    }
    section
}

/// Reads a `us_privacy` string as IAB's CCPA specification defines it, written here from the
/// specification and not from the encoder: version `1`, then notice given, opted out of
/// sale and LSPA covered, each `Y`, `N` or `-`. `None` for `1---` (the framework does not
/// apply). Panics on anything else: the encoder must write nothing else.
fn read_us_privacy(s: &str) -> Option<(bool, bool, Option<bool>)> {
    let chars: Vec<char> = s.chars().collect();
    assert_eq!((chars.len(), chars[0]), (4, '1'), "{s}");
    let flag = |c: char| match c {
        'Y' => Some(true),
        'N' => Some(false),
        '-' => None,
        other => panic!("{other:?} in {s}"),
    };
    if s == "1---" {
        return None;
    }
    let notice = flag(chars[1]).expect("notice given is Y or N where the framework applies");
    let opted_out = flag(chars[2]).expect("opted out is Y or N where the framework applies");
    Some((notice, opted_out, flag(chars[3])))
}
