//! Where webhooks may go, and the HTTP client that takes them there.
//!
//! A webhook URL is chosen by a site owner and fetched by this server: a server-side request
//! forgery risk (Standard Webhooks 1.0.0, "Server side request forgery (SSRF)"). So:
//! - at creation ([`check_url`]): only `http`/`https`, no credentials, and no host that is
//!   `localhost` or an IP literal outside the public internet ([`is_forbidden`]);
//! - at delivery: the host is resolved by [`CheckedResolver`], which refuses the whole answer
//!   if any address is not public (DNS rebinding), and the connection is made only to the
//!   addresses it returned, so the check and the connection cannot disagree. An IP literal
//!   never reaches a resolver and is checked by [`post`] before connecting;
//! - no proxy (it would resolve the host itself), no redirect followed, connect and total
//!   time bounded, at most [`MAX_ANSWER_BYTES`] of the answer read and then dropped.
//!
//! `webhooks_allow_private_networks` lifts the address rules (tests; a receiver on an intranet),
//! except for cloud metadata addresses ([`refused`]), which stay refused.

use assent_shared::Invalid;
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most of a receiver's answer that is read (then discarded): 64 KiB.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
const MAX_URL_CHARS: usize = 2048;

/// Whether `ip` is outside the public internet: unspecified, loopback, private (RFC 1918,
/// fc00::/7), link-local (169.254/16, fe80::/10), shared address space (CGNAT 100.64/10),
/// multicast, broadcast or reserved — also when wrapped in an IPv4-mapped or NAT64 IPv6 address.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    a == 0 // "this network", 0.0.0.0 included
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || (a == 100 && (b & 0xc0) == 64) // 100.64.0.0/10, RFC 6598
        || ip.is_multicast()
        || a >= 240 // reserved 240/4 and broadcast
}

/// The IPv4 address an IPv6 address carries: IPv4-mapped, NAT64 64:ff9b::/96 (RFC 6052),
/// IPv4-compatible ::a.b.c.d (RFC 4291 §2.5.5.1, deprecated, still routed by some stacks) or
/// 6to4 2002::/16 (RFC 3056, bits 16–47).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let segments = ip.segments();
    let o = ip.octets();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
        || (segments[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_unspecified() && !ip.is_loopback())
    {
        return Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    (segments[0] == 0x2002).then(|| Ipv4Addr::new(o[2], o[3], o[4], o[5]))
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return forbidden_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (first & 0xffc0) == 0xfec0 // deprecated site-local fec0::/10
}

/// Cloud instance metadata services (credentials of the machine Assent runs on): link-local
/// 169.254/16 and fe80::/10 (AWS, GCP, Azure, OpenStack at 169.254.169.254), AWS's IPv6
/// fd00:ec2::254 and Alibaba's 100.100.100.200. Refused even where private networks are
/// allowed: no webhook receiver lives there.
fn is_metadata(ip: IpAddr) -> bool {
    const AWS_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    let v4 = match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => embedded_v4(v6),
    };
    match (v4, ip) {
        (Some(v4), _) => v4.is_link_local() || v4 == Ipv4Addr::new(100, 100, 100, 200),
        (None, IpAddr::V6(v6)) => (v6.segments()[0] & 0xffc0) == 0xfe80 || v6 == AWS_V6,
        (None, IpAddr::V4(_)) => false,
    }
}

/// Whether webhooks may not go to `ip`: a metadata address always, any address outside the
/// public internet unless private networks are allowed.
pub fn refused(ip: IpAddr, allow_private: bool) -> bool {
    is_metadata(ip) || (!allow_private && is_forbidden(ip))
}

/// Checks an endpoint URL as given by an owner; returns it normalised (WHATWG URL
/// serialization). Refusals name the field `url`.
pub fn check_url(raw: &str, allow_private: bool) -> Result<String, Invalid> {
    let invalid = |reason: &str| Invalid::new("url", reason);
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(invalid("at most 2048 characters"));
    }
    // The WHATWG parser drops tabs, newlines and control characters at the ends without a
    // word: what is stored must be what the owner typed.
    if raw.chars().any(char::is_control) {
        return Err(invalid("no control characters"));
    }
    let url = Url::parse(raw.trim()).map_err(|e| Invalid::new("url", format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "no credentials in the URL: it is shown to the site's viewers and in the audit log",
        ));
    }
    if url.fragment().is_some() {
        return Err(invalid("no #fragment: it is never sent"));
    }
    let forbidden = match url.host() {
        None => return Err(invalid("the URL needs a host")),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            !allow_private && (name == "localhost" || name.ends_with(".localhost"))
        }
        Some(url::Host::Ipv4(ip)) => refused(IpAddr::V4(ip), allow_private),
        Some(url::Host::Ipv6(ip)) => refused(IpAddr::V6(ip), allow_private),
    };
    if forbidden {
        return Err(invalid(
            "the host is loopback, private, link-local or otherwise not public; webhooks go to the public internet (an operator can allow private networks with ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=1)",
        ));
    }
    Ok(url.to_string())
}

