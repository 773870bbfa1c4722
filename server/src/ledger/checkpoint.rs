//! Signed checkpoints: made periodically and on demand, stored in the (append-only)
//! `checkpoints` table and appended to a JSON-lines file outside the database, so they can be
//! archived elsewhere and a deleted or re-chained subject is detected.

use super::Ledger;
use crate::clock;
use crate::keys::Keys;
use anyhow::Context;
use assent_shared::api::{ChainHead, Checkpoint};
use assent_shared::ids::SiteId;
use assent_shared::merkle;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// What a checkpoint's signature covers.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CheckpointClaims {
    pub typ: String,
    pub site: String,
    pub number: u64,
    pub created_at: String,
    pub tree_size: u64,
    pub root: String,
}

impl CheckpointClaims {
    pub fn of(c: &Checkpoint) -> Self {
        Self {
            typ: "checkpoint".into(),
            site: c.site_id.to_string(),
            number: c.number,
            created_at: c.created_at.clone(),
            tree_size: c.tree_size,
            root: c.root.clone(),
        }
    }
}

pub fn merkle_root(heads: &[ChainHead]) -> String {
    let leaves: Vec<[u8; 32]> = heads
        .iter()
        .map(|h| merkle::head_leaf(&h.subject_id, h.seq, &h.hash))
        .collect();
    hex::encode(merkle::root(&leaves))
}

/// Makes, signs, stores and publishes a checkpoint of the site's current chain heads.
pub async fn make(ledger: &dyn Ledger, keys: &Keys, site: &SiteId, file: Option<&Path>) -> anyhow::Result<Checkpoint> {
    let heads = ledger.chain_heads(site).await?;
    let number = ledger.checkpoints(site).await?.last().map_or(1, |c| c.number + 1);
    let mut checkpoint = Checkpoint {
        site_id: site.clone(),
        number,
        created_at: clock::now_rfc3339(),
        tree_size: heads.len() as u64,
        root: merkle_root(&heads),
        heads,
        signature: String::new(),
    };
    checkpoint.signature = keys.sign(&CheckpointClaims::of(&checkpoint))?;
    ledger.append_checkpoint(&checkpoint).await?;
    if let Some(path) = file {
        append_line(path, &checkpoint).with_context(|| format!("publishing checkpoint to {}", path.display()))?;
    }
    Ok(checkpoint)
}

fn append_line(path: &Path, checkpoint: &Checkpoint) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    writeln!(f, "{}", serde_json::to_string(checkpoint)?)?;
    f.sync_data()?;
    Ok(())
}

/// Checkpoints published to the file, for comparison with the database.
pub fn read_file(path: &Path) -> anyhow::Result<Vec<Checkpoint>> {
    if !path.exists() {
        return Ok(vec![]);
    }
    std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).context("unreadable checkpoint line"))
        .collect()
}

/// Makes a checkpoint for every site whose chain heads moved since its last one.
pub async fn make_due(ledger: &dyn Ledger, keys: &Keys, file: Option<&Path>) -> anyhow::Result<usize> {
    let mut made = 0;
    for site in ledger.sites().await? {
        let heads = ledger.chain_heads(&site.id).await?;
        let last = ledger.checkpoints(&site.id).await?.pop();
        if heads.is_empty() || last.is_some_and(|c| c.root == merkle_root(&heads)) {
            continue;
        }
        make(ledger, keys, &site.id, file).await?;
        made += 1;
    }
    Ok(made)
}
