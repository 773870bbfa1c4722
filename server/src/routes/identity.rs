//! Identity links, from the site's backend (server to server, with its site secret): link a
//! subject to one of the site's accounts, end that link, and vouch for a signed-in visitor
//! with a short-lived account assertion. What a device does with the assertion is
//! [`super::sync`]; the tables are [`crate::db::identity`].

use crate::auth::Audience;
use crate::clock;
use crate::db::audit::AuditRecord;
use crate::db::identity::Linked;
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, SubjectClaims};
use crate::ledger::SubjectStatus;
use crate::request_context::client_ip;
use crate::routes::api_doc::answers;
use crate::site_auth::{AccountClaims, SiteSecretAuth};
use crate::state::AppState;
use assent_shared::api::{
    AccountAssertion, AccountAssertionRequest, ErrorBody, IdentityLink, IdentityLinkRequest, LinkedBy,
};
use assent_shared::ids::{SiteId, SubjectId};
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::json;
use std::net::SocketAddr;

/// Link a subject to an account.
///
/// The site's backend links a subject (one device's chain) to its own account id, once the
/// visitor is signed in: its page hands the subject id and token to the backend, which
/// presents both here, so nobody can link a subject they do not hold. A subject speaks for
/// one account at a time: a link to another account ends. Linking again to the same account
/// writes nothing.
#[utoipa::path(
    post,
    path = "/v1/sites/{site}/identity-links",
    tag = "site_backend",
    params(("site" = String, Path, description = "The site's id")),
    request_body = IdentityLinkRequest,
    security(("site_secret" = [])),
    responses(
        (status = 201, description = "Linked (and the subject's link to another account, if any, ended)", body = IdentityLink),
        (status = 200, description = "Already linked to this account: nothing written", body = IdentityLink),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::SITE_SECRET_401, body = ErrorBody),
        (status = 403, description = "`credential_refused`: `subject_token` is not this subject's token on this site (`details.field`); `origin_not_allowed`: a browser request whose `Origin` is not registered for this site", body = ErrorBody),
        (status = 404, description = answers::SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_identity_link(
    State(state): State<AppState>,
    SiteSecretAuth(site): SiteSecretAuth,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<IdentityLinkRequest>,
) -> Result<(StatusCode, Json<IdentityLink>)> {
    let claims: Option<SubjectClaims> = state
        .keys
        .verify_token(&request.subject_token, Audience::Subject, false);
    if claims != Some(SubjectClaims::new(&site.id, &request.subject_id)) {
        return Err(ApiError::CredentialRefused {
            field: "subject_token",
            reason: "subject_token is not this subject's token on this site",
        });
    }
    active_subject(&state, &site.id, &request.subject_id).await?;
    Ok(
        match state
            .db
            .link(
                &site.id,
                &request.subject_id,
                &request.account_id,
                LinkedBy::Site,
                Some(&site_audit(
                    &state,
                    "identity_link",
                    &site.id,
                    json!({
                        "subject_id": request.subject_id,
                        "account_id_hash": state.keys.pseudonymize(request.account_id.as_str()),
                    }),
                    &headers,
                    peer,
                )),
            )
            .await?
        {
            Linked::Created(link) => (StatusCode::CREATED, Json(link)),
            Linked::Unchanged(link) => (StatusCode::OK, Json(link)),
        },
    )
}

/// Unlink a subject.
///
/// Ends the subject's link to its account (say, the visitor removed this device from their
/// account): its choices stop speaking for the account and it adopts nothing more. The link
/// is kept with its `unlinked_at`, as the record of the unlinking.
#[utoipa::path(
    delete,
    path = "/v1/sites/{site}/identity-links/{subject}",
    tag = "site_backend",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)")),
    security(("site_secret" = [])),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, description = answers::SITE_SECRET_401, body = ErrorBody),
        (status = 403, description = answers::ORIGIN, body = ErrorBody),
        (status = 404, description = "`site_not_found`: no live site has this id; `link_not_found`: the subject is linked to no account", body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn delete_identity_link(
    State(state): State<AppState>,
    SiteSecretAuth(site): SiteSecretAuth,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((_, subject)): Path<(String, String)>,
) -> Result<StatusCode> {
    let subject = SubjectId::parse(&subject)?;
    let record = site_audit(
        &state,
        "identity_unlink",
        &site.id,
        json!({ "subject_id": subject }),
        &headers,
        peer,
    );
    if state.db.unlink(&site.id, &subject, &record).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound {
            what: "identity link",
            code: "link_not_found",
        })
    }
}

/// Vouch for a signed-in visitor.
///
/// The site's backend states that the visitor of its page is signed in as `account_id` and
/// gets a signed account assertion, valid for five minutes, to hand to its page; the page
/// presents it to `POST /v1/sites/{site}/sync`. Nothing is written.
#[utoipa::path(
    post,
    path = "/v1/sites/{site}/account-assertions",
    tag = "site_backend",
    params(("site" = String, Path, description = "The site's id")),
    request_body = AccountAssertionRequest,
    security(("site_secret" = [])),
    responses(
        (status = 200, description = "The assertion and when it expires", body = AccountAssertion),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::SITE_SECRET_401, body = ErrorBody),
        (status = 403, description = answers::ORIGIN, body = ErrorBody),
        (status = 404, description = answers::SITE_NOT_FOUND, body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_account_assertion(
    State(state): State<AppState>,
    SiteSecretAuth(site): SiteSecretAuth,
    ApiJson(request): ApiJson<AccountAssertionRequest>,
) -> Result<Json<AccountAssertion>> {
    let claims = AccountClaims::new(
        &site.id,
        &request.account_id,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    );
    let expires = time::OffsetDateTime::from_unix_timestamp(claims.exp).map_err(anyhow::Error::from)?;
    Ok(Json(AccountAssertion {
        assertion: state.keys.sign(&claims)?,
        expires_at: clock::format_rfc3339(expires),
    }))
}

/// A subject that can be linked and appended to: 404 `subject_not_found` for one this site
/// never had, 410 `subject_erased` for an erased one.
pub(super) async fn active_subject(state: &AppState, site: &SiteId, subject: &SubjectId) -> Result<()> {
    match state.ledger.subject_status(site, subject).await? {
        SubjectStatus::Active => Ok(()),
        SubjectStatus::Erased => Err(ApiError::subject_erased()),
        SubjectStatus::Unknown => Err(ApiError::NotFound {
            what: "subject",
            code: "subject_not_found",
        }),
    }
}

/// An audit entry for a call the site's backend made with its secret (actor `site_secret`).
fn site_audit(
    state: &AppState,
    action: &'static str,
    site: &SiteId,
    details: serde_json::Value,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> AuditRecord {
    AuditRecord {
        actor: "site_secret".into(),
        action,
        site_id: Some(site.to_string()),
        details,
        client_ip: Some(client_ip(&state.config, headers, peer.ip()).to_string()),
    }
}
