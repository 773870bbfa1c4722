//! What `assent restore` refuses, and what it never leaves behind: a target that holds data
//! (unless `--replace`), a damaged or foreign backup (refused before the target is touched),
//! and a restore that fails midway (rolled back: the target is exactly as it was, triggers
//! and files included). And `--replace` done right: the backup in place of everything, the
//! append-only triggers still there.

use crate::backup_kit::{Place, Tables, census, edit_manifest, files_in, fresh_target, rewrite_part, tables};
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;
use assent_shared::api::ConsentRecorded;
use serde_json::json;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

on_both_backends!(
    a_restore_into_a_database_that_holds_data_is_refused_and_changes_nothing,
    a_damaged_or_foreign_backup_is_refused_before_anything_is_written,
    a_restore_that_fails_midway_leaves_an_empty_target_empty,
    a_replacing_restore_that_fails_midway_leaves_the_target_as_it_was,
    a_replacing_restore_puts_the_backup_in_place_and_keeps_the_triggers,
);

/// An instance with a two-event chain, an administrator, a checkpoint and an audit anchor;
/// `method` is its first event's, so two instances differ.
async fn small_instance(backend: Backend, method: &str) -> TestApp {
    let app = spawn_app(backend).await;
    crate::admin::create_account(&app, "admin@example.com", true).await;
    crate::admin::token_of(&app, "admin@example.com").await;
    let first: ConsentRecorded = app
        .post_consent(&app.consent_body(method, json!({ "analytics": "granted" })).await, None)
        .await
        .json()
        .await
        .expect("recorded");
    let mut next = app.consent_body("withdraw", json!({ "analytics": "denied" })).await;
    next["subject_id"] = json!(first.subject_id);
    let res = app.post_consent(&next, first.subject_token.as_deref()).await;
    assert_eq!(res.status(), 201);
    let (ok, stdout, stderr) = Place::of(&app).assent(&["checkpoint"]);
    assert!(ok, "{stdout}{stderr}");
    app
}

/// A small instance and its backup.
async fn backed_up(backend: Backend) -> (TestApp, TempDir, PathBuf) {
    let app = small_instance(backend, "save").await;
    let work = tempfile::tempdir().expect("tempdir");
    let backup = Place::of(&app).backup_into(work.path());
    (app, work, backup)
}

/// Everything a restore could change at `place`: every table's rows and the files beside it.
async fn state_of(place: &Place) -> (Vec<(String, i64)>, std::collections::BTreeMap<String, Vec<u8>>) {
    (census(place).await, files_in(&place.dir))
}

/// Runs a restore that must fail; returns its error output.
fn refused(place: &Place, backup: &std::path::Path, replace: bool) -> String {
    let (ok, stdout, stderr) = place.restore(backup, replace);
    assert!(!ok, "the restore should have been refused: {stdout}");
    assert!(
        stderr.starts_with("Error: "),
        "one line an operator can act on: {stderr}"
    );
    stderr
}

/// The append-only triggers of `place` still refuse a deletion.
async fn triggers_hold(place: &Place) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&place.database_url).await.expect("connect");
    for table in ["consent_events", "notices", "checkpoints", "audit_log"] {
        let deleted = sqlx::query(&format!("DELETE FROM {table}")).execute(&pool).await;
        assert!(deleted.is_err(), "{table} accepted a DELETE: its trigger is gone");
    }
    pool.close().await;
}

async fn a_restore_into_a_database_that_holds_data_is_refused_and_changes_nothing(backend: Backend) {
    let (_source, _work, backup) = backed_up(backend).await;
    let target = small_instance(backend, "accept_all").await;
    let place = Place::of(&target);
    let before = state_of(&place).await;
    // Its own key file is in the way first: refused before the database is opened.
    let error = refused(&place, &backup, false);
    assert!(
        error.contains("exists and differs from the backup's") && error.contains("pass --replace"),
        "{error}"
    );
    assert_eq!(state_of(&place).await, before, "the refused restore changed the target");

    // Its files moved away, as that refusal says to: the data it holds is refused too.
    let aside = tempfile::tempdir().expect("tempdir");
    for (i, file) in [place.key_file(), place.checkpoint_file(), place.anchor_file()]
        .iter()
        .enumerate()
    {
        std::fs::rename(file, aside.path().join(i.to_string())).expect("move aside");
    }
    let before = state_of(&place).await;
    let error = refused(&place, &backup, false);
    assert!(
        error.contains("the target database is not empty (sites: 1, admin_users: 1,")
            && error.contains("pass --replace"),
        "{error}"
    );
    assert_eq!(state_of(&place).await, before, "the refused restore changed the target");
}

const PART: &str = "tables/consent_events.ndjson";

/// What is done to a backup, how, and what the refusal must say.
type Damage = (&'static str, fn(&Path), &'static str);

