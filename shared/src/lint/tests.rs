use super::*;
use crate::notice::{Cookie, Purpose, Vendor};
use serde_json::json;

/// A small notice that lints clean in `en` and `de`: a necessary purpose with a session cookie,
/// analytics in the banner with its Consent Mode type and cookie, and a newsletter asked in the
/// banner.
fn notice() -> Notice {
    let texts = json!({"en": {"title": "t", "description": "d"}, "de": {"title": "t", "description": "d"}});
    let item = |name: &str| json!({"name": name, "provider": "p", "duration": "1 year"});
    serde_json::from_value(json!({
        "version": 1,
        "policy_version": "1",
        "policy_url": "/privacy",
        "default_language": "en",
        "texts": {"en": {"title": "t", "body": "b"}, "de": {"title": "t", "body": "b"}},
        "purposes": [
            {"key": "necessary", "legal_basis": "contract", "in_banner": true, "retention": "session",
             "vendors": [{"name": "Us", "cookies": [item("sid")]}], "texts": texts},
            {"key": "analytics", "legal_basis": "consent", "in_banner": true, "in_accept_all": true,
             "consent_mode": ["analytics_storage"], "retention": "13 months",
             "vendors": [{"name": "Stats", "cookies": [item("_stats")]}], "texts": texts},
            {"key": "newsletter", "legal_basis": "consent", "in_banner": true, "retention": "until you unsubscribe",
             "texts": texts},
        ],
    }))
    .expect("a valid notice")
}

fn demo() -> Notice {
    serde_json::from_str(include_str!("../../../server/demo/notice.json")).expect("the demo notice parses")
}

/// Lints for the notice's own languages.
fn run(notice: &Notice) -> Vec<Finding> {
    let languages: Vec<String> = notice.texts.keys().cloned().collect();
    lint(notice, &languages)
}

/// `(field, severity)` of every finding with this code.
fn found(findings: &[Finding], code: &str) -> Vec<(String, Severity)> {
    findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| (f.field.clone(), f.severity))
        .collect()
}

fn error(field: &str) -> Vec<(String, Severity)> {
    vec![(field.to_owned(), Severity::Error)]
}

/// A change to a notice, for tables of cases.
type Edit = fn(&mut Notice);

/// Theme entries, `(key, value)`.
type Theme = &'static [(&'static str, &'static str)];

fn themed(theme: Theme) -> Notice {
    let mut n = notice();
    n.theme = theme.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    n
}

fn cookie(name: &str, storage: StorageKind) -> Cookie {
    Cookie {
        name: name.into(),
        provider: "p".into(),
        duration: "1 year".into(),
        storage,
        domain: None,
        path: None,
    }
}

#[test]
fn the_fixture_validates_and_lints_clean() {
    let n = notice();
    assert_eq!(n.validate(), Ok(()));
    assert_eq!(run(&n), vec![]);
}

