//! A Global Vendor List server for tests: axum on 127.0.0.1:0 serving `/v3/vendor-list.json`
//! (the shared fixture, or whatever a test swaps in) and `/v3/purposes-fr.json`, with
//! `Cache-Control: max-age=7200`; it counts requests and can hold the list's until released.

use crate::helpers::LoopbackServer;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

pub const LIST: &str = include_str!("../../../shared/tests/fixtures/gvl-v3.json");
pub const FRENCH: &str = include_str!("../../../shared/tests/fixtures/gvl-v3-purposes-fr.json");
/// The fixture's `vendorListVersion`.
pub const VERSION: u64 = 141;

#[derive(Clone)]
struct Files {
    list: Arc<Mutex<String>>,
    hits: Arc<Mutex<Vec<String>>>,
    held: watch::Receiver<bool>,
}

pub struct GvlServer {
    /// `http://127.0.0.1:<port>/v3/`: what `tcf_gvl_url` is set to.
    pub base: String,
    files: Files,
    hold: watch::Sender<bool>,
    _server: LoopbackServer,
}

impl Drop for GvlServer {
    fn drop(&mut self) {
        // Held requests finish, so the server's graceful shutdown does not wait on them.
        let _ = self.hold.send(false);
    }
}

async fn file(State(files): State<Files>, Path(name): Path<String>) -> Response {
    files.hits.lock().expect("lock").push(name.clone());
    let body = match name.as_str() {
        "vendor-list.json" => {
            let mut held = files.held.clone();
            let _ = held.wait_for(|held| !*held).await;
            files.list.lock().expect("lock").clone()
        }
        "purposes-fr.json" => FRENCH.to_owned(),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=7200"),
        ],
        body,
    )
        .into_response()
}

impl GvlServer {
    pub async fn start() -> Self {
        let (hold, held) = watch::channel(false);
        let files = Files {
            list: Arc::new(Mutex::new(LIST.to_owned())),
            hits: Arc::default(),
            held,
        };
        let server =
            LoopbackServer::start(Router::new().route("/v3/{name}", get(file)).with_state(files.clone())).await;
        Self {
            base: format!("{}/v3/", server.origin),
            files,
            hold,
            _server: server,
        }
    }

    /// Serves `list` as `vendor-list.json` from now on.
    pub fn serve_list(&self, list: &str) {
        *self.files.list.lock().expect("lock") = list.to_owned();
    }

    /// How many times `name` was asked for.
    pub fn hits(&self, name: &str) -> usize {
        self.files
            .hits
            .lock()
            .expect("lock")
            .iter()
            .filter(|n| *n == name)
            .count()
    }

    /// Holds (or, with `false`, releases) every request for the list.
    pub fn hold(&self, held: bool) {
        let _ = self.hold.send(held);
    }
}
