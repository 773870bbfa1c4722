//! Consent statistics of one site, read from the daily roll-ups (see
//! [`crate::ledger::rollup`] and [`assent_shared::stats`]).

use crate::admin_auth::SiteViewer;
use crate::db::stats::StatsFilter;
use crate::error::Result;
use crate::extract::ApiQuery;
use crate::state::AppState;
use assent_shared::stats::StatsReport;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use time::OffsetDateTime;

/// `GET /v1/admin/sites/{site}/stats` query: `from` and `to` (UTC days `YYYY-MM-DD`, both
/// inclusive; default the last 30 days, at most 366), `purpose` (a purpose key), `regime`
/// (`opt_in`, `opt_out`, `notice`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    from: Option<String>,
    to: Option<String>,
    purpose: Option<String>,
    regime: Option<String>,
}

/// `GET /v1/admin/sites/{site}/stats` (viewer): decisions per purpose, method mix, regimes,
/// jurisdictions, languages, notice versions, GPC share and the banner funnel, per UTC day
/// and in total. 422 `invalid_input` naming `from`, `to`, `purpose` or `regime`.
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
