//! Growth benchmark (issue 16, item 5): whether appends, statistics and verification slow down
//! as the ledger grows. One database per backend is grown in stages by the bulk generator
//! (`bulk`: chains of 4 events over 90 days) and, at each size, measured the same way:
//!
//! - **append, one event per transaction**: 300 appends to existing chains picked across the
//!   whole ledger, one at a time through the ledger (what one request's transaction costs);
//!   p50 and p99;
//! - **append, batches of 64**: 40 batches to existing chains across the ledger; events/s;
//! - **statistics**: `Db::site_stats` (what the dashboard asks) over 30 and 90 days, median of 5;
//! - **verification**: making a checkpoint, the walk since it (one event per chain), and the
//!   full walk, each with its rate so sizes compare; memory above the start of each step.
//!
//! ```sh
//! cargo bench -p assent-server --bench growth   # ASSENT_BENCH_EVENTS=1000000: 100k, 1M, 3M
//! ASSENT_BENCH_STAGES=100000,1000000 cargo bench -p assent-server --bench growth
//! ASSENT_BENCH_ONLY=sqlite cargo bench -p assent-server --bench growth
//! ```
//!
//! Needs about 3 GB of free disk per million events of the last stage, per backend (checked
//! first; each backend's database is removed before the next). PostgreSQL:
//! `ASSENT_TEST_POSTGRES_URL`; skipped with a note when unreachable.

mod bulk;
mod measure;

use assent_server::db::stats::StatsFilter;
use assent_server::keys::Keys;
use assent_server::ledger::{Appended, Ledger, NewEvent, checkpoint, verify};
use assent_shared::ids::SiteId;
use bulk::{DAYS, EVENTS_PER_SUBJECT, SITE, drop_database};
use measure::measured;
use sqlx::Executor;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

const SINGLE_APPENDS: usize = 300;
const BATCHES: usize = 40;
const BATCH: usize = 64;
const STATS_RUNS: usize = 5;

/// The ledger sizes to measure at, in events: `ASSENT_BENCH_STAGES` (comma-separated, rising),
/// or a tenth, once and three times `ASSENT_BENCH_EVENTS` (100,000, 1M and 3M by default).
fn stages() -> Vec<usize> {
    let stages: Vec<usize> = match std::env::var("ASSENT_BENCH_STAGES") {
        Ok(list) => list
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .expect("ASSENT_BENCH_STAGES: event counts separated by commas")
            })
            .collect(),
        Err(_) => {
            let events = bulk::events_wanted();
            vec![events / 10, events, 3 * events]
        }
    };
    assert!(stages.windows(2).all(|w| w[0] < w[1]), "ASSENT_BENCH_STAGES must rise");
    stages
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1e3
}

/// A new event for each of `subjects` (bulk subject numbers), chained by the ledger.
fn appends(subjects: impl Iterator<Item = usize>, round: usize, first_day: time::Date) -> Vec<NewEvent> {
    subjects
        .map(|i| NewEvent {
            draft: bulk::draft(i, EVENTS_PER_SUBJECT + round, first_day),
            new_subject: false,
            request_digest: uuid::Uuid::new_v4().to_string(),
        })
        .collect()
}

async fn append(ledger: &dyn Ledger, batch: &[NewEvent]) {
    for outcome in ledger.append_batch(batch).await.expect("append") {
        assert!(matches!(outcome, Ok(Appended::Recorded(_))), "{outcome:?}");
    }
}

