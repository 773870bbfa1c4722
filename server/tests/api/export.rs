//! Exports for auditors: NDJSON and CSV hold exactly the recorded events and honour their
//! filters, whatever the page size, written or streamed. (Bundles: `bundle.rs`.)

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;
use assent_server::export::{self, ExportRequest, Format};
use assent_server::ledger::{EventFilter, checkpoint};
use assent_shared::api::ConsentRecorded;
use assent_shared::consent::ConsentEvent;
use assent_shared::ids::SiteId;
use serde_json::{Value, json};

on_both_backends!(
    ndjson_holds_every_event_exactly_as_stored_and_filters_by_purpose_and_date,
    csv_has_fixed_columns_and_one_row_per_event,
    a_page_size_of_two_writes_the_same_bytes_as_a_thousand,
    the_stream_for_http_yields_the_same_bytes_as_the_writer,
);

pub(crate) fn demo() -> SiteId {
    SiteId::parse("demo").expect("site")
}

/// Records one event (a new subject when `subject` is `None`) in `lang`.
pub(crate) async fn record(
    app: &TestApp,
    lang: &str,
    method: &str,
    decisions: Value,
    subject: Option<&ConsentRecorded>,
) -> ConsentRecorded {
    let notice = app.notice(lang).await;
    let mut body = app.consent_body(method, decisions).await;
    body["notice_hash"] = json!(notice.notice_hash);
    body["language"] = json!(notice.notice.language);
    let token = subject.map(|s| {
        body["subject_id"] = json!(s.subject_id);
        s.subject_token.clone().expect("first event's token")
    });
    let res = app.post_consent(&body, token.as_deref()).await;
    assert_eq!(res.status(), 201);
    let mut recorded: ConsentRecorded = res.json().await.expect("recorded JSON");
    if let Some(first) = subject {
        recorded.subject_token.clone_from(&first.subject_token);
    }
    recorded
}

/// Three subjects, six events: A rejects, grants analytics, withdraws it (English); B accepts
/// all (German); C grants marketing communications, then denies advertising.
pub(crate) async fn record_story(app: &TestApp) -> [ConsentRecorded; 3] {
    let a = record(
        app,
        "en",
        "reject_all",
        json!({ "analytics": "denied", "advertising": "denied" }),
        None,
    )
    .await;
    for analytics in ["granted", "denied"] {
        let decisions = json!({ "analytics": analytics, "advertising": "denied" });
        record(app, "en", "save", decisions, Some(&a)).await;
    }
    let all = json!({ "functional": "granted", "analytics": "granted", "advertising": "granted" });
    let b = record(app, "de", "accept_all", all, None).await;
    let c = record(
        app,
        "en",
        "save",
        json!({ "marketing_communications": "granted" }),
        None,
    )
    .await;
    record(app, "en", "save", json!({ "advertising": "denied" }), Some(&c)).await;
    [a, b, c]
}

pub(crate) async fn export_bytes(app: &TestApp, format: Format, filter: EventFilter, page_size: u32) -> Vec<u8> {
    let request = ExportRequest {
        page_size,
        ..ExportRequest::new(demo(), format, filter)
    };
    let mut out = Vec::new();
    export::write_export(
        app.state.ledger.as_ref(),
        &app.state.keys.jwks(),
        request,
        &mut out,
        &mut |_| {},
    )
    .await
    .expect("export");
    out
}

pub(crate) fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8(bytes.to_vec())
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

pub(crate) fn filter(from: Option<&str>, to: Option<&str>, purpose: Option<&str>) -> EventFilter {
    EventFilter::parse(from, to, purpose).expect("valid filter")
}

/// The stored event JSON of every event, straight from the database.
async fn stored_events(app: &TestApp) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.expect("connect");
    let rows: Vec<String> = sqlx::query_scalar("SELECT event FROM consent_events")
        .fetch_all(&pool)
        .await
        .expect("events");
    pool.close().await;
    rows
}

