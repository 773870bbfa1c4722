//! Signed checkpoints: made periodically and on demand, stored in the (append-only)
//! `checkpoints` table and appended to a JSON-lines file outside the database, so they can be
//! archived elsewhere and a deleted or re-chained subject is detected.
//!
//! A checkpoint signs the root over every chain head, but stores only the heads that moved
//! since the one before (in `checkpoint_heads`); the published line carries no heads at all.
//! So checkpoints grow with the appends between them, and making one reads the heads a page
//! at a time.

use super::Ledger;
use crate::clock;
use crate::keys::Keys;
use anyhow::Context;
use assent_shared::api::{ChainHead, Checkpoint, PublicCheckpoint};
use assent_shared::ids::SiteId;
use assent_shared::merkle::{self, RootBuilder};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
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
    pub fn of(c: &PublicCheckpoint) -> Self {
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

/// How many heads one read takes, when a root is computed or heads are recorded.
const PAGE: u32 = 1000;

/// The leaf of one chain head (see `merkle::head_leaf`).
pub fn leaf(head: &ChainHead) -> [u8; 32] {
    merkle::head_leaf(&head.subject_id, head.seq, &head.hash)
}

/// Hex Merkle root over heads in the order the checkpoint lists them.
pub fn merkle_root(heads: &[ChainHead]) -> String {
    let mut builder = RootBuilder::default();
    heads.iter().for_each(|h| builder.push(leaf(h)));
    hex::encode(builder.finish())
}

/// The root checkpoint `number` should have and how many heads it covers, recomputed from
/// the heads it signs, a page at a time (constant memory).
pub async fn signed_root(ledger: &dyn Ledger, site: &SiteId, number: u64) -> anyhow::Result<(String, u64)> {
    let mut builder = RootBuilder::default();
    let mut after = String::new();
    loop {
        let page = ledger.signed_heads(site, number, &after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after.clone_from(&last.subject_id);
        page.iter().for_each(|h| builder.push(leaf(h)));
    }
    let size = builder.len();
    Ok((hex::encode(builder.finish()), size))
}

/// A site's chain heads now, read a page at a time: their root and count, and the heads
/// no checkpoint recorded yet (what the next checkpoint records).
struct Heads {
    root: String,
    size: u64,
    new: Vec<ChainHead>,
}

async fn current_heads(ledger: &dyn Ledger, site: &SiteId) -> anyhow::Result<Heads> {
    let mut builder = RootBuilder::default();
    let mut new = Vec::new();
    let mut after = String::new();
    loop {
        let page = ledger.chain_heads(site, &after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after.clone_from(&last.subject_id);
        let subjects: Vec<String> = page.iter().map(|h| h.subject_id.clone()).collect();
        let recorded_heads = ledger.recorded_heads_of(site, &subjects).await?;
        let recorded: HashSet<(String, u64)> = recorded_heads
            .iter()
            .map(|(_, h)| (h.subject_id.clone(), h.seq))
            .collect();
        let moved: Vec<ChainHead> = page
            .iter()
            .filter(|h| !recorded.contains(&(h.subject_id.clone(), h.seq)))
            .cloned()
            .collect();
        still_hold_their_recorded_heads(ledger, site, &moved, &recorded_heads).await?;
        page.iter().for_each(|h| builder.push(leaf(h)));
        new.extend(moved);
    }
    let size = builder.len();
    Ok(Heads {
        root: hex::encode(builder.finish()),
        size,
        new,
    })
}

/// Refuses to seal a chain that moved but no longer holds the last head a checkpoint recorded
/// for it (rewritten with recomputed hashes, or cut back): signing its new head would make
/// the rewrite look verified to the walk since the checkpoint. Reads each moved chain from its
/// last recorded head on: what was appended since, no more.
async fn still_hold_their_recorded_heads(
    ledger: &dyn Ledger,
    site: &SiteId,
    moved: &[ChainHead],
    recorded: &[(u64, ChainHead)],
) -> anyhow::Result<()> {
    // The newest recorded head of each moved chain (`recorded` is in subject, seq order).
    let mut last: std::collections::BTreeMap<&str, &(u64, ChainHead)> = std::collections::BTreeMap::new();
    for r in recorded {
        last.insert(r.1.subject_id.as_str(), r);
    }
    let from: Vec<(String, u64)> = moved
        .iter()
        .filter_map(|h| {
            last.get(h.subject_id.as_str())
                .map(|(_, r)| (r.subject_id.clone(), r.seq))
        })
        .collect();
    if from.is_empty() {
        return Ok(());
    }
    let rows = ledger.chains_from(site, &from).await?;
    for (subject, seq) in &from {
        let (number, head) = last[subject.as_str()];
        let held = rows
            .iter()
            .any(|r| r.subject_id == *subject && u64::try_from(r.seq).ok() == Some(*seq) && r.hash == head.hash);
        if !held {
            anyhow::bail!(
                "subject {subject} no longer holds the head checkpoint {number} recorded (seq {seq}): \
                 the ledger was altered; no checkpoint made (run assent verify)"
            );
        }
    }
    Ok(())
}

/// Makes, signs, stores and publishes a checkpoint of the site's current chain heads.
/// Memory follows the chains that moved since the last checkpoint, not the ledger.
///
/// Two makers at once (the hourly job and an owner's request, or two processes) read the same
/// last number; the one whose insert loses on `(site_id, number)` reads the heads again and
/// takes the next number, so both succeed.
pub async fn make(ledger: &dyn Ledger, keys: &Keys, site: &SiteId, file: Option<&Path>) -> anyhow::Result<Checkpoint> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        // The number first, then the heads: a checkpoint stored as number n then holds heads
        // read after n − 1 was committed, so signed heads never go backwards.
        let last = ledger.latest_checkpoint(site).await?;
        let heads = current_heads(ledger, site).await?;
        match store(ledger, keys, site, last.map_or(1, |c| c.number + 1), heads, file).await {
            Err(err) if attempt < 5 && super::sql::is_retryable(&err) => {
                tracing::debug!(attempt, error = %err, "checkpoint number taken meanwhile; making it again");
            }
            made => return made,
        }
    }
}

async fn store(
    ledger: &dyn Ledger,
    keys: &Keys,
    site: &SiteId,
    number: u64,
    heads: Heads,
    file: Option<&Path>,
) -> anyhow::Result<Checkpoint> {
    let signed = PublicCheckpoint {
        site_id: site.clone(),
        number,
        created_at: clock::now_rfc3339(),
        tree_size: heads.size,
        root: heads.root,
        signature: String::new(),
    };
    let signature = keys.sign(&CheckpointClaims::of(&signed))?;
    let public = PublicCheckpoint { signature, ..signed };
    let checkpoint = public.clone().with_heads(heads.new);
    ledger.append_checkpoint(&checkpoint).await?;
    if let Some(path) = file {
        append_line(path, &public).with_context(|| format!("publishing checkpoint to {}", path.display()))?;
    }
    Ok(checkpoint)
}

fn append_line(path: &Path, checkpoint: &PublicCheckpoint) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    writeln!(f, "{}", serde_json::to_string(checkpoint)?)?;
    f.sync_data()?;
    Ok(())
}

/// Checkpoints published to the file, for comparison with the database (lines written
/// before heads moved to their own table also carry every head; they are not read).
pub fn read_file(path: &Path) -> anyhow::Result<Vec<PublicCheckpoint>> {
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
        let heads = current_heads(ledger, &site.id).await?;
        let last = ledger.latest_checkpoint(&site.id).await?;
        if heads.size == 0 || last.as_ref().is_some_and(|c| c.root == heads.root) {
            continue;
        }
        store(ledger, keys, &site.id, last.map_or(1, |c| c.number + 1), heads, file).await?;
        made += 1;
    }
    Ok(made)
}
