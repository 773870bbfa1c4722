//! The audit log of admin actions: who did what, when, to which site, from where.
//!
//! Append-only (triggers refuse UPDATE and DELETE) and hash-chained like the ledger, one
//! chain per instance: `hash = SHA-256(prev_hash ‖ RFC 8785 canonical JSON of the entry)`,
//! starting from 64 zeros. `assent verify` re-walks it and names the first broken entry.

use super::Db;
// The dashboard reads entries too, so their shape lives in `shared`.
use crate::clock;
use crate::ledger::Backend;
use anyhow::Context;
pub use assent_shared::admin_api::AuditEntry;
use assent_shared::consent::GENESIS_HASH;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

/// What happened, as the caller knows it; the log adds the place in the chain and the time.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// `user:<email>`, `service` (a service token), `site_secret` (the site's backend) or
    /// `cli` (an operator command).
    pub actor: String,
    /// `login`, `logout`, `password_change`, `user_create`, `role_grant`, `role_revoke`,
    /// `site_create`, `site_update`, `site_archive`, `secret_rotate`, `notice_publish`, `draft_preview`,
    /// `service_token_issue`,
    /// `export`, `subject_lookup`, `subject_export`, `subject_erase`, `account_lookup`,
    /// `identity_link`, `identity_unlink` (by the site's backend), `webhook_change`.
    pub action: &'static str,
    pub site_id: Option<String>,
    /// Action-specific facts (changed fields, version published…); never a secret.
    pub details: Value,
    /// The client address as the server saw it (the trusted header or the peer).
    pub client_ip: Option<String>,
}

/// `SHA-256(prev_hash ‖ canonical JSON of the entry without its hash)`, hex.
pub fn entry_hash(entry: &AuditEntry) -> anyhow::Result<String> {
    let unhashed = AuditEntry {
        hash: String::new(),
        ..entry.clone()
    };
    let bytes = serde_jcs::to_vec(&unhashed).context("canonical audit entry")?;
    let mut h = Sha256::new();
    h.update(entry.prev_hash.as_bytes());
    h.update(bytes);
    Ok(hex::encode(h.finalize()))
}

