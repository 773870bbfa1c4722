//! Statistics benchmark: how long each statistics query takes on 1,000,000 events, read from
//! the daily roll-ups, against the naive `GROUP BY` over the events table in the same run, on
//! SQLite and PostgreSQL.
//!
//!     cargo bench -p assent-server --bench stats      # ASSENT_BENCH_EVENTS=1000000
//!
//! The ledger is filled by a bulk generator that writes valid chains straight into the
//! database (each event hashed and linked to its predecessor as the ledger would) and adds
//! their roll-ups with the ledger's own roll-up code. Spread: one site; subjects of 4 events
//! each (250,000 subjects at 1M events); 90 UTC days ending today; 3 regimes, 8
//! jurisdictions, 7 languages, 5 purposes, 10 % of subjects with GPC. Each query runs 5 times;
//! the table shows the median. Needs about 3 GB of free disk per backend (checked first).
//!
//! PostgreSQL: `ASSENT_TEST_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/postgres);
//! skipped with a note when unreachable.

use assent_server::db::Db;
use assent_server::db::stats::StatsFilter;
use assent_server::ledger::{self, Backend, Ledger, SiteRecord, rollup};
use assent_shared::canonical::event_hash;
use assent_shared::consent::{ConsentEvent, Decision, Decisions, EVENT_SCHEMA_VERSION, GENESIS_HASH, Method, Source};
use assent_shared::ids::{EventId, PurposeKey, SiteId, SubjectId};
use assent_shared::regime::Regime;
use sqlx::Executor;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

const EVENTS_PER_SUBJECT: usize = 4;
const DAYS: i64 = 90;
const RUNS: usize = 5;
/// Subjects written per transaction.
const CHUNK: usize = 2_500;
const SITE: &str = "bench";
const PURPOSES: [&str; 5] = [
    "functional",
    "analytics",
    "advertising",
    "marketing_communications",
    "precise_location",
];
const JURISDICTIONS: [&str; 8] = ["DE", "FR", "NL", "GB", "US-CA", "US-TX", "BR", "JP"];
const LANGUAGES: [&str; 7] = ["en", "de", "fr", "nl", "es", "pt", "ja"];
const REGIMES: [Regime; 3] = [Regime::OptIn, Regime::OptOut, Regime::Notice];

