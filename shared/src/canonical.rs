//! The canonical bytes the ledger hashes. **Frozen**: changing anything here invalidates
//! every existing ledger, so the test vectors below must never change.
//!
//! - canonical bytes = RFC 8785 (JSON Canonicalization Scheme) of the event's JSON without
//!   its `hash` member (every other member present, `null` where absent);
//! - `hash = hex(SHA-256(prev_hash ‖ canonical bytes))`, where `prev_hash` is the 64-char
//!   lowercase hex of the previous event's hash ([`GENESIS_HASH`] for `seq = 1`);
//! - a notice hash is `hex(SHA-256(JCS(localized notice)))`.
//!
//! Each `schema_version` is a layout of its own: layout 1 has no `tcf` member, layout 2
//! ([`EVENT_SCHEMA_VERSION_TCF`]) has it, always set. An event whose members do not fit its
//! layout has no canonical bytes (and so never verifies).

use crate::consent::{ConsentEvent, EVENT_SCHEMA_VERSION, EVENT_SCHEMA_VERSION_TCF, GENESIS_HASH};
use crate::notice::LocalizedNotice;
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("canonical serialization failed: {0}")]
pub struct CanonicalError(String);

fn jcs<T: Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    serde_jcs::to_vec(value).map_err(|e| CanonicalError(e.to_string()))
}

/// RFC 8785 bytes of the event without `hash`, by the layout of its `schema_version`.
///
/// # Errors
/// A `schema_version` this build does not know, or members that do not fit it (`tcf` in
/// layout 1, none in layout 2).
pub fn event_canonical_bytes(event: &ConsentEvent) -> Result<Vec<u8>, CanonicalError> {
    if event.schema_version != ConsentEvent::schema_version_for(event.tcf.as_ref()) {
        return Err(CanonicalError(match event.schema_version {
            EVENT_SCHEMA_VERSION => "layout 1 has no tcf member".into(),
            EVENT_SCHEMA_VERSION_TCF => "layout 2 requires its tcf member".into(),
            other => format!("schema_version {other} is not a layout this build knows (1 or 2)"),
        }));
    }
    let mut value = serde_json::to_value(event).map_err(|e| CanonicalError(e.to_string()))?;
    if let Some(map) = value.as_object_mut() {
        map.remove("hash");
    }
    jcs(&value)
}

/// The hash an event must carry, given its `prev_hash` field.
pub fn event_hash(event: &ConsentEvent) -> Result<String, CanonicalError> {
    let mut hasher = Sha256::new();
    hasher.update(event.prev_hash.as_bytes());
    hasher.update(event_canonical_bytes(event)?);
    Ok(hex::encode(hasher.finalize()))
}

pub fn notice_hash(notice: &LocalizedNotice) -> Result<String, CanonicalError> {
    Ok(hex::encode(Sha256::digest(jcs(notice)?)))
}

