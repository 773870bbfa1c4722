//! A site owner's notice as the admin API reads it: the request body parser
//! (`extract::parse_json`, which refuses repeated keys and NUL), `Notice::validate` and the
//! dark-pattern lint as `POST …/lint` runs them (`routes::admin::notices::findings`, also on
//! notices that do not validate), language negotiation and localization, and the notice
//! hash the ledger records.
//!
//! Input: a first line read as the visitor's `Accept-Language`, then the notice's JSON.
//!
//! Properties: nothing panics; what the body parser takes, plain serde reads the same; a
//! notice that validates still validates after a trip through JSON and hashes the same;
//! localization picks one of the notice's own languages; every finding of a valid notice
//! names a path into the notice whose indexes exist.
#![no_main]

use assent_server::extract::parse_json;
use assent_server::routes::admin::notices::findings;
use assent_shared::canonical::notice_hash;
use assent_shared::notice::Notice;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (accept_language, json) = text.split_once('\n').unwrap_or(("", text));
    if let Ok(value) = parse_json::<Value>(json.as_bytes()) {
        assert_eq!(serde_json::from_str::<Value>(json).ok(), Some(value));
    }
    let Ok(notice) = parse_json::<Notice>(json.as_bytes()) else {
        return;
    };
    assert_eq!(serde_json::from_str::<Notice>(json).ok().as_ref(), Some(&notice));
    let found = findings(&notice);
    if notice.validate().is_err() {
        return;
    }
    let again: Notice = serde_json::from_value(serde_json::to_value(&notice).expect("to JSON")).expect("from JSON");
    assert_eq!(again, notice);
    assert_eq!(findings(&again), found, "the findings are a function of the notice");

    let requested = (!accept_language.is_empty()).then_some(accept_language);
    let localized = notice.localize(requested);
    assert!(notice.texts.contains_key(&localized.language), "{}", localized.language);
    assert_eq!(localized.purposes.len(), notice.purposes.len());
    let hash = notice_hash(&localized).expect("hashing a notice");
    assert_eq!(notice_hash(&again.localize(requested)).expect("hashing a notice"), hash);

    let value = serde_json::to_value(&notice).expect("to JSON");
    for finding in &found {
        assert!(
            path_exists(&value, &finding.field),
            "{}: {} names no part of the notice",
            finding.code,
            finding.field
        );
    }
});

/// Whether a lint path (`purposes[2].vendors[0].cookies[1]`, `ui_texts.de.reject_all`) leads
/// into `value`: its first member is one of the notice's, and every `[i]` indexes an array
/// that is there, within its length. Members after the first may be missing (a missing
/// translation is named by where it belongs), but nothing is indexed beneath a missing one.
fn path_exists(value: &Value, path: &str) -> bool {
    let mut current = Some(value);
    let mut rest = path;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let Some((index, tail)) = after.split_once(']') else {
                return false;
            };
            let Ok(index) = index.parse::<usize>() else {
                return false;
            };
            let item = current.and_then(Value::as_array).and_then(|items| items.get(index));
            let Some(item) = item else { return false };
            current = Some(item);
            rest = tail;
        } else {
            let member = if first { Some(rest) } else { rest.strip_prefix('.') };
            let Some(member) = member else { return false };
            let end = member.find(['.', '[']).unwrap_or(member.len());
            let (key, tail) = member.split_at(end);
            if current.is_some_and(|c| !c.is_object()) {
                return false;
            }
            current = current.and_then(|c| c.get(key));
            if first && current.is_none() {
                return false;
            }
            rest = tail;
        }
        first = false;
    }
    true
}
