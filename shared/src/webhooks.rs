//! Webhooks for consent events: the event types a site's endpoints can ask for, which types a
//! recorded event has, the message body delivered, and the admin API bodies for endpoints and
//! their delivery log.
//!
//! Messages follow the Standard Webhooks specification 1.0.0 (standardwebhooks.com;
//! `spec/standard-webhooks.md` in github.com/standard-webhooks/standard-webhooks): a JSON body
//! `{"type", "timestamp", "data"}` with a full-stop delimited `type`, signed as that text
//! describes in its "Signature scheme" section (the server does the signing).

use crate::consent::{ConsentEvent, Decisions, Method, Source};
use crate::ids::{EventId, SiteId, SubjectId};
use crate::regime::Regime;
use serde::{Deserialize, Serialize};

/// What an endpoint can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    /// Every recorded event, whatever its method.
    #[serde(rename = "consent.recorded")]
    Recorded,
    /// An event with method `withdraw`.
    #[serde(rename = "consent.withdrawn")]
    Withdrawn,
    /// An event with method `expire` (a consent passed its lifetime).
    #[serde(rename = "consent.expired")]
    Expired,
    /// An event carrying a Global Privacy Control signal: method `gpc`, or `gpc: true`.
    #[serde(rename = "consent.gpc")]
    Gpc,
}

impl EventType {
    /// Every type, in the order [`event_types`] lists an event's types (most specific first).
    pub const ALL: [Self; 4] = [Self::Withdrawn, Self::Expired, Self::Gpc, Self::Recorded];

    /// The wire name, e.g. `consent.withdrawn`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Recorded => "consent.recorded",
            Self::Withdrawn => "consent.withdrawn",
            Self::Expired => "consent.expired",
            Self::Gpc => "consent.gpc",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

/// The types an event with this `method` and `gpc` flag has, most specific first:
/// `withdraw` → `consent.withdrawn`, `expire` → `consent.expired`, method `gpc` or a GPC
/// signal → `consent.gpc`, and every event → `consent.recorded` (always last). A `sync` (a
/// linked account's choice adopted on another device) is `consent.recorded` only: a
/// withdrawal it carries was announced as `consent.withdrawn` where it was made.
pub fn event_types(method: Method, gpc: bool) -> Vec<EventType> {
    let mut types = Vec::with_capacity(2);
    match method {
        Method::Withdraw => types.push(EventType::Withdrawn),
        Method::Expire => types.push(EventType::Expired),
        // Spelled out, so a new method is a decision here rather than silently no type.
        Method::AcceptAll
        | Method::RejectAll
        | Method::Save
        | Method::Close
        | Method::Object
        | Method::Gpc
        | Method::Api
        | Method::Sync => {}
    }
    if gpc || method == Method::Gpc {
        types.push(EventType::Gpc);
    }
    types.push(EventType::Recorded);
    types
}

/// The type of the one message an endpoint that asked for `wanted` gets for an event of
/// these `types` ([`event_types`]): the most specific type it asked for, or `None` (no
/// message). One message per event and endpoint, so a receiver never counts an event twice.
pub fn message_type(types: &[EventType], wanted: &[EventType]) -> Option<EventType> {
    types.iter().copied().find(|t| wanted.contains(t))
}

/// The body of a webhook message, sent as minified JSON and signed byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When the event occurred: its `recorded_at` (RFC 3339, UTC), the same on every retry.
    pub timestamp: String,
    pub data: MessageData,
}

/// The event, as a receiver needs it: identifiers, place in the chain, what was decided and
/// how. Its `hash` lets the receiver match the message to a receipt or an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageData {
    pub site_id: SiteId,
    pub subject_id: SubjectId,
    pub event_id: EventId,
    pub seq: u64,
    pub method: Method,
    pub source: Source,
    // A type alias has no schema name of its own: spell out the map.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<crate::ids::PurposeKey, crate::consent::Decision>))]
    pub decisions: Decisions,
    pub notice_version: u32,
    /// RFC 3339, UTC, server clock.
    pub recorded_at: String,
    pub gpc: bool,
    pub regime: Regime,
    pub jurisdiction: String,
    /// The event's hash in its subject's chain (hex SHA-256).
    pub hash: String,
}

