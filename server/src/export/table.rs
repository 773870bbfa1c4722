//! The CSV form of events: one row per event, fixed columns, written with the `csv` crate.

use crate::ledger::EventRow;
use anyhow::Context;
use assent_shared::consent::ConsentEvent;
use assent_shared::wire_name;

/// The columns, in order. `decisions` is `purpose=granted;purpose=denied` (purposes sorted);
/// `tc_string` is the IAB TCF string of an event that carries one (layout 2), empty otherwise.
pub const HEADER: [&str; 17] = [
    "site_id",
    "subject_id",
    "seq",
    "event_id",
    "recorded_at",
    "method",
    "source",
    "regime",
    "jurisdiction",
    "gpc",
    "language",
    "notice_version",
    "notice_hash",
    "decisions",
    "prev_hash",
    "hash",
    "tc_string",
];

/// The header line.
pub fn header() -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut w = csv::Writer::from_writer(&mut out);
    w.write_record(HEADER)?;
    w.flush()?;
    drop(w);
    Ok(out)
}

/// Appends one row per event to `out`. Errors when a stored event is not a readable event
/// (the ledger was tampered with: `assent verify` names where).
pub fn rows(out: &mut Vec<u8>, page: &[EventRow]) -> anyhow::Result<()> {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(out);
    for row in page {
        let e: ConsentEvent = serde_json::from_str(&row.event).with_context(|| {
            format!(
                "event seq {} of subject {} is not a readable event (run assent verify)",
                row.seq, row.subject_id
            )
        })?;
        let decisions = e
            .decisions
            .iter()
            .map(|(purpose, decision)| format!("{purpose}={}", wire_name(decision)))
            .collect::<Vec<_>>()
            .join(";");
        w.write_record([
            e.site_id.as_str(),
            e.subject_id.as_str(),
            &e.seq.to_string(),
            e.event_id.as_str(),
            &e.recorded_at,
            &wire_name(&e.method),
            &wire_name(&e.source),
            e.regime.as_str(),
            &e.jurisdiction,
            if e.gpc { "true" } else { "false" },
            &e.language,
            &e.notice_version.to_string(),
            &e.notice_hash,
            &decisions,
            &e.prev_hash,
            &e.hash,
            e.tcf.as_ref().map_or("", |t| t.tc_string.as_str()),
        ])?;
    }
    w.flush()?;
    Ok(())
}
