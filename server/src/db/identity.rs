//! Identity links: a pseudonymous subject ↔ the site's own account id, in a side table
//! outside the hashed events (`identity_links`). A subject speaks for one account at a time;
//! unlinking keeps the row with its `unlinked_at`, so the history of links stays readable
//! for a data-subject request, and erasing the subject deletes its rows
//! ([`crate::ledger::Ledger::erase_subject`]).
//!
//! Links and unlinks the site's backend makes (with the site secret) are also audited
//! (`identity_link`, `identity_unlink`, the account id as a salted hash) in the same
//! transaction; links a device makes by syncing are visitor traffic and stay in this table.

use super::Db;
use super::audit::{self, AuditRecord};
use crate::clock;
use anyhow::Context;
use assent_shared::api::{IdentityLink, LinkedBy};
use assent_shared::ids::{AccountId, EventId, SiteId, SubjectId};
use assent_shared::wire_name;
use sqlx::Row;
use sqlx::any::AnyRow;

/// What linking did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    /// A new link (and the end of the subject's link to another account, if it had one).
    Created(IdentityLink),
    /// The subject was already linked to this account: nothing written.
    Unchanged(IdentityLink),
}

const COLUMNS: &str = "subject_id, account_id, linked_at, linked_by, unlinked_at";

fn parse_link(row: &AnyRow) -> anyhow::Result<IdentityLink> {
    Ok(IdentityLink {
        subject_id: SubjectId::parse(row.try_get("subject_id")?)?,
        account_id: AccountId::parse(row.try_get("account_id")?)?,
        linked_at: row.try_get("linked_at")?,
        linked_by: serde_json::from_value(serde_json::Value::String(row.try_get("linked_by")?))
            .context("unknown linked_by in identity_links")?,
        unlinked_at: row.try_get("unlinked_at")?,
    })
}

impl Db {
    /// Links `subject` (which must exist) to `account`, ending its live link to another
    /// account if it had one; appends `audit` with a new link, in the same transaction.
    pub async fn link(
        &self,
        site: &SiteId,
        subject: &SubjectId,
        account: &AccountId,
        by: LinkedBy,
        audit: Option<&AuditRecord>,
    ) -> anyhow::Result<Linked> {
        let backend = self.backend;
        // Two concurrent links of one subject collide on the unique index of live links; the
        // retry then finds the winner's link.
        in_transaction!(self, |tx| async {
            let live = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM identity_links WHERE site_id = $1 AND subject_id = $2 AND unlinked_at IS NULL"
            ))
            .bind(site.as_str())
            .bind(subject.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(parse_link)
            .transpose()?;
            if let Some(link) = live.filter(|l| &l.account_id == account) {
                return Ok(Linked::Unchanged(link));
            }
            let now = clock::now_rfc3339();
            end_live_link(tx, site, subject, &now).await?;
            sqlx::query(
                "INSERT INTO identity_links (site_id, subject_id, account_id, linked_at, linked_by) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(site.as_str())
            .bind(subject.as_str())
            .bind(account.as_str())
            .bind(now.as_str())
            .bind(wire_name(&by))
            .execute(&mut *tx)
            .await
            .context("linking a subject")?;
            if let Some(record) = audit {
                audit::append(tx, backend, record).await?;
            }
            Ok(Linked::Created(IdentityLink {
                subject_id: subject.clone(),
                account_id: account.clone(),
                linked_at: now,
                linked_by: by,
                unlinked_at: None,
            }))
        }
        .await)
    }

    /// Ends the subject's live link and appends `audit`, in one transaction; `false` when it
    /// had none (nothing written).
    pub async fn unlink(&self, site: &SiteId, subject: &SubjectId, audit: &AuditRecord) -> anyhow::Result<bool> {
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            if !end_live_link(tx, site, subject, &clock::now_rfc3339()).await? {
                return Ok(false);
            }
            audit::append(tx, backend, audit).await?;
            Ok(true)
        }
        .await)
    }

    /// The subjects linked to `account` now.
    pub async fn linked_subjects(&self, site: &SiteId, account: &AccountId) -> anyhow::Result<Vec<SubjectId>> {
        let rows = sqlx::query(
            "SELECT subject_id FROM identity_links WHERE site_id = $1 AND account_id = $2 AND unlinked_at IS NULL \
             ORDER BY subject_id",
        )
        .bind(site.as_str())
        .bind(account.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(SubjectId::parse(r.try_get("subject_id")?)?))
            .collect()
    }

    /// Every link `account` has had, ended ones included, newest first.
    pub async fn account_links(&self, site: &SiteId, account: &AccountId) -> anyhow::Result<Vec<IdentityLink>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM identity_links WHERE site_id = $1 AND account_id = $2 ORDER BY id DESC"
        ))
        .bind(site.as_str())
        .bind(account.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(parse_link).collect()
    }

    /// Whether an event with this id is recorded for the site: a sync retried after its
    /// event was committed must be answered from that event, not found "already in sync".
    pub async fn event_recorded(&self, site: &SiteId, event: &EventId) -> anyhow::Result<bool> {
        let row = sqlx::query("SELECT seq FROM consent_events WHERE site_id = $1 AND event_id = $2")
            .bind(site.as_str())
            .bind(event.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }
}

async fn end_live_link(
    conn: &mut sqlx::AnyConnection,
    site: &SiteId,
    subject: &SubjectId,
    now: &str,
) -> anyhow::Result<bool> {
    let ended = sqlx::query(
        "UPDATE identity_links SET unlinked_at = $3 WHERE site_id = $1 AND subject_id = $2 AND unlinked_at IS NULL",
    )
    .bind(site.as_str())
    .bind(subject.as_str())
    .bind(now)
    .execute(conn)
    .await
    .context("ending a link")?;
    Ok(ended.rows_affected() > 0)
}
