//! Webhooks: consent events announced to each site's endpoints from a durable outbox.
//!
//! - The append transaction writes one message per (recorded event × endpoint that asked for
//!   it) into `webhook_outbox` (`crate::ledger`'s `outbox` module), so a message commits with
//!   its event or not at all.
//! - [`spawn_sender`] sends them, signed as the Standard Webhooks specification 1.0.0 says
//!   ([`signing`]), only where webhooks may go ([`net`]), retried on its example schedule
//!   ([`queue`]), each attempt logged in `webhook_deliveries`.
//!
//! **One sender at a time across processes.** Every `assent serve` process runs the sender
//! task, but only the holder of the `webhook_sender` lease ([`crate::db::lease`]) sends. The
//! lease is used on both backends, rather than `FOR UPDATE SKIP LOCKED` on PostgreSQL: skip
//! locked claims let several processes send at once, which the design rules out (one
//! periodic job, one process), and SQLite has no row locks anyway. The holder renews the
//! lease before each batch; the lease lasts three delivery timeouts, while a batch (its
//! deliveries run concurrently, each bounded by the timeout) ends within about one, so a
//! batch never outlives its lease and two processes never send at once.
//!
//! **At least once.** A process that dies between sending and recording leaves the message
//! pending; the next holder sends it again with the same `webhook-id`, which receivers use to
//! deduplicate (as the specification recommends).

pub mod net;
pub mod queue;
pub mod signing;

use crate::clock;
use crate::config::Config;
use crate::db::Db;
use queue::Due;
use reqwest::header::{HeaderMap, HeaderValue};
use std::time::Duration;

/// The lease that makes one process the sender.
pub const SENDER_LEASE: &str = "webhook_sender";
/// Messages sent per batch (concurrently).
const BATCH: usize = 32;

#[derive(Debug, Clone)]
struct Sender {
    db: Db,
    client: reqwest::Client,
    /// This process, as the lease names it.
    holder: String,
    allow_private: bool,
    backoff_scale: f64,
    lease_ttl: Duration,
}

/// Starts this process's sender: every `webhooks_poll_ms`, if it holds the lease, it sends
/// the due messages, batch after batch until none is left.
pub fn spawn_sender(db: Db, config: &Config) -> anyhow::Result<()> {
    let timeout = Duration::from_millis(config.webhooks_timeout_ms);
    let sender = Sender {
        db,
        client: net::client(timeout, config.webhooks_allow_private_networks)?,
        holder: uuid::Uuid::new_v4().to_string(),
        allow_private: config.webhooks_allow_private_networks,
        backoff_scale: config.webhooks_backoff_scale,
        lease_ttl: timeout * 3,
    };
    let poll = Duration::from_millis(config.webhooks_poll_ms);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            loop {
                match sender.run_batch().await {
                    // A full batch: more may be due.
                    Ok(sent) if sent == BATCH => {}
                    Ok(_) => break,
                    Err(err) => {
                        tracing::warn!(error = ?err, "webhook sender");
                        break;
                    }
                }
            }
        }
    });
    Ok(())
}

impl Sender {
    /// Sends one batch of due messages if this process holds the lease; returns how many.
    async fn run_batch(&self) -> anyhow::Result<usize> {
        if !self.db.hold_lease(SENDER_LEASE, &self.holder, self.lease_ttl).await? {
            return Ok(0);
        }
        let due = queue::due(&self.db, i64::try_from(BATCH)?).await?;
        let count = due.len();
        let mut running = tokio::task::JoinSet::new();
        for message in due {
            let sender = self.clone();
            running.spawn(async move { sender.deliver(message).await });
        }
        while let Some(done) = running.join_next().await {
            match done {
                Ok(Ok(())) => {}
                Ok(Err(err)) => tracing::warn!(error = ?err, "recording a webhook attempt failed"),
                Err(err) => tracing::error!(error = ?err, "a webhook delivery task failed"),
            }
        }
        Ok(count)
    }

    /// One attempt: sign, POST, record.
    async fn deliver(&self, message: Due) -> anyhow::Result<()> {
        let attempted_at = clock::now_rfc3339();
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let secrets: Vec<&str> = message.secrets.iter().map(String::as_str).collect();
        let signature = signing::signature_header(&secrets, &message.id, timestamp, &message.body)?;
        let mut headers = HeaderMap::new();
        headers.insert("webhook-id", HeaderValue::from_str(&message.id)?);
        headers.insert("webhook-timestamp", HeaderValue::from(timestamp));
        headers.insert("webhook-signature", HeaderValue::from_str(&signature)?);
        let answer = net::post(
            &self.client,
            &message.url,
            headers,
            message.body.clone(),
            self.allow_private,
        )
        .await;
        let attempt = message.attempts + 1;
        let retry_in = if answer.delivered() {
            None
        } else {
            tracing::info!(
                message = %message.id,
                attempt,
                status = ?answer.status,
                error = ?answer.error,
                "webhook attempt failed"
            );
            queue::retry_delay(attempt, self.backoff_scale, queue::jitter())
        };
        queue::record(&self.db, &message, attempt, &attempted_at, &answer, retry_in).await
    }
}
