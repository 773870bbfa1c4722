//! Statistics benchmark: how long each statistics query takes on 1,000,000 events, read from
//! the daily roll-ups, against the naive `GROUP BY` over the events table in the same run, on
//! SQLite and PostgreSQL.
//!
//!     cargo bench -p assent-server --bench stats      # ASSENT_BENCH_EVENTS=1000000
//!
//! The ledger is filled by the bulk generator (`bulk`: valid chains written straight into the
//! database, with their roll-ups). Each query runs 5 times; the table shows the median. Needs
//! about 3 GB of free disk per backend (checked first).
//!
//! PostgreSQL: `ASSENT_TEST_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/postgres);
//! skipped with a note when unreachable.

mod bulk;

use assent_server::db::Db;
use assent_server::db::stats::StatsFilter;
use assent_server::ledger::Backend;
use assent_shared::ids::SiteId;
use bulk::{DAYS, EVENTS_PER_SUBJECT, SITE, drop_database, events_wanted, fill};
use sqlx::Executor;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

const RUNS: usize = 5;

/// The naive answer to the same questions: one pass over the events per question (day ×
/// method, and day × purpose × decision from the event JSON) — less than the report holds,
/// so a lower bound on what a naive report costs.
async fn naive(db: &Db, from: &str, to_exclusive: &str, regime: Option<&str>) -> usize {
    let (decisions, regime_clause) = match db.backend {
        Backend::Sqlite => (
            "SELECT substr(recorded_at, 1, 10) AS day, d.key AS purpose, d.value AS decision, COUNT(*) AS n \
             FROM consent_events, json_each(json_extract(event, '$.decisions')) AS d \
             WHERE site_id = $1 AND recorded_at >= $2 AND recorded_at < $3 REGIME GROUP BY 1, 2, 3",
            "AND json_extract(event, '$.regime') = $4",
        ),
        Backend::Postgres => (
            "SELECT substr(recorded_at, 1, 10) AS day, d.key AS purpose, d.value AS decision, COUNT(*) AS n \
             FROM consent_events, jsonb_each_text((event::jsonb)->'decisions') AS d \
             WHERE site_id = $1 AND recorded_at >= $2 AND recorded_at < $3 REGIME GROUP BY 1, 2, 3",
            "AND (event::jsonb)->>'regime' = $4",
        ),
    };
    let methods = "SELECT substr(recorded_at, 1, 10) AS day, method, COUNT(*) AS n FROM consent_events \
                   WHERE site_id = $1 AND recorded_at >= $2 AND recorded_at < $3 REGIME GROUP BY 1, 2";
    let mut rows = 0;
    for sql in [methods, decisions] {
        let sql = sql.replace("REGIME", if regime.is_some() { regime_clause } else { "" });
        let mut q = sqlx::query(&sql).bind(SITE).bind(from).bind(to_exclusive);
        if let Some(r) = regime {
            q = q.bind(r);
        }
        rows += q.fetch_all(&db.pool).await.expect("naive query").len();
    }
    rows
}

/// A statistics query: label, first day, purpose, regime.
type Query<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

fn median_ms(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let root = tempfile::tempdir().expect("tempdir");
    let events = events_wanted();
    let subjects = events / EVENTS_PER_SUBJECT;
    let today = OffsetDateTime::now_utc().date();
    let first_day = today - time::Duration::days(DAYS - 1);
    println!(
        "{} events: {subjects} subjects × {EVENTS_PER_SUBJECT} events, one site, {DAYS} days ({first_day} … {today})",
        subjects * EVENTS_PER_SUBJECT
    );
    let mut table = Vec::new();
    let mut notes = Vec::new();
    for backend in ["sqlite", "postgres"] {
        let (sql, pg_name) = match bulk::prepare(backend, root.path(), "stats", events).await {
            Ok(ready) => ready,
            Err(skipped) => {
                notes.push(skipped);
                continue;
            }
        };
        let db = sql.db();
        let site = SiteId::parse(SITE).expect("site");
        eprintln!("{backend}: filling");
        let fill_secs = fill(&db, subjects, first_day).await;
        let roll_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stats_daily")
            .fetch_one(&db.pool)
            .await
            .expect("count");
        notes.push(format!(
            "{backend}: filled in {fill_secs:.0} s; {roll_rows} roll-up rows for {} events",
            subjects * EVENTS_PER_SUBJECT
        ));
        if backend == "postgres" {
            db.pool.execute("ANALYZE").await.expect("analyze");
        }
        let last30 = (today - time::Duration::days(29)).to_string();
        let all = first_day.to_string();
        let tomorrow = (today + time::Duration::days(1)).to_string();
        let queries: [Query; 4] = [
            ("last 30 days", Some(last30.as_str()), None, None),
            ("all 90 days", Some(all.as_str()), None, None),
            (
                "90 days, purpose analytics",
                Some(all.as_str()),
                Some("analytics"),
                None,
            ),
            ("90 days, regime opt_in", Some(all.as_str()), None, Some("opt_in")),
        ];
        for (label, from, purpose, regime) in queries {
            let filter = StatsFilter::parse(from, None, purpose, regime, today).expect("filter");
            let mut rolled = Vec::new();
            let mut events_seen = 0;
            for _ in 0..RUNS {
                let t = Instant::now();
                let report = db.site_stats(&site, &filter).await.expect("stats");
                rolled.push(t.elapsed());
                events_seen = report.totals.events;
            }
            let mut naive_times = Vec::new();
            for _ in 0..RUNS {
                let t = Instant::now();
                naive(&db, from.unwrap_or(&all), &tomorrow, regime).await;
                naive_times.push(t.elapsed());
            }
            let (r, n) = (median_ms(rolled), median_ms(naive_times));
            eprintln!("{backend} {label}: roll-ups {r:.1} ms, naive {n:.0} ms");
            table.push(format!(
                "| {backend} | {label} | {events_seen} | {r:.1} | {n:.0} | {:.0}× |",
                n / r.max(0.001)
            ));
        }
        db.pool.close().await;
        if let Some(name) = pg_name {
            drop_database(&name).await;
        }
    }
    println!("| backend | query | events counted | roll-ups ms (median of {RUNS}) | naive GROUP BY ms | speed-up |");
    println!("|---|---|---|---|---|---|");
    for row in table {
        println!("{row}");
    }
    println!();
    for n in notes {
        println!("- {n}");
    }
}
