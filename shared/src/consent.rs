//! Decisions, how they were made, and the ledger event that records them.

use crate::Invalid;
use crate::ids::{EventId, PurposeKey, SiteId, SubjectId};
use crate::notice::{LegalBasis, LocalizedNotice};
use crate::regime::Regime;
use crate::tcf_evidence::TcfEvidence;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Layout 1 of the hashed event: every member of [`ConsentEvent`] but `tcf`. The layout of
/// every event that carries no IAB TCF evidence, frozen (`canonical`'s v1 vector).
pub const EVENT_SCHEMA_VERSION: u32 = 1;
/// Layout 2: layout 1 plus `tcf` ([`TcfEvidence`]), for an event that carries IAB TCF
/// evidence, frozen (`canonical`'s v2 vector). A new member of the hashed event comes with a
/// new layout, so every existing event keeps verifying byte for byte (DESIGN, "Canonical
/// bytes").
pub const EVENT_SCHEMA_VERSION_TCF: u32 = 2;
/// The newest layout this build writes and verifies.
pub const LATEST_EVENT_SCHEMA_VERSION: u32 = EVENT_SCHEMA_VERSION_TCF;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Granted,
    Denied,
}

pub type Decisions = BTreeMap<PurposeKey, Decision>;

/// How the visitor expressed the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Method {
    AcceptAll,
    RejectAll,
    /// A custom choice saved from the preferences.
    Save,
    /// The banner was dismissed: a refusal.
    Close,
    Withdraw,
    /// An objection to a legitimate-interest purpose.
    Object,
    Gpc,
    Expire,
    Api,
    /// A linked account's current choice adopted on this device (with `source = account`):
    /// a copy of choices made on the account's other devices, never a choice of its own.
    Sync,
}

impl Method {
    /// Whether the visitor expressed this choice themselves, so it speaks for their account
    /// across devices (the most recent explicit choice wins): `accept_all`, `reject_all`,
    /// `save`, `withdraw`, `object`, `gpc` and `api`.
    ///
    /// Not explicit: `close` (dismissing the banner refuses by default on that device but says
    /// nothing about the purposes), `expire` (the system, not the visitor) and `sync` (a copy
    /// of another device's choice, which counts once, where and when it was made). A GPC
    /// signal is explicit: CCPA regulations §7025(c)(1) apply it to the consumer's account
    /// where the business knows it.
    pub const fn is_explicit(self) -> bool {
        match self {
            Self::AcceptAll | Self::RejectAll | Self::Save | Self::Withdraw | Self::Object | Self::Gpc | Self::Api => {
                true
            }
            Self::Close | Self::Expire | Self::Sync => false,
        }
    }
}

/// Which surface the decision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Banner,
    Panel,
    SettingsPage,
    Api,
    Signal,
    System,
    /// Another device of the same linked account (an event with `method = sync`).
    Account,
}

/// Where a GPC signal was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignalSource {
    Header,
    Js,
}

/// Per-purpose consent status, after the W3C DPV statuses used for ISO/IEC TS 27560 records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    Given,
    Refused,
    Withdrawn,
    Expired,
    Renewed,
    Invalidated,
}

/// One recorded decision: the ledger's unit of evidence. Every field except `hash` is covered
/// by the hash (see `canonical`), so field names and value encodings are frozen. Reading one
/// refuses members the hash does not cover (an unknown member, `"tcf": null`): a stored event
/// carrying them was altered, and the verifier says so instead of hashing around them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentEvent {
    pub schema_version: u32,
    pub event_id: EventId,
    pub site_id: SiteId,
    pub subject_id: SubjectId,
    pub seq: u64,
    /// Server clock, UTC, RFC 3339 with milliseconds.
    pub recorded_at: String,
    pub client_time: Option<String>,
    pub notice_version: u32,
    /// SHA-256 (hex) of the localized notice the visitor was shown.
    pub notice_hash: String,
    /// Hash of the banner code that was served.
    pub banner_build: Option<String>,
    pub policy_version: String,
    pub jurisdiction: String,
    pub regime: Regime,
    pub method: Method,
    pub source: Source,
    pub gpc: bool,
    pub signal_source: Option<SignalSource>,
    // A type alias has no schema name of its own: spell out the map.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<crate::ids::PurposeKey, crate::consent::Decision>))]
    pub decisions: Decisions,
    pub language: String,
    /// IPv4 /24 or IPv6 /48 network, if the site keeps it at all.
    pub ip_truncated: Option<String>,
    /// Salted SHA-256 of the user agent, if the site keeps it at all.
    pub user_agent_hash: Option<String>,
    /// IAB TCF evidence (the TC string, list version and vendors disclosed); present exactly in
    /// layout 2 ([`EVENT_SCHEMA_VERSION_TCF`]) and absent from the JSON otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub tcf: Option<TcfEvidence>,
    pub prev_hash: String,
    pub hash: String,
}

