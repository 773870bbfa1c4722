//! Group commit: one writer task per server process takes every pending append, batches
//! what is queued into one transaction, and answers each request only after that
//! transaction has committed. `batch_max = 1` gives one transaction per event.

use super::{AppendResult, DatabaseUnavailable, Ledger, NewEvent, Outage};
use crate::metrics::BatchMetrics;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

struct Job {
    event: NewEvent,
    reply: oneshot::Sender<Result<AppendResult, Arc<anyhow::Error>>>,
}

#[derive(Debug, Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// `stall`: the longest one batch may take before its requests are answered
    /// [`DatabaseUnavailable`] (a cut connection never answers; a retry with the same event
    /// id is idempotent, so a batch that did commit meanwhile is not recorded twice). A batch
    /// that fails answers every one of its requests with the same error, none with an
    /// acknowledgement: its transaction wrote nothing.
    pub fn spawn(
        ledger: Arc<dyn Ledger>,
        batch_max: usize,
        batch_wait: Duration,
        stall: Duration,
        metrics: BatchMetrics,
    ) -> Self {
        let (jobs, rx) = mpsc::channel(batch_max.max(1) * 4);
        tokio::spawn(run(ledger, rx, batch_max.max(1), batch_wait, stall, metrics));
        Self { jobs }
    }

    /// Appends waiting in the queue, not yet taken into a batch.
    pub fn queued(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Appends one event and resolves once its batch is committed.
    pub async fn append(&self, event: NewEvent) -> anyhow::Result<AppendResult> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { event, reply })
            .await
            .map_err(|_| anyhow::anyhow!("ledger writer has stopped"))?;
        match answer.await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(shared)) => match super::outage(&shared) {
                Some(kind) => Err(DatabaseUnavailable(kind).into()),
                None => Err(anyhow::anyhow!("append batch failed: {shared:#}")),
            },
            Err(_) => Err(anyhow::anyhow!("ledger writer dropped the request")),
        }
    }
}

async fn run(
    ledger: Arc<dyn Ledger>,
    mut rx: mpsc::Receiver<Job>,
    batch_max: usize,
    batch_wait: Duration,
    stall: Duration,
    metrics: BatchMetrics,
) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let deadline = tokio::time::Instant::now() + batch_wait;
        while jobs.len() < batch_max {
            let next = if batch_wait.is_zero() {
                rx.try_recv().ok()
            } else {
                tokio::time::timeout_at(deadline, rx.recv()).await.ok().flatten()
            };
            match next {
                Some(job) => jobs.push(job),
                None => break,
            }
        }
        let (events, replies): (Vec<_>, Vec<_>) = jobs.into_iter().map(|j| (j.event, j.reply)).unzip();
        #[expect(clippy::cast_precision_loss, reason = "a batch holds at most batch_max events")]
        metrics.sizes.observe(events.len() as f64);
        let outcome = tokio::time::timeout(stall, ledger.append_batch(&events))
            .await
            .unwrap_or_else(|_| Err(DatabaseUnavailable(Outage::Unreachable).into()));
        match outcome {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    // A caller that went away still had its event committed; nothing to do.
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(err) => {
                if let Some(kind) = super::outage(&err) {
                    tracing::warn!(error = %err, reason = kind.reason(), batch = events.len(), "append batch refused by the database");
                } else {
                    tracing::error!(error = ?err, batch = events.len(), "append batch failed");
                }
                metrics.failures.inc();
                let shared = Arc::new(err);
                for reply in replies {
                    let _ = reply.send(Err(shared.clone()));
                }
            }
        }
    }
}
