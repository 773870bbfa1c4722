//! What the server learns about a request from its headers: the visitor's jurisdiction
//! (from trusted, configured headers only) and the Global Privacy Control signal.

use crate::config::Config;
use assent_shared::gpc::sec_gpc_enabled;
use assent_shared::regime::{Jurisdiction, Regime};
use axum::http::HeaderMap;

/// Recorded when no trusted header names the region.
pub const UNKNOWN_JURISDICTION: &str = "unknown";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    pub jurisdiction: String,
    pub regime: Regime,
    pub gpc: bool,
}

impl RequestContext {
    pub fn from_headers(config: &Config, headers: &HeaderMap) -> Self {
        let header = |name: &Option<String>| {
            name.as_deref()
                .and_then(|n| headers.get(n))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let country = header(&config.region_header);
        let subdivision = header(&config.subdivision_header);
        let found = country.and_then(|c| Jurisdiction::parse(&c, subdivision.as_deref()));
        let (jurisdiction, regime) = match found {
            Some(j) => (j.code(), j.regime(config.default_regime)),
            None => (UNKNOWN_JURISDICTION.to_owned(), config.default_regime),
        };
        let gpc = sec_gpc_enabled(headers.get_all("sec-gpc").iter().map(|v| v.as_bytes()));
        Self {
            jurisdiction,
            regime,
            gpc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn config() -> Config {
        Config {
            region_header: Some("cf-ipcountry".into()),
            subdivision_header: Some("x-region".into()),
            default_regime: Regime::Notice,
            ..Config::default()
        }
    }

    #[test]
    fn trusted_headers_decide_the_regime() {
        let mut h = HeaderMap::new();
        h.insert("cf-ipcountry", HeaderValue::from_static("US"));
        h.insert("x-region", HeaderValue::from_static("CA"));
        let ctx = RequestContext::from_headers(&config(), &h);
        assert_eq!((ctx.jurisdiction.as_str(), ctx.regime), ("US-CA", Regime::OptOut));
    }

    #[test]
    fn without_a_trusted_header_the_default_regime_applies() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-country", HeaderValue::from_static("DE"));
        let ctx = RequestContext::from_headers(&config(), &h);
        assert_eq!(
            (ctx.jurisdiction.as_str(), ctx.regime),
            (UNKNOWN_JURISDICTION, Regime::Notice)
        );
    }

    #[test]
    fn any_sec_gpc_header_with_value_one_counts() {
        let mut h = HeaderMap::new();
        h.append("sec-gpc", HeaderValue::from_static("0"));
        h.append("sec-gpc", HeaderValue::from_static(" 1"));
        assert!(RequestContext::from_headers(&config(), &h).gpc);
    }
}
