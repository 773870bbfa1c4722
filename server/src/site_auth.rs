//! What a site's backend may do with its site secret, and what it vouches for with it.
//!
//! [`SiteSecretAuth`] guards the server-to-server calls (`Authorization: Bearer
//! assent_sk_…`, see [`crate::db::sites::SECRET_PREFIX`]); [`AccountClaims`] is the account
//! assertion such a call obtains for a signed-in visitor, which the visitor's page then
//! presents to `POST /v1/sites/{site}/sync`.

use crate::auth::Audience;
use crate::error::ApiError;
use crate::extract::{Site, bearer};
use crate::ledger::SiteRecord;
use crate::state::AppState;
use assent_shared::ids::{AccountId, SiteId};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

/// How long an account assertion is accepted (seconds): long enough for a page to load and
/// present it, short enough that a leaked one is soon worthless.
pub const ASSERTION_LIFETIME_SECS: i64 = 5 * 60;

/// The `{site}` of the path, live, called with one of its current secrets as
/// `Authorization: Bearer assent_sk_…`: 404 `site_not_found`, then 401 `unauthorized`
/// without a secret or with one that is not (or no longer) this site's.
#[derive(Debug, Clone)]
pub struct SiteSecretAuth(pub SiteRecord);

impl FromRequestParts<AppState> for SiteSecretAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Site(site) = Site::from_request_parts(parts, state).await?;
        let secret = bearer(&parts.headers).ok_or(ApiError::Unauthorized(
            "this call is for the site's backend: send the site secret as Authorization: Bearer assent_sk_…",
        ))?;
        if state.db.check_secret(&site.id, secret).await? {
            Ok(Self(site))
        } else {
            Err(ApiError::Unauthorized(
                "the site secret is not valid for this site, or it was rotated out",
            ))
        }
    }
}

/// Claims of an account assertion (`aud = assent:account`): the site's backend states that
/// the visitor of its page is signed in as `sub`, one of its own account ids, until `exp`
/// (seconds since the Unix epoch; [`ASSERTION_LIFETIME_SECS`] after `iat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountClaims {
    pub aud: String,
    pub site: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
}

impl AccountClaims {
    pub fn new(site: &SiteId, account: &AccountId, iat: i64) -> Self {
        Self {
            aud: Audience::Account.as_str().into(),
            site: site.to_string(),
            sub: account.to_string(),
            iat,
            exp: iat + ASSERTION_LIFETIME_SECS,
        }
    }

    /// The account an assertion names, if it is ours, unexpired and for `site`.
    pub fn verify(state: &AppState, assertion: &str, site: &SiteId) -> Option<AccountId> {
        let claims: Self = state.keys.verify_token(assertion, Audience::Account, true)?;
        (claims.site == site.as_str())
            .then(|| AccountId::parse(&claims.sub).ok())
            .flatten()
    }
}
