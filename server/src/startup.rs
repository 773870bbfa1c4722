//! Builds the application: opens the ledger, loads keys, binds the listeners. Binding happens
//! here (not in `main`) so tests can start the real server on port 0 and ask for its port.

use crate::assets::Bundles;
use crate::auth::LoginLimiter;
use crate::config::Config;
use crate::keys::Keys;
use crate::ledger::writer::Writer;
use crate::routes;
use crate::state::AppState;
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

#[derive(Debug)]
pub struct Application {
    api: TcpListener,
    demo: Option<TcpListener>,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let api = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        let demo = if config.demo {
            Some(
                TcpListener::bind(config.demo_bind)
                    .await
                    .with_context(|| format!("binding demo {}", config.demo_bind))?,
            )
        } else {
            None
        };
        let db_timeout = Duration::from_millis(config.db_timeout_ms.max(1));
        let sql = crate::ledger::connect_with(&config.database_url, db_timeout).await?;
        let db = sql.db();
        let ledger: Arc<dyn crate::ledger::Ledger> = Arc::new(sql);
        let keys = Keys::load_or_create(&config.key_file)?;
        if let Some(demo) = &demo {
            routes::demo::seed(ledger.as_ref(), demo.local_addr()?).await?;
            if config.tcf_cmp_id.is_some() {
                let origins = routes::demo::origins(demo.local_addr()?);
                routes::demo_tcf::seed(ledger.as_ref(), origins).await?;
            }
        }
        let public_origin = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", api.local_addr().map_or(config.bind, |a| a)));
        let metrics = Arc::new(crate::metrics::Metrics::new()?);
        let writer = Writer::spawn(
            ledger.clone(),
            config.batch_max,
            Duration::from_micros(config.batch_wait_us),
            crate::request_bound::limit(&config),
            metrics.batches.clone(),
        );
        let login_limiter = LoginLimiter::new(config.login_per_minute_per_ip, config.login_per_minute_per_account);
        let state = AppState {
            config: Arc::new(config),
            ledger,
            db,
            access: Arc::default(),
            login_limiter: Arc::new(login_limiter),
            instance_id: uuid::Uuid::new_v4().to_string().into(),
            writer,
            metrics,
            keys: Arc::new(keys),
            assets: Arc::new(Bundles::default()),
            notices: Arc::default(),
            sites: Arc::default(),
            loader_versions: Arc::default(),
            public_origin: public_origin.into(),
            impressions: Arc::default(),
            gvl: Arc::default(),
            demo_port: demo.as_ref().and_then(|d| d.local_addr().ok()).map(|a| a.port()),
        };
        state.reload_sites().await?;
        crate::ledger::rollup::backfill(&state.db).await?;
        spawn_checkpointer(&state);
        spawn_retention(&state);
        spawn_config_watch(&state).await?;
        spawn_impressions_flush(&state);
        crate::webhooks::spawn_sender(state.db.clone(), &state.config)?;
        if let Err(err) = state.gvl.reload(&state.db).await {
            tracing::error!(error = ?err, "the stored Global Vendor List cannot be loaded");
        }
        if let Some(cmp) = crate::tcf::settings::cmp(&state.config)
            && cmp.placeholder
        {
            tracing::warn!(
                cmp_id = cmp.id,
                "TCF runs with the demo's placeholder CMP id: its TC strings are valid with no vendor; set tcf_cmp_id to the id IAB Europe registered for you"
            );
        }
        crate::tcf::refresh::spawn(&state)?;
        Ok(Self { api, demo, state })
    }

    pub fn api_addr(&self) -> SocketAddr {
        self.api.local_addr().unwrap_or(self.state.config.bind)
    }

    pub fn demo_addr(&self) -> Option<SocketAddr> {
        self.demo.as_ref().and_then(|d| d.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then drains in-flight requests on both listeners.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let state = self.state.clone();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stopped| *stopped).await;
        };
        let api = crate::serve::serve(self.api, routes::router(self.state.clone()), wait(stop_rx.clone()));
        match self.demo {
            Some(demo) => {
                let demo = crate::serve::serve(demo, routes::demo::router(self.state), wait(stop_rx));
                tokio::join!(api, demo);
            }
            None => api.await,
        }
        // Banners counted since the last flush are not lost on a graceful stop.
        state
            .impressions
            .flush(&state.db)
            .await
            .context("adding the last banner counts")?;
        Ok(())
    }
}

