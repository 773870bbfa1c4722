//! `POST /v1/sites/{site}/consents`: validate one decision against the notice the visitor
//! saw, append it to the subject's chain (through the group-commit writer) and answer with
//! a signed receipt. Everything is checked before anything is written.

use crate::auth::Audience;
use crate::clock;
use crate::config::NetworkData;
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, Site, SubjectClaims, authorize_subject};
use crate::ledger::{AppendRefused, Appended, NewEvent, StoredEvent};
use crate::notice_cache::ShownNotice;
use crate::request_context::{RequestContext, client_ip, truncate_ip};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::api::{ConsentRecorded, ConsentRequest, ErrorBody};
use assent_shared::consent::{ConsentEvent, Decisions, SignalSource, validate_decisions, validate_provenance};
use assent_shared::ids::{SiteId, SubjectId};
use assent_shared::notice::Notice;
use axum::Json;
use axum::extract::State;
use axum::extract::{ConnectInfo, OriginalUri};
use axum::http::{HeaderMap, Method, StatusCode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;

const MAX_BANNER_BUILD_LEN: usize = 128;
/// A `retry_secret` must carry at least 128 bits when random over its alphabet (22 base64url
/// characters), and need not be longer than a few of those.
const MIN_RETRY_SECRET_LEN: usize = 22;
const MAX_RETRY_SECRET_LEN: usize = 128;

/// Record one decision.
///
/// Records one decision and answers with its signed receipt, once the event is committed.
/// The first event of a subject creates it and answers its `subject_token`; a later one
/// carries `subject_id` and presents that token. The same `event_id` and body again gets the
/// same answer and writes nothing — but a retry of a subject's first event gets the
/// `subject_token` again only if that event carried a `retry_secret` (a body read back from
/// the ledger must not yield the token).
#[utoipa::path(
    post,
    path = "/v1/sites/{site}/consents",
    tag = "public",
    params(("site" = String, Path, description = "The site's id")),
    request_body = ConsentRequest,
    security((), ("subject_token" = [])),
    responses(
        (status = 201, description = "Recorded (or the identical retry of a recorded event)", body = ConsentRecorded),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = "`unauthorized`: `subject_id` without a valid subject token", body = ErrorBody),
        (status = 403, description = "`forbidden`: the subject token belongs to another subject; `origin_not_allowed`: a browser request whose `Origin` is not registered for this site", body = ErrorBody),
        (status = 404, description = "`site_not_found`: no live site has this id; `subject_not_found`: no such subject on this site", body = ErrorBody),
        (status = 409, description = "`conflict`: this `event_id` was recorded with a different body", body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: a field is wrong (`details.field`), e.g. a notice version never published, decisions that contradict the method, or a `tcf.tc_string` that does not fit the notice, the method or this server's CMP; `notice_mismatch`: `notice_hash` is not the hash of that version in that language", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
        (status = 503, description = "`gvl_not_fetched`: a `tcf` choice arrived before this server held a Global Vendor List", body = ErrorBody),
    )
)]
pub async fn post_consent(
    State(state): State<AppState>,
    Site(site): Site,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ConsentRequest>,
) -> Result<(StatusCode, Json<ConsentRecorded>)> {
    let (notice, shown) = shown_notice(
        &state,
        &site.id,
        request.notice_version,
        &request.language,
        &request.notice_hash,
    )
    .await?;
    validate_decisions(&shown.notice, request.method, &request.decisions)?;
    if let Some(t) = &request.client_time {
        clock::check_client_time(t, time::OffsetDateTime::now_utc())?;
    }
    // A build id (the banner's hash), kept in the evidence as sent: letters, digits and
    // `.-_` only, so no control, zero-width or direction-override character, nor markup,
    // can disguise it.
    let build_char = |c: u8| c.is_ascii_alphanumeric() || b".-_".contains(&c);
    if request
        .banner_build
        .as_ref()
        .is_some_and(|b| b.len() > MAX_BANNER_BUILD_LEN || !b.bytes().all(build_char))
    {
        return Err(Invalid::new(
            "banner_build",
            format!("at most {MAX_BANNER_BUILD_LEN} characters of a-z, A-Z, 0-9, '.', '-' and '_'"),
        )
        .into());
    }
    if request.retry_secret.as_deref().is_some_and(|r| {
        !(MIN_RETRY_SECRET_LEN..=MAX_RETRY_SECRET_LEN).contains(&r.len())
            || !r.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    }) {
        return Err(Invalid::new(
            "retry_secret",
            format!(
                "{MIN_RETRY_SECRET_LEN} to {MAX_RETRY_SECRET_LEN} characters of a-z, A-Z, 0-9, '-' and '_' (a random value, e.g. a UUID v4)"
            ),
        )
        .into());
    }
    if request.gpc && request.signal_source.is_none() {
        return Err(Invalid::new("signal_source", "required when gpc is true (header or js)").into());
    }
    if !request.gpc && request.signal_source.is_some() {
        return Err(Invalid::new("signal_source", "only with gpc: true (where the signal was seen)").into());
    }

    let (subject_id, new_subject) = match &request.subject_id {
        Some(subject) => {
            authorize_subject(&state.keys, &headers, &Method::POST, uri.path(), &site.id, subject)?;
            (subject.clone(), false)
        }
        None => (new_subject_id()?, true),
    };
    let ctx = RequestContext::from_headers(&state.config, &headers, &site.regime_overrides);
    let (gpc, signal_source) = match (request.gpc, ctx.gpc) {
        (true, _) => (true, request.signal_source),
        (false, true) => (true, Some(SignalSource::Header)),
        (false, false) => (false, None),
    };
    validate_provenance(&shown.notice, request.method, request.source, gpc, &request.decisions)?;
    let tcf = match &request.tcf {
        Some(choice) => {
            Some(crate::tcf::evidence::check(&state, &shown.notice, request.method, &request.language, choice).await?)
        }
        None => None,
    };
    let (ip_truncated, user_agent_hash) = network_data(&state, &headers, peer);
    let draft = ConsentEvent {
        schema_version: ConsentEvent::schema_version_for(tcf.as_ref()),
        event_id: request.event_id.clone(),
        site_id: site.id.clone(),
        subject_id,
        seq: 0,
        recorded_at: String::new(),
        client_time: request.client_time.clone(),
        notice_version: notice.version,
        notice_hash: shown.hash.clone(),
        banner_build: request.banner_build.clone(),
        policy_version: notice.policy_version.clone(),
        jurisdiction: ctx.jurisdiction,
        regime: ctx.regime,
        method: request.method,
        source: request.source,
        gpc,
        signal_source,
        decisions: request.decisions.clone(),
        language: shown.notice.language.clone(),
        ip_truncated,
        user_agent_hash,
        tcf,
        prev_hash: String::new(),
        hash: String::new(),
    };
    let new = NewEvent {
        draft,
        new_subject,
        request_digest: request_digest(&request)?,
    };

    let (stored, replayed) = append(&state, new).await?;
    // Everything in a recorded event's body can be read back (a site's viewers see it), so a
    // retry of a subject's first event proves it comes from that event's sender only by a
    // `retry_secret` it carried: without one, the retry is answered without the token.
    let hand_token = !replayed || request.retry_secret.is_some();
    Ok((StatusCode::CREATED, Json(answer(&state, stored, hand_token)?)))
}

