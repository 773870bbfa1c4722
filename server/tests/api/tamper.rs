//! Tampering as an attacker with database access would: drop the append-only triggers, then
//! edit rows directly. Every edit must be found by verification, at the right event.

use crate::helpers::{Backend, TestApp, error_code, spawn_app};
use crate::on_both_backends;
use assent_server::auth::{Role, ServiceClaims};
use assent_shared::api::{ConsentHistory, ConsentRecorded, VerifyReport};
use assent_shared::canonical::event_hash;
use serde_json::json;

on_both_backends!(
    an_untouched_ledger_verifies_clean_and_verification_needs_an_admin_token,
    a_changed_decision_is_found_at_that_event,
    a_deleted_event_in_the_middle_is_found,
    a_deleted_whole_chain_is_found_through_the_checkpoint,
    swapped_events_are_found,
    a_rechained_subject_with_forged_hashes_is_found_through_the_checkpoint,
    a_checkpoint_deleted_from_the_database_is_found_through_the_published_file,
    the_verify_command_names_the_first_broken_event_and_exits_non_zero,
    a_site_deleted_whole_is_found_through_the_published_file,
    an_event_altered_in_the_database_gets_no_receipt,
    an_edited_audit_entry_is_refused_and_once_forced_is_found_by_verify,
    entries_cut_from_the_end_of_the_audit_log_are_found_by_its_anchor,
    verification_since_the_checkpoint_reads_what_changed_and_finds_a_changed_new_event,
    verification_since_the_checkpoint_finds_a_rewritten_or_edited_head_but_not_an_old_edit,
);

/// `assent verify` against the test server's database and key file.
fn verify_command(app: &TestApp) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
        .arg("verify")
        .env("ASSENT_DATABASE_URL", &app.database_url)
        .env("ASSENT_KEY_FILE", app.dir.path().join("keys.json"))
        .env("ASSENT_CHECKPOINT_FILE", app.dir.path().join("checkpoints.jsonl"))
        .env("ASSENT_LOG", "error")
        .output()
        .expect("run assent verify")
}

async fn the_verify_command_names_the_first_broken_event_and_exits_non_zero(backend: Backend) {
    let app = spawn_app(backend).await;
    let chain = three_event_chain(&app).await;
    checkpoint_now(&app).await;
    let clean = verify_command(&app);
    let out = String::from_utf8_lossy(&clean.stdout);
    assert!(clean.status.success(), "{out}");
    assert!(out.contains("site demo: 1 chain, 3 events, 1 checkpoint: OK"), "{out}");

    drop_triggers(&app, backend).await;
    deny_analytics_in_event_2(&app, &chain).await;
    let broken = verify_command(&app);
    let out = String::from_utf8_lossy(&broken.stdout);
    assert_eq!(broken.status.code(), Some(2), "{out}");
    assert!(
        out.contains(&format!("first broken: subject {} seq 2", chain.subject)),
        "{out}"
    );
}

/// A site deleted whole (its events, checkpoints and row) leaves nothing to walk: what is
/// left are its published checkpoints, and `assent verify` names the site they belong to.
async fn a_site_deleted_whole_is_found_through_the_published_file(backend: Backend) {
    let app = spawn_app(backend).await;
    three_event_chain(&app).await;
    let made = checkpoint_command(&app);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(verify_command(&app).status.success());
    // The file as it would read after the site `gone` was deleted from the database: its
    // published line stays (here the demo's line, renamed).
    let file = app.dir.path().join("checkpoints.jsonl");
    let line = std::fs::read_to_string(&file).expect("checkpoint file");
    let gone = line
        .lines()
        .next()
        .expect("a line")
        .replace("\"site_id\":\"demo\"", "\"site_id\":\"gone\"");
    std::fs::write(&file, format!("{line}{gone}\n")).expect("write");
    let out = verify_command(&app);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("site gone: BROKEN — 1 published checkpoint in")
            && text.contains("the site is not in the database"),
        "{text}"
    );
    assert!(
        text.contains("site demo: 1 chain, 3 events, 1 checkpoint: OK"),
        "{text}"
    );
    // Named alone, a site the database does not know is refused, not reported OK or sealed.
    for command in ["verify", "checkpoint"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
            .args([command, "--site", "gone"])
            .env("ASSENT_DATABASE_URL", &app.database_url)
            .env("ASSENT_KEY_FILE", app.dir.path().join("keys.json"))
            .env("ASSENT_CHECKPOINT_FILE", &file)
            .env("ASSENT_LOG", "error")
            .output()
            .expect("run assent");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{command}: {stderr}");
        assert!(
            stderr.contains("site gone is not in the database"),
            "{command}: {stderr}"
        );
    }
}