/// How long creating or changing an endpoint waits for its host name to resolve.
const RESOLVE_AT_CHECK: Duration = Duration::from_secs(2);

/// At creation or change, after [`check_url`]: a host name that resolves now to an address
/// webhooks may not reach is refused at once, not only at delivery (where the
/// [`CheckedResolver`] checks again, since names can change). A name that does not resolve
/// yet is let through: delivery will fail or succeed by what it resolves to then.
pub async fn check_resolved(url: &str, allow_private: bool) -> Result<(), Invalid> {
    let Ok(parsed) = Url::parse(url) else {
        return Ok(());
    };
    let Some(url::Host::Domain(host)) = parsed.host() else {
        return Ok(());
    };
    let resolved = tokio::time::timeout(RESOLVE_AT_CHECK, tokio::net::lookup_host((host, 0))).await;
    let addrs: Vec<IpAddr> = match resolved {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => return Ok(()),
    };
    refuse_forbidden(host, &addrs, allow_private)
}

/// The refusal for a host whose addresses include one webhooks may not reach.
fn refuse_forbidden(host: &str, addrs: &[IpAddr], allow_private: bool) -> Result<(), Invalid> {
    match addrs.iter().find(|ip| refused(**ip, allow_private)) {
        Some(bad) => Err(Invalid::new(
            "url",
            format!(
                "{host} resolves to {bad}, which is not a public address; webhooks go to the public internet (an operator can allow private networks with ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=1)"
            ),
        )),
        _ => Ok(()),
    }
}

/// Resolves with the system resolver and refuses every address of a name if any of them is
/// not public (unless private networks are allowed). The connector connects only to what this
/// returns: the addresses checked are the addresses used.
#[derive(Debug, Clone, Copy)]
pub struct CheckedResolver {
    pub allow_private: bool,
}

/// A name that resolved to an address webhooks may not reach.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {addr}, which is not a public address")]
struct ForbiddenAddress {
    host: String,
    addr: IpAddr,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            // Port 0: the connector sets the URL's port on each address.
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(bad) = addrs.iter().find(|a| refused(a.ip(), allow_private)) {
                return Err(Box::new(ForbiddenAddress { host, addr: bad.ip() }) as _);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The one client of the sender: checked resolution, no proxy, no redirects, `timeout` for
/// connecting and for the whole exchange.
pub fn client(timeout: Duration, allow_private: bool) -> anyhow::Result<reqwest::Client> {
    guarded_client(
        concat!("Assent-Webhooks/", env!("CARGO_PKG_VERSION")),
        timeout,
        allow_private,
    )
}

/// A client under the same guard as the webhook sender's ([`client`]), for any other fetch
/// of a URL Assent is configured with (the Global Vendor List: `crate::tcf::fetch`).
pub fn guarded_client(
    user_agent: &'static str,
    timeout: Duration,
    allow_private: bool,
) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .dns_resolver(Arc::new(CheckedResolver { allow_private }))
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout)
        .timeout(timeout)
        .user_agent(user_agent)
        .build()?)
}

/// What one attempt got: the status, or why there was none, and how long it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
}

impl Answer {
    /// A 2xx: delivered (Standard Webhooks, "Delivery success and failure"; a 3xx is a failure).
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// POSTs `body` as JSON with `headers` to `url`; reads at most [`MAX_ANSWER_BYTES`] of the
/// answer and discards it.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    headers: HeaderMap,
    body: String,
    allow_private: bool,
) -> Answer {
    let started = Instant::now();
    let outcome = send(client, url, headers, body, allow_private).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match outcome {
        Ok(status) => Answer {
            status: Some(status),
            error: None,
            duration_ms,
        },
        Err(error) => Answer {
            status: None,
            error: Some(error),
            duration_ms,
        },
    }
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    mut headers: HeaderMap,
    body: String,
    allow_private: bool,
) -> Result<u16, String> {
    let parsed = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    let literal = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if let Some(ip) = literal.filter(|ip| refused(*ip, allow_private)) {
        return Err(format!("{ip} is not a public address"));
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut answer = client
        .post(parsed)
        .headers(headers)
        .body(body)
        .send()
        .await
        .map_err(describe)?;
    let status = answer.status().as_u16();
    let mut read = 0;
    while read < MAX_ANSWER_BYTES {
        match answer.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            // The status is what counts; a body cut short or timed out does not change it.
            Ok(None) | Err(_) => break,
        }
    }
    Ok(status)
}

