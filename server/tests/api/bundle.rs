//! Evidence bundles: one verifies offline with nothing but its own text, and each kind of
//! tampering with that text is named; the same through `assent export` and
//! `assent verify-bundle`.

use crate::export::{demo, export_bytes, filter, record, record_story};
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;
use assent_server::export::{self, BundleReport, ExportRequest, Format, verify_bundle};
use assent_server::ledger::{EventFilter, checkpoint};
use serde_json::{Value, json};

on_both_backends!(
    a_bundle_verifies_offline_and_every_kind_of_tampering_is_named,
    a_filtered_bundle_holds_whole_chains_that_verify,
    a_bundle_made_while_visitors_keep_choosing_holds_one_moment,
    the_export_and_verify_bundle_commands_round_trip_and_exit_2_when_broken,
);

fn verify(text: &str) -> BundleReport {
    verify_bundle(text.as_bytes()).expect("reading from memory")
}

/// The first problem naming `subject` at `seq`, with its text.
fn problem_at(report: &BundleReport, subject: &str, seq: u64) -> String {
    report
        .problems
        .iter()
        .find(|p| p.subject_id.as_deref() == Some(subject) && p.seq == Some(seq))
        .map(|p| p.problem.clone())
        .unwrap_or_else(|| panic!("no problem at {subject} seq {seq}: {report:#?}"))
}

fn has_problem(report: &BundleReport, needle: &str) -> bool {
    report.problems.iter().any(|p| p.problem.contains(needle))
}

/// Rewrites the bundle's lines: `edit` answers the replacement of a line, `None` to drop it.
fn edit_lines(bundle: &str, edit: impl Fn(&str) -> Option<String>) -> String {
    bundle.lines().filter_map(edit).map(|l| l + "\n").collect()
}