async fn an_event_altered_in_the_database_gets_no_receipt(backend: Backend) {
    let app = spawn_app(backend).await;
    let chain = three_event_chain(&app).await;
    let history: assent_shared::api::ConsentHistory = app
        .history(&chain.subject, &chain.token)
        .await
        .json()
        .await
        .expect("history");
    let receipt_of = |seq: usize| {
        let url = format!(
            "{}/v1/sites/demo/subjects/{}/consents/{}/receipt",
            app.api,
            chain.subject,
            history.events[seq - 1].event_id
        );
        app.get_authed(url, &chain.token)
    };
    assert_eq!(receipt_of(2).await.status(), 200);
    drop_triggers(&app, backend).await;
    deny_analytics_in_event_2(&app, &chain).await;
    let res = receipt_of(2).await;
    assert_eq!(res.status(), 500, "the server must not sign the altered event");
    assert_eq!(
        receipt_of(1).await.status(),
        200,
        "untouched events keep their receipts"
    );
}

/// Edits the stored JSON of `chain`'s second event (analytics granted → denied) without
/// touching its hash: what an attacker with database access and no key would do. The
/// triggers must be dropped first.
async fn deny_analytics_in_event_2(app: &TestApp, chain: &Chain) {
    let sql = format!(
        "UPDATE consent_events SET event = REPLACE(event, '\"analytics\":\"granted\"', '\"analytics\":\"denied\"') \
         WHERE subject_id = '{}' AND seq = 2",
        chain.subject
    );
    app.raw_sql(&sql).await.expect("tamper");
}

pub(crate) struct Chain {
    pub(crate) subject: String,
    pub(crate) token: String,
}

fn admin_token(app: &TestApp, site: &str) -> String {
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 600;
    app.state
        .keys
        .sign(&ServiceClaims::new(vec![site.into()], Role::Owner, exp))
        .expect("sign")
}

/// A subject with three events: reject, grant analytics, withdraw it.
pub(crate) async fn three_event_chain(app: &TestApp) -> Chain {
    let first = app
        .consent_body("reject_all", json!({ "analytics": "denied", "advertising": "denied" }))
        .await;
    let res: ConsentRecorded = app.post_consent(&first, None).await.json().await.expect("json");
    let chain = Chain {
        subject: res.subject_id.to_string(),
        token: res.subject_token.expect("token"),
    };
    for analytics in ["granted", "denied"] {
        let mut body = app
            .consent_body("save", json!({ "analytics": analytics, "advertising": "denied" }))
            .await;
        body["subject_id"] = json!(chain.subject);
        assert_eq!(app.post_consent(&body, Some(&chain.token)).await.status(), 201);
    }
    chain
}

async fn checkpoint_now(app: &TestApp) {
    let res = app
        .client
        .post(format!("{}/v1/admin/sites/demo/checkpoints", app.api))
        .bearer_auth(admin_token(app, "demo"))
        .send()
        .await
        .expect("POST checkpoint");
    assert_eq!(res.status(), 201);
}

