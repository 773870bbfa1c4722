//! Spawns the real server on port 0 with a fresh database (a SQLite file, or a PostgreSQL
//! database created for the test and dropped after it), a fresh key file and a fake banner build.

use assent_server::config::Config;
use assent_server::startup::Application;
use assent_server::state::AppState;
use assent_shared::api::NoticeResponse;
use serde_json::{Value, json};
use sqlx::Executor;
use std::path::PathBuf;
use tempfile::TempDir;

/// A test double of a server Assent calls (a webhook receiver, a Global Vendor List host):
/// `app` served on 127.0.0.1, port 0, until this is dropped (a graceful shutdown).
pub struct LoopbackServer {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub origin: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl LoopbackServer {
    pub async fn start(app: axum::Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            origin,
            stop: Some(stop),
        }
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one test body on both backends, as `<name>::on_sqlite` and `<name>::on_postgres`
/// (the test command skips `on_postgres` — loudly — when no PostgreSQL is reachable).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test]
            async fn on_postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    )*};
}

pub struct TestApp {
    pub api: String,
    pub demo: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub database_url: String,
    pub dir: TempDir,
    _db: TestDatabase,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

fn admin_postgres_url() -> String {
    std::env::var("ASSENT_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

async fn fresh_postgres_database() -> (String, String) {
    let admin = admin_postgres_url();
    let name = format!("assent_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is not reachable ({e}); set ASSENT_TEST_POSTGRES_URL"));
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    (format!("{base}/{name}"), name)
}

pub fn write_fake_banner(dist: &std::path::Path) {
    let dir = dist.join("banner");
    std::fs::create_dir_all(&dir).expect("mkdir dist/banner");
    std::fs::write(
        dir.join("assent-banner-0123abcd.js"),
        "export default async function init() {}",
    )
    .expect("write js");
    std::fs::write(dir.join("assent-banner-0123abcd_bg.wasm"), b"\0asm\x01\0\0\0").expect("write wasm");
    // Trunk's entry page, which a build leaves beside the bundle (never served).
    std::fs::write(dir.join("index.html"), "<!DOCTYPE html><title>Trunk entry</title>").expect("write html");
}

/// A stand-in privacy-settings bundle in `dist/settings/`, as Trunk names its files (the server
/// serves it only once it is there).
pub fn write_fake_settings(dist: &std::path::Path) {
    let dir = dist.join("settings");
    std::fs::create_dir_all(&dir).expect("mkdir dist/settings");
    std::fs::write(
        dir.join("assent-settings-4567cdef.js"),
        "export default async function init() {}",
    )
    .expect("write js");
    std::fs::write(dir.join("assent-settings-4567cdef_bg.wasm"), b"\0asm\x01\0\0\0").expect("write wasm");
}

/// A stand-in dashboard bundle in `dist/admin/`, as Trunk names its files.
pub fn write_fake_admin(dist: &std::path::Path) {
    let dir = dist.join("admin");
    std::fs::create_dir_all(&dir).expect("mkdir dist/admin");
    std::fs::write(
        dir.join("assent-admin-89abcdef.js"),
        "export default async function init() {}",
    )
    .expect("write js");
    std::fs::write(dir.join("assent-admin-89abcdef_bg.wasm"), b"\0asm\x01\0\0\0").expect("write wasm");
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// A fresh database for one test: a SQLite file in `dir`, or a new PostgreSQL database that
/// is dropped when the returned value is.
pub struct TestDatabase {
    pub url: String,
    pg_database: Option<String>,
}

pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> TestDatabase {
    match backend {
        Backend::Sqlite => TestDatabase {
            url: format!("sqlite://{}", dir.join("assent.db").display()),
            pg_database: None,
        },
        Backend::Postgres => {
            let (url, name) = fresh_postgres_database().await;
            TestDatabase {
                url,
                pg_database: Some(name),
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            // Drop runs outside async: clean up on a thread with its own runtime.
            let admin = admin_postgres_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
                        let _ = conn
                            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fresh_database(backend, dir.path()).await;
    let database_url = db.url.clone();
    let dist: PathBuf = dir.path().join("dist");
    write_fake_banner(&dist);
    let mut config = Config {
        bind: "127.0.0.1:0".parse().expect("addr"),
        demo: true,
        demo_bind: "127.0.0.1:0".parse().expect("addr"),
        database_url: database_url.clone(),
        dist_dir: dist,
        key_file: dir.path().join("keys.json"),
        checkpoint_file: dir.path().join("checkpoints.jsonl"),
        checkpoint_interval_secs: 0,
        ..Config::default()
    };
    configure(&mut config);
    let app = Application::build(config).await.expect("build app");
    let api = format!("http://{}", app.api_addr());
    let demo = format!("http://{}", app.demo_addr().expect("demo listener"));
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        api,
        demo,
        client: reqwest::Client::new(),
        state,
        database_url,
        dir,
        _db: db,
        stop: Some(stop),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestApp {
    pub async fn notice(&self, lang: &str) -> NoticeResponse {
        let res = self
            .client
            .get(format!("{}/v1/sites/demo/notice?lang={lang}", self.api))
            .send()
            .await
            .expect("GET notice");
        assert_eq!(res.status(), 200);
        res.json().await.expect("notice JSON")
    }

    /// A valid consent request body for the current demo notice.
    pub async fn consent_body(&self, method: &str, decisions: Value) -> Value {
        consent_body_for(&self.notice("en").await, method, decisions)
    }

    pub async fn post_consent(&self, body: &Value, token: Option<&str>) -> reqwest::Response {
        self.post_consent_to("demo", body, token).await
    }

    /// `POST /v1/sites/{site}/consents`, with the subject's token when given.
    pub async fn post_consent_to(&self, site: &str, body: &Value, token: Option<&str>) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/v1/sites/{site}/consents", self.api))
            .json(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.expect("POST consent")
    }

    pub async fn history(&self, subject: &str, token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}/v1/sites/demo/subjects/{subject}/consents", self.api))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET history")
    }

    /// `GET` a path of the API (`/embed.js`).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.api))
            .send()
            .await
            .expect("GET")
    }

    /// `GET` a path of the API with one request header (`If-None-Match`, `Accept-Encoding`).
    pub async fn get_with(&self, path: &str, header: &str, value: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.api))
            .header(header, value)
            .send()
            .await
            .expect("GET")
    }

    /// The history of the subject a recorded event created, read with its subject token.
    pub async fn history_of(
        &self,
        recorded: &assent_shared::api::ConsentRecorded,
    ) -> assent_shared::api::ConsentHistory {
        let token = recorded
            .subject_token
            .as_deref()
            .expect("the first event of a subject carries its token");
        self.history(recorded.subject_id.as_str(), token)
            .await
            .json()
            .await
            .expect("history JSON")
    }

    /// `GET url` with a Bearer token.
    pub async fn get_authed(&self, url: impl reqwest::IntoUrl, token: &str) -> reqwest::Response {
        self.client.get(url).bearer_auth(token).send().await.expect("GET")
    }

    /// Rows in the events table, read straight from the database.
    pub async fn event_rows(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM consent_events").await
    }

    /// The one value `sql` selects, read straight from the database.
    pub async fn scalar<T>(&self, sql: &str) -> T
    where
        T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database_url).await.expect("connect");
        let value = sqlx::query_scalar(sql).fetch_one(&pool).await.expect(sql);
        pool.close().await;
        value
    }

    pub async fn raw_sql(&self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database_url).await?;
        let result = sqlx::query(sql).execute(&pool).await.map(|_| ());
        pool.close().await;
        result
    }
}

/// A valid consent request body answering `notice` (as the notice endpoint gave it).
pub fn consent_body_for(notice: &NoticeResponse, method: &str, decisions: Value) -> Value {
    json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "notice_version": notice.notice.version,
        "notice_hash": notice.notice_hash,
        "language": notice.notice.language,
        "method": method,
        "source": "banner",
        "decisions": decisions,
        "client_time": "2026-11-26T10:00:00.000Z",
        "banner_build": "test-build",
    })
}

/// Asserts the one error shape and returns its `code`.
pub async fn error_code(res: reqwest::Response, status: u16) -> String {
    assert_eq!(res.status(), status, "unexpected status");
    let body: Value = res.json().await.expect("error body is JSON");
    let code = body["error"]["code"].as_str().expect("error.code").to_owned();
    assert!(
        body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error.message: {body}"
    );
    code
}