/// Appends one entry inside the caller's transaction. On PostgreSQL an advisory lock
/// serialises appends across processes; on SQLite the database's single writer does, and a
/// collision on `seq` is retried by [`Db::transaction`].
pub async fn append(conn: &mut AnyConnection, backend: Backend, record: &AuditRecord) -> anyhow::Result<AuditEntry> {
    if backend == Backend::Postgres {
        sqlx::query(
            "SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock(hashtextextended('assent/audit_log', 0))) l",
        )
        .fetch_one(&mut *conn)
        .await
        .context("locking the audit log")?;
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await
        .context("reading the audit log head")?;
    let (seq, prev_hash) = match head {
        Some(r) => (
            u64::try_from(r.try_get::<i64, _>("seq")?)? + 1,
            r.try_get::<String, _>("hash")?,
        ),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut entry = AuditEntry {
        seq,
        at: clock::now_rfc3339(),
        actor: record.actor.clone(),
        action: record.action.to_owned(),
        site_id: record.site_id.clone(),
        details: record.details.clone(),
        client_ip: record.client_ip.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry)?;
    let stored = AuditEntry {
        hash: String::new(),
        ..entry.clone()
    };
    sqlx::query(
        "INSERT INTO audit_log (seq, entry, site_id, action, at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(i64::try_from(seq)?)
    .bind(serde_json::to_string(&stored)?)
    .bind(entry.site_id.clone())
    .bind(entry.action.clone())
    .bind(entry.at.clone())
    .bind(entry.prev_hash.clone())
    .bind(entry.hash.clone())
    .execute(&mut *conn)
    .await
    .context("appending to the audit log")?;
    Ok(entry)
}

/// Filters for reading the log; all optional. `before`: entries with a smaller `seq` (pages
/// backwards from the newest).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// Only this site's entries (on `/v1/admin/sites/{site}/audit`, always the path's site).
    pub site: Option<String>,
    /// Only this action, e.g. `login`, `site_create`, `export`.
    pub action: Option<String>,
    /// RFC 3339 or `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// RFC 3339 or `YYYY-MM-DD`, exclusive.
    pub to: Option<String>,
    /// Only entries with a smaller `seq` (the last `seq` of the previous page).
    pub before: Option<u64>,
    /// 1–500, default 100.
    pub limit: Option<u32>,
}

impl AuditFilter {
    /// The filter with `from`/`to` in the stored form (UTC, milliseconds), so they compare
    /// correctly with `at`; a value that is neither RFC 3339 nor `YYYY-MM-DD`, a `to` not after
    /// `from`, a `limit` outside 1–500 or a `before` past any seq is refused, naming the field.
    pub fn normalized(mut self) -> Result<Self, assent_shared::Invalid> {
        // The database counts seq in i64: a larger cursor is no seq (and would not bind).
        if self.before.is_some_and(|b| i64::try_from(b).is_err()) {
            return Err(assent_shared::Invalid::new(
                "before",
                "a seq, at most 9223372036854775807",
            ));
        }
        if self.limit.is_some_and(|n| !(1..=500).contains(&n)) {
            return Err(assent_shared::Invalid::new("limit", "from 1 to 500 entries a page"));
        }
        for (field, value) in [("from", &mut self.from), ("to", &mut self.to)] {
            if let Some(raw) = value.as_deref() {
                *value = Some(normalize_time(raw).ok_or_else(|| {
                    assent_shared::Invalid::new(field, "use an RFC 3339 timestamp or a YYYY-MM-DD day (UTC)")
                })?);
            }
        }
        // Both are in the stored form now, which orders as time does (a day before its times).
        if let (Some(from), Some(to)) = (&self.from, &self.to)
            && to <= from
        {
            return Err(assent_shared::Invalid::new("to", "must be later than from"));
        }
        Ok(self)
    }
}

fn normalize_time(raw: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(raw, &Rfc3339) {
        return Some(clock::format_rfc3339(t));
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw, &day).ok().map(|d| d.to_string())
}

/// A problem found by [`Db::verify_audit`]: the first entry where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    pub seq: u64,
    pub problem: String,
}

impl Db {
    /// Records one admin action on its own (actions with other writes append inside their
    /// own transaction instead).
    pub async fn audit(&self, record: &AuditRecord) -> anyhow::Result<AuditEntry> {
        let backend = self.backend;
        in_transaction!(self, |tx| append(tx, backend, record).await)
    }

    /// Entries matching `filter`, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> anyhow::Result<Vec<AuditEntry>> {
        let mut sql = String::from("SELECT entry, hash FROM audit_log WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        let mut push = |clause: &str, value: String, sql: &mut String| {
            binds.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
        };
        if let Some(site) = &filter.site {
            push(" AND site_id = ?", site.clone(), &mut sql);
        }
        if let Some(action) = &filter.action {
            push(" AND action = ?", action.clone(), &mut sql);
        }
        if let Some(from) = &filter.from {
            push(" AND at >= ?", from.clone(), &mut sql);
        }
        if let Some(to) = &filter.to {
            push(" AND at < ?", to.clone(), &mut sql);
        }
        let before = filter.before.map(i64::try_from).transpose()?.unwrap_or(i64::MAX);
        let limit = i64::from(filter.limit.unwrap_or(100).clamp(1, 500));
        sql.push_str(&format!(
            " AND seq < ${} ORDER BY seq DESC LIMIT ${}",
            binds.len() + 1,
            binds.len() + 2
        ));
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        let rows = q.bind(before).bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let mut entry: AuditEntry = serde_json::from_str(r.try_get::<&str, _>("entry")?)?;
                entry.hash = r.try_get("hash")?;
                Ok(entry)
            })
            .collect()
    }

    /// Re-walks the whole audit chain; returns how many entries and the problems, first first.
    pub async fn verify_audit(&self) -> anyhow::Result<(u64, Vec<AuditProblem>)> {
        let rows = sqlx::query("SELECT seq, entry, prev_hash, hash FROM audit_log ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        let mut problems = Vec::new();
        let mut expected_prev = GENESIS_HASH.to_owned();
        let mut expected_seq = 1u64;
        for r in &rows {
            let seq = u64::try_from(r.try_get::<i64, _>("seq")?)?;
            let stored_hash: String = r.try_get("hash")?;
            let mut fault = |problem: String| problems.push(AuditProblem { seq, problem });
            if seq != expected_seq {
                fault(format!("expected entry {expected_seq} here: entries are missing"));
            }
            match serde_json::from_str::<AuditEntry>(r.try_get::<&str, _>("entry")?) {
                Err(e) => fault(format!("entry is not valid JSON: {e}")),
                Ok(entry) => {
                    if entry.prev_hash != expected_prev || r.try_get::<String, _>("prev_hash")? != expected_prev {
                        fault("prev_hash does not link to the previous entry".into());
                    }
                    if entry.seq != seq {
                        fault("the entry's seq differs from its row".into());
                    }
                    if entry_hash(&entry)? != stored_hash {
                        fault("hash does not match the entry: it was altered".into());
                    }
                }
            }
            expected_prev = stored_hash;
            expected_seq = seq + 1;
        }
        Ok((rows.len() as u64, problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(seq: u64, prev: &str) -> AuditEntry {
        AuditEntry {
            seq,
            at: "2026-11-30T10:00:00Z".into(),
            actor: "user:owner@example.com".into(),
            action: "site_create".into(),
            site_id: Some("shop".into()),
            details: json!({"origins": ["https://shop.example"]}),
            client_ip: Some("192.0.2.1".into()),
            prev_hash: prev.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn filter_times_are_normalized_or_refused_by_name() {
        let f = AuditFilter {
            from: Some("2026-11-30T12:00:00+01:00".into()),
            to: Some("2026-12-01".into()),
            ..AuditFilter::default()
        }
        .normalized()
        .expect("valid");
        assert_eq!(f.from.as_deref(), Some("2026-11-30T11:00:00.000Z"));
        assert_eq!(f.to.as_deref(), Some("2026-12-01"));
        let err = AuditFilter {
            to: Some("garbage".into()),
            ..AuditFilter::default()
        }
        .normalized()
        .expect_err("refused");
        assert_eq!(err.field, "to");
    }

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let base = entry(1, GENESIS_HASH);
        let h = entry_hash(&base).expect("hash");
        assert_eq!(h.len(), 64);
        assert_eq!(entry_hash(&base).expect("hash"), h, "deterministic");
        let mut changed = base.clone();
        changed.details = json!({"origins": ["https://evil.example"]});
        assert_ne!(entry_hash(&changed).expect("hash"), h);
        let mut relinked = base.clone();
        relinked.prev_hash = "1".repeat(64);
        assert_ne!(entry_hash(&relinked).expect("hash"), h);
        // The stored hash itself is not part of the hashed bytes.
        let mut with_hash = base;
        with_hash.hash = h.clone();
        assert_eq!(entry_hash(&with_hash).expect("hash"), h);
    }
}
