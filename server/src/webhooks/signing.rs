//! Standard Webhooks signing (specification 1.0.0, "Signature scheme" and "Webhook headers";
//! standardwebhooks.com, `spec/standard-webhooks.md` of github.com/standard-webhooks/standard-webhooks).
//!
//! Each endpoint has its own secret, `whsec_` + base64 of 32 random bytes; the HMAC key is
//! the decoded bytes. A message is signed as `HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")`
//! and sent as `webhook-signature: v1,<base64 of the MAC>`; while a rotated secret is still in
//! its overlap window, the header carries a signature with each, separated by a space.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Prefix of every webhook secret (the Standard Webhooks symmetric secret serialization).
pub const SECRET_PREFIX: &str = "whsec_";

/// Random bytes per secret (the specification asks for 24 to 64).
const SECRET_BYTES: usize = 32;

/// A new secret: `whsec_` + base64 (standard alphabet, padded) of 32 random bytes.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    // The OS generator failing is not recoverable; secrets must never be predictable.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no OS randomness: {e}"));
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// A new message id (the `webhook-id` header): `msg_` + 32 hex digits. No `.`, which the
/// signed content uses as its delimiter.
pub fn new_message_id() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

/// One signature, `v1,<base64>`, of `body` sent as message `id` at `timestamp` (unix
/// seconds). Errors if `secret` is not a `whsec_` secret.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> anyhow::Result<String> {
    let encoded = secret
        .strip_prefix(SECRET_PREFIX)
        .context("a webhook secret starts with whsec_")?;
    let key = STANDARD.decode(encoded).context("a webhook secret is base64")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).context("HMAC key")?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per secret, space-separated.
pub fn signature_header(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> anyhow::Result<String> {
    let signatures = secrets
        .iter()
        .map(|secret| sign(secret, id, timestamp, body))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(signatures.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_reference_vector() {
        // The test vector of the reference libraries in github.com/standard-webhooks/standard-webhooks.
        let signature = sign(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1_649_367_553,
            r#"{"email":"test@example.com","username":"test_user"}"#,
        )
        .expect("sign");
        assert_eq!(signature, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
    }

    #[test]
    fn a_secret_is_prefixed_base64_of_32_random_bytes() {
        let a = generate_secret();
        let b = generate_secret();
        assert_ne!(a, b);
        let raw = STANDARD
            .decode(a.strip_prefix(SECRET_PREFIX).expect("prefix"))
            .expect("base64");
        assert_eq!(raw.len(), 32);
    }

    #[test]
    fn the_header_carries_one_signature_per_secret() {
        let (old, new) = (generate_secret(), generate_secret());
        let header = signature_header(&[&new, &old], "msg_1", 1, "{}").expect("sign");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], sign(&new, "msg_1", 1, "{}").expect("sign"));
        assert_eq!(parts[1], sign(&old, "msg_1", 1, "{}").expect("sign"));
        assert!(new_message_id().starts_with("msg_") && !new_message_id().contains('.'));
        assert!(sign("not-a-secret", "msg_1", 1, "{}").is_err());
    }
}
