//! What the backup tests share: the `assent` command run against an instance's database and
//! files, a fresh place to restore into, every table read back as plain values so two
//! databases of either kind can be compared row for row, and an instance with a row in every
//! table.

use crate::admin::{send, token_of};
use crate::helpers::{Backend, TestApp, TestDatabase, fresh_database};
use crate::identity_kit::Device;
use crate::receiver::{Receiver, spawn_receiver};
use crate::webhooks::{create_webhook, wait_for_log};
use assent_shared::api::ConsentRecorded;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{Column, Row};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Where an instance keeps its database and files (the settings the CLI is given).
pub struct Place {
    pub database_url: String,
    pub dir: PathBuf,
}

impl Place {
    pub fn of(app: &TestApp) -> Self {
        Self {
            database_url: app.database_url.clone(),
            dir: app.dir.path().to_owned(),
        }
    }

    pub fn key_file(&self) -> PathBuf {
        self.dir.join("keys.json")
    }

    pub fn checkpoint_file(&self) -> PathBuf {
        self.dir.join("checkpoints.jsonl")
    }

    pub fn anchor_file(&self) -> PathBuf {
        self.dir.join("audit-anchors.jsonl")
    }

    /// Runs `assent <args>` on this place; returns whether it succeeded, its stdout and stderr.
    pub fn assent(&self, args: &[&str]) -> (bool, String, String) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
            .args(args)
            .env("ASSENT_DATABASE_URL", &self.database_url)
            .env("ASSENT_KEY_FILE", self.key_file())
            .env("ASSENT_CHECKPOINT_FILE", self.checkpoint_file())
            .env("ASSENT_LOG", "error")
            .output()
            .expect("run assent");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `assent backup --output <dir>/backup`; panics unless it succeeded. Returns the backup.
    pub fn backup_into(&self, dir: &Path) -> PathBuf {
        let out = dir.join("backup");
        let (ok, stdout, stderr) = self.assent(&["backup", "--output", out.to_str().expect("utf-8")]);
        assert!(ok, "backup failed: {stdout}{stderr}");
        out
    }

    /// `assent restore --input <backup> [--replace]`.
    pub fn restore(&self, backup: &Path, replace: bool) -> (bool, String, String) {
        let mut args = vec!["restore", "--input", backup.to_str().expect("utf-8")];
        if replace {
            args.push("--replace");
        }
        self.assent(&args)
    }

    /// `assent verify`; panics unless every site and the audit log verified.
    pub fn verify_clean(&self) -> String {
        let (ok, stdout, stderr) = self.assent(&["verify"]);
        assert!(ok, "verify failed: {stdout}{stderr}");
        assert!(stdout.contains("audit log:") && stdout.contains(": OK"), "{stdout}");
        assert!(!stdout.contains("BROKEN"), "{stdout}");
        stdout
    }
}

/// A fresh, empty place to restore into: a SQLite path with no file yet, or a new
/// PostgreSQL database with no tables.
pub struct Target {
    pub place: Place,
    _db: TestDatabase,
    _dir: TempDir,
}

pub async fn fresh_target(backend: Backend) -> Target {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fresh_database(backend, dir.path()).await;
    Target {
        place: Place {
            database_url: db.url.clone(),
            dir: dir.path().to_owned(),
        },
        _db: db,
        _dir: dir,
    }
}

/// Each table's rows, a row as column → value.
pub type Tables = BTreeMap<String, Vec<BTreeMap<String, Value>>>;

/// Every table of the database as its catalogue lists it, but sqlx's migration bookkeeping.
pub async fn table_names(pool: &sqlx::AnyPool, database_url: &str) -> Vec<String> {
    let list = if database_url.starts_with("sqlite:") {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    } else {
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'"
    };
    let mut names: Vec<String> = sqlx::query_scalar(list).fetch_all(pool).await.expect("tables");
    names.retain(|n| n != "_sqlx_migrations");
    names.sort();
    names
}

/// Every table but those a backup leaves out (the leases, the GVL refresher's state), each as its rows (column → value), sorted: what a restore
/// must reproduce exactly. Values are read as 64-bit integers where the column holds them,
/// else as text.
pub async fn tables(database_url: &str) -> Tables {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url).await.expect("connect");
    let mut all = BTreeMap::new();
    for name in table_names(&pool, database_url)
        .await
        .into_iter()
        .filter(|n| !assent_server::backup::LEFT_OUT.iter().any(|(out, _)| out == n))
    {
        let rows = sqlx::query(&format!("SELECT * FROM {name}"))
            .fetch_all(&pool)
            .await
            .expect("rows");
        let mut plain: Vec<BTreeMap<String, Value>> = rows
            .iter()
            .map(|row| {
                row.columns()
                    .iter()
                    .map(|c| {
                        let i = c.ordinal();
                        let value = match row.try_get::<Option<i64>, _>(i) {
                            Ok(v) => v.map_or(Value::Null, Value::from),
                            Err(_) => row
                                .try_get::<Option<String>, _>(i)
                                .unwrap_or_else(|e| panic!("{name}.{}: {e}", c.name()))
                                .map_or(Value::Null, Value::from),
                        };
                        (c.name().to_owned(), value)
                    })
                    .collect()
            })
            .collect();
        plain.sort_by_key(|row| serde_json::to_string(row).expect("json"));
        all.insert(name, plain);
    }
    pool.close().await;
    all
}