/// `tcf` is absent (layout 1) or an object (layout 2), never `null`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<TcfEvidence>, D::Error> {
    TcfEvidence::deserialize(d).map(Some)
}

impl ConsentEvent {
    /// The layout an event with (or without) TCF evidence is written in.
    pub const fn schema_version_for(tcf: Option<&TcfEvidence>) -> u32 {
        if tcf.is_some() {
            EVENT_SCHEMA_VERSION_TCF
        } else {
            EVENT_SCHEMA_VERSION
        }
    }
}

/// The `prev_hash` of the first event of every chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Each purpose's consent state.
pub type States = BTreeMap<PurposeKey, ConsentState>;

impl ConsentState {
    pub fn decision(self) -> Decision {
        match self {
            Self::Given | Self::Renewed => Decision::Granted,
            Self::Refused | Self::Withdrawn | Self::Expired | Self::Invalidated => Decision::Denied,
        }
    }
}

/// Derives the state an event moves each purpose to, given the subject's previous states:
/// a grant after a grant or after an expiry is a renewal, a denial after a grant a withdrawal.
pub fn derive_states(previous: &States, method: Method, decisions: &Decisions) -> States {
    decisions
        .iter()
        .map(|(key, decision)| {
            let before = previous.get(key).copied();
            let was_granted = before.is_some_and(|s| s.decision() == Decision::Granted);
            let state = match (method, decision) {
                (Method::Expire, _) => ConsentState::Expired,
                (_, Decision::Granted) if was_granted || before == Some(ConsentState::Expired) => ConsentState::Renewed,
                (_, Decision::Granted) => ConsentState::Given,
                (_, Decision::Denied) if was_granted => ConsentState::Withdrawn,
                (_, Decision::Denied) => ConsentState::Refused,
            };
            (key.clone(), state)
        })
        .collect()
}

/// Moves a subject's states along by one event and returns the states that event produced.
pub fn advance(states: &mut States, method: Method, decisions: &Decisions) -> States {
    let produced = derive_states(states, method, decisions);
    states.extend(produced.iter().map(|(k, s)| (k.clone(), *s)));
    produced
}

/// The purpose key of precise device location, the one name the banner, the loader (handed it
/// by the server in its boot object) and the GPP encoder share. Precise geolocation is
/// sensitive personal information (Cal. Civ. Code §1798.140(ae)(1)(C); GPP US sections,
/// `SensitiveDataProcessing` entry 8), so it is asked for alone, when a page needs it
/// (`assent.requestPreciseLocation()`), never bundled into "Accept all".
pub const PRECISE_LOCATION: &str = "precise_location";

/// How long a consent lasts unless its purpose says otherwise.
pub const DEFAULT_LIFETIME_DAYS: u32 = 365;
/// A refusal is respected at least this long before asking again (CNIL: about six months).
pub const REFUSAL_KEPT_DAYS: u32 = 183;
/// In opt-out regimes an opt-out of sale or sharing is respected at least twelve months
/// before the consumer may be asked to opt back in (Cal. Civ. Code §1798.135(c)(4)): a year,
/// leap day included.
pub const OPT_OUT_KEPT_DAYS: u32 = 366;

