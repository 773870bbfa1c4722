//! Verifies an evidence bundle offline — no database, no key file, nothing but the bundle —
//! as a regulator or a court expert would: every chain (with the database verifier's own
//! [`ChainWalk`]), every event's `notice_hash` against the bundled notice in the event's
//! language, every checkpoint's signature against the bundled JWKS, the newest checkpoint's
//! root against the heads the checkpoints recorded, and every recorded head against the
//! bundled chains.
//!
//! The bundle is read in one pass, a line at a time. Memory grows with the number of chains
//! and of distinct checkpoint heads (about one per chain), not with the number of events or
//! of checkpoints.
//!
//! The bundled JWKS is what the signatures are checked against, so the report lists its key
//! ids: compare them with the site's published `/.well-known/jwks.json` (or an archived copy)
//! to know the checkpoints were signed by the site's Assent and not by whoever made the file.

use super::bundle::{self, Counts, Manifest, Record};
use crate::ledger::EventFilter;
use crate::ledger::checkpoint::{CheckpointClaims, leaf};
use crate::ledger::verify::{ChainWalk, RowView, head_problem, root_problem, signature_problem};
use assent_shared::api::{ChainHead, Checkpoint, LedgerProblem, PublicCheckpoint};
use assent_shared::canonical::notice_hash;
use assent_shared::consent::ConsentEvent;
use assent_shared::ids::SiteId;
use assent_shared::merkle::RootBuilder;
use assent_shared::notice::Notice;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;

/// What verifying a bundle found. `problems[0]` is the first problem: chain problems first
/// (in bundle order), then notices, then checkpoints, then the bundle's own shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    /// From the manifest (`None` if it is missing or unreadable).
    pub site_id: Option<SiteId>,
    pub created_at: Option<String>,
    pub assent_version: Option<String>,
    /// The filter the bundle was made with; with one, chains that checkpoints name but the
    /// bundle lacks are outside the filter, not missing.
    pub filter: EventFilter,
    /// What the bundle holds (not what its manifest claims).
    pub chains: u64,
    pub events: u64,
    pub checkpoints: u64,
    pub notices: u64,
    /// `kid`s of the bundled JWKS: compare with the site's published keys.
    pub key_ids: Vec<String>,
    pub problems: Vec<LedgerProblem>,
}

impl BundleReport {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads and verifies a bundle. Errors only when `reader` fails; everything wrong with the
/// content is a problem in the report.
pub fn verify_bundle(reader: impl BufRead) -> std::io::Result<BundleReport> {
    let mut v = Verifier::default();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if !line.trim().is_empty() {
            v.line(i + 1, &line);
        }
    }
    Ok(v.finish())
}

fn problem(subject: Option<&str>, seq: Option<u64>, event_id: Option<&str>, text: String) -> LedgerProblem {
    LedgerProblem {
        subject_id: subject.map(str::to_owned),
        seq,
        event_id: event_id.map(str::to_owned),
        problem: text,
    }
}

/// The event that first claimed a notice hash, to name in a notice problem.
#[derive(Debug)]
struct FirstUse {
    subject: String,
    seq: u64,
    event_id: String,
}

/// The chain being read, with the checkpoint heads that name it.
#[derive(Debug)]
struct OpenChain {
    walk: ChainWalk,
    /// Distinct heads checkpoints saw, each with the first checkpoint's number, not yet
    /// matched with an event.
    heads: Vec<(u64, ChainHead)>,
}

/// The record kinds in the order a bundle holds them.
const ORDER: [&str; 5] = ["manifest", "jwks", "checkpoint", "event", "notice"];

#[derive(Debug, Default)]
struct Verifier {
    manifest: Option<Manifest>,
    site: Option<SiteId>,
    phase: usize,
    has_jwks: bool,
    keys: Vec<(String, DecodingKey)>,
    heads: HashMap<String, Vec<(u64, ChainHead)>>,
    /// Per subject, the newest head any checkpoint recorded: what the newest root covers.
    signed: BTreeMap<String, ChainHead>,
    newest: Option<PublicCheckpoint>,
    chain: Option<OpenChain>,
    seen_chains: HashSet<String>,
    notice_uses: Vec<((u32, String, String), FirstUse)>,
    notice_seen: HashSet<(u32, String, String)>,
    notice_bodies: BTreeMap<u32, Notice>,
    chains: u64,
    events: u64,
    checkpoints: u64,
    notices: u64,
    chain_problems: Vec<LedgerProblem>,
    notice_problems: Vec<LedgerProblem>,
    checkpoint_problems: Vec<LedgerProblem>,
    bundle_problems: Vec<LedgerProblem>,
}

impl Verifier {
    fn bundle_problem(&mut self, text: String) {
        self.bundle_problems.push(problem(None, None, None, text));
    }

