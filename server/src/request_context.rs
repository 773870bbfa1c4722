//! What the server learns about a request from its headers: the visitor's jurisdiction
//! (from trusted, configured headers only) and the Global Privacy Control signal.

use crate::config::Config;
use assent_shared::gpc::sec_gpc_enabled;
use assent_shared::regime::{Jurisdiction, Regime};
use axum::http::HeaderMap;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The client's network as recorded: IPv4 /24 or IPv6 /48, never the full address.
pub fn truncate_ip(ip: IpAddr) -> String {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

/// The client address: from the trusted header if configured (first entry), else the peer.
pub fn client_ip(config: &Config, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
    config
        .client_ip_header
        .as_deref()
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|first| first.trim().parse().ok())
        .unwrap_or(peer)
}

/// Recorded when no trusted header names the region.
pub const UNKNOWN_JURISDICTION: &str = "unknown";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    pub jurisdiction: String,
    pub regime: Regime,
    pub gpc: bool,
}

impl RequestContext {
    /// `overrides` are the site's: jurisdiction (`US-CA`), then country, then `*`.
    pub fn from_headers(config: &Config, headers: &HeaderMap, overrides: &BTreeMap<String, Regime>) -> Self {
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
            Some(j) => {
                let chosen = overrides
                    .get(&j.code())
                    .or_else(|| overrides.get(&j.country))
                    .or_else(|| overrides.get("*"));
                (
                    j.code(),
                    chosen.copied().unwrap_or_else(|| j.regime(config.default_regime)),
                )
            }
            None => (
                UNKNOWN_JURISDICTION.to_owned(),
                overrides.get("*").copied().unwrap_or(config.default_regime),
            ),
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
        let ctx = RequestContext::from_headers(&config(), &h, &BTreeMap::new());
        assert_eq!((ctx.jurisdiction.as_str(), ctx.regime), ("US-CA", Regime::OptOut));
    }

    #[test]
    fn without_a_trusted_header_the_default_regime_applies() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-country", HeaderValue::from_static("DE"));
        let ctx = RequestContext::from_headers(&config(), &h, &BTreeMap::new());
        assert_eq!(
            (ctx.jurisdiction.as_str(), ctx.regime),
            (UNKNOWN_JURISDICTION, Regime::Notice)
        );
    }

    #[test]
    fn a_site_override_wins_most_specific_first() {
        let mut h = HeaderMap::new();
        h.insert("cf-ipcountry", HeaderValue::from_static("US"));
        h.insert("x-region", HeaderValue::from_static("CA"));
        let overrides = |pairs: &[(&str, Regime)]| pairs.iter().map(|(k, r)| ((*k).to_owned(), *r)).collect();
        let ctx = |o: &BTreeMap<String, Regime>| RequestContext::from_headers(&config(), &h, o).regime;
        assert_eq!(
            ctx(&overrides(&[("US-CA", Regime::OptIn), ("US", Regime::Notice)])),
            Regime::OptIn
        );
        assert_eq!(
            ctx(&overrides(&[("US", Regime::Notice), ("*", Regime::OptIn)])),
            Regime::Notice
        );
        assert_eq!(ctx(&overrides(&[("*", Regime::OptIn)])), Regime::OptIn);
        assert_eq!(
            ctx(&overrides(&[("DE", Regime::Notice)])),
            Regime::OptOut,
            "other keys leave the rules alone"
        );
    }

    #[test]
    fn addresses_are_truncated_to_their_network() {
        assert_eq!(truncate_ip("203.0.113.77".parse().expect("ip")), "203.0.113.0/24");
        assert_eq!(
            truncate_ip("2001:db8:abcd:12:1::9".parse().expect("ip")),
            "2001:db8:abcd::/48"
        );
        assert_eq!(
            truncate_ip("::ffff:198.51.100.9".parse().expect("ip")),
            "198.51.100.0/24"
        );
    }

    #[test]
    fn the_client_address_comes_from_the_trusted_header_only_when_configured() {
        let peer: IpAddr = "127.0.0.1".parse().expect("ip");
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.9, 10.0.0.1"));
        assert_eq!(client_ip(&config(), &h, peer), peer);
        let trusting = Config {
            client_ip_header: Some("x-forwarded-for".into()),
            ..config()
        };
        assert_eq!(
            client_ip(&trusting, &h, peer),
            "198.51.100.9".parse::<IpAddr>().expect("ip")
        );
    }

    #[test]
    fn any_sec_gpc_header_with_value_one_counts() {
        let mut h = HeaderMap::new();
        h.append("sec-gpc", HeaderValue::from_static("0"));
        h.append("sec-gpc", HeaderValue::from_static(" 1"));
        assert!(RequestContext::from_headers(&config(), &h, &BTreeMap::new()).gpc);
    }
}
