//! `POST /v1/sites/{site}/sync`: one choice across a signed-in user's devices. The page
//! presents an account assertion from the site's backend; this device's subject adopts the
//! account's current choices ([`assent_shared::account`]: the most recent explicit choice
//! per purpose across the account's linked subjects and this one), recorded on its own chain
//! as one `sync` event from source `account` through the normal append path, and the subject
//! is linked to the account. Everything is checked before anything is written.

use crate::clock;
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, Site, authorize_subject};
use crate::ledger::NewEvent;
use crate::request_context::RequestContext;
use crate::routes::api_doc::answers;
use crate::routes::consents::{answer, append, network_data, new_subject_id, request_digest, shown_notice};
use crate::routes::identity::active_subject;
use crate::site_auth::AccountClaims;
use crate::state::AppState;
use assent_shared::account::{AccountDecisions, adoptable, latest_explicit, moves};
use assent_shared::api::{ErrorBody, LinkedBy, SyncRequest, SyncResponse};
use assent_shared::consent::{ConsentEvent, EVENT_SCHEMA_VERSION, Method, SignalSource, Source, validate_decisions};
use assent_shared::ids::{AccountId, SiteId, SubjectId};
use assent_shared::notice::LocalizedNotice;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use std::net::SocketAddr;

/// Adopt the account's choices on this device.
///
/// Presents an account assertion (`POST /v1/sites/{site}/account-assertions`, made by the
/// site's backend) and, for a device that has a subject, its `subject_id` with its token as
/// `Authorization: Bearer`. The device's subject adopts the account's current choices for
/// the purposes of the notice it holds: the most recent explicit choice per purpose on any
/// linked device (an expiry, a dismissed banner or another sync never beats one), while it
/// still counts, and never a grant of a GPC-covered purpose under GPC. They are recorded as
/// one event with `method = sync`, `source = account`, and the subject is linked to the
/// account. The event carries what moves on this device: a different decision, or the same
/// one made again elsewhere since (a renewal). The same `event_id` and body again gets the
/// same event.
#[utoipa::path(
    post,
    path = "/v1/sites/{site}/sync",
    tag = "public",
    params(("site" = String, Path, description = "The site's id")),
    request_body = SyncRequest,
    security((), ("subject_token" = [])),
    responses(
        (status = 201, description = "Adopted: one `sync` event recorded (with `subject_token` when it created the subject), or the identical retry of one", body = SyncResponse),
        (status = 200, description = "Nothing to record: the device already holds exactly the account's decisions, or the account has none that apply to it (a device with a subject is linked all the same)", body = SyncResponse),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = "`unauthorized`: `subject_id` without a valid subject token", body = ErrorBody),
        (status = 403, description = "`credential_refused`: the assertion is forged, expired or for another site (`details.field` = `assertion`); `forbidden`: the subject token belongs to another subject; `origin_not_allowed`: a browser request whose `Origin` is not registered for this site", body = ErrorBody),
        (status = 404, description = answers::SUBJECT_404, body = ErrorBody),
        (status = 409, description = "`conflict`: this `event_id` was recorded with a different body", body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: a field is wrong (`details.field`), e.g. a notice version never published; `notice_mismatch`: `notice_hash` is not the hash of that version in that language", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_sync(
    State(state): State<AppState>,
    Site(site): Site,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<(StatusCode, Json<SyncResponse>)> {
    let account = AccountClaims::verify(&state, &request.assertion, &site.id).ok_or(ApiError::CredentialRefused {
        field: "assertion",
        reason: "the account assertion is forged, expired or for another site; ask the site's backend for a fresh one",
    })?;
    if let Some(subject) = &request.subject_id {
        authorize_subject(&state.keys, &headers, &axum::http::Method::POST, "", &site.id, subject)?;
        active_subject(&state, &site.id, subject).await?;
    }
    let (notice, shown) = shown_notice(
        &state,
        &site.id,
        request.notice_version,
        &request.language,
        &request.notice_hash,
    )
    .await?;
    if let Some(t) = &request.client_time {
        clock::check_client_time(t, time::OffsetDateTime::now_utc())?;
    }
    let ctx = RequestContext::from_headers(&state.config, &headers, &site.regime_overrides);
    let (gpc, signal_source) = match (request.gpc, ctx.gpc) {
        (true, _) => (true, Some(SignalSource::Js)),
        (false, true) => (true, Some(SignalSource::Header)),
        (false, false) => (false, None),
    };

    let adopted = adoptable_choice(
        &state,
        &site.id,
        &account,
        request.subject_id.as_ref(),
        &shown.notice,
        gpc,
    )
    .await?;
    let held = match &request.subject_id {
        Some(subject) => state.ledger.current_state(&site.id, subject).await?,
        None => Default::default(),
    };
    let decisions = moves(&adopted, &held);
    // A retry of a recorded sync finds the device in step by now: it goes to the append path
    // anyway, which answers from the stored event (or 409 for a reused id).
    let retry = state.db.event_recorded(&site.id, &request.event_id).await?;
    if decisions.is_empty() && !retry {
        if let Some(subject) = &request.subject_id {
            state.db.link(&site.id, subject, &account, LinkedBy::Sync, None).await?;
        }
        return Ok((
            StatusCode::OK,
            Json(SyncResponse {
                adopted,
                recorded: None,
            }),
        ));
    }
    if !retry {
        validate_decisions(&shown.notice, Method::Sync, &decisions)?;
    }

    let (subject_id, new_subject) = match &request.subject_id {
        Some(subject) => (subject.clone(), false),
        None => (new_subject_id()?, true),
    };
    let (ip_truncated, user_agent_hash) = network_data(&state, &headers, peer);
    let draft = ConsentEvent {
        schema_version: EVENT_SCHEMA_VERSION,
        event_id: request.event_id.clone(),
        site_id: site.id.clone(),
        subject_id,
        seq: 0,
        recorded_at: String::new(),
        client_time: request.client_time.clone(),
        notice_version: notice.version,
        notice_hash: shown.hash.clone(),
        // No banner was served: the loader adopted the choice on its own.
        banner_build: None,
        policy_version: notice.policy_version.clone(),
        jurisdiction: ctx.jurisdiction,
        regime: ctx.regime,
        method: Method::Sync,
        source: Source::Account,
        gpc,
        signal_source,
        decisions,
        language: shown.notice.language.clone(),
        ip_truncated,
        user_agent_hash,
        tcf: None,
        prev_hash: String::new(),
        hash: String::new(),
    };
    let (stored, _) = append(
        &state,
        NewEvent {
            draft,
            new_subject,
            request_digest: request_digest(&request)?,
        },
    )
    .await?;
    // A separate transaction after the event's: should it fail, the client's retry replays
    // the event and links again.
    state
        .db
        .link(&site.id, &stored.event.subject_id, &account, LinkedBy::Sync, None)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SyncResponse {
            adopted,
            // A retry carries the account assertion again: it is the sender's, so the token
            // of a subject this sync created may be handed again.
            recorded: Some(answer(&state, stored, true)?),
        }),
    ))
}

/// The account's choice as a device shown `notice` may adopt it, read from the chains of the
/// account's linked subjects and of the device's own subject, which joins the account with
/// this sync (so its own explicit choices count too).
async fn adoptable_choice(
    state: &AppState,
    site: &SiteId,
    account: &AccountId,
    device: Option<&SubjectId>,
    notice: &LocalizedNotice,
    gpc: bool,
) -> Result<AccountDecisions> {
    let mut subjects = state.db.linked_subjects(site, account).await?;
    if let Some(subject) = device.filter(|s| !subjects.contains(s)) {
        subjects.push(subject.clone());
    }
    let mut events = Vec::new();
    for subject in &subjects {
        events.extend(state.ledger.history(site, subject).await?);
    }
    let valid_from = state.loader_facts(site).await?.map_or(1, |f| f.consent_valid_from);
    Ok(adoptable(
        notice,
        &latest_explicit(&events, valid_from),
        gpc,
        time::OffsetDateTime::now_utc(),
    ))
}
