//! Checks a receipt in the browser, trusting nothing the page was told: the JWS signature
//! against the key Assent publishes at `/.well-known/jwks.json` (Ed25519, RFC 8037, through
//! the browser's WebCrypto), the signed claims against the event, and the event's hash
//! recomputed here from its canonical bytes (RFC 8785; `assent_shared::canonical`, the code
//! the server hashes with) and linked to the event before it.

use super::client::Client;
use crate::api::{self, ApiFailure};
use assent_shared::canonical::event_hash;
use assent_shared::consent::{ConsentEvent, Decisions, GENESIS_HASH};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What a check established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signature, claims, hash and chain link all hold.
    Verified { kid: String, issuer: String },
    /// The first check that failed, in words.
    NotVerified(String),
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Claims {
    typ: String,
    iss: String,
    event_id: String,
    seq: u64,
    hash: String,
    decisions: Decisions,
    notice_hash: String,
}

#[derive(Debug, Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
struct Jwk {
    kty: String,
    crv: Option<String>,
    x: Option<String>,
    kid: Option<String>,
}

/// Verifies `event`'s receipt; `previous` is the event before it in the chain (`None` for
/// the first).
pub async fn verify(client: &Client, event: &ConsentEvent, previous: Option<&ConsentEvent>) -> Verdict {
    match check(client, event, previous).await {
        Ok(verdict) => verdict,
        Err(reason) => Verdict::NotVerified(reason),
    }
}

async fn check(client: &Client, event: &ConsentEvent, previous: Option<&ConsentEvent>) -> Result<Verdict, String> {
    let jws = client.receipt(&event.event_id).await.map_err(|e| describe(&e))?;
    let mut parts = jws.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the receipt is not a compact JWS".into());
    };
    let header: Header = decode_json(header_b64).ok_or("the receipt's header is unreadable")?;
    let claims: Claims = decode_json(claims_b64).ok_or("the receipt's claims are unreadable")?;
    if header.alg != "EdDSA" {
        return Err(format!("unexpected signature algorithm {}", header.alg));
    }
    let jwks: Jwks = api::call("GET", &client.jwks_url(), None, &[])
        .await
        .map_err(|e| describe(&e))?;
    let key = jwks
        .keys
        .into_iter()
        .find(|k| header.kid.is_none() || k.kid == header.kid)
        .filter(|k| k.kty == "OKP" && k.crv.as_deref() == Some("Ed25519") && k.x.is_some())
        .ok_or("the signing key is not among the published keys")?;
    let signature = base64url(signature_b64).ok_or("the signature is not base64url")?;
    let signed = format!("{header_b64}.{claims_b64}");
    if !ed25519_verify(&key, &signature, signed.as_bytes()).await? {
        return Err("the signature does not match the published key".into());
    }
    if claims.typ != "consent_receipt" {
        return Err("this is not a consent receipt".into());
    }
    if claims.event_id != event.event_id.as_str() || claims.seq != event.seq {
        return Err("the receipt is for another event".into());
    }
    if claims.decisions != event.decisions || claims.notice_hash != event.notice_hash {
        return Err("the receipt's decisions or notice differ from the event".into());
    }
    let recomputed = event_hash(event).map_err(|e| e.to_string())?;
    if recomputed != event.hash || claims.hash != recomputed {
        return Err("the event's recomputed hash differs from the signed one: the record was changed".into());
    }
    let expected_prev = previous.map_or(GENESIS_HASH, |p| p.hash.as_str());
    if event.prev_hash != expected_prev {
        return Err("the event does not link to the one before it".into());
    }
    Ok(Verdict::Verified {
        kid: key.kid.unwrap_or_default(),
        issuer: claims.iss,
    })
}

/// A failed call in words: the server's error message, or what the network said.
pub fn describe(failure: &ApiFailure) -> String {
    match failure {
        ApiFailure::Network(message) => message.clone(),
        ApiFailure::Refused { status, body } => crate::json::from_str::<assent_shared::api::ErrorBody>(body)
            .map(|b| b.error.message)
            .unwrap_or_else(|| {
                if body.is_empty() {
                    format!("HTTP {status}")
                } else {
                    body.clone()
                }
            }),
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(b64: &str) -> Option<T> {
    let bytes = base64url(b64)?;
    crate::json::from_str(&String::from_utf8(bytes).ok()?)
}

/// base64url without padding (RFC 7515 §2), through the browser's `atob`.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    while !standard.len().is_multiple_of(4) {
        standard.push('=');
    }
    let binary = web_sys::window()?.atob(&standard).ok()?;
    // `atob` answers one char per byte.
    binary.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

/// Ed25519 verification by WebCrypto (`crypto.subtle`): the key imported from its JWK.
async fn ed25519_verify(key: &Jwk, signature: &[u8], data: &[u8]) -> Result<bool, String> {
    let unsupported = |_| "this browser cannot check Ed25519 signatures".to_owned();
    let subtle = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| Reflect::get(&c, &"subtle".into()).ok())
        .filter(|s| s.is_object())
        .ok_or("this browser has no WebCrypto")?;
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"Ed25519".into()).map_err(unsupported)?;
    let jwk = crate::json::to_js(key);
    let import: js_sys::Function = Reflect::get(&subtle, &"importKey".into())
        .map_err(unsupported)?
        .dyn_into()
        .map_err(unsupported)?;
    let args = Array::of5(
        &"jwk".into(),
        &jwk,
        &algorithm,
        &JsValue::FALSE,
        &Array::of1(&"verify".into()),
    );
    let imported = JsFuture::from(js_sys::Promise::from(
        import.apply(&subtle, &args).map_err(unsupported)?,
    ))
    .await
    .map_err(unsupported)?;
    let verify: js_sys::Function = Reflect::get(&subtle, &"verify".into())
        .map_err(unsupported)?
        .dyn_into()
        .map_err(unsupported)?;
    let args = Array::of4(
        &algorithm,
        &imported,
        &Uint8Array::from(signature),
        &Uint8Array::from(data),
    );
    let ok = JsFuture::from(js_sys::Promise::from(
        verify.apply(&subtle, &args).map_err(unsupported)?,
    ))
    .await
    .map_err(unsupported)?;
    Ok(ok.as_bool().unwrap_or(false))
}
