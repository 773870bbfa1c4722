//! The privacy-settings page's contract: the hand-off from a site's page to the page Assent
//! hosts (`/sites/{site}/privacy`), and the session that follows. The page then reads and
//! writes the subject's records with the same endpoints and bodies as the banner, under its
//! own path (`/sites/{site}/privacy/…`), where its session cookie is sent.

use serde::{Deserialize, Serialize};

/// `POST /v1/sites/{site}/subjects/{subject}/settings-link`: where to send the visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettingsLink {
    /// `https://ASSENT/sites/{site}/privacy?code=…`: works once, within five minutes.
    pub url: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// `POST /sites/{site}/privacy/session`: the code from the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsCode {
    pub code: String,
}

/// The page's session (`POST /sites/{site}/privacy/session`, `GET …/session`). The session
/// itself travels in an `HttpOnly` cookie the page's script cannot read; the script sends
/// `csrf_token` as `X-CSRF-Token` with every write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettingsSession {
    pub site_id: String,
    pub subject_id: String,
    pub csrf_token: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}