    fn line(&mut self, n: usize, text: &str) {
        let record = match serde_json::from_str::<Record>(text) {
            Ok(record) => record,
            Err(err) => return self.unreadable(n, text, &err),
        };
        let kind = record.kind();
        let phase = ORDER.iter().position(|k| *k == kind).unwrap_or(0);
        if phase < self.phase || (kind == "manifest" && n != 1) {
            self.bundle_problem(format!(
                "line {n}: a {kind} record out of place (the order is manifest, jwks, checkpoints, events, notices)"
            ));
        }
        self.phase = self.phase.max(phase);
        match record {
            Record::Manifest(m) => self.manifest(m),
            Record::Jwks { keys } => self.jwks(&keys),
            Record::Checkpoint(c) => self.checkpoint(c),
            Record::Event { event } => self.event(RowView::of(&event), Some(&event)),
            Record::Notice { notice } => self.notice(notice),
        }
    }

    /// A line that is not a readable record: an event whose place is still known breaks its
    /// chain there; anything else is a problem of the bundle.
    fn unreadable(&mut self, n: usize, text: &str, err: &serde_json::Error) {
        let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        let event = &value["event"];
        let place = (event["subject_id"].as_str(), event["seq"].as_i64());
        if value["type"] == "event"
            && let (Some(subject), Some(seq)) = place
        {
            let row = RowView {
                seq,
                event_id: event["event_id"].as_str().unwrap_or_default(),
                subject_id: subject,
                prev_hash: "",
                hash: "",
            };
            return self.event(row, None);
        }
        self.bundle_problem(format!("line {n}: not a readable bundle record ({err})"));
    }

    fn manifest(&mut self, m: Manifest) {
        if m.format != bundle::FORMAT || m.format_version != bundle::FORMAT_VERSION {
            self.bundle_problem(format!(
                "the manifest names format {} version {}, not {} version {}",
                m.format,
                m.format_version,
                bundle::FORMAT,
                bundle::FORMAT_VERSION
            ));
        }
        if self.manifest.is_some() {
            self.bundle_problem("the bundle holds two manifests".into());
            return;
        }
        self.site.get_or_insert_with(|| m.site_id.clone());
        self.manifest = Some(m);
    }

    fn jwks(&mut self, keys: &[serde_json::Value]) {
        self.has_jwks = true;
        for key in keys {
            let kid = key["kid"].as_str().unwrap_or_default();
            let usable = key["kty"] == "OKP" && key["crv"] == "Ed25519";
            match key["x"]
                .as_str()
                .filter(|_| usable)
                .map(DecodingKey::from_ed_components)
            {
                Some(Ok(decoding)) => self.keys.push((kid.to_owned(), decoding)),
                _ => self.bundle_problem(format!("JWKS key {kid:?} is not an Ed25519 public key")),
            }
        }
    }

