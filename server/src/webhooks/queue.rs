//! The outbox as the sender sees it: which messages are due, when to try a failed one again,
//! and recording an attempt — its line in the delivery log and the message's new state, in
//! one transaction.

use super::net::Answer;
use crate::clock;
use crate::db::Db;
use anyhow::Context;
use sqlx::Row;
use std::time::Duration;

/// Delays before the 2nd, 3rd, … attempt, in seconds: the example schedule of Standard
/// Webhooks 1.0.0 ("Deliverability and reliability"), 5 s up to 24 h, about 3 days in all.
/// After the last, the message is `failed`.
pub const RETRY_DELAYS_SECS: [u64; 9] = [
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
];

/// Each delay varies by up to this fraction either way, so retries of many messages that
/// failed together (a receiver's outage) do not all come back at once.
const JITTER: f64 = 0.2;

/// A message due for delivery, with what sending it needs.
#[derive(Clone)]
pub struct Due {
    /// The `webhook-id`.
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    /// The exact bytes to send and sign.
    pub body: String,
    /// Attempts made so far.
    pub attempts: u32,
    pub url: String,
    /// The endpoint's secret, then its previous one while the rotation overlap lasts.
    pub secrets: Vec<String>,
}

impl std::fmt::Debug for Due {
    /// Leaves the secrets out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Due")
            .field("id", &self.id)
            .field("endpoint_id", &self.endpoint_id)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// Up to `limit` pending messages whose time has come, oldest schedule first, for enabled
/// endpoints (a disabled endpoint's messages wait for it).
pub async fn due(db: &Db, limit: i64) -> anyhow::Result<Vec<Due>> {
    let rows = sqlx::query(
        "SELECT o.id, o.endpoint_id, o.event_id, o.event_type, o.body, o.attempts, e.url, e.secret, \
         e.previous_secret, e.previous_until FROM webhook_outbox o JOIN webhook_endpoints e ON e.id = o.endpoint_id \
         WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND e.enabled = 1 \
         ORDER BY o.next_attempt_at, o.id LIMIT $2",
    )
    .bind(clock::now_unix_ms())
    .bind(limit)
    .fetch_all(&db.pool)
    .await
    .context("reading due webhook messages")?;
    let now = clock::now_rfc3339();
    rows.iter()
        .map(|r| {
            let mut secrets = vec![r.try_get::<String, _>("secret")?];
            let previous: Option<String> = r.try_get("previous_secret")?;
            let until: Option<String> = r.try_get("previous_until")?;
            if let (Some(previous), Some(until)) = (previous, until)
                && until > now
            {
                secrets.push(previous);
            }
            Ok(Due {
                id: r.try_get("id")?,
                endpoint_id: r.try_get("endpoint_id")?,
                event_id: r.try_get("event_id")?,
                event_type: r.try_get("event_type")?,
                body: r.try_get("body")?,
                attempts: u32::try_from(r.try_get::<i64, _>("attempts")?)?,
                url: r.try_get("url")?,
                secrets,
            })
        })
        .collect()
}

/// Messages not yet delivered nor given up, across every endpoint of every site (the outbox
/// depth `/metrics` reports).
pub async fn pending(db: &Db) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM webhook_outbox WHERE status = 'pending'")
        .fetch_one(&db.pool)
        .await
        .context("counting pending webhook messages")
}

/// How long to wait after `attempts` failed attempts, or `None` to give up: the
/// [`RETRY_DELAYS_SECS`] entry times `scale` (config `webhooks_backoff_scale`), varied by
/// `jitter` (-1 to 1) times [`JITTER`].
pub fn retry_delay(attempts: u32, scale: f64, jitter: f64) -> Option<Duration> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let base_ms = (*RETRY_DELAYS_SECS.get(index)? * 1000) as f64;
    let factor = scale * (1.0 + JITTER * jitter.clamp(-1.0, 1.0));
    // Whole milliseconds: the schedule is stored in ms, and rounding keeps it exact.
    Some(Duration::from_millis((base_ms * factor).max(0.0).round() as u64))
}

/// A uniform random number in -1..=1, for [`retry_delay`].
pub fn jitter() -> f64 {
    let raw = getrandom::u32().unwrap_or(u32::MAX / 2);
    f64::from(raw) / f64::from(u32::MAX) * 2.0 - 1.0
}

/// Records attempt number `attempt` of `message`, made at `attempted_at` (RFC 3339): a 2xx
/// answer delivers it, otherwise it is tried again after `retry_in`, or `failed` when that is
/// `None`. Nothing is logged for a message deleted meanwhile (with its endpoint).
pub async fn record(
    db: &Db,
    message: &Due,
    attempt: u32,
    attempted_at: &str,
    answer: &Answer,
    retry_in: Option<Duration>,
) -> anyhow::Result<()> {
    let delivered = answer.delivered();
    let now = clock::now_unix_ms();
    let (status, next, finished) = match (delivered, retry_in) {
        (true, _) => ("delivered", now, Some(clock::now_rfc3339())),
        (false, Some(wait)) => (
            "pending",
            now.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)),
            None,
        ),
        (false, None) => ("failed", now, Some(clock::now_rfc3339())),
    };
    in_transaction!(db, |tx| async {
        let updated = sqlx::query(
            "UPDATE webhook_outbox SET attempts = $2, status = $3, next_attempt_at = $4, finished_at = $5 \
             WHERE id = $1",
        )
        .bind(message.id.as_str())
        .bind(i64::from(attempt))
        .bind(status)
        .bind(next)
        .bind(finished.as_deref())
        .execute(&mut *tx)
        .await
        .context("updating a webhook message")?;
        if updated.rows_affected() == 0 {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO webhook_deliveries (message_id, endpoint_id, event_id, event_type, attempt, attempted_at, \
             status_code, error, duration_ms, delivered) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(message.id.as_str())
        .bind(message.endpoint_id.as_str())
        .bind(message.event_id.as_str())
        .bind(message.event_type.as_str())
        .bind(i64::from(attempt))
        .bind(attempted_at)
        .bind(answer.status.map(i64::from))
        .bind(answer.error.as_deref())
        .bind(i64::try_from(answer.duration_ms).unwrap_or(i64::MAX))
        .bind(i64::from(delivered))
        .execute(&mut *tx)
        .await
        .context("logging a webhook delivery")?;
        Ok(())
    }
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_scaled_and_jittered_then_give_up() {
        assert_eq!(retry_delay(0, 1.0, 0.0), None, "no failure yet");
        assert_eq!(retry_delay(1, 1.0, 0.0), Some(Duration::from_secs(5)));
        assert_eq!(retry_delay(2, 1.0, 0.0), Some(Duration::from_secs(300)));
        assert_eq!(retry_delay(9, 1.0, 0.0), Some(Duration::from_secs(86_400)));
        assert_eq!(retry_delay(10, 1.0, 0.0), None, "failed after ten attempts");
        assert_eq!(retry_delay(2, 0.001, 0.0), Some(Duration::from_millis(300)));
        assert_eq!(retry_delay(1, 1.0, 1.0), Some(Duration::from_secs(6)));
        assert_eq!(retry_delay(1, 1.0, -1.0), Some(Duration::from_secs(4)));
        let total: u64 = RETRY_DELAYS_SECS.iter().sum();
        assert!((70 * 3600..80 * 3600).contains(&total), "about three days: {total} s");
        for _ in 0..100 {
            assert!((-1.0..=1.0).contains(&jitter()));
        }
    }
}
