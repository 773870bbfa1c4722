//! Who may call what: the kinds of bearer token, admin passwords, and login throttling.
//!
//! Every token Assent issues is an EdDSA JWS signed by the key file ([`crate::keys`]) and
//! carries an `aud` naming its kind ([`Audience`]); each verifier accepts exactly one
//! audience, so a subject token or a receipt can never open an admin endpoint and an admin
//! session can never append to a visitor's chain. Expiry is checked by jsonwebtoken itself.

use crate::error::ApiError;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
pub use assent_shared::admin_api::Role;
use assent_shared::ids::SiteId;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::num::NonZeroU32;

/// The `aud` claim of each token kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A visitor's subject token: append to and read one chain (`/v1/sites/{site}/subjects/…`).
    Subject,
    /// A consent receipt: evidence for the visitor, never a credential.
    Receipt,
    /// A dashboard or API session of a person (`POST /v1/admin/login`).
    Admin,
    /// A service token for automation (`assent admin-token`), scoped to sites.
    Service,
    /// A link that shows one site's notice draft in the banner, unpublished
    /// (`POST /v1/admin/sites/{site}/draft/preview`): reads that draft, nothing else.
    Preview,
    /// A visitor's session on the hosted privacy-settings page (`/sites/{site}/privacy`), in
    /// an `HttpOnly` cookie scoped to that page: one subject's records, like its token.
    Settings,
    /// An account assertion: a site's backend vouches that its page's visitor is signed in
    /// as one of its accounts (`POST /v1/sites/{site}/account-assertions`), so the device
    /// may adopt that account's choices (`POST /v1/sites/{site}/sync`).
    Account,
}

impl Audience {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Subject => "assent:subject",
            Self::Receipt => "assent:receipt",
            Self::Admin => "assent:admin",
            Self::Service => "assent:service",
            Self::Preview => "assent:preview",
            Self::Settings => "assent:settings",
            Self::Account => "assent:account",
        }
    }
}

/// Claims of an admin session (`aud = assent:admin`). The roles are informative for the
/// client; the server authorizes from the database (see [`crate::extract::AdminAuth`]), so a
/// revoked role or a logout takes effect before the token expires.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionClaims {
    pub aud: String,
    /// The user's id (UUID).
    pub sub: String,
    pub email: String,
    /// Instance administrator.
    pub admin: bool,
    pub sites: BTreeMap<String, Role>,
    /// The user's token version when issued; a logout or password change bumps it.
    pub ver: i64,
    /// The CSRF token a cookie-authenticated write must echo in `X-CSRF-Token`.
    pub csrf: String,
    /// Issued at and expiry, seconds since the Unix epoch.
    pub iat: i64,
    pub exp: i64,
}

/// Claims of a service token (`aud = assent:service`): which sites (`*` = all), which role,
/// until when (seconds since the Unix epoch).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceClaims {
    pub aud: String,
    pub sites: Vec<String>,
    pub role: Role,
    pub exp: i64,
}

impl ServiceClaims {
    pub fn new(sites: Vec<String>, role: Role, exp: i64) -> Self {
        Self {
            aud: Audience::Service.as_str().into(),
            sites,
            role,
            exp,
        }
    }

    /// The role this token grants on `site`, if any.
    pub fn role_on(&self, site: &SiteId) -> Option<Role> {
        self.sites
            .iter()
            .any(|s| s == "*" || s == site.as_str())
            .then_some(self.role)
    }
}

/// Claims of a draft preview link (`aud = assent:preview`): the site whose draft it shows,
/// until when (seconds since the Unix epoch). It opens nothing but that draft's notice.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreviewClaims {
    pub aud: String,
    pub site: String,
    pub exp: i64,
}

impl PreviewClaims {
    pub fn new(site: &SiteId, exp: i64) -> Self {
        Self {
            aud: Audience::Preview.as_str().into(),
            site: site.to_string(),
            exp,
        }
    }

    /// Whether `token` is a genuine, unexpired preview link for `site`.
    pub fn opens(keys: &crate::keys::Keys, token: &str, site: &str) -> bool {
        keys.verify_token::<Self>(token, Audience::Preview, true)
            .is_some_and(|claims| claims.site == site)
    }
}

/// Claims of a privacy-settings page session (`aud = assent:settings`): the site and subject
/// it opens, the CSRF token every write on the page must echo in `X-CSRF-Token`, and the
/// expiry (seconds since the Unix epoch).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SettingsClaims {
    pub aud: String,
    pub site: String,
    pub sub: String,
    pub csrf: String,
    pub exp: i64,
}

impl SettingsClaims {
    pub fn new(site: &SiteId, subject: &assent_shared::ids::SubjectId, exp: i64) -> Self {
        Self {
            aud: Audience::Settings.as_str().into(),
            site: site.to_string(),
            sub: subject.to_string(),
            csrf: random_token(24),
            exp,
        }
    }