pub(crate) async fn verify(app: &TestApp) -> VerifyReport {
    let res = app
        .get_authed(
            format!("{}/v1/admin/sites/demo/verify", app.api),
            &admin_token(app, "demo"),
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("report JSON")
}

pub(crate) async fn drop_triggers(app: &TestApp, backend: Backend) {
    let statements: &[&str] = match backend {
        Backend::Sqlite => &[
            "DROP TRIGGER consent_events_no_update",
            "DROP TRIGGER consent_events_no_delete",
            "DROP TRIGGER checkpoints_no_delete",
        ],
        Backend::Postgres => &[
            "DROP TRIGGER consent_events_append_only ON consent_events",
            "DROP TRIGGER checkpoints_append_only ON checkpoints",
        ],
    };
    for sql in statements {
        app.raw_sql(sql).await.expect(sql);
    }
}

pub(crate) fn first_broken(report: &VerifyReport) -> (Option<String>, Option<u64>, String) {
    assert!(!report.ok, "verification must fail: {report:?}");
    let p = &report.problems[0];
    (p.subject_id.clone(), p.seq, p.problem.clone())
}

async fn an_untouched_ledger_verifies_clean_and_verification_needs_an_admin_token(backend: Backend) {
    let app = spawn_app(backend).await;
    three_event_chain(&app).await;
    three_event_chain(&app).await;
    checkpoint_now(&app).await;
    let report = verify(&app).await;
    assert!(report.ok, "{report:?}");
    assert_eq!((report.chains, report.events, report.checkpoints), (2, 6, 1));
    let url = format!("{}/v1/admin/sites/demo/verify", app.api);
    assert_eq!(
        error_code(app.client.get(&url).send().await.expect("GET"), 401).await,
        "unauthorized"
    );
    let other = admin_token(&app, "another-site");
    assert_eq!(error_code(app.get_authed(&url, &other).await, 403).await, "forbidden");
    let latest: serde_json::Value = app
        .get("/v1/sites/demo/checkpoints/latest")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(latest["tree_size"], 2);
    assert!(latest.get("heads").is_none(), "the public checkpoint names no subjects");
}

async fn a_changed_decision_is_found_at_that_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let chain = three_event_chain(&app).await;
    drop_triggers(&app, backend).await;
    deny_analytics_in_event_2(&app, &chain).await;
    let (subject, seq, problem) = first_broken(&verify(&app).await);
    assert_eq!((subject.as_deref(), seq), (Some(chain.subject.as_str()), Some(2)));
    assert!(problem.contains("altered"), "{problem}");
}

async fn a_deleted_event_in_the_middle_is_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let chain = three_event_chain(&app).await;
    drop_triggers(&app, backend).await;
    app.raw_sql(&format!(
        "DELETE FROM consent_events WHERE subject_id = '{}' AND seq = 2",
        chain.subject
    ))
    .await
    .expect("tamper");
    let (subject, seq, problem) = first_broken(&verify(&app).await);
    assert_eq!((subject.as_deref(), seq), (Some(chain.subject.as_str()), Some(3)));
    assert!(problem.contains("missing"), "{problem}");
}

async fn a_deleted_whole_chain_is_found_through_the_checkpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let chain = three_event_chain(&app).await;
    three_event_chain(&app).await;
    checkpoint_now(&app).await;
    drop_triggers(&app, backend).await;
    for table in ["consent_events", "consent_state", "subjects"] {
        app.raw_sql(&format!("DELETE FROM {table} WHERE subject_id = '{}'", chain.subject))
            .await
            .expect("tamper");
    }
    let report = verify(&app).await;
    let (subject, seq, problem) = first_broken(&report);
    assert_eq!((subject.as_deref(), seq), (Some(chain.subject.as_str()), Some(3)));
    assert!(problem.contains("no longer exists"), "{problem}");
    assert_eq!(report.chains, 1);
}

async fn swapped_events_are_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let chain = three_event_chain(&app).await;
    drop_triggers(&app, backend).await;
    let s = &chain.subject;
    for sql in [
        format!("UPDATE consent_events SET seq = -1 WHERE subject_id = '{s}' AND seq = 2"),
        format!("UPDATE consent_events SET seq = 2 WHERE subject_id = '{s}' AND seq = 3"),
        format!("UPDATE consent_events SET seq = 3 WHERE subject_id = '{s}' AND seq = -1"),
    ] {
        app.raw_sql(&sql).await.expect("tamper");
    }
    let (subject, seq, _) = first_broken(&verify(&app).await);
    assert_eq!((subject.as_deref(), seq), (Some(s.as_str()), Some(2)));
}

