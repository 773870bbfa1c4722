//! Re-walks a site's ledger and names every broken place, first broken event first: each
//! chain's hashes and links, the stored columns against the hashed JSON, every checkpoint's
//! signature and the newest one's root, that every chain head a checkpoint recorded still
//! exists unchanged, and that the published checkpoint file agrees with the database.

use super::checkpoint::{self, CheckpointClaims};
use super::{EventRow, Ledger};
use crate::keys::Keys;
use assent_shared::api::{ChainHead, LedgerProblem, PublicCheckpoint, VerifyReport};
use assent_shared::canonical::event_hash;
use assent_shared::consent::{ConsentEvent, GENESIS_HASH, LATEST_EVENT_SCHEMA_VERSION};
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

fn site_problem(text: String) -> LedgerProblem {
    LedgerProblem {
        subject_id: None,
        seq: None,
        event_id: None,
        problem: text,
    }
}

/// What storage holds beside an event's hashed JSON: the database's columns or, in an
/// evidence bundle (which has no columns), the event's own fields.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    pub seq: i64,
    pub event_id: &'a str,
    pub subject_id: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

impl EventRow {
    pub fn view(&self) -> RowView<'_> {
        RowView {
            seq: self.seq,
            event_id: &self.event_id,
            subject_id: &self.subject_id,
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        }
    }
}

impl<'a> RowView<'a> {
    /// The view of an event that has no separate columns.
    pub fn of(event: &'a ConsentEvent) -> Self {
        Self {
            seq: i64::try_from(event.seq).unwrap_or(i64::MAX),
            event_id: event.event_id.as_str(),
            subject_id: event.subject_id.as_str(),
            prev_hash: &event.prev_hash,
            hash: &event.hash,
        }
    }
}

/// Walks one chain in `seq` order a row at a time (so no verifier needs a whole chain in
/// memory): the rows are numbered 1, 2, … without gaps, the stored columns agree with the
/// hashed event, each `prev_hash` links to the previous event and each hash matches the
/// event's canonical bytes (by the layout of its own `schema_version`, see `canonical`).
#[derive(Debug)]
pub struct ChainWalk {
    subject: String,
    expected_seq: i64,
    expected_prev: String,
    broken: bool,
}

impl ChainWalk {
    pub fn new(subject: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            expected_seq: 1,
            expected_prev: GENESIS_HASH.to_owned(),
            broken: false,
        }
    }

    /// A walk that takes up a chain after its event `seq`, whose hash is `hash` (a checkpoint's
    /// signed head): the next row must be `seq + 1` and link to `hash`.
    pub fn resume(subject: &str, seq: u64, hash: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            expected_seq: i64::try_from(seq).unwrap_or(i64::MAX).saturating_add(1),
            expected_prev: hash.to_owned(),
            broken: false,
        }
    }

    /// The subject whose chain this is.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Checks the chain's next row; `event` is its JSON parsed, or `None` if unreadable.
    /// Returns the chain's first problem, once: after a break the rest of the chain says
    /// nothing new, so later rows are not checked.
    pub fn check(&mut self, site: &SiteId, row: RowView<'_>, event: Option<&ConsentEvent>) -> Option<LedgerProblem> {
        if self.broken {
            return None;
        }
        let found = self.first_problem(site, row, event);
        self.broken = found.is_some();
        found.map(|text| problem(&self.subject, u64::try_from(row.seq).ok(), Some(row.event_id), text))
    }

    fn first_problem(&mut self, site: &SiteId, row: RowView<'_>, event: Option<&ConsentEvent>) -> Option<String> {
        let expected_seq = self.expected_seq;
        if row.seq != expected_seq {
            return Some(format!(
                "expected seq {expected_seq} here, found {}: an event is missing or moved",
                row.seq
            ));
        }
        let Some(event) = event else {
            return Some("the stored event is not a readable event".into());
        };
        let columns_agree = i64::try_from(event.seq).is_ok_and(|seq| seq == row.seq)
            && event.hash == row.hash
            && event.prev_hash == row.prev_hash
            && event.event_id.as_str() == row.event_id
            && event.subject_id.as_str() == row.subject_id
            && &event.site_id == site;
        if !columns_agree {
            return Some("the stored columns disagree with the hashed event".into());
        }
        if event.schema_version == 0 || event.schema_version > LATEST_EVENT_SCHEMA_VERSION {
            return Some(format!(
                "schema_version {} is not one this verifier knows (1 to {LATEST_EVENT_SCHEMA_VERSION})",
                event.schema_version
            ));
        }
        if event.prev_hash != self.expected_prev {
            return Some("prev_hash does not link to the previous event".into());
        }
        match event_hash(event) {
            Ok(h) if h == event.hash => {}
            Ok(_) => return Some("the hash does not match the event's content (the event was altered)".into()),
            Err(e) => return Some(format!("the event does not fit its layout (it was altered): {e}")),
        }
        self.expected_seq += 1;
        self.expected_prev.clone_from(&event.hash);
        None
    }
}

