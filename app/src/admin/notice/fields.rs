//! The editor's fields. Each edits one place of the draft ([`Path`]), is labelled, carries the
//! id the findings link to, and shows beside it the findings about that place. A field reads
//! its value once when drawn and then owns it: the document changes under it only when the
//! lists are drawn again ([`Editor::restructure`]) or the language switches.

use super::doc::{Path, dom_id};
use super::editor::Editor;
use assent_shared::lint::Severity;
use leptos::prelude::*;
use serde_json::Value;

/// The findings about `name` (and, with `nested`, what it contains), as a list beside the field.
#[component]
pub fn Findings(#[prop(into)] name: String, #[prop(optional)] nested: bool) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let id = format!("{}-findings", dom_id(&name));
    let found = {
        let name = name.clone();
        move || editor.findings_at(&name, nested)
    };
    move || {
        let found = found();
        (!found.is_empty()).then(|| {
            view! {
                <ul class="ad-findings" id=id.clone() data-test="field-findings">
                    {found.into_iter().map(|f| {
                        let (class, word) = match f.severity {
                            Severity::Error => ("ad-finding ad-finding--error", "Error"),
                            Severity::Warning => ("ad-finding ad-finding--warn", "Warning"),
                        };
                        view! {
                            <li class=class data-code=f.code.clone() data-field=f.field.clone()>
                                <span class="ad-strong">{word}": "</span>{f.message.clone()}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// `aria-describedby` and `aria-invalid` for the field at `path`: its hint and its findings.
fn described(
    editor: Editor,
    path: &Path,
    hint: bool,
) -> (
    impl Fn() -> Option<String> + use<>,
    impl Fn() -> Option<&'static str> + use<>,
) {
    let name = path.name();
    let id = path.dom_id();
    let name2 = name.clone();
    let describedby = move || {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{id}-hint"));
        }
        if !editor.findings_at(&name, false).is_empty() {
            ids.push(format!("{id}-findings"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    let invalid = move || {
        editor
            .findings_at(&name2, false)
            .iter()
            .any(|f| f.severity == Severity::Error)
            .then_some("true")
    };
    (describedby, invalid)
}

/// The frame the labelled fields share: label, hint, the control, and the findings about it.
#[component]
fn Labelled(
    id: String,
    label: String,
    hint: String,
    name: String,
    #[prop(optional)] nested: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="ad-field">
            <label class="ad-label" for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="ad-hint" id=format!("{id}-hint")>{hint}</p> })}
            {children()}
            <Findings name=name nested=nested />
        </div>
    }
}

/// How a text field stores what is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Empty {
    /// An empty field is an empty string (a required text).
    #[default]
    Keep,
    /// An empty field removes the member (an optional value, a word override).
    Remove,
}

/// A text input (or text area, with `rows`) for the string at `path`.
#[component]
pub fn TextAt(
    path: Path,
    label: String,
    #[prop(optional, into)] hint: String,
    #[prop(optional)] rows: u32,
    #[prop(optional)] empty: Empty,
    #[prop(optional, into)] placeholder: String,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let id = path.dom_id();
    let start = editor.value(&path).as_str().unwrap_or_default().to_owned();
    let (describedby, invalid) = described(editor, &path, !hint.is_empty());
    let name = path.name();
    let on_input = move |ev| {
        let typed = event_target_value(&ev);
        let new = (!typed.is_empty() || empty == Empty::Keep).then_some(Value::String(typed));
        editor.write(&path, new);
    };
    let input = if rows > 0 {
        view! {
            <textarea id=id.clone() class="ad-input" rows=rows data-test=id.clone() readonly=!editor.editable
                placeholder=placeholder aria-describedby=describedby aria-invalid=invalid
                prop:value=start on:input=on_input></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() class="ad-input" type=kind data-test=id.clone() readonly=!editor.editable
                placeholder=placeholder aria-describedby=describedby aria-invalid=invalid
                prop:value=start on:input=on_input />
        }
        .into_any()
    };
    view! { <Labelled id=id label=label hint=hint name=name>{input}</Labelled> }
}

/// A field for the whole number at `path`; empty removes the member (the default). What is
/// not a whole number is sent as typed, so the server refuses it beside the field and nothing
/// is saved until it is fixed (it is never dropped for the default).
#[component]
pub fn NumberAt(path: Path, label: String, #[prop(optional, into)] hint: String) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let id = path.dom_id();
    let start = editor.value(&path).as_u64().map(|n| n.to_string()).unwrap_or_default();
    let (describedby, invalid) = described(editor, &path, !hint.is_empty());
    let name = path.name();
    let bad = RwSignal::new(false);
    let on_input = move |ev| {
        let typed = event_target_value(&ev);
        let typed = typed.trim();
        let number = typed.parse::<u32>().ok();
        bad.set(!typed.is_empty() && number.is_none());
        let new = match number {
            Some(n) => Some(Value::from(n)),
            None if typed.is_empty() => None,
            None => Some(Value::String(typed.to_owned())),
        };
        editor.write(&path, new);
    };
    view! {
        <Labelled id=id.clone() label=label hint=hint name=name>
            <input id=id.clone() class="ad-input ad-input--short" type="text" inputmode="numeric"
                data-test=id.clone() readonly=!editor.editable aria-describedby=describedby aria-invalid=invalid
                prop:value=start on:input=on_input />
            {move || bad.get().then(|| view! {
                <p class="ad-field-error" data-test="not-a-number">"A whole number of days, such as 180."</p>
            })}
        </Labelled>
    }
}

/// A checkbox for the boolean at `path` (absent is `false`).
#[component]
pub fn CheckAt(path: Path, label: String, #[prop(optional, into)] hint: String) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let id = path.dom_id();
    let start = editor.value(&path).as_bool().unwrap_or(false);
    let (describedby, invalid) = described(editor, &path, !hint.is_empty());
    let name = path.name();
    let on_change = move |ev| editor.write(&path, Some(Value::Bool(event_target_checked(&ev))));
    view! {
        <div class="ad-field ad-check">
            <input id=id.clone() type="checkbox" data-test=id.clone() disabled=!editor.editable
                aria-describedby=describedby aria-invalid=invalid prop:checked=start on:change=on_change />
            <label for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="ad-hint" id=format!("{id}-hint")>{hint}</p> })}
            <Findings name=name />
        </div>
    }
}

/// A choice among `options` (`(value, label)`) for the string at `path`.
#[component]
pub fn SelectAt(
    path: Path,
    label: String,
    options: Vec<(&'static str, &'static str)>,
    #[prop(optional, into)] hint: String,
) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let id = path.dom_id();
    let start = editor.value(&path).as_str().unwrap_or_default().to_owned();
    let (describedby, invalid) = described(editor, &path, !hint.is_empty());
    let name = path.name();
    let on_change = move |ev| editor.write(&path, Some(Value::String(event_target_value(&ev))));
    view! {
        <Labelled id=id.clone() label=label hint=hint name=name>
            <select id=id.clone() class="ad-input" data-test=id.clone() disabled=!editor.editable
                aria-describedby=describedby aria-invalid=invalid on:change=on_change>
                {options.into_iter().map(|(value, text)| view! {
                    <option value=value selected={value == start}>{text}</option>
                }).collect_view()}
            </select>
        </Labelled>
    }
}

/// A comma-separated list for the array of strings at `path` (`session identifier, IP
/// address`). The text stays as typed; the array holds its non-empty, trimmed items.
#[component]
pub fn ListAt(path: Path, label: String, #[prop(optional, into)] hint: String) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let id = path.dom_id();
    let start = editor
        .value(&path)
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let (describedby, invalid) = described(editor, &path, !hint.is_empty());
    let name = path.name();
    let on_input = move |ev| {
        let items: Vec<Value> = event_target_value(&ev)
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| Value::String(item.to_owned()))
            .collect();
        editor.write(&path, Some(Value::Array(items)));
    };
    view! {
        <Labelled id=id.clone() label=label hint=hint name=name nested=true>
            <input id=id.clone() class="ad-input" type="text" data-test=id.clone() readonly=!editor.editable
                aria-describedby=describedby aria-invalid=invalid prop:value=start on:input=on_input />
        </Labelled>
    }
}

/// Checkboxes choosing which of `options` the array of strings at `path` holds (in the
/// options' order).
#[component]
pub fn ChoicesAt(
    path: Path,
    legend: String,
    options: Vec<&'static str>,
    #[prop(optional, into)] hint: String,
) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let chosen = RwSignal::new(
        editor
            .value(&path)
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    );
    let base = path.dom_id();
    let name = path.name();
    let all = options.clone();
    let toggle = Callback::new(move |(option, on): (&'static str, bool)| {
        chosen.update(|c| {
            c.retain(|o| o != option);
            if on {
                c.push(option.to_owned());
            }
        });
        let ordered: Vec<Value> = all
            .iter()
            .filter(|o| chosen.with_untracked(|c| c.iter().any(|x| x == *o)))
            .map(|o| Value::String((*o).to_owned()))
            .collect();
        editor.write(&path, Some(Value::Array(ordered)));
    });
    view! {
        <fieldset class="ad-field ad-choices" id=base.clone()>
            <legend class="ad-label">{legend}</legend>
            {(!hint.is_empty()).then(|| view! { <p class="ad-hint">{hint}</p> })}
            {options.into_iter().map(|option| {
                let id = format!("{base}-{option}");
                let on = chosen.with_untracked(|c| c.iter().any(|x| x == option));
                view! {
                    <span class="ad-check">
                        <input id=id.clone() type="checkbox" data-test=id.clone() disabled=!editor.editable
                            prop:checked=on on:change=move |ev| toggle.run((option, event_target_checked(&ev))) />
                        <label for=id><code>{option}</code></label>
                    </span>
                }
            }).collect_view()}
            <Findings name=name nested=true />
        </fieldset>
    }
}
