//! Request and response bodies of the public API, and the one error body.

use crate::consent::{ConsentEvent, ConsentState, Decisions, Method, SignalSource, Source};
use crate::ids::{EventId, PurposeKey, SiteId, SubjectId};
use crate::notice::LocalizedNotice;
use crate::regime::Regime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GET /v1/sites/{site}/notice`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeResponse {
    pub site_id: SiteId,
    /// SHA-256 (hex) of the canonical form of `notice`; echo it when recording a decision.
    pub notice_hash: String,
    pub notice: LocalizedNotice,
    pub jurisdiction: String,
    pub regime: Regime,
    /// Whether this request carried `Sec-GPC: 1`.
    pub gpc: bool,
}

/// `POST /v1/sites/{site}/consents`. A later event for a known subject carries its
/// `subject_id` and presents the subject token as `Authorization: Bearer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    pub event_id: EventId,
    #[serde(default)]
    pub subject_id: Option<SubjectId>,
    pub notice_version: u32,
    pub notice_hash: String,
    pub language: String,
    pub method: Method,
    pub source: Source,
    pub decisions: Decisions,
    #[serde(default)]
    pub client_time: Option<String>,
    #[serde(default)]
    pub gpc: bool,
    #[serde(default)]
    pub signal_source: Option<SignalSource>,
    #[serde(default)]
    pub banner_build: Option<String>,
}

/// `201` answer to a recorded event (and the identical answer to an idempotent retry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecorded {
    pub event_id: EventId,
    pub subject_id: SubjectId,
    /// Issued with the subject's first event; keep it to append or read later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_token: Option<String>,
    pub seq: u64,
    pub hash: String,
    /// Compact JWS over the event's id, hash, decisions, notice and time.
    pub receipt: String,
    pub recorded_at: String,
    pub states: BTreeMap<PurposeKey, ConsentState>,
}

/// `GET /v1/sites/{site}/subjects/{subject}/consents`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentHistory {
    pub site_id: SiteId,
    pub subject_id: SubjectId,
    pub events: Vec<ConsentEvent>,
}

/// The one error shape: `{"error": {"code", "message", "details"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `invalid_input`, `not_found`, `conflict`, …
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}
