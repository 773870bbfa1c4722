//! Ed25519 signing keys for subject tokens and receipts.
//!
//! Keys live in a JSON file outside the database, created on first start (mode 0600). The
//! newest key signs; all keys verify and are published at `/.well-known/jwks.json`, so a
//! receipt can be checked offline with nothing but that document.

use crate::auth::Audience;
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::SigningKey;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct KeyFile {
    keys: Vec<StoredKey>,
    /// Secret salt for pseudonymising network data (user-agent hashes), base64.
    #[serde(default)]
    pseudonym_salt: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    created_at: String,
    /// The 32-byte Ed25519 seed, base64.
    seed: String,
}

struct LoadedKey {
    kid: String,
    /// Parsed once: building a signer from PKCS#8 for every token (what `jsonwebtoken::encode`
    /// does) derives the public key again each time, a third of a receipt's signing cost.
    signing: SigningKey,
    decoding: DecodingKey,
    public_x: String,
}

pub struct Keys {
    keys: Vec<LoadedKey>,
    pseudonym_salt: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("Keys").field("kids", &kids).finish_non_exhaustive()
    }
}

impl Keys {
    /// Loads the key file, creating it with one fresh key if it does not exist.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if !path.exists() {
            let file = KeyFile {
                keys: vec![new_stored_key()?],
                pseudonym_salt: Some(random_b64()?),
            };
            write_key_file(path, &file)?;
            tracing::info!(path = %path.display(), "created a new signing key file");
        }
        let text = std::fs::read_to_string(path).with_context(|| format!("reading key file {}", path.display()))?;
        let mut file: KeyFile =
            serde_json::from_str(&text).with_context(|| format!("parsing key file {}", path.display()))?;
        if file.keys.is_empty() {
            bail!("key file {} holds no keys", path.display());
        }
        let salt = match &file.pseudonym_salt {
            Some(salt) => salt.clone(),
            None => {
                // Key files from before the salt existed get one, once.
                let salt = random_b64()?;
                file.pseudonym_salt = Some(salt.clone());
                write_key_file(path, &file)?;
                salt
            }
        };
        let keys = file.keys.iter().map(load_key).collect::<anyhow::Result<Vec<_>>>()?;
        let pseudonym_salt = STANDARD.decode(salt).context("pseudonym_salt is not base64")?;
        Ok(Self { keys, pseudonym_salt })
    }

    /// Adds a new signing key; older keys keep verifying what they signed.
    pub fn rotate(path: &Path) -> anyhow::Result<String> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading key file {}", path.display()))?;
        let mut file: KeyFile = serde_json::from_str(&text).context("parsing key file")?;
        let key = new_stored_key()?;
        let kid = key.kid.clone();
        file.keys.push(key);
        write_key_file(path, &file)?;
        Ok(kid)
    }

    fn active(&self) -> &LoadedKey {
        // `load_or_create` refuses an empty file, so there is always a last key.
        self.keys
            .last()
            .unwrap_or_else(|| unreachable!("key set is never empty"))
    }

    /// Signs `claims` with the newest key as a compact JWS (RFC 7515 §7.1): base64url of the
    /// header `{"alg":"EdDSA","kid":…}` (RFC 8037 §3.1) and of the claims' JSON, joined by
    /// `.`, then `.` and the base64url Ed25519 signature of those two parts. Every token this
    /// writes is read back by `jsonwebtoken` (see [`Keys::verify_token`] and the tests).
    pub fn sign<T: Serialize>(&self, claims: &T) -> anyhow::Result<String> {
        use ed25519_dalek::Signer;
        let key = self.active();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        let mut token = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).context("encoding a token header")?);
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).context("encoding token claims")?));
        let signature = key.signing.sign(token.as_bytes());
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        Ok(token)
    }

    /// Verifies a signed document that is not a credential (a checkpoint): any of our keys,
    /// no audience, no expiry. `None` if it is not genuine.
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        self.decode(token, &validation)
    }

    /// Verifies a bearer token of one kind: signed by one of our keys, `aud` equal to
    /// `audience` (RFC 7519 §4.1.3), and, when `expires`, an `exp` in the future (checked by
    /// jsonwebtoken, no leeway). `None` for anything else, including a token of another kind.
    pub fn verify_token<T: DeserializeOwned>(&self, token: &str, audience: Audience, expires: bool) -> Option<T> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[audience.as_str()]);
        validation.leeway = 0;
        validation.validate_exp = expires;
        validation.required_spec_claims = if expires {
            ["aud", "exp"].into_iter().map(String::from).collect()
        } else {
            ["aud"].into_iter().map(String::from).collect()
        };
        self.decode(token, &validation)
    }

    fn decode<T: DeserializeOwned>(&self, token: &str, validation: &Validation) -> Option<T> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        let key = self.keys.iter().find(|k| k.kid == kid)?;
        jsonwebtoken::decode::<T>(token, &key.decoding, validation)
            .ok()
            .map(|d| d.claims)
    }

    /// Salted SHA-256 (hex) of a value such as a user agent: stable per installation, not
    /// reversible by a dictionary without the salt.
    pub fn pseudonymize(&self, value: &str) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(&self.pseudonym_salt);
        h.update(value.as_bytes());
        hex::encode(h.finalize())
    }

    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .map(|k| json!({ "kty": "OKP", "crv": "Ed25519", "x": k.public_x, "kid": k.kid, "alg": "EdDSA", "use": "sig" }))
            .collect();
        json!({ "keys": keys })
    }
}