async fn ndjson_holds_every_event_exactly_as_stored_and_filters_by_purpose_and_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let [a, ..] = record_story(&app).await;
    let all = lines(&export_bytes(&app, Format::Ndjson, EventFilter::default(), 1000).await);
    let mut stored = stored_events(&app).await;
    let mut sorted = all.clone();
    sorted.sort();
    stored.sort();
    assert_eq!(sorted, stored, "every event, byte for byte as stored");

    let events: Vec<ConsentEvent> = all.iter().map(|l| serde_json::from_str(l).expect("event")).collect();
    let a_seqs: Vec<u64> = events
        .iter()
        .filter(|e| e.subject_id == a.subject_id)
        .map(|e| e.seq)
        .collect();
    assert_eq!(a_seqs, [1, 2, 3], "chain order within a subject");

    let marketing = lines(
        &export_bytes(
            &app,
            Format::Ndjson,
            filter(None, None, Some("marketing_communications")),
            1000,
        )
        .await,
    );
    assert_eq!(
        marketing.len(),
        1,
        "only the event that decided marketing communications"
    );
    assert!(marketing[0].contains("\"marketing_communications\":\"granted\""));
    let advertising = export_bytes(&app, Format::Ndjson, filter(None, None, Some("advertising")), 1000).await;
    assert_eq!(lines(&advertising).len(), 5);
    let nothing = export_bytes(&app, Format::Ndjson, filter(None, None, Some("precise_location")), 1000).await;
    assert!(nothing.is_empty());

    // A cut at one event's time: strictly earlier events before it, the rest from it on.
    let cut = events.iter().map(|e| e.recorded_at.clone()).max().expect("events");
    let before = events.iter().filter(|e| e.recorded_at < cut).count();
    let early = lines(&export_bytes(&app, Format::Ndjson, filter(None, Some(&cut), None), 1000).await);
    let late = lines(&export_bytes(&app, Format::Ndjson, filter(Some(&cut), None, None), 1000).await);
    assert_eq!((early.len(), late.len()), (before, events.len() - before));
    assert!(before < events.len());
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .date()
        .to_string();
    let future = export_bytes(&app, Format::Ndjson, filter(Some(&tomorrow), None, None), 1000).await;
    assert!(future.is_empty(), "a date filter that excludes everything");
    let until_tomorrow = export_bytes(
        &app,
        Format::Ndjson,
        filter(Some("2020-01-01"), Some(&tomorrow), None),
        1000,
    )
    .await;
    assert_eq!(lines(&until_tomorrow).len(), 6);
}

async fn csv_has_fixed_columns_and_one_row_per_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let [a, b, _] = record_story(&app).await;
    let bytes = export_bytes(&app, Format::Csv, EventFilter::default(), 1000).await;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    assert_eq!(
        header.join(","),
        "site_id,subject_id,seq,event_id,recorded_at,method,source,regime,jurisdiction,gpc,language,\
         notice_version,notice_hash,decisions,prev_hash,hash,tc_string"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 6);
    let row = |subject: &str, seq: &str| {
        rows.iter()
            .find(|r| &r[1] == subject && &r[2] == seq)
            .unwrap_or_else(|| panic!("row {subject} {seq}"))
    };
    let withdrawn = row(a.subject_id.as_str(), "3");
    assert_eq!(&withdrawn[5], "save");
    assert_eq!(&withdrawn[13], "advertising=denied;analytics=denied");
    let second = row(a.subject_id.as_str(), "2");
    assert_eq!(&second[13], "advertising=denied;analytics=granted");
    assert_eq!(
        &second[15], &withdrawn[14],
        "prev_hash links to the previous row's hash"
    );
    let german = row(b.subject_id.as_str(), "1");
    assert_eq!((&german[0], &german[5], &german[10]), ("demo", "accept_all", "de"));
    assert_eq!(&german[15], b.hash.as_str());
    let only_b = export_bytes(&app, Format::Csv, filter(None, None, Some("functional")), 1000).await;
    assert_eq!(csv::Reader::from_reader(only_b.as_slice()).records().count(), 1);
}