/// An error with its causes (`error sending request: … : … resolves to 10.0.0.1, …`),
/// without the URL (the delivery log is per endpoint already), at most 500 characters.
pub fn describe(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_resolving_to_any_private_address_is_refused_unless_allowed() {
        let public: IpAddr = "93.184.215.14".parse().expect("ip");
        let loopback: IpAddr = "127.0.0.1".parse().expect("ip");
        assert!(refuse_forbidden("hooks.example", &[public], false).is_ok());
        let refused = refuse_forbidden("vm", &[public, loopback], false).expect_err("refused");
        assert_eq!(refused.field, "url");
        assert!(
            refused.reason.contains("vm resolves to 127.0.0.1"),
            "{}",
            refused.reason
        );
        assert!(refuse_forbidden("vm", &[loopback], true).is_ok());
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_at_creation() {
        // `localhost` is refused by name already; here the resolution itself is what refuses.
        let url = format!("http://{}:8080/hook", "localhost");
        let refused = check_resolved(&url, false).await.expect_err("loopback");
        assert!(refused.reason.contains("not a public address"), "{}", refused.reason);
        assert!(
            check_resolved("http://127.0.0.1/", false).await.is_ok(),
            "literal addresses are check_url's"
        );
        assert!(check_resolved(&url, true).await.is_ok());
    }

    use super::*;
    use std::str::FromStr;

    /// Turning private networks on (to reach a receiver on the intranet) must not open the
    /// cloud metadata service, in any spelling of its address.
    #[test]
    fn metadata_addresses_stay_refused_where_private_networks_are_allowed() {
        for raw in [
            "169.254.169.254",
            "169.254.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "fe80::1",
            "fd00:ec2::254",
            "100.100.100.200",
        ] {
            let ip: IpAddr = raw.parse().expect("ip");
            assert!(refused(ip, true), "{raw} allowed with private networks on");
            assert!(refused(ip, false), "{raw}");
            let url = format!(
                "http://{}/latest/meta-data/",
                if ip.is_ipv6() {
                    format!("[{raw}]")
                } else {
                    raw.to_owned()
                }
            );
            assert!(check_url(&url, true).is_err(), "{url}");
            assert!(refuse_forbidden("metadata.internal", &[ip], true).is_err(), "{raw}");
        }
        for raw in ["10.0.0.1", "127.0.0.1", "fd12:3456::1", "100.64.0.1"] {
            let ip: IpAddr = raw.parse().expect("ip");
            assert!(!refused(ip, true), "{raw} is private, allowed with private networks on");
            assert!(refused(ip, false), "{raw}");
        }
    }

    #[test]
    fn only_public_addresses_are_allowed() {
        let forbidden = [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ];
        for raw in forbidden {
            assert!(is_forbidden(raw.parse().expect("ip")), "{raw} is not public");
        }
        let public = [
            "1.1.1.1",
            "93.184.215.14",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
            "64:ff9b::101:101",
        ];
        for raw in public {
            assert!(!is_forbidden(raw.parse().expect("ip")), "{raw} is public");
        }
    }

    #[test]
    fn urls_are_checked_and_normalised() {
        assert_eq!(
            check_url("https://Hooks.Example.com/assent?x=1", false),
            Ok("https://hooks.example.com/assent?x=1".to_owned())
        );
        for raw in [
            "http://localhost/",
            "http://LOCALHOST./",
            "http://a.localhost/",
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://[::1]:8080/",
        ] {
            let refused = check_url(raw, false).expect_err(raw);
            assert_eq!(refused.field, "url");
            assert!(check_url(raw, true).is_ok(), "{raw} is fine on a private network");
        }
        for raw in [
            "ftp://example.com/",
            "https://u:p@example.com/",
            "https://example.com/#x",
            "/hooks",
            "https://example.com/\0",
            "https://example.com/a\tb",
            "\nhttps://example.com/",
        ] {
            assert!(check_url(raw, true).is_err(), "{raw}");
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_a_name_with_a_private_address() {
        let name = || Name::from_str("localhost").expect("name");
        let refused = CheckedResolver { allow_private: false }.resolve(name()).await;
        let err = refused.err().expect("localhost is loopback");
        assert!(err.to_string().contains("not a public address"), "{err}");
        let allowed = CheckedResolver { allow_private: true }.resolve(name()).await;
        assert!(allowed.expect("resolves").all(|a| a.ip().is_loopback()));
    }
}
