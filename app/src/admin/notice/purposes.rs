//! The purposes: each one's key, legal basis, how the banner asks for it, Consent Mode types,
//! lifetime, data and retention, texts, and its vendors with the cookies and storage keys
//! they set (which the banner deletes when the purpose is refused or withdrawn).

use super::doc::{self, Path};
use super::editor::Editor;
use super::fields::{CheckAt, ChoicesAt, Empty, Findings, ListAt, NumberAt, SelectAt, TextAt};
use assent_shared::consent_mode::ALL_TYPES;
use leptos::prelude::*;
use serde_json::json;

const LEGAL_BASES: &[(&str, &str)] = &[
    ("consent", "Consent (GDPR Art. 6(1)(a))"),
    ("contract", "Necessary for the service (Art. 6(1)(b))"),
    ("legitimate_interests", "Legitimate interests (Art. 6(1)(f))"),
    ("legal_obligation", "Legal obligation (Art. 6(1)(c))"),
];

const STORAGE_KINDS: &[(&str, &str)] = &[
    ("cookie", "Cookie"),
    ("local_storage", "localStorage"),
    ("session_storage", "sessionStorage"),
];

fn purposes() -> Path {
    Path::root().key("purposes")
}

/// Asks `question` in the browser's own dialog (keyboard and screen-reader ready); `true` for
/// OK. A browser that cannot ask answers no.
pub fn confirm(question: &str) -> bool {
    web_sys::window().is_some_and(|w| w.confirm_with_message(question).unwrap_or(false))
}

/// Focuses the element with `id` once it is drawn (after a list was drawn again).
fn focus_later(id: String) {
    request_animation_frame(move || {
        let element = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
}

#[component]
pub fn Purposes() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let add = move |_| {
        let mut index = 0;
        editor.restructure(|d| {
            let n = doc::len(d, &purposes()) + 1;
            // Texts to fill in every language of the notice (the lint names each one left empty).
            let texts: serde_json::Map<String, serde_json::Value> = doc::keys(d, &Path::root().key("texts"))
                .into_iter()
                .map(|tag| (tag, json!({ "title": "", "description": "" })))
                .collect();
            index = doc::push(
                d,
                &purposes(),
                json!({
                    "key": format!("purpose_{n}"),
                    "legal_basis": "consent",
                    "in_banner": true,
                    "retention": "",
                    "texts": texts,
                }),
            );
        });
        focus_later(purposes().index(index).key("key").dom_id());
    };
    view! {
        <section class="ad-card" aria-labelledby="ne-purposes">
            <h2 class="ad-h" id="ne-purposes" tabindex="-1">"Purposes"</h2>
            <p class="ad-hint">"What you use cookies and personal data for. Visitors choose per purpose; nothing that needs consent runs before it."</p>
            {move || {
                editor.structure.track();
                let lang = editor.lang.get();
                let count = editor.doc.with_untracked(|d| doc::len(d, &purposes()));
                (0..count).map(|i| view! { <PurposeCard index=i count=count lang=lang.clone() /> }).collect_view()
            }}
            {editor.editable.then(|| view! {
                <button type="button" class="ad-btn" data-test="add-purpose" on:click=add>"Add a purpose"</button>
            })}
        </section>
    }
}

#[component]
fn PurposeCard(index: usize, count: usize, lang: String) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let at = purposes().index(index);
    let key = editor.value(&at.key("key")).as_str().unwrap_or_default().to_owned();
    let key_asked = key.clone();
    let heading_id = format!("{}-heading", at.dom_id());
    let texts = at.key("texts").key(&lang);
    let moved = move |to: usize| {
        editor.restructure(|d| doc::swap(d, &purposes(), index, to));
        focus_later(format!("{}-heading", purposes().index(to).dom_id()));
    };
    let remove = move |_| {
        let asked = format!(
            "Remove purpose {} ({key_asked}) with its texts in every language, its vendors and their cookies from the draft?",
            index + 1
        );
        if !confirm(&asked) {
            return;
        }
        editor.restructure(|d| doc::remove_item(d, &purposes(), index));
        editor
            .dashboard
            .status
            .set(format!("Purpose {} removed from the draft.", index + 1));
        // Focus stays in the list: the purpose now in this place, else the one before, else the
        // section.
        let next = if index + 1 < count {
            Some(index)
        } else {
            index.checked_sub(1)
        };
        focus_later(next.map_or("ne-purposes".into(), |i| {
            format!("{}-heading", purposes().index(i).dom_id())
        }));
    };
    let cm_types: Vec<&'static str> = ALL_TYPES.iter().map(|t| t.as_str()).collect();
    view! {
        <article class="ad-purpose" aria-labelledby=heading_id.clone() data-test=format!("purpose-{index}")>
            <h3 class="ad-h3" id=heading_id.clone() tabindex="-1">{format!("Purpose {}: {key}", index + 1)}</h3>
            <Findings name=at.name() />
            <div class="ad-grid2">
                <TextAt path=at.key("key") label="Key".to_string()
                    hint="Lower case letters, digits and _ (analytics, ads_personalised); recorded with every choice." />
                <SelectAt path=at.key("legal_basis") label="Legal basis".to_string() options=LEGAL_BASES.to_vec() />
            </div>
            <TextAt path=texts.key("title") label=format!("Title ({lang})") />
            <TextAt path=texts.key("description") label=format!("Description ({lang})") rows=3 />
            <Findings name=format!("{}.texts.{lang}", at.name()) />
            <div class="ad-grid2">
                <CheckAt path=at.key("in_banner") label="Asked for in the banner".to_string()
                    hint="A purpose that stores or reads on the device (cookies, localStorage)." />
                <CheckAt path=at.key("in_accept_all") label="Included in Accept all".to_string()
                    hint="Consent purposes only; never a sensitive one." />
                <CheckAt path=at.key("gpc_covered") label="Sale, sharing or targeted advertising".to_string()
                    hint="A Global Privacy Control signal opts the visitor out of it (CCPA, US state laws)." />
                <CheckAt path=at.key("sensitive") label="Sensitive data".to_string()
                    hint="Such as precise location: always opt-in, asked for on its own." />
            </div>
            <ChoicesAt path=at.key("consent_mode") legend="Google Consent Mode types this purpose governs".to_string()
                options=cm_types />
            <div class="ad-grid2">
                <NumberAt path=at.key("lifetime_days") label="Consent lasts (days)".to_string()
                    hint="Empty: 365. Asked again after this; at most 395 (13 months)." />
                <TextAt path=at.key("retention") label="Retention".to_string() hint="How long the data is kept, in words." />
            </div>
            <ListAt path=at.key("data_categories") label="Data categories".to_string()
                hint="Separated by commas: page views, IP address (truncated), device type." />
            <Vendors purpose=at.clone() />
            {editor.editable.then(|| view! {
                <div class="ad-actions">
                    <button type="button" class="ad-btn ad-btn--quiet" data-test="purpose-up" disabled={index == 0}
                        on:click=move |_| moved(index - 1)>"Move up"</button>
                    <button type="button" class="ad-btn ad-btn--quiet" data-test="purpose-down" disabled={index + 1 >= count}
                        on:click=move |_| moved(index + 1)>"Move down"</button>
                    <button type="button" class="ad-btn ad-btn--danger" data-test="remove-purpose" on:click=remove>
                        {format!("Remove purpose {}", index + 1)}
                    </button>
                </div>
            })}
        </article>
    }
}

