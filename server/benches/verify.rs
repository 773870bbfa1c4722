//! Verification benchmark (issue 16, item 4): on 1,000,000 events written by the bulk
//! generator (`bulk`), the time and memory of making a checkpoint, of the full walk
//! (`verify_site`) and of the walk since the newest checkpoint (`verify_site_since_checkpoint`),
//! then again after appending 1 % more events, then of making the next checkpoint (which
//! records only the chains that moved), on SQLite and PostgreSQL.
//!
//!     cargo bench -p assent-server --bench verify     # ASSENT_BENCH_EVENTS=1000000
//!     ASSENT_BENCH_ONLY=postgres cargo bench -p assent-server --bench verify   # one backend
//!
//! Memory is this process's resident set (`VmRSS`), sampled every 5 ms while each step runs:
//! the table shows its peak above what the process held just before. Needs about 3 GB of free
//! disk per backend (checked first). PostgreSQL: `ASSENT_TEST_POSTGRES_URL`; skipped with a
//! note when unreachable.

mod bulk;
mod measure;

use assent_server::keys::Keys;
use assent_server::ledger::{checkpoint, verify};
use assent_shared::ids::SiteId;
use bulk::{DAYS, EVENTS_PER_SUBJECT, SITE, drop_database, events_wanted, fill};
use measure::measured;
use std::time::Duration;
use time::OffsetDateTime;

/// What a checkpoint stored: the heads it recorded and their size as JSON (about what the
/// heads table holds for them).
fn recorded(made: &assent_shared::api::Checkpoint) -> String {
    let size = serde_json::to_string(&made.heads).expect("json").len();
    format!(
        "{} heads recorded of {}, {:.2} MB",
        made.heads.len(),
        made.tree_size,
        size as f64 / 1e6
    )
}

#[tokio::main]
async fn main() {
    let root = tempfile::tempdir().expect("tempdir");
    let events = events_wanted();
    let subjects = events / EVENTS_PER_SUBJECT;
    let today = OffsetDateTime::now_utc().date();
    let first_day = today - time::Duration::days(DAYS - 1);
    let keys = Keys::load_or_create(&root.path().join("keys.json")).expect("keys");
    let site = SiteId::parse(SITE).expect("site");
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    // `ASSENT_BENCH_ONLY=sqlite|postgres`: one backend.
    let only = std::env::var("ASSENT_BENCH_ONLY").ok();
    for backend in ["sqlite", "postgres"] {
        if only.as_deref().is_some_and(|o| o != backend) {
            continue;
        }
        let (ledger, pg_name) = match bulk::prepare(backend, root.path(), "verify", events).await {
            Ok(ready) => ready,
            Err(skipped) => {
                notes.push(skipped);
                continue;
            }
        };
        eprintln!("{backend}: filling");
        let db = ledger.db();
        let fill_secs = fill(&db, subjects, first_day).await;
        notes.push(format!(
            "{backend}: {events} events in {subjects} chains filled in {fill_secs:.0} s"
        ));
        let mut row = |step: &str, took: Duration, grew: f64, what: String| {
            eprintln!("{backend} {step}: {:.2} s, +{grew:.1} MiB, {what}", took.as_secs_f64());
            rows.push(format!(
                "| {backend} | {step} | {:.2} | {grew:.1} | {what} |",
                took.as_secs_f64()
            ));
        };

        let (made, took, grew) = measured(checkpoint::make(&ledger, &keys, &site, None)).await;
        let made = made.expect("checkpoint");
        row("make a checkpoint", took, grew, recorded(&made));

        let (full, took, grew) = measured(verify::verify_site(&ledger, &keys, &site, None)).await;
        let full = full.expect("verify");
        assert!(full.ok, "{:?}", full.problems.first());
        row("full walk", took, grew, format!("{} events read", full.events));

        let (since, took, grew) = measured(verify::verify_site_since_checkpoint(&ledger, &keys, &site)).await;
        let since = since.expect("verify");
        assert!(since.ok, "{:?}", since.problems.first());
        row(
            "since the checkpoint, nothing new",
            took,
            grew,
            format!("{} events read", since.events),
        );

        // 1 % more: new chains after the checkpoint (the generator's subjects go on from there).
        let more = subjects / 100;
        let later = bulk::fill_range(&db, subjects..subjects + more, first_day).await;
        notes.push(format!(
            "{backend}: {} more events appended in {later:.0} s",
            more * EVENTS_PER_SUBJECT
        ));
        let (since, took, grew) = measured(verify::verify_site_since_checkpoint(&ledger, &keys, &site)).await;
        let since = since.expect("verify");
        assert!(since.ok, "{:?}", since.problems.first());
        row(
            "since the checkpoint, 1 % new",
            took,
            grew,
            format!("{} events read", since.events),
        );

        let (made, took, grew) = measured(checkpoint::make(&ledger, &keys, &site, None)).await;
        row(
            "make the next checkpoint",
            took,
            grew,
            recorded(&made.expect("checkpoint")),
        );

        ledger.db().pool.close().await;
        if let Some(name) = pg_name {
            drop_database(&name).await;
        }
    }
    println!("| backend | step | seconds | peak memory above start, MiB | what |");
    println!("|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    println!();
    for n in notes {
        println!("- {n}");
    }
}
