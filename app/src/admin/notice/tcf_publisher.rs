//! The publisher's own TCF choices beside the vendors: the stacks the first layer presents
//! (`tcf.stacks`) and the restrictions put on declared vendors per purpose
//! (`tcf.publisher_restrictions`). The shape rules are `TcfSettings::validate`'s; the server's
//! findings show beside the fields they name.

use super::doc;
use super::editor::Editor;
use super::fields::Findings;
use super::go_to;
use super::tcf::{ids_of, numbers, restrictions_path, stacks_path, tick_in_order};
use assent_shared::notice::{LEGITIMATE_INTEREST_PURPOSES, TCF_PURPOSES};
use assent_shared::tcf_api::{GvlStackEntry, GvlVendorCatalog, stack_fits};
use leptos::prelude::*;
use serde_json::{Value, json};

/// What a stack groups, in words.
fn groups(stack: &GvlStackEntry) -> String {
    let mut parts = Vec::new();
    if !stack.purposes.is_empty() {
        parts.push(format!("purposes {}", numbers(&stack.purposes)));
    }
    if !stack.special_features.is_empty() {
        parts.push(format!("special features {}", numbers(&stack.special_features)));
    }
    parts.join(", ")
}

/// Whether two stacks hold a purpose or special feature in common (a first layer shows each
/// once: TCF Policy, Appendix A).
fn overlap(a: &GvlStackEntry, b: &GvlStackEntry) -> bool {
    a.purposes.iter().any(|p| b.purposes.contains(p))
        || a.special_features.iter().any(|f| b.special_features.contains(f))
}

/// The stacks the first layer presents: a stack that shares a purpose with one chosen cannot
/// be chosen beside it, nor one holding what none of the declared vendors (`declared`) uses
/// ([`stack_fits`]; publication refuses both).
#[component]
pub fn Stacks(catalog: StoredValue<GvlVendorCatalog>, declared: RwSignal<Vec<u16>>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let path = stacks_path();
    let chosen = RwSignal::new(ids_of(&editor.value(&path)));
    let write = path.clone();
    let toggle = Callback::new(move |(id, on): (u16, bool)| {
        let order = catalog.with_value(|cat| cat.stacks.iter().map(|s| s.id).collect());
        let ordered = tick_in_order(chosen, order, id, on);
        editor.write(&write, (!ordered.is_empty()).then(|| json!(ordered)));
    });
    let rows = catalog.with_value(|cat| {
        cat.stacks
            .iter()
            .map(|stack| {
                let id = stack.id;
                let dom = format!("ne-tcf-stack-{id}");
                let ticked = move || chosen.with(|c| c.contains(&id));
                let me = stack.clone();
                let shares = {
                    let me = me.clone();
                    move || {
                        catalog.with_value(|cat| {
                            chosen.with(|c| {
                                cat.stacks
                                    .iter()
                                    .any(|o| c.contains(&o.id) && o.id != id && overlap(o, &me))
                            })
                        })
                    }
                };
                let unused = move || {
                    catalog.with_value(|cat| {
                        declared.with(|d| !stack_fits(&me, cat.vendors.iter().filter(|v| d.contains(&v.id))))
                    })
                };
                let blocked = {
                    let (shares, unused) = (shares.clone(), unused.clone());
                    move || !ticked() && (shares() || unused())
                };
                let editable = editor.editable;
                let why = move || {
                    if unused() {
                        Some(" · holds a purpose or special feature none of the declared vendors uses")
                    } else if !ticked() && shares() {
                        Some(" · shares a purpose with a stack already chosen")
                    } else {
                        None
                    }
                };
                view! {
                    <li class="ad-check ad-stack">
                        <input id=dom.clone() type="checkbox" data-test=dom.clone() prop:checked=ticked
                            disabled=move || !editable || blocked()
                            on:change=move |ev| toggle.run((id, event_target_checked(&ev))) />
                        <label for=dom.clone()>{format!("Stack {id}: {}", stack.name)}</label>
                        <p class="ad-hint">
                            {groups(stack)}
                            {why}
                        </p>
                    </li>
                }
            })
            .collect_view()
    });
    view! {
        <fieldset class="ad-field" data-test="tcf-stacks">
            <legend class="ad-label">"Stacks on the first layer"</legend>
            <p class="ad-hint">"A stack names several purposes at once; none chosen shows each purpose on its own."</p>
            <ul class="ad-plain">{rows}</ul>
            <Findings name="tcf.stacks" nested=true />
        </fieldset>
    }
}

const RESTRICTIONS: [(&str, &str); 3] = [
    ("not_allowed", "Not allowed for these vendors"),
    ("require_consent", "Only with consent"),
    ("require_legitimate_interest", "Only on legitimate interest"),
];