#[tokio::main]
async fn main() {
    let root = tempfile::tempdir().expect("tempdir");
    let stages = stages();
    let today = OffsetDateTime::now_utc().date();
    let first_day = today - time::Duration::days(DAYS - 1);
    let keys = Keys::load_or_create(&root.path().join("keys.json")).expect("keys");
    let site = SiteId::parse(SITE).expect("site");
    let only = std::env::var("ASSENT_BENCH_ONLY").ok();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for backend in ["sqlite", "postgres"] {
        if only.as_deref().is_some_and(|o| o != backend) {
            continue;
        }
        let last = *stages.last().expect("a stage");
        let (ledger, pg_name) = match bulk::prepare(backend, root.path(), "growth", last).await {
            Ok(ready) => ready,
            Err(skipped) => {
                notes.push(skipped);
                continue;
            }
        };
        let db = ledger.db();
        let mut filled = 0;
        for (stage, &events) in stages.iter().enumerate() {
            let subjects = events / EVENTS_PER_SUBJECT;
            eprintln!("{backend}: growing to {events} events");
            let secs = if stage == 0 {
                bulk::fill(&db, subjects, first_day).await
            } else {
                let secs = bulk::fill_range(&db, filled..subjects, first_day).await;
                db.pool.execute("ANALYZE").await.expect("analyze");
                secs
            };
            filled = subjects;
            notes.push(format!("{backend}: grown to {events} events in {secs:.0} s"));
            let mut row = |what: &str, value: String| {
                eprintln!("{backend} {events} {what}: {value}");
                rows.push(format!("| {backend} | {events} | {what} | {value} |"));
            };

            // Chains picked evenly across the ledger, different ones at each stage.
            let spread = |n: usize, salt: usize| (0..n).map(move |k| (k * 7_919 + salt) % subjects);
            let mut lat = Vec::with_capacity(SINGLE_APPENDS);
            for one in appends(spread(SINGLE_APPENDS, stage), stage, first_day) {
                let t = Instant::now();
                append(&ledger, std::slice::from_ref(&one)).await;
                lat.push(t.elapsed());
            }
            lat.sort();
            row(
                "append, one event per transaction: p50 / p99 ms",
                format!("{:.2} / {:.2}", percentile(&lat, 0.5), percentile(&lat, 0.99)),
            );
            let batches: Vec<Vec<NewEvent>> = (0..BATCHES)
                .map(|b| appends(spread(BATCH, 1_000 + stage * BATCHES + b), stage + 1, first_day))
                .collect();
            let t = Instant::now();
            for batch in &batches {
                append(&ledger, batch).await;
            }
            row(
                "append, batches of 64: events/s",
                format!("{:.0}", (BATCHES * BATCH) as f64 / t.elapsed().as_secs_f64()),
            );

            let window = |days: i64| (today - time::Duration::days(days - 1)).to_string();
            for days in [30, 90] {
                let filter = StatsFilter::parse(Some(&window(days)), None, None, None, today).expect("filter");
                let mut times = Vec::with_capacity(STATS_RUNS);
                for _ in 0..STATS_RUNS {
                    let t = Instant::now();
                    db.site_stats(&site, &filter).await.expect("stats");
                    times.push(t.elapsed());
                }
                times.sort();
                row(
                    &format!("statistics, {days} days: median ms"),
                    format!("{:.1}", percentile(&times, 0.5)),
                );
            }

            let (made, took, grew) = measured(checkpoint::make(&ledger, &keys, &site, None)).await;
            let made = made.expect("checkpoint");
            row(
                "make a checkpoint: s (µs per chain), MiB",
                format!(
                    "{:.2} ({:.1}), +{grew:.1}",
                    took.as_secs_f64(),
                    took.as_secs_f64() * 1e6 / made.tree_size.max(1) as f64
                ),
            );
            let (since, took, grew) = measured(verify::verify_site_since_checkpoint(&ledger, &keys, &site)).await;
            let since = since.expect("verify");
            assert!(since.ok, "{:?}", since.problems.first());
            row(
                "walk since the checkpoint: s (µs per event read), MiB",
                format!(
                    "{:.2} ({:.1}), +{grew:.1}",
                    took.as_secs_f64(),
                    took.as_secs_f64() * 1e6 / since.events.max(1) as f64
                ),
            );
            let (full, took, grew) = measured(verify::verify_site(&ledger, &keys, &site, None)).await;
            let full = full.expect("verify");
            assert!(full.ok, "{:?}", full.problems.first());
            row(
                "full walk: s (µs per event), MiB",
                format!(
                    "{:.2} ({:.1}), +{grew:.1}",
                    took.as_secs_f64(),
                    took.as_secs_f64() * 1e6 / full.events.max(1) as f64
                ),
            );
        }
        db.pool.close().await;
        if let Some(name) = pg_name {
            drop_database(&name).await;
        }
    }
    println!("| backend | events | measure | value |");
    println!("|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    println!();
    for n in notes {
        println!("- {n}");
    }
}