async fn a_rechained_subject_with_forged_hashes_is_found_through_the_checkpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let chain = three_event_chain(&app).await;
    checkpoint_now(&app).await;
    let history: ConsentHistory = app
        .history(&chain.subject, &chain.token)
        .await
        .json()
        .await
        .expect("json");
    drop_triggers(&app, backend).await;
    // Rewrite event 2 to "analytics denied" and re-chain everything after it consistently.
    let mut events = history.events;
    let analytics = assent_shared::ids::PurposeKey::parse("analytics").expect("key");
    events[1]
        .decisions
        .insert(analytics, assent_shared::consent::Decision::Denied);
    for i in 1..events.len() {
        events[i].prev_hash = events[i - 1].hash.clone();
        events[i].hash = event_hash(&events[i]).expect("hash");
        let e = &events[i];
        let sql = format!(
            "UPDATE consent_events SET event = '{}', prev_hash = '{}', hash = '{}' WHERE subject_id = '{}' AND seq = {}",
            serde_json::to_string(e).expect("json").replace('\'', "''"),
            e.prev_hash,
            e.hash,
            chain.subject,
            e.seq
        );
        app.raw_sql(&sql).await.expect("tamper");
    }
    assert_eq!(
        assent_shared::canonical::first_broken(&events),
        None,
        "the forged chain is internally consistent"
    );
    let (subject, seq, problem) = first_broken(&verify(&app).await);
    assert_eq!((subject.as_deref(), seq), (Some(chain.subject.as_str()), Some(3)));
    assert!(problem.contains("rewritten"), "{problem}");

    // The visitor comes back and the chain moves on from the forged head: the next checkpoint
    // must not seal it (the walk since that checkpoint would then take the forgery as verified).
    append(&app, &chain, "granted").await;
    let res = app
        .client
        .post(format!("{}/v1/admin/sites/demo/checkpoints", app.api))
        .bearer_auth(admin_token(&app, "demo"))
        .send()
        .await
        .expect("POST checkpoint");
    assert_eq!(res.status(), 500, "no checkpoint over a rewritten chain");
    let made = checkpoint_command(&app);
    let stderr = String::from_utf8_lossy(&made.stderr);
    assert!(!made.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "subject {} no longer holds the head checkpoint 1 recorded (seq 3)",
            chain.subject
        )),
        "{stderr}"
    );
    assert_eq!(app.scalar::<i64>("SELECT COUNT(*) FROM checkpoints").await, 1);
    let (_, _, problem) = first_broken(&since_checkpoint(&app).await);
    assert!(
        problem.contains("checkpoint 1 recorded another hash") || problem.contains("rewritten"),
        "{problem}"
    );
}

async fn a_checkpoint_deleted_from_the_database_is_found_through_the_published_file(backend: Backend) {
    let app = spawn_app(backend).await;
    three_event_chain(&app).await;
    checkpoint_now(&app).await;
    drop_triggers(&app, backend).await;
    app.raw_sql("DELETE FROM checkpoints").await.expect("tamper");
    let (_, _, problem) = first_broken(&verify(&app).await);
    assert!(problem.contains("missing or different in the database"), "{problem}");
}

async fn an_edited_audit_entry_is_refused_and_once_forced_is_found_by_verify(backend: Backend) {
    let app = spawn_app(backend).await;
    crate::admin::create_account(&app, "admin@example.com", true).await;
    for _ in 0..3 {
        crate::admin::token_of(&app, "admin@example.com").await;
    }
    let out = verify_command(&app);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("audit log: 4 entries: OK"), "{text}");
    let edit = "UPDATE audit_log SET entry = REPLACE(entry, 'admin@example.com', 'someone@example.com') WHERE seq = 2";
    assert!(app.raw_sql(edit).await.is_err(), "the trigger refuses an edit");
    assert!(
        app.raw_sql("DELETE FROM audit_log WHERE seq = 3").await.is_err(),
        "and a deletion"
    );
    let drop = match backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        Backend::Postgres => "DROP TRIGGER audit_log_append_only ON audit_log",
    };
    app.raw_sql(drop).await.expect(drop);
    app.raw_sql(edit).await.expect("forced edit");
    let out = verify_command(&app);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("first broken: entry 2 — hash does not match"), "{text}");
}

fn checkpoint_command(app: &TestApp) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
        .arg("checkpoint")
        .env("ASSENT_DATABASE_URL", &app.database_url)
        .env("ASSENT_KEY_FILE", app.dir.path().join("keys.json"))
        .env("ASSENT_CHECKPOINT_FILE", app.dir.path().join("checkpoints.jsonl"))
        .env("ASSENT_LOG", "error")
        .output()
        .expect("run assent checkpoint")
}

