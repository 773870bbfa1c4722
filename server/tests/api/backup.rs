//! `assent backup` and `assent restore`: a whole instance built through the API — a row in
//! every table — backed up while it runs and restored into a fresh database of either kind.
//! Every table compares row for row, `assent verify` passes on the copy, and a server on it
//! accepts a subject token issued before the backup and chains a new event onto the
//! restored head. A backup taken under concurrent writes and checkpoints is consistent.
//!
//! Test names: the test command skips every name containing `on_postgres` when PostgreSQL is
//! unreachable, so the cross-database cases say `on_postgres` too.

use crate::admin::PASSWORD;
use crate::backup_kit::{Place, fresh_target, rich_instance, table_names, tables};
use crate::helpers::{Backend, spawn_app_with, write_fake_banner};
use crate::processes::{demo_notice, save_body, start_with};
use crate::webhooks::wait_for_log;
use assent_shared::api::{ConsentHistory, ConsentRecorded};
use serde_json::json;
use std::time::Duration;

/// The four directions of one scenario: `on_sqlite` and `on_postgres` restore into the
/// database they backed up from; the other two cross over.
macro_rules! on_every_pair {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::helpers::Backend::{Postgres, Sqlite};
            #[tokio::test]
            async fn on_sqlite() {
                super::$name(Sqlite, Sqlite).await
            }
            #[tokio::test]
            async fn on_postgres() {
                super::$name(Postgres, Postgres).await
            }
            /// A SQLite backup restored on PostgreSQL.
            #[tokio::test]
            async fn on_postgres_restored_from_sqlite() {
                super::$name(Sqlite, Postgres).await
            }
            /// A PostgreSQL backup restored on SQLite.
            #[tokio::test]
            async fn on_postgres_restored_to_sqlite() {
                super::$name(Postgres, Sqlite).await
            }
        }
    )*};
}

on_every_pair!(
    a_whole_instance_round_trips_and_keeps_working,
    a_backup_taken_while_visitors_write_is_consistent,
);

crate::on_both_backends!(every_table_of_the_schema_is_backed_up_or_left_out_with_a_reason);

