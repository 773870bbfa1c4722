//! Typed configuration: defaults → optional TOML file → `ASSENT_*` environment → CLI flags.
//! Fails fast on anything malformed.

use anyhow::{Context, bail};
use assent_shared::regime::Regime;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkData {
    None,
    Truncated,
}

#[derive(Clone, Deserialize)]
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
            .finish_non_exhaustive()
    }
}

fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => format!("{}://***{}", &url[..scheme_end], &url[at..]),
        _ => url.to_owned(),
    }
}

impl Config {
    /// Defaults, then the TOML file if given, then `ASSENT_*` variables from `env`.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut config = match file {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))?
            }
            None => Config::default(),
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        fn parse<T: std::str::FromStr>(name: &str, raw: &str) -> anyhow::Result<T>
        where
            T::Err: std::fmt::Display,
        {
            raw.parse().map_err(|e| anyhow::anyhow!("{name}={raw:?}: {e}"))
        }
        fn flag(name: &str, raw: &str) -> anyhow::Result<bool> {
            match raw {
                "1" | "true" => Ok(true),
                "0" | "false" | "" => Ok(false),
                other => bail!("{name}={other:?}: use 1 or 0"),
            }
        }
        if let Some(v) = env("ASSENT_BIND") {
            self.bind = parse("ASSENT_BIND", &v)?;
        }
        if let Some(v) = env("ASSENT_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = env("ASSENT_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        if let Some(v) = env("ASSENT_DIST_DIR") {
            self.dist_dir = v.into();
        }
        if let Some(v) = env("ASSENT_KEY_FILE") {
            self.key_file = v.into();
        }
        if let Some(v) = env("ASSENT_DEMO") {
            self.demo = flag("ASSENT_DEMO", &v)?;
        }
        if let Some(v) = env("ASSENT_DEMO_BIND") {
            self.demo_bind = parse("ASSENT_DEMO_BIND", &v)?;
        }
        if let Some(v) = env("ASSENT_REGION_HEADER") {
            self.region_header = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = env("ASSENT_SUBDIVISION_HEADER") {
            self.subdivision_header = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = env("ASSENT_DEFAULT_REGIME") {
            self.default_regime = Regime::parse(&v)
                .ok_or_else(|| anyhow::anyhow!("ASSENT_DEFAULT_REGIME={v:?}: use opt_in, opt_out or notice"))?;
        }
        if let Some(v) = env("ASSENT_GPC_LAST_UPDATE") {
            self.gpc_last_update = v;
        }
        if let Some(v) = env("ASSENT_CHECKPOINT_FILE") {
            self.checkpoint_file = v.into();
        }
        if let Some(v) = env("ASSENT_CHECKPOINT_INTERVAL_SECS") {
            self.checkpoint_interval_secs = parse("ASSENT_CHECKPOINT_INTERVAL_SECS", &v)?;
        }
        if let Some(v) = env("ASSENT_NETWORK_DATA") {
            self.network_data = match v.as_str() {
                "none" => NetworkData::None,
                "truncated" => NetworkData::Truncated,
                other => bail!("ASSENT_NETWORK_DATA={other:?}: use none or truncated"),
            };
        }
        if let Some(v) = env("ASSENT_CLIENT_IP_HEADER") {
            self.client_ip_header = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = env("ASSENT_RETENTION_DAYS") {
            self.retention_days = parse("ASSENT_RETENTION_DAYS", &v)?;
        }
        if let Some(v) = env("ASSENT_BATCH_MAX") {
            self.batch_max = parse("ASSENT_BATCH_MAX", &v)?;
        }
        if let Some(v) = env("ASSENT_BATCH_WAIT_US") {
            self.batch_wait_us = parse("ASSENT_BATCH_WAIT_US", &v)?;
        }
        if let Some(v) = env("ASSENT_ADMIN_SESSION_HOURS") {
            self.admin_session_hours = parse("ASSENT_ADMIN_SESSION_HOURS", &v)?;
        }
        if let Some(v) = env("ASSENT_LOGIN_PER_MINUTE_PER_IP") {
            self.login_per_minute_per_ip = parse("ASSENT_LOGIN_PER_MINUTE_PER_IP", &v)?;
        }
        if let Some(v) = env("ASSENT_LOGIN_PER_MINUTE_PER_ACCOUNT") {
            self.login_per_minute_per_account = parse("ASSENT_LOGIN_PER_MINUTE_PER_ACCOUNT", &v)?;
        }
        if let Some(v) = env("ASSENT_CONFIG_POLL_MS") {
            self.config_poll_ms = parse("ASSENT_CONFIG_POLL_MS", &v)?;
        }
        if let Some(v) = env("ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS") {
            self.webhooks_allow_private_networks = flag("ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", &v)?;
        }
        if let Some(v) = env("ASSENT_WEBHOOKS_TIMEOUT_MS") {
            self.webhooks_timeout_ms = parse("ASSENT_WEBHOOKS_TIMEOUT_MS", &v)?;
        }
        if let Some(v) = env("ASSENT_WEBHOOKS_POLL_MS") {
            self.webhooks_poll_ms = parse("ASSENT_WEBHOOKS_POLL_MS", &v)?;
        }
        if let Some(v) = env("ASSENT_WEBHOOKS_BACKOFF_SCALE") {
            self.webhooks_backoff_scale = parse("ASSENT_WEBHOOKS_BACKOFF_SCALE", &v)?;
        }
        Ok(())
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
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn environment_overrides_defaults() {
        let c = Config::load(None, env_of(&[("ASSENT_BIND", "0.0.0.0:9000"), ("ASSENT_DEMO", "1")])).expect("valid");
        assert_eq!(c.bind.port(), 9000);
        assert!(c.demo);
        assert_eq!(c.database_url, "sqlite://data/assent.db");
    }

    #[test]
    fn malformed_values_fail_fast_and_name_the_variable() {
        let err = Config::load(None, env_of(&[("ASSENT_BIND", "nope")])).expect_err("invalid");
        assert!(err.to_string().contains("ASSENT_BIND"), "{err}");
        let err = Config::load(None, env_of(&[("ASSENT_DATABASE_URL", "mysql://x")])).expect_err("invalid");
        assert!(err.to_string().contains("database_url"), "{err}");
    }

    #[test]
    fn a_file_sits_between_defaults_and_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("assent.toml");
        std::fs::write(&path, "demo = true\nbind = \"127.0.0.1:7000\"\n").expect("write");
        let c = Config::load(Some(&path), env_of(&[("ASSENT_BIND", "127.0.0.1:7001")])).expect("valid");
        assert!(c.demo);
        assert_eq!(c.bind.port(), 7001);
    }

    #[test]
    fn webhook_settings_come_from_the_environment_and_are_checked() {
        assert!(
            !Config::default().webhooks_allow_private_networks,
            "private networks refused by default"
        );
        let c = Config::load(
            None,
            env_of(&[
                ("ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "1"),
                ("ASSENT_WEBHOOKS_BACKOFF_SCALE", "0.01"),
            ]),
        )
        .expect("valid");
        assert!(c.webhooks_allow_private_networks);
        assert!((c.webhooks_backoff_scale - 0.01).abs() < f64::EPSILON);
        for (name, value, named) in [
            (
                "ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS",
                "yes",
                "ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS",
            ),
            ("ASSENT_WEBHOOKS_BACKOFF_SCALE", "2", "webhooks_backoff_scale"),
            ("ASSENT_WEBHOOKS_TIMEOUT_MS", "0", "webhooks_timeout_ms"),
        ] {
            let err = Config::load(None, env_of(&[(name, value)])).expect_err("invalid");
            assert!(err.to_string().contains(named), "{err}");
        }
    }

    #[test]
    fn debug_output_hides_database_passwords() {
        let c = Config {
            database_url: "postgres://user:secret@db/assent".into(),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