/// Checks that a set of decisions fits the notice it answers and the method claimed:
/// only known, choosable purposes; nothing necessary; accept/reject/close consistent.
pub fn validate_decisions(notice: &LocalizedNotice, method: Method, decisions: &Decisions) -> Result<(), Invalid> {
    if decisions.is_empty() {
        return Err(Invalid::new("decisions", "at least one purpose decision is required"));
    }
    for (key, decision) in decisions {
        let field = format!("decisions.{key}");
        let Some(purpose) = notice.purpose(key) else {
            return Err(Invalid::new(field, "not a purpose of this notice version"));
        };
        if purpose.legal_basis.is_necessary() {
            return Err(Invalid::new(field, "strictly necessary purposes take no decision"));
        }
        if purpose.legal_basis == LegalBasis::LegitimateInterests
            && *decision == Decision::Granted
            && method == Method::Object
        {
            return Err(Invalid::new(field, "an objection can only deny"));
        }
        let consistent = match method {
            Method::AcceptAll => *decision == Decision::Granted,
            Method::RejectAll | Method::Close | Method::Withdraw | Method::Object | Method::Gpc | Method::Expire => {
                *decision == Decision::Denied
            }
            Method::Save | Method::Api | Method::Sync => true,
        };
        if !consistent {
            return Err(Invalid::new(
                field,
                format!(
                    "{} contradicts method {}",
                    crate::wire_name(&decision),
                    crate::wire_name(&method)
                ),
            ));
        }
        if method == Method::AcceptAll && !purpose.in_accept_all {
            return Err(Invalid::new(
                field,
                "this purpose is not part of Accept all; ask for it separately",
            ));
        }
    }
    Ok(())
}

