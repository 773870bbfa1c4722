//! Request and response bodies of the admin API (`/v1/admin/…`): the contract between the
//! server and the site owners' dashboard. Errors use [`crate::api::ErrorBody`] like the rest.

use crate::notice::Notice;
use crate::regime::Regime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A person's role on one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything of the site: notices, statistics, exports, the audit log.
    Viewer,
    /// Everything on the site: origins, regimes, secret, notices, members, webhooks.
    Owner,
}

impl Role {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "viewer" => Some(Self::Viewer),
            "owner" => Some(Self::Owner),
            _ => None,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Owner => "owner",
        }
    }
}

/// `POST /v1/admin/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// The answer to a login. The same token is also set as the `HttpOnly` session cookie; a
/// browser should rely on the cookie and send `csrf_token` as `X-CSRF-Token` on writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// The session JWT (`aud = assent:admin`), for API clients as `Authorization: Bearer`.
    pub token: String,
    pub csrf_token: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
    pub user: Me,
}

/// `GET /v1/admin/me`: who is signed in and with which roles.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// `None` for a service token.
    pub id: Option<String>,
    pub email: Option<String>,
    pub is_admin: bool,
    /// Site id → role (every site, for an administrator, is not listed: see `is_admin`).
    pub sites: BTreeMap<String, Role>,
}

/// `POST /v1/admin/password`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 12 to 256 characters.
    pub new_password: String,
}

/// `POST /v1/admin/users` (instance administrators).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub is_admin: bool,
}

/// `PUT /v1/admin/sites/{site}/members`: give an existing account a role on the site, or
/// take it away with `role: null`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberChange {
    pub email: String,
    pub role: Option<Role>,
}

/// `POST /v1/admin/sites`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    /// 1–64 of `a-z 0-9 -`, starting with a letter or digit (see [`crate::ids::SiteId`]).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9][a-z0-9-]{0,63}$"))]
    pub id: String,
    pub name: String,
    /// Origins allowed to call the public API: `https://shop.example`, `http://127.0.0.1:9000`,
    /// or `https://*.example.com` for every subdomain.
    pub origins: Vec<String>,
    /// Where the site's privacy policy lives (shown in the banner); default `/privacy`.
    #[serde(default)]
    pub policy_url: Option<String>,
    /// Region (`US-CA`, `US`, `*`) → regime, over the built-in rules.
    #[serde(default)]
    pub regime_overrides: BTreeMap<String, Regime>,
}

/// `PATCH /v1/admin/sites/{site}`: only the fields present change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SitePatch {
    pub name: Option<String>,
    pub origins: Option<Vec<String>>,
    pub regime_overrides: Option<BTreeMap<String, Regime>>,
}

/// A site as the admin API shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteView {
    pub id: String,
    pub name: String,
    pub origins: Vec<String>,
    pub regime_overrides: BTreeMap<String, Regime>,
    pub archived: bool,
    /// The published notice is still the starter notice: review it before going live.
    pub starter_notice: bool,
    /// The tag to paste first in the site's `<head>`, and the CSP the site needs.
    pub install: Install,
}

/// How to embed a site.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Install {
    pub script_tag: String,
    /// Content-Security-Policy directives to add on the site's pages.
    pub csp: Vec<String>,
}

/// The answer to creating a site: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteCreated {
    pub site: SiteView,
    /// For server-to-server calls (`Authorization: Bearer <secret>`); stored hashed.
    pub secret: String,
}

/// `POST /v1/admin/sites/{site}/secret`: rotate.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// How long the previous secrets keep working, in hours (0–720, default 24).
    pub overlap_hours: Option<u32>,
}

/// The answer to a rotation: the only time the new secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretRotated {
    pub secret: String,
    /// RFC 3339: when the previous secrets stop working.
    pub previous_valid_until: String,
}

