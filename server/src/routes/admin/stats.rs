//! Consent statistics of one site, read from the daily roll-ups (see
//! [`crate::ledger::rollup`] and [`assent_shared::stats`]).

use crate::admin_auth::SiteViewer;
use crate::db::stats::StatsFilter;
use crate::error::Result;
use crate::extract::ApiQuery;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::ErrorBody;
use assent_shared::stats::StatsReport;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use time::OffsetDateTime;

/// `GET /v1/admin/sites/{site}/stats` query: `from` and `to` (UTC days `YYYY-MM-DD`, both
/// inclusive; default the last 30 days, at most 366), `purpose` (a purpose key), `regime`
/// (`opt_in`, `opt_out`, `notice`).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// First UTC day, inclusive (`YYYY-MM-DD`); default 29 days before `to`.
    from: Option<String>,
    /// Last UTC day, inclusive (`YYYY-MM-DD`); default today.
    to: Option<String>,
    /// A purpose key: count only the events that carried a decision on it.
    purpose: Option<String>,
    /// `opt_in`, `opt_out` or `notice`.
    regime: Option<String>,
}

/// Read the site's consent statistics.
///
/// `GET /v1/admin/sites/{site}/stats` (viewer): decisions per purpose, method mix, regimes,
/// jurisdictions, languages, notice versions, GPC share and the banner funnel, per UTC day
/// and in total. 422 `invalid_input` naming `from`, `to`, `purpose` or `regime`.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/stats",
    tag = "ledger",
    params(("site" = String, Path, description = "The site's id"), StatsQuery),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "Totals and one entry per day of the range", body = StatsReport),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 422, description = "`invalid_input`: `details.field` names `from`, `to`, `purpose`, `regime` or `query` (an unknown parameter)", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_stats(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> Result<Json<StatsReport>> {
    let filter = StatsFilter::parse(
        query.from.as_deref(),
        query.to.as_deref(),
        query.purpose.as_deref(),
        query.regime.as_deref(),
        OffsetDateTime::now_utc().date(),
    )?;
    Ok(Json(state.db.site_stats(&site.id, &filter).await?))
}
