//! The site owners' dashboard, `GET /admin`: a small HTML shell the dashboard bundle
//! (`dist/admin/`, its own Trunk build, so visitors never download it) mounts into. Everything
//! it shows comes from the admin API on this same origin, signed in with the session cookie.
//!
//! Like the hosted privacy-settings page, the shell runs nothing inline: its only script is the
//! fixed boot module (`/admin/boot.js`), so its policy allows this origin's files alone.

use super::settings_page::{PROBLEM_CSP, PROBLEM_STYLE, boot_module, escape, page_headers};
use crate::assets::BundleName;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// The dashboard.
///
/// `GET /admin`: the dashboard's page (sign in, sites, install, statistics). 503 with a page
/// saying so while the dashboard bundle is not built on this server.
#[utoipa::path(
    get,
    path = "/admin",
    tag = "dashboard",
    responses(
        (status = 200, description = "The page (`Cache-Control: no-store`, its own strict CSP)", content_type = "text/html", body = String),
        (status = 500, description = "An HTML page: the build output could not be read (logged on the server)", content_type = "text/html", body = String),
        (status = 503, description = "An HTML page: the dashboard is not built on this server yet", content_type = "text/html", body = String),
    )
)]
pub async fn get_page(State(state): State<AppState>) -> Response {
    let bundle = match state.assets.find(&state.config.dist_dir, BundleName::Admin) {
        Ok(Some(bundle)) => bundle,
        Ok(None) => {
            tracing::warn!("the dashboard was asked for, but its bundle is not built");
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "The dashboard is not built on this server",
                "Build it with scripts/run (or build_frontend in scripts/lib.sh), then reload this page.",
            );
        }
        Err(err) => {
            tracing::error!(error = ?err, "reading the dashboard bundle");
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "The dashboard is not available right now",
                "Please try again in a few minutes.",
            );
        }
    };
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <title>Assent dashboard</title>\n<link rel=\"icon\" href=\"data:,\">\n\
         <link rel=\"modulepreload\" href=\"{js}\">\n\
         <script type=\"module\" src=\"/admin/boot.js\" data-assent-boot data-js=\"{js}\" data-wasm=\"{wasm}\"></script>\n\
         </head>\n<body>\n<noscript>The dashboard needs JavaScript. Turn it on for this page, then reload it.</noscript>\n\
         <div id=\"assent-admin\" data-build=\"{build}\"></div>\n</body>\n</html>\n",
        js = escape(&bundle.js_url()),
        wasm = escape(&bundle.wasm_url()),
        build = escape(&bundle.build),
    );
    page_headers(Html(page).into_response(), DASHBOARD_CSP)
}

/// The dashboard's policy: the settings page's, plus frames of this origin (the notice editor's
/// live preview is the `/preview/{site}` page of this server). Never framed itself.
const DASHBOARD_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The dashboard's boot module.
///
/// `GET /admin/boot.js`: the fixed module that starts the bundle the page names (so the page
/// runs no inline script).
#[utoipa::path(
    get,
    path = "/admin/boot.js",
    tag = "dashboard",
    responses(
        (status = 200, description = "JavaScript (a module)", content_type = "text/javascript", body = String),
    )
)]
pub async fn get_boot() -> impl IntoResponse {
    boot_module()
}

/// A page saying what went wrong and what to do, with no script.
fn problem(status: StatusCode, code: &str, heading: &str, what_to_do: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <title>{heading}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>{PROBLEM_STYLE}</style>\n</head>\n\
         <body>\n<main data-test=\"dashboard-problem\" data-problem=\"{code}\">\n<h1>{heading}</h1>\n<p>{what_to_do}</p>\n\
         </main>\n</body>\n</html>\n"
    );
    page_headers((status, Html(page)).into_response(), &PROBLEM_CSP)
}