/// A bundle's manifest carries its creation time; everything after it must be equal.
fn without_manifest(bytes: &[u8]) -> Vec<String> {
    lines(bytes).into_iter().skip(1).collect()
}

async fn a_page_size_of_two_writes_the_same_bytes_as_a_thousand(backend: Backend) {
    let app = spawn_app(backend).await;
    record_story(&app).await;
    checkpoint::make(app.state.ledger.as_ref(), &app.state.keys, &demo(), None)
        .await
        .expect("checkpoint");
    for format in [Format::Ndjson, Format::Csv] {
        for f in [EventFilter::default(), filter(None, None, Some("advertising"))] {
            let small = export_bytes(&app, format, f.clone(), 2).await;
            assert_eq!(
                small,
                export_bytes(&app, format, f.clone(), 1000).await,
                "{format:?} {f:?}"
            );
            assert_eq!(small, export_bytes(&app, format, f, 1).await, "{format:?}");
        }
    }
    let small = export_bytes(&app, Format::Bundle, EventFilter::default(), 2).await;
    let large = export_bytes(&app, Format::Bundle, EventFilter::default(), 1000).await;
    assert_eq!(without_manifest(&small), without_manifest(&large));
    assert_eq!(
        without_manifest(&small).len(),
        1 + 1 + 6 + 1,
        "jwks, checkpoint, events, notice"
    );
}

async fn the_stream_for_http_yields_the_same_bytes_as_the_writer(backend: Backend) {
    use futures::StreamExt;
    let app = spawn_app(backend).await;
    record_story(&app).await;
    for format in [Format::Ndjson, Format::Csv] {
        let request = ExportRequest {
            page_size: 2,
            ..ExportRequest::new(demo(), format, EventFilter::default())
        };
        let stream = export::export_stream(app.state.ledger.as_ref(), app.state.keys.jwks(), request)
            .await
            .expect("stream");
        assert_eq!((stream.count.chains, stream.count.events), (3, 6));
        let chunks: Vec<_> = stream.body.collect().await;
        let streamed: Vec<u8> = chunks.into_iter().flat_map(|c| c.expect("chunk").to_vec()).collect();
        assert_eq!(streamed, export_bytes(&app, format, EventFilter::default(), 1000).await);
    }
}

on_both_backends!(an_auditor_downloads_the_export_over_http_and_it_is_audited);

async fn an_auditor_downloads_the_export_over_http_and_it_is_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    record_story(&app).await;
    crate::admin::create_account(&app, "auditor@example.com", true).await;
    let token = crate::admin::token_of(&app, "auditor@example.com").await;
    let url = |q: &str| format!("{}/v1/admin/sites/demo/export{q}", app.api);
    let res = app.get_authed(url("?format=ndjson"), &token).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], Format::Ndjson.content_type());
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("attachment")
    );
    let announced: usize = res.headers()["x-assent-events"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("count");
    let body = res.bytes().await.expect("body");
    let over_http = lines(&body);
    assert_eq!(over_http.len(), announced);
    assert_eq!(
        over_http,
        lines(&export_bytes(&app, Format::Ndjson, EventFilter::default(), 1000).await)
    );
    let res = app.get_authed(url("?format=bundle"), &token).await;
    let report = assent_server::export::verify_bundle(&res.bytes().await.expect("bundle")[..]).expect("read");
    assert!(report.is_ok(), "{report:?}");
    for (query, field) in [
        ("?format=xml", "format"),
        ("?from=yesterday", "from"),
        ("?purpose=Bad Key", "purpose"),
    ] {
        let res = app.get_authed(url(query), &token).await;
        assert_eq!(res.status(), 422, "{query}");
        let err: Value = res.json().await.expect("error");
        assert_eq!(err["error"]["details"]["field"], field, "{query}");
    }
    let entries: Vec<Value> = app
        .get_authed(format!("{}/v1/admin/sites/demo/audit?action=export", app.api), &token)
        .await
        .json()
        .await
        .expect("audit");
    assert_eq!(entries.len(), 2, "each download is audited, refused ones are not");
}