/// Whether a chain's events link up from genesis and each hash matches its bytes.
/// Returns the `seq` of the first broken event, if any.
pub fn first_broken(events: &[ConsentEvent]) -> Option<u64> {
    let mut expected_prev = GENESIS_HASH.to_owned();
    for (i, event) in events.iter().enumerate() {
        let expected_seq = i as u64 + 1;
        let hash_ok = event_hash(event).is_ok_and(|h| h == event.hash);
        if event.seq != expected_seq || event.prev_hash != expected_prev || !hash_ok {
            return Some(event.seq);
        }
        expected_prev.clone_from(&event.hash);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{Decision, Decisions, EVENT_SCHEMA_VERSION, Method, Source};
    use crate::ids::{EventId, PurposeKey, SiteId, SubjectId};
    use crate::regime::Regime;
    use crate::tcf_evidence::TcfEvidence;

    fn vector_event() -> ConsentEvent {
        ConsentEvent {
            schema_version: EVENT_SCHEMA_VERSION,
            event_id: EventId::parse("6f1c2b1e-0a4e-4c55-9d55-2a4f0b8f1a01").expect("uuid"),
            site_id: SiteId::parse("demo").expect("site"),
            subject_id: SubjectId::parse("0b6a8f5e-7c11-4c1e-a7a5-4c1f8d0f9e22").expect("uuid"),
            seq: 1,
            recorded_at: "2026-11-26T10:00:00.000Z".into(),
            client_time: None,
            notice_version: 1,
            notice_hash: "ab".repeat(32),
            banner_build: Some("build-1".into()),
            policy_version: "2025-10".into(),
            jurisdiction: "DE".into(),
            regime: Regime::OptIn,
            method: Method::RejectAll,
            source: Source::Banner,
            gpc: false,
            signal_source: None,
            decisions: Decisions::from([
                (PurposeKey::parse("analytics").expect("key"), Decision::Denied),
                (PurposeKey::parse("advertising").expect("key"), Decision::Denied),
            ]),
            language: "en".into(),
            ip_truncated: None,
            user_agent_hash: None,
            tcf: None,
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        }
    }

    /// Frozen vector: these exact bytes and this exact hash must never change.
    #[test]
    fn canonical_bytes_match_the_frozen_vector() {
        let bytes = event_canonical_bytes(&vector_event()).expect("canonical");
        let expected = concat!(
            r#"{"banner_build":"build-1","client_time":null,"decisions":{"advertising":"denied","analytics":"denied"},"#,
            r#""event_id":"6f1c2b1e-0a4e-4c55-9d55-2a4f0b8f1a01","gpc":false,"ip_truncated":null,"jurisdiction":"DE","#,
            r#""language":"en","method":"reject_all","notice_hash":"abababababababababababababababababababababababababababababababab","#,
            r#""notice_version":1,"policy_version":"2025-10","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","#,
            r#""recorded_at":"2026-11-26T10:00:00.000Z","regime":"opt_in","schema_version":1,"seq":1,"signal_source":null,"#,
            r#""site_id":"demo","source":"banner","subject_id":"0b6a8f5e-7c11-4c1e-a7a5-4c1f8d0f9e22","user_agent_hash":null}"#
        );
        assert_eq!(String::from_utf8(bytes).expect("utf-8"), expected);
    }

    #[test]
    fn the_hash_matches_the_frozen_vector_and_ignores_the_hash_field() {
        let mut event = vector_event();
        let hash = event_hash(&event).expect("hash");
        assert_eq!(hash, FROZEN_HASH);
        event.hash = "anything".into();
        assert_eq!(event_hash(&event).expect("hash"), FROZEN_HASH);
    }

    /// Computed independently (Python hashlib over the bytes above), not by this code.
    const FROZEN_HASH: &str = "5faf366ec7fdff58b8aa361cc3702f73240d78519701f8efec3cd13d3b8f166a";

    fn vector_event_v2() -> ConsentEvent {
        ConsentEvent {
            schema_version: EVENT_SCHEMA_VERSION_TCF,
            method: Method::Save,
            tcf: Some(TcfEvidence {
                tc_string: "CQe1234Qe1234AfAAAENCZCAAAAAAAAAAAAAAAAAAAAA.IAAA".into(),
                cmp_id: 4095,
                cmp_version: 1,
                vendor_list_version: 150,
                tcf_policy_version: 5,
                disclosed_vendors: vec![2, 8, 10],
            }),
            ..vector_event()
        }
    }

    /// Frozen vector of layout 2: layout 1's members plus `tcf`, in JCS order.
    #[test]
    fn layout_2_matches_its_frozen_vector() {
        let event = vector_event_v2();
        let bytes = String::from_utf8(event_canonical_bytes(&event).expect("canonical")).expect("utf-8");
        let expected = concat!(
            r#"{"banner_build":"build-1","client_time":null,"decisions":{"advertising":"denied","analytics":"denied"},"#,
            r#""event_id":"6f1c2b1e-0a4e-4c55-9d55-2a4f0b8f1a01","gpc":false,"ip_truncated":null,"jurisdiction":"DE","#,
            r#""language":"en","method":"save","notice_hash":"abababababababababababababababababababababababababababababababab","#,
            r#""notice_version":1,"policy_version":"2025-10","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","#,
            r#""recorded_at":"2026-11-26T10:00:00.000Z","regime":"opt_in","schema_version":2,"seq":1,"signal_source":null,"#,
            r#""site_id":"demo","source":"banner","subject_id":"0b6a8f5e-7c11-4c1e-a7a5-4c1f8d0f9e22","#,
            r#""tcf":{"cmp_id":4095,"cmp_version":1,"disclosed_vendors":[2,8,10],"tc_string":"CQe1234Qe1234AfAAAENCZCAAAAAAAAAAAAAAAAAAAAA.IAAA","#,
            r#""tcf_policy_version":5,"vendor_list_version":150},"user_agent_hash":null}"#
        );
        assert_eq!(bytes, expected);
        assert_eq!(event_hash(&event).expect("hash"), FROZEN_HASH_V2);
    }

    /// Computed independently (Python hashlib over the bytes above), not by this code.
    const FROZEN_HASH_V2: &str = "1547400857e5a9848c8beae266885b25dce98ed8e1fd8f1efd77f6100eb93408";

    #[test]
    fn members_that_do_not_fit_their_layout_have_no_canonical_bytes() {
        let v1_with_tcf = ConsentEvent {
            schema_version: EVENT_SCHEMA_VERSION,
            ..vector_event_v2()
        };
        let v2_without = ConsentEvent {
            schema_version: EVENT_SCHEMA_VERSION_TCF,
            ..vector_event()
        };
        let unknown = ConsentEvent {
            schema_version: 3,
            ..vector_event_v2()
        };
        for event in [v1_with_tcf, v2_without, unknown] {
            assert!(event_canonical_bytes(&event).is_err(), "{:?}", event.schema_version);
        }
        // Members the hash does not cover are refused when a stored event is read.
        let stored = serde_json::to_value(vector_event()).expect("JSON");
        for (key, value) in [
            ("tcf", serde_json::Value::Null),
            ("withdrawn_by_phone", serde_json::json!("yes")),
        ] {
            let mut altered = stored.clone();
            altered[key] = value;
            assert!(serde_json::from_value::<ConsentEvent>(altered).is_err(), "{key}");
        }
        let mut inner = serde_json::to_value(vector_event_v2()).expect("JSON");
        inner["tcf"]["vendor_consents"] = serde_json::json!([1, 2]);
        assert!(serde_json::from_value::<ConsentEvent>(inner).is_err());
        assert_eq!(
            serde_json::from_value::<ConsentEvent>(stored).ok(),
            Some(vector_event())
        );
        // A v1 row read back with a `tcf` member added (a tampered row) breaks its chain.
        let mut events = chain(2);
        events[0].tcf = vector_event_v2().tcf;
        assert_eq!(first_broken(&events), Some(1));
    }

    fn chain(n: u64) -> Vec<ConsentEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = vector_event();
                e.seq = seq;
                e.prev_hash = prev.clone();
                e.hash = event_hash(&e).expect("hash");
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(first_broken(&chain(3)), None);
    }

    #[test]
    fn a_changed_decision_breaks_the_chain_at_that_event() {
        let mut events = chain(3);
        events[1]
            .decisions
            .insert(PurposeKey::parse("analytics").expect("key"), Decision::Granted);
        assert_eq!(first_broken(&events), Some(2));
    }

    #[test]
    fn a_missing_middle_event_breaks_the_chain() {
        let mut events = chain(3);
        events.remove(1);
        assert_eq!(first_broken(&events), Some(3));
    }
}
