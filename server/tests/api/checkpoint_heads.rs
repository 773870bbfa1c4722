//! Checkpoints that grow with the appends between them, not with the number of subjects: each
//! records only the chain heads that moved, still signs a root over every chain, and the
//! checkpoints made before heads had their own table keep verifying after the migration.

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;
use crate::tamper::{append, drop_triggers, first_broken, since_checkpoint, three_event_chain, verify};
use assent_server::ledger::checkpoint;
use assent_shared::api::ChainHead;
use assent_shared::ids::SiteId;

on_both_backends!(
    a_checkpoint_records_only_the_chains_that_moved_and_signs_them_all,
    a_recorded_head_changed_in_the_database_no_longer_gives_the_signed_root,
    checkpoints_made_before_heads_had_their_table_keep_verifying_after_the_migration,
    checkpoints_made_at_the_same_moment_all_succeed_with_their_own_numbers,
);

fn demo() -> SiteId {
    SiteId::parse("demo").expect("site")
}

async fn heads_now(app: &TestApp) -> Vec<ChainHead> {
    app.state.ledger.chain_heads(&demo(), "", 1000).await.expect("heads")
}

async fn make(app: &TestApp) -> assent_shared::api::Checkpoint {
    checkpoint::make(app.state.ledger.as_ref(), &app.state.keys, &demo(), None)
        .await
        .expect("checkpoint")
}

async fn a_checkpoint_records_only_the_chains_that_moved_and_signs_them_all(backend: Backend) {
    let app = spawn_app(backend).await;
    let moved = three_event_chain(&app).await;
    let still = three_event_chain(&app).await;
    let first = make(&app).await;
    assert_eq!((first.heads.len(), first.tree_size), (2, 2));

    append(&app, &moved, "granted").await;
    let second = make(&app).await;
    let recorded: Vec<(&str, u64)> = second.heads.iter().map(|h| (h.subject_id.as_str(), h.seq)).collect();
    assert_eq!(recorded, [(moved.subject.as_str(), 4)], "only the chain that moved");
    assert_eq!(second.tree_size, 2, "the root still covers both chains");
    assert_eq!(second.root, checkpoint::merkle_root(&heads_now(&app).await));
    let unchanged = app
        .state
        .ledger
        .signed_heads_of(&demo(), 2, std::slice::from_ref(&still.subject))
        .await
        .expect("signed heads");
    assert_eq!(unchanged[0].seq, 3, "checkpoint 2 signs the head checkpoint 1 recorded");

    let full = verify(&app).await;
    assert!(full.ok, "{full:?}");
    assert_eq!((full.chains, full.events, full.checkpoints), (2, 7, 2));
    let since = since_checkpoint(&app).await;
    assert!(since.ok, "{since:?}");
    assert_eq!(since.events, 2, "one event per chain: each from its signed head");

    let nothing_new = make(&app).await;
    assert!(nothing_new.heads.is_empty(), "{nothing_new:?}");
    assert_eq!(nothing_new.root, second.root);
}

async fn a_recorded_head_changed_in_the_database_no_longer_gives_the_signed_root(backend: Backend) {
    let app = spawn_app(backend).await;
    let chain = three_event_chain(&app).await;
    three_event_chain(&app).await;
    make(&app).await;
    drop_heads_triggers(&app, backend).await;
    app.raw_sql(&format!(
        "UPDATE checkpoint_heads SET hash = '{}' WHERE subject_id = '{}'",
        "ab".repeat(32),
        chain.subject
    ))
    .await
    .expect("tamper");
    for report in [verify(&app).await, since_checkpoint(&app).await] {
        let (subject, seq, problem) = first_broken(&report);
        assert_eq!((subject.as_deref(), seq), (Some(chain.subject.as_str()), Some(3)));
        assert!(problem.contains("recorded another hash"), "{problem}");
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.problem == "checkpoint 1: the heads do not produce its root"),
            "{report:?}"
        );
    }
}

async fn drop_heads_triggers(app: &TestApp, backend: Backend) {
    let statements: &[&str] = match backend {
        Backend::Sqlite => &[
            "DROP TRIGGER checkpoint_heads_no_update",
            "DROP TRIGGER checkpoint_heads_no_delete",
        ],
        Backend::Postgres => &["DROP TRIGGER checkpoint_heads_append_only ON checkpoint_heads"],
    };
    for sql in statements {
        app.raw_sql(sql).await.expect(sql);
    }
}

/// Puts the database back as the migration before found it — checkpoints listing every head
/// in their `heads` column, no heads table — then lets a second Assent on the same database
/// migrate it again.
async fn checkpoints_made_before_heads_had_their_table_keep_verifying_after_the_migration(backend: Backend) {
    let app = spawn_app(backend).await;
    let moved = three_event_chain(&app).await;
    three_event_chain(&app).await;
    let first_heads = heads_now(&app).await;
    make(&app).await;
    append(&app, &moved, "granted").await;
    let second_heads = heads_now(&app).await;
    let second = make(&app).await;

    drop_triggers(&app, backend).await;
    if backend == Backend::Sqlite {
        app.raw_sql("DROP TRIGGER checkpoints_no_update").await.expect("drop");
    }
    for (number, heads) in [(1, &first_heads), (2, &second_heads)] {
        let json = serde_json::to_string(heads).expect("json");
        app.raw_sql(&format!(
            "UPDATE checkpoints SET heads = '{json}' WHERE number = {number}"
        ))
        .await
        .expect("old heads column");
    }
    app.raw_sql("DROP TABLE checkpoint_heads").await.expect("drop");
    app.raw_sql("DELETE FROM _sqlx_migrations WHERE version = 13")
        .await
        .expect("unrecord the migration");

    let mut config = app.state.config.as_ref().clone();
    config.bind = "127.0.0.1:0".parse().expect("addr");
    config.demo = false;
    let again = assent_server::startup::Application::build(config)
        .await
        .expect("the second Assent migrates the database");
    let ledger = again.state().ledger.clone();
    let recorded = ledger
        .recorded_heads_of(&demo(), std::slice::from_ref(&moved.subject))
        .await
        .expect("recorded");
    let seqs: Vec<(u64, u64)> = recorded.iter().map(|(n, h)| (*n, h.seq)).collect();
    assert_eq!(
        seqs,
        [(1, 3), (2, 4)],
        "each head once, with the first checkpoint that listed it"
    );
    let (root, size) = checkpoint::signed_root(ledger.as_ref(), &demo(), 2)
        .await
        .expect("root");
    assert_eq!((root, size), (second.root.clone(), 2));
    let report = verify(&app).await;
    assert!(report.ok, "{report:?}");
}

async fn checkpoints_made_at_the_same_moment_all_succeed_with_their_own_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    three_event_chain(&app).await;
    let made = futures::future::join_all((0..4).map(|_| make(&app))).await;
    let mut numbers: Vec<u64> = made.iter().map(|c| c.number).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2, 3, 4]);
    let report = verify(&app).await;
    assert!(report.ok, "{report:?}");
}
