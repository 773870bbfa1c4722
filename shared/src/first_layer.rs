//! The banner's first layer as one Leptos view, the same code on both sides. The server
//! renders it to HTML with the notice (`GET /v1/sites/{site}/notice?layer=1`), so the loader
//! shows the banner before any WebAssembly has arrived; the banner then mounts the same view
//! and takes over (`e2e/tests/takeover.spec.ts` compares the two DOMs byte for byte).
//!
//! The view is static: everything it shows is decided before it renders (the regime, the GPC
//! signal, whether the visitor is asked again), so both sides render it alike. Its controls
//! are named by [`Control`]: a click on the server's markup before the banner runs reaches
//! the banner as the command `click:<name>` (the loader knows only that prefix), and the
//! banner applies it with the consent rules ([`crate::decide`]).
//!
//! Leptos renders an absent branch (`None`, `()`) as an empty comment in the browser, and as
//! the marker `<!>` on the server, which a browser parses into that same comment; [`render`]
//! writes it as the browser serializes it (`<!---->`). Three things keep the two renderings
//! identical: no two text nodes side by side (the server would separate them with a marker
//! the browser does not have), no empty text (the server writes it as a space), and `class`
//! first in every tag (where the browser's Leptos sets it; the server's writes it last).

use crate::arrival::{Choice, PageView, on_arrival};
use crate::banner_texts::BannerTexts;
use crate::notice::LocalizedNotice;
use crate::regime::{Regime, per_item_consent};
use leptos::prelude::*;

/// This file: the server hashes it into the banner's build (`banner_build`, recorded on every
/// event), since the layer a visitor first sees is the server's rendering of it.
pub const SOURCE: &str = include_str!("first_layer.rs");

/// A control of the first layer, by the `data-test` name its element carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    AcceptAll,
    RejectAll,
    /// Opens the preferences panel.
    Customize,
    /// Opt-out regimes: "Do Not Sell or Share My Personal Information" (CCPA §1798.135(a)).
    DoNotSell,
    /// The × (or Esc): a refusal (EDPB Guidelines 05/2020, §86; CNIL 2020-092 Art. 2).
    Close,
}

impl Control {
    /// Every control, in the order the view shows them.
    pub const ALL: [Control; 5] = [
        Control::AcceptAll,
        Control::RejectAll,
        Control::Customize,
        Control::DoNotSell,
        Control::Close,
    ];

    /// The element's `data-test` name, and the `<name>` of the command `click:<name>`.
    pub const fn name(self) -> &'static str {
        match self {
            Control::AcceptAll => "accept-all",
            Control::RejectAll => "reject-all",
            Control::Customize => "customize",
            Control::DoNotSell => "do-not-sell",
            Control::Close => "close",
        }
    }

    /// The control named `name` (a `data-test` value), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The banner's words the first layer shows, owned (the server renders from a map per
/// request; the banner from its `&'static` texts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words {
    pub accept_all: String,
    pub reject_all: String,
    pub customize: String,
    pub do_not_sell: String,
    pub close: String,
    pub policy: String,
    pub gpc_honored: String,
    pub what_changed: String,
}

impl From<&BannerTexts<'_>> for Words {
    fn from(t: &BannerTexts<'_>) -> Self {
        Self {
            accept_all: t.accept_all.to_owned(),
            reject_all: t.reject_all.to_owned(),
            customize: t.customize.to_owned(),
            do_not_sell: t.do_not_sell.to_owned(),
            close: t.close.to_owned(),
            policy: t.policy.to_owned(),
            gpc_honored: t.gpc_honored.to_owned(),
            what_changed: t.what_changed.to_owned(),
        }
    }
}

/// Everything the first layer shows, decided before it renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstLayer {
    /// The notice's language (BCP 47): the layer's `lang`, and its direction ([`direction`]).
    pub language: String,
    pub title: String,
    pub body: String,
    pub policy_url: String,
    /// The notice's summary of a material change, for a visitor asked again because of it
    /// (a first visit has none).
    pub change_summary: Option<String>,
    /// Whether the visitor's Global Privacy Control signal applies (present now, or honored
    /// before): the layer says it was honored (GPC spec §3; Cal. Code Regs. tit. 11, §7025(c)).
    pub gpc_honored: bool,
    /// An opt-out regime: the layer offers "Do Not Sell or Share".
    pub do_not_sell: bool,
    pub words: Words,
}