#[test]
fn the_demo_notice_has_no_errors_and_warns_of_purposes_asked_outside_the_banner() {
    let n = demo();
    assert_eq!(n.validate(), Ok(()));
    let findings = run(&n);
    let errors: Vec<_> = findings.iter().filter(|f| f.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let warned: Vec<(&str, &str)> = findings.iter().map(|f| (f.code.as_str(), f.field.as_str())).collect();
    // marketing_communications and precise_location: asked by e-mail sign-up and the location prompt.
    assert_eq!(
        warned,
        [
            ("purpose_without_effect", "purposes[4]"),
            ("purpose_without_effect", "purposes[5]")
        ]
    );
}

#[test]
fn a_consent_purpose_governing_security_storage_is_prechecked() {
    let mut n = notice();
    n.purposes[1].consent_mode.push(ConsentModeType::SecurityStorage);
    assert_eq!(
        found(&run(&n), "prechecked_consent"),
        error("purposes[1].consent_mode[1]")
    );
}

#[test]
fn consent_mode_types_other_than_security_storage_are_not_prechecked() {
    let mut n = notice();
    n.purposes[1].consent_mode = crate::consent_mode::ALL_TYPES
        .into_iter()
        .filter(|t| *t != ConsentModeType::SecurityStorage)
        .collect();
    assert_eq!(found(&run(&n), "prechecked_consent"), vec![]);
}

#[test]
fn legitimate_interests_may_not_store_on_the_device() {
    let cases: [(&str, Edit); 3] = [
        ("vendor cookies", |n| {
            n.purposes[2].vendors = vec![Vendor {
                name: "Mail".into(),
                privacy_url: None,
                cookies: vec![cookie("nl", StorageKind::LocalStorage)],
            }];
        }),
        ("consent mode", |n| {
            n.purposes[2].consent_mode = vec![ConsentModeType::PersonalizationStorage];
        }),
        ("banner", |n| n.purposes[2].in_banner = true),
    ];
    for (why, storing) in cases {
        let mut n = notice();
        n.purposes[2].legal_basis = LegalBasis::LegitimateInterests;
        n.purposes[2].in_banner = false;
        storing(&mut n);
        assert_eq!(
            found(&run(&n), "legitimate_interest_storage"),
            error("purposes[2].legal_basis"),
            "{why}"
        );
    }
}

#[test]
fn legitimate_interests_off_the_device_are_fine() {
    let mut n = notice();
    n.purposes[2].legal_basis = LegalBasis::LegitimateInterests;
    n.purposes[2].in_banner = false;
    n.purposes[2].vendors = vec![Vendor {
        name: "Server logs".into(),
        privacy_url: None,
        cookies: vec![],
    }];
    assert_eq!(found(&run(&n), "legitimate_interest_storage"), vec![]);
}

#[test]
fn low_contrast_is_found_at_the_foreground_of_each_failing_pair() {
    // Each failing pair once per scheme it fails in: light first, then dark (where the keys
    // the notice leaves unset take the dark defaults).
    let cases: [(Theme, &[&str]); 6] = [
        (&[("fg", "#777")], &["theme.fg", "theme.fg"]),
        (
            &[("bg", "rgb(0, 0, 0)")],
            &["theme.fg", "theme.accent", "theme.muted", "theme.focus"],
        ),
        (&[("accent", "#ffcc00")], &["theme.accent_fg", "theme.accent"]),
        (&[("muted", "#999999")], &["theme.muted"]),
        (&[("focus", "#ddd")], &["theme.focus"]),
        (
            &[("accent", "#1f4fd1"), ("accent_fg", "#3366ff")],
            &["theme.accent_fg", "theme.accent_fg", "theme.accent"],
        ),
    ];
    for (theme, fields) in cases {
        let want: Vec<_> = fields.iter().map(|f| ((*f).to_owned(), Severity::Error)).collect();
        assert_eq!(found(&run(&themed(theme)), "low_contrast"), want, "{theme:?}");
    }
}

#[test]
fn enough_contrast_passes() {
    // A whole palette passes in both schemes; one colour alone rarely can (no grey reaches
    // 4.5:1 on both the light and the dark background).
    let cases: [Theme; 3] = [
        &[
            ("bg", "#fff"),
            ("fg", "#767676"),
            ("muted", "#595959"),
            ("accent", "#1f4fd1"),
            ("accent_fg", "#fff"),
            ("focus", "#767676"),
        ],
        &[
            ("bg", "#000"),
            ("fg", "#fff"),
            ("muted", "#aaa"),
            ("accent", "#8fb0ff"),
            ("accent_fg", "#0d1424"),
            ("focus", "#ffb4ab"),
        ],
        &[("radius", "4px"), ("border", "#eee")],
    ];
    for theme in cases {
        assert_eq!(run(&themed(theme)), vec![], "{theme:?}");
    }
}

#[test]
fn an_unreadable_colour_is_one_warning_and_its_pairs_are_skipped() {
    let findings = run(&themed(&[("bg", "black"), ("muted", "#eee")]));
    assert_eq!(
        found(&findings, "unparsable_colour"),
        vec![("theme.bg".into(), Severity::Warning)]
    );
    assert_eq!(found(&findings, "low_contrast"), vec![]);
}

#[test]
fn every_site_language_needs_notice_and_purpose_texts() {
    let mut n = notice();
    n.purposes[1].texts.remove("de");
    let languages = ["en", "de", "fr"].map(String::from);
    let got = found(&lint(&n, &languages), "missing_translation");
    let want = [
        "purposes[1].texts.de",
        "texts.fr",
        "purposes[0].texts.fr",
        "purposes[1].texts.fr",
        "purposes[2].texts.fr",
    ];
    assert_eq!(got, want.map(|f| (f.to_owned(), Severity::Error)));
}

/// A language the notice has but whose text was left empty is as missing as one it lacks:
/// its visitors would get a banner with buttons and nothing to read.
#[test]
fn an_empty_text_counts_as_a_missing_translation() {
    let languages = ["en", "de"].map(String::from);
    type Edit = fn(&mut Notice);
    let cases: [(&str, Edit, &str); 5] = [
        (
            "notice title",
            |n| n.texts.get_mut("de").expect("de").title = " ".into(),
            "texts.de.title",
        ),
        (
            "notice body",
            |n| n.texts.get_mut("de").expect("de").body.clear(),
            "texts.de.body",
        ),
        (
            "purpose title",
            |n| n.purposes[1].texts.get_mut("de").expect("de").title.clear(),
            "purposes[1].texts.de.title",
        ),
        (
            "purpose description",
            |n| n.purposes[2].texts.get_mut("en").expect("en").description = "\n".into(),
            "purposes[2].texts.en.description",
        ),
        (
            "change summary",
            |n| {
                n.material_change = true;
                n.change_summary = BTreeMap::from([("en".into(), "New".into()), ("de".into(), "  ".into())]);
            },
            "change_summary.de",
        ),
    ];
    for (what, edit, field) in cases {
        let mut n = notice();
        assert_eq!(found(&lint(&n, &languages), "missing_translation"), vec![], "{what}");
        edit(&mut n);
        assert_eq!(
            found(&lint(&n, &languages), "missing_translation"),
            error(field),
            "{what}"
        );
    }
}

#[test]
fn a_regional_language_is_served_by_its_primary_tag_and_change_summaries_count() {
    let mut n = notice();
    let languages = ["en-GB", "de-AT"].map(String::from);
    assert_eq!(found(&lint(&n, &languages), "missing_translation"), vec![]);
    n.material_change = true;
    n.change_summary.insert("en".into(), "New vendor".into());
    assert_eq!(
        found(&lint(&n, &languages), "missing_translation"),
        error("change_summary.de")
    );
}

#[test]
fn a_consent_lifetime_over_thirteen_months_is_too_long() {
    let cases = [
        (1, None, false),
        (1, Some(30), false),
        (1, Some(MAX_LIFETIME_DAYS), false),
        (1, Some(MAX_LIFETIME_DAYS + 1), true),
        (1, Some(730), true),
        (0, Some(730), false),
    ];
    for (i, days, fires) in cases {
        let mut n = notice();
        n.purposes[i].lifetime_days = days;
        let want = if fires {
            error(&format!("purposes[{i}].lifetime_days"))
        } else {
            vec![]
        };
        assert_eq!(found(&run(&n), "lifetime_too_long"), want, "purposes[{i}] {days:?}");
    }
}

#[test]
fn one_device_item_under_two_purposes_conflicts_at_the_later_declaration() {
    // (analytics' item, the newsletter's item, its storage, conflicts): `sid` is the necessary purpose's.
    let cases = [
        ("_stats", "sid", StorageKind::Cookie, true),
        ("_stats", "_stats", StorageKind::Cookie, true),
        ("_stats", "sid*", StorageKind::Cookie, true),
        ("_stats", "_st*", StorageKind::Cookie, true),
        ("_st*", "_stats", StorageKind::Cookie, true),
        ("_st*", "_s*", StorageKind::Cookie, true),
        ("_stats", "sid", StorageKind::LocalStorage, false),
        ("_stats", "sid2", StorageKind::Cookie, false),
        ("_stats", "_stats_x", StorageKind::Cookie, false),
        ("_st*", "_sx", StorageKind::Cookie, false),
    ];
    for (earlier, later, storage, fires) in cases {
        let mut n = notice();
        n.purposes[1].vendors[0].cookies[0].name = earlier.into();
        n.purposes[2].vendors = vec![Vendor {
            name: "Mail".into(),
            privacy_url: None,
            cookies: vec![cookie("nl", StorageKind::Cookie), cookie(later, storage)],
        }];
        let want = if fires {
            error("purposes[2].vendors[0].cookies[1]")
        } else {
            vec![]
        };
        assert_eq!(
            found(&run(&n), "cookie_conflict"),
            want,
            "{earlier} then {later} {storage:?}"
        );
    }
}

#[test]
fn the_same_item_twice_within_one_purpose_is_no_conflict() {
    let mut n = notice();
    let vendor = n.purposes[1].vendors[0].clone();
    n.purposes[1].vendors.push(vendor);
    assert_eq!(found(&run(&n), "cookie_conflict"), vec![]);
}

#[test]
fn reject_all_must_weigh_about_as_much_as_accept_all() {
    // "Accept all" has 10 characters: 5 to 20 pass; "Alle akzeptieren" has 16.
    let cases = [
        ("en", String::new(), true),
        ("en", "   ".to_owned(), true),
        ("en", "x".repeat(4), true),
        ("en", "x".repeat(5), false),
        ("en", "x".repeat(20), false),
        ("en", "x".repeat(21), true),
        ("en", "No, thanks".to_owned(), false),
        ("de", "Nein".to_owned(), true),
        ("de", "Alle ablehnen".to_owned(), false),
    ];
    for (lang, label, fires) in cases {
        let mut n = notice();
        n.ui_texts
            .insert(lang.into(), BTreeMap::from([("reject_all".to_owned(), label.clone())]));
        let want = if fires {
            error(&format!("ui_texts.{lang}.reject_all"))
        } else {
            vec![]
        };
        assert_eq!(found(&run(&n), "reject_label_weight"), want, "{lang} {label:?}");
    }
}

#[test]
fn the_reject_label_is_weighed_in_the_language_a_visitor_is_served() {
    let mut n = notice();
    n.ui_texts.insert(
        "de".into(),
        BTreeMap::from([("accept_all".to_owned(), "Ja".to_owned())]),
    );
    let german = [String::from("de-AT")];
    assert_eq!(
        found(&lint(&n, &german), "reject_label_weight"),
        error("ui_texts.de.reject_all")
    );
    assert_eq!(found(&lint(&n, &[String::from("en")]), "reject_label_weight"), vec![]);
}

#[test]
fn a_consent_purpose_nothing_acts_on_is_warned_of() {
    let mut n = notice();
    n.purposes[2].in_banner = false;
    assert_eq!(
        found(&run(&n), "purpose_without_effect"),
        vec![("purposes[2]".to_owned(), Severity::Warning)]
    );
}

#[test]
fn a_purpose_acted_on_by_the_banner_or_consent_mode_or_not_on_consent_has_an_effect() {
    let cases: [fn(&mut Purpose); 3] = [
        |p| p.in_banner = true,
        |p| p.consent_mode = vec![ConsentModeType::AdUserData],
        |p| p.legal_basis = LegalBasis::LegitimateInterests,
    ];
    for (case, effect) in cases.into_iter().enumerate() {
        let mut n = notice();
        n.purposes[2].in_banner = false;
        effect(&mut n.purposes[2]);
        assert_eq!(found(&run(&n), "purpose_without_effect"), vec![], "case {case}");
    }
}

#[test]
fn findings_serialize_with_snake_case_severities() {
    let finding = Finding::new("low_contrast", Severity::Error, "theme.fg", "m");
    let value = serde_json::to_value(&finding).expect("serializes");
    assert_eq!(
        value,
        json!({"code": "low_contrast", "severity": "error", "field": "theme.fg", "message": "m"})
    );
    assert_eq!(crate::wire_name(&Severity::Warning), "warning");
}

#[test]
fn an_integration_whose_consent_mode_types_no_purpose_governs_is_flagged() {
    use crate::consent_mode::Integration;
    let mut n = demo();
    n.integrations = vec![Integration::MicrosoftUet, Integration::MetaPixel];
    let own = |n: &Notice| {
        lint(n, &[])
            .into_iter()
            .filter(|f| f.code == "integration_without_mapping")
            .map(|f| f.field)
            .collect::<Vec<_>>()
    };
    // The demo maps ad_storage and ad_user_data: both integrations have their signal.
    assert_eq!(own(&n), Vec::<String>::new());
    for p in &mut n.purposes {
        p.consent_mode.retain(|t| *t != ConsentModeType::AdUserData);
    }
    assert_eq!(own(&n), vec!["integrations[1]".to_owned()]);
}