impl Message {
    /// The message of `kind` for a recorded event.
    pub fn of(kind: EventType, event: &ConsentEvent) -> Self {
        Self {
            kind,
            timestamp: event.recorded_at.clone(),
            data: MessageData {
                site_id: event.site_id.clone(),
                subject_id: event.subject_id.clone(),
                event_id: event.event_id.clone(),
                seq: event.seq,
                method: event.method,
                source: event.source,
                decisions: event.decisions.clone(),
                notice_version: event.notice_version,
                recorded_at: event.recorded_at.clone(),
                gpc: event.gpc,
                regime: event.regime,
                jurisdiction: event.jurisdiction.clone(),
                hash: event.hash.clone(),
            },
        }
    }
}

/// `POST /v1/admin/sites/{site}/webhooks`: a new endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `http` or `https`; no credentials; a public host unless the server allows private
    /// networks (`webhooks_allow_private_networks`).
    pub url: String,
    /// At least one type; duplicates are dropped.
    pub events: Vec<EventType>,
    /// Default `true`.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// `PATCH /v1/admin/sites/{site}/webhooks/{id}`: only the fields present change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

/// `POST /v1/admin/sites/{site}/webhooks/{id}/rotate-secret`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RotateWebhookSecret {
    /// How long messages stay signed with the previous secret too, in hours (0–168, default
    /// 24): the signature header then carries both signatures, as the Standard Webhooks
    /// "Webhook headers" section describes for rotation without downtime.
    pub overlap_hours: Option<u32>,
}

/// An endpoint as the admin API shows it: never with its secret, except in
/// [`WebhookWithSecret`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<EventType>,
    pub enabled: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
    /// Messages waiting to be delivered to this endpoint (retries included).
    pub pending: u64,
}

/// The answer to creating an endpoint or rotating its secret: the only times the secret is
/// shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// `whsec_` + base64 of 32 random bytes (the Standard Webhooks secret serialization);
    /// the HMAC key is the base64-decoded part.
    pub secret: String,
}

/// One delivery attempt, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// Increasing; page backwards with `?before=`.
    pub id: u64,
    /// The `webhook-id` header: the same on every attempt of one message.
    pub message_id: String,
    pub event_id: String,
    pub event_type: EventType,
    /// 1 for the first attempt of the message.
    pub attempt: u32,
    /// RFC 3339, UTC.
    pub attempted_at: String,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<u16>,
    /// Why the attempt failed without an answer (timeout, refused address, connection error).
    pub error: Option<String>,
    pub duration_ms: u64,
    /// A 2xx answer: the message is delivered.
    pub delivered: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_is_recorded_and_its_method_or_signal_adds_the_specific_type() {
        use EventType::*;
        let cases = [
            (Method::AcceptAll, false, vec![Recorded]),
            (Method::Save, false, vec![Recorded]),
            (Method::Withdraw, false, vec![Withdrawn, Recorded]),
            (Method::Expire, false, vec![Expired, Recorded]),
            (Method::Gpc, false, vec![Gpc, Recorded]),
            (Method::Gpc, true, vec![Gpc, Recorded]),
            (Method::RejectAll, true, vec![Gpc, Recorded]),
            (Method::Withdraw, true, vec![Withdrawn, Gpc, Recorded]),
            (Method::Sync, false, vec![Recorded]),
            (Method::Sync, true, vec![Gpc, Recorded]),
        ];
        for (method, gpc, want) in cases {
            assert_eq!(event_types(method, gpc), want, "{method:?} gpc={gpc}");
        }
    }

    #[test]
    fn an_endpoint_gets_one_message_typed_by_the_most_specific_type_it_asked_for() {
        use EventType::*;
        let withdraw = event_types(Method::Withdraw, true);
        assert_eq!(message_type(&withdraw, &[Recorded, Withdrawn]), Some(Withdrawn));
        assert_eq!(message_type(&withdraw, &[Recorded, Gpc]), Some(Gpc));
        assert_eq!(message_type(&withdraw, &[Recorded]), Some(Recorded));
        assert_eq!(message_type(&event_types(Method::Save, false), &[Withdrawn]), None);
    }

    #[test]
    fn type_names_are_the_wire_names() {
        for t in EventType::ALL {
            assert_eq!(serde_json::to_value(t).expect("json"), t.as_str());
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("consent.other"), None);
    }
}
