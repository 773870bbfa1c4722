//! Webhook endpoints of a site: list, create, change, delete, rotate the secret, and read
//! the delivery log. Owners change, viewers read; every change is audited as
//! `webhook_change` with its `op`. The secret appears only in the answers that make it.

use crate::admin_auth::{AdminAuth, SiteOwner, SiteViewer};
use crate::db::audit::AuditRecord;
use crate::db::webhooks::{Created, EndpointChanges, NewEndpoint};
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use crate::webhooks::net::{check_resolved, check_url};
use crate::webhooks::signing::generate_secret;
use assent_shared::Invalid;
use assent_shared::api::ErrorBody;
use assent_shared::ids::SiteId;
use assent_shared::webhooks::{
    Delivery, EventType, NewWebhook, RotateWebhookSecret, WebhookPatch, WebhookView, WebhookWithSecret,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

/// Longest overlap of a rotated secret, in hours (a week).
const MAX_OVERLAP_HOURS: u32 = 168;

/// `?before=&limit=` of the delivery log.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryPage {
    /// Only attempts with a smaller id (the last `id` of the previous page).
    pub before: Option<u64>,
    /// 1–500, default 100.
    pub limit: Option<u32>,
}

fn not_found() -> ApiError {
    ApiError::NotFound {
        what: "webhook endpoint",
        code: "webhook_not_found",
    }
}

/// The `{id}` of a path: endpoint ids are UUIDs, so anything else names no endpoint (and
/// never reaches the database, where PostgreSQL refuses text holding U+0000).
fn endpoint_id(raw: &str) -> Result<String> {
    uuid::Uuid::parse_str(raw)
        .map(|id| id.to_string())
        .map_err(|_| not_found())
}

/// At least one event type; duplicates dropped, order kept.
fn check_events(events: &[EventType]) -> Result<Vec<EventType>, Invalid> {
    if events.is_empty() {
        return Err(Invalid::new(
            "events",
            "at least one of consent.recorded, consent.withdrawn, consent.expired, consent.gpc",
        ));
    }
    let mut out = Vec::new();
    for event in events {
        if !out.contains(event) {
            out.push(*event);
        }
    }
    Ok(out)
}

fn audit(auth: &AdminAuth, site: &SiteId, details: serde_json::Value) -> AuditRecord {
    AuditRecord {
        actor: auth.audit_actor(),
        action: "webhook_change",
        site_id: Some(site.to_string()),
        details,
        client_ip: Some(auth.client_ip.clone()),
    }
}

/// List webhook endpoints.
///
/// `GET /v1/admin/sites/{site}/webhooks` (viewer): the endpoints, oldest first, without
/// their secrets.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/webhooks",
    tag = "webhooks",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The endpoints, oldest first, without secrets", body = Vec<WebhookView>),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_webhooks(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
) -> Result<Json<Vec<WebhookView>>> {
    Ok(Json(state.db.webhooks(&site.id).await?))
}

/// Create a webhook endpoint.
///
/// `POST /v1/admin/sites/{site}/webhooks` (owner): a new endpoint and its signing secret
/// (shown only here and at rotation). 201; 422 naming `url` or `events`; 409 past 20
/// endpoints.
#[utoipa::path(
    post,
    path = "/v1/admin/sites/{site}/webhooks",
    tag = "webhooks",
    params(("site" = String, Path, description = "The site's id")),
    request_body = NewWebhook,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "Created; the secret is shown only here and at rotation", body = WebhookWithSecret),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 409, description = "`conflict`: the site has the most endpoints allowed (20)", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: a URL that is not https or points to a private network (`url`), no event types (`events`), or a body of the wrong shape", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_webhook(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    ApiJson(new): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<WebhookWithSecret>)> {
    let endpoint = NewEndpoint {
        id: uuid::Uuid::new_v4().to_string(),
        url: check_url(&new.url, state.config.webhooks_allow_private_networks)?,
        events: check_events(&new.events)?,
        enabled: new.enabled,
        secret: generate_secret(),
    };
    check_resolved(&endpoint.url, state.config.webhooks_allow_private_networks).await?;
    let record = audit(
        &auth,
        &site.id,
        json!({ "op": "create", "webhook_id": endpoint.id, "url": endpoint.url,
                "events": endpoint.events, "enabled": endpoint.enabled }),
    );
    match state.db.create_webhook(&site.id, &endpoint, &record).await? {
        Created::Created(webhook) => Ok((
            StatusCode::CREATED,
            Json(WebhookWithSecret {
                webhook,
                secret: endpoint.secret,
            }),
        )),
        Created::TooMany => Err(ApiError::Conflict(
            format!(
                "a site has at most {} webhook endpoints",
                crate::db::webhooks::MAX_ENDPOINTS_PER_SITE
            )
            .into(),
        )),
    }
}

