//! Typed configuration, layered by figment: defaults → optional TOML file → `ASSENT_*`
//! environment (one variable per setting: `ASSENT_` + the key in upper case) → CLI flags.
//! Fails fast on anything malformed, naming the setting and where it came from.

use anyhow::bail;
use assent_shared::regime::Regime;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkData {
    None,
    Truncated,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address of the API listener.
    pub bind: SocketAddr,
    /// `sqlite://path` (default) or `postgres://…`.
    pub database_url: String,
    /// Origin the loader and the demo page use to reach this server; defaults to the bound address.
    pub public_url: Option<String>,
    /// Trunk's output directory (holds `banner/`).
    pub dist_dir: PathBuf,
    /// Signing keys, kept outside the database on purpose: a DBA alone must not be able to
    /// re-sign a forged history.
    pub key_file: PathBuf,
    /// Seed the `demo` site and serve the demo site on `demo_bind`.
    pub demo: bool,
    pub demo_bind: SocketAddr,
    /// Trusted header carrying the visitor's country (set by your CDN/proxy, e.g. `CF-IPCountry`).
    pub region_header: Option<String>,
    /// Trusted header carrying the ISO 3166-2 subdivision (e.g. `CA` or `US-CA`).
    pub subdivision_header: Option<String>,
    /// Regime where the region is unknown or not named by the rules; opt-in is the safe default.
    pub default_regime: Regime,
    /// `lastUpdate` of this origin's `/.well-known/gpc.json`.
    pub gpc_last_update: String,
    /// Append-only file that receives every checkpoint (outside the database, for archiving).
    pub checkpoint_file: PathBuf,
    /// How often to checkpoint sites whose chains moved (seconds; 0 = only on demand).
    pub checkpoint_interval_secs: u64,
    /// Network data recorded on events: `none` (default) or `truncated` (IPv4 /24, IPv6 /48,
    /// salted hash of the user agent). Raw addresses are never stored.
    pub network_data: NetworkData,
    /// Trusted header carrying the client address (first entry of e.g. `X-Forwarded-For`);
    /// without it, the TCP peer address is used.
    pub client_ip_header: Option<String>,
    /// Subjects with no event for this many days are unlinked by the retention job (0 = never).
    pub retention_days: u64,
    /// Group commit: most events in one transaction.
    pub batch_max: usize,
    /// Group commit: how long the writer waits for more events after the first (µs).
    pub batch_wait_us: u64,
    /// Lifetime of an admin session (hours).
    pub admin_session_hours: u32,
    /// Login attempts allowed per minute from one client address (per process).
    pub login_per_minute_per_ip: u32,
    /// Login attempts allowed per minute for one account (per process).
    pub login_per_minute_per_account: u32,
    /// How often each process checks for configuration changes made by others (ms).
    pub config_poll_ms: u64,
    /// Let webhooks reach loopback, private, link-local and other non-public addresses
    /// (default false: such URLs are refused at creation and such addresses at delivery,
    /// against server-side request forgery). For tests and intranet receivers.
    pub webhooks_allow_private_networks: bool,
    /// Bound on connecting and on one whole webhook delivery (ms; default 10 000).
    pub webhooks_timeout_ms: u64,
    /// How often the webhook sender looks for due messages (ms; default 1 000).
    pub webhooks_poll_ms: u64,
    /// Multiplies every delay of the webhook retry schedule (0 to 1; default 1). Tests
    /// shorten the schedule with it.
    pub webhooks_backoff_scale: f64,
    /// The bearer token `GET /metrics` asks for (at least 16 characters). Unset (the default),
    /// `/metrics` answers 403: its counts describe the traffic of every site on this server.
    pub metrics_token: Option<String>,
    /// Public API requests one client address may make per second, in steady state (per
    /// process; 0 = no limit). Many visitors behind one NAT share an address: keep it well
    /// above what one browser needs (a page view makes 1–3 calls).
    pub public_rate_per_second: u32,
    /// Requests one client address may make at once before the rate applies.
    pub public_rate_burst: u32,
    /// Public API requests per second for one site, from all clients together (per process;
    /// 0 = no limit): one site's flood cannot starve the others.
    pub site_rate_per_second: u32,
    /// Requests one site may take at once before its rate applies.
    pub site_rate_burst: u32,
    /// `Strict-Transport-Security: max-age=…` on every answer (seconds; 0, the default, sends
    /// none). Set it when Assent is reached over HTTPS only (RFC 6797).
    pub hsts_max_age_secs: u64,
    /// How long a request waits for the database before answering `503 database_unavailable`
    /// (ms): the pool's acquire timeout; a group-commit batch and a whole request (but the
    /// ledger-wide verify and export) are bounded at five times this
    /// ([`crate::request_bound`]). A cut network then costs a second, not a hung request.
    pub db_timeout_ms: u64,
    /// The CMP id IAB Europe assigned to this operator (2 to 4095): the CmpId of every TC
    /// string this server's banners write. Unset (the default), TCF is off on this server.
    /// [`crate::tcf::PLACEHOLDER_CMP_ID`] is the demo's placeholder, valid nowhere.
    pub tcf_cmp_id: Option<u16>,
    /// The version of this CMP the operator declared to IAB (0 to 4095): CmpVersion.
    pub tcf_cmp_version: u16,
    /// The publisher's country, ISO 3166-1 alpha-2 (TC string PublisherCC; IAB's `AA` when
    /// unknown).
    pub tcf_publisher_cc: String,
    /// Where `vendor-list.json` and its translations `purposes-xx.json` are fetched from: a
    /// directory URL ending in `/` (IAB's `https://vendor-list.consensu.org/v3/` by default).
    pub tcf_gvl_url: String,
    /// How often the Global Vendor List is fetched again (seconds, up to a week; default a
    /// day; later while the list's `Cache-Control` max-age says it is fresh; 0 = only when
    /// asked, `POST /v1/admin/tcf/gvl/refresh`).
    pub tcf_gvl_refresh_secs: u64,
    /// Let the GVL fetch reach loopback, private and other non-public addresses (default
    /// false, as for webhooks: server-side request forgery). For tests, the demo and mirrors
    /// on an intranet; cloud metadata addresses stay refused.
    pub tcf_gvl_allow_private_networks: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://data/assent.db".into(),
            public_url: None,
            dist_dir: PathBuf::from("dist"),
            key_file: PathBuf::from("data/keys.json"),
            demo: false,
            demo_bind: SocketAddr::from(([127, 0, 0, 1], 8081)),
            region_header: None,
            subdivision_header: None,
            default_regime: Regime::OptIn,
            gpc_last_update: "2026-11-01".into(),
            checkpoint_file: PathBuf::from("data/checkpoints.jsonl"),
            checkpoint_interval_secs: 3600,
            network_data: NetworkData::None,
            client_ip_header: None,
            retention_days: 395,
            batch_max: 256,
            batch_wait_us: 0,
            admin_session_hours: 8,
            login_per_minute_per_ip: 20,
            login_per_minute_per_account: 5,
            config_poll_ms: 500,
            webhooks_allow_private_networks: false,
            webhooks_timeout_ms: 10_000,
            webhooks_poll_ms: 1_000,
            webhooks_backoff_scale: 1.0,
            metrics_token: None,
            public_rate_per_second: 20,
            public_rate_burst: 200,
            site_rate_per_second: 2_000,
            site_rate_burst: 10_000,
            hsts_max_age_secs: 0,
            db_timeout_ms: 1_000,
            tcf_cmp_id: None,
            tcf_cmp_version: 1,
            tcf_publisher_cc: "AA".into(),
            tcf_gvl_url: crate::tcf::IAB_GVL_URL.into(),
            tcf_gvl_refresh_secs: 86_400,
            tcf_gvl_allow_private_networks: false,
        }
    }
}

