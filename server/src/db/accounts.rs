//! Admin accounts and their per-site roles.

use super::Db;
use super::audit::{self, AuditRecord};
use crate::auth::Role;
use crate::clock;
use anyhow::Context;
use assent_shared::ids::SiteId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// An account as stored (the password hash never leaves the server).
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub token_version: i64,
}

/// What an account may do now: read on every admin request (cached briefly), so a logout,
/// a password change or a revoked role takes effect before the session token expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub email: String,
    pub is_admin: bool,
    pub token_version: i64,
    pub roles: BTreeMap<SiteId, Role>,
}

/// An account as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub is_admin: bool,
    pub created_at: String,
    pub sites: BTreeMap<String, Role>,
}

/// The outcome of creating an account.
#[derive(Debug)]
pub enum Created {
    Created(String),
    EmailTaken,
}

fn user_row(r: &AnyRow) -> anyhow::Result<UserRow> {
    Ok(UserRow {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        password_hash: r.try_get("password_hash")?,
        is_admin: r.try_get::<i64, _>("is_admin")? != 0,
        token_version: r.try_get("token_version")?,
    })
}

/// Emails are compared case-insensitively (stored lower-cased).
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

impl Db {
    pub async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        is_admin: bool,
        audit: &AuditRecord,
    ) -> anyhow::Result<Created> {
        let email = normalize_email(email);
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            let taken = sqlx::query("SELECT id FROM admin_users WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Ok(Created::EmailTaken);
            }
            let id = uuid::Uuid::new_v4().to_string();
            sqlx::query(
                "INSERT INTO admin_users (id, email, password_hash, is_admin, token_version, created_at) \
                 VALUES ($1, $2, $3, $4, 1, $5)",
            )
            .bind(id.as_str())
            .bind(email.as_str())
            .bind(password_hash)
            .bind(i64::from(is_admin))
            .bind(clock::now_rfc3339())
            .execute(&mut *tx)
            .await
            .context("creating a user")?;
            audit::append(tx, backend, audit).await?;
            Ok(Created::Created(id))
        }
        .await)
    }

    pub async fn user_by_email(&self, email: &str) -> anyhow::Result<Option<UserRow>> {
        let row =
            sqlx::query("SELECT id, email, password_hash, is_admin, token_version FROM admin_users WHERE email = $1")
                .bind(normalize_email(email))
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(user_row).transpose()
    }

    pub async fn user_by_id(&self, id: &str) -> anyhow::Result<Option<UserRow>> {
        let row =
            sqlx::query("SELECT id, email, password_hash, is_admin, token_version FROM admin_users WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(user_row).transpose()
    }

    /// The account's current access, or `None` if it no longer exists.
    pub async fn access(&self, user_id: &str) -> anyhow::Result<Option<Access>> {
        let Some(user) = self.user_by_id(user_id).await? else {
            return Ok(None);
        };
        let rows = sqlx::query("SELECT site_id, role FROM site_roles WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        let mut roles = BTreeMap::new();
        for r in &rows {
            let role = Role::parse(r.try_get("role")?).context("unknown role in site_roles")?;
            roles.insert(SiteId::parse(r.try_get("site_id")?)?, role);
        }
        Ok(Some(Access {
            email: user.email,
            is_admin: user.is_admin,
            token_version: user.token_version,
            roles,
        }))
    }

    /// Revokes every token issued to the account so far (logout); with `password_hash`, also
    /// replaces the password (password change). Audited in the same transaction.
    pub async fn revoke_sessions(
        &self,
        user_id: &str,
        password_hash: Option<&str>,
        audit: &AuditRecord,
    ) -> anyhow::Result<()> {
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            sqlx::query("UPDATE admin_users SET token_version = token_version + 1 WHERE id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if let Some(hash) = password_hash {
                sqlx::query("UPDATE admin_users SET password_hash = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            audit::append(tx, backend, audit).await?;
            Ok(())
        }
        .await)
    }

    /// Gives `user_id` a role on `site` (replacing any), or with `None` removes it.
    pub async fn set_role(
        &self,
        user_id: &str,
        site: &SiteId,
        role: Option<Role>,
        audit: &AuditRecord,
    ) -> anyhow::Result<()> {
        let backend = self.backend;
        in_transaction!(self, |tx| async {
            sqlx::query("DELETE FROM site_roles WHERE user_id = $1 AND site_id = $2")
                .bind(user_id)
                .bind(site.as_str())
                .execute(&mut *tx)
                .await?;
            if let Some(role) = role {
                sqlx::query("INSERT INTO site_roles (user_id, site_id, role) VALUES ($1, $2, $3)")
                    .bind(user_id)
                    .bind(site.as_str())
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            audit::append(tx, backend, audit).await?;
            Ok(())
        }
        .await)
    }

    /// Accounts with their roles; only those holding a role on `site` when given.
    pub async fn users(&self, site: Option<&SiteId>) -> anyhow::Result<Vec<UserSummary>> {
        let users = sqlx::query("SELECT id, email, is_admin, created_at FROM admin_users ORDER BY email")
            .fetch_all(&self.pool)
            .await?;
        let roles = sqlx::query("SELECT user_id, site_id, role FROM site_roles")
            .fetch_all(&self.pool)
            .await?;
        let mut by_user: BTreeMap<String, BTreeMap<String, Role>> = BTreeMap::new();
        for r in &roles {
            let role = Role::parse(r.try_get("role")?).context("unknown role in site_roles")?;
            by_user
                .entry(r.try_get("user_id")?)
                .or_default()
                .insert(r.try_get("site_id")?, role);
        }
        let mut out = Vec::new();
        for r in &users {
            let id: String = r.try_get("id")?;
            let sites = by_user.remove(&id).unwrap_or_default();
            if site.is_some_and(|s| !sites.contains_key(s.as_str())) {
                continue;
            }
            out.push(UserSummary {
                id,
                email: r.try_get("email")?,
                is_admin: r.try_get::<i64, _>("is_admin")? != 0,
                created_at: r.try_get("created_at")?,
                sites,
            });
        }
        Ok(out)
    }
}
