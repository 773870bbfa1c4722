//! The permanent way back: reopens the preferences, so withdrawing takes no more steps
//! than consenting did.

use crate::contexts::consent::ConsentContext;
use leptos::prelude::*;

#[component]
pub fn FloatingButton() -> impl IntoView {
    let ctx = expect_context::<ConsentContext>();
    let t = ctx.texts();
    view! {
        <button type="button" class="assent-fab" data-test="privacy-choices" on:click=move |_| ctx.open_preferences()>
            <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
                <path
                    d="M12 2l8 3v6c0 5-3.4 9.4-8 11-4.6-1.6-8-6-8-11V5l8-3z"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="2"
                    stroke-linejoin="round"
                />
                <path d="M8.5 12l2.5 2.5 4.5-5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
            </svg>
            <span>{t.privacy_choices}</span>
        </button>
    }
}