/// Change a webhook endpoint.
///
/// `PATCH /v1/admin/sites/{site}/webhooks/{id}` (owner): changes the URL, the event types
/// or `enabled` (a disabled endpoint's pending messages wait for it). 404 `webhook_not_found`.
#[utoipa::path(
    patch,
    path = "/v1/admin/sites/{site}/webhooks/{id}",
    tag = "webhooks",
    params(("site" = String, Path, description = "The site's id"), ("id" = String, Path, description = "The webhook endpoint's id")),
    request_body = WebhookPatch,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The endpoint as changed", body = WebhookView),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `webhook_not_found`: no such endpoint on this site", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn patch_webhook(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    Path((_, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<WebhookPatch>,
) -> Result<Json<WebhookView>> {
    let id = endpoint_id(&id)?;
    let allow_private = state.config.webhooks_allow_private_networks;
    let changes = EndpointChanges {
        url: patch.url.as_deref().map(|u| check_url(u, allow_private)).transpose()?,
        events: patch.events.as_deref().map(check_events).transpose()?,
        enabled: patch.enabled,
    };
    if let Some(url) = &changes.url {
        check_resolved(url, allow_private).await?;
    } else if changes.enabled == Some(true) {
        // Turned back on: its address is checked as at creation, under today's settings
        // (private networks may have been allowed when it was made, and are not now).
        let current = state
            .db
            .webhooks(&site.id)
            .await?
            .into_iter()
            .find(|w| w.id == id)
            .ok_or_else(not_found)?;
        check_url(&current.url, allow_private)?;
        check_resolved(&current.url, allow_private).await?;
    }
    let record = audit(
        &auth,
        &site.id,
        json!({ "op": "update", "webhook_id": id, "url": changes.url,
                "events": changes.events, "enabled": changes.enabled }),
    );
    let updated = state.db.update_webhook(&site.id, &id, &changes, &record).await?;
    Ok(Json(updated.ok_or_else(not_found)?))
}

/// Delete a webhook endpoint.
///
/// `DELETE /v1/admin/sites/{site}/webhooks/{id}` (owner): the endpoint, its undelivered
/// messages and its delivery log. 204; 404 `webhook_not_found`.
#[utoipa::path(
    delete,
    path = "/v1/admin/sites/{site}/webhooks/{id}",
    tag = "webhooks",
    params(("site" = String, Path, description = "The site's id"), ("id" = String, Path, description = "The webhook endpoint's id")),
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 204, description = "Deleted, with its pending messages and delivery log"),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `webhook_not_found`: no such endpoint on this site", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn delete_webhook(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let id = endpoint_id(&id)?;
    let record = audit(&auth, &site.id, json!({ "op": "delete", "webhook_id": id }));
    if state.db.delete_webhook(&site.id, &id, &record).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

/// Rotate a webhook endpoint's secret.
///
/// `POST /v1/admin/sites/{site}/webhooks/{id}/rotate-secret` (owner): a new secret, shown
/// only in this answer; messages carry a signature with the previous one too for
/// `overlap_hours` (0–168, default 24). 404 `webhook_not_found`.
#[utoipa::path(
    post,
    path = "/v1/admin/sites/{site}/webhooks/{id}/rotate-secret",
    tag = "webhooks",
    params(("site" = String, Path, description = "The site's id"), ("id" = String, Path, description = "The webhook endpoint's id")),
    request_body = RotateWebhookSecret,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The endpoint and its new secret, shown only here", body = WebhookWithSecret),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `webhook_not_found`: no such endpoint on this site", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: `overlap_hours` is over 168, or the body has the wrong shape", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_rotate_secret(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    Path((_, id)): Path<(String, String)>,
    ApiJson(request): ApiJson<RotateWebhookSecret>,
) -> Result<Json<WebhookWithSecret>> {
    let id = endpoint_id(&id)?;
    let hours = request.overlap_hours.unwrap_or(24);
    if hours > MAX_OVERLAP_HOURS {
        return Err(Invalid::new("overlap_hours", format!("0 to {MAX_OVERLAP_HOURS}")).into());
    }
    let secret = generate_secret();
    let record = audit(
        &auth,
        &site.id,
        json!({ "op": "rotate_secret", "webhook_id": id, "overlap_hours": hours }),
    );
    let overlap = time::Duration::hours(i64::from(hours));
    let webhook = state
        .db
        .rotate_webhook_secret(&site.id, &id, &secret, overlap, &record)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(WebhookWithSecret { webhook, secret }))
}

/// A webhook endpoint's delivery log.
///
/// `GET /v1/admin/sites/{site}/webhooks/{id}/deliveries?before=&limit=` (viewer): the
/// delivery log, newest first. 404 `webhook_not_found`; 422 naming `limit` or `before`.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(("site" = String, Path, description = "The site's id"), ("id" = String, Path, description = "The webhook endpoint's id"), DeliveryPage),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "Attempts, newest first", body = Vec<Delivery>),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `webhook_not_found`: no such endpoint on this site", body = ErrorBody),
        (status = 422, description = "`invalid_input`: an unknown parameter, `limit` out of 1–500, or `before` past any id", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_deliveries(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
    Path((_, id)): Path<(String, String)>,
    ApiQuery(page): ApiQuery<DeliveryPage>,
) -> Result<Json<Vec<Delivery>>> {
    let id = endpoint_id(&id)?;
    let limit = page.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Invalid::new("limit", "1 to 500").into());
    }
    // The database counts ids in i64: a larger cursor is no id (and would not bind).
    if page.before.is_some_and(|b| i64::try_from(b).is_err()) {
        return Err(Invalid::new("before", "an id, at most 9223372036854775807").into());
    }
    let deliveries = state
        .db
        .deliveries(&site.id, &id, page.before, limit)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(deliveries))
}
