//! Fetching the Global Vendor List's files from `tcf_gvl_url`, under the guard webhooks use
//! against server-side request forgery (`crate::webhooks::net`): only public addresses unless
//! `tcf_gvl_allow_private_networks`, cloud metadata addresses never, no proxy, no redirect,
//! [`FETCH_TIMEOUT`] for the whole exchange, at most `MAX_GVL_LEN` bytes read.

use crate::config::Config;
use crate::webhooks::net;
use anyhow::{Context, bail};
use assent_shared::signals::tcf::gvl::MAX_GVL_LEN;
use reqwest::Url;
use reqwest::header::{ACCEPT, CACHE_CONTROL, HeaderMap};
use std::net::IpAddr;
use std::time::Duration;

/// Bound on connecting and on one whole file's fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// A file as fetched, with how long its server says it stays fresh.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub body: String,
    /// `Cache-Control: max-age` (0 for `no-cache` or `no-store`), if the answer had one.
    pub max_age: Option<Duration>,
}

/// Fetches files under the configured directory URL.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    base: Url,
    allow_private: bool,
}

impl Fetcher {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let allow_private = config.tcf_gvl_allow_private_networks;
        Ok(Self {
            client: net::guarded_client(
                concat!("Assent-GVL/", env!("CARGO_PKG_VERSION")),
                FETCH_TIMEOUT,
                allow_private,
            )?,
            base: Url::parse(&config.tcf_gvl_url).context("tcf_gvl_url")?,
            allow_private,
        })
    }

    /// The URL of file `name` (`vendor-list.json`, `purposes-fr.json`).
    pub fn url(&self, name: &str) -> anyhow::Result<Url> {
        self.base
            .join(name)
            .with_context(|| format!("{name} under {}", self.base))
    }

    /// `GET` file `name`: its text if the answer is a 2xx of at most `MAX_GVL_LEN` bytes in
    /// UTF-8. Errors say what went wrong (`HTTP 404`, the address refused, the size).
    pub async fn get(&self, name: &str) -> anyhow::Result<Fetched> {
        let url = self.url(name)?;
        // An IP literal never reaches the checked resolver: check it here.
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(ip) = literal.filter(|ip| net::refused(*ip, self.allow_private)) {
            bail!(
                "{ip} is not a public address (an operator can allow private networks with ASSENT_TCF_GVL_ALLOW_PRIVATE_NETWORKS=1)"
            );
        }
        let mut answer = self
            .client
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| anyhow::anyhow!(net::describe(e)))?;
        let status = answer.status();
        if !status.is_success() {
            bail!("HTTP {}", status.as_u16());
        }
        let too_large = || anyhow::anyhow!("the file is larger than {MAX_GVL_LEN} bytes");
        if answer
            .content_length()
            .is_some_and(|n| usize::try_from(n).map_or(true, |n| n > MAX_GVL_LEN))
        {
            return Err(too_large());
        }
        let max_age = max_age(answer.headers());
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(|e| anyhow::anyhow!(net::describe(e)))? {
            if body.len() + chunk.len() > MAX_GVL_LEN {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body).map_err(|_| anyhow::anyhow!("the file is not UTF-8 text"))?;
        Ok(Fetched { body, max_age })
    }
}

/// How long an answer stays fresh by its `Cache-Control` (RFC 9111 §5.2.2): `max-age=N`
/// seconds, or 0 for `no-cache` / `no-store`; `None` without either.
pub fn max_age(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(CACHE_CONTROL)?.to_str().ok()?;
    let mut found = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-cache" || lower == "no-store" {
            return Some(Duration::ZERO);
        }
        if let Some(secs) = lower.strip_prefix("max-age=") {
            found = secs.trim_matches('"').parse().ok().map(Duration::from_secs);
        }
    }
    found
}

/// The translation file IAB names for a notice language: `purposes-{code}.json`, the code in
/// lower case; IAB keeps the region or script only for `pt-br`, `pt-pt`, `sr-cyrl` and
/// `sr-latn`, so other tags fall back to their primary subtag (`de-AT` → `de`). `None` for
/// English, which is the list itself.
pub fn translation_language(tag: &str) -> Option<String> {
    const WITH_SUBTAG: [&str; 4] = ["pt-br", "pt-pt", "sr-cyrl", "sr-latn"];
    let tag = tag.replace('_', "-").to_ascii_lowercase();
    let code = if WITH_SUBTAG.contains(&tag.as_str()) {
        tag
    } else {
        tag.split('-').next().unwrap_or_default().to_owned()
    };
    let plain = !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    (plain && code != "en").then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn cache_control_gives_the_freshness() {
        let of = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(CACHE_CONTROL, HeaderValue::from_str(value).expect("header"));
            max_age(&h)
        };
        assert_eq!(of("public, max-age=3600"), Some(Duration::from_secs(3600)));
        assert_eq!(of("Max-Age=60, must-revalidate"), Some(Duration::from_secs(60)));
        assert_eq!(of("no-cache"), Some(Duration::ZERO));
        assert_eq!(of("max-age=60, no-store"), Some(Duration::ZERO));
        assert_eq!(of("public"), None);
        assert_eq!(of("max-age=soon"), None);
        assert_eq!(max_age(&HeaderMap::new()), None);
    }

    #[test]
    fn notice_languages_map_to_iab_s_translation_files() {
        assert_eq!(translation_language("fr"), Some("fr".into()));
        assert_eq!(translation_language("de-AT"), Some("de".into()));
        assert_eq!(translation_language("pt-BR"), Some("pt-br".into()));
        assert_eq!(translation_language("sr-Latn"), Some("sr-latn".into()));
        assert_eq!(translation_language("en"), None);
        assert_eq!(translation_language("en-GB"), None);
        assert_eq!(translation_language("x1"), None);
    }
}