/// How many chains one read takes.
const PAGE: u32 = 500;
/// At most this many chains without events, and heads without a chain, are listed.
const LISTED: u32 = 1000;

/// The first problem in one whole chain of database rows (none at all is one).
fn check_chain(site: &SiteId, subject: &str, rows: &[EventRow]) -> Option<LedgerProblem> {
    if rows.is_empty() {
        return Some(empty_chain(subject));
    }
    walk_rows(ChainWalk::new(subject), site, rows)
}

fn empty_chain(subject: &str) -> LedgerProblem {
    problem(
        subject,
        None,
        None,
        "the subject exists but its chain is empty (its events were deleted)",
    )
}

/// The first problem `walk` finds in `rows`.
fn walk_rows(mut walk: ChainWalk, site: &SiteId, rows: &[EventRow]) -> Option<LedgerProblem> {
    rows.iter().find_map(|row| {
        let event = serde_json::from_str::<ConsentEvent>(&row.event).ok();
        walk.check(site, row.view(), event.as_ref())
    })
}

/// The site's chains with events, [`PAGE`] subject ids at a time, in subject order.
#[derive(Default)]
struct Pages {
    after: String,
}

impl Pages {
    async fn next(&mut self, ledger: &dyn Ledger, site: &SiteId) -> anyhow::Result<Option<Vec<String>>> {
        let subjects = ledger.chain_subjects(site, &self.after, PAGE).await?;
        let Some(last) = subjects.last() else { return Ok(None) };
        self.after.clone_from(last);
        Ok(Some(subjects))
    }
}

/// A page's rows (in chain order) by subject.
fn by_subject(rows: &[EventRow]) -> HashMap<&str, &[EventRow]> {
    let mut chains = HashMap::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        if i == rows.len() || rows[i].subject_id != rows[start].subject_id {
            chains.insert(rows[start].subject_id.as_str(), &rows[start..i]);
            start = i;
        }
    }
    chains
}

/// A checkpoint whose signature does not verify: `claims` are what it verified to (`None` if
/// it did not).
pub fn signature_problem(cp: &PublicCheckpoint, claims: Option<CheckpointClaims>) -> Option<LedgerProblem> {
    claims
        .is_none_or(|c| c != CheckpointClaims::of(cp))
        .then(|| site_problem(format!("checkpoint {}: the signature does not match", cp.number)))
}

/// A checkpoint whose heads, as recorded, give another `root` or count (`size`) than it signed.
pub fn root_problem(cp: &PublicCheckpoint, root: &str, size: u64) -> Option<LedgerProblem> {
    (cp.root != root || cp.tree_size != size)
        .then(|| site_problem(format!("checkpoint {}: the heads do not produce its root", cp.number)))
}

/// Whether a chain head checkpoint `number` saw still holds: `stored` is the hash of the
/// event at that `seq` now (`None` if there is no such event).
pub fn head_problem(number: u64, head: &ChainHead, stored: Option<&str>) -> Option<LedgerProblem> {
    let text = match stored {
        None => format!(
            "checkpoint {number} saw this chain up to seq {}, which no longer exists",
            head.seq
        ),
        Some(hash) if hash != head.hash => {
            format!("checkpoint {number} recorded another hash for this event: the chain was rewritten")
        }
        Some(_) => return None,
    };
    Some(problem(&head.subject_id, Some(head.seq), None, text))
}

/// What both walks check once the chains are read: chains without events and heads without
/// chains (up to [`LISTED`] each), the checkpoints' signatures, the newest checkpoint's root
/// against the heads as recorded, and the published file.
///
/// Only the newest root is recomputed: it covers every chain's newest recorded head, and each
/// chain is checked against it (and, in the full walk, against every older recorded head), so
/// an older checkpoint's root adds nothing a rewrite could slip past — while recomputing each
/// would cost a pass over the heads per checkpoint.
async fn check_rest(
    ledger: &dyn Ledger,
    keys: &Keys,
    site: &SiteId,
    checkpoints: &[PublicCheckpoint],
    file: Option<&Path>,
    problems: &mut Vec<LedgerProblem>,
) -> anyhow::Result<u64> {
    let empty = ledger.empty_chains(site, LISTED).await?;
    problems.extend(empty.iter().map(|s| empty_chain(s)));
    for (number, head) in ledger.heads_without_chain(site, LISTED).await? {
        problems.extend(head_problem(number, &head, None));
    }
    for cp in checkpoints {
        problems.extend(signature_problem(cp, keys.verify::<CheckpointClaims>(&cp.signature)));
    }
    if let Some(newest) = checkpoints.last() {
        let (root, size) = checkpoint::signed_root(ledger, site, newest.number).await?;
        problems.extend(root_problem(newest, &root, size));
    }
    if let Some(path) = file {
        for published in checkpoint::read_file(path)?.into_iter().filter(|c| &c.site_id == site) {
            let in_db = checkpoints.iter().any(|c| {
                c.number == published.number && c.root == published.root && c.signature == published.signature
            });
            if !in_db {
                problems.push(site_problem(format!(
                    "checkpoint {} in {} is missing or different in the database",
                    published.number,
                    path.display()
                )));
            }
        }
    }
    Ok(empty.len() as u64)
}