/// Adds this process's banner counts to the database every [`crate::impressions::FLUSH_EVERY`].
/// Every process runs it (each flushes its own counts), unlike the leased jobs below.
fn spawn_impressions_flush(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(crate::impressions::FLUSH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = state.impressions.flush(&state.db).await {
                tracing::warn!(error = ?err, "cannot add banner counts; kept for the next attempt");
            }
        }
    });
}

/// Runs `job` every `every` in one process at a time across all processes on the database:
/// each tick, a process takes or renews the job's lease (valid 1.5 ticks) and runs the job
/// only if it holds it, so a dead holder's job is taken over within two ticks.
fn spawn_periodic<F, Fut>(state: &AppState, name: &'static str, every: Duration, job: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let state = state.clone();
    let ttl = every.mul_f64(1.5);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            match state.db.hold_lease(name, &state.instance_id, ttl).await {
                Ok(true) => {
                    if let Err(err) = job(state.clone()).await {
                        tracing::error!(error = ?err, job = name, "periodic job failed");
                    }
                }
                Ok(false) => tracing::debug!(job = name, "another process holds the lease"),
                Err(err) => tracing::error!(error = ?err, job = name, "cannot take the job's lease"),
            }
        }
    });
}

/// Checkpoints every site whose chains moved, and anchors the audit log's head, every
/// `checkpoint_interval_secs`.
fn spawn_checkpointer(state: &AppState) {
    let every = state.config.checkpoint_interval_secs;
    if every == 0 {
        return;
    }
    spawn_periodic(state, "checkpoints", Duration::from_secs(every), |state| async move {
        let file = Some(state.config.checkpoint_file.as_path());
        let made = crate::ledger::checkpoint::make_due(state.ledger.as_ref(), &state.keys, file).await?;
        let anchors = crate::db::audit_anchor::anchor_file(&state.config.checkpoint_file);
        state.db.anchor_audit(&state.keys, &anchors).await?;
        if made > 0 {
            tracing::info!(made, "checkpoints made");
        }
        Ok(())
    });
}

/// Applies the retention setting once an hour.
fn spawn_retention(state: &AppState) {
    let days = state.config.retention_days;
    if days == 0 {
        return;
    }
    spawn_periodic(state, "retention", Duration::from_secs(3600), move |state| async move {
        let n = crate::ledger::retention::run(state.ledger.as_ref(), days).await?;
        if n > 0 {
            tracing::info!(unlinked = n, "retention: unlinked inactive subjects");
        }
        Ok(())
    });
}

/// Reloads the sites (origins, regimes, archiving) and forgets cached loader data whenever
/// the configuration version moves — whichever process changed it. Polling one row every
/// `config_poll_ms` (default 500 ms) bounds how late a change reaches this process.
async fn spawn_config_watch(state: &AppState) -> anyhow::Result<()> {
    let state = state.clone();
    let mut seen = state.db.config_version().await?;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(state.config.config_poll_ms));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let version = match state.db.config_version().await {
                Ok(v) => v,
                Err(err) => {
                    tracing::warn!(error = ?err, "cannot read the configuration version");
                    continue;
                }
            };
            if version == seen {
                continue;
            }
            if let Err(err) = state.gvl.reload(&state.db).await {
                tracing::error!(error = ?err, "reloading the Global Vendor List failed; the one held stays");
            }
            match state.reload_sites().await {
                Ok(()) => {
                    state.loader_versions.lock().await.clear();
                    seen = version;
                    tracing::debug!(version, "configuration reloaded");
                }
                Err(err) => tracing::error!(error = ?err, "reloading sites failed"),
            }
        }
    });
    Ok(())
}
