//! Site settings written by site owners: creating and editing sites, their secrets, and the
//! draft of the next notice version. Every change bumps the configuration version (so every
//! process reloads within seconds) and is audited in the same transaction.

use super::Db;
use super::audit::{self, AuditRecord};
use crate::auth::{Role, random_token};
use crate::clock;
use crate::ledger::{SiteRecord, bump_config_version, insert_notice};
use anyhow::Context;
use assent_shared::admin_api::NoticeVersion;
use assent_shared::ids::SiteId;
use assent_shared::notice::Notice;
use assent_shared::regime::Regime;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::BTreeMap;

/// Prefix of every site secret, so a leaked one is recognisable (e.g. by secret scanners).
pub const SECRET_PREFIX: &str = "assent_sk_";

/// A freshly made secret: shown once, stored only as a hash.
#[derive(Debug)]
pub struct NewSecret {
    /// `assent_sk_<8 hex id>_<43 random base64url characters>` (256 bits).
    pub secret: String,
    pub id: String,
    pub hash: String,
}

impl NewSecret {
    pub fn generate() -> Self {
        // Hex, so the `_` after it is unambiguous (base64url may itself contain `_`).
        let mut raw = [0u8; 4];
        getrandom::fill(&mut raw).unwrap_or_else(|e| panic!("no OS randomness: {e}"));
        let id = hex::encode(raw);
        let secret = format!("{SECRET_PREFIX}{id}_{}", random_token(32));
        let hash = secret_hash(&secret);
        Self { secret, id, hash }
    }
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The fields of a site an owner may change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct SiteChanges {
    pub name: Option<String>,
    pub origins: Option<Vec<String>>,
    pub regime_overrides: Option<BTreeMap<String, Regime>>,
}

/// The working draft of a site's next notice version.
#[derive(Debug, Clone)]
pub struct Draft {
    pub notice: Notice,
    pub updated_at: String,
    pub updated_by: String,
    /// Changes on every save (a random id): what a publisher names to publish what they read.
    pub revision: String,
}

impl Db {
    /// Creates a site with its starter notice (version 1), its first secret and, when given,
    /// its first owner. `Ok(false)` when the id is taken (nothing written).
    pub async fn create_site(
        &self,
        site: &SiteRecord,
        starter: &Notice,
        secret: &NewSecret,
        owner: Option<&str>,
        audit: &AuditRecord,
    ) -> anyhow::Result<bool> {
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            let taken = sqlx::query("SELECT id FROM sites WHERE id = $1")
                .bind(site.id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Ok(false);
            }
            let now = clock::now_rfc3339();
            sqlx::query(
                "INSERT INTO sites (id, name, origins, created_at, regime_overrides, starter_notice) \
                 VALUES ($1, $2, $3, $4, $5, 1)",
            )
            .bind(site.id.as_str())
            .bind(site.name.as_str())
            .bind(serde_json::to_string(&site.origins)?)
            .bind(now.as_str())
            .bind(serde_json::to_string(&site.regime_overrides)?)
            .execute(&mut *tx)
            .await
            .context("creating a site")?;
            insert_notice(tx, &site.id, starter).await?;
            insert_secret(tx, &site.id, secret, &now).await?;
            if let Some(user) = owner {
                sqlx::query("INSERT INTO site_roles (user_id, site_id, role) VALUES ($1, $2, $3)")
                    .bind(user)
                    .bind(site.id.as_str())
                    .bind(Role::Owner.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            audit::append(tx, backend, audit).await?;
            Ok(true)
        }
        .await)
    }

