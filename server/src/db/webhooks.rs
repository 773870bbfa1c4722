//! Webhook endpoints as site owners manage them, and their delivery log. Every change is
//! audited (`webhook_change`) in its own transaction; a refused change writes nothing.
//!
//! The signing secret is stored as it is, not hashed (unlike a site secret): the sender must
//! sign every message with it. It leaves the database through the API only in the answers
//! that make it (creation and rotation), never in a listing, a change or the audit log.

use super::Db;
use super::audit::{self, AuditRecord};
use crate::clock;
use anyhow::Context;
use assent_shared::ids::SiteId;
use assent_shared::webhooks::{Delivery, EventType, WebhookView};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The most endpoints one site may have: each recorded event fans out to all of them.
pub const MAX_ENDPOINTS_PER_SITE: i64 = 20;

/// A new endpoint's settings, checked by the handler.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    /// A UUID, made by the caller so the audit entry can name it.
    pub id: String,
    pub url: String,
    pub events: Vec<EventType>,
    pub enabled: bool,
    /// `whsec_…` ([`crate::webhooks::signing::generate_secret`]).
    pub secret: String,
}

/// The fields to change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub events: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

/// Why an endpoint was not created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    Created(WebhookView),
    /// The site has [`MAX_ENDPOINTS_PER_SITE`] already.
    TooMany,
}

const VIEW: &str = "SELECT e.id, e.url, e.events, e.enabled, e.created_at, e.updated_at, \
     (SELECT COUNT(*) FROM webhook_outbox o WHERE o.endpoint_id = e.id AND o.status = 'pending') AS pending \
     FROM webhook_endpoints e";

fn view(row: &AnyRow) -> anyhow::Result<WebhookView> {
    Ok(WebhookView {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        events: serde_json::from_str(row.try_get::<&str, _>("events")?).context("stored webhook events")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        pending: u64::try_from(row.try_get::<i64, _>("pending")?)?,
    })
}

async fn view_in(conn: &mut AnyConnection, site: &SiteId, id: &str) -> anyhow::Result<Option<WebhookView>> {
    let row = sqlx::query(&format!("{VIEW} WHERE e.site_id = $1 AND e.id = $2"))
        .bind(site.as_str())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(view).transpose()
}

impl Db {
    /// A site's endpoints, oldest first.
    pub async fn webhooks(&self, site: &SiteId) -> anyhow::Result<Vec<WebhookView>> {
        let rows = sqlx::query(&format!("{VIEW} WHERE e.site_id = $1 ORDER BY e.created_at, e.id"))
            .bind(site.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(view).collect()
    }

    /// Creates an endpoint, unless the site has [`MAX_ENDPOINTS_PER_SITE`] already.
    pub async fn create_webhook(
        &self,
        site: &SiteId,
        new: &NewEndpoint,
        audit: &AuditRecord,
    ) -> anyhow::Result<Created> {
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE site_id = $1")
                .bind(site.as_str())
                .fetch_one(&mut *tx)
                .await?;
            if count >= MAX_ENDPOINTS_PER_SITE {
                return Ok(Created::TooMany);
            }
            let now = clock::now_rfc3339();
            sqlx::query(
                "INSERT INTO webhook_endpoints (id, site_id, url, events, enabled, secret, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(new.id.as_str())
            .bind(site.as_str())
            .bind(new.url.as_str())
            .bind(serde_json::to_string(&new.events)?)
            .bind(i64::from(new.enabled))
            .bind(new.secret.as_str())
            .bind(now.as_str())
            .execute(&mut *tx)
            .await
            .context("creating a webhook endpoint")?;
            audit::append(tx, backend, audit).await?;
            let created = view_in(tx, site, &new.id).await?.context("the endpoint just created")?;
            Ok(Created::Created(created))
        }
        .await)
    }

    /// Applies `changes`; `Ok(None)` (nothing written) if the site has no such endpoint.
    pub async fn update_webhook(
        &self,
        site: &SiteId,
        id: &str,
        changes: &EndpointChanges,
        audit: &AuditRecord,
    ) -> anyhow::Result<Option<WebhookView>> {
        let backend = self.backend;
        let events = changes.events.as_ref().map(serde_json::to_string).transpose()?;
        in_transaction!(self, |tx| async {
            let done = sqlx::query(
                "UPDATE webhook_endpoints SET url = COALESCE($3, url), events = COALESCE($4, events), \
                 enabled = COALESCE($5, enabled), updated_at = $6 WHERE site_id = $1 AND id = $2",
            )
            .bind(site.as_str())
            .bind(id)
            .bind(changes.url.as_deref())
            .bind(events.as_deref())
            .bind(changes.enabled.map(i64::from))
            .bind(clock::now_rfc3339())
            .execute(&mut *tx)
            .await
            .context("changing a webhook endpoint")?;
            if done.rows_affected() == 0 {
                return Ok(None);
            }
            audit::append(tx, backend, audit).await?;
            view_in(tx, site, id).await
        }
        .await)
    }