/// A purpose's vendors and, for each, the cookies and storage keys it sets.
#[component]
fn Vendors(purpose: Path) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let vendors = purpose.key("vendors");
    let count = editor.doc.with_untracked(|d| doc::len(d, &vendors));
    let add_at = vendors.clone();
    let add = move |_| {
        let mut index = 0;
        editor.restructure(|d| index = doc::push(d, &add_at, json!({ "name": "", "cookies": [] })));
        focus_later(add_at.index(index).key("name").dom_id());
    };
    view! {
        <fieldset class="ad-vendors">
            <legend class="ad-label">"Vendors, cookies and storage"</legend>
            {(0..count).map(|v| view! { <VendorItem vendors=vendors.clone() index=v /> }).collect_view()}
            {editor.editable.then(|| view! {
                <button type="button" class="ad-btn ad-btn--quiet" data-test="add-vendor" on:click=add>"Add a vendor"</button>
            })}
        </fieldset>
    }
}

#[component]
fn VendorItem(vendors: Path, index: usize) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let at = vendors.index(index);
    let cookies = at.key("cookies");
    let count = editor.doc.with_untracked(|d| doc::len(d, &cookies));
    let (list, list2) = (vendors.clone(), cookies.clone());
    let remove = move |_| editor.restructure(|d| doc::remove_item(d, &list, index));
    let add_cookie = move |_| {
        let mut i = 0;
        editor.restructure(|d| {
            i = doc::push(d, &list2, json!({ "name": "", "provider": "", "duration": "" }));
        });
        focus_later(list2.index(i).key("name").dom_id());
    };
    view! {
        <div class="ad-vendor" data-test="vendor">
            <Findings name=at.name() />
            <div class="ad-grid2">
                <TextAt path=at.key("name") label="Vendor".to_string() />
                <TextAt path=at.key("privacy_url") label="Its privacy policy".to_string() kind="url" empty=Empty::Remove
                    hint="https address (optional)." />
            </div>
            {(0..count).map(|c| {
                let item = cookies.index(c);
                let (from, item2) = (cookies.clone(), item.clone());
                view! {
                    <div class="ad-cookie" data-test="cookie">
                        <Findings name=item.name() />
                        <div class="ad-grid3">
                            <TextAt path=item.key("name") label="Name".to_string() hint="A trailing * matches a prefix (_ga_*)." />
                            <TextAt path=item.key("provider") label="Set by".to_string() />
                            <TextAt path=item.key("duration") label="Lasts".to_string() hint="In words: 13 months, session." />
                            <SelectAt path=item.key("storage") label="Kept in".to_string() options=STORAGE_KINDS.to_vec() />
                            <TextAt path=item.key("domain") label="Cookie domain".to_string() empty=Empty::Remove
                                hint="Only when set on a parent domain (.example.com)." />
                            <TextAt path=item.key("path") label="Cookie path".to_string() empty=Empty::Remove />
                        </div>
                        {editor.editable.then(|| view! {
                            <button type="button" class="ad-btn ad-btn--quiet" data-test="remove-cookie"
                                on:click=move |_| editor.restructure(|d| doc::remove_item(d, &from, c))>
                                {format!("Remove {}", editor.value(&item2.key("name")).as_str().filter(|n| !n.is_empty()).unwrap_or("this cookie"))}
                            </button>
                        })}
                    </div>
                }
            }).collect_view()}
            {editor.editable.then(|| view! {
                <div class="ad-actions">
                    <button type="button" class="ad-btn ad-btn--quiet" data-test="add-cookie" on:click=add_cookie>"Add a cookie or storage key"</button>
                    <button type="button" class="ad-btn ad-btn--danger" data-test="remove-vendor" on:click=remove>"Remove this vendor"</button>
                </div>
            })}
        </div>
    }
}
