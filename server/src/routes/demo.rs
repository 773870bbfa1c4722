//! The demo site: a separate origin that embeds Assent exactly as a third-party site does,
//! and the `demo` site record and notice it uses.

use crate::ledger::{Ledger, SiteRecord};
use crate::state::AppState;
use anyhow::Context;
use assent_shared::ids::SiteId;
use assent_shared::notice::Notice;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::net::SocketAddr;

const DEMO_PAGE: &str = include_str!("../../../public/demo/index.html");
const DEMO_NOTICE: &str = include_str!("../../demo/notice.json");
pub const DEMO_SITE: &str = "demo";

/// Registers the `demo` site for the demo origin and publishes its notice (idempotent).
pub async fn seed(ledger: &dyn Ledger, demo_addr: SocketAddr) -> anyhow::Result<()> {
    let id = SiteId::parse(DEMO_SITE)?;
    let origins = vec![
        format!("http://{demo_addr}"),
        format!("http://localhost:{}", demo_addr.port()),
    ];
    ledger
        .put_site(&SiteRecord {
            id: id.clone(),
            name: "Northwind Journal (demo)".into(),
            origins,
        })
        .await?;
    let notice = demo_notice()?;
    ledger
        .publish_notice(&id, &notice)
        .await
        .context("publishing the demo notice")
}

pub fn demo_notice() -> anyhow::Result<Notice> {
    let notice: Notice = serde_json::from_str(DEMO_NOTICE).context("parsing demo/notice.json")?;
    notice.validate().context("validating demo/notice.json")?;
    Ok(notice)
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(get_page))
        .route("/.well-known/gpc.json", get(get_gpc))
        .layer(super::trace_layer())
        .with_state(state)
}

async fn get_page(State(state): State<AppState>) -> impl IntoResponse {
    let page = DEMO_PAGE
        .replace("{{ASSENT_ORIGIN}}", &state.public_origin)
        .replace("{{SITE}}", DEMO_SITE);
    ([(header::CACHE_CONTROL, "no-store")], Html(page))
}

/// The demo site's own GPC statement: each origin speaks for itself.
async fn get_gpc(State(state): State<AppState>) -> impl IntoResponse {
    Json(json!({ "gpc": true, "lastUpdate": state.config.gpc_last_update }))
}