async fn entries_cut_from_the_end_of_the_audit_log_are_found_by_its_anchor(backend: Backend) {
    let app = spawn_app(backend).await;
    crate::admin::create_account(&app, "admin@example.com", true).await;
    for _ in 0..3 {
        crate::admin::token_of(&app, "admin@example.com").await;
    }
    let made = checkpoint_command(&app);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(String::from_utf8_lossy(&made.stdout).contains("audit log: head anchored"));
    let out = verify_command(&app);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // Cut the last two entries: what is left is still a valid chain…
    let drop = match backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_delete",
        Backend::Postgres => "DROP TRIGGER audit_log_append_only ON audit_log",
    };
    app.raw_sql(drop).await.expect(drop);
    app.raw_sql("DELETE FROM audit_log WHERE seq >= 3")
        .await
        .expect("forced cut");
    // …but not the one the anchor outside the database names.
    let out = verify_command(&app);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("entry 4 — missing, though anchored"), "{text}");
}

/// Appends one `save` to `chain`.
pub(crate) async fn append(app: &TestApp, chain: &Chain, analytics: &str) {
    let mut body = app
        .consent_body("save", json!({ "analytics": analytics, "advertising": "denied" }))
        .await;
    body["subject_id"] = json!(chain.subject);
    assert_eq!(app.post_consent(&body, Some(&chain.token)).await.status(), 201);
}

pub(crate) async fn since_checkpoint(app: &TestApp) -> VerifyReport {
    let site = assent_shared::ids::SiteId::parse("demo").expect("site");
    assent_server::ledger::verify::verify_site_since_checkpoint(app.state.ledger.as_ref(), &app.state.keys, &site)
        .await
        .expect("verify since the checkpoint")
}

/// Replaces the stored JSON of one event (its columns and hash untouched).
async fn edit_event(app: &TestApp, chain: &Chain, seq: u64) {
    let sql = format!(
        "UPDATE consent_events SET event = REPLACE(event, '\"advertising\":\"denied\"', '\"advertising\":\"granted\"') \
         WHERE subject_id = '{}' AND seq = {seq}",
        chain.subject
    );
    app.raw_sql(&sql).await.expect("tamper");
}

async fn verification_since_the_checkpoint_reads_what_changed_and_finds_a_changed_new_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let old = three_event_chain(&app).await;
    checkpoint_now(&app).await;
    append(&app, &old, "granted").await;
    append(&app, &old, "denied").await;
    three_event_chain(&app).await;

    let report = since_checkpoint(&app).await;
    assert!(report.ok, "{report:?}");
    // The old chain from its signed head (seq 3) on: 3 reads; the new chain in full: 3.
    assert_eq!((report.chains, report.events, report.checkpoints), (2, 6, 1));
    assert_eq!(verify(&app).await.events, 8, "the full walk reads everything");

    drop_triggers(&app, backend).await;
    edit_event(&app, &old, 5).await;
    let (subject, seq, problem) = first_broken(&since_checkpoint(&app).await);
    assert_eq!((subject.as_deref(), seq), (Some(old.subject.as_str()), Some(5)));
    assert!(problem.contains("altered"), "{problem}");
}

async fn verification_since_the_checkpoint_finds_a_rewritten_or_edited_head_but_not_an_old_edit(backend: Backend) {
    let app = spawn_app(backend).await;
    let chain = three_event_chain(&app).await;
    checkpoint_now(&app).await;
    drop_triggers(&app, backend).await;

    // An event before the head, edited without re-chaining: the head still carries its signed
    // hash, so only the full walk sees it (the trade the incremental walk makes).
    edit_event(&app, &chain, 2).await;
    assert!(since_checkpoint(&app).await.ok);
    let (_, seq, _) = first_broken(&verify(&app).await);
    assert_eq!(seq, Some(2));

    // The head itself edited: its content no longer gives the signed hash.
    edit_event(&app, &chain, 3).await;
    let (_, seq, problem) = first_broken(&since_checkpoint(&app).await);
    assert_eq!(seq, Some(3));
    assert!(problem.contains("altered"), "{problem}");

    // The head rewritten with a recomputed hash: not the hash the checkpoint signed.
    app.raw_sql(&format!(
        "UPDATE consent_events SET hash = '{}' WHERE subject_id = '{}' AND seq = 3",
        "ab".repeat(32),
        chain.subject
    ))
    .await
    .expect("tamper");
    let (_, seq, problem) = first_broken(&since_checkpoint(&app).await);
    assert_eq!(seq, Some(3));
    assert!(problem.contains("rewritten"), "{problem}");
}
