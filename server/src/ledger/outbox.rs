//! The webhook outbox, written inside the append transaction: for every event a batch
//! recorded, one message per enabled endpoint of its site that asked for one of the event's
//! types ([`assent_shared::webhooks::event_types`], [`assent_shared::webhooks::message_type`]).
//! The messages commit with the events or not at all, so no event is announced that was
//! rolled back, and none goes unannounced because a process died after committing it.
//! A replayed event (same `event_id`) is not `Recorded` and enqueues nothing; the outbox's
//! `UNIQUE (endpoint_id, event_id)` makes sure of it anyway.

use super::placeholders::positional;
use super::{AppendResult, Appended};
use crate::webhooks::signing::new_message_id;
use anyhow::Context;
use assent_shared::consent::ConsentEvent;
use assent_shared::webhooks::{EventType, Message, event_types, message_type};
use sqlx::{AnyConnection, Row};

/// Rows per insert statement: 8 parameters each keeps a statement far below SQLite's limit
/// of 32,766 parameters (and PostgreSQL's 65,535).
const ROWS_PER_INSERT: usize = 500;
const WIDTH: usize = 8;

/// Enqueues the messages for the events of one site that `results` recorded. The caller owns
/// the transaction.
pub(super) async fn enqueue(
    conn: &mut AnyConnection,
    site: &str,
    results: &[AppendResult],
    now_ms: i64,
) -> anyhow::Result<()> {
    let recorded: Vec<&ConsentEvent> = results
        .iter()
        .filter_map(|r| match r {
            Ok(Appended::Recorded(stored)) => Some(&stored.event),
            _ => None,
        })
        .collect();
    if recorded.is_empty() {
        return Ok(());
    }
    let endpoints = sqlx::query("SELECT id, events FROM webhook_endpoints WHERE site_id = $1 AND enabled = 1")
        .bind(site)
        .fetch_all(&mut *conn)
        .await
        .context("reading the site's webhook endpoints")?
        .iter()
        .map(|r| {
            let wanted: Vec<EventType> = serde_json::from_str(r.try_get::<&str, _>("events")?)?;
            Ok((r.try_get::<String, _>("id")?, wanted))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if endpoints.is_empty() {
        return Ok(());
    }
    // (message id, endpoint id, event id, type, body)
    let mut rows: Vec<[String; 5]> = Vec::new();
    for event in recorded {
        let types = event_types(event.method, event.gpc);
        for (endpoint, wanted) in &endpoints {
            if let Some(kind) = message_type(&types, wanted) {
                rows.push([
                    new_message_id(),
                    endpoint.clone(),
                    event.event_id.to_string(),
                    kind.as_str().to_owned(),
                    serde_json::to_string(&Message::of(kind, event))?,
                ]);
            }
        }
    }
    let created_at = crate::clock::now_rfc3339();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values = (0..chunk.len())
            .map(|r| {
                let p = |i: usize| format!("${}", r * WIDTH + i);
                format!(
                    "({}, {}, {}, {}, {}, {}, 'pending', 0, {}, {})",
                    p(1),
                    p(2),
                    p(3),
                    p(4),
                    p(5),
                    p(6),
                    p(7),
                    p(8)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = positional(
            conn,
            format!(
                "INSERT INTO webhook_outbox (id, site_id, endpoint_id, event_id, event_type, body, status, attempts, \
                 next_attempt_at, created_at) VALUES {values} ON CONFLICT (endpoint_id, event_id) DO NOTHING"
            ),
        );
        let mut q = sqlx::query(&sql);
        for [id, endpoint, event_id, kind, body] in chunk {
            q = q
                .bind(id.as_str())
                .bind(site)
                .bind(endpoint.as_str())
                .bind(event_id.as_str())
                .bind(kind.as_str())
                .bind(body.as_str())
                .bind(now_ms)
                .bind(created_at.as_str());
        }
        q.execute(&mut *conn).await.context("enqueueing webhook messages")?;
    }
    Ok(())
}
