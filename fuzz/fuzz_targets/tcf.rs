//! TC strings (`assent_shared::signals::tcf`), IAB TCF 2.3.
//!
//! Properties: the decoder never panics on any text (its length and every count are capped);
//! whatever it accepts re-encodes, and the new string decodes to the same value; any value
//! within the fields' widths encodes, and decodes back to itself.
#![no_main]

use arbitrary::Arbitrary;
use assent_shared::signals::tcf::{PublisherRestriction, PublisherTc, RestrictionType, TcString, VendorSet};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[derive(Debug, Arbitrary)]
enum Input {
    /// Any text (corpus files: four zero bytes, then a TC string).
    Text(String),
    /// Segments of base64url text (each byte picks a character), the first made a version 2
    /// core segment, so that the decoder gets past the header.
    Segments(Vec<u8>, Vec<Vec<u8>>),
    /// A value: each field is taken modulo what it may hold.
    Value(Box<Fields>),
}

#[derive(Debug, Arbitrary)]
struct Fields {
    numbers: [u64; 8],
    flags: [bool; 3],
    letters: [u8; 4],
    purposes: [u32; 3],
    vendors: [Vec<(u16, u16)>; 3],
    restrictions: Vec<(u8, u8, Vec<(u16, u16)>)>,
    publisher: Option<([u32; 2], u8, [u64; 2])>,
}

fuzz_target!(|input: Input| match input {
    Input::Text(text) => decode_anything(&text),
    Input::Segments(core, rest) => {
        let mut text = format!("C{}", base64url(&core));
        for segment in rest {
            text.push('.');
            text.push_str(&base64url(&segment));
        }
        decode_anything(&text);
    }
    Input::Value(fields) => {
        let tc = value(&fields);
        let s = tc.encode().expect("a value within the fields' widths encodes");
        assert_eq!(TcString::decode(&s).as_ref(), Ok(&tc), "{s}");
    }
});

fn decode_anything(text: &str) {
    if let Ok(tc) = TcString::decode(text) {
        let again = tc.encode().expect("what decodes re-encodes");
        assert_eq!(TcString::decode(&again).as_ref(), Ok(&tc), "{text} → {again}");
    }
}

fn base64url(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| char::from(BASE64URL[usize::from(*b) % 64]))
        .collect()
}

/// Ids 1 to `width` whose bits are set in `mask`.
fn ids(mask: u64, width: u8) -> BTreeSet<u8> {
    (1..=width).filter(|id| (mask >> (id - 1)) & 1 == 1).collect()
}

/// Entries with ids from 1, each ending at or after its start.
fn entries(list: &[(u16, u16)]) -> Vec<(u16, u16)> {
    list.iter()
        .take(4095)
        .map(|&(a, b)| (a.max(1).min(b.max(1)), a.max(b).max(1)))
        .collect()
}

fn value(f: &Fields) -> TcString {
    let bits = |n: u64, width: u32| n & ((1 << width) - 1);
    let letter = |n: u8| b'A' + n % 26;
    let restrictions = f
        .restrictions
        .iter()
        .take(4095)
        .map(|(purpose, kind, list)| PublisherRestriction {
            purpose_id: purpose % 63 + 1,
            restriction_type: match kind % 3 {
                0 => RestrictionType::NotAllowed,
                1 => RestrictionType::RequireConsent,
                _ => RestrictionType::RequireLegitimateInterest,
            },
            vendor_entries: entries(list),
        });
    let vendors = |i: usize| VendorSet::from_ranges(entries(&f.vendors[i]));
    TcString {
        created: bits(f.numbers[0], 36),
        last_updated: bits(f.numbers[1], 36),
        cmp_id: bits(f.numbers[2], 12) as u16,
        cmp_version: bits(f.numbers[3], 12) as u16,
        consent_screen: bits(f.numbers[4], 6) as u8,
        consent_language: [letter(f.letters[0]), letter(f.letters[1])],
        vendor_list_version: bits(f.numbers[5], 12) as u16,
        tcf_policy_version: bits(f.numbers[6], 6) as u8,
        is_service_specific: f.flags[0],
        use_non_standard_texts: f.flags[1],
        special_feature_opt_ins: ids(f.purposes[0].into(), 12),
        purposes_consent: ids(f.purposes[1].into(), 24),
        purposes_li_transparency: ids(f.purposes[2].into(), 24),
        purpose_one_treatment: f.flags[2],
        publisher_cc: [letter(f.letters[2]), letter(f.letters[3])],
        vendor_consents: vendors(0),
        vendor_legitimate_interests: vendors(1),
        pub_restrictions: restrictions.collect(),
        disclosed_vendors: vendors(2),
        publisher_tc: f.publisher.map(|(purposes, n, custom)| {
            let n = n % 64;
            PublisherTc {
                pub_purposes_consent: ids(purposes[0].into(), 24),
                pub_purposes_li_transparency: ids(purposes[1].into(), 24),
                num_custom_purposes: n,
                custom_purposes_consent: ids(custom[0], n),
                custom_purposes_li_transparency: ids(custom[1], n),
            }
        }),
    }
}
