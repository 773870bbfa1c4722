//! The Global Vendor List cache's tables (migration 0014): `gvl_files`, every version of
//! `vendor-list.json` and its translations as fetched, and `gvl_status`, the one row where
//! the refresher ([`crate::tcf::refresh`]) records how it stands. Written only by the
//! process holding the refresher's lease; read by every process.

use super::Db;
use anyhow::Context;
use sha2::{Digest, Sha256};

/// One stored file: `language` is `en` for `vendor-list.json`, else the translation's.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GvlFile {
    pub vendor_list_version: i64,
    pub language: String,
    pub body: String,
    pub fetched_at: String,
}

/// The `gvl_status` row (made by the first attempt or request; until then, all empty).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct GvlStatusRow {
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    /// Unix ms; `None`: due now.
    pub next_fetch_at: Option<i64>,
    pub refresh_requested: i64,
}

/// What one refresh attempt leaves in `gvl_status`.
#[derive(Debug, Clone)]
pub struct GvlAttempt<'a> {
    pub at: &'a str,
    /// The list (or a translation) stored by this attempt.
    pub succeeded: bool,
    pub error: Option<&'a str>,
    pub next_fetch_at: Option<i64>,
}

impl Db {
    /// Stores `files` (`(language, body)`) under `version`, replacing a file of the same
    /// version and language that changed (a translation IAB corrected), in one transaction;
    /// if any row changed, moves the configuration version so every process reloads the list.
    /// Returns whether any row changed.
    pub async fn store_gvl_files(&self, version: u16, files: &[(String, String)], at: &str) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await.context("storing GVL files")?;
        let mut changed = 0;
        for (language, body) in files {
            changed += sqlx::query(
                "INSERT INTO gvl_files (vendor_list_version, language, body, sha256, fetched_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (vendor_list_version, language) DO UPDATE \
                 SET body = excluded.body, sha256 = excluded.sha256, fetched_at = excluded.fetched_at \
                 WHERE gvl_files.sha256 <> excluded.sha256",
            )
            .bind(i64::from(version))
            .bind(language)
            .bind(body)
            .bind(hex::encode(Sha256::digest(body.as_bytes())))
            .bind(at)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("storing GVL version {version} ({language})"))?
            .rows_affected();
        }
        if changed > 0 {
            crate::ledger::bump_config_version(&mut tx).await?;
        }
        tx.commit().await.context("committing GVL files")?;
        Ok(changed > 0)
    }

    /// The highest stored version and the languages stored for it.
    pub async fn gvl_current(&self) -> anyhow::Result<Option<(u16, Vec<String>)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT vendor_list_version, language FROM gvl_files \
             WHERE vendor_list_version = (SELECT MAX(vendor_list_version) FROM gvl_files) ORDER BY language",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading the current GVL version")?;
        let Some((version, _)) = rows.first() else {
            return Ok(None);
        };
        let version = u16::try_from(*version).context("a stored vendorListVersion is out of range")?;
        Ok(Some((version, rows.into_iter().map(|(_, l)| l).collect())))
    }

    /// Whether `vendor-list.json` of `version` is stored.
    pub async fn gvl_has_version(&self, version: u16) -> anyhow::Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT vendor_list_version FROM gvl_files WHERE vendor_list_version = $1 AND language = 'en'",
        )
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await
        .with_context(|| format!("looking up GVL version {version}"))?;
        Ok(found.is_some())
    }

    /// Every file of `version`.
    pub async fn gvl_files(&self, version: u16) -> anyhow::Result<Vec<GvlFile>> {
        sqlx::query_as(
            "SELECT vendor_list_version, language, body, fetched_at FROM gvl_files \
             WHERE vendor_list_version = $1 ORDER BY language",
        )
        .bind(i64::from(version))
        .fetch_all(&self.pool)
        .await
        .with_context(|| format!("reading GVL version {version}"))
    }

    /// The stored versions, newest first, at most `limit`: (version, first fetched, languages).
    pub async fn gvl_history(&self, limit: i64) -> anyhow::Result<Vec<(u16, String, Vec<String>)>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT vendor_list_version, language, fetched_at FROM gvl_files WHERE vendor_list_version IN \
             (SELECT DISTINCT vendor_list_version FROM gvl_files ORDER BY vendor_list_version DESC LIMIT $1) \
             ORDER BY vendor_list_version DESC, language",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading the GVL history")?;
        let mut out: Vec<(u16, String, Vec<String>)> = Vec::new();
        for (version, language, fetched_at) in rows {
            let version = u16::try_from(version).context("a stored vendorListVersion is out of range")?;
            match out.last_mut() {
                Some(last) if last.0 == version => {
                    if language == "en" {
                        last.1 = fetched_at;
                    }
                    last.2.push(language);
                }
                _ => out.push((version, fetched_at, vec![language])),
            }
        }
        // `en` (the list itself) first, then the translations.
        for (_, _, languages) in &mut out {
            languages.sort_by_key(|l| (l != "en", l.clone()));
        }
        Ok(out)
    }

    pub async fn gvl_status(&self) -> anyhow::Result<GvlStatusRow> {
        sqlx::query_as(
            "SELECT last_attempt_at, last_success_at, last_error, next_fetch_at, refresh_requested \
             FROM gvl_status WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await
        .context("reading the GVL status")
        .map(Option::unwrap_or_default)
    }

    /// Records an attempt: its time, error (or none), next fetch, and clears a request.
    pub async fn record_gvl_attempt(&self, attempt: &GvlAttempt<'_>) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO gvl_status (id, last_attempt_at, last_success_at, last_error, next_fetch_at, refresh_requested) \
             VALUES (1, $1, $2, $3, $4, 0) ON CONFLICT (id) DO UPDATE SET \
             last_attempt_at = excluded.last_attempt_at, \
             last_success_at = COALESCE(excluded.last_success_at, gvl_status.last_success_at), \
             last_error = excluded.last_error, next_fetch_at = excluded.next_fetch_at, refresh_requested = 0",
        )
        .bind(attempt.at)
        .bind(attempt.succeeded.then_some(attempt.at))
        .bind(attempt.error)
        .bind(attempt.next_fetch_at)
        .execute(&self.pool)
        .await
        .context("recording the GVL refresh")?;
        Ok(())
    }

    /// Asks the refresher (whichever process holds its lease) to fetch at its next tick.
    pub async fn request_gvl_refresh(&self) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO gvl_status (id, refresh_requested) VALUES (1, 1) \
             ON CONFLICT (id) DO UPDATE SET refresh_requested = 1",
        )
        .execute(&self.pool)
        .await
        .context("requesting a GVL refresh")?;
        Ok(())
    }
}
