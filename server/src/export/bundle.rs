//! The evidence bundle: everything needed to verify a site's ledger offline, in one file of
//! JSON lines, each a record typed by `"type"`, in this order:
//!
//! 1. `manifest` — format and version, site, creation time, Assent version, the filter and
//!    the counts of chains, events and checkpoints the bundle holds;
//! 2. `jwks` — the public keys (`{"type":"jwks","keys":[…]}`, as `/.well-known/jwks.json`);
//! 3. `checkpoint` — every signed checkpoint of the site, oldest first, with its heads;
//! 4. `event` — `{"type":"event","event":…}` with the event JSON exactly as stored (the
//!    hashed event), whole chains in chain order (by subject id, then `seq`); with a filter,
//!    every chain holding at least one matching event;
//! 5. `notice` — `{"type":"notice","notice":…}`, the published body of every notice version
//!    the events reference.
//!
//! Keys and checkpoints come before the events so that a verifier checks everything in one
//! pass; notices come last because the events say which are needed.

use crate::clock;
use crate::ledger::{EventFilter, EventRow, SiteSnapshot};
use assent_shared::api::Checkpoint;
use assent_shared::consent::ConsentEvent;
use assent_shared::ids::SiteId;
use assent_shared::notice::Notice;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// `manifest.format` of every bundle.
pub const FORMAT: &str = "assent-evidence-bundle";
/// `manifest.format_version` this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// One line of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Manifest(Manifest),
    /// The signing keys' public halves (JWK, `kty: OKP`, `crv: Ed25519`, with `kid`).
    Jwks {
        keys: Vec<serde_json::Value>,
    },
    Checkpoint(Checkpoint),
    Event {
        event: ConsentEvent,
    },
    Notice {
        notice: Notice,
    },
}

impl Record {
    /// The record's `type`, as written.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Manifest(_) => "manifest",
            Self::Jwks { .. } => "jwks",
            Self::Checkpoint(_) => "checkpoint",
            Self::Event { .. } => "event",
            Self::Notice { .. } => "notice",
        }
    }
}

/// What a bundle says about itself (not signed: the checkpoints are what is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written.
    pub format_version: u32,
    pub site_id: SiteId,
    /// When the bundle was made (UTC, RFC 3339 with milliseconds).
    pub created_at: String,
    pub assent_version: String,
    /// The filter that chose the chains (empty: every chain of the site).
    pub filter: EventFilter,
    pub counts: Counts,
}

/// How many records of each kind a bundle holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub chains: u64,
    pub events: u64,
    pub checkpoints: u64,
}

fn line(record: &Record, out: &mut Vec<u8>) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, record)?;
    out.push(b'\n');
    Ok(())
}

/// The first two lines: manifest and JWKS.
pub(super) fn head(
    site: &SiteId,
    filter: &EventFilter,
    counts: Counts,
    jwks: &serde_json::Value,
) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        site_id: site.clone(),
        created_at: clock::now_rfc3339(),
        assent_version: env!("CARGO_PKG_VERSION").into(),
        filter: filter.clone(),
        counts,
    };
    line(&Record::Manifest(manifest), &mut out)?;
    let keys = jwks["keys"].as_array().cloned().unwrap_or_default();
    line(&Record::Jwks { keys }, &mut out)?;
    Ok(out)
}

/// One checkpoint line.
pub(super) fn checkpoint(checkpoint: Checkpoint) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    line(&Record::Checkpoint(checkpoint), &mut out)?;
    Ok(out)
}

/// The notice versions a bundle's events reference, gathered while they are written.
#[derive(Debug, Default)]
pub(super) struct NoticeVersions(BTreeSet<u32>);

#[derive(Deserialize)]
struct NoticeRef {
    notice_version: u32,
}

/// Appends a page of event lines, each event's JSON exactly as stored.
pub(super) fn events(out: &mut Vec<u8>, page: &[EventRow], notices: &mut NoticeVersions) {
    for row in page {
        out.extend_from_slice(br#"{"type":"event","event":"#);
        out.extend_from_slice(row.event.as_bytes());
        out.extend_from_slice(b"}\n");
        // An unreadable event is the verifier's to report; it references no notice here.
        if let Ok(r) = serde_json::from_str::<NoticeRef>(&row.event) {
            notices.0.insert(r.notice_version);
        }
    }
}

impl NoticeVersions {
    /// The notice lines, and how many. A version never published is left out: the verifier
    /// names the events that reference it.
    pub(super) async fn write(self, snapshot: &mut dyn SiteSnapshot) -> anyhow::Result<(Vec<u8>, u64)> {
        let mut out = Vec::new();
        let mut written = 0;
        for version in self.0 {
            if let Some(notice) = snapshot.notice(version).await? {
                line(&Record::Notice { notice }, &mut out)?;
                written += 1;
            }
        }
        Ok((out, written))
    }
}