/// The restrictions, each a purpose, a type and vendors among those declared (`declared`).
#[component]
pub fn Restrictions(catalog: StoredValue<GvlVendorCatalog>, declared: RwSignal<Vec<u16>>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let list = restrictions_path();
    let add_at = list.clone();
    let add = move |_| {
        let mut index = 0;
        editor.restructure(|d| {
            index = doc::push(
                d,
                &add_at,
                json!({ "purpose": 1, "restriction": "not_allowed", "vendors": [] }),
            );
        });
        // The new fields come before the button: the keyboard goes on there, not past them.
        let first = add_at.index(index).key("purpose").name();
        request_animation_frame(move || go_to(&first));
    };
    view! {
        <div class="ad-field" data-test="tcf-restrictions">
            <h3 class="ad-h3">"Publisher restrictions"</h3>
            <p class="ad-hint">
                "Per purpose, what you require of the vendors you name: written into every TC string, and vendors must honour it."
            </p>
            {move || {
                editor.structure.track();
                let n = editor.doc.with_untracked(|d| doc::len(d, &list));
                (0..n)
                    .map(|i| view! { <Restriction index=i catalog=catalog declared=declared /> })
                    .collect_view()
            }}
            {editor.editable.then(|| view! {
                <button type="button" class="ad-btn" data-test="tcf-add-restriction" on:click=add>"Add a restriction"</button>
            })}
        </div>
    }
}

#[component]
fn Restriction(index: usize, catalog: StoredValue<GvlVendorCatalog>, declared: RwSignal<Vec<u16>>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let list = restrictions_path();
    let at = list.index(index);
    let base = at.dom_id();
    let purpose = RwSignal::new(editor.value(&at.key("purpose")).as_u64().unwrap_or(1));
    let kind = RwSignal::new(
        editor
            .value(&at.key("restriction"))
            .as_str()
            .unwrap_or("not_allowed")
            .to_owned(),
    );
    let vendors: Vec<u64> = editor
        .value(&at.key("vendors"))
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let ticked = RwSignal::new(vendors);
    let (p_path, k_path, v_path) = (at.key("purpose"), at.key("restriction"), at.key("vendors"));
    let on_purpose = move |ev| {
        let value: u64 = event_target_value(&ev).parse().unwrap_or(1);
        purpose.set(value);
        editor.write(&p_path, Some(json!(value)));
    };
    let on_kind = move |ev| {
        kind.set(event_target_value(&ev));
        editor.write(&k_path, Some(Value::String(kind.get_untracked())));
    };
    let toggle = Callback::new(move |(id, on): (u64, bool)| {
        ticked.update(|t| {
            t.retain(|x| *x != id);
            if on {
                t.push(id);
            }
        });
        let mut ordered = ticked.get_untracked();
        ordered.sort_unstable();
        editor.write(&v_path, Some(json!(ordered)));
    });
    let remove = move |_| {
        editor.restructure(|d| doc::remove_item(d, &list, index));
    };
    let names = catalog.with_value(|cat| cat.purposes.clone());
    let editable = editor.editable;
    let (purpose_id, kind_id) = (format!("{base}-purpose"), format!("{base}-restriction"));
    let vendor_base = base.clone();
    view! {
        <fieldset class="ad-purpose" data-test=base.clone()>
            <legend class="ad-label">{format!("Restriction {}", index + 1)}</legend>
            <div class="ad-grid2">
                <div class="ad-field">
                    <label class="ad-label" for=purpose_id.clone()>"Purpose"</label>
                    <select id=purpose_id.clone() class="ad-input" data-test=purpose_id disabled=!editable on:change=on_purpose>
                        {TCF_PURPOSES.map(|id| {
                            let name = names.iter().find(|n| n.id == id).map_or(String::new(), |n| n.name.clone());
                            view! { <option value=id.to_string() selected=move || purpose.get() == u64::from(id)>{format!("{id}. {name}")}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="ad-field">
                    <label class="ad-label" for=kind_id.clone()>"Requirement"</label>
                    <select id=kind_id.clone() class="ad-input" data-test=kind_id disabled=!editable on:change=on_kind>
                        {RESTRICTIONS.into_iter().map(|(value, text)| view! {
                            <option value=value selected=kind.with_untracked(|k| k == value)>{text}</option>
                        }).collect_view()}
                    </select>
                    <p class="ad-hint">
                        {move || {
                            let p = u8::try_from(purpose.get()).unwrap_or(0);
                            let on_li = kind.with(|k| k == "require_legitimate_interest");
                            (on_li && !LEGITIMATE_INTEREST_PURPOSES.contains(&p))
                                .then_some("This purpose may not rest on legitimate interest: only purposes 2 and 7 to 11 may (TCF Policy).")
                        }}
                    </p>
                </div>
            </div>
            <p class="ad-label">"For the vendors"</p>
            <ul class="ad-plain ad-inline">
                {move || {
                    declared.get().into_iter().map(|id| {
                        let id = u64::from(id);
                        let dom = format!("{vendor_base}-vendor-{id}");
                        let name = catalog.with_value(|cat| {
                            cat.vendors.iter().find(|v| u64::from(v.id) == id).map_or(String::new(), |v| v.name.clone())
                        });
                        view! {
                            <li class="ad-check">
                                <input id=dom.clone() type="checkbox" data-test=dom.clone() disabled=!editable
                                    prop:checked=move || ticked.with(|t| t.contains(&id))
                                    on:change=move |ev| toggle.run((id, event_target_checked(&ev))) />
                                <label for=dom>{name}</label>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
            <Findings name=at.name() nested=true />
            {editable.then(|| view! {
                <button type="button" class="ad-btn ad-btn--danger" on:click=remove>{format!("Remove restriction {}", index + 1)}</button>
            })}
        </fieldset>
    }
}
