//! Re-walks a site's ledger and names every broken place, first broken event first: each
//! chain's hashes and links, the stored columns against the hashed JSON, every checkpoint's
//! signature and root, that every chain head a checkpoint saw still exists unchanged, and
//! that the published checkpoint file agrees with the database.

use super::checkpoint::{self, CheckpointClaims};
use super::{EventRow, Ledger};
use crate::keys::Keys;
use assent_shared::api::{LedgerProblem, VerifyReport};
use assent_shared::canonical::event_hash;
use assent_shared::consent::{ConsentEvent, GENESIS_HASH};
use assent_shared::ids::SiteId;
use std::collections::HashMap;
use std::path::Path;

fn problem(subject: &str, seq: Option<u64>, event_id: Option<&str>, text: impl Into<String>) -> LedgerProblem {
    LedgerProblem {
        subject_id: Some(subject.to_owned()),
        seq,
        event_id: event_id.map(str::to_owned),
        problem: text.into(),
    }
}

/// The first problem in one chain (after a break, the rest of the chain says nothing new).
fn check_chain(site: &SiteId, subject: &str, rows: &[EventRow]) -> Option<LedgerProblem> {
    let mut expected_prev = GENESIS_HASH.to_owned();
    for (i, row) in rows.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        let seq = u64::try_from(row.seq).ok();
        let at = |text: String| Some(problem(subject, seq, Some(&row.event_id), text));
        if row.seq != expected_seq {
            return at(format!(
                "expected seq {expected_seq} here, found {}: an event is missing or moved",
                row.seq
            ));
        }
        let Ok(event) = serde_json::from_str::<ConsentEvent>(&row.event) else {
            return at("the stored event is not a readable event".into());
        };
        let columns_agree = event.seq as i64 == row.seq
            && event.hash == row.hash
            && event.prev_hash == row.prev_hash
            && event.event_id.as_str() == row.event_id
            && event.subject_id.as_str() == row.subject_id
            && &event.site_id == site;
        if !columns_agree {
            return at("the stored columns disagree with the hashed event".into());
        }
        if event.prev_hash != expected_prev {
            return at("prev_hash does not link to the previous event".into());
        }
        match event_hash(&event) {
            Ok(h) if h == event.hash => {}
            _ => return at("the hash does not match the event's content (the event was altered)".into()),
        }
        expected_prev = event.hash;
    }
    None
}

pub async fn verify_site(
    ledger: &dyn Ledger,
    keys: &Keys,
    site: &SiteId,
    file: Option<&Path>,
) -> anyhow::Result<VerifyReport> {
    let mut problems = Vec::new();
    let mut hashes: HashMap<String, Vec<String>> = HashMap::new();
    let mut events = 0u64;
    let subjects = ledger.subject_ids(site).await?;
    for subject in &subjects {
        let rows = ledger.chain_rows(site, subject).await?;
        events += rows.len() as u64;
        if rows.is_empty() {
            problems.push(problem(
                subject,
                None,
                None,
                "the subject exists but its chain is empty (its events were deleted)",
            ));
        }
        problems.extend(check_chain(site, subject, &rows));
        hashes.insert(subject.clone(), rows.into_iter().map(|r| r.hash).collect());
    }

    let checkpoints = ledger.checkpoints(site).await?;
    for cp in &checkpoints {
        let n = cp.number;
        let genuine = keys
            .verify::<CheckpointClaims>(&cp.signature)
            .is_some_and(|c| c == CheckpointClaims::of(cp));
        if !genuine {
            problems.push(LedgerProblem {
                subject_id: None,
                seq: None,
                event_id: None,
                problem: format!("checkpoint {n}: the signature does not match"),
            });
        }
        if checkpoint::merkle_root(&cp.heads) != cp.root || cp.heads.len() as u64 != cp.tree_size {
            problems.push(LedgerProblem {
                subject_id: None,
                seq: None,
                event_id: None,
                problem: format!("checkpoint {n}: the heads do not produce its root"),
            });
        }
        for head in &cp.heads {
            let stored = hashes
                .get(&head.subject_id)
                .and_then(|chain| chain.get((head.seq as usize).wrapping_sub(1)));
            match stored {
                None => problems.push(problem(
                    &head.subject_id,
                    Some(head.seq),
                    None,
                    format!(
                        "checkpoint {n} saw this chain up to seq {}, which no longer exists",
                        head.seq
                    ),
                )),
                Some(hash) if *hash != head.hash => problems.push(problem(
                    &head.subject_id,
                    Some(head.seq),
                    None,
                    format!("checkpoint {n} recorded another hash for this event: the chain was rewritten"),
                )),
                Some(_) => {}
            }
        }
    }

    if let Some(path) = file {
        for published in checkpoint::read_file(path)?.into_iter().filter(|c| &c.site_id == site) {
            let in_db = checkpoints.iter().any(|c| {
                c.number == published.number && c.root == published.root && c.signature == published.signature
            });
            if !in_db {
                problems.push(LedgerProblem {
                    subject_id: None,
                    seq: None,
                    event_id: None,
                    problem: format!(
                        "checkpoint {} in {} is missing or different in the database",
                        published.number,
                        path.display()
                    ),
                });
            }
        }
    }

    Ok(VerifyReport {
        site_id: site.clone(),
        ok: problems.is_empty(),
        chains: subjects.len() as u64,
        events,
        checkpoints: checkpoints.len() as u64,
        problems,
    })
}
