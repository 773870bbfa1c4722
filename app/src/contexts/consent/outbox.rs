//! The outbox: a decision applies at once (Consent Mode, blocked scripts, cleanup) and is
//! stored in one write; its event is queued beside the stored choice and sent, in order,
//! until the server acknowledges it.

use super::{ConsentContext, SaveStatus, set_in_force};
use crate::api;
use crate::bridge::{self, Trigger};
use crate::contexts::lifetime::recheck_at;
use crate::storage::{StoredChoice, queue};
use assent_shared::api::ConsentRequest;
use assent_shared::consent::{Decisions, Method, SignalSource, Source};
use assent_shared::decide::apply;
use assent_shared::ids::EventId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

/// How long to wait before resending an event the server did not acknowledge.
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

impl ConsentContext {
    /// Applies decisions at once (Consent Mode, blocked scripts, cleanup — what [`apply`]
    /// says), stores the choice with `also`'s changes (to it and to the event) in one write,
    /// queues the event and sends it.
    pub(super) fn queue_event(
        &self,
        event_id: Option<EventId>,
        method: Method,
        source: Source,
        decisions: Decisions,
        signal: Option<SignalSource>,
        also: impl FnOnce(&mut StoredChoice, &mut ConsentRequest),
    ) {
        let Some(notice) = self.notice.get_untracked() else {
            return;
        };
        let Some(event_id) = event_id.or_else(|| bridge::random_uuid().and_then(|id| EventId::parse(&id).ok())) else {
            return;
        };
        let boot = self.boot.get_value();
        let mut request = ConsentRequest {
            event_id,
            subject_id: None,
            notice_version: notice.notice.version,
            notice_hash: notice.notice_hash.clone(),
            language: notice.notice.language.clone(),
            method,
            source,
            decisions: decisions.clone(),
            client_time: Some(bridge::now_iso()),
            gpc: signal.is_some(),
            signal_source: signal,
            banner_build: boot.build.clone(),
            // Lets a resend of a first event whose answer was lost get the subject's token.
            retry_secret: bridge::random_uuid(),
            tcf: None,
        };
        let previous = self.choice.with_untracked(|c| c.decisions.clone().unwrap_or_default());
        let outcome = apply(&notice.notice, &previous, &decisions);
        let cleanup = crate::json::to_js(&outcome.cleanup);
        let label = self.texts().privacy_choices.to_owned();
        self.choice.update(|c| {
            set_in_force(c, &notice.notice, &outcome);
            c.updated_at = request.client_time.clone();
            for key in request.decisions.keys() {
                c.decided_at
                    .insert(key.to_string(), request.client_time.clone().unwrap_or_default());
            }
            c.recheck_at = recheck_at(&notice, c);
            c.label = Some(label);
            also(c, &mut request);
        });
        // A draft preview shows what a choice does on the page, and records nothing.
        if !boot.preview {
            queue::push(
                &boot.storage_key,
                request.event_id.as_str(),
                crate::json::to_js(&request),
            );
        }
        self.refresh_signals();
        self.persist();
        self.emit_in_force(cleanup, outcome.reload, Trigger::Choice);
        if !boot.preview {
            let ctx = *self;
            spawn_local(async move { ctx.flush().await });
        }
    }

    /// Writes the choice to storage. A subject stored by another tab is joined first, so a
    /// write from a tab that has not seen it yet never takes it away.
    pub(super) fn persist(&self) {
        self.join_stored_subject();
        let key = self.boot.with_value(|b| b.storage_key.clone());
        self.choice.with_untracked(|c| c.save(&key));
    }

    /// Sends the site's queued events in order until one fails to get an answer — one tab of
    /// the site at a time, so the first event creates the subject and every other event joins
    /// it. The tab holding the lock sends every tab's events, including those of tabs closed
    /// before theirs were acknowledged.
    pub(super) async fn flush(self) {
        if self.flushing.get_value() || bridge::retired() {
            return;
        }
        self.flushing.set_value(true);
        bridge::exclusive(move |waited| {
            wasm_bindgen_futures::future_to_promise(async move {
                if waited {
                    self.await_stored_subject().await;
                }
                self.send_queue().await;
                Ok(JsValue::UNDEFINED)
            })
        })
        .await;
        self.flushing.set_value(false);
    }

    /// After waiting for another tab's turn: that tab may have just created the subject, and
    /// its stored write may not have reached this tab yet. Sending now would make a second
    /// subject, so this tab looks again for a short while (a few milliseconds in practice)
    /// before it creates one itself.
    async fn await_stored_subject(self) {
        const TRIES: usize = 25;
        const EVERY_MS: i32 = 10;
        for _ in 0..TRIES {
            self.join_stored_subject();
            let key = self.boot.with_value(|b| b.storage_key.clone());
            if self.choice.with_untracked(|c| c.subject_id.is_some()) || queue::all(&key).is_empty() {
                return;
            }
            let _ = wasm_bindgen_futures::JsFuture::from(bridge::sleep(EVERY_MS)).await;
        }
    }

