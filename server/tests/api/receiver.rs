//! A webhook receiver for tests: an axum server on 127.0.0.1:0 that keeps every request and
//! answers with a scripted status, optionally holding every request until released. Its
//! signature check is written from the Standard Webhooks text, not with the server's code.

use crate::helpers::LoopbackServer;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// The status it was (or will be) answered with.
    pub status: u16,
    /// It arrived after [`Receiver::release`].
    pub after_release: bool,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }
}

#[derive(Clone)]
struct Script {
    seen: Arc<Mutex<Vec<Received>>>,
    /// The answer to the n-th request (0-based); 200 past the end.
    statuses: Arc<Vec<u16>>,
    released: watch::Receiver<bool>,
}

pub struct Receiver {
    /// Where to send webhooks: `http://127.0.0.1:<port>/hooks`.
    pub url: String,
    seen: Arc<Mutex<Vec<Received>>>,
    release: watch::Sender<bool>,
    _server: LoopbackServer,
}

async fn hook(State(script): State<Script>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut released = script.released.clone();
    let status = {
        let mut seen = script.seen.lock().expect("lock");
        let status = script.statuses.get(seen.len()).copied().unwrap_or(200);
        seen.push(Received {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
            body,
            status,
            after_release: *released.borrow(),
        });
        status
    };
    // Held: no answer until released (the sender is mid-delivery meanwhile).
    let _ = released.wait_for(|r| *r).await;
    StatusCode::from_u16(status).expect("status")
}

/// A receiver answering `statuses` in turn (then 200); with `hold`, every request waits for
/// [`Receiver::release`] before it is answered.
pub async fn spawn_receiver(statuses: &[u16], hold: bool) -> Receiver {
    let (release, released) = watch::channel(!hold);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script = Script {
        seen: seen.clone(),
        statuses: Arc::new(statuses.to_vec()),
        released,
    };
    let app = axum::Router::new()
        .route("/hooks", axum::routing::post(hook))
        .with_state(script);
    let server = LoopbackServer::start(app).await;
    Receiver {
        url: format!("{}/hooks", server.origin),
        seen,
        release,
        _server: server,
    }
}

impl Receiver {
    pub fn received(&self) -> Vec<Received> {
        self.seen.lock().expect("lock").clone()
    }

    /// Answers the held requests and every later one at once.
    pub fn release(&self) {
        let _ = self.release.send(true);
    }

    /// Waits (polling, up to 30 s) until `done` holds for the requests received so far.
    pub async fn wait_until(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        wait_for(what, || {
            let seen = self.received();
            done(&seen).then_some(seen)
        })
        .await
    }
}

/// Polls `probe` every 20 ms until it gives a value; panics naming `what` after 30 s.
pub async fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether `received` carries a valid `v1` signature by `secret` (`whsec_` + base64 key):
/// HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`, base64, compared with each
/// space-separated `v1,…` of the header.
pub fn signed_by(secret: &str, received: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    received.signature.split(' ').any(|s| s == expected)
}