    /// Applies `changes` to a site. `Ok(false)` if the site does not exist.
    pub async fn update_site(&self, site: &SiteId, changes: &SiteChanges, audit: &AuditRecord) -> anyhow::Result<bool> {
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            let mut sets = Vec::new();
            let mut values = Vec::new();
            if let Some(name) = &changes.name {
                values.push(name.clone());
                sets.push(format!("name = ${}", values.len() + 1));
            }
            if let Some(origins) = &changes.origins {
                values.push(serde_json::to_string(origins)?);
                sets.push(format!("origins = ${}", values.len() + 1));
            }
            if let Some(overrides) = &changes.regime_overrides {
                values.push(serde_json::to_string(overrides)?);
                sets.push(format!("regime_overrides = ${}", values.len() + 1));
            }
            if sets.is_empty() {
                sets.push("name = name".into());
            }
            let sql = format!("UPDATE sites SET {} WHERE id = $1", sets.join(", "));
            let mut q = sqlx::query(&sql).bind(site.as_str());
            for v in &values {
                q = q.bind(v.as_str());
            }
            if q.execute(&mut *tx).await?.rows_affected() == 0 {
                return Ok(false);
            }
            bump_config_version(tx).await?;
            audit::append(tx, backend, audit).await?;
            Ok(true)
        }
        .await)
    }

    /// Archives a site: its public API stops answering; its ledger stays.
    pub async fn archive_site(&self, site: &SiteId, audit: &AuditRecord) -> anyhow::Result<()> {
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            sqlx::query("UPDATE sites SET archived_at = $2 WHERE id = $1 AND archived_at IS NULL")
                .bind(site.as_str())
                .bind(clock::now_rfc3339())
                .execute(&mut *tx)
                .await?;
            bump_config_version(tx).await?;
            audit::append(tx, backend, audit).await?;
            Ok(())
        }
        .await)
    }

    /// Adds `secret` and lets every current secret expire `overlap` from now (so callers can
    /// switch without downtime). Returns when the old ones stop working (RFC 3339).
    pub async fn rotate_secret(
        &self,
        site: &SiteId,
        secret: &NewSecret,
        overlap: time::Duration,
        audit: &AuditRecord,
    ) -> anyhow::Result<String> {
        let backend = self.backend;
        let now = time::OffsetDateTime::now_utc();
        let until = clock::format_rfc3339(now + overlap);
        in_transaction!(self, |tx| {
            async {
            if backend == crate::ledger::Backend::Postgres {
                // Concurrent rotations queue here, so each sees the secrets the previous added.
                sqlx::query("SELECT id FROM sites WHERE id = $1 FOR UPDATE")
                    .bind(site.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "UPDATE site_secrets SET expires_at = $2 WHERE site_id = $1 AND (expires_at IS NULL OR expires_at > $2)",
            )
            .bind(site.as_str())
            .bind(until.as_str())
            .execute(&mut *tx)
            .await?;
            insert_secret(tx, site, secret, &clock::format_rfc3339(now)).await?;
            bump_config_version(tx).await?;
            audit::append(tx, backend, audit).await?;
            Ok(until.clone())
        }
        .await
        })
    }

    /// Whether `presented` is a current secret of `site` (not expired).
    pub async fn check_secret(&self, site: &SiteId, presented: &str) -> anyhow::Result<bool> {
        let Some(id) = presented
            .strip_prefix(SECRET_PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .map(|(id, _)| id)
        else {
            return Ok(false);
        };
        let row = sqlx::query("SELECT secret_hash, expires_at FROM site_secrets WHERE site_id = $1 AND secret_id = $2")
            .bind(site.as_str())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let current = row
            .try_get::<Option<String>, _>("expires_at")?
            .is_none_or(|until| until > clock::now_rfc3339());
        let stored: String = row.try_get("secret_hash")?;
        // Both sides are SHA-256 digests of secrets: comparing them leaks nothing usable.
        Ok(current && stored == secret_hash(presented))
    }

    /// The published versions of a site, oldest first.
    pub async fn notice_versions(&self, site: &SiteId) -> anyhow::Result<Vec<NoticeVersion>> {
        let rows = sqlx::query("SELECT body, published_at FROM notices WHERE site_id = $1 ORDER BY version")
            .bind(site.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let notice: Notice = serde_json::from_str(r.try_get::<&str, _>("body")?)?;
                Ok(NoticeVersion {
                    version: notice.version,
                    policy_version: notice.policy_version,
                    material_change: notice.material_change,
                    published_at: r.try_get("published_at")?,
                })
            })
            .collect()
    }

    pub async fn draft(&self, site: &SiteId) -> anyhow::Result<Option<Draft>> {
        let row = sqlx::query("SELECT body, updated_at, updated_by, revision FROM notice_drafts WHERE site_id = $1")
            .bind(site.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Draft {
                notice: serde_json::from_str(r.try_get::<&str, _>("body")?).context("stored draft")?,
                updated_at: r.try_get("updated_at")?,
                updated_by: r.try_get("updated_by")?,
                revision: r.try_get("revision")?,
            })
        })
        .transpose()
    }

    /// Saves the draft (replacing the previous one, or with `expected` only the draft of that
    /// revision: `None` when it changed, was published or never existed); returns its
    /// `updated_at` and new
    /// revision. Drafts are work in progress: not audited.
    pub async fn save_draft(
        &self,
        site: &SiteId,
        notice: &Notice,
        by: &str,
        expected: Option<&str>,
    ) -> anyhow::Result<Option<(String, String)>> {
        let now = clock::now_rfc3339();
        let revision = uuid::Uuid::new_v4().simple().to_string();
        let body = serde_json::to_string(notice)?;
        // With `expected`, only that revision of the draft is replaced (one statement: two
        // saves racing cannot both pass the check).
        let query = match expected {
            None => sqlx::query(
                "INSERT INTO notice_drafts (site_id, body, updated_at, updated_by, revision) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (site_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, \
                 updated_by = excluded.updated_by, revision = excluded.revision",
            ),
            Some(_) => sqlx::query(
                "UPDATE notice_drafts SET body = $2, updated_at = $3, updated_by = $4, revision = $5 \
                 WHERE site_id = $1 AND revision = $6",
            ),
        };
        let query = query
            .bind(site.as_str())
            .bind(body)
            .bind(now.as_str())
            .bind(by)
            .bind(revision.as_str());
        let query = match expected {
            Some(seen) => query.bind(seen),
            None => query,
        };
        let done = query.execute(&self.pool).await.context("saving the draft")?;
        Ok((done.rows_affected() == 1).then_some((now, revision)))
    }

    /// Publishes `notice` as the site's next version: the draft is removed, the starter flag
    /// cleared. `Ok(false)` when another publication took that version first.
    /// `draft_revision` is the draft's revision as read: if the draft changed or was
    /// published since, nothing is written and the answer is `Ok(false)`.
    pub async fn publish(
        &self,
        site: &SiteId,
        notice: &Notice,
        draft_revision: &str,
        audit: &AuditRecord,
    ) -> anyhow::Result<bool> {
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM notices WHERE site_id = $1")
                .bind(site.as_str())
                .fetch_one(&mut *tx)
                .await?;
            if latest.unwrap_or(0) + 1 != i64::from(notice.version) {
                return Ok(false);
            }
            // Taking the draft first makes a second publication of it (or of a draft changed
            // since it was read) find nothing and write nothing.
            let taken = sqlx::query("DELETE FROM notice_drafts WHERE site_id = $1 AND revision = $2")
                .bind(site.as_str())
                .bind(draft_revision)
                .execute(&mut *tx)
                .await?;
            if taken.rows_affected() != 1 {
                return Ok(false);
            }
            insert_notice(tx, site, notice).await?;
            sqlx::query("UPDATE sites SET starter_notice = 0 WHERE id = $1")
                .bind(site.as_str())
                .execute(&mut *tx)
                .await?;
            audit::append(tx, backend, audit).await?;
            Ok(true)
        }
        .await)
    }
}

async fn insert_secret(
    conn: &mut sqlx::AnyConnection,
    site: &SiteId,
    secret: &NewSecret,
    now: &str,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO site_secrets (site_id, secret_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(site.as_str())
        .bind(secret.id.as_str())
        .bind(secret.hash.as_str())
        .bind(now)
        .execute(conn)
        .await
        .context("storing a site secret")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_recognisable_random_and_stored_only_as_its_hash() {
        let a = NewSecret::generate();
        let b = NewSecret::generate();
        assert!(a.secret.starts_with(SECRET_PREFIX));
        assert!(
            a.secret.starts_with(&format!("{SECRET_PREFIX}{}_", a.id)),
            "{}",
            a.secret
        );
        assert_eq!(a.id.len(), 8);
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, secret_hash(&a.secret));
        assert!(!a.hash.contains(&a.secret));
        assert!(a.secret.len() >= SECRET_PREFIX.len() + 8 + 1 + 43);
    }
}
