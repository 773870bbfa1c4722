//! Ledger verification, checkpoints and exports of one site.

use crate::admin_auth::{SiteOwner, SiteViewer};
use crate::db::audit::AuditRecord;
use crate::error::Result;
use crate::export::{ExportRequest, Format, export_stream};
use crate::extract::ApiQuery;
use crate::ledger::EventFilter;
use crate::ledger::{checkpoint, verify};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::ErrorBody;
use assent_shared::api::{Checkpoint, VerifyReport};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// Verify the ledger.
///
/// `GET /v1/admin/sites/{site}/verify` (viewer): re-walks every chain and checkpoint.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/verify",
    tag = "ledger",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The report; `problems[0]` is the first broken event", body = VerifyReport),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_verify(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
) -> Result<Json<VerifyReport>> {
    let file = Some(state.config.checkpoint_file.as_path());
    Ok(Json(
        verify::verify_site(state.ledger.as_ref(), &state.keys, &site.id, file).await?,
    ))
}

/// Make a checkpoint now.
///
/// `POST /v1/admin/sites/{site}/checkpoints` (owner): makes a signed checkpoint now.
#[utoipa::path(
    post,
    path = "/v1/admin/sites/{site}/checkpoints",
    tag = "ledger",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "The new signed checkpoint, with the chain heads it recorded first (those that moved since the checkpoint before)", body = Checkpoint),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_checkpoint(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
) -> Result<(StatusCode, Json<Checkpoint>)> {
    let file = Some(state.config.checkpoint_file.as_path());
    let made = checkpoint::make(state.ledger.as_ref(), &state.keys, &site.id, file).await?;
    // The one write of the ledger screen: who signed a checkpoint on demand, and which.
    state
        .db
        .audit(&AuditRecord {
            actor: auth.audit_actor(),
            action: "checkpoint_make",
            site_id: Some(site.id.to_string()),
            details: json!({ "number": made.number, "tree_size": made.tree_size }),
            client_ip: Some(auth.client_ip.clone()),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// `GET /v1/admin/sites/{site}/export` query: `format` (`ndjson`, `csv` or `bundle`, default
/// `ndjson`), `from` (inclusive) and `to` (exclusive) as RFC 3339 or `YYYY-MM-DD`, `purpose`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `ndjson` (default), `csv` or `bundle`.
    #[param(inline)]
    format: Option<Format>,
    /// Inclusive: RFC 3339 or `YYYY-MM-DD`.
    from: Option<String>,
    /// Exclusive: RFC 3339 or `YYYY-MM-DD`.
    to: Option<String>,
    /// Only events deciding this purpose.
    purpose: Option<String>,
}

/// Export the site's ledger.
///
/// `GET /v1/admin/sites/{site}/export` (viewer): the site's ledger streamed with constant
/// memory — NDJSON (events as stored), CSV, or an evidence bundle that `assent verify-bundle`
/// checks offline. Audited. `X-Assent-Events` carries the number of events it will hold.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/export",
    tag = "ledger",
    params(("site" = String, Path, description = "The site's id"), ExportQuery),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The export, streamed as a download; `X-Assent-Events` holds its number of events", content(("application/x-ndjson"), ("text/csv"))),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 422, description = "`invalid_input`: an unknown parameter or format, a malformed `from`/`to`, or not a purpose key", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_export(
    State(state): State<AppState>,
    SiteViewer { site, auth }: SiteViewer,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response> {
    let format = query.format.unwrap_or(Format::Ndjson);
    let filter = EventFilter::parse(query.from.as_deref(), query.to.as_deref(), query.purpose.as_deref())?;
    state
        .db
        .audit(&AuditRecord {
            actor: auth.audit_actor(),
            action: "export",
            site_id: Some(site.id.to_string()),
            details: json!({ "format": format, "from": query.from, "to": query.to, "purpose": query.purpose }),
            client_ip: Some(auth.client_ip.clone()),
        })
        .await?;
    let export = export_stream(
        state.ledger.as_ref(),
        state.keys.jwks(),
        ExportRequest::new(site.id.clone(), format, filter),
    )
    .await?;
    let disposition = format!("attachment; filename=\"{}\"", format.file_name(&site.id));
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::HeaderName::from_static("x-assent-events"),
                export.count.events.to_string(),
            ),
        ],
        Body::from_stream(export.body),
    )
        .into_response())
}