async fn a_damaged_or_foreign_backup_is_refused_before_anything_is_written(backend: Backend) {
    let (_source, _work, backup) = backed_up(backend).await;
    let whole: Vec<(PathBuf, Vec<u8>)> = [PART, "manifest.json", "files/keys.json"]
        .iter()
        .map(|f| (backup.join(f), std::fs::read(backup.join(f)).expect("read")))
        .collect();
    let cases: [Damage; 8] = [
        (
            "a changed byte",
            |b| {
                let mut bytes = std::fs::read(b.join(PART)).expect("part");
                let at = bytes.iter().position(|&c| c == b'"').expect("a string") + 1;
                bytes[at] ^= 1;
                std::fs::write(b.join(PART), bytes).expect("write");
            },
            "tables/consent_events.ndjson: SHA-256",
        ),
        (
            "a part cut off mid-row",
            |b| {
                let bytes = std::fs::read(b.join(PART)).expect("part");
                std::fs::write(b.join(PART), &bytes[..bytes.len() - 10]).expect("write");
            },
            "tables/consent_events.ndjson: line 2 is cut off",
        ),
        (
            "a row left out",
            |b| {
                let text = std::fs::read_to_string(b.join(PART)).expect("part");
                let first = text.lines().next().expect("a row");
                std::fs::write(b.join(PART), format!("{first}\n")).expect("write");
            },
            "tables/consent_events.ndjson: 1 rows, the manifest says 2",
        ),
        (
            "a changed key file",
            |b| std::fs::write(b.join("files/keys.json"), b"{}").expect("write"),
            "files/keys.json differs from the manifest",
        ),
        (
            "another format version",
            |b| edit_manifest(b, |m| m["format_version"] = json!(2)),
            "the backup is in format version 2; this Assent reads version 1",
        ),
        (
            "another schema version",
            |b| edit_manifest(b, |m| m["schema_version"] = json!(11)),
            "the backup is of schema version 11",
        ),
        (
            "a table this Assent does not know",
            |b| edit_manifest(b, |m| m["tables"][0]["name"] = json!("tables_of_the_future")),
            "not known here: [tables_of_the_future]; missing: [sites]",
        ),
        (
            "no manifest",
            |b| std::fs::remove_file(b.join("manifest.json")).expect("remove"),
            "manifest.json: No such file",
        ),
    ];
    for (what, damage, expected) in cases {
        damage(&backup);
        let target = fresh_target(backend).await;
        let error = refused(&target.place, &backup, false);
        assert!(error.contains(expected), "{what}: {error}");
        // Refused before the target was opened: no SQLite file, no PostgreSQL table, no file.
        assert_eq!(census(&target.place).await, [], "{what}: the target was written");
        assert_eq!(files_in(&target.place.dir).len(), 0, "{what}: a file was written");
        for (path, bytes) in &whole {
            std::fs::write(path, bytes).expect("undo the damage");
        }
    }

    // Another key file already where the backup's goes: refused before the database is
    // opened, so not even its schema is made.
    let target = fresh_target(backend).await;
    std::fs::write(target.place.key_file(), br#"{"keys":[]}"#).expect("a key file in the way");
    let error = refused(&target.place, &backup, false);
    assert!(error.contains("exists and differs"), "{error}");
    assert_eq!(census(&target.place).await, [], "the target database was written");
    assert_eq!(
        std::fs::read(target.place.key_file()).expect("key file"),
        br#"{"keys":[]}"#,
        "the key file in the way is untouched"
    );
}

async fn a_restore_that_fails_midway_leaves_an_empty_target_empty(backend: Backend) {
    let (_source, _work, backup) = backed_up(backend).await;
    // Whole and consistent, but its last roll-up row repeats a primary key: the database
    // refuses it after every earlier table was written.
    rewrite_part(&backup, "stats_daily", |lines| {
        let last = lines.last().expect("a row").clone();
        lines.push(last);
    });
    let target = fresh_target(backend).await;
    assent_server::ledger::connect(&target.place.database_url)
        .await
        .expect("migrate");
    let before = state_of(&target.place).await;
    let error = refused(&target.place, &backup, false);
    assert!(error.contains("restoring stats_daily"), "{error}");
    assert_eq!(
        state_of(&target.place).await,
        before,
        "the failed restore left something"
    );
    assert!(
        before.0.iter().all(|(t, n)| *n == 0 || t.starts_with("config_version")),
        "{before:?}"
    );
}

async fn a_replacing_restore_that_fails_midway_leaves_the_target_as_it_was(backend: Backend) {
    let (_source, _work, backup) = backed_up(backend).await;
    rewrite_part(&backup, "stats_daily", |lines| {
        let last = lines.last().expect("a row").clone();
        lines.push(last);
    });
    let target = small_instance(backend, "accept_all").await;
    let place = Place::of(&target);
    let rows = tables(&place.database_url).await;
    let before = state_of(&place).await;
    let error = refused(&place, &backup, true);
    assert!(error.contains("restoring stats_daily"), "{error}");
    assert_eq!(state_of(&place).await, before, "the failed restore changed the target");
    assert_eq!(tables(&place.database_url).await, rows, "row for row");
    triggers_hold(&place).await;
    place.verify_clean();
}

async fn a_replacing_restore_puts_the_backup_in_place_and_keeps_the_triggers(backend: Backend) {
    let (source, _work, backup) = backed_up(backend).await;
    let target = small_instance(backend, "accept_all").await;
    let place = Place::of(&target);
    let version = |rows: &Tables| rows["config_version"][0]["version"].clone();
    let replaced = version(&tables(&place.database_url).await);
    let (ok, stdout, stderr) = place.restore(&backup, true);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("replacing"), "{stdout}");
    let (mut restored, mut original) = (tables(&place.database_url).await, tables(&source.database_url).await);
    // The configuration version moves past the replaced one, so servers still running on the
    // target reload what they cached.
    assert_eq!(version(&restored), json!(replaced.as_i64().expect("version") + 1));
    restored.remove("config_version");
    original.remove("config_version");
    for (name, rows) in &original {
        assert_eq!(
            &restored[name], rows,
            "table {name}: the target holds the backup, row for row"
        );
    }
    for name in ["keys.json", "checkpoints.jsonl", "audit-anchors.jsonl"] {
        assert_eq!(
            std::fs::read(place.dir.join(name)).expect("restored"),
            std::fs::read(source.dir.path().join(name)).expect("source"),
            "{name}"
        );
    }
    assert!(
        !files_in(&place.dir).keys().any(|n| n.ends_with(".restoring")),
        "nothing staged is left behind"
    );
    place.verify_clean();
    triggers_hold(&place).await;
}
