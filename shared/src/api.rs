//! Request and response bodies of the public API, and the one error body.

use crate::consent::{ConsentEvent, ConsentState, Decisions, Method, SignalSource, Source};
use crate::ids::{EventId, PurposeKey, SiteId, SubjectId};
use crate::notice::LocalizedNotice;
use crate::regime::Regime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GET /v1/sites/{site}/notice`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeResponse {
    pub site_id: SiteId,
    /// SHA-256 (hex) of the canonical form of `notice`; echo it when recording a decision.
    pub notice_hash: String,
    pub notice: LocalizedNotice,
    pub jurisdiction: String,
    pub regime: Regime,
    /// Whether this request carried `Sec-GPC: 1`.
    pub gpc: bool,
    /// Choices recorded under an earlier notice version than this are asked for again (the
    /// latest version that changed purposes or vendors materially).
    pub consent_valid_from: u32,
    /// The banner's own words in the notice's language, the notice's overrides applied. Not
    /// part of `notice_hash`: the hash covers the notice, which the overrides are part of.
    pub texts: BTreeMap<String, String>,
}

/// `POST /v1/sites/{site}/consents`. A later event for a known subject carries its
/// `subject_id` and presents the subject token as `Authorization: Bearer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    // A type alias has no schema name of its own: spell out the map.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<crate::ids::PurposeKey, crate::consent::Decision>))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentHistory {
    pub site_id: SiteId,
    pub subject_id: SubjectId,
    pub events: Vec<ConsentEvent>,
}

/// The one error shape: `{"error": {"code", "message", "details"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable, machine-readable: `invalid_input`, `not_found`, `conflict`, …
    pub code: String,
    pub message: String,
    /// What the code needs said (`field` and `reason` for `invalid_input`, …); `null` when
    /// the code says it all. Always present, so every error has the same keys.
    #[serde(default)]
    pub details: Option<serde_json::Value>,
}

/// One chain's head in a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainHead {
    pub subject_id: String,
    pub seq: u64,
    pub hash: String,
}

/// A signed checkpoint: the Merkle root over a site's chain heads (see `merkle`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkpoint {
    pub site_id: SiteId,
    pub number: u64,
    pub created_at: String,
    pub tree_size: u64,
    pub root: String,
    pub heads: Vec<ChainHead>,
    /// Compact JWS over site, number, time, size and root (keys at `/.well-known/jwks.json`).
    pub signature: String,
}

/// `GET /v1/sites/{site}/checkpoints/latest`: what a third party archives (no subject ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicCheckpoint {
    pub site_id: SiteId,
    pub number: u64,
    pub created_at: String,
    pub tree_size: u64,
    pub root: String,
    pub signature: String,
}

impl From<Checkpoint> for PublicCheckpoint {
    fn from(c: Checkpoint) -> Self {
        Self {
            site_id: c.site_id,
            number: c.number,
            created_at: c.created_at,
            tree_size: c.tree_size,
            root: c.root,
            signature: c.signature,
        }
    }
}

/// Result of re-walking a site's ledger. `problems[0]` is the first broken event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyReport {
    pub site_id: SiteId,
    pub ok: bool,
    pub chains: u64,
    pub events: u64,
    pub checkpoints: u64,
    pub problems: Vec<LedgerProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerProblem {
    pub subject_id: Option<String>,
    pub seq: Option<u64>,
    pub event_id: Option<String>,
    pub problem: String,
}

/// One purpose's current decision in `GET …/subjects/{subject}/current`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentDecision {
    pub decision: crate::consent::Decision,
    pub state: ConsentState,
    pub event_id: String,
    pub updated_at: String,
}

/// `GET /v1/sites/{site}/subjects/{subject}/current`: the latest decision per purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentState {
    pub site_id: SiteId,
    pub subject_id: SubjectId,
    pub purposes: BTreeMap<PurposeKey, CurrentDecision>,
}