/// `GET`/`PUT /v1/admin/sites/{site}/draft`: the next notice version, work in progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftView {
    pub notice: Notice,
    pub updated_at: String,
    pub updated_by: String,
    /// Changes on every save: send it back as `draft_revision` to publish exactly this.
    pub revision: String,
    /// What would stop publication now (validation and lint errors), and warnings.
    pub findings: Vec<crate::lint::Finding>,
}

/// `POST /v1/admin/sites/{site}/draft/preview`: a link that shows the draft in the real
/// banner without publishing it. Choices made in a preview are not recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewLink {
    /// Opens the demo page with this site's draft (`/preview/{site}?token=…`).
    pub url: String,
    /// The token in the link (audience `assent:preview`): it reads this site's draft only.
    pub token: String,
    /// RFC 3339, UTC: the link stops working then (30 minutes after it was made).
    pub expires_at: String,
}

/// `POST /v1/admin/sites/{site}/draft/publish`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Publish {
    /// Purposes or vendors changed materially: every visitor is asked again.
    #[serde(default)]
    pub material_change: bool,
    /// What changed, per language, shown when asking again (required with `material_change`).
    #[serde(default)]
    pub change_summary: BTreeMap<String, String>,
    /// The draft's `revision` as the publisher last saw it: when given and the draft changed
    /// since (another tab, another person), publishing is refused with 409.
    #[serde(default)]
    pub draft_revision: Option<String>,
}

/// A published version in the list of a site's notices.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeVersion {
    pub version: u32,
    pub policy_version: String,
    pub material_change: bool,
    pub published_at: String,
}

/// `GET /v1/admin/sites/{site}/subjects/{subject}`: one subject's record, for a data-subject
/// request (GDPR Art. 15).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectRecord {
    pub site_id: String,
    pub subject_id: crate::ids::SubjectId,
    /// `active`, or `erased` (unlinked: the events stay, pseudonymous and verifiable).
    pub status: String,
    /// The subject's chain, oldest first.
    pub events: Vec<crate::consent::ConsentEvent>,
    /// The latest decision per purpose (empty once erased).
    pub current: BTreeMap<crate::ids::PurposeKey, crate::api::CurrentDecision>,
}

/// `GET /v1/admin/sites/{site}/accounts/{account}`: a signed-in user's devices and choices,
/// for a data-subject request that names the site's own account id (GDPR Art. 15).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRecord {
    pub site_id: String,
    pub account_id: crate::ids::AccountId,
    /// The account's current choice: per purpose, the most recent explicit decision on a
    /// subject linked now (what `POST /v1/sites/{site}/sync` adopts from).
    pub decisions: BTreeMap<crate::ids::PurposeKey, crate::api::AccountDecision>,
    /// Every subject linked to the account, unlinked ones included, newest link first.
    pub subjects: Vec<LinkedSubject>,
}

/// One subject of an [`AccountRecord`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedSubject {
    pub link: crate::api::IdentityLink,
    /// The subject's latest decision per purpose.
    pub current: BTreeMap<crate::ids::PurposeKey, crate::api::CurrentDecision>,
}