impl FirstLayer {
    /// The layer a visitor without a stored choice sees on a page view `page` from
    /// `jurisdiction`, `texts` the resolved banner words (`NoticeResponse::texts`); `None` when
    /// no banner shows ([`on_arrival`]: an opt-out regime with a GPC signal) or when this view
    /// is not the first layer shown: Korea's per-item layer ([`per_item_consent`]) and the
    /// IAB TCF layer (a notice with a `tcf` section) are the banner's own.
    pub fn first_visit(
        notice: &LocalizedNotice,
        texts: &BannerTexts<'_>,
        page: PageView,
        jurisdiction: &str,
    ) -> Option<Self> {
        let nothing_stored = Choice {
            decisions: None,
            notice_version: None,
            gpc_honored: false,
        };
        let shows = on_arrival(notice, page, nothing_stored, |_: &_| None, 0.0).show_banner;
        (shows && notice.tcf.is_none() && !per_item_consent(jurisdiction)).then(|| Self {
            language: notice.language.clone(),
            title: notice.title.clone(),
            body: notice.body.clone(),
            policy_url: notice.policy_url.clone(),
            change_summary: None,
            gpc_honored: page.gpc_signal,
            do_not_sell: page.regime == Regime::OptOut,
            words: texts.into(),
        })
    }
}

/// `rtl` for the scripts written right to left among the notice languages (Arabic, Hebrew,
/// Persian, Urdu), else `ltr` — by the language's primary subtag.
pub fn direction(language: &str) -> &'static str {
    match language.split('-').next() {
        Some("ar" | "he" | "fa" | "ur") => "rtl",
        _ => "ltr",
    }
}

/// The banner's frame around whichever layer shows: its direction and language.
pub fn frame<C: IntoView + 'static>(language: &str, children: C) -> impl IntoView + use<C> {
    view! { <div dir=direction(language) lang=language.to_owned()>{children}</div> }
}

/// The live region that announces the outcome of a save (`message`: `None` until then, which
/// renders as an empty branch on both sides).
pub fn status_line<M: IntoView + 'static>(message: impl Fn() -> Option<M> + Send + 'static) -> impl IntoView {
    view! { <div class="assent-status" role="status" aria-live="polite" data-test="status">{message}</div> }
}

/// The first layer: a non-modal bar with *Accept all*, *Reject all* and *Customize*, the
/// same element type, size and weight (EDPB Guidelines 03/2022 on deceptive design; CNIL
/// 2020-092 Art. 2), a policy link and the ×. `extra` goes after the notice's text (the TCF
/// build's disclosures); `act` hears the controls.
pub fn first_layer(
    layer: FirstLayer,
    extra: Option<AnyView>,
    act: impl Fn(Control) + Clone + Send + 'static,
) -> impl IntoView {
    let FirstLayer {
        title,
        body,
        policy_url,
        change_summary,
        gpc_honored,
        do_not_sell,
        words: w,
        ..
    } = layer;
    let button = {
        let act = act.clone();
        move |control: Control, label: String, class: &'static str| {
            let act = act.clone();
            view! {
                <button class=class type="button" data-test=control.name() on:click=move |_| act(control)>
                    {label}
                </button>
            }
        }
    };
    let on_key = {
        let act = act.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Escape" {
                ev.prevent_default();
                act(Control::Close);
            }
        }
    };
    let close = w.close.clone();
    view! {
        <section
            class="assent-banner"
            role="dialog"
            aria-modal="false"
            aria-labelledby="assent-title"
            aria-describedby="assent-body"
            data-test="banner"
            on:keydown=on_key
        >
            <div class="assent-banner__text">
                <h2 class="assent-title" id="assent-title">{title}</h2>
                {change_summary.map(|s| view! {
                    <p class="assent-gpc" data-test="change-summary"><strong>{w.what_changed}</strong>{format!(" {s}")}</p>
                })}
                <p class="assent-body" id="assent-body">{body}</p>
                {extra}
                {gpc_honored.then(|| view! { <p class="assent-gpc" data-test="gpc-honored">{w.gpc_honored}</p> })}
                <p class="assent-links">
                    <a href=policy_url target="_blank" rel="noopener" data-test="policy-link">{w.policy}</a>
                </p>
            </div>
            <div class="assent-actions">
                {button(Control::AcceptAll, w.accept_all, "assent-btn")}
                {button(Control::RejectAll, w.reject_all, "assent-btn")}
                {button(Control::Customize, w.customize, "assent-btn")}
                {do_not_sell.then(|| button(Control::DoNotSell, w.do_not_sell, "assent-btn assent-btn--wide"))}
            </div>
            <button class="assent-close" type="button" data-test=Control::Close.name() aria-label=close.clone() title=close on:click=move |_| act(Control::Close)>
                <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                    <path d="M3 3l10 10M13 3L3 13" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                </svg>
            </button>
        </section>
    }
}

