//! Prometheus metrics of one server process, scraped at `GET /metrics`
//! (`crate::routes::metrics`).
//!
//! Each [`Metrics`] has its own registry rather than the `prometheus` crate's global one, so
//! several servers in one process (the test suite) count apart. Counters move as things
//! happen: requests by method, matched route (the route's template, never a raw path with its
//! ids) and status, and the ledger writer's batches. Gauges that read a current level — the
//! writer's queue, the webhook outbox, the database pool — are set when a scrape asks.

use crate::state::AppState;
use anyhow::Context;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use std::sync::Arc;
use std::time::Instant;

/// What the ledger writer reports about its batches.
#[derive(Clone)]
pub struct BatchMetrics {
    /// Events per batch, observed once per batch the writer tried to commit.
    pub sizes: Histogram,
    /// Batches whose transaction failed (each of their requests got a 500, or a 503 when the
    /// database was out of reach, full or read-only).
    pub failures: IntCounter,
}

impl std::fmt::Debug for BatchMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchMetrics").finish_non_exhaustive()
    }
}

/// The metrics of one server process.
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    /// Handed to the ledger writer.
    pub batches: BatchMetrics,
    ledger_queue: IntGauge,
    outbox_pending: IntGauge,
    pool_size: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "assent_http_requests_total",
                "HTTP requests answered, by method, matched route and status.",
            ),
            &["method", "route", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "assent_http_request_duration_seconds",
                "Time from a request's arrival to its response head, by method and matched route.",
            ),
            &["method", "route"],
        )?;
        let sizes = Histogram::with_opts(
            HistogramOpts::new(
                "assent_ledger_batch_size",
                "Events per group-commit batch of the ledger writer.",
            )
            .buckets(prometheus::exponential_buckets(1.0, 2.0, 10)?),
        )?;
        let failures = IntCounter::new(
            "assent_ledger_batch_failures_total",
            "Group-commit batches whose transaction failed.",
        )?;
        let ledger_queue = IntGauge::new(
            "assent_ledger_queue_depth",
            "Appends waiting for the ledger writer, not yet in a batch.",
        )?;
        let outbox_pending = IntGauge::new(
            "assent_webhook_outbox_pending",
            "Webhook messages not yet delivered nor given up (all processes on this database).",
        )?;
        let pool_size = IntGauge::new(
            "assent_db_pool_connections",
            "Open database connections of this process.",
        )?;
        let pool_idle = IntGauge::new("assent_db_pool_idle", "Open database connections not in use.")?;
        let pool_max = IntGauge::new("assent_db_pool_max", "Most database connections this process may open.")?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(sizes.clone()))?;
        registry.register(Box::new(failures.clone()))?;
        for gauge in [&ledger_queue, &outbox_pending, &pool_size, &pool_idle, &pool_max] {
            registry.register(Box::new(gauge.clone()))?;
        }
        Ok(Self {
            registry,
            http_requests,
            http_duration,
            batches: BatchMetrics { sizes, failures },
            ledger_queue,
            outbox_pending,
            pool_size,
            pool_idle,
            pool_max,
        })
    }

    /// Reads the current levels and renders everything in the Prometheus text format.
    pub async fn scrape(&self, state: &AppState) -> anyhow::Result<String> {
        self.ledger_queue.set(i64::try_from(state.writer.queued())?);
        self.outbox_pending
            .set(crate::webhooks::queue::pending(&state.db).await?);
        let pool = &state.db.pool;
        self.pool_size.set(i64::from(pool.size()));
        self.pool_idle.set(i64::try_from(pool.num_idle())?);
        self.pool_max.set(i64::from(pool.options().get_max_connections()));
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .context("encoding metrics")?;
        String::from_utf8(out).context("metrics text")
    }
}

/// The `Content-Type` of [`Metrics::scrape`]'s text.
pub const CONTENT_TYPE: &str = prometheus::TEXT_FORMAT;

/// Counts and times every request under its matched route. Unmatched paths share one label,
/// so a scan of random URLs cannot grow the number of series.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| route_label(p.as_str()));
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .http_requests
        .with_label_values(&[method, route.as_str(), response.status().as_str()])
        .inc();
    metrics
        .http_duration
        .with_label_values(&[method, route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// A nested service's route reads as axum spells it internally; name its tail `{*path}`.
fn route_label(matched: &str) -> String {
    matched.replace("{*__private__axum_nest_tail_param}", "{*path}")
}

/// Standard methods by name, anything else as `other` (a client picks the method freely).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_never_carry_what_a_client_chose() {
        assert_eq!(
            route_label("/assets/{*__private__axum_nest_tail_param}"),
            "/assets/{*path}"
        );
        assert_eq!(route_label("/v1/sites/{site}/notice"), "/v1/sites/{site}/notice");
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").expect("a method")), "other");
    }
}
