//! Rate limits on the public API (`/v1/sites/{site}/…` and the settings page's calls), by
//! `tower_governor` (GCRA): one budget per client address and one per site, each a steady
//! rate with a burst. A request past either gets 429 `too_many_requests` with `Retry-After`,
//! in the one error shape, before any handler runs (so nothing is written). Budgets live in
//! each process's memory: behind a load balancer spreading over N processes a client gets up
//! to N times its budget (README). Login has its own, stricter limiter ([`crate::auth`]).

use crate::config::Config;
use crate::error::ApiError;
use crate::request_context::client_ip;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::response::IntoResponse;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

/// The client's address, as [`client_ip`] resolves it (the trusted header when configured,
/// else the TCP peer).
#[derive(Debug, Clone)]
pub struct ClientAddress {
    config: Arc<Config>,
}

impl KeyExtractor for ClientAddress {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or(GovernorError::UnableToExtractKey)?;
        Ok(client_ip(&self.config, req.headers(), peer))
    }
}

/// The `{site}` of `/v1/sites/{site}/…` or `/sites/{site}/…`.
#[derive(Debug, Clone, Copy)]
pub struct SitePath;

impl KeyExtractor for SitePath {
    type Key = String;

    fn extract<T>(&self, req: &Request<T>) -> Result<String, GovernorError> {
        let mut segments = req.uri().path().split('/').skip(1);
        let first = segments.next();
        let site = if first == Some("v1") {
            segments.nth(1)
        } else {
            segments.next()
        };
        Ok(site.unwrap_or_default().to_owned())
    }
}

/// Our answer for a refused request: 429 with `Retry-After`, or (a request without a peer
/// address, which axum always gives) 500.
fn refused(error: GovernorError) -> axum::response::Response {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => ApiError::TooManyRequests {
            retry_after_secs: wait_time.max(1),
        }
        .into_response(),
        other => ApiError::Internal(anyhow::anyhow!("rate limit: {other}")).into_response(),
    }
}

/// The interval between two requests at `per_second` a second (ms, at least 1).
fn period_ms(per_second: u32) -> u64 {
    (1000 / u64::from(per_second.max(1))).max(1)
}

/// Adds the per-client and per-site limits the configuration asks for to `router` (a rate of
/// 0 turns that limit off).
pub fn limit<S: Clone + Send + Sync + 'static>(router: axum::Router<S>, config: &Arc<Config>) -> axum::Router<S> {
    let mut router = router;
    if config.public_rate_per_second > 0
        && let Some(per_client) = GovernorConfigBuilder::default()
            .per_millisecond(period_ms(config.public_rate_per_second))
            .burst_size(config.public_rate_burst.max(1))
            .key_extractor(ClientAddress { config: config.clone() })
            .finish()
    {
        router = router.layer(GovernorLayer::new(per_client).error_handler(refused));
    }
    if config.site_rate_per_second > 0
        && let Some(per_site) = GovernorConfigBuilder::default()
            .per_millisecond(period_ms(config.site_rate_per_second))
            .burst_size(config.site_rate_burst.max(1))
            .key_extractor(SitePath)
            .finish()
    {
        router = router.layer(GovernorLayer::new(per_site).error_handler(refused));
    }
    router
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_is_read_from_either_path_shape() {
        let site = |path: &str| {
            SitePath
                .extract(&Request::builder().uri(path).body(()).expect("request"))
                .expect("key")
        };
        assert_eq!(site("/v1/sites/shop/consents"), "shop");
        assert_eq!(site("/sites/shop/privacy/session"), "shop");
        assert_eq!(site("/v1/sites/shop/subjects/x/current"), "shop");
    }
}