/// Re-walks every chain and checkpoint of a site (and the published checkpoint `file`, if
/// given); the report's `problems[0]` is the first broken event. Reads the chains a page at
/// a time ([`PAGE`] chains per read), so memory follows the page, not the ledger.
pub async fn verify_site(
    ledger: &dyn Ledger,
    keys: &Keys,
    site: &SiteId,
    file: Option<&Path>,
) -> anyhow::Result<VerifyReport> {
    let mut problems = Vec::new();
    let (mut chains, mut events) = (0u64, 0u64);
    let mut pages = Pages::default();
    while let Some(subjects) = pages.next(ledger, site).await? {
        let from: Vec<(String, u64)> = subjects.iter().map(|s| (s.clone(), 1)).collect();
        let rows = ledger.chains_from(site, &from).await?;
        let page = by_subject(&rows);
        let mut recorded: HashMap<String, Vec<(u64, ChainHead)>> = HashMap::new();
        for (number, head) in ledger.recorded_heads_of(site, &subjects).await? {
            recorded
                .entry(head.subject_id.clone())
                .or_default()
                .push((number, head));
        }
        for subject in &subjects {
            let chain = page.get(subject.as_str()).copied().unwrap_or_default();
            events += chain.len() as u64;
            problems.extend(check_chain(site, subject, chain));
            for (number, head) in recorded.get(subject).map(Vec::as_slice).unwrap_or_default() {
                let stored = chain.iter().find(|r| u64::try_from(r.seq).ok() == Some(head.seq));
                problems.extend(head_problem(*number, head, stored.map(|r| r.hash.as_str())));
            }
        }
        chains += subjects.len() as u64;
    }
    let checkpoints = ledger.checkpoints(site).await?;
    chains += check_rest(ledger, keys, site, &checkpoints, file, &mut problems).await?;
    Ok(VerifyReport {
        site_id: site.clone(),
        ok: problems.is_empty(),
        chains,
        events,
        checkpoints: checkpoints.len() as u64,
        problems,
    })
}

/// Verifies what changed since the site's newest checkpoint, taking that checkpoint's signed
/// heads as the verified past: its signature and root; for every chain it saw, that the stored
/// event at its head still has the signed hash and every later event links on from it; every
/// chain it did not see, in full. Reads one event per old chain plus what was appended since,
/// a page of chains at a time, so memory follows the page. Without a checkpoint it is the
/// full [`verify_site`].
///
/// What it does not see: an old event whose content was altered *without* recomputing the
/// chain (its stored hash, and so the head, unchanged) is found only by the full walk — run
/// both, the full one less often. A chain rewritten with recomputed hashes changes its head
/// and is found here.
pub async fn verify_site_since_checkpoint(
    ledger: &dyn Ledger,
    keys: &Keys,
    site: &SiteId,
) -> anyhow::Result<VerifyReport> {
    let Some(newest) = ledger.latest_checkpoint(site).await? else {
        return verify_site(ledger, keys, site, None).await;
    };
    let mut problems = Vec::new();
    let (mut chains, mut events) = (0u64, 0u64);
    let mut pages = Pages::default();
    while let Some(subjects) = pages.next(ledger, site).await? {
        let signed: HashMap<String, ChainHead> = ledger
            .signed_heads_of(site, newest.number, &subjects)
            .await?
            .into_iter()
            .map(|h| (h.subject_id.clone(), h))
            .collect();
        let from: Vec<(String, u64)> = subjects
            .iter()
            .map(|s| (s.clone(), signed.get(s).map_or(1, |h| h.seq)))
            .collect();
        let rows = ledger.chains_from(site, &from).await?;
        let page = by_subject(&rows);
        for subject in &subjects {
            let chain = page.get(subject.as_str()).copied().unwrap_or_default();
            events += chain.len() as u64;
            let found = match signed.get(subject) {
                Some(head) => match chain.first().filter(|r| u64::try_from(r.seq).ok() == Some(head.seq)) {
                    None => head_problem(newest.number, head, None),
                    Some(row) if row.hash != head.hash => head_problem(newest.number, head, Some(&row.hash)),
                    // The head's hash is the signed one, and it covers the head's `prev_hash`:
                    // the walk checks the head event itself, then everything after it.
                    Some(row) => walk_rows(
                        ChainWalk::resume(subject, head.seq.saturating_sub(1), &row.prev_hash),
                        site,
                        chain,
                    ),
                },
                None => check_chain(site, subject, chain),
            };
            problems.extend(found);
        }
        chains += subjects.len() as u64;
    }
    chains += check_rest(ledger, keys, site, std::slice::from_ref(&newest), None, &mut problems).await?;
    Ok(VerifyReport {
        site_id: site.clone(),
        ok: problems.is_empty(),
        chains,
        events,
        checkpoints: 1,
        problems,
    })
}