/// The published notice `version` in `language`, as the visitor was shown it: 422
/// `invalid_input` for a version never published or a language it lacks, 422
/// `notice_mismatch` when `hash` is not its hash.
pub(super) async fn shown_notice(
    state: &AppState,
    site: &SiteId,
    version: u32,
    language: &str,
    hash: &str,
) -> Result<(Arc<Notice>, Arc<ShownNotice>)> {
    let notice = state
        .notices
        .version(state.ledger.as_ref(), site, version)
        .await?
        .ok_or_else(|| {
            Invalid::new(
                "notice_version",
                format!("version {version} was never published for this site"),
            )
        })?;
    let shown = state.notices.shown(site, &notice, Some(language))?;
    if shown.notice.language != language {
        return Err(Invalid::new("language", format!("this notice has no texts in {language:?}")).into());
    }
    if shown.hash != hash {
        return Err(ApiError::NoticeMismatch(format!(
            "notice_hash does not match version {version} in {language:?}; fetch the notice again"
        )));
    }
    Ok((notice, shown))
}

/// The truncated address and hashed user agent an event keeps, if the site keeps them at all
/// (`network_data = truncated`).
pub(super) fn network_data(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> (Option<String>, Option<String>) {
    if state.config.network_data != NetworkData::Truncated {
        return (None, None);
    }
    let ip = truncate_ip(client_ip(&state.config, headers, peer.ip()));
    let user_agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| state.keys.pseudonymize(ua));
    (Some(ip), user_agent)
}