/// Checks that how an event says its decisions were made is a claim the client may make on
/// `…/consents`: the ledger is evidence of how consent was given (GDPR Art. 7(1)), so a client
/// cannot claim a surface or a signal that was not there. `gpc` is whether a GPC signal
/// applies to the request (the body's `gpc` or the `Sec-GPC` header).
///
/// - `sync` and `account` are recorded only by `…/sync`, which checks an account assertion;
/// - `gpc` comes from `signal`, and only with a GPC signal (W3C GPC §3); `signal` makes
///   nothing else;
/// - `expire` comes from `system`, and `system` makes nothing else;
/// - Accept all grants no GPC-covered purpose while a GPC signal applies: that needs its own,
///   explicit choice (Cal. Code Regs. tit. 11 §7025(c)).
pub fn validate_provenance(
    notice: &LocalizedNotice,
    method: Method,
    source: Source,
    gpc: bool,
    decisions: &Decisions,
) -> Result<(), Invalid> {
    if method == Method::Sync || source == Source::Account {
        return Err(Invalid::new(
            if method == Method::Sync { "method" } else { "source" },
            "an account's choice is recorded only through POST …/sync, with the account assertion",
        ));
    }
    for (made_by, only) in [(Method::Gpc, Source::Signal), (Method::Expire, Source::System)] {
        if method == made_by && source != only {
            return Err(Invalid::new(
                "source",
                format!(
                    "method {} is recorded with source {}",
                    crate::wire_name(&made_by),
                    crate::wire_name(&only)
                ),
            ));
        }
        if source == only && method != made_by {
            return Err(Invalid::new(
                "method",
                format!(
                    "source {} records only method {}",
                    crate::wire_name(&only),
                    crate::wire_name(&made_by)
                ),
            ));
        }
    }
    if method == Method::Gpc && !gpc {
        return Err(Invalid::new("gpc", "method gpc records a GPC signal: gpc must be true"));
    }
    if method == Method::AcceptAll && gpc {
        for (key, decision) in decisions {
            if *decision == Decision::Granted && notice.purpose(key).is_some_and(|p| p.gpc_covered) {
                return Err(Invalid::new(
                    format!("decisions.{key}"),
                    "Accept all grants no GPC-covered purpose while a GPC signal applies; that takes its own choice (save)",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> PurposeKey {
        PurposeKey::parse(k).expect("valid key")
    }

    #[test]
    fn only_provenance_a_client_may_claim_is_accepted() {
        let notice: crate::notice::Notice =
            serde_json::from_str(include_str!("../../server/demo/notice.json")).expect("the demo notice parses");
        let notice = notice.localize(Some("en"));
        let ads = Decisions::from([(key("advertising"), Decision::Granted)]);
        let no_ads = Decisions::from([(key("advertising"), Decision::Denied)]);
        let analytics = Decisions::from([(key("analytics"), Decision::Granted)]);
        use Method as M;
        use Source as S;
        #[rustfmt::skip]
        let table = [
            (M::AcceptAll, S::Banner, false, &ads, None),
            (M::AcceptAll, S::Api, true, &analytics, None),
            (M::AcceptAll, S::Banner, true, &ads, Some("decisions.advertising")),
            (M::Save, S::Panel, true, &ads, None),
            (M::Gpc, S::Signal, true, &no_ads, None),
            (M::Gpc, S::Signal, false, &no_ads, Some("gpc")),
            (M::Gpc, S::Banner, true, &no_ads, Some("source")),
            (M::Save, S::Signal, true, &no_ads, Some("method")),
            (M::Expire, S::System, false, &no_ads, None),
            (M::Expire, S::Banner, false, &no_ads, Some("source")),
            (M::AcceptAll, S::System, false, &ads, Some("method")),
            (M::Sync, S::Account, false, &ads, Some("method")),
            (M::Save, S::Account, false, &ads, Some("source")),
        ];
        for (method, source, gpc, decisions, refused) in table {
            let got = validate_provenance(&notice, method, source, gpc, decisions)
                .err()
                .map(|e| e.field);
            assert_eq!(got.as_deref(), refused, "{method:?} from {source:?}, gpc {gpc}");
        }
    }

    #[test]
    fn granting_after_a_grant_renews_and_denying_after_a_grant_withdraws() {
        let previous = States::from([
            (key("analytics"), ConsentState::Given),
            (key("ads"), ConsentState::Renewed),
        ]);
        let now = Decisions::from([
            (key("analytics"), Decision::Granted),
            (key("ads"), Decision::Denied),
            (key("functional"), Decision::Denied),
            (key("location"), Decision::Granted),
        ]);
        let states = derive_states(&previous, Method::Save, &now);
        assert_eq!(states[&key("analytics")], ConsentState::Renewed);
        assert_eq!(states[&key("ads")], ConsentState::Withdrawn);
        assert_eq!(states[&key("functional")], ConsentState::Refused);
        assert_eq!(states[&key("location")], ConsentState::Given);
    }

    #[test]
    fn expiry_is_its_own_state_and_a_grant_after_it_is_a_renewal() {
        let granted = States::from([(key("analytics"), ConsentState::Given)]);
        let denied = Decisions::from([(key("analytics"), Decision::Denied)]);
        let expired = derive_states(&granted, Method::Expire, &denied);
        assert_eq!(expired[&key("analytics")], ConsentState::Expired);
        let again = Decisions::from([(key("analytics"), Decision::Granted)]);
        assert_eq!(
            derive_states(&expired, Method::AcceptAll, &again)[&key("analytics")],
            ConsentState::Renewed
        );
        let refused = States::from([(key("analytics"), ConsentState::Refused)]);
        assert_eq!(
            derive_states(&refused, Method::AcceptAll, &again)[&key("analytics")],
            ConsentState::Given
        );
    }

    #[test]
    fn a_sync_moves_states_by_the_same_rules_as_any_choice() {
        let previous = States::from([
            (key("analytics"), ConsentState::Given),
            (key("ads"), ConsentState::Given),
            (key("location"), ConsentState::Expired),
        ]);
        let adopted = Decisions::from([
            (key("analytics"), Decision::Granted),
            (key("ads"), Decision::Denied),
            (key("location"), Decision::Granted),
            (key("functional"), Decision::Granted),
            (key("marketing"), Decision::Denied),
        ]);
        let states = derive_states(&previous, Method::Sync, &adopted);
        assert_eq!(states[&key("analytics")], ConsentState::Renewed);
        assert_eq!(states[&key("ads")], ConsentState::Withdrawn);
        assert_eq!(states[&key("location")], ConsentState::Renewed);
        assert_eq!(states[&key("functional")], ConsentState::Given);
        assert_eq!(states[&key("marketing")], ConsentState::Refused);
    }

    #[test]
    fn only_choices_the_visitor_made_themselves_are_explicit() {
        use Method::*;
        for (method, explicit) in [
            (AcceptAll, true),
            (RejectAll, true),
            (Save, true),
            (Withdraw, true),
            (Object, true),
            (Gpc, true),
            (Api, true),
            (Close, false),
            (Expire, false),
            (Sync, false),
        ] {
            assert_eq!(method.is_explicit(), explicit, "{method:?}");
        }
    }

    #[test]
    fn methods_serialize_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&Method::AcceptAll).expect("serializes"),
            "\"accept_all\""
        );
        assert_eq!(
            serde_json::to_string(&Source::SettingsPage).expect("serializes"),
            "\"settings_page\""
        );
        assert_eq!(serde_json::to_string(&Method::Sync).expect("serializes"), "\"sync\"");
        assert_eq!(
            serde_json::to_string(&Source::Account).expect("serializes"),
            "\"account\""
        );
    }
}
