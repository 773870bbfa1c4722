//! `GET /v1/sites/{site}/notice?layer=1`: the first layer rendered by the server, which the
//! loader shows before the banner's WebAssembly arrives (`assent_shared::first_layer`).

use crate::helpers::{Backend, TestApp, error_code, spawn_app_with};
use crate::on_both_backends;
use assent_shared::api::NoticeResponse;
use assent_shared::regime::Regime;

on_both_backends!(
    the_first_layer_comes_rendered_only_when_asked_in_the_notices_words,
    the_rendered_layer_follows_the_regime_and_the_gpc_signal,
    a_layer_flag_other_than_one_or_zero_is_refused,
);

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |c| {
        c.region_header = Some("cf-ipcountry".into());
        c.subdivision_header = Some("x-region".into());
        c.default_regime = Regime::OptIn;
    })
    .await
}

/// The notice for `query`, from a visitor at `country` (and `region`), with `gpc` the
/// `Sec-GPC` header.
async fn notice(app: &TestApp, query: &str, place: (&str, &str), gpc: bool) -> NoticeResponse {
    let mut request = app
        .client
        .get(format!("{}/v1/sites/demo/notice?{query}", app.api))
        .header("cf-ipcountry", place.0);
    if !place.1.is_empty() {
        request = request.header("x-region", place.1);
    }
    if gpc {
        request = request.header("sec-gpc", "1");
    }
    let res = request.send().await.expect("GET notice");
    assert_eq!(res.status(), 200);
    res.json().await.expect("notice JSON")
}

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

async fn the_first_layer_comes_rendered_only_when_asked_in_the_notices_words(backend: Backend) {
    let app = app(backend).await;
    let plain = notice(&app, "lang=en", ("DE", ""), false).await;
    assert_eq!(plain.first_layer, None, "only with layer=1");
    assert_eq!(
        notice(&app, "lang=en&layer=0", ("DE", ""), false).await.first_layer,
        None
    );
    for lang in ["en", "de"] {
        let shown = notice(&app, &format!("lang={lang}&layer=1"), ("DE", ""), false).await;
        let html = shown.first_layer.as_deref().expect("the rendered layer");
        assert!(
            html.starts_with(&format!(
                r#"<div dir="ltr" lang="{lang}"><section class="assent-banner" role="dialog""#
            )),
            "{html}"
        );
        assert!(html.contains(&escaped(&shown.notice.title)), "{html}");
        assert!(html.contains(&escaped(&shown.notice.body)), "{html}");
        for key in ["accept_all", "reject_all", "customize", "policy"] {
            assert!(html.contains(&escaped(&shown.texts[key])), "{key} in {lang}: {html}");
        }
        assert!(!html.contains("do-not-sell") && !html.contains("gpc-honored"), "{html}");
        assert_eq!(
            plain.notice_hash == shown.notice_hash,
            lang == "en",
            "same notice, same hash"
        );
    }
    let german = notice(&app, "lang=de&layer=1", ("DE", ""), false).await;
    let english = notice(&app, "lang=en&layer=1", ("DE", ""), false).await;
    assert_ne!(german.first_layer, english.first_layer);
}

async fn the_rendered_layer_follows_the_regime_and_the_gpc_signal(backend: Backend) {
    let app = app(backend).await;
    let layer = |n: NoticeResponse| n.first_layer.unwrap_or_default();
    // The page's script sees a GPC signal the header did not carry (an extension): the layer
    // acknowledges it, as the banner does.
    let script_signal = layer(notice(&app, "lang=en&layer=1&gpc=1", ("DE", ""), false).await);
    assert!(script_signal.contains(r#"data-test="gpc-honored""#), "{script_signal}");
    let header_signal = layer(notice(&app, "lang=en&layer=1", ("DE", ""), true).await);
    assert!(header_signal.contains(r#"data-test="gpc-honored""#), "{header_signal}");
    // California: opt-out, with "Do Not Sell or Share"; with a GPC signal no banner shows,
    // so nothing is rendered.
    let california = layer(notice(&app, "lang=en&layer=1", ("US", "CA"), false).await);
    assert!(california.contains(r#"data-test="do-not-sell""#), "{california}");
    assert!(!california.contains("gpc-honored"));
    let opted_out = notice(&app, "lang=en&layer=1", ("US", "CA"), true).await;
    assert_eq!((opted_out.regime, opted_out.first_layer), (Regime::OptOut, None));
    let opted_out = notice(&app, "lang=en&layer=1&gpc=1", ("US", "CA"), false).await;
    assert_eq!(opted_out.first_layer, None, "the script's signal counts too");
    // Korea asks per item: that layer is the banner's own.
    let korea = notice(&app, "lang=en&layer=1", ("KR", ""), false).await;
    assert_eq!((korea.jurisdiction.as_str(), korea.first_layer), ("KR", None));
}

async fn a_layer_flag_other_than_one_or_zero_is_refused(backend: Backend) {
    let app = app(backend).await;
    for query in ["layer=2", "layer=true", "layer=", "gpc=yes", "layer=1&gpc=on"] {
        let res = app.get(&format!("/v1/sites/demo/notice?lang=en&{query}")).await;
        assert_eq!(error_code(res, 422).await, "invalid_input", "{query}");
    }
}
