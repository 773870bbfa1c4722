//! The outbox: a decision applies at once (storage, Consent Mode, blocked scripts), its event
//! is queued in the stored choice and sent, in order, until the server acknowledges it.

use super::{ConsentContext, SaveStatus, declared_items, set_in_force};
use crate::api;
use crate::bridge::{self, Trigger};
use crate::contexts::lifetime::recheck_at;
use crate::storage::{Pending, StoredChoice};
use assent_shared::api::ConsentRequest;
use assent_shared::consent::{Decision, Decisions, Method, SignalSource, Source};
use assent_shared::ids::EventId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

/// How long to wait before resending an event the server did not acknowledge.
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

impl ConsentContext {
    /// Applies decisions at once (storage, Consent Mode, blocked scripts), queues the event
    /// and sends it.
    pub(super) fn queue_event(
        &self,
        event_id: Option<EventId>,
        method: Method,
        source: Source,
        decisions: Decisions,
        signal: Option<SignalSource>,
    ) {
        let Some(notice) = self.notice.get_untracked() else {
            return;
        };
        let Some(event_id) = event_id.or_else(|| bridge::random_uuid().and_then(|id| EventId::parse(&id).ok())) else {
            return;
        };
        let boot = self.boot.get_value();
        let request = ConsentRequest {
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
        };
        let previous = self.choice.with_untracked(|c| c.decisions.clone().unwrap_or_default());
        let withdrawn = decisions
            .iter()
            .any(|(k, d)| *d == Decision::Denied && previous.get(k) == Some(&Decision::Granted));
        // What refused purposes declared on the device goes, whether or not it was granted before.
        let cleanup = declared_items(&notice.notice, |p| decisions.get(&p.key) == Some(&Decision::Denied));
        let reload = withdrawn && notice.notice.reload_on_withdrawal;
        let label = self.texts().privacy_choices.to_owned();
        self.choice.update(|c| {
            let mut merged = c.decisions.clone().unwrap_or_default();
            merged.extend(decisions);
            set_in_force(c, &notice.notice, merged);
            c.updated_at = request.client_time.clone();
            for key in request.decisions.keys() {
                c.decided_at
                    .insert(key.to_string(), request.client_time.clone().unwrap_or_default());
            }
            c.recheck_at = recheck_at(&notice.notice, c);
            c.label = Some(label);
            // A draft preview shows what a choice does on the page, and records nothing.
            if !boot.preview {
                c.pending.push(Pending(crate::json::to_js(&request)));
            }
        });
        if !boot.preview {
            self.owned
                .update_value(|o| o.push(request.event_id.as_str().to_owned()));
        }
        self.persist();
        self.refresh_signals();
        self.emit_in_force(cleanup, reload, Trigger::Choice);
        if !boot.preview {
            let ctx = *self;
            spawn_local(async move { ctx.flush().await });
        }
    }

    /// Writes the choice to storage. The queue stored is every tab's: the events other tabs
    /// still have queued (as stored now), then this tab's own. Events this tab owned and
    /// has since sent are left out even when a copy written elsewhere still lists them, and a
    /// subject stored elsewhere is joined first, so a write from a tab that has not seen it yet
    /// never takes it away.
    pub(super) fn persist(&self) {
        self.join_stored_subject();
        let key = self.boot.with_value(|b| b.storage_key.clone());
        let stored = StoredChoice::load(&key).pending;
        let owned = self.owned.get_value();
        let mut queue: Vec<Pending> = stored
            .into_iter()
            .filter(|p| pending_id(&p.0).is_none_or(|id| !owned.contains(&id)))
            .collect();
        self.choice.update_untracked(|c| {
            queue.extend(c.pending.iter().cloned());
            let own = std::mem::replace(&mut c.pending, queue);
            c.save(&key);
            c.pending = own;
        });
    }

