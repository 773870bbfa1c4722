//! A subject's own records, each readable only with its subject token: history, current
//! state, export (JSON or CSV), per event its signed receipt and a Kantara consent receipt,
//! and erasure.

use super::consents;
use crate::error::{ApiError, Result};
use crate::extract::{ApiQuery, SubjectAuth};
use crate::ledger::SiteRecord;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::{ConsentHistory, CurrentState, ErrorBody, EventReceipt};
use assent_shared::consent::{ConsentEvent, Decision};
use assent_shared::ids::{SiteId, SubjectId};
use assent_shared::wire_name;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// A subject's history.
///
/// `GET /v1/sites/{site}/subjects/{subject}/consents`: the subject's chain, oldest first.
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/subjects/{subject}/consents",
    tag = "subject",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)")),
    security(("subject_token" = [])),
    responses(
        (status = 200, description = "Every event of the subject's chain", body = ConsentHistory),
        (status = 401, description = answers::SUBJECT_401, body = ErrorBody),
        (status = 403, description = answers::SUBJECT_403, body = ErrorBody),
        (status = 404, description = answers::SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_history(
    State(state): State<AppState>,
    SubjectAuth { site, subject }: SubjectAuth,
) -> Result<Json<ConsentHistory>> {
    let events = state.ledger.history(&site.id, &subject).await?;
    Ok(Json(ConsentHistory {
        site_id: site.id,
        subject_id: subject,
        events,
    }))
}

/// A subject's current decisions.
///
/// `GET /v1/sites/{site}/subjects/{subject}/current`: the latest decision per purpose.
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/subjects/{subject}/current",
    tag = "subject",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)")),
    security(("subject_token" = [])),
    responses(
        (status = 200, description = "The latest decision per purpose", body = CurrentState),
        (status = 401, description = answers::SUBJECT_401, body = ErrorBody),
        (status = 403, description = answers::SUBJECT_403, body = ErrorBody),
        (status = 404, description = answers::SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_current(
    State(state): State<AppState>,
    SubjectAuth { site, subject }: SubjectAuth,
) -> Result<Json<CurrentState>> {
    let purposes = state.ledger.current_state(&site.id, &subject).await?;
    Ok(Json(CurrentState {
        site_id: site.id,
        subject_id: subject,
        purposes,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default) or `csv` (one row per purpose decision).
    format: Option<String>,
}

/// The `format` of a subject's export: `json` (the default) or `csv`; anything else is
/// refused before any work.
pub(super) fn export_format(format: Option<&str>) -> Result<&str> {
    let format = format.unwrap_or("json");
    if matches!(format, "json" | "csv") {
        Ok(format)
    } else {
        Err(assent_shared::Invalid::new("format", "use json or csv").into())
    }
}

/// Export a subject's history.
///
/// `GET …/export?format=json|csv`: the subject's history as a download (one CSV row per
/// purpose decision).
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/subjects/{subject}/export",
    tag = "subject",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)"), ExportQuery),
    security(("subject_token" = [])),
    responses(
        (status = 200, description = "A download (`Content-Disposition: attachment`)", content(
            (ConsentHistory = "application/json"),
            (String = "text/csv"),
        )),
        (status = 401, description = answers::SUBJECT_401, body = ErrorBody),
        (status = 403, description = answers::SUBJECT_403, body = ErrorBody),
        (status = 404, description = answers::SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: the subject id is not a UUID, or `format` is neither `json` nor `csv`", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_export(
    State(state): State<AppState>,
    SubjectAuth { site, subject }: SubjectAuth,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response> {
    let format = export_format(query.format.as_deref())?;
    let events = state.ledger.history(&site.id, &subject).await?;
    export_download(site.id, subject, events, format)
}

/// A subject's history as a download named `assent-{site}-{subject}.{format}`: JSON (a
/// [`ConsentHistory`]) or CSV ([`to_csv`]). The subject's own export and the site owner's
/// (`routes::admin::subjects`) are the same file.
pub(super) fn export_download(
    site: SiteId,
    subject: SubjectId,
    events: Vec<ConsentEvent>,
    format: &str,
) -> Result<Response> {
    let name = format!("assent-{site}-{subject}.{format}");
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(if format == "csv" {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            to_csv(&events)?,
        )
            .into_response()
    } else {
        let body = ConsentHistory {
            site_id: site,
            subject_id: subject,
            events,
        };
        ([(header::CONTENT_DISPOSITION, disposition)], Json(body)).into_response()
    })
}

/// One row per purpose decision (RFC 4180, CRLF line ends, written by the `csv` crate).
fn to_csv(events: &[ConsentEvent]) -> Result<String> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Internal(anyhow::Error::from(e).context("writing CSV"));
    out.write_record([
        "seq",
        "recorded_at",
        "event_id",
        "method",
        "source",
        "notice_version",
        "language",
        "jurisdiction",
        "regime",
        "gpc",
        "purpose",
        "decision",
        "hash",
    ])
    .map_err(fail)?;
    for e in events {
        let (method, source) = (wire_name(&e.method), wire_name(&e.source));
        for (purpose, decision) in &e.decisions {
            out.write_record([
                e.seq.to_string(),
                e.recorded_at.clone(),
                e.event_id.to_string(),
                method.clone(),
                source.clone(),
                e.notice_version.to_string(),
                e.language.clone(),
                e.jurisdiction.clone(),
                e.regime.as_str().to_owned(),
                e.gpc.to_string(),
                purpose.to_string(),
                wire_name(decision),
                e.hash.clone(),
            ])
            .map_err(fail)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.into()))
}

/// One event as a Kantara consent receipt.
///
/// `GET …/consents/{event_id}/kantara`: the event as a Kantara Consent Receipt v1.1 document.
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/subjects/{subject}/consents/{event}/kantara",
    tag = "subject",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)"), ("event" = String, Path, description = "The event's id")),
    security(("subject_token" = [])),
    responses(
        (status = 200, description = "A Kantara Consent Receipt v1.1 (JSON), with Assent's hash, seq and notice under `assent`", body = Object),
        (status = 401, description = answers::SUBJECT_401, body = ErrorBody),
        (status = 403, description = answers::SUBJECT_403, body = ErrorBody),
        (status = 404, description = answers::EVENT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_kantara_receipt(
    State(state): State<AppState>,
    SubjectAuth { site, subject }: SubjectAuth,
    Path((_, _, event_id)): Path<(String, String, String)>,
) -> Result<Json<Value>> {
    let event = subject_event(&state, &site, &subject, &event_id).await?;
    let notice = state
        .ledger
        .notice(&site.id, event.notice_version)
        .await?
        .ok_or_else(|| anyhow::anyhow!("notice {} of an existing event is missing", event.notice_version))?
        .localize(Some(&event.language));
    let timestamp = time::OffsetDateTime::parse(&event.recorded_at, &time::format_description::well_known::Rfc3339)
        .map_err(|e| anyhow::anyhow!("stored recorded_at: {e}"))?
        .unix_timestamp();
    let purposes: Vec<Value> = event
        .decisions
        .iter()
        .filter(|(_, d)| **d == Decision::Granted)
        .filter_map(|(key, _)| notice.purpose(key))
        .map(|p| {
            json!({
                "purpose": p.title,
                "purposeCategory": [p.key.as_str()],
                "consentType": "EXPLICIT",
                "piiCategory": p.data_categories,
                "primaryPurpose": false,
                "termination": p.retention,
                "thirdPartyDisclosure": !p.vendors.is_empty(),
                "thirdPartyName": p.vendors.iter().map(|v| v.name.clone()).collect::<Vec<_>>().join(", "),
            })
        })
        .collect();
    let sensitive = event
        .decisions
        .iter()
        .any(|(k, d)| *d == Decision::Granted && notice.purpose(k).is_some_and(|p| p.sensitive));
    Ok(Json(json!({
        "version": "KI-CR-v1.1.0",
        "jurisdiction": event.jurisdiction,
        "consentTimestamp": timestamp,
        "collectionMethod": format!("{} via {}", wire_name(&event.method), wire_name(&event.source)),
        "consentReceiptID": event.event_id,
        "publicKey": state.keys.jwks()["keys"].as_array().and_then(|k| k.last().cloned()).unwrap_or_default(),
        "language": event.language,
        "piiPrincipalId": event.subject_id,
        "piiControllers": [{ "piiController": site.name, "url": notice.policy_url, "contact": "", "address": "", "email": "", "phone": "" }],
        "policyUrl": notice.policy_url,
        "services": [{ "service": site.name, "purposes": purposes }],
        "sensitive": sensitive,
        "spiCat": if sensitive { json!(["precise location"]) } else { json!([]) },
        "assent": { "hash": event.hash, "seq": event.seq, "notice_version": event.notice_version, "notice_hash": event.notice_hash },
    })))
}

/// One event of the subject's chain, by its id (any case): 404 `event_not_found` for an id
/// that is not in this subject's chain, whoever else's it may be.
pub(super) async fn subject_event(
    state: &AppState,
    site: &SiteRecord,
    subject: &SubjectId,
    event_id: &str,
) -> Result<ConsentEvent> {
    let wanted = event_id.to_ascii_lowercase();
    state
        .ledger
        .history(&site.id, subject)
        .await?
        .into_iter()
        .find(|e| e.event_id.as_str() == wanted)
        .ok_or(ApiError::NotFound {
            what: "event",
            code: "event_not_found",
        })
}

/// One event's signed receipt.
///
/// `GET …/consents/{event}/receipt`: the compact JWS `POST /v1/sites/{site}/consents` answered
/// when the event was recorded, made again from the stored event — so a history can offer the
/// receipt of every event, also of those recorded by the banner on another visit, to download
/// or to verify against `/.well-known/jwks.json`. Byte for byte the original while the signing
/// key is the same; after a key rotation, signed by the current key.
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/subjects/{subject}/consents/{event}/receipt",
    tag = "subject",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)"), ("event" = String, Path, description = "The event's id")),
    security(("subject_token" = [])),
    responses(
        (status = 200, description = "The event's id and its receipt (compact JWS)", body = EventReceipt),
        (status = 401, description = answers::SUBJECT_401, body = ErrorBody),
        (status = 403, description = answers::SUBJECT_403, body = ErrorBody),
        (status = 404, description = answers::EVENT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_receipt(
    State(state): State<AppState>,
    SubjectAuth { site, subject }: SubjectAuth,
    Path((_, _, event_id)): Path<(String, String, String)>,
) -> Result<Json<EventReceipt>> {
    let event = subject_event(&state, &site, &subject, &event_id).await?;
    Ok(Json(EventReceipt {
        receipt: consents::stored_receipt(&state, &event)?,
        event_id: event.event_id,
    }))
}

/// Erase a subject.
///
/// `POST …/erasure`: unlinks the subject. Its events stay (pseudonymous, still verifiable);
/// the token stops working and the current-state projection is deleted.
#[utoipa::path(
    post,
    path = "/v1/sites/{site}/subjects/{subject}/erasure",
    tag = "subject",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)")),
    security(("subject_token" = [])),
    responses(
        (status = 204, description = "Erased"),
        (status = 401, description = answers::SUBJECT_401, body = ErrorBody),
        (status = 403, description = answers::SUBJECT_403, body = ErrorBody),
        (status = 404, description = answers::SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_erasure(
    State(state): State<AppState>,
    SubjectAuth { site, subject }: SubjectAuth,
) -> Result<StatusCode> {
    state.ledger.erase_subject(&site.id, &subject).await?;
    Ok(StatusCode::NO_CONTENT)
}
