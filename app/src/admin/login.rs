//! Signing in: email and password (`POST /v1/admin/login`). The session arrives as an
//! `HttpOnly` cookie the page never sees; a refusal says why and keeps what was typed.

use super::Dashboard;
use super::client::{self, Failure};
use super::form::{FailureNote, Field, attempt};
use assent_shared::admin_api::{LoginRequest, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Login() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let request = LoginRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let session = attempt(
                dashboard,
                failure,
                client::send::<Session, _>("POST", "/v1/admin/login", &request),
            )
            .await;
            busy.set(false);
            if let Some(session) = session {
                dashboard.status.set(String::new());
                dashboard.signed_in(session.user);
            }
        });
    };
    view! {
        <main class="ad-center ad-login">
            <h1 class="ad-title" tabindex="-1">"Sign in to Assent"</h1>
            <p class="ad-muted">"The dashboard for the sites that use Assent: how to install the banner, where it may run, which rules apply, and what visitors chose."</p>
            {super::plain_http().then(|| view! { <p class="ad-note ad-note--warn" role="note" data-test="plain-http">{super::PLAIN_HTTP}</p> })}
            {move || dashboard.signed_out_because.get().filter(|why| why != super::PLAIN_HTTP).map(|why| view! { <p class="ad-note" role="status" data-test="signed-out-because">{why}</p> })}
            <form class="ad-form ad-card" on:submit=submit novalidate=true>
                <Field id="login-email" label="Email" value=email kind="email" autocomplete="username" required=true />
                <Field id="login-password" label="Password" value=password kind="password" autocomplete="current-password" required=true />
                <FailureNote failure=failure what="You are not signed in." />
                <div class="ad-actions">
                    <button type="submit" class="ad-btn ad-btn--primary" data-test="sign-in" disabled=move || busy.get()>
                        {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </div>
            </form>
        </main>
    }
}