fn is_event(line: &str, subject: &str, seq: u64) -> bool {
    line.starts_with(r#"{"type":"event""#)
        && line.contains(&format!("\"subject_id\":\"{subject}\""))
        && line.contains(&format!("\"seq\":{seq},"))
}

async fn a_bundle_verifies_offline_and_every_kind_of_tampering_is_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let [a, b, c] = record_story(&app).await;
    checkpoint::make(app.state.ledger.as_ref(), &app.state.keys, &demo(), None)
        .await
        .expect("checkpoint");
    let withdraw = json!({ "marketing_communications": "denied" });
    record(&app, "en", "withdraw", withdraw, Some(&c)).await;
    checkpoint::make(app.state.ledger.as_ref(), &app.state.keys, &demo(), None)
        .await
        .expect("checkpoint");
    // One more event after the last checkpoint: a chain may run past it.
    record(&app, "en", "save", json!({ "analytics": "granted" }), Some(&a)).await;
    let bundle =
        String::from_utf8(export_bytes(&app, Format::Bundle, EventFilter::default(), 1000).await).expect("utf-8");

    let clean = verify(&bundle);
    assert!(clean.is_ok(), "{clean:#?}");
    assert_eq!(
        (clean.chains, clean.events, clean.checkpoints, clean.notices),
        (3, 8, 2, 1)
    );
    assert_eq!(clean.site_id, Some(demo()));
    assert_eq!(clean.key_ids.len(), 1);
    let (a, b) = (a.subject_id.as_str(), b.subject_id.as_str());

    let changed = edit_lines(&bundle, |l| {
        Some(if is_event(l, a, 2) {
            l.replace(r#""analytics":"granted""#, r#""analytics":"denied""#)
        } else {
            l.to_owned()
        })
    });
    assert_ne!(changed, bundle);
    let report = verify(&changed);
    assert!(problem_at(&report, a, 2).contains("altered"), "{report:#?}");
    assert_eq!(
        report.problems[0].seq,
        Some(2),
        "the changed event is the first problem"
    );

    let deleted = edit_lines(&bundle, |l| (!is_event(l, a, 2)).then(|| l.to_owned()));
    let report = verify(&deleted);
    assert!(problem_at(&report, a, 3).contains("missing"), "{report:#?}");
    assert!(has_problem(&report, "records were added or removed"), "{report:#?}");

    let last_deleted = edit_lines(&bundle, |l| (!is_event(l, b, 1)).then(|| l.to_owned()));
    let report = verify(&last_deleted);
    assert!(problem_at(&report, b, 1).contains("no longer exists"), "{report:#?}");
    let named = report
        .problems
        .iter()
        .filter(|p| p.subject_id.as_deref() == Some(b))
        .count();
    assert_eq!(named, 1, "once: only the first checkpoint recorded it {report:#?}");

    let root = clean_root(&bundle);
    let forged_root = edit_lines(&bundle, |l| Some(l.replace(&root, &"0".repeat(64))));
    let report = verify(&forged_root);
    assert!(
        has_problem(&report, "checkpoint 1: the signature does not match"),
        "{report:#?}"
    );
    assert!(
        !has_problem(&report, "the heads do not produce its root"),
        "the root is signed: the signature is what a forged root breaks {report:#?}"
    );

    // A head the first checkpoint recorded, moved on in the bundle: the newest checkpoint's
    // root no longer comes out of the recorded heads, and the head names an event there is not.
    let b_head = format!(r#""subject_id":"{b}","seq":1,"#);
    let forged_head = edit_lines(&bundle, |l| {
        Some(if l.starts_with(r#"{"type":"checkpoint""#) {
            l.replace(&b_head, &format!(r#""subject_id":"{b}","seq":2,"#))
        } else {
            l.to_owned()
        })
    });
    assert_ne!(forged_head, bundle);
    let report = verify(&forged_head);
    assert!(
        has_problem(&report, "checkpoint 2: the heads do not produce its root"),
        "{report:#?}"
    );
    assert!(problem_at(&report, b, 2).contains("no longer exists"), "{report:#?}");

    let no_notice = edit_lines(&bundle, |l| {
        (!l.starts_with(r#"{"type":"notice""#)).then(|| l.to_owned())
    });
    let report = verify(&no_notice);
    assert!(
        has_problem(&report, "notice version 1 is not in the bundle"),
        "{report:#?}"
    );

    let reworded = edit_lines(&bundle, |l| {
        Some(if l.starts_with(r#"{"type":"notice""#) {
            l.replacen(r#""en":{"title":""#, r#""en":{"title":"Fine print: "#, 1)
        } else {
            l.to_owned()
        })
    });
    let report = verify(&reworded);
    assert!(
        has_problem(&report, "notice_hash does not match notice version 1"),
        "{report:#?}"
    );

    let other_keys = edit_lines(&bundle, |l| {
        Some(if l.starts_with(r#"{"type":"jwks""#) {
            r#"{"type":"jwks","keys":[]}"#.to_owned()
        } else {
            l.to_owned()
        })
    });
    assert!(has_problem(
        &verify(&other_keys),
        "checkpoint 1: the signature does not match"
    ));
}

fn clean_root(bundle: &str) -> String {
    let line = bundle
        .lines()
        .find(|l| l.starts_with(r#"{"type":"checkpoint""#))
        .expect("a checkpoint line");
    let checkpoint: Value = serde_json::from_str(line).expect("checkpoint JSON");
    checkpoint["root"].as_str().expect("root").to_owned()
}

async fn a_filtered_bundle_holds_whole_chains_that_verify(backend: Backend) {
    let app = spawn_app(backend).await;
    let [.., c] = record_story(&app).await;
    checkpoint::make(app.state.ledger.as_ref(), &app.state.keys, &demo(), None)
        .await
        .expect("checkpoint");
    // Only C's first event names marketing communications; the bundle holds C's whole chain.
    let f = filter(Some("2020-01-01"), None, Some("marketing_communications"));
    let bundle = String::from_utf8(export_bytes(&app, Format::Bundle, f.clone(), 1000).await).expect("utf-8");
    let report = verify(&bundle);
    assert!(
        report.is_ok(),
        "the checkpoint's other chains are outside the filter: {report:#?}"
    );
    assert_eq!((report.chains, report.events, report.checkpoints), (1, 2, 1));
    assert_eq!(report.filter, f);
    let events: Vec<&str> = bundle.lines().filter(|l| l.starts_with(r#"{"type":"event""#)).collect();
    assert!(events.iter().all(|l| l.contains(c.subject_id.as_str())));
    assert!(
        !events[1].contains("marketing_communications"),
        "the chain's other event came along"
    );
}

async fn a_bundle_made_while_visitors_keep_choosing_holds_one_moment(backend: Backend) {
    use futures::StreamExt;
    let app = spawn_app(backend).await;
    let [a, ..] = record_story(&app).await;
    let request = ExportRequest {
        page_size: 1,
        ..ExportRequest::new(demo(), Format::Bundle, EventFilter::default())
    };
    let stream = export::export_stream(app.state.ledger.as_ref(), app.state.keys.jwks(), request)
        .await
        .expect("stream");
    // The export waits for its reader after a page or two; meanwhile chains grow and start.
    record(&app, "en", "save", json!({ "analytics": "granted" }), Some(&a)).await;
    record(&app, "en", "reject_all", json!({ "analytics": "denied" }), None).await;
    let chunks: Vec<_> = stream.body.collect().await;
    let bytes: Vec<u8> = chunks.into_iter().flat_map(|c| c.expect("chunk").to_vec()).collect();
    let report = verify_bundle(bytes.as_slice()).expect("read");
    assert!(report.is_ok(), "{report:#?}");
    assert_eq!((report.chains, report.events), (3, 6), "the moment the export began");
    assert_eq!(app.event_rows().await, 8);
}

fn command(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
        .args(args)
        .env("ASSENT_DATABASE_URL", &app.database_url)
        .env("ASSENT_KEY_FILE", app.dir.path().join("keys.json"))
        .env("ASSENT_CHECKPOINT_FILE", app.dir.path().join("checkpoints.jsonl"))
        .env("ASSENT_LOG", "error")
        .output()
        .expect("run assent")
}

async fn the_export_and_verify_bundle_commands_round_trip_and_exit_2_when_broken(backend: Backend) {
    let app = spawn_app(backend).await;
    let [a, ..] = record_story(&app).await;
    checkpoint::make(app.state.ledger.as_ref(), &app.state.keys, &demo(), None)
        .await
        .expect("checkpoint");
    let file = app.dir.path().join("bundle.ndjson");
    let path = file.to_str().expect("utf-8 path");
    let made = command(
        &app,
        &["export", "--site", "demo", "--format", "bundle", "--output", path],
    );
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(String::from_utf8_lossy(&made.stderr).contains("exported 6 events of 3 chains"));

    let checked = command(&app, &["verify-bundle", path]);
    let out = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "{out}");
    assert!(out.contains("3 chains, 6 events, 1 checkpoint, 1 notice: OK"), "{out}");

    let text = std::fs::read_to_string(&file).expect("bundle");
    let subject = a.subject_id.as_str();
    let tampered = edit_lines(&text, |l| {
        Some(if is_event(l, subject, 2) {
            l.replace(r#""analytics":"granted""#, r#""analytics":"denied""#)
        } else {
            l.to_owned()
        })
    });
    std::fs::write(&file, tampered).expect("write");
    let broken = command(&app, &["verify-bundle", path]);
    let out = String::from_utf8_lossy(&broken.stdout);
    assert_eq!(broken.status.code(), Some(2), "{out}");
    assert!(out.contains(&format!("first broken: subject {subject} seq 2")), "{out}");

    let csv = command(
        &app,
        &["export", "--site", "demo", "--format", "csv", "--purpose", "functional"],
    );
    assert!(csv.status.success(), "{}", String::from_utf8_lossy(&csv.stderr));
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout).lines().count(),
        2,
        "header and one row"
    );
    let bad = command(
        &app,
        &["export", "--site", "demo", "--format", "csv", "--from", "last week"],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("from:"));
}