/// The first layer in its frame with the (empty) status line, as HTML: what the server sends
/// with the notice and the loader shows until the banner takes over.
///
/// Written as the browser serializes the banner's DOM (see the module's notes): absent
/// branches as `<!---->`, `class` first. Every `<`, `>` and `"` of a text or attribute value
/// is escaped, so each `<!>` is a marker and each tag ends at the first `>`.
#[cfg(feature = "first-layer-ssr")]
pub fn render(layer: FirstLayer) -> String {
    let language = layer.language.clone();
    let view = frame(
        &language,
        (first_layer(layer, None, |_| {}), status_line(|| None::<&str>)),
    );
    class_first(&Owner::new().with(|| view.to_html()).replace("<!>", "<!---->"))
}

/// `html` with each start tag's `class` attribute moved to the front of its attributes.
#[cfg(feature = "first-layer-ssr")]
fn class_first(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let (tag, after) = rest.split_at(end);
        rest = after;
        let name_end = tag.find([' ', '>']).unwrap_or(tag.len());
        match tag.find(" class=\"") {
            Some(at) if tag.as_bytes().get(1).is_some_and(u8::is_ascii_alphabetic) => {
                let value_end = tag[at + 8..].find('"').map_or(tag.len(), |e| at + 8 + e + 1);
                out.push_str(&tag[..name_end]);
                out.push_str(&tag[at..value_end]);
                out.push_str(&tag[name_end..at]);
                out.push_str(&tag[value_end..]);
            }
            _ => out.push_str(tag),
        }
    }
    out.push_str(rest);
    out
}

#[cfg(all(test, feature = "first-layer-ssr"))]
mod tests {
    use super::*;

    fn layer() -> FirstLayer {
        FirstLayer {
            language: "en".into(),
            title: "We value <your> privacy<!>".into(),
            body: "Cookies & more.".into(),
            policy_url: "/privacy?a=1&b=\"2\"&c=<!>".into(),
            change_summary: None,
            gpc_honored: false,
            do_not_sell: false,
            words: Words {
                accept_all: "Accept all".into(),
                reject_all: "Reject all".into(),
                customize: "Customize".into(),
                do_not_sell: "Do Not Sell or Share My Personal Information".into(),
                close: "Close".into(),
                policy: "Privacy policy".into(),
                gpc_honored: "Your Global Privacy Control signal was honored.".into(),
                what_changed: "What changed:".into(),
            },
        }
    }

    fn page(regime: Regime, gpc_signal: bool) -> PageView {
        PageView {
            regime,
            consent_valid_from: 1,
            gpc_signal,
        }
    }