    /// Deletes an endpoint with its undelivered messages and its delivery log. `Ok(false)`
    /// (nothing written) if the site has no such endpoint.
    pub async fn delete_webhook(&self, site: &SiteId, id: &str, audit: &AuditRecord) -> anyhow::Result<bool> {
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            if view_in(tx, site, id).await?.is_none() {
                return Ok(false);
            }
            for table in ["webhook_deliveries", "webhook_outbox"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE endpoint_id = $1"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .with_context(|| format!("deleting an endpoint's {table}"))?;
            }
            sqlx::query("DELETE FROM webhook_endpoints WHERE site_id = $1 AND id = $2")
                .bind(site.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("deleting a webhook endpoint")?;
            audit::append(tx, backend, audit).await?;
            Ok(true)
        }
        .await)
    }

    /// Replaces the endpoint's secret with `secret`; the current one keeps signing too (a
    /// second signature) until `overlap` from now. `Ok(None)` if there is no such endpoint.
    pub async fn rotate_webhook_secret(
        &self,
        site: &SiteId,
        id: &str,
        secret: &str,
        overlap: time::Duration,
        audit: &AuditRecord,
    ) -> anyhow::Result<Option<WebhookView>> {
        let backend = self.backend;
        let now = time::OffsetDateTime::now_utc();
        let until = clock::format_rfc3339(now + overlap);
        in_transaction!(self, |tx| async {
            let done = sqlx::query(
                "UPDATE webhook_endpoints SET previous_secret = secret, previous_until = $3, secret = $4, \
                 updated_at = $5 WHERE site_id = $1 AND id = $2",
            )
            .bind(site.as_str())
            .bind(id)
            .bind(until.as_str())
            .bind(secret)
            .bind(clock::format_rfc3339(now))
            .execute(&mut *tx)
            .await
            .context("rotating a webhook secret")?;
            if done.rows_affected() == 0 {
                return Ok(None);
            }
            audit::append(tx, backend, audit).await?;
            view_in(tx, site, id).await
        }
        .await)
    }

    /// The endpoint's delivery attempts, newest first: `limit` of those with an id below
    /// `before`. `Ok(None)` if the site has no such endpoint.
    pub async fn deliveries(
        &self,
        site: &SiteId,
        id: &str,
        before: Option<u64>,
        limit: u32,
    ) -> anyhow::Result<Option<Vec<Delivery>>> {
        let mut conn = self.pool.acquire().await?;
        if view_in(&mut conn, site, id).await?.is_none() {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT id, message_id, event_id, event_type, attempt, attempted_at, status_code, error, duration_ms, \
             delivered FROM webhook_deliveries WHERE endpoint_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(id)
        .bind(before.map(i64::try_from).transpose()?.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("event_type")?;
                Ok(Delivery {
                    id: u64::try_from(r.try_get::<i64, _>("id")?)?,
                    message_id: r.try_get("message_id")?,
                    event_id: r.try_get("event_id")?,
                    event_type: EventType::parse(&kind).with_context(|| format!("stored event type {kind:?}"))?,
                    attempt: u32::try_from(r.try_get::<i64, _>("attempt")?)?,
                    attempted_at: r.try_get("attempted_at")?,
                    status_code: r
                        .try_get::<Option<i64>, _>("status_code")?
                        .map(u16::try_from)
                        .transpose()?,
                    error: r.try_get("error")?,
                    duration_ms: u64::try_from(r.try_get::<i64, _>("duration_ms")?)?,
                    delivered: r.try_get::<i64, _>("delivered")? != 0,
                })
            })
            .collect::<anyhow::Result<_>>()
            .map(Some)
    }

    /// The outbox depth: messages not yet delivered nor given up, over every site (for
    /// `/metrics`). Messages of a disabled endpoint count: they wait for it.
    pub async fn webhook_outbox_depth(&self) -> anyhow::Result<u64> {
        let depth: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_outbox WHERE status = 'pending'")
            .fetch_one(&self.pool)
            .await
            .context("counting the webhook outbox")?;
        Ok(u64::try_from(depth)?)
    }
}