fn random_b64() -> anyhow::Result<String> {
    let mut salt = [0u8; 32];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    Ok(STANDARD.encode(salt))
}

fn new_stored_key() -> anyhow::Result<StoredKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    let public = SigningKey::from_bytes(&seed).verifying_key();
    let kid = hex::encode(&sha2_digest(public.as_bytes())[..8]);
    Ok(StoredKey {
        kid,
        created_at: crate::clock::now_rfc3339(),
        seed: STANDARD.encode(seed),
    })
}

fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

fn load_key(stored: &StoredKey) -> anyhow::Result<LoadedKey> {
    let seed: [u8; 32] = STANDARD
        .decode(&stored.seed)
        .context("key seed is not base64")?
        .try_into()
        .map_err(|_| anyhow::anyhow!("key {} seed is not 32 bytes", stored.kid))?;
    let signing = SigningKey::from_bytes(&seed);
    let public_x = URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes());
    Ok(LoadedKey {
        kid: stored.kid.clone(),
        signing,
        decoding: DecodingKey::from_ed_components(&public_x).context("decoding public key")?,
        public_x,
    })
}

fn write_key_file(path: &Path, file: &KeyFile) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(file)?).with_context(|| format!("writing {}", tmp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Claims {
        sub: String,
    }

    #[test]
    fn a_signed_token_verifies_and_a_tampered_one_does_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = Keys::load_or_create(&dir.path().join("keys.json")).expect("keys");
        let token = keys.sign(&Claims { sub: "a".into() }).expect("sign");
        assert_eq!(keys.verify::<Claims>(&token), Some(Claims { sub: "a".into() }));
        let forged = keys.sign(&Claims { sub: "b".into() }).expect("sign");
        let (head, _) = token.rsplit_once('.').expect("jws");
        let (_, forged_sig) = forged.rsplit_once('.').expect("jws");
        assert_eq!(keys.verify::<Claims>(&format!("{head}.{forged_sig}")), None);
    }

    #[test]
    fn keys_survive_a_restart_and_old_tokens_verify_after_rotation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys.json");
        let token = Keys::load_or_create(&path)
            .expect("keys")
            .sign(&Claims { sub: "a".into() })
            .expect("sign");
        let new_kid = Keys::rotate(&path).expect("rotate");
        let reloaded = Keys::load_or_create(&path).expect("reload");
        assert!(reloaded.verify::<Claims>(&token).is_some());
        let fresh = reloaded.sign(&Claims { sub: "b".into() }).expect("sign");
        assert_eq!(jsonwebtoken::decode_header(&fresh).expect("header").kid, Some(new_kid));
        assert_eq!(reloaded.jwks()["keys"].as_array().map(Vec::len), Some(2));
    }
}

#[cfg(test)]
mod audience_tests {
    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Claims {
        aud: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        exp: Option<i64>,
    }

    #[test]
    fn a_token_opens_only_its_own_audience_and_only_until_it_expires() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = Keys::load_or_create(&dir.path().join("keys.json")).expect("keys");
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let subject = keys
            .sign(&Claims {
                aud: Audience::Subject.as_str().into(),
                exp: None,
            })
            .expect("sign");
        assert!(
            keys.verify_token::<Claims>(&subject, Audience::Subject, false)
                .is_some()
        );
        for other in [
            Audience::Admin,
            Audience::Service,
            Audience::Receipt,
            Audience::Preview,
            Audience::Settings,
            Audience::Account,
        ] {
            assert!(
                keys.verify_token::<Claims>(&subject, other, false).is_none(),
                "{other:?}"
            );
        }
        let admin = |exp| {
            keys.sign(&Claims {
                aud: Audience::Admin.as_str().into(),
                exp: Some(exp),
            })
            .expect("sign")
        };
        assert!(
            keys.verify_token::<Claims>(&admin(now + 60), Audience::Admin, true)
                .is_some()
        );
        assert!(
            keys.verify_token::<Claims>(&admin(now - 1), Audience::Admin, true)
                .is_none()
        );
        // An account assertion opens only its own audience, and not once expired.
        let account = |exp| {
            keys.sign(&Claims {
                aud: Audience::Account.as_str().into(),
                exp: Some(exp),
            })
            .expect("sign")
        };
        assert!(
            keys.verify_token::<Claims>(&account(now + 60), Audience::Account, true)
                .is_some()
        );
        assert!(
            keys.verify_token::<Claims>(&account(now - 1), Audience::Account, true)
                .is_none()
        );
        for other in [Audience::Subject, Audience::Admin, Audience::Service, Audience::Preview] {
            assert!(
                keys.verify_token::<Claims>(&account(now + 60), other, true).is_none(),
                "{other:?}"
            );
        }
        // A token without `exp` is refused where expiry is required.
        let no_exp = keys
            .sign(&Claims {
                aud: Audience::Admin.as_str().into(),
                exp: None,
            })
            .expect("sign");
        assert!(keys.verify_token::<Claims>(&no_exp, Audience::Admin, true).is_none());
        // Unsigned (alg none) and garbage are refused.
        let (_, rest) = admin(now + 60)
            .split_once('.')
            .map(|(h, r)| (h.to_owned(), r.to_owned()))
            .expect("jws");
        let unsigned = format!("eyJhbGciOiJub25lIn0.{}", rest.split('.').next().unwrap_or_default());
        assert!(
            keys.verify_token::<Claims>(&format!("{unsigned}."), Audience::Admin, true)
                .is_none()
        );
        assert!(
            keys.verify_token::<Claims>("not.a.token", Audience::Admin, true)
                .is_none()
        );
    }
}