/// Rows per table (none at all when the database has no tables yet, or the SQLite file does
/// not exist), and the configuration version.
pub async fn census(place: &Place) -> Vec<(String, i64)> {
    if let Some(path) = place.database_url.strip_prefix("sqlite://")
        && !Path::new(path).exists()
    {
        return Vec::new();
    }
    let mut counts: Vec<(String, i64)> = tables(&place.database_url)
        .await
        .into_iter()
        .map(|(name, rows)| (name, rows.len() as i64))
        .collect();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&place.database_url).await.expect("connect");
    if let Ok(version) = sqlx::query_scalar::<_, i64>("SELECT version FROM config_version")
        .fetch_one(&pool)
        .await
    {
        counts.push(("config_version.version".into(), version));
    }
    pool.close().await;
    counts
}

/// The bytes of every file in `dir` but the SQLite database's own (names sorted), to show a
/// refused restore wrote none. (The database's pages are compared by [`census`]: its WAL
/// changes with any read.)
pub fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("assent.db"))
        })
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read"))
        })
        .collect()
}

/// Rewrites a backup's manifest through `change`.
pub fn edit_manifest(backup: &Path, change: impl FnOnce(&mut Value)) {
    let path = backup.join("manifest.json");
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    change(&mut manifest);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).expect("json")).expect("write");
}

/// Replaces a table's part with `lines` and makes the manifest agree (its row count and
/// SHA-256), as a backup that is whole but holds a row the database refuses.
pub fn rewrite_part(backup: &Path, table: &str, change: impl FnOnce(&mut Vec<String>)) {
    use sha2::Digest;
    let path = backup.join(format!("tables/{table}.ndjson"));
    let mut lines: Vec<String> = std::fs::read_to_string(&path)
        .expect("read part")
        .lines()
        .map(str::to_owned)
        .collect();
    change(&mut lines);
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, &text).expect("write part");
    let sha = hex::encode(sha2::Sha256::digest(text.as_bytes()));
    edit_manifest(backup, |m| {
        let part = m["tables"]
            .as_array_mut()
            .expect("tables")
            .iter_mut()
            .find(|t| t["name"] == table)
            .expect("the table's part");
        part["rows"] = Value::from(lines.len());
        part["sha256"] = Value::from(sha);
    });
}

/// A running instance with a row in every table but the leases: the bad-input catalogue's
/// world (two sites, notice versions and a draft, accounts, roles and a logout, site
/// secrets, recorded and erased subjects, an identity link, a webhook endpoint), plus a
/// withdrawal, a webhook delivery that failed and its retry that succeeded, a settings-page
/// code, a banner shown, a rotated signing key, checkpoints and an audit anchor. It is left
/// quiet (no delivery pending), so a copy can be compared with it.
pub struct Rich {
    pub app: TestApp,
    /// A subject whose token was issued before any backup, and its chain's head.
    pub subject: String,
    pub token: String,
    pub head: ConsentRecorded,
    /// The demo site's secret, and the receiver's endpoint.
    pub secret: String,
    pub hook: String,
    _receiver: Receiver,
}

pub async fn rich_instance(backend: Backend) -> Rich {
    let crate::bad_input::fixture::Fixture { app, ids, .. } = crate::bad_input::fixture::fixture(backend).await;
    let admin = token_of(&app, "admin@example.com").await;
    // The catalogue's endpoint (127.0.0.1:9) would retry for days: it is switched off, and a
    // receiver that fails the first delivery and takes the retry is added.
    let path = format!("/v1/admin/sites/demo/webhooks/{}", ids.webhook);
    let res = send(
        &app,
        Method::PATCH,
        &path,
        Some(&admin),
        Some(&json!({ "enabled": false })),
    )
    .await;
    assert_eq!(res.status(), 200, "disable the endpoint");
    let receiver = spawn_receiver(&[500], false).await;
    let hook = create_webhook(&app, &admin, &receiver.url, &["consent.recorded"]).await;
    let mut device = Device {
        subject: Some(ids.subject.clone()),
        token: Some(ids.token.clone()),
    };
    device
        .choose(&app, "withdraw", "settings_page", json!({ "analytics": "denied" }))
        .await;
    let res = app
        .client
        .post(format!(
            "{}/v1/sites/demo/subjects/{}/settings-link",
            app.api, ids.subject
        ))
        .bearer_auth(&ids.token)
        .send()
        .await
        .expect("settings link");
    assert_eq!(res.status(), 201, "settings link");
    crate::stats::show_banner(&app, 1).await;
    // A Global Vendor List as the refresher stores it (TCF is off here: nothing is fetched).
    app.state
        .db
        .store_gvl_files(
            141,
            &[("en".to_owned(), crate::gvl_fixture::LIST.to_owned())],
            "2026-11-26T10:00:00.000Z",
        )
        .await
        .expect("store a GVL");
    app.state.impressions.flush(&app.state.db).await.expect("flush");

    // A second key signs what comes next; the subject tokens above stay with the first.
    let place = Place::of(&app);
    assent_server::keys::Keys::rotate(&place.key_file()).expect("rotate");
    let (ok, stdout, stderr) = place.assent(&["checkpoint"]);
    assert!(ok && stdout.contains("audit log: head anchored"), "{stdout}{stderr}");
    let head = device
        .choose(&app, "save", "panel", json!({ "analytics": "granted" }))
        .await;
    let hook = hook["id"].as_str().expect("id").to_owned();
    wait_for_log(&app.client, &app.api, &admin, &hook, |log| {
        log.len() == 3 && log.iter().filter(|d| d["delivered"] == true).count() == 2
    })
    .await;

    let empty: Vec<String> = tables(&app.database_url)
        .await
        .into_iter()
        .filter(|(_, rows)| rows.is_empty())
        .map(|(name, _)| name)
        .collect();
    assert!(empty.is_empty(), "the instance holds no row in {empty:?}");
    Rich {
        app,
        subject: ids.subject,
        token: ids.token,
        head,
        secret: ids.secret,
        hook,
        _receiver: receiver,
    }
}
