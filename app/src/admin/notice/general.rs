//! The notice's own parts: its languages, title and text, policy, look (theme) and the
//! banner's words per language.

use super::doc::{self, Path};
use super::editor::Editor;
use super::fields::{CheckAt, Empty, Findings, TextAt};
use leptos::prelude::*;
use serde_json::{Value, json};

/// `(key, label, hint)` for each theme key, in the form's order (what each sets in the banner:
/// DESIGN, "Banner"; `THEME_KEYS`).
const THEME_FIELDS: &[(&str, &str, &str)] = &[
    (
        "accent",
        "Accent colour",
        "Buttons and links (a CSS colour, e.g. #1d4ed8).",
    ),
    ("accent_fg", "Text on the accent colour", "The buttons' text."),
    ("bg", "Background", "The banner's background."),
    ("fg", "Text colour", "The banner's text."),
    ("muted", "Secondary text", "Hints and small print."),
    ("border", "Borders", "Borders and dividers."),
    ("focus", "Focus ring", "The keyboard focus outline."),
    ("radius", "Corner radius", "A CSS length, e.g. 8px."),
    ("font", "Font", "A font stack of system fonts (nothing is downloaded)."),
];

/// Whether `value` can be shown as a swatch: a colour's characters only (a hex, `rgb(…)`,
/// `hsl(…)` or a name), never something that could make the dashboard load anything.
fn swatchable(value: &str) -> bool {
    value.len() <= 40
        && !value.contains("url")
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " #(),.%-".contains(c))
}

/// The notice's title, text, policy link and languages.
#[component]
pub fn General() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let root = Path::root();
    view! {
        <section class="ad-card" aria-labelledby="ne-general">
            <h2 class="ad-h" id="ne-general">"Notice"</h2>
            <Findings name="purposes" />
            <Languages />
            {move || {
                editor.structure.track();
                let lang = editor.lang.get();
                let texts = Path::root().key("texts").key(&lang);
                view! {
                    <TextAt path=texts.key("title") label=format!("Title ({lang})") />
                    <TextAt path=texts.key("body") label=format!("Text ({lang})") rows=5
                        hint="The first layer's text: what you use, why, and that the visitor can refuse as easily as accept." />
                    <Findings name=format!("texts.{lang}") />
                }
            }}
            <div class="ad-grid2">
                <TextAt path=root.key("policy_url") label="Privacy policy link".to_string()
                    hint="An https address, or a path on the site (/privacy)." />
                <TextAt path=root.key("policy_version") label="Privacy policy version".to_string()
                    hint="Recorded with every choice, e.g. 2026-11." />
            </div>
            <CheckAt path=root.key("reload_on_withdrawal") label="Reload the page after a withdrawal".to_string()
                hint="For tags that cannot be stopped once they run." />
        </section>
    }
}