    async fn send_queue(self) {
        let boot = self.boot.get_value();
        let key = boot.storage_key.clone();
        // Acknowledged in this run: met again, storage would not let it go (never loop on it).
        let mut done: Vec<String> = Vec::new();
        loop {
            self.join_stored_subject();
            let Some(mut next) = queue::all(&key).into_iter().next() else {
                break;
            };
            if done.contains(&next.event_id) {
                break;
            }
            let (subject, token) = self
                .choice
                .with_untracked(|c| (c.subject_id.clone(), c.subject_token.clone()));
            queue::prepare(&key, &mut next, subject.as_deref());
            let answer = api::post_consent(&boot.origin, &boot.site, &next.request, token.as_deref()).await;
            // Taken over meanwhile: the banner sends it again (the server answers a repeat
            // alike) and acts on the answer.
            if bridge::retired() {
                break;
            }
            match answer {
                Ok(recorded) => {
                    queue::remove(&key, &next.event_id);
                    done.push(next.event_id);
                    let answer = crate::json::to_js(&recorded);
                    let sent = queued_decisions(&next.request);
                    self.catch_up();
                    let known = StoredChoice::load(&key).seq;
                    let newest = known
                        .max(self.choice.with_untracked(|c| c.seq))
                        .is_none_or(|s| recorded.seq > s);
                    self.choice.update(|c| {
                        // A subject's token comes only with its first event: a subject answered
                        // without one is kept only where it is already this device's.
                        if let Some(token) = recorded.subject_token {
                            c.subject_id = Some(recorded.subject_id.to_string());
                            c.subject_token = Some(token);
                        }
                        if newest && c.subject_id.as_deref() == Some(recorded.subject_id.as_str()) {
                            c.seq = Some(recorded.seq);
                        }
                    });
                    if newest {
                        self.follow_ledger(sent.unwrap_or_default());
                    }
                    self.persist();
                    // After the subject is stored: whoever waits may read it.
                    bridge::outcome(&answer, &JsValue::NULL);
                    self.status.set(Some(SaveStatus::Saved));
                }
                Err(err) if err.is_retryable() => {
                    self.status.set(Some(SaveStatus::Queued));
                    set_timeout(move || spawn_local(self.flush()), RETRY_AFTER);
                    break;
                }
                Err(err) => {
                    // The server refused this event for good; keeping it would block the queue.
                    err.log("the server refused a consent event");
                    bridge::outcome(&JsValue::from(next.event_id.as_str()), &err.to_js());
                    queue::remove(&key, &next.event_id);
                    let sent_for = js_sys::Reflect::get(&next.request, &"subject_id".into())
                        .ok()
                        .and_then(|s| s.as_string());
                    if err.is_erased() && sent_for.is_some() && sent_for == subject {
                        // This device's subject was erased elsewhere (another tab, a request to
                        // the site): it forgets too, and the banner asks again.
                        self.forget();
                        break;
                    }
                }
            }
        }
    }
}

impl ConsentContext {
    /// The tabs of a site send their events one at a time (under the Web Lock), so the order
    /// acknowledgements arrive in is the order the ledger recorded them in. After each, the
    /// choice in force is the stored one with the recorded decisions on top, and the
    /// still-queued choices (of every tab) on top of that: when several tabs decide in the same instant, each
    /// ends on what the ledger holds last, not on whichever click came last by its own clock.
    fn follow_ledger(&self, recorded: Decisions) {
        let Some(notice) = self.notice.get_untracked() else {
            return;
        };
        let before = self.choice.with_untracked(|c| c.decisions.clone().unwrap_or_default());
        let mut after = before.clone();
        after.extend(recorded);
        for queued in self.boot.with_value(|b| queue::all(&b.storage_key)) {
            after.extend(queued_decisions(&queued.request).unwrap_or_default());
        }
        // Only what changed is applied: the rest was applied when it was decided.
        let changed: Decisions = after.into_iter().filter(|(k, d)| before.get(k) != Some(d)).collect();
        if changed.is_empty() {
            return;
        }
        let outcome = apply(&notice.notice, &before, &changed);
        self.choice.update(|c| {
            set_in_force(c, &notice.notice, &outcome);
            c.updated_at = Some(bridge::now_iso());
        });
        self.refresh_signals();
        // The page reloads only for a withdrawal made on it, not for one another tab made.
        self.emit_in_force(crate::json::to_js(&outcome.cleanup), false, Trigger::Choice);
    }
}

/// The decisions of a queued request (only they are decoded: the banner never reads a whole
/// request back).
fn queued_decisions(request: &JsValue) -> Option<Decisions> {
    js_sys::Reflect::get(request, &"decisions".into())
        .ok()
        .and_then(crate::json::from_js)
}
