//! The signed-in person's account: change the password (`POST /v1/admin/password`), which
//! ends every other session and starts a new one here.

use super::Dashboard;
use super::client::{self, Failure};
use super::form::{FailureNote, Field, attempt};
use assent_shared::admin_api::{PasswordChange, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Account() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        // Two typings that differ never reach the server: the person meant one of them.
        if new.get_untracked() != repeat.get_untracked() {
            failure.set(Some(Failure {
                status: 0,
                code: "invalid_input".into(),
                message: "The new password and its repetition differ.".into(),
                field: Some(("repeat_password".into(), "type the same new password twice".into())),
                findings: Vec::new(),
            }));
            return;
        }
        busy.set(true);
        let change = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        spawn_local(async move {
            let session = attempt(
                dashboard,
                failure,
                client::send::<Session, _>("POST", "/v1/admin/password", &change),
            )
            .await;
            busy.set(false);
            if let Some(session) = session {
                for field in [current, new, repeat] {
                    field.set(String::new());
                }
                dashboard.signed_in(session.user);
                done.set(true);
                dashboard
                    .status
                    .set("Password changed. Every other session has been signed out.".into());
            }
        });
    };
    let email = move || {
        dashboard
            .me
            .with(|m| m.as_ref().and_then(|m| m.email.clone()).unwrap_or_default())
    };
    view! {
        <h1 class="ad-title" tabindex="-1">"Account"</h1>
        <p class="ad-muted">"Signed in as " <span class="ad-strong">{email}</span></p>
        <section class="ad-card" aria-labelledby="password-heading">
            <h2 class="ad-h2" id="password-heading">"Change the password"</h2>
            <p class="ad-muted">"Changing it signs this account out on every other device."</p>
            <form class="ad-form" on:submit=submit novalidate=true>
                <Field id="current-password" label="Current password" value=current kind="password" autocomplete="current-password" required=true />
                <Field id="new-password" label="New password" value=new kind="password" autocomplete="new-password" required=true
                    field="new_password" failure=failure hint="At least 12 characters. A few unrelated words make a strong one." />
                <Field id="repeat-password" label="New password again" value=repeat kind="password" autocomplete="new-password" required=true
                    field="repeat_password" failure=failure />
                <FailureNote failure=failure what="The password was not changed." />
                {move || done.get().then(|| view! { <p class="ad-note ad-note--ok" data-test="password-changed">"Password changed."</p> })}
                <div class="ad-actions">
                    <button type="submit" class="ad-btn ad-btn--primary" data-test="change-password" disabled=move || busy.get()>
                        {move || if busy.get() { "Changing…" } else { "Change the password" }}
                    </button>
                </div>
            </form>
        </section>
    }
}