fn events_wanted() -> usize {
    std::env::var("ASSENT_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// Free bytes on the file system holding `path` (`df`), if it can tell.
fn free_bytes(path: &std::path::Path) -> Option<u64> {
    let out = std::process::Command::new("df")
        .args(["-Pk", &path.display().to_string()])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let kb: u64 = text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb * 1024)
}

fn admin_url() -> String {
    std::env::var("ASSENT_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The database URL, and for PostgreSQL the database's name (dropped when its run ends).
async fn database(backend: &str, dir: &std::path::Path) -> Option<(String, Option<String>)> {
    if backend == "sqlite" {
        return Some((format!("sqlite://{}", dir.join("stats.db").display()), None));
    }
    let admin = admin_url();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.ok()?;
    let name = format!("assent_bench_stats_{}", uuid::Uuid::new_v4().simple());
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.ok()?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    Some((format!("{base}/{name}"), Some(name)))
}

/// Drops a benchmark's PostgreSQL database: a million events take over a gigabyte.
async fn drop_database(name: &str) {
    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url()).await
        && let Err(e) = conn
            .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
            .await
    {
        eprintln!("could not drop {name}: {e}");
    }
}

/// The `i`th subject's `k`th event, unchained.
fn draft(i: usize, k: usize, first_day: time::Date) -> ConsentEvent {
    let day = first_day + time::Duration::days((i as i64 * 7 + k as i64 * 11) % DAYS);
    let method = match (k, i % 20) {
        (0, 0..=10) => Method::AcceptAll,
        (0, 11..=15) => Method::RejectAll,
        (0, 16..=18) => Method::Save,
        (0, _) => Method::Close,
        (_, r) if r % 5 == 0 => Method::Withdraw,
        (_, r) if r % 7 == 0 => Method::Expire,
        _ => Method::Save,
    };
    let grant = |p: usize| match method {
        Method::AcceptAll => Decision::Granted,
        Method::RejectAll | Method::Close | Method::Withdraw | Method::Expire => Decision::Denied,
        _ if (i + p + k).is_multiple_of(3) => Decision::Denied,
        _ => Decision::Granted,
    };
    let decisions: Decisions = PURPOSES
        .iter()
        .enumerate()
        .take(3 + (i + k) % 3)
        .map(|(p, key)| (PurposeKey::parse(key).expect("key"), grant(p)))
        .collect();
    ConsentEvent {
        schema_version: EVENT_SCHEMA_VERSION,
        event_id: EventId::parse(&uuid::Uuid::new_v4().to_string()).expect("id"),
        site_id: SiteId::parse(SITE).expect("site"),
        subject_id: SubjectId::parse(&uuid::Uuid::from_u128(i as u128 + 1).to_string()).expect("subject"),
        seq: k as u64 + 1,
        recorded_at: format!("{day}T{:02}:{:02}:{:02}.{:03}Z", i % 24, k * 7 % 60, i % 60, i % 1000),
        client_time: None,
        notice_version: 1 + u32::from(day > first_day + time::Duration::days(60)),
        notice_hash: "0".repeat(64),
        banner_build: None,
        policy_version: "2026-01".into(),
        jurisdiction: JURISDICTIONS[i % JURISDICTIONS.len()].into(),
        regime: REGIMES[i % REGIMES.len()],
        method,
        source: Source::Banner,
        gpc: i.is_multiple_of(10),
        signal_source: None,
        decisions,
        language: LANGUAGES[i % LANGUAGES.len()].into(),
        ip_truncated: None,
        user_agent_hash: None,
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// Writes `subjects` chains of [`EVENTS_PER_SUBJECT`] events, their roll-ups and a daily
/// banner counter; returns the seconds it took.
async fn fill(db: &Db, subjects: usize, first_day: time::Date) -> f64 {
    let started = Instant::now();
    let mut deltas = BTreeMap::new();
    let mut start = 0;
    while start < subjects {
        let end = (start + CHUNK).min(subjects);
        let mut events = Vec::with_capacity((end - start) * EVENTS_PER_SUBJECT);
        for i in start..end {
            let mut prev = GENESIS_HASH.to_owned();
            for k in 0..EVENTS_PER_SUBJECT {
                let mut e = draft(i, k, first_day);
                e.prev_hash = prev;
                e.hash = event_hash(&e).expect("hash");
                prev = e.hash.clone();
                rollup::add_event(&mut deltas, &e);
                events.push(e);
            }
        }
        let mut tx = db.pool.begin().await.expect("begin");
        for chunk in events.chunks(EVENTS_PER_SUBJECT * 200) {
            let firsts: Vec<&ConsentEvent> = chunk.iter().filter(|e| e.seq == 1).collect();
            let values = (0..firsts.len())
                .map(|r| format!("(${}, ${}, ${})", r * 3 + 1, r * 3 + 2, r * 3 + 3))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("INSERT INTO subjects (site_id, subject_id, created_at) VALUES {values}");
            let mut q = sqlx::query(&sql);
            for e in &firsts {
                q = q.bind(SITE).bind(e.subject_id.to_string()).bind(e.recorded_at.as_str());
            }
            q.execute(&mut *tx).await.expect("subjects");
            let values = (0..chunk.len())
                .map(|r| {
                    let p: Vec<String> = (1..=11).map(|c| format!("${}", r * 11 + c)).collect();
                    format!("({})", p.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO consent_events (site_id, subject_id, seq, event_id, recorded_at, method, event, prev_hash, \
                 hash, request_digest, states) VALUES {values}"
            );
            let mut q = sqlx::query(&sql);
            for e in chunk {
                q = q
                    .bind(SITE)
                    .bind(e.subject_id.to_string())
                    .bind(e.seq as i64)
                    .bind(e.event_id.to_string())
                    .bind(e.recorded_at.as_str())
                    .bind(assent_shared::wire_name(&e.method))
                    .bind(serde_json::to_string(e).expect("json"))
                    .bind(e.prev_hash.as_str())
                    .bind(e.hash.as_str())
                    .bind(e.event_id.to_string())
                    .bind("{}");
            }
            q.execute(&mut *tx).await.expect("events");
        }
        tx.commit().await.expect("commit");
        start = end;
        eprint!("\r  {end}/{subjects} subjects");
    }
    eprintln!();
    let mut tx = db.pool.begin().await.expect("begin");
    rollup::upsert(&mut tx, SITE, &deltas).await.expect("roll-ups");
    tx.commit().await.expect("commit");
    let mut shown = BTreeMap::new();
    for d in 0..DAYS {
        for (r, regime) in REGIMES.iter().enumerate() {
            let day = (first_day + time::Duration::days(d)).to_string();
            shown.insert(
                (SITE.to_owned(), day, assent_shared::wire_name(regime)),
                4_000 + (d as u64 * 13 + r as u64) % 500,
            );
        }
    }
    db.add_impressions(&shown).await.expect("impressions");
    started.elapsed().as_secs_f64()
}

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
        let need = 3 * 1024 * 1024 * 1024_u64 * events as u64 / 1_000_000;
        let probe = if backend == "sqlite" {
            root.path().to_path_buf()
        } else {
            std::path::PathBuf::from("/var/lib/postgresql")
        };
        if let Some(free) = free_bytes(&probe)
            && free < need
        {
            notes.push(format!(
                "{backend}: {} MB free, {} MB needed: skipped",
                free >> 20,
                need >> 20
            ));
            continue;
        }
        let Some((url, pg_name)) = database(backend, root.path()).await else {
            notes.push(format!("{backend}: not reachable, skipped"));
            continue;
        };
        let sql = ledger::connect(&url).await.expect("connect");
        let db = sql.db();
        let site = SiteRecord {
            id: SiteId::parse(SITE).expect("site"),
            name: "Bench".into(),
            origins: vec!["https://bench.example".into()],
            regime_overrides: BTreeMap::new(),
            archived: false,
            starter_notice: false,
        };
        sql.put_site(&site).await.expect("site");
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
                let report = db.site_stats(&site.id, &filter).await.expect("stats");
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
