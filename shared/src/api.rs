//! Request and response bodies of the public API, and the one error body.

use crate::consent::{ConsentEvent, ConsentState, Decision, Decisions, Method, SignalSource, Source};
use crate::ids::{AccountId, EventId, PurposeKey, SiteId, SubjectId};
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
    /// With `layer=1`: the first layer a visitor without a stored choice sees, as HTML (the
    /// same Leptos view the banner mounts, `crate::first_layer`), which the loader shows until
    /// the banner takes over. Absent when no banner shows for this request, or when its first
    /// layer is one the banner draws itself (Korea's per-item layer, the IAB TCF layer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_layer: Option<String>,
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
    /// A random value only the sender knows (22–128 characters of `A-Z a-z 0-9 - _`; a UUID
    /// v4 will do), never stored or shown: it is part of the body a retry must repeat, and a
    /// retry of a subject's first event answers the `subject_token` again only when that event
    /// carried one. Everything else in a recorded body can be read back (exports, a viewer's
    /// subject lookup), so without it a lost first answer leaves the token lost too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_secret: Option<String>,
    /// The IAB TCF side of this choice, for a notice with a `tcf` section: the TC string it
    /// produced, recorded in the hashed event with what it says about the list and vendors
    /// shown (`ConsentEvent.tcf`, layout 2). Checked against the notice, the method and this
    /// server's CMP id and stored Global Vendor Lists before anything is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcf: Option<crate::tcf_evidence::TcfChoice>,
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

/// `GET /v1/sites/{site}/notice/versions/{version}?lang=` (and the hosted settings page's
/// `GET /sites/{site}/privacy/notice/versions/{version}`): a published notice version as a
/// visitor was shown it in one language — what the settings page's history shows as "the text
/// at the time" of an event recorded under it. With `lang` set to the event's `language`,
/// `notice_hash` equals the event's `notice_hash` (published versions are immutable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeVersionResponse {
    pub version: u32,
    /// SHA-256 (hex) of the canonical form of `notice`, as events recorded under it carry.
    pub notice_hash: String,
    pub notice: LocalizedNotice,
}

/// `GET /v1/sites/{site}/subjects/{subject}/consents/{event}/receipt` (and the hosted settings
/// page's `GET /sites/{site}/privacy/subjects/{subject}/consents/{event}/receipt`): the signed
/// receipt of a recorded event, to download or verify against `/.well-known/jwks.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventReceipt {
    pub event_id: EventId,
    /// The compact JWS `POST /v1/sites/{site}/consents` answered for the event (Ed25519 is
    /// deterministic, so it is made again byte for byte from the stored event, as long as the
    /// signing key is the same; after a key rotation it is signed by the current key).
    pub receipt: String,
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
///
/// The root covers `tree_size` heads: per subject (in subject-id order), the newest head
/// recorded by this checkpoint or an earlier one. `heads` lists only the heads this
/// checkpoint recorded first — the chains that moved since the checkpoint before (every
/// chain, for a site's first) — so a checkpoint's size follows the appends since the last
/// one, not the number of subjects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkpoint {
    pub site_id: SiteId,
    pub number: u64,
    pub created_at: String,
    /// How many heads the root covers: one per chain the site had.
    pub tree_size: u64,
    /// Hex SHA-256 Merkle root (RFC 6962 shape) over the heads, see `merkle`.
    pub root: String,
    /// The heads recorded first by this checkpoint, by subject id.
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

impl PublicCheckpoint {
    /// The checkpoint with the heads it recorded first.
    pub fn with_heads(self, heads: Vec<ChainHead>) -> Checkpoint {
        Checkpoint {
            site_id: self.site_id,
            number: self.number,
            created_at: self.created_at,
            tree_size: self.tree_size,
            root: self.root,
            heads,
            signature: self.signature,
        }
    }
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
    pub decision: Decision,
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

/// `POST /v1/sites/{site}/identity-links`, sent by the site's backend with its site secret:
/// links a subject (one device's chain) to the site's own account id. `subject_token` proves
/// the caller holds that subject — the page hands subject id and token to its backend once
/// the visitor is signed in — so nobody can link a subject they do not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IdentityLinkRequest {
    pub account_id: AccountId,
    pub subject_id: SubjectId,
    /// The subject's token, as its first event answered it.
    pub subject_token: String,
}

/// Who made an identity link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkedBy {
    /// The site's backend (`POST /v1/sites/{site}/identity-links`).
    Site,
    /// The device, presenting an account assertion (`POST /v1/sites/{site}/sync`).
    Sync,
}

/// A subject linked to one of the site's accounts. A subject has at most one live link;
/// unlinking keeps the link with its `unlinked_at`, erasure of the subject deletes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityLink {
    pub subject_id: SubjectId,
    pub account_id: AccountId,
    /// RFC 3339, UTC.
    pub linked_at: String,
    pub linked_by: LinkedBy,
    /// RFC 3339, UTC; absent while the link holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlinked_at: Option<String>,
}

/// `POST /v1/sites/{site}/account-assertions`, sent by the site's backend with its site
/// secret for a visitor signed in as `account_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountAssertionRequest {
    pub account_id: AccountId,
}

/// A short-lived signed statement that the page's visitor is signed in as an account of
/// this site: the site's backend hands it to its page, which presents it to
/// `POST /v1/sites/{site}/sync`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountAssertion {
    /// Compact JWS (EdDSA, keys at `/.well-known/jwks.json`) with `aud` = `assent:account`,
    /// `site`, `sub` = the account id, `iat` and `exp`.
    pub assertion: String,
    /// RFC 3339, UTC: five minutes after it was made; the assertion is refused after it.
    pub expires_at: String,
}

/// `POST /v1/sites/{site}/sync`: this device adopts its account's current choices. A device
/// that has a subject sends its `subject_id` and presents its token as
/// `Authorization: Bearer`; without one, the sync creates the subject (when there is
/// something to adopt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// Made by the client, so a retry is answered from the stored event.
    pub event_id: EventId,
    /// An [`AccountAssertion`]'s `assertion`.
    pub assertion: String,
    #[serde(default)]
    pub subject_id: Option<SubjectId>,
    /// The notice this device holds (`GET …/notice`): the adopted decisions are recorded
    /// against it, and only its purposes are adopted.
    pub notice_version: u32,
    pub notice_hash: String,
    pub language: String,
    #[serde(default)]
    pub client_time: Option<String>,
    /// The browser reports a Global Privacy Control signal (`navigator.globalPrivacyControl`).
    #[serde(default)]
    pub gpc: bool,
}

/// One purpose's decision as a linked account holds it: the most recent explicit choice
/// made on any of its devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountDecision {
    pub decision: Decision,
    /// When that choice was recorded (RFC 3339, UTC): a consent's lifetime counts from here.
    pub decided_at: String,
}

/// Answer of `POST /v1/sites/{site}/sync`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    /// What this device now holds from its account, per purpose of its notice (empty when the
    /// account has made no explicit choice that still counts).
    pub adopted: BTreeMap<PurposeKey, AccountDecision>,
    /// The `sync` event recorded on this device's chain (with `subject_token` when it created
    /// the subject); absent when the device already held exactly these decisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<ConsentRecorded>,
}
