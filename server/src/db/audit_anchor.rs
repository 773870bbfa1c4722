//! Signed anchors of the audit log's head, appended to a file outside the database
//! (`audit-anchors.jsonl`, next to the checkpoint file), as checkpoints anchor the consent
//! chains. A hash chain alone cannot show that its last entries were cut off — the shorter
//! chain is still a valid chain — but an anchor names an entry and its hash that the log
//! must still hold: `assent verify` checks the latest one.

use super::Db;
use super::audit::AuditProblem;
use crate::clock;
use crate::keys::Keys;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One line of the anchor file: the audit log's head when it was made, and a compact JWS
/// over the same fields (`typ = audit_anchor`; keys at `/.well-known/jwks.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnchor {
    pub seq: u64,
    pub hash: String,
    pub created_at: String,
    pub signature: String,
}

/// What an anchor's signature covers.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct AnchorClaims {
    typ: String,
    seq: u64,
    hash: String,
    created_at: String,
}

impl AnchorClaims {
    fn of(a: &AuditAnchor) -> Self {
        Self {
            typ: "audit_anchor".into(),
            seq: a.seq,
            hash: a.hash.clone(),
            created_at: a.created_at.clone(),
        }
    }
}

/// The anchor file for a checkpoint file: `audit-anchors.jsonl` in the same directory.
pub fn anchor_file(checkpoint_file: &Path) -> PathBuf {
    checkpoint_file.with_file_name("audit-anchors.jsonl")
}

/// The anchors in `path`, oldest first (none when the file does not exist).
pub fn read_anchors(path: &Path) -> anyhow::Result<Vec<AuditAnchor>> {
    if !path.exists() {
        return Ok(vec![]);
    }
    std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).context("unreadable audit anchor line"))
        .collect()
}

impl Db {
    /// The audit log's last entry: (seq, hash), if any.
    async fn audit_head(&self) -> anyhow::Result<Option<(u64, String)>> {
        let row: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .context("reading the audit log's head")?;
        row.map(|(seq, hash)| Ok((u64::try_from(seq)?, hash))).transpose()
    }

    /// Appends a signed anchor of the audit log's head to `path` when the log grew since the
    /// file's last anchor. Returns whether it wrote one.
    pub async fn anchor_audit(&self, keys: &Keys, path: &Path) -> anyhow::Result<bool> {
        let Some((seq, hash)) = self.audit_head().await? else {
            return Ok(false);
        };
        if read_anchors(path)?
            .last()
            .is_some_and(|a| a.seq == seq && a.hash == hash)
        {
            return Ok(false);
        }
        let mut anchor = AuditAnchor {
            seq,
            hash,
            created_at: clock::now_rfc3339(),
            signature: String::new(),
        };
        anchor.signature = keys.sign(&AnchorClaims::of(&anchor))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(f, "{}", serde_json::to_string(&anchor)?)?;
        f.sync_data()?;
        Ok(true)
    }

    /// Checks the latest genuine anchor of `path` against the log: the entry it names must
    /// still be there with the same hash. (With the chain verified from its start, that
    /// proves every entry up to the anchor is intact.) Anchors whose signature fails are
    /// problems themselves.
    pub async fn check_audit_anchors(&self, keys: &Keys, path: &Path) -> anyhow::Result<Vec<AuditProblem>> {
        let mut problems = Vec::new();
        let mut latest = None;
        for anchor in read_anchors(path)? {
            if keys.verify::<AnchorClaims>(&anchor.signature) == Some(AnchorClaims::of(&anchor)) {
                latest = Some(anchor);
            } else {
                problems.push(AuditProblem {
                    seq: anchor.seq,
                    problem: format!("the anchor made at {} is not genuine (signature)", anchor.created_at),
                });
            }
        }
        if let Some(anchor) = latest {
            let stored: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(i64::try_from(anchor.seq)?)
                .fetch_optional(&self.pool)
                .await
                .context("reading an anchored audit entry")?;
            match stored {
                None => problems.push(AuditProblem {
                    seq: anchor.seq,
                    problem: format!(
                        "missing, though anchored at {}: entries were cut from the end of the log",
                        anchor.created_at
                    ),
                }),
                Some(hash) if hash != anchor.hash => problems.push(AuditProblem {
                    seq: anchor.seq,
                    problem: format!("its hash differs from the one anchored at {}", anchor.created_at),
                }),
                Some(_) => {}
            }
        }
        Ok(problems)
    }
}
