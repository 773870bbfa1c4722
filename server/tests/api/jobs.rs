//! Periodic jobs run in one process at a time: the job lease.

use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;

on_both_backends!(a_job_lease_has_one_holder_until_it_expires);

async fn a_job_lease_has_one_holder_until_it_expires(backend: Backend) {
    let app = spawn_app(backend).await;
    // A second handle on the same database, as another process would have.
    let other = assent_server::ledger::connect(&app.database_url)
        .await
        .expect("connect")
        .db();
    let db = &app.state.db;
    let minute = time::Duration::minutes(1);
    assert!(db.try_lease("checkpoints", "process-a", minute).await.expect("lease"));
    assert!(
        !other
            .try_lease("checkpoints", "process-b", minute)
            .await
            .expect("lease"),
        "held by a"
    );
    assert!(
        db.try_lease("checkpoints", "process-a", minute).await.expect("renew"),
        "a renews"
    );
    assert!(
        other.try_lease("retention", "process-b", minute).await.expect("lease"),
        "jobs are separate"
    );
    // An expired lease is taken over.
    assert!(
        db.try_lease("reports", "process-a", time::Duration::milliseconds(-1))
            .await
            .expect("lease")
    );
    assert!(
        other
            .try_lease("reports", "process-b", minute)
            .await
            .expect("take over")
    );
    assert!(
        !db.try_lease("reports", "process-a", minute).await.expect("lease"),
        "now held by b"
    );
}