/// Appends through the group-commit writer, answering once committed: the event as stored
/// (or as first stored, for a retry) and whether this was such a retry, or the refusal as
/// its API error.
pub(super) async fn append(state: &AppState, new: NewEvent) -> Result<(StoredEvent, bool)> {
    match state.writer.append(new).await? {
        Ok(Appended::Recorded(stored)) => Ok((stored, false)),
        Ok(Appended::Replayed(stored)) => Ok((stored, true)),
        Err(AppendRefused::EventIdReused(_)) => Err(ApiError::Conflict(
            "this event_id was already recorded with a different body".into(),
        )),
        Err(AppendRefused::ErasedSubject(_)) => Err(ApiError::subject_erased()),
        Err(AppendRefused::UnknownSubject(_)) => Err(ApiError::NotFound {
            what: "subject",
            code: "subject_not_found",
        }),
    }
}

/// The answer is a pure function of the stored event (Ed25519 signatures are deterministic),
/// so a retry gets exactly the bytes the first attempt got — except that a subject's first
/// event answers its `subject_token` only where `hand_token` allows (see [`post_consent`]).
pub(super) fn answer(state: &AppState, stored: StoredEvent, hand_token: bool) -> Result<ConsentRecorded> {
    let e = stored.event;
    let subject_token = if e.seq == 1 && hand_token {
        Some(state.keys.sign(&SubjectClaims::new(&e.site_id, &e.subject_id))?)
    } else {
        None
    };
    let receipt = receipt(state, &e)?;
    Ok(ConsentRecorded {
        event_id: e.event_id,
        subject_id: e.subject_id,
        subject_token,
        seq: e.seq,
        hash: e.hash,
        receipt,
        recorded_at: e.recorded_at,
        states: stored.states,
    })
}

/// The signed receipt of a stored event: a compact JWS (`aud = assent:receipt`) over its id,
/// chain position, hash, decisions, notice and time (and its TC string, where it has one), by
/// this server's current key. The one place a receipt is made: a recorded event's answer and a
/// later `…/receipt` read both come from here, so they are the same bytes while the signing
/// key is the same (Ed25519 signatures are deterministic, RFC 8032 §5.1.6).
pub(super) fn receipt(state: &AppState, e: &ConsentEvent) -> Result<String> {
    Ok(state.keys.sign(&ReceiptClaims {
        typ: "consent_receipt",
        aud: Audience::Receipt.as_str(),
        iss: &state.public_origin,
        site: &e.site_id,
        sub: &e.subject_id,
        event_id: e.event_id.as_str(),
        seq: e.seq,
        hash: &e.hash,
        decisions: &e.decisions,
        notice_version: e.notice_version,
        notice_hash: &e.notice_hash,
        recorded_at: &e.recorded_at,
        tc_string: e.tcf.as_ref().map(|t| t.tc_string.as_str()),
    })?)
}

/// The receipt of an event read back from the ledger (a subject's or an owner's `…/receipt`):
/// [`receipt`], once the stored event still matches its hash — the server must not sign an
/// event edited in the database. A mismatch is a 500, logged with the event.
pub(super) fn stored_receipt(state: &AppState, e: &ConsentEvent) -> Result<String> {
    let hash = assent_shared::canonical::event_hash(e).map_err(anyhow::Error::from)?;
    if hash != e.hash {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "event seq {} of subject {} on site {} does not match its hash: the ledger was altered (run assent verify); no receipt signed",
            e.seq,
            e.subject_id,
            e.site_id
        )));
    }
    receipt(state, e)
}

#[derive(Serialize)]
struct ReceiptClaims<'a> {
    typ: &'static str,
    aud: &'static str,
    iss: &'a str,
    site: &'a SiteId,
    sub: &'a SubjectId,
    event_id: &'a str,
    seq: u64,
    hash: &'a str,
    decisions: &'a Decisions,
    notice_version: u32,
    notice_hash: &'a str,
    recorded_at: &'a str,
    /// The event's TC string, when it carries TCF evidence: what the visitor agreed to under
    /// IAB TCF, decodable by anyone with IAB's libraries.
    #[serde(skip_serializing_if = "Option::is_none")]
    tc_string: Option<&'a str>,
}

pub(super) fn new_subject_id() -> Result<SubjectId> {
    let id = uuid::Uuid::new_v4().to_string();
    Ok(SubjectId::parse(&id)?)
}

/// SHA-256 of the request's canonical JSON: a retry has the same digest, a reused id does not.
pub(super) fn request_digest<T: Serialize>(request: &T) -> Result<String> {
    let bytes = serde_jcs::to_vec(request).map_err(|e| anyhow::anyhow!("canonical request: {e}"))?;
    Ok(hex::encode(Sha256::digest(bytes)))
}