    #[test]
    fn a_first_visit_is_rendered_unless_the_banner_stays_away_or_is_another_layer() {
        let notice = crate::test_support::demo();
        let map = crate::ui_texts::resolve("en", &Default::default());
        let texts = BannerTexts::from_map(&map);
        let shown = |page, jurisdiction| FirstLayer::first_visit(&notice, &texts, page, jurisdiction);
        let opt_in = shown(page(Regime::OptIn, false), "DE").expect("opt-in shows the banner");
        assert!(!opt_in.do_not_sell && !opt_in.gpc_honored && opt_in.change_summary.is_none());
        assert_eq!(
            (opt_in.title.as_str(), opt_in.words.accept_all.as_str()),
            (notice.title.as_str(), texts.accept_all)
        );
        let signal = shown(page(Regime::OptIn, true), "DE").expect("GPC under opt-in still shows the banner");
        assert!(signal.gpc_honored);
        assert!(shown(page(Regime::OptOut, false), "US-CA").is_some_and(|l| l.do_not_sell));
        assert_eq!(
            shown(page(Regime::OptOut, true), "US-CA"),
            None,
            "the signal is the choice"
        );
        assert_eq!(shown(page(Regime::OptIn, false), "KR"), None, "Korea's per-item layer");
        let mut tcf = notice.clone();
        tcf.tcf = Some(crate::notice::TcfSettings {
            vendors: vec![1],
            publisher_restrictions: Vec::new(),
            stacks: Vec::new(),
        });
        assert_eq!(
            FirstLayer::first_visit(&tcf, &texts, page(Regime::OptIn, false), "DE"),
            None
        );
    }

    #[test]
    fn controls_are_found_by_their_names_and_only_by_them() {
        for control in Control::ALL {
            assert_eq!(Control::from_name(control.name()), Some(control));
        }
        assert_eq!(Control::from_name("accept_all"), None);
        assert_eq!(Control::from_name(""), None);
    }

    #[test]
    fn right_to_left_languages_by_their_primary_subtag() {
        for (language, dir) in [
            ("ar", "rtl"),
            ("he-IL", "rtl"),
            ("fa", "rtl"),
            ("ur-PK", "rtl"),
            ("en", "ltr"),
            ("arn", "ltr"),
        ] {
            assert_eq!(direction(language), dir, "{language}");
        }
    }

    #[test]
    fn the_rendered_layer_escapes_the_notice_and_names_every_control() {
        let html = render(FirstLayer {
            do_not_sell: true,
            ..layer()
        });
        let start = r#"<div dir="ltr" lang="en"><section class="assent-banner" role="dialog" aria-modal="false""#;
        assert!(html.starts_with(start), "{html}");
        assert!(
            html.contains(r#"<h2 class="assent-title" id="assent-title">We value &lt;your&gt; privacy&lt;!&gt;</h2>"#),
            "{html}"
        );
        assert!(html.contains("Cookies &amp; more."), "{html}");
        assert!(
            html.contains(r#"href="/privacy?a=1&amp;b=&quot;2&quot;&amp;c=&lt;!&gt;""#),
            "{html}"
        );
        for control in Control::ALL {
            assert!(
                html.contains(&format!(r#"data-test="{}""#, control.name())),
                "{control:?}: {html}"
            );
        }
        let end =
            r#"<div class="assent-status" role="status" aria-live="polite" data-test="status"><!----></div></div>"#;
        assert!(html.ends_with(end), "{html}");
    }

    #[test]
    fn what_depends_on_the_visitor_shows_only_when_it_applies() {
        let plain = render(layer());
        assert!(!plain.contains("do-not-sell") && !plain.contains("gpc-honored") && !plain.contains("change-summary"));
        // Each absent branch is one empty comment, as the banner's DOM has it.
        assert!(
            plain.contains("</h2><!----><p")
                && plain.contains(r#"data-test="customize">Customize</button><!----></div>"#)
        );
        let asked_again = render(FirstLayer {
            gpc_honored: true,
            change_summary: Some("New vendor.".into()),
            language: "ar".into(),
            ..layer()
        });
        assert!(asked_again.starts_with(r#"<div dir="rtl" lang="ar">"#), "{asked_again}");
        assert!(
            asked_again.contains(r#"<strong>What changed:</strong> New vendor.</p>"#),
            "{asked_again}"
        );
        let honored =
            r#"<p class="assent-gpc" data-test="gpc-honored">Your Global Privacy Control signal was honored.</p>"#;
        assert!(asked_again.contains(honored), "{asked_again}");
    }

    #[test]
    fn class_moves_to_the_front_of_start_tags_only() {
        assert_eq!(
            class_first(r#"<p id="a" class="b c">x &lt;y class="z"&gt;</p><!----><br class="d"><i title="t">"#),
            r#"<p class="b c" id="a">x &lt;y class="z"&gt;</p><!----><br class="d"><i title="t">"#
        );
    }
}