impl std::fmt::Debug for Config {
    /// Redacts the database URL, which may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("dist_dir", &self.dist_dir)
            .field("key_file", &self.key_file)
            .field("demo", &self.demo)
            .field("demo_bind", &self.demo_bind)
            .field("region_header", &self.region_header)
            .field("default_regime", &self.default_regime)
            .field("tcf_cmp_id", &self.tcf_cmp_id)
            .field("tcf_gvl_url", &self.tcf_gvl_url)
            .finish_non_exhaustive()
    }
}

/// A database URL fit for a log: the user and password before `@` and every query value
/// (drivers take `?password=…`, `sslpassword=…`) masked; the keys stay, to show what was set.
fn redact_url(url: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let mut out = match (base.find("://"), base.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => format!("{}://***{}", &base[..scheme_end], &base[at..]),
        _ => base.to_owned(),
    };
    if let Some(query) = query {
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) => format!("{key}=***"),
                None => pair.to_owned(),
            })
            .collect();
        out = format!("{out}?{}", masked.join("&"));
    }
    out
}

impl Config {
    /// Defaults, then the TOML file if given, then `ASSENT_*` variables of this process.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                bail!("config file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        // Only the variables that name a setting: ASSENT_LOG, ASSENT_CONFIG and the test
        // command's own variables share the prefix.
        let keys: Vec<String> = match serde_json::to_value(Config::default())? {
            serde_json::Value::Object(map) => map.keys().cloned().collect(),
            _ => Vec::new(),
        };
        figment = figment.merge(Env::prefixed("ASSENT_").filter(move |k| keys.iter().any(|key| k == key.as_str())));
        // A secret is text as written: figment would read a token of digits as a number.
        if let Some(token) = Env::var("ASSENT_METRICS_TOKEN") {
            figment = figment.merge(Serialized::default("metrics_token", token));
        }
        // Lossy: `ASSENT_DEMO=1` reads as true, as people write it.
        let mut config: Config = figment
            .extract_lossy()
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        // An empty value means none (so an inherited variable can be switched off).
        for setting in [
            &mut config.region_header,
            &mut config.subdivision_header,
            &mut config.client_ip_header,
            &mut config.metrics_token,
        ] {
            setting.take_if(|h| h.is_empty());
        }
        config.tcf_publisher_cc.make_ascii_uppercase();
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            bail!("database_url must start with sqlite:, postgres:// or postgresql://");
        }
        if self.batch_max == 0 {
            bail!("batch_max must be at least 1");
        }
        if self.admin_session_hours == 0 || self.admin_session_hours > 24 * 30 {
            bail!("admin_session_hours must be 1 to 720");
        }
        if self.config_poll_ms == 0 {
            bail!("config_poll_ms must be at least 1");
        }
        if !(100..=120_000).contains(&self.webhooks_timeout_ms) {
            bail!("webhooks_timeout_ms must be 100 to 120000");
        }
        if self.webhooks_poll_ms == 0 {
            bail!("webhooks_poll_ms must be at least 1");
        }
        if !(0.0..=1.0).contains(&self.webhooks_backoff_scale) {
            bail!("webhooks_backoff_scale must be 0 to 1");
        }
        if self.metrics_token.as_ref().is_some_and(|t| t.chars().count() < 16) {
            bail!("metrics_token must be at least 16 characters");
        }
        let date = self.gpc_last_update.as_bytes();
        let date_ok = date.len() == 10
            && date.iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !date_ok {
            bail!("gpc_last_update must be a YYYY-MM-DD date");
        }
        if let Some(url) = &self.public_url
            && (!(url.starts_with("http://") || url.starts_with("https://")) || url.ends_with('/'))
        {
            bail!("public_url must be an origin like https://consent.example.com (no trailing slash)");
        }
        crate::tcf::settings::check(self)
    }
}

#[cfg(test)]
#[expect(clippy::result_large_err, reason = "figment::Jail fixes its closures' error type")]
mod tests;
