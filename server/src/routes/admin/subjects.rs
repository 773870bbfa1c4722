//! Subject lookup for data-subject requests (GDPR Art. 15 access, Art. 17 erasure): what one
//! pseudonymous subject agreed to, as the site owner must be able to answer — by subject id,
//! or by the site's own account id through its identity links. Every lookup is audited.

use crate::admin_auth::SiteViewer;
use crate::db::audit::AuditRecord;
use crate::error::{ApiError, Result};
use crate::ledger::SubjectStatus;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::account::latest_explicit;
use assent_shared::admin_api::{AccountRecord, LinkedSubject, SubjectRecord};
use assent_shared::api::ErrorBody;
use assent_shared::ids::{AccountId, SubjectId};
use axum::Json;
use axum::extract::{Path, State};
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
    let status = match state.ledger.subject_status(&site.id, &subject).await? {
        SubjectStatus::Active => "active".to_owned(),
        SubjectStatus::Erased => "erased".to_owned(),
        SubjectStatus::Unknown => {
            return Err(ApiError::NotFound {
                what: "subject",
                code: "subject_not_found",
            });
        }
    };
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
    Ok(Json(SubjectRecord {
        site_id: site.id.to_string(),
        events: state.ledger.history(&site.id, &subject).await?,
        current: state.ledger.current_state(&site.id, &subject).await?,
        subject_id: subject,
        status,
    }))
}

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