/// Checks a registered origin: `scheme://host[:port]` with scheme `http` or `https`, a
/// lower-case host (DNS name, IPv4, or `[IPv6]`), no path, query, fragment or user info — or a
/// pattern `scheme://*.domain[:port]` for every subdomain of `domain` (RFC 6454 §4 origins;
/// the browser sends them serialized exactly like this, so anything else could never match).
pub fn check_origin(raw: &str) -> Result<(), String> {
    let (scheme, rest) = raw
        .split_once("://")
        .ok_or("must look like https://shop.example (scheme://host[:port])")?;
    if scheme != "http" && scheme != "https" {
        return Err("the scheme must be http or https".into());
    }
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("an IPv6 host needs its closing ]")?;
        // Browsers send the canonical form (RFC 5952): anything else could never match.
        if addr.parse::<std::net::Ipv6Addr>().map(|a| a.to_string()) != Ok(addr.to_owned()) {
            return Err("not an IPv6 address in its canonical form (e.g. [::1])".into());
        }
        (None, after)
    } else {
        match rest.rsplit_once(':') {
            Some((h, p)) => (Some(h), &rest[h.len()..][..p.len() + 1]),
            None => (Some(rest), ""),
        }
    };
    if !port.is_empty() {
        let digits = port.strip_prefix(':').ok_or("nothing may follow the host but :port")?;
        if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("the port must be a number (no path, no trailing slash)".into());
        }
        if digits.parse::<u32>().map_or(true, |p| p == 0 || p > 65_535) || digits.starts_with('0') {
            return Err("the port must be 1 to 65535, without leading zeros".into());
        }
        if (scheme == "https" && digits == "443") || (scheme == "http" && digits == "80") {
            return Err("leave out the scheme's default port: browsers never send it in Origin".into());
        }
    }
    if let Some(host) = host {
        let domain = host.strip_prefix("*.").unwrap_or(host);
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if domain.is_empty() || domain.len() > 253 || !domain.split('.').all(label_ok) {
            return Err(
                "the host must be a lower-case domain or IP address, with no path, query or trailing slash".into(),
            );
        }
        // A numeric last label is an IP address, which must then be dotted IPv4 as browsers send it.
        let numeric = domain
            .rsplit('.')
            .next()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
        if numeric && domain.parse::<std::net::Ipv4Addr>().map(|a| a.to_string()) != Ok(domain.to_owned()) {
            return Err("an IPv4 host must be four decimal numbers, e.g. 127.0.0.1".into());
        }
        if host.starts_with("*.") && !domain.contains('.') && domain != "localhost" {
            return Err("a wildcard needs a registrable domain under it (*.example.com, not *.com)".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_origin;

    #[test]
    fn origins_are_exactly_what_a_browser_sends() {
        for ok in [
            "https://shop.example",
            "http://127.0.0.1:9000",
            "https://*.example.com",
            "http://*.demo.localhost:8081",
            "http://[::1]:8080",
            "http://*.localhost:8081",
            "https://xn--bcher-kva.example",
        ] {
            assert_eq!(check_origin(ok), Ok(()), "{ok}");
        }
        for bad in [
            "shop.example",
            "ftp://shop.example",
            "https://shop.example/",
            "https://shop.example/path",
            "https://Shop.example",
            "https://user@shop.example",
            "https://shop.example:0",
            "https://shop.example:99999",
            "https://shop.example:80x",
            "https://",
            "https://*.",
            "https://shop..example",
            "https://-shop.example",
            "http://[::g]:80",
            "https://shop.example?x=1",
            "javascript://alert(1)",
            "https://a.example:443",
            "http://a.example:80",
            "http://a.example:080",
            "http://[0:0::1]",
            "http://2130706433",
            "http://127.1",
            "https://*.com",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}

/// One entry of the audit log of admin actions (`GET /v1/admin/audit`,
/// `GET /v1/admin/sites/{site}/audit`), as stored and hashed: `hash = SHA-256(prev_hash ‖
/// RFC 8785 canonical JSON of the entry without its hash)`, so its fields are frozen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub seq: u64,
    /// RFC 3339, UTC.
    pub at: String,
    /// `user:<email>`, `service` (a service token), `site_secret` (the site's backend) or
    /// `cli` (an operator command).
    pub actor: String,
    /// `login`, `site_update`, `export`, `subject_lookup`, `subject_erase`, … (see the
    /// server's `AuditRecord`).
    pub action: String,
    pub site_id: Option<String>,
    /// Action-specific facts (changed fields, version published…); never a secret.
    pub details: serde_json::Value,
    /// The client address as the server saw it.
    pub client_ip: Option<String>,
    pub prev_hash: String,
    /// Not part of the hashed bytes.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub hash: String,
}