async fn a_whole_instance_round_trips_and_keeps_working(from: Backend, to: Backend) {
    let rich = rich_instance(from).await;
    let source = Place::of(&rich.app);
    let work = tempfile::tempdir().expect("tempdir");
    let backup = source.backup_into(work.path());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(backup.join("manifest.json")).expect("manifest")).expect("json");
    assert_eq!(manifest["format_version"], 1);
    let roles: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["role"].as_str().expect("role"))
        .collect();
    assert_eq!(roles, ["checkpoint_file", "audit_anchor_file", "key_file"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&backup), 0o700, "the backup directory is its owner's only");
        assert_eq!(
            mode(&backup.join("files/keys.json")),
            0o600,
            "and so is the key file in it"
        );
    }

    let target = fresh_target(to).await;
    let (ok, stdout, stderr) = target.place.restore(&backup, false);
    assert!(ok, "restore failed: {stdout}{stderr}");
    assert!(stdout.contains("key file restored to"), "{stdout}");
    let (before, after) = (
        tables(&source.database_url).await,
        tables(&target.place.database_url).await,
    );
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (name, rows) in &before {
        assert_eq!(rows, &after[name], "table {name} differs after the restore");
    }
    for (role, path) in [
        ("key file", target.place.key_file()),
        ("checkpoints", target.place.checkpoint_file()),
        ("anchors", target.place.anchor_file()),
    ] {
        let name = path.file_name().expect("name");
        let original = std::fs::read(source.dir.join(name)).expect("source file");
        assert_eq!(std::fs::read(&path).expect("restored file"), original, "{role}");
    }
    // Rows the database numbers itself continue after the restored ones (PostgreSQL's
    // identity sequences). Checked with plain inserts before any server runs: the server's
    // writes retry a key collision, which would hide a sequence left behind.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&target.place.database_url)
        .await
        .expect("connect");
    for insert in [
        "INSERT INTO webhook_deliveries (message_id, endpoint_id, event_id, event_type, attempt, attempted_at, \
         duration_ms, delivered) VALUES ('m', 'e', 'v', 't', 1, '2026-11-30T00:00:00.000Z', 1, 0)",
        "INSERT INTO identity_links (site_id, subject_id, account_id, linked_at, linked_by, unlinked_at) \
         SELECT site_id, subject_id, 'a', '2026-11-30T00:00:00.000Z', 'site', '2026-11-30T00:00:00.000Z' \
         FROM subjects WHERE erased_at IS NULL LIMIT 1",
    ] {
        sqlx::query(insert).execute(&pool).await.expect(insert);
    }
    pool.close().await;
    let report = target.place.verify_clean();
    assert!(
        report.contains("site demo:") && report.contains("site other:"),
        "{report}"
    );

    // A server on the copy: the old token works, a new event chains onto the restored head.
    write_fake_banner(&target.place.dir.join("dist"));
    let allow = [("ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true")];
    let (_server, api) = start_with(&target.place.dir, &target.place.database_url, &allow).await;
    let client = reqwest::Client::new();
    let history = |api: String| {
        let (client, subject, token) = (client.clone(), rich.subject.clone(), rich.token.clone());
        async move {
            let res = client
                .get(format!("{api}/v1/sites/demo/subjects/{subject}/consents"))
                .bearer_auth(token)
                .send()
                .await
                .expect("history");
            assert_eq!(res.status(), 200, "the token issued before the backup");
            res.json::<ConsentHistory>().await.expect("history JSON")
        }
    };
    assert_eq!(history(api.clone()).await, history(rich.app.api.clone()).await);
    let notice = demo_notice(&client, &api).await;
    let res = client
        .post(format!("{api}/v1/sites/demo/consents"))
        .bearer_auth(&rich.token)
        .json(&save_body(&notice, "denied", Some(&rich.subject)))
        .send()
        .await
        .expect("append");
    assert_eq!(res.status(), 201);
    let next: ConsentRecorded = res.json().await.expect("recorded");
    assert_eq!(next.seq, rich.head.seq + 1);
    let chain = history(api.clone()).await;
    let last = chain.events.last().expect("events");
    assert_eq!(
        last.prev_hash, rich.head.hash,
        "the new event links to the restored head"
    );
    let res = client
        .post(format!("{api}/v1/admin/login"))
        .json(&json!({ "email": "admin@example.com", "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200, "the password hash came across");
    let admin: serde_json::Value = res.json().await.expect("session");
    let admin = admin["token"].as_str().expect("token");

    // The new event's delivery is logged; a new device is linked with the site secret (whose
    // hash came across).
    wait_for_log(&client, &api, admin, &rich.hook, |log| log.len() == 4).await;
    let res = client
        .post(format!("{api}/v1/sites/demo/consents"))
        .json(&save_body(&notice, "granted", None))
        .send()
        .await
        .expect("a new subject");
    let fresh: ConsentRecorded = res.json().await.expect("recorded");
    let body = json!({
        "account_id": "account-after-restore",
        "subject_id": fresh.subject_id,
        "subject_token": fresh.subject_token,
    });
    let res = client
        .post(format!("{api}/v1/sites/demo/identity-links"))
        .bearer_auth(&rich.secret)
        .json(&body)
        .send()
        .await
        .expect("link");
    assert_eq!(res.status(), 201, "link after the restore");
    target.place.verify_clean();
}

/// Ten visitors append while checkpoints are made and the backup is taken: the copy must
/// verify (every chain whole up to its head, every published checkpoint in the database)
/// and its roll-ups must count exactly its events (written in the same transactions, so only
/// a backup read at one moment agrees).
async fn a_backup_taken_while_visitors_write_is_consistent(from: Backend, to: Backend) {
    let app = spawn_app_with(from, |c| c.public_rate_per_second = 0).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let notice = demo_notice(&app.client, &app.api).await;
    let mut writers = Vec::new();
    for _ in 0..10 {
        let (client, api, notice, stop) = (app.client.clone(), app.api.clone(), notice.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut mine: Option<(String, String)> = None;
            let mut written = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let body = save_body(&notice, "granted", mine.as_ref().map(|(s, _)| s.as_str()));
                let mut req = client.post(format!("{api}/v1/sites/demo/consents")).json(&body);
                if let Some((_, token)) = &mine {
                    req = req.bearer_auth(token);
                }
                let res = req.send().await.expect("append");
                assert_eq!(res.status(), 201);
                let r: ConsentRecorded = res.json().await.expect("recorded");
                if let Some(token) = r.subject_token {
                    mine = Some((r.subject_id.to_string(), token));
                }
                written += 1;
            }
            written
        }));
    }
    let checkpoints = {
        let (place, stop) = (Place::of(&app), stop.clone());
        tokio::task::spawn_blocking(move || {
            let mut made = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (ok, stdout, stderr) = place.assent(&["checkpoint"]);
                assert!(ok, "{stdout}{stderr}");
                made += 1;
            }
            made
        })
    };
    // Let the writers get going, then back up while they and the checkpoints run.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while app.event_rows().await < 50 {
        assert!(
            tokio::time::Instant::now() < deadline && !writers.iter().all(|w| w.is_finished()),
            "the writers stopped before writing 50 events (a refused append panics its writer)"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let work = tempfile::tempdir().expect("tempdir");
    let backup = {
        let place = Place::of(&app);
        let dir = work.path().to_owned();
        tokio::task::spawn_blocking(move || place.backup_into(&dir))
            .await
            .expect("backup")
    };
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut written = 0;
    for w in writers {
        written += w.await.expect("writer");
    }
    let made = checkpoints.await.expect("checkpoints");

    let target = fresh_target(to).await;
    let (ok, stdout, stderr) = target.place.restore(&backup, false);
    assert!(ok, "restore failed: {stdout}{stderr}");
    target.place.verify_clean();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&target.place.database_url)
        .await
        .expect("connect");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM consent_events")
        .fetch_one(&pool)
        .await
        .expect("count");
    let counted: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM stats_daily WHERE purpose = '' AND dimension = 'events'",
    )
    .fetch_one(&pool)
    .await
    .expect("sum");
    pool.close().await;
    assert_eq!(counted, events, "the roll-ups count the events of the same moment");
    eprintln!(
        "backup under load ({from:?} → {to:?}): it holds {events} events; 10 visitors recorded {written} in \
         all, before, during and after it, and {made} checkpoints were made meanwhile"
    );
}

/// The schema's tables (from a freshly migrated database) are exactly the tables a backup
/// carries and those it leaves out with a reason: a migration adding a table fails here
/// until the backup knows what to do with it.
async fn every_table_of_the_schema_is_backed_up_or_left_out_with_a_reason(backend: Backend) {
    let target = fresh_target(backend).await;
    let url = &target.place.database_url;
    let ledger = assent_server::ledger::connect(url).await.expect("migrate");
    let schema = table_names(&ledger.db().pool, url).await;
    let mut covered: Vec<String> = assent_server::backup::TABLES
        .iter()
        .map(|t| t.name.to_owned())
        .chain(
            assent_server::backup::LEFT_OUT
                .iter()
                .map(|(name, _)| (*name).to_owned()),
        )
        .collect();
    covered.sort();
    assert_eq!(schema, covered, "tables of the schema vs. tables the backup covers");
    assert!(
        assent_server::backup::LEFT_OUT
            .iter()
            .all(|(_, reason)| reason.len() > 40),
        "each table left out says why"
    );
}