/// The languages the notice speaks: which one the form edits, adding one, removing one.
#[component]
fn Languages() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let adding = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let add = move |_| {
        let tag = adding.get_untracked().trim().to_owned();
        let known = editor.languages();
        let valid = (2..=35).contains(&tag.len())
            && tag.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && tag.as_bytes()[0].is_ascii_alphabetic();
        if !valid {
            problem.set(Some("A language tag is letters, digits and hyphens: de, pt-BR.".into()));
            return;
        }
        if known.contains(&tag) {
            problem.set(Some(format!("The notice already has {tag}.")));
            return;
        }
        problem.set(None);
        adding.set(String::new());
        editor.restructure(|d| {
            doc::set(
                d,
                &Path::root().key("texts").key(&tag),
                json!({"title": "", "body": ""}),
            )
        });
        editor.lang.set(tag);
    };
    let remove = move |tag: String| {
        let asked = format!(
            "Remove {tag} from the draft with all its texts: the notice's, every purpose's, the banner words and the change summary?"
        );
        if !super::purposes::confirm(&asked) {
            return;
        }
        editor.restructure(|d| {
            for at in ["texts", "ui_texts", "change_summary"] {
                doc::remove(d, &Path::root().key(at).key(&tag));
            }
            for i in 0..doc::len(d, &Path::root().key("purposes")) {
                doc::remove(d, &Path::root().key("purposes").index(i).key("texts").key(&tag));
            }
        });
        let default = editor
            .doc
            .with_untracked(|d| d.get("default_language").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        editor.lang.set(default);
        editor
            .dashboard
            .status
            .set(format!("The language {tag} was removed from the draft."));
    };
    let set_default = move |tag: String| {
        editor.restructure(|d| doc::set(d, &Path::root().key("default_language"), Value::String(tag.clone())));
        editor
            .dashboard
            .status
            .set(format!("{tag} is now the default language."));
    };
    view! {
        <div class="ad-field">
            <label class="ad-label" for="ne-lang">"Language shown in this form"</label>
            <p class="ad-hint" id="ne-lang-hint">"Texts below are edited in this language; the preview can show any."</p>
            <select id="ne-lang" class="ad-input ad-input--short" data-test="editing-language" aria-describedby="ne-lang-hint"
                on:change=move |ev| editor.lang.set(event_target_value(&ev))>
                {move || {
                    let current = editor.lang.get();
                    editor.languages().into_iter().map(|tag| {
                        let selected = tag == current;
                        view! { <option value=tag.clone() selected=selected>{tag.clone()}</option> }
                    }).collect_view()
                }}
            </select>
        </div>
        {move || {
            let current = editor.lang.get();
            let languages = editor.languages();
            let is_default = languages.first() == Some(&current);
            (editor.editable && !is_default).then(|| {
                let (a, b) = (current.clone(), current.clone());
                view! {
                    <div class="ad-actions">
                        <button type="button" class="ad-btn ad-btn--quiet" data-test="make-default-language"
                            on:click=move |_| set_default(a.clone())>{format!("Make {current} the default")}</button>
                        <button type="button" class="ad-btn ad-btn--danger" data-test="remove-language"
                            on:click=move |_| remove(b.clone())>{format!("Remove {current}")}</button>
                    </div>
                }
            })
        }}
        {editor.editable.then(|| view! {
            <div class="ad-field ad-inline">
                <label class="ad-label" for="ne-add-lang">"Add a language"</label>
                <input id="ne-add-lang" class="ad-input ad-input--short" data-test="add-language-tag" placeholder="de"
                    aria-invalid=move || problem.with(Option::is_some).then_some("true")
                    prop:value=move || adding.get() on:input=move |ev| adding.set(event_target_value(&ev)) />
                <button type="button" class="ad-btn" data-test="add-language" on:click=add>"Add"</button>
                {move || problem.get().map(|p| view! { <p class="ad-field-error" role="alert">{p}</p> })}
            </div>
        })}
    }
}

/// The banner's look: each theme key, with a swatch of colours.
#[component]
pub fn Theme() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let theme = Path::root().key("theme");
    view! {
        <section class="ad-card" aria-labelledby="ne-theme">
            <h2 class="ad-h" id="ne-theme">"Look"</h2>
            <p class="ad-hint">"Empty keeps Assent's default. The lint checks the contrast of text and buttons (WCAG 2.2, 1.4.3 and 1.4.11)."</p>
            <Findings name="theme" />
            <div class="ad-grid2">
                {THEME_FIELDS.iter().map(|(key, label, hint)| {
                    let path = theme.key(key);
                    let swatch = path.clone();
                    let colour = !matches!(*key, "radius" | "font");
                    view! {
                        <div class="ad-theme-key">
                            <TextAt path=path label=format!("{label} ({key})") hint=*hint empty=Empty::Remove />
                            {colour.then(|| view! {
                                <span class="ad-swatch" aria-hidden="true"
                                    style:background=move || {
                                        editor.doc.with(|d| {
                                            doc::get(d, &swatch).and_then(Value::as_str).filter(|v| swatchable(v)).unwrap_or("transparent").to_owned()
                                        })
                                    }></span>
                            })}
                        </div>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}

/// The banner's own words in the language being edited: each key with Assent's text as the
/// placeholder; what is typed overrides it for this notice.
#[component]
pub fn Words() -> impl IntoView {
    let editor = expect_context::<Editor>();
    view! {
        <section class="ad-card" aria-labelledby="ne-words">
            <h2 class="ad-h" id="ne-words">"Banner words"</h2>
            <details class="ad-details" data-test="words">
                <summary>"Change the banner's buttons and labels"</summary>
                <p class="ad-hint">"Empty keeps Assent's words for that language (shown greyed). The lint warns when Reject all would read weaker than Accept all."</p>
                {move || {
                    editor.structure.track();
                    let lang = editor.lang.get();
                    let words = Path::root().key("ui_texts").key(&lang);
                    let builtin = assent_shared::ui_texts::resolve(&lang, &Default::default());
                    let english = assent_shared::ui_texts::resolve("en", &Default::default());
                    assent_shared::ui_texts::keys().map(|key| {
                        let placeholder = builtin.get(key).cloned().unwrap_or_default();
                        // Named by what it says in English (the start of a long text is enough).
                        let said: String = english.get(key).map(|t| t.chars().take(60).collect()).unwrap_or_default();
                        let label = format!("“{said}” ({key}, {lang})");
                        view! { <TextAt path=words.key(key) label=label placeholder=placeholder empty=Empty::Remove /> }
                    }).collect_view()
                }}
            </details>
        </section>
    }
}
