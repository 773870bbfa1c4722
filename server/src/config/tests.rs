//! The configuration's layering and checks.

#[test]
fn a_logged_database_url_shows_no_password() {
    for (url, shown) in [
        ("postgres://u:pw@db/assent", "postgres://***@db/assent"),
        (
            "postgres://u@db/assent?password=Sup3r&sslmode=disable",
            "postgres://***@db/assent?password=***&sslmode=***",
        ),
        ("sqlite://data/assent.db?mode=rwc", "sqlite://data/assent.db?mode=***"),
        ("sqlite://data/assent.db", "sqlite://data/assent.db"),
    ] {
        assert_eq!(redact_url(url), shown);
    }
}

use super::*;
use figment::Jail;

#[test]
fn environment_overrides_defaults() {
    Jail::expect_with(|jail| {
        jail.set_env("ASSENT_BIND", "0.0.0.0:9000");
        jail.set_env("ASSENT_DEMO", "1");
        jail.set_env("ASSENT_LOG", "debug");
        jail.set_env("ASSENT_REGION_HEADER", "");
        let c = Config::load(None).expect("valid");
        assert_eq!(c.bind.port(), 9000);
        assert!(c.demo);
        assert_eq!(c.region_header, None);
        assert_eq!(c.database_url, "sqlite://data/assent.db");
        Ok(())
    });
}

#[test]
fn malformed_values_fail_fast_and_name_the_setting() {
    Jail::expect_with(|jail| {
        jail.set_env("ASSENT_BIND", "nope");
        let err = Config::load(None).expect_err("invalid").to_string().to_lowercase();
        assert!(err.contains("\"bind\"") && err.contains("assent_"), "{err}");
        jail.set_env("ASSENT_BIND", "127.0.0.1:1");
        jail.set_env("ASSENT_DATABASE_URL", "mysql://x");
        let err = Config::load(None).expect_err("invalid").to_string();
        assert!(err.contains("database_url"), "{err}");
        Ok(())
    });
}

#[test]
fn a_file_sits_between_defaults_and_environment_and_refuses_unknown_keys() {
    Jail::expect_with(|jail| {
        jail.create_file("assent.toml", "demo = true\nbind = \"127.0.0.1:7000\"\n")?;
        jail.set_env("ASSENT_BIND", "127.0.0.1:7001");
        let c = Config::load(Some(Path::new("assent.toml"))).expect("valid");
        assert!(c.demo);
        assert_eq!(c.bind.port(), 7001);
        jail.create_file("typo.toml", "bnid = \"127.0.0.1:7000\"\n")?;
        let err = Config::load(Some(Path::new("typo.toml")))
            .expect_err("unknown key")
            .to_string();
        assert!(err.contains("bnid"), "{err}");
        assert!(Config::load(Some(Path::new("missing.toml"))).is_err());
        Ok(())
    });
}

#[test]
fn webhook_settings_come_from_the_environment_and_are_checked() {
    assert!(
        !Config::default().webhooks_allow_private_networks,
        "private networks refused by default"
    );
    Jail::expect_with(|jail| {
        jail.set_env("ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "1");
        jail.set_env("ASSENT_WEBHOOKS_BACKOFF_SCALE", "0.01");
        let c = Config::load(None).expect("valid");
        assert!(c.webhooks_allow_private_networks);
        assert!((c.webhooks_backoff_scale - 0.01).abs() < f64::EPSILON);
        for (name, value, named) in [
            (
                "ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS",
                "maybe",
                "webhooks_allow_private_networks",
            ),
            ("ASSENT_WEBHOOKS_BACKOFF_SCALE", "2", "webhooks_backoff_scale"),
            ("ASSENT_WEBHOOKS_TIMEOUT_MS", "0", "webhooks_timeout_ms"),
        ] {
            jail.clear_env();
            jail.set_env(name, value);
            let err = Config::load(None).expect_err("invalid").to_string().to_lowercase();
            assert!(err.contains(named), "{err}");
        }
        Ok(())
    });
}

#[test]
fn metrics_are_off_by_default_and_a_short_token_is_refused() {
    assert_eq!(Config::default().metrics_token, None);
    Jail::expect_with(|jail| {
        jail.set_env("ASSENT_METRICS_TOKEN", "0123456789abcdef");
        assert_eq!(
            Config::load(None).expect("valid").metrics_token.as_deref(),
            Some("0123456789abcdef")
        );
        // A token of digits stays text, leading zeros and all.
        jail.set_env("ASSENT_METRICS_TOKEN", "0123456789012345");
        assert_eq!(
            Config::load(None).expect("valid").metrics_token.as_deref(),
            Some("0123456789012345")
        );
        jail.set_env("ASSENT_METRICS_TOKEN", "short");
        let err = Config::load(None).expect_err("too short").to_string();
        assert!(err.contains("metrics_token"), "{err}");
        jail.set_env("ASSENT_METRICS_TOKEN", "");
        assert_eq!(Config::load(None).expect("valid").metrics_token, None);
        Ok(())
    });
}

#[test]
fn debug_output_hides_database_passwords() {
    let c = Config {
        database_url: "postgres://user:secret@db/assent".into(),
        ..Config::default()
    };
    let shown = format!("{c:?}");
    assert!(!shown.contains("secret"), "{shown}");
}
