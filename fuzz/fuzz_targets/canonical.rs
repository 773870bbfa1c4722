//! The canonical bytes the ledger hashes (`assent_shared::canonical`, RFC 8785 JCS through
//! `serde_jcs`), on any JSON document and on any consent event.
//!
//! Properties, checked against RFC 8785 rather than against the serializer:
//! - any JSON value serializes; the bytes are JSON holding the same value (numbers as the
//!   IEEE 754 doubles JCS is defined over), and serializing them again gives the same bytes;
//! - no whitespace between tokens; members of every object in ascending order of their
//!   names' UTF-16 code units, no name twice; strings escape only `"`, `\` and control
//!   characters, those with the short forms where JSON has one and lowercase `\u00xx`
//!   otherwise; numbers in ECMAScript's shortest form (no `+` mantissa, no `E`, no
//!   trailing fraction zeros, a signed exponent);
//! - an event has canonical bytes exactly when it fits a layout (1 without `tcf`, 2 with it);
//!   they leave out `hash` and nothing else, determine the event (for integers within
//!   I-JSON's 2^53, where JCS numbers are exact), and its hash does not depend on the `hash`
//!   it carries.
#![no_main]

use assent_shared::canonical::{event_canonical_bytes, event_hash};
use assent_shared::consent::ConsentEvent;
use libfuzzer_sys::fuzz_target;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The largest integer every IEEE 754 double between 0 and it holds exactly (I-JSON, RFC 7493).
const EXACT_INTEGERS: u64 = 1 << 53;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        check_value(&value);
    }
    if let Ok(event) = serde_json::from_slice::<ConsentEvent>(data) {
        check_event(event);
    }
});

fn check_value(value: &Value) {
    let bytes = serde_jcs::to_vec(value).expect("every parsed JSON value serializes");
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    let back: Value = serde_json::from_str(text).expect("the canonical bytes are JSON");
    assert!(same(value, &back), "{value} became {text}");
    assert_eq!(serde_jcs::to_vec(&back).expect("serializes"), bytes, "not idempotent");
    serde_json::from_str::<Ordered>(text).expect("members in UTF-16 order");
    check_tokens(text);
}

fn check_event(mut event: ConsentEvent) {
    // Layout 1 has no `tcf`, layout 2 always has it, and no other layout exists: an event that
    // fits none has no canonical bytes (and so never verifies).
    let fits = event.schema_version == ConsentEvent::schema_version_for(event.tcf.as_ref());
    let Ok(bytes) = event_canonical_bytes(&event) else {
        assert!(!fits, "an event of a known layout has canonical bytes");
        return;
    };
    assert!(fits, "an event outside every layout got canonical bytes");
    let mut expected = serde_json::to_value(&event).expect("to JSON");
    let hash = expected
        .as_object_mut()
        .and_then(|members| members.remove("hash"))
        .expect("an event has a hash member");
    let canonical: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert!(
        same(&canonical, &expected),
        "the canonical bytes hold more or less than the event"
    );
    check_value(&expected);

    let exact = [
        event.seq,
        u64::from(event.notice_version),
        u64::from(event.schema_version),
    ]
    .iter()
    .all(|n| *n <= EXACT_INTEGERS);
    if exact {
        let mut members = canonical;
        members["hash"] = hash;
        let again: ConsentEvent = serde_json::from_value(members).expect("the bytes read back as an event");
        assert_eq!(again, event, "two events share canonical bytes");
    }

    let hashed = event_hash(&event).expect("hashing");
    event.hash = if event.hash.is_empty() {
        "x".into()
    } else {
        String::new()
    };
    assert_eq!(
        event_hash(&event).expect("hashing"),
        hashed,
        "the hash depends on the hash field"
    );
}

/// Equal as JCS sees JSON: numbers compared as doubles, members by name.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Reads JSON and fails unless every object's member names ascend in UTF-16 code units.
struct Ordered;

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
        Ok(Ordered)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Ordered, E> {
        Ok(Ordered)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Ordered, E> {
        Ok(Ordered)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Ordered, E> {
        Ok(Ordered)
    }

    fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
        Ok(Ordered)
    }

    fn visit_unit<E>(self) -> Result<Ordered, E> {
        Ok(Ordered)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        while seq.next_element::<Ordered>()?.is_some() {}
        Ok(Ordered)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut previous: Option<Vec<u16>> = None;
        while let Some(name) = map.next_key::<String>()? {
            let units: Vec<u16> = name.encode_utf16().collect();
            if previous.as_ref().is_some_and(|p| *p >= units) {
                return Err(de::Error::custom(format!("{name:?} is out of order or repeated")));
            }
            previous = Some(units);
            map.next_value::<Ordered>()?;
        }
        Ok(Ordered)
    }
}

/// The text between and inside tokens: whitespace, string escapes, number forms.
fn check_tokens(text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => loop {
                match chars.next().expect("a closed string") {
                    '"' => break,
                    '\\' => match chars.next().expect("an escape") {
                        '"' | '\\' | 'b' | 'f' | 'n' | 'r' | 't' => {}
                        'u' => {
                            let hex: String = chars.by_ref().take(4).collect();
                            let code = u32::from_str_radix(&hex, 16).expect("hex");
                            assert_eq!(hex, hex.to_lowercase(), "uppercase \\u{hex}");
                            assert!(code < 0x20, "\\u{hex} escapes what RFC 8785 writes as itself");
                            assert!(![8, 9, 10, 12, 13].contains(&code), "\\u{hex} has a short form");
                        }
                        other => panic!("\\{other} is not an RFC 8785 escape"),
                    },
                    c => assert!(u32::from(c) >= 0x20, "an unescaped control character"),
                }
            },
            '-' | '0'..='9' => {
                let mut number = String::from(c);
                while let Some(n) = chars.next_if(|n| n.is_ascii_alphanumeric() || matches!(n, '.' | '+' | '-')) {
                    number.push(n);
                }
                check_number(&number);
            }
            c => assert!(!c.is_whitespace(), "whitespace between tokens in {text}"),
        }
    }
}

/// ECMAScript's Number::toString form (ECMA-262 §6.1.6.1.20), which RFC 8785 §3.2.2.3 uses.
fn check_number(number: &str) {
    let (mantissa, exponent) = match number.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (number, None),
    };
    assert!(!number.contains('E') && !mantissa.contains('+'), "{number}");
    assert!(number != "-0", "negative zero is written 0");
    let digits = mantissa.trim_start_matches('-');
    assert!(
        !digits.starts_with('0') || digits == "0" || digits.starts_with("0."),
        "{number}"
    );
    if let Some((_, fraction)) = digits.split_once('.') {
        assert!(!fraction.is_empty() && !fraction.ends_with('0'), "{number}");
    }
    if let Some(exponent) = exponent {
        assert!(exponent.starts_with('+') || exponent.starts_with('-'), "{number}");
        let (whole, _) = digits.split_once('.').unwrap_or((digits, ""));
        assert_eq!(whole.len(), 1, "one digit before the point with an exponent: {number}");
    }
}