    /// The claims a checkpoint's signature verifies to under the bundled keys.
    fn signed_claims(&self, token: &str) -> Option<CheckpointClaims> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        let (_, key) = self.keys.iter().find(|(k, _)| *k == kid)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        jsonwebtoken::decode::<CheckpointClaims>(token, key, &validation)
            .ok()
            .map(|d| d.claims)
    }

    fn checkpoint(&mut self, mut c: Checkpoint) {
        self.checkpoints += 1;
        if self.site.as_ref().is_some_and(|s| *s != c.site_id) {
            self.bundle_problem(format!("checkpoint {} belongs to site {}", c.number, c.site_id));
        }
        let heads = std::mem::take(&mut c.heads);
        let public = PublicCheckpoint::from(c);
        let claims = self.signed_claims(&public.signature);
        self.checkpoint_problems.extend(signature_problem(&public, claims));
        if self.newest.as_ref().is_none_or(|n| n.number < public.number) {
            self.newest = Some(public.clone());
        }
        for head in heads {
            if self.signed.get(&head.subject_id).is_none_or(|h| h.seq < head.seq) {
                self.signed.insert(head.subject_id.clone(), head.clone());
            }
            // Later checkpoints mostly repeat earlier heads: each distinct head is checked
            // once, named by the first checkpoint that saw it.
            let known = self.heads.entry(head.subject_id.clone()).or_default();
            if !known.iter().any(|(_, h)| h.seq == head.seq && h.hash == head.hash) {
                known.push((public.number, head));
            }
        }
    }

    fn event(&mut self, row: RowView<'_>, event: Option<&ConsentEvent>) {
        self.events += 1;
        if self.chain.as_ref().is_none_or(|c| c.walk.subject() != row.subject_id) {
            self.close_chain();
            self.chains += 1;
            if !self.seen_chains.insert(row.subject_id.to_owned()) {
                self.bundle_problem(format!(
                    "the events of subject {} are not together: the bundle was reordered",
                    row.subject_id
                ));
            }
            self.chain = Some(OpenChain {
                walk: ChainWalk::new(row.subject_id),
                heads: self.heads.remove(row.subject_id).unwrap_or_default(),
            });
        }
        let site = match (&self.site, event) {
            (Some(site), _) => site.clone(),
            (None, Some(e)) => self.site.insert(e.site_id.clone()).clone(),
            (None, None) => return,
        };
        let Some(chain) = self.chain.as_mut() else { return };
        self.chain_problems.extend(chain.walk.check(&site, row, event));
        let seq = u64::try_from(row.seq).ok();
        let (matched, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut chain.heads)
            .into_iter()
            .partition(|(_, head)| Some(head.seq) == seq);
        chain.heads = rest;
        let Some(event) = event else { return };
        for (number, head) in &matched {
            self.checkpoint_problems
                .extend(head_problem(*number, head, Some(&event.hash)));
        }
        let key = (event.notice_version, event.language.clone(), event.notice_hash.clone());
        if self.notice_seen.insert(key.clone()) {
            let first = FirstUse {
                subject: event.subject_id.to_string(),
                seq: event.seq,
                event_id: event.event_id.to_string(),
            };
            self.notice_uses.push((key, first));
        }
    }

    /// Heads a checkpoint saw beyond the end of the chain just read are missing events.
    fn close_chain(&mut self) {
        if let Some(chain) = self.chain.take() {
            for (number, head) in &chain.heads {
                self.checkpoint_problems.extend(head_problem(*number, head, None));
            }
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.notices += 1;
        let version = notice.version;
        match self.notice_bodies.get(&version) {
            Some(known) if *known != notice => {
                self.bundle_problem(format!("the bundle holds two different notices numbered {version}"));
            }
            Some(_) => {}
            None => {
                self.notice_bodies.insert(version, notice);
            }
        }
    }

    fn check_notices(&mut self) {
        let mut hashes: HashMap<(u32, String), Option<String>> = HashMap::new();
        for ((version, language, claimed), first) in std::mem::take(&mut self.notice_uses) {
            let text = match self.notice_bodies.get(&version) {
                None => format!("notice version {version} is not in the bundle"),
                Some(notice) => {
                    let shown = hashes.entry((version, language.clone())).or_insert_with(|| {
                        let localized = notice.localize(Some(&language));
                        (localized.language == language)
                            .then(|| notice_hash(&localized).ok())
                            .flatten()
                    });
                    match shown {
                        None => format!("notice version {version} has no texts in {language:?}"),
                        Some(h) if *h == claimed => continue,
                        Some(_) => format!(
                            "notice_hash does not match notice version {version} in {language:?}: \
                             the notice or the event was altered"
                        ),
                    }
                }
            };
            self.notice_problems.push(problem(
                Some(&first.subject),
                Some(first.seq),
                Some(&first.event_id),
                text,
            ));
        }
    }

    /// The newest checkpoint's root against the heads the bundle's checkpoints recorded (only
    /// the newest: see `verify::check_rest` for why that is enough).
    fn check_newest_root(&mut self) {
        if let Some(newest) = self.newest.take() {
            let mut builder = RootBuilder::default();
            self.signed.values().for_each(|h| builder.push(leaf(h)));
            let size = builder.len();
            let root = hex::encode(builder.finish());
            self.checkpoint_problems.extend(root_problem(&newest, &root, size));
        }
    }

    fn finish(mut self) -> BundleReport {
        self.close_chain();
        self.check_newest_root();
        let filtered = self.manifest.as_ref().is_some_and(|m| !m.filter.is_empty());
        if !filtered {
            // Chains a checkpoint names that the bundle never held.
            let mut missing: Vec<_> = std::mem::take(&mut self.heads).into_values().flatten().collect();
            missing.sort_by(|(na, a), (nb, b)| (&a.subject_id, na).cmp(&(&b.subject_id, nb)));
            for (number, head) in &missing {
                self.checkpoint_problems.extend(head_problem(*number, head, None));
            }
        }
        self.check_notices();
        let (chains, events, checkpoints, notices) = (self.chains, self.events, self.checkpoints, self.notices);
        match &self.manifest {
            None => self.bundle_problem("the bundle has no manifest".into()),
            Some(m) => {
                let held = Counts {
                    chains,
                    events,
                    checkpoints,
                };
                if m.counts != held {
                    let c = m.counts;
                    self.bundle_problem(format!(
                        "the manifest counts {} chains, {} events, {} checkpoints but the bundle holds \
                         {chains}, {events}, {checkpoints}: records were added or removed",
                        c.chains, c.events, c.checkpoints
                    ));
                }
            }
        }
        if !self.has_jwks {
            self.bundle_problem("the bundle holds no JWKS".into());
        }
        let manifest = self.manifest.take();
        let mut problems = self.chain_problems;
        problems.extend(self.notice_problems);
        problems.extend(self.checkpoint_problems);
        problems.extend(self.bundle_problems);
        BundleReport {
            site_id: manifest.as_ref().map(|m| m.site_id.clone()).or(self.site),
            created_at: manifest.as_ref().map(|m| m.created_at.clone()),
            assent_version: manifest.as_ref().map(|m| m.assent_version.clone()),
            filter: manifest.map(|m| m.filter).unwrap_or_default(),
            chains,
            events,
            checkpoints,
            notices,
            key_ids: self.keys.into_iter().map(|(kid, _)| kid).collect(),
            problems,
        }
    }
}
