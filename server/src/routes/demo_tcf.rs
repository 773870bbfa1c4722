//! The demo's TCF site, on when the server has a CMP id (`scripts/run` sets the placeholder,
//! [`crate::tcf::PLACEHOLDER_CMP_ID`]): the `demo-tcf` site, whose notice is the demo's with a
//! `tcf` section, its page at `/tcf` on the demo origin, and a Global Vendor List for it
//! served by the demo listener at `/gvl/` — the fixture written for Assent's tests (invented
//! vendors, our own texts), never IAB's list, so the demo never reaches the network.

use super::demo::{DEMO_SITE_NAME, demo_notice, render};
use crate::ledger::{Ledger, SiteRecord};
use crate::state::AppState;
use anyhow::Context;
use assent_shared::ids::SiteId;
use assent_shared::notice::TcfSettings;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

/// The demo's TCF site.
pub const DEMO_TCF_SITE: &str = "demo-tcf";
const GVL: &str = include_str!("../../../shared/tests/fixtures/gvl-v3.json");
const GVL_FR: &str = include_str!("../../../shared/tests/fixtures/gvl-v3-purposes-fr.json");
/// The fixture's vendors the demo site works with: all but the deleted one (40).
const VENDORS: [u16; 10] = [2, 8, 15, 21, 46, 77, 120, 300, 755, 1126];

/// Registers `demo-tcf` with the demo site's origins and publishes its notice (idempotent).
pub async fn seed(ledger: &dyn Ledger, origins: Vec<String>) -> anyhow::Result<()> {
    let id = SiteId::parse(DEMO_TCF_SITE)?;
    ledger
        .put_site(&SiteRecord {
            id: id.clone(),
            name: format!("{DEMO_SITE_NAME} with TCF (demo)"),
            origins,
            regime_overrides: Default::default(),
            archived: false,
            starter_notice: false,
        })
        .await?;
    let mut notice = demo_notice()?;
    notice.tcf = Some(TcfSettings {
        vendors: VENDORS.to_vec(),
        publisher_restrictions: vec![],
        stacks: vec![],
    });
    notice.validate().context("validating the demo's TCF notice")?;
    ledger
        .publish_notice(&id, &notice)
        .await
        .context("publishing the demo's TCF notice")
}

/// The demo listener's TCF routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tcf", get(get_page))
        .route("/gvl/{file}", get(get_gvl_file))
}

async fn get_page(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(render(&state, DEMO_TCF_SITE, "")),
    )
}

/// `vendor-list.json` and `purposes-fr.json` (the demo's only translation: other languages
/// show the list's English, as with IAB's list when a translation is missing).
async fn get_gvl_file(Path(file): Path<String>) -> Response {
    let body = match file.as_str() {
        "vendor-list.json" => GVL,
        "purposes-fr.json" => GVL_FR,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        body,
    )
        .into_response()
}