    /// Sends queued events in order until one fails to get an answer — one tab of the site at a
    /// time, so the first event creates the subject and every other tab's events join it.
    pub(super) async fn flush(self) {
        if self.flushing.get_value() {
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
            if self
                .choice
                .with_untracked(|c| c.subject_id.is_some() || c.pending.is_empty())
            {
                return;
            }
            let _ = wasm_bindgen_futures::JsFuture::from(bridge::sleep(EVERY_MS)).await;
        }
    }

    async fn send_queue(self) {
        let boot = self.boot.get_value();
        loop {
            self.join_stored_subject();
            let Some(Pending(next)) = self.choice.with_untracked(|c| c.pending.first().cloned()) else {
                break;
            };
            let (subject, token) = self
                .choice
                .with_untracked(|c| (c.subject_id.clone(), c.subject_token.clone()));
            // An event queued before the subject's first was acknowledged joins that subject.
            let has_subject = js_sys::Reflect::get(&next, &"subject_id".into()).is_ok_and(|s| s.is_string());
            if let (false, Some(subject)) = (has_subject, subject) {
                let _ = js_sys::Reflect::set(&next, &"subject_id".into(), &subject.into());
            }
            let event_id = pending_id(&next);
            match api::post_consent(&boot.origin, &boot.site, &next, token.as_deref()).await {
                Ok(recorded) => {
                    let answer = crate::json::to_js(&recorded);
                    let sent = queued_decisions(&next);
                    self.catch_up();
                    let known = self.boot.with_value(|b| StoredChoice::load(&b.storage_key).seq);
                    let newest = known
                        .max(self.choice.with_untracked(|c| c.seq))
                        .is_none_or(|s| recorded.seq > s);
                    self.choice.update(|c| {
                        c.pending.retain(|p| pending_id(&p.0) != event_id);
                        c.subject_id = Some(recorded.subject_id.to_string());
                        if let Some(token) = recorded.subject_token {
                            c.subject_token = Some(token);
                        }
                        if newest {
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
                    bridge::outcome(&JsValue::from(event_id.clone()), &err.to_js());
                    self.choice
                        .update(|c| c.pending.retain(|p| pending_id(&p.0) != event_id));
                    self.persist();
                }
            }
        }
    }
}

impl ConsentContext {
    /// The tabs of a site send their events one at a time (under the Web Lock), so the order
    /// acknowledgements arrive in is the order the ledger recorded them in. After each, the
    /// choice in force is the stored one with the recorded decisions on top, and this tab's
    /// still-queued choices on top of that: when several tabs decide in the same instant, each
    /// ends on what the ledger holds last, not on whichever click came last by its own clock.
    fn follow_ledger(&self, recorded: Decisions) {
        let Some(notice) = self.notice.get_untracked() else {
            return;
        };
        let (before, queued) = self
            .choice
            .with_untracked(|c| (c.decisions.clone().unwrap_or_default(), c.pending.clone()));
        let mut after = before.clone();
        after.extend(recorded);
        for Pending(request) in queued {
            after.extend(queued_decisions(&request).unwrap_or_default());
        }
        if after == before {
            return;
        }
        let cleanup = declared_items(&notice.notice, |p| {
            after.get(&p.key) == Some(&Decision::Denied) && before.get(&p.key) != Some(&Decision::Denied)
        });
        self.choice.update(|c| {
            set_in_force(c, &notice.notice, after);
            c.updated_at = Some(bridge::now_iso());
        });
        self.refresh_signals();
        self.emit_in_force(cleanup, false, Trigger::Choice);
    }
}

/// The decisions of a queued request (only they are decoded: the banner never reads a whole
/// request back).
fn queued_decisions(request: &JsValue) -> Option<Decisions> {
    js_sys::Reflect::get(request, &"decisions".into())
        .ok()
        .and_then(crate::json::from_js)
}

/// The `event_id` of a queued request.
pub(super) fn pending_id(request: &JsValue) -> Option<String> {
    js_sys::Reflect::get(request, &"event_id".into())
        .ok()
        .and_then(|v| v.as_string())
}
