//! Hand-off codes for the hosted privacy-settings page: made for one subject of one site,
//! exchanged once, within [`CODE_LIFETIME`], for a page session. Only their SHA-256 is stored.

use super::Db;
use crate::clock;
use anyhow::Context;
use assent_shared::ids::{SiteId, SubjectId};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a hand-off link works (issue 10: five minutes).
pub const CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// Why a code opened nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Never made, or made for another site.
    Unknown,
    /// Already exchanged once.
    Used,
    Expired,
}

fn digest(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

impl Db {
    /// A new code for `subject` of `site` (256 random bits, URL-safe), stored as its hash;
    /// returns the code and its expiry (unix milliseconds). Expired codes are swept here.
    pub async fn create_settings_code(&self, site: &SiteId, subject: &SubjectId) -> anyhow::Result<(String, i64)> {
        let code = crate::auth::random_token(32);
        let now = clock::now_unix_ms();
        let expires = now + i64::try_from(CODE_LIFETIME.as_millis())?;
        sqlx::query("DELETE FROM settings_codes WHERE expires_at < $1")
            .bind(now - 24 * 3600 * 1000)
            .execute(&self.pool)
            .await
            .context("sweeping old settings codes")?;
        sqlx::query(
            "INSERT INTO settings_codes (code_hash, site_id, subject_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest(&code))
        .bind(site.as_str())
        .bind(subject.as_str())
        .bind(clock::now_rfc3339())
        .bind(expires)
        .execute(&self.pool)
        .await
        .context("storing a settings code")?;
        Ok((code, expires))
    }

    /// Exchanges a code: its subject if it was made for `site`, unused and unexpired, and
    /// marks it used in the same statement, so two tabs racing with one code get one session.
    /// The statement runs in a transaction of its own: on SQLite the `RETURNING` row arrives
    /// before the implicit commit, whose failure (a full disk) would otherwise be lost and the
    /// code stay unused behind a session already handed out. An explicit commit fails loudly.
    pub async fn redeem_settings_code(&self, site: &SiteId, code: &str) -> anyhow::Result<Result<SubjectId, Refused>> {
        let hash = digest(code);
        let now = clock::now_unix_ms();
        let mut tx = self.pool.begin().await.context("redeeming a settings code")?;
        let won: Option<String> = sqlx::query_scalar(
            "UPDATE settings_codes SET used_at = $1 WHERE code_hash = $2 AND site_id = $3 AND used_at IS NULL \
             AND expires_at > $4 RETURNING subject_id",
        )
        .bind(clock::now_rfc3339())
        .bind(&hash)
        .bind(site.as_str())
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .context("redeeming a settings code")?;
        tx.commit().await.context("redeeming a settings code")?;
        if let Some(subject) = won {
            return Ok(Ok(SubjectId::parse(&subject)?));
        }
        let row: Option<(Option<String>, i64)> =
            sqlx::query_as("SELECT used_at, expires_at FROM settings_codes WHERE code_hash = $1 AND site_id = $2")
                .bind(&hash)
                .bind(site.as_str())
                .fetch_optional(&self.pool)
                .await
                .context("reading a settings code")?;
        Ok(Err(match row {
            None => Refused::Unknown,
            Some((Some(_), _)) => Refused::Used,
            Some((None, _)) => Refused::Expired,
        }))
    }
}
