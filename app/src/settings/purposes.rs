//! Purpose → data → legal basis, each with the control its basis allows (GDPR Art. 6(1)): a
//! switch for consent, *Object* for legitimate interests (Art. 21), none for contract and
//! legal obligation (with the reason), and where the decision in force came from.

use super::{Page, local_time};
use assent_shared::consent::{Decision, Method, Source};
use assent_shared::notice::{LegalBasis, LocalizedPurpose};
use assent_shared::settings::{Control, control};
use leptos::prelude::*;

#[component]
pub fn Purposes() -> impl IntoView {
    let page = expect_context::<Page>();
    let purposes = page
        .notice
        .with_untracked(|n| n.as_ref().map(|n| n.notice.purposes.clone()))
        .unwrap_or_default();
    view! {
        <section class="as-section" aria-labelledby="as-purposes">
            <super::Heading level=page.top + 1 id="as-purposes" class="as-h2">{page.w("purposes_heading")}</super::Heading>
            <ul class="as-list" role="list">
                {purposes.into_iter().map(|p| view! { <li><PurposeCard purpose=p /></li> }).collect_view()}
            </ul>
        </section>
    }
}

fn basis_key(basis: LegalBasis) -> &'static str {
    match basis {
        LegalBasis::Consent => "consent",
        LegalBasis::Contract => "contract",
        LegalBasis::LegitimateInterests => "legitimate_interests",
        LegalBasis::LegalObligation => "legal_obligation",
    }
}

fn how_key(source: Source) -> &'static str {
    match source {
        Source::Banner => "how_banner",
        Source::Panel => "how_panel",
        Source::SettingsPage => "how_settings_page",
        Source::Api => "how_api",
        Source::Signal => "how_signal",
        Source::System => "how_system",
        Source::Account => "how_account",
    }
}

#[component]
fn PurposeCard(purpose: LocalizedPurpose) -> impl IntoView {
    let page = expect_context::<Page>();
    let key = purpose.key.to_string();
    let id = format!("as-p-{key}");
    let desc_id = format!("{id}-desc");
    let lang = page.language();
    let provenance = {
        let purpose = purpose.clone();
        move || {
            page.setting_event(&purpose).map(|e| {
                let how = page.w(how_key(e.source));
                let when = local_time(&e.recorded_at, &lang);
                let gpc = e.method == Method::Gpc;
                view! {
                    <p class="as-meta" data-test=format!("set-by-{}", purpose.key)>
                        {page.w("set_via").replace("{when}", &when).replace("{how}", how)}
                    </p>
                    {gpc.then(|| view! {
                        <p class="as-badge" data-test=format!("gpc-{}", purpose.key)>"Opt-Out Request Honored"</p>
                    })}
                }
            })
        }
    };
    let vendors = purpose.vendors.clone();
    let title = purpose.title.clone();
    let cookie_count: usize = vendors.iter().map(|v| v.cookies.len()).sum();
    view! {
        <article class="as-card" data-test=format!("settings-purpose-{key}") aria-labelledby=id.clone()>
            <div class="as-card__head">
                <super::Heading level=page.top + 2 class="as-h3" id=id.clone()>{title}</super::Heading>
                <span class="as-basis">{page.banner_text(basis_key(purpose.legal_basis))}</span>
            </div>
            <p class="as-desc" id=desc_id.clone()>{purpose.description.clone()}</p>
            <dl class="as-facts">
                {(!purpose.data_categories.is_empty()).then(|| view! {
                    <dt>{page.w("data_used")}</dt>
                    <dd>{purpose.data_categories.join(", ")}</dd>
                })}
                <dt>{page.banner_text("retention")}</dt>
                <dd>{purpose.retention.clone()}</dd>
            </dl>
            {(!vendors.is_empty()).then(|| view! {
                <details class="as-details">
                    <summary>{page.banner_text("vendors")}" ("{cookie_count}")"</summary>
                    <ul class="as-cookies">
                        {vendors.into_iter().map(|v| view! {
                            <li>
                                <span class="as-strong">{v.name.clone()}</span>
                                <ul>
                                    {v.cookies.into_iter().map(|c| view! {
                                        <li><code>{c.name}</code>" · "{c.provider}" · "{c.duration}</li>
                                    }).collect_view()}
                                </ul>
                            </li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
            <ControlFor purpose=purpose.clone() label=id.clone() desc=desc_id />
            {provenance}
        </article>
    }
}

#[component]
fn ControlFor(purpose: LocalizedPurpose, label: String, desc: String) -> impl IntoView {
    let page = expect_context::<Page>();
    let key = purpose.key.to_string();
    match control(&purpose) {
        Control::Switch => {
            let granted = {
                let purpose = purpose.clone();
                move || page.decision(&purpose) == Decision::Granted
            };
            let state = {
                let granted = granted.clone();
                move || {
                    if granted() {
                        page.w("state_on")
                    } else {
                        page.w("state_off")
                    }
                }
            };
            let on_change = move |ev: leptos::ev::Event| {
                // While a change is on its way the switch stays focusable (a disabled control
                // drops the keyboard focus) but does not take another.
                if page.busy.get_untracked() {
                    ev.prevent_default();
                    return;
                }
                let wanted = if event_target_checked(&ev) {
                    Decision::Granted
                } else {
                    Decision::Denied
                };
                page.change(purpose.clone(), wanted);
            };
            view! {
                <div class="as-control">
                    <input
                        type="checkbox"
                        role="switch"
                        class="as-switch"
                        aria-labelledby=label
                        aria-describedby=desc
                        data-test=format!("settings-toggle-{key}")
                        prop:checked=granted
                        aria-busy=move || page.busy.get().to_string()
                        on:change=on_change
                    />
                    <span class="as-state" aria-hidden="true">{state}</span>
                </div>
            }
            .into_any()
        }
        Control::Object => {
            let objected = {
                let purpose = purpose.clone();
                move || page.decision(&purpose) == Decision::Denied
            };
            let label_text = {
                let objected = objected.clone();
                let title = purpose.title.clone();
                move || {
                    let action = if objected() {
                        page.w("lift_objection")
                    } else {
                        page.w("object")
                    };
                    format!("{action}: {title}")
                }
            };
            let toggle = {
                let objected = objected.clone();
                move |_| {
                    if page.busy.get_untracked() {
                        return;
                    }
                    let wanted = if objected() {
                        Decision::Granted
                    } else {
                        Decision::Denied
                    };
                    page.change(purpose.clone(), wanted);
                }
            };
            let objected_text = objected.clone();
            let objected_test = format!("objected-{key}");
            view! {
                <p class="as-meta">{page.w("li_explain")}</p>
                <Show when=objected_text>
                    <p class="as-meta as-strong" data-test=objected_test.clone()>{page.w("objected")}</p>
                </Show>
                <button
                    type="button"
                    class="as-btn"
                    data-test=format!("settings-object-{key}")
                    aria-label=label_text
                    aria-describedby=desc
                    aria-busy=move || page.busy.get().to_string()
                    on:click=toggle
                >
                    {move || if objected() { page.w("lift_objection") } else { page.w("object") }}
                </button>
            }
            .into_any()
        }
        Control::None => {
            let reason = if purpose.legal_basis == LegalBasis::Contract {
                page.w("contract_reason")
            } else {
                page.w("obligation_reason")
            };
            view! { <p class="as-meta" data-test=format!("no-control-{key}")>{reason}</p> }.into_any()
        }
    }
}