    /// The claims of a genuine, unexpired settings session; which site and subject it opens
    /// is the caller's to check.
    pub fn verify(keys: &crate::keys::Keys, token: &str) -> Option<Self> {
        keys.verify_token(token, Audience::Settings, true)
    }
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes, OWASP's
/// minimum) into a PHC string. CPU-heavy: call it from `spawn_blocking`.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Whether `password` matches a PHC string made by [`hash_password`]. CPU-heavy.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A PHC string no password matches, verified for unknown accounts so that a login's
/// timing does not tell whether an email is registered.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token(24)).unwrap_or_default())
}

/// Rules for a new password: NIST SP 800-63B §5.1.1.2 (at least 12 characters here, at most
/// 256, no other composition rules).
pub fn check_password_rules(password: &str) -> Result<(), assent_shared::Invalid> {
    let n = password.chars().count();
    if n < 12 {
        return Err(assent_shared::Invalid::new(
            "password",
            "must be at least 12 characters",
        ));
    }
    if n > 256 {
        return Err(assent_shared::Invalid::new(
            "password",
            "must be at most 256 characters",
        ));
    }
    Ok(())
}

/// `n` random bytes, URL-safe base64 without padding.
pub fn random_token(n: usize) -> String {
    use base64::Engine;
    let mut bytes = vec![0u8; n];
    // The OS generator failing is not recoverable; tokens must never be predictable.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no OS randomness: {e}"));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Login attempts allowed per client address and per account (OWASP Authentication Cheat
/// Sheet: throttle both, so neither one address nor a botnet on one account gets far).
#[derive(Debug)]
pub struct LoginLimiter {
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
    by_account: DefaultKeyedRateLimiter<String>,
}

impl LoginLimiter {
    /// `per_ip` and `per_account`: attempts per minute (also the burst).
    pub fn new(per_ip: u32, per_account: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            by_ip: RateLimiter::keyed(quota(per_ip)),
            by_account: RateLimiter::keyed(quota(per_account)),
        }
    }

    /// Counts one attempt; refused with 429 and the seconds until the next is allowed.
    pub fn check(&self, ip: IpAddr, account: &str) -> Result<(), ApiError> {
        let clock = governor::clock::DefaultClock::default();
        let wait = |not_until: governor::NotUntil<governor::clock::QuantaInstant>| {
            use governor::clock::Clock;
            not_until.wait_time_from(clock.now()).as_secs() + 1
        };
        self.by_ip.check_key(&ip).map_err(|n| ApiError::TooManyRequests {
            retry_after_secs: wait(n),
        })?;
        self.by_account
            .check_key(&account.to_owned())
            .map_err(|n| ApiError::TooManyRequests {
                retry_after_secs: wait(n),
            })?;
        // Keep the maps from growing without bound under a spray of addresses and names.
        if self.by_account.len() > 100_000 || self.by_ip.len() > 100_000 {
            self.by_account.retain_recent();
            self.by_ip.retain_recent();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_and_nothing_else_does() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("correct horse battery", "not a phc string"));
        assert!(!verify_password("anything", decoy_hash()));
    }

    #[test]
    fn password_rules_name_the_field() {
        assert_eq!(
            check_password_rules("short").map_err(|e| e.field),
            Err("password".into())
        );
        assert!(check_password_rules("twelve chars").is_ok());
        assert!(check_password_rules(&"x".repeat(257)).is_err());
    }

    #[test]
    fn logins_are_throttled_per_account_and_per_address() {
        let limiter = LoginLimiter::new(3, 2);
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "192.0.2.2".parse().expect("ip");
        assert!(limiter.check(a, "x@example.com").is_ok());
        assert!(limiter.check(b, "x@example.com").is_ok());
        // The account is spent, whatever the address.
        let err = limiter.check(b, "x@example.com").expect_err("account throttled");
        assert!(matches!(err, ApiError::TooManyRequests { retry_after_secs } if retry_after_secs >= 1));
        // The address `a` has attempts left for another account, until it too is spent.
        assert!(limiter.check(a, "y@example.com").is_ok());
        assert!(limiter.check(a, "z@example.com").is_ok());
        assert!(limiter.check(a, "w@example.com").is_err());
    }

    #[test]
    fn a_service_token_covers_only_its_sites() {
        let site = SiteId::parse("shop").expect("id");
        let other = SiteId::parse("blog").expect("id");
        let claims = ServiceClaims::new(vec!["shop".into()], Role::Viewer, 0);
        assert_eq!(claims.role_on(&site), Some(Role::Viewer));
        assert_eq!(claims.role_on(&other), None);
        let all = ServiceClaims::new(vec!["*".into()], Role::Owner, 0);
        assert_eq!(all.role_on(&other), Some(Role::Owner));
    }
}
