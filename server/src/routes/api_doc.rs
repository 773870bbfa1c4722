//! What the OpenAPI document says besides the operations themselves: its title and
//! overview, tags, the security schemes, and the descriptions of error answers that many
//! operations share ([`answers`]). The operations come from the handlers' `#[utoipa::path]`
//! annotations, collected by the table of contents in [`super`].

use utoipa::Modify;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

/// The document's fixed part; [`super::openapi`] adds every operation of the router.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    info(
        title = "Assent",
        description = include_str!("api_overview.md"),
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(assent_shared::api::ErrorBody)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "public", description = "What the banner and sites call: notices, consents, the loader, checkpoints."),
        (name = "subject", description = "A subject's own records, each read with its subject token."),
        (name = "settings", description = "The hosted privacy-settings page: its hand-off, its session, and the subject's records under its own path."),
        (name = "site_backend", description = "Server-to-server calls of a site's backend, with its site secret: identity links and account assertions."),
        (name = "session", description = "Signing in and out of the admin API."),
        (name = "accounts", description = "Accounts and the audit log."),
        (name = "sites", description = "Sites, their origins, regimes, secret and members."),
        (name = "notices", description = "Notice versions: drafts, the lint, publishing."),
        (name = "ledger", description = "Verification, checkpoints, exports and subject lookup."),
        (name = "webhooks", description = "Webhook endpoints and their delivery log."),
        (name = "tcf", description = "IAB TCF: the Global Vendor List cache and its refresher."),
        (name = "dashboard", description = "The site owners' dashboard: a page for people, driving the admin API above."),
        (name = "operations", description = "Health, readiness, metrics and this document."),
    )
)]
pub struct ApiDoc;

/// Names of the security schemes, as operations' `security(...)` refer to them.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let bearer = |format: &str, description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format(format)
                    .description(Some(description))
                    .build(),
            )
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_bearer",
            bearer(
                "JWT",
                "An admin session token (the `token` of a login) or a service token (`assent token`), as `Authorization: Bearer <token>`.",
            ),
        );
        components.add_security_scheme(
            "admin_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::admin_auth::SESSION_COOKIE,
                "The session cookie a login sets (`HttpOnly; Secure; SameSite=Strict`). Writes made with it also need `csrf_token`.",
            ))),
        );
        components.add_security_scheme(
            "csrf_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The session's `csrf_token` (also in the `assent_csrf` cookie), echoed on every write authenticated by the session cookie.",
            ))),
        );
        components.add_security_scheme(
            "subject_token",
            bearer(
                "JWT",
                "The `subject_token` answered with a subject's first event, as `Authorization: Bearer <token>`.",
            ),
        );
        components.add_security_scheme(
            "settings_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::extract::SETTINGS_COOKIE,
                "The privacy-settings page's session cookie (`HttpOnly; Secure; SameSite=Strict; Path=/sites/{site}/privacy`), set by `POST /sites/{site}/privacy/session`. Writes made with it also need `X-CSRF-Token` (the session's `csrf_token`).",
            ))),
        );
        components.add_security_scheme(
            "site_secret",
            bearer(
                "opaque",
                "A current secret of the site (`assent_sk_…`, shown once when made or rotated), as `Authorization: Bearer <secret>`. For the site's backend only: never in a page.",
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            bearer(
                "opaque",
                "The `metrics_token` setting, as `Authorization: Bearer <token>`; without the setting `/metrics` is off.",
            ),
        );
    }
}

/// Adds the `429` every rate-limited operation can answer (the public API and the settings
/// page's: per client address and per site, see `crate::rate_limit`) to each of `api`'s
/// operations that does not list its own.
pub fn rate_limited(api: &mut OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, ResponseBuilder, Type};
    let answer = ResponseBuilder::new()
        .description(
            "`too_many_requests`: over the rate limit for this client address or for this site; wait the \
             `Retry-After` seconds (also `details.retry_after_secs`), then send the same request again",
        )
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer))
                .description(Some("seconds to wait"))
                .build(),
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build();
    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .entry("429".into())
                .or_insert_with(|| answer.clone().into());
        }
    }
}

/// Descriptions of error answers shared by many operations: each names the `code`s a client
/// may see with that status. The body is always [`assent_shared::api::ErrorBody`].
pub mod answers {
    pub const MALFORMED_BODY: &str =
        "`malformed_body`: not JSON, or not sent with `Content-Type: application/json` (the message says where)";
    pub const TOO_LARGE: &str = "`payload_too_large`: the body is over 2 MiB";
    pub const INVALID: &str = "`invalid_input`: a value of the wrong shape or out of range; `details.field` names it (a JSON path, or `query`)";
    pub const INTERNAL: &str =
        "`internal`: an unexpected failure, logged on the server and never described in the answer";
    pub const NOT_READY: &str = "`not_ready`: the database is out of reach, full or read-only (the message says which), or the banner is not built yet";

    pub const SITE_NOT_FOUND: &str = "`site_not_found`: no live site has this id";
    pub const ORIGIN: &str = "`origin_not_allowed`: a browser request whose `Origin` is not registered for this site";

    pub const SUBJECT_401: &str = "`unauthorized`: no subject token, or not a valid one";
    pub const SUBJECT_403: &str = "`forbidden`: the subject token belongs to another subject; `origin_not_allowed`: a browser request whose `Origin` is not registered for this site";
    pub const SUBJECT_404: &str =
        "`site_not_found`: no live site has this id; `subject_not_found`: no such subject on this site";
    pub const EVENT_404: &str = "`site_not_found`: no live site has this id; `subject_not_found`: no such subject on this site; `event_not_found`: no such event in this subject's chain";
    pub const SUBJECT_GONE: &str = "`subject_erased`: this subject was erased; start again without `subject_id`";
    pub const SUBJECT_422: &str = "`invalid_input`: the subject id is not a UUID";

    pub const SITE_SECRET_401: &str = "`unauthorized`: no site secret, or not a current one of this site";

    pub const ADMIN_401: &str = "`unauthorized`: no session or token, an invalid or expired one, or a session ended by a logout or password change";
    pub const VIEWER_403: &str = "`forbidden`: no role on this site (also when it does not exist, so the answer does not tell which sites exist)";
    pub const OWNER_403: &str = "`forbidden`: no role on this site, or only the viewer role (also when the site does not exist); `csrf_failed`: a write authenticated by the session cookie without its `X-CSRF-Token`";
    pub const ADMIN_SITE_404: &str =
        "`site_not_found`: the site does not exist (told only to an instance administrator)";
    pub const INSTANCE_403: &str = "`forbidden`: this needs an instance administrator";
    pub const INSTANCE_WRITE_403: &str = "`forbidden`: this needs an instance administrator; `csrf_failed`: a write authenticated by the session cookie without its `X-CSRF-Token`";
    pub const CSRF_403: &str = "`csrf_failed`: a write authenticated by the session cookie without its `X-CSRF-Token`";
}
