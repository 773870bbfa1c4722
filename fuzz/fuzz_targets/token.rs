//! The bearer tokens and signed documents Assent verifies (`assent_server::keys::Keys`): every
//! EdDSA JWS a client presents — subject tokens, admin sessions, service tokens, settings
//! sessions, account assertions, preview links — and checkpoints (`Keys::verify`).
//!
//! Properties: any text presented as a token is refused without a panic; a token Assent
//! signed opens exactly its own audience, and with expiry required only while `exp` is in the
//! future; the same token with any one byte changed opens nothing.
#![no_main]

use arbitrary::Arbitrary;
use assent_server::auth::Audience;
use assent_server::keys::Keys;
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const AUDIENCES: [Audience; 7] = [
    Audience::Subject,
    Audience::Receipt,
    Audience::Admin,
    Audience::Service,
    Audience::Preview,
    Audience::Settings,
    Audience::Account,
];

/// Seconds either side of now where whether `exp` has passed depends on when the check runs.
const CLOCK_MARGIN: u64 = 60;

#[derive(Debug, Arbitrary)]
enum Input {
    /// Any text presented as a token.
    Text(String),
    /// Claims Assent signs, then verifies as they are and with one byte changed.
    Signed {
        claims: Claims,
        /// Which byte to change (modulo the token's length), and the bits to flip (not 0).
        tamper: (usize, u8),
    },
}

#[derive(Debug, Clone, PartialEq, Arbitrary, Serialize, Deserialize)]
struct Claims {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    aud: Option<String>,
    sub: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    exp: Option<i64>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("assent-fuzz-token-{}", std::process::id()));
        let keys = Keys::load_or_create(&dir.join("keys.json")).expect("a key file");
        // The keys are in memory now; leave nothing behind.
        std::fs::remove_dir_all(&dir).expect("removing the key file");
        keys
    })
}

fuzz_target!(|input: Input| {
    let keys = keys();
    match input {
        Input::Text(token) => {
            for audience in AUDIENCES {
                for expires in [false, true] {
                    assert_eq!(keys.verify_token::<Claims>(&token, audience, expires), None);
                }
            }
            assert_eq!(keys.verify::<Claims>(&token), None);
        }
        Input::Signed { mut claims, tamper } => {
            // Mostly one of Assent's audiences, so the accepting branch is reached.
            if let Some(aud) = &mut claims.aud
                && let Some(first) = aud.bytes().next()
                && first % 2 == 0
            {
                *aud = AUDIENCES[usize::from(first / 2) % AUDIENCES.len()].as_str().to_owned();
            }
            let token = keys.sign(&claims).expect("signing");
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            for audience in AUDIENCES {
                let own = claims.aud.as_deref() == Some(audience.as_str());
                assert_eq!(
                    keys.verify_token::<Claims>(&token, audience, false),
                    own.then(|| claims.clone())
                );
                match claims.exp {
                    Some(exp) if exp.abs_diff(now) <= CLOCK_MARGIN => {}
                    exp => {
                        let open = own && exp.is_some_and(|exp| exp > now);
                        let verified = keys.verify_token::<Claims>(&token, audience, true);
                        assert_eq!(verified, open.then(|| claims.clone()), "{audience:?}, now {now}");
                    }
                }
            }
            // A signed document without an audience (a checkpoint) verifies as it is.
            if claims.aud.is_none() {
                assert_eq!(keys.verify::<Claims>(&token), Some(claims.clone()));
            }

            let (index, flip) = tamper;
            let mut bytes = token.into_bytes();
            let at = index % bytes.len();
            bytes[at] ^= flip.max(1);
            if let Ok(tampered) = String::from_utf8(bytes) {
                for audience in AUDIENCES {
                    for expires in [false, true] {
                        let verified = keys.verify_token::<Claims>(&tampered, audience, expires);
                        assert_eq!(verified, None, "{tampered} (byte {at} changed) opened {audience:?}");
                    }
                }
                assert_eq!(keys.verify::<Claims>(&tampered), None, "{tampered} (byte {at} changed)");
            }
        }
    }
});
