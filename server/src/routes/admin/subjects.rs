//! Data-subject requests answered by the site owner (GDPR Art. 15 access, Art. 17 erasure,
//! Art. 20 portability): what one pseudonymous subject agreed to — by subject id, or by the
//! site's own account id through its identity links — its export and receipts, and its
//! erasure, all without the subject's token. Every lookup, export and erasure is audited.

use crate::admin_auth::{SiteOwner, SiteViewer};
use crate::db::audit::AuditRecord;
use crate::error::{ApiError, Result};
use crate::extract::ApiQuery;
use crate::ledger::SubjectStatus;
use crate::routes::api_doc::answers;
use crate::routes::consents::stored_receipt;
use crate::routes::subjects::{export_download, export_format, subject_event};
use crate::state::AppState;
use assent_shared::account::latest_explicit;
use assent_shared::admin_api::{AccountRecord, LinkedSubject, SubjectRecord};
use assent_shared::api::{ConsentHistory, ErrorBody, EventReceipt};
use assent_shared::ids::{AccountId, SiteId, SubjectId};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

/// Look up a subject.
///
/// `GET /v1/admin/sites/{site}/subjects/{subject}` (viewer): 404 `subject_not_found`.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/subjects/{subject}",
    tag = "ledger",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The subject's status, chain and current state (the lookup is audited)", body = SubjectRecord),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `subject_not_found`: no such subject on this site", body = ErrorBody),
        (status = 422, description = "`invalid_input`: the subject id is not a UUID", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_subject(
    State(state): State<AppState>,
    SiteViewer { site, auth }: SiteViewer,
    Path((_, subject)): Path<(String, String)>,
) -> Result<Json<SubjectRecord>> {
    let subject = SubjectId::parse(&subject)?;
    let status = known_status(&state, &site.id, &subject).await?;
    state
        .db
        .audit(&AuditRecord {
            actor: auth.audit_actor(),
            action: "subject_lookup",
            site_id: Some(site.id.to_string()),
            details: json!({ "subject_id": subject }),
            client_ip: Some(auth.client_ip.clone()),
        })
        .await?;
    record(&state, &site.id, subject, status).await.map(Json)
}

/// The subject's status; 404 `subject_not_found` for a subject this site never had.
async fn known_status(state: &AppState, site: &SiteId, subject: &SubjectId) -> Result<SubjectStatus> {
    match state.ledger.subject_status(site, subject).await? {
        SubjectStatus::Unknown => Err(ApiError::NotFound {
            what: "subject",
            code: "subject_not_found",
        }),
        known => Ok(known),
    }
}

/// The subject's record as the admin API shows it.
async fn record(state: &AppState, site: &SiteId, subject: SubjectId, status: SubjectStatus) -> Result<SubjectRecord> {
    Ok(SubjectRecord {
        site_id: site.to_string(),
        events: state.ledger.history(site, &subject).await?,
        current: state.ledger.current_state(site, &subject).await?,
        status: if status == SubjectStatus::Erased {
            "erased"
        } else {
            "active"
        }
        .to_owned(),
        subject_id: subject,
    })
}

/// The 404 of a subject this site does not have.
const SUBJECT_404: &str = "`site_not_found`: the site does not exist (told only to an instance administrator); `subject_not_found`: no such subject on this site";

/// Look up an account.
///
/// `GET /v1/admin/sites/{site}/accounts/{account}` (viewer): the subjects ever linked to one
/// of the site's account ids, with their current decisions, and the account's current choice
/// (what a sync adopts from). 404 `account_not_found` when it was never linked. The audit
/// entry keeps a salted hash of the account id, not the id: the audit log is never erased.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/accounts/{account}",
    tag = "ledger",
    params(("site" = String, Path, description = "The site's id"), ("account" = String, Path, description = "The site's own account id (percent-encoded)")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The account's links, their subjects' current state and the account's choice (the lookup is audited)", body = AccountRecord),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `account_not_found`: no subject of this site was ever linked to this account id", body = ErrorBody),
        (status = 422, description = "`invalid_input`: not an account id (1-128 visible ASCII characters)", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_account(
    State(state): State<AppState>,
    SiteViewer { site, auth }: SiteViewer,
    Path((_, account)): Path<(String, String)>,
) -> Result<Json<AccountRecord>> {
    let account = AccountId::parse(&account)?;
    let links = state.db.account_links(&site.id, &account).await?;
    if links.is_empty() {
        return Err(ApiError::NotFound {
            what: "account",
            code: "account_not_found",
        });
    }
    state
        .db
        .audit(&AuditRecord {
            actor: auth.audit_actor(),
            action: "account_lookup",
            site_id: Some(site.id.to_string()),
            details: json!({ "account_id_hash": state.keys.pseudonymize(account.as_str()) }),
            client_ip: Some(auth.client_ip.clone()),
        })
        .await?;
    let mut events = Vec::new();
    let mut subjects = Vec::with_capacity(links.len());
    for link in links {
        if link.unlinked_at.is_none() {
            events.extend(state.ledger.history(&site.id, &link.subject_id).await?);
        }
        subjects.push(LinkedSubject {
            current: state.ledger.current_state(&site.id, &link.subject_id).await?,
            link,
        });
    }
    let valid_from = state.loader_facts(&site.id).await?.map_or(1, |f| f.consent_valid_from);
    Ok(Json(AccountRecord {
        site_id: site.id.to_string(),
        decisions: latest_explicit(&events, valid_from),
        account_id: account,
        subjects,
    }))
}

/// `GET /v1/admin/sites/{site}/subjects/{subject}/export` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubjectExportQuery {
    /// `json` (default) or `csv` (one row per purpose decision).
    format: Option<String>,
}

/// Export a subject's history.
///
/// `GET /v1/admin/sites/{site}/subjects/{subject}/export?format=json|csv` (viewer): the same
/// download the subject's own export gives, for the site owner answering an access or
/// portability request (GDPR Art. 15, 20) — also after erasure, since the events stay.
/// Audited as `subject_export`.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/subjects/{subject}/export",
    tag = "ledger",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)"), SubjectExportQuery),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "A download (`Content-Disposition: attachment`); the export is audited", content(
            (ConsentHistory = "application/json"),
            (String = "text/csv"),
        )),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = SUBJECT_404, body = ErrorBody),
        (status = 422, description = "`invalid_input`: the subject id is not a UUID, `format` is neither `json` nor `csv`, or an unknown parameter", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_subject_export(
    State(state): State<AppState>,
    SiteViewer { site, auth }: SiteViewer,
    Path((_, subject)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<SubjectExportQuery>,
) -> Result<Response> {
    let subject = SubjectId::parse(&subject)?;
    let format = export_format(query.format.as_deref())?;
    known_status(&state, &site.id, &subject).await?;
    state
        .db
        .audit(&AuditRecord {
            actor: auth.audit_actor(),
            action: "subject_export",
            site_id: Some(site.id.to_string()),
            details: json!({ "subject_id": subject, "format": format }),
            client_ip: Some(auth.client_ip.clone()),
        })
        .await?;
    let events = state.ledger.history(&site.id, &subject).await?;
    export_download(site.id, subject, events, format)
}

/// One event's signed receipt.
///
/// `GET /v1/admin/sites/{site}/subjects/{subject}/consents/{event}/receipt` (viewer): the
/// receipt the subject's own `GET …/consents/{event}/receipt` gives, so the owner can hand it
/// over with an access request; also after erasure. Not audited: it shows nothing the
/// audited lookup did not.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/subjects/{subject}/consents/{event}/receipt",
    tag = "ledger",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)"), ("event" = String, Path, description = "The event's id")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The event's id and its receipt (compact JWS)", body = EventReceipt),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `event_not_found`: no such event in this subject's chain", body = ErrorBody),
        (status = 422, description = "`invalid_input`: the subject id is not a UUID", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_subject_receipt(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
    Path((_, subject, event)): Path<(String, String, String)>,
) -> Result<Json<EventReceipt>> {
    let subject = SubjectId::parse(&subject)?;
    let event = subject_event(&state, &site, &subject, &event).await?;
    Ok(Json(EventReceipt {
        receipt: stored_receipt(&state, &event)?,
        event_id: event.event_id,
    }))
}

/// Erase a subject.
///
/// `POST /v1/admin/sites/{site}/subjects/{subject}/erasure` (owner): answers an erasure
/// request (GDPR Art. 17) as the subject's own `POST …/erasure` does: the subject's token
/// stops working, its current-state projection and its identity links (to the site's account
/// ids) are deleted, and nothing more is recorded for it. Its events stay — pseudonymous,
/// still verifiable, the evidence of what was agreed and withdrawn. Audited as
/// `subject_erase`; erasing an erased subject changes nothing and answers the same.
#[utoipa::path(
    post,
    path = "/v1/admin/sites/{site}/subjects/{subject}/erasure",
    tag = "ledger",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)")),
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Erased: the subject's record as it now stands (`status` `erased`, no current state)", body = SubjectRecord),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = SUBJECT_404, body = ErrorBody),
        (status = 422, description = "`invalid_input`: the subject id is not a UUID", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_subject_erasure(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    Path((_, subject)): Path<(String, String)>,
) -> Result<Json<SubjectRecord>> {
    let subject = SubjectId::parse(&subject)?;
    if known_status(&state, &site.id, &subject).await? == SubjectStatus::Active {
        // Written first, as for exports: no erasure happens without its entry.
        state
            .db
            .audit(&AuditRecord {
                actor: auth.audit_actor(),
                action: "subject_erase",
                site_id: Some(site.id.to_string()),
                details: json!({ "subject_id": subject }),
                client_ip: Some(auth.client_ip.clone()),
            })
            .await?;
        state.ledger.erase_subject(&site.id, &subject).await?;
    }
    record(&state, &site.id, subject, SubjectStatus::Erased).await.map(Json)
}
