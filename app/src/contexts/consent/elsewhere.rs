//! Choices made elsewhere, taken over here: on the settings component the site embeds, on
//! the settings page Assent hosts (a recheck at the next page view), in another tab of the
//! site, and on another device of a signed-in visitor's account.

use super::{ConsentContext, Layer, set_in_force};
use crate::api;
use crate::bridge::{self, Trigger};
use crate::contexts::lifetime::recheck_at;
use crate::storage::StoredChoice;
use assent_shared::api::{NoticeResponse, SyncRequest};
use assent_shared::consent::{Decisions, Source};
use assent_shared::decide::{apply, on_erasure};
use assent_shared::ids::{EventId, SubjectId};
use assent_shared::settings::SettingsChange;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

impl ConsentContext {
    /// A change on the settings component the site embeds ([`SettingsChange`]): recorded
    /// like a choice in the banner, with `source = settings_page` and the component's event id.
    /// A change that does not fit the notice is refused here, as the server would refuse it.
    pub(super) fn change_from_settings(&self, json: &str) {
        let Some(change) = crate::json::from_str::<SettingsChange>(json) else {
            return;
        };
        let valid = self.notice.with_untracked(|n| {
            n.as_ref()
                .map(|n| assent_shared::consent::validate_decisions(&n.notice, change.method, &change.decisions))
        });
        match valid {
            Some(Ok(())) => {
                let version = self.notice.with_untracked(|n| n.as_ref().map(|n| n.notice.version));
                self.queue_event(
                    Some(change.event_id),
                    change.method,
                    Source::SettingsPage,
                    change.decisions,
                    None,
                    |c, _| c.notice_version = version,
                );
                // A choice made there answers the banner's question too.
                if self.layer.get_untracked() == Layer::FirstLayer {
                    self.layer.set(Layer::Hidden);
                }
            }
            Some(Err(invalid)) => bridge::outcome(
                &JsValue::from(change.event_id.as_str()),
                &JsValue::from(invalid.to_string()),
            ),
            None => {}
        }
    }

    /// The subject was erased (on the settings component): this device forgets its choice and
    /// identifier, nothing stays granted, and the banner asks again.
    pub(super) fn forget(&self) {
        self.boot.with_value(|b| StoredChoice::clear(&b.storage_key));
        self.forget_here();
    }

    /// [`Self::forget`] on this page only: another tab erased the subject and cleared storage.
    fn forget_here(&self) {
        let Some(notice) = self.notice.get_untracked() else {
            return;
        };
        let outcome = on_erasure(&notice.notice);
        self.choice.set(StoredChoice::default());
        // No choice any more: nothing granted (every Consent Mode type denied, each vendor
        // refused) and `assent.get()` is `null` again, as before a first choice.
        bridge::emit_change(
            &JsValue::NULL,
            &crate::json::to_js(&outcome.consent_mode),
            &crate::json::to_js(&notice.notice.integrations),
            &crate::json::to_js(&outcome.cleanup),
            false,
            Trigger::Choice,
        );
        self.layer.set(Layer::FirstLayer);
    }

    /// After the visitor went to the settings page Assent hosts (`assent.settingsLink()`),
    /// the next page view asks the server what it holds: choices changed there apply here
    /// at once, and an erasure there makes this device forget and ask again.
    pub(super) fn recheck(&self) {
        let ctx = *self;
        let boot = self.boot.get_value();
        let (subject, token) = self
            .choice
            .with_untracked(|c| (c.subject_id.clone(), c.subject_token.clone()));
        let (Some(subject), Some(token), Some(notice)) = (subject, token, self.notice.get_untracked()) else {
            bridge::rechecked();
            return;
        };
        spawn_local(async move {
            match api::current(&boot.origin, &boot.site, &subject, &token).await {
                Err(err) if err.is_erased() => ctx.forget(),
                Ok(current) => {
                    let held = ctx.choice.with_untracked(|c| c.decisions.clone().unwrap_or_default());
                    let server: Decisions = current
                        .purposes
                        .into_iter()
                        .filter(|(k, _)| notice.notice.purpose(k).is_some_and(|p| p.is_choosable()))
                        .map(|(k, d)| (k, d.decision))
                        .collect();
                    let changed: Decisions = server
                        .iter()
                        .filter(|(k, d)| held.get(*k) != Some(*d))
                        .map(|(k, d)| (k.clone(), *d))
                        .collect();
                    if !changed.is_empty() {
                        let outcome = apply(&notice.notice, &held, &changed);
                        ctx.choice.update(|c| set_in_force(c, &notice.notice, &outcome));
                        ctx.refresh_signals();
                        ctx.persist();
                        ctx.emit_in_force(crate::json::to_js(&outcome.cleanup), false, Trigger::Choice);
                    }
                }
                // Unreachable now: asked again on the next page view.
                Err(err) => {
                    err.log("could not recheck the choice");
                    return;
                }
            }
            bridge::rechecked();
        });
    }

    /// Adopts a linked account's current choices on this device (`POST …/sync` with the
    /// account assertion the site's backend gave its page): the server records them on this
    /// device's chain as one `sync` event from `account`, and they apply here at once. Returns
    /// whether the account had a choice to adopt; a refused assertion changes nothing.
    pub(super) async fn adopt_account(&self, notice: &NoticeResponse, assertion: String) -> bool {
        let Some(event_id) = bridge::random_uuid().and_then(|id| EventId::parse(&id).ok()) else {
            return false;
        };
        let boot = self.boot.get_value();
        let (subject, token) = self
            .choice
            .with_untracked(|c| (c.subject_id.clone(), c.subject_token.clone()));
        let request = SyncRequest {
            event_id,
            assertion,
            subject_id: subject.and_then(|s| SubjectId::parse(&s).ok()),
            notice_version: notice.notice.version,
            notice_hash: notice.notice_hash.clone(),
            language: notice.notice.language.clone(),
            client_time: Some(bridge::now_iso()),
            gpc: bridge::navigator_gpc(),
        };
        let answer = match api::sync(&boot.origin, &boot.site, &request, token.as_deref()).await {
            Ok(answer) => answer,
            Err(err) => {
                err.log("could not adopt the account's choices");
                return false;
            }
        };
        if answer.adopted.is_empty() {
            return false;
        }
        let adopted: Decisions = answer.adopted.iter().map(|(k, a)| (k.clone(), a.decision)).collect();
        let held = self.choice.with_untracked(|c| c.decisions.clone().unwrap_or_default());
        let outcome = apply(&notice.notice, &held, &adopted);
        let label = self.texts().privacy_choices.to_owned();
        self.choice.update(|c| {
            if let Some(recorded) = &answer.recorded {
                c.subject_id = Some(recorded.subject_id.to_string());
                if let Some(token) = &recorded.subject_token {
                    c.subject_token = Some(token.clone());
                }
            }
            set_in_force(c, &notice.notice, &outcome);
            for (key, decision) in &answer.adopted {
                c.decided_at.insert(key.to_string(), decision.decided_at.clone());
            }
            c.notice_version = Some(notice.notice.version);
            c.recheck_at = recheck_at(notice, c);
            c.label = Some(label);
        });
        self.refresh_signals();
        self.persist();
        self.emit_in_force(crate::json::to_js(&outcome.cleanup), false, Trigger::Choice);
        if let Some(recorded) = answer.recorded {
            bridge::outcome(&crate::json::to_js(&recorded), &JsValue::NULL);
        }
        true
    }

    /// Another tab may have created the subject since this one started: its events join it.
    pub(super) fn join_stored_subject(&self) {
        if self.choice.with_untracked(|c| c.subject_id.is_some()) {
            return;
        }
        let stored = self.boot.with_value(|b| StoredChoice::load(&b.storage_key));
        if let (Some(subject), Some(token)) = (stored.subject_id, stored.subject_token) {
            self.choice.update(|c| {
                c.subject_id = Some(subject);
                c.subject_token = Some(token);
            });
        }
    }

    /// Before writing the stored choice back after an answer: a choice another tab stored
    /// since this one's is newer, and must not be overwritten with this tab's older one.
    pub(super) fn catch_up(&self) {
        let stored = self.boot.with_value(|b| StoredChoice::load(&b.storage_key));
        let newer = self.choice.with_untracked(|c| stored.updated_at > c.updated_at);
        if newer {
            self.adopt_stored();
        }
    }

    /// Another tab stored a choice: this tab takes it over and applies it; an erasure there
    /// is one here. The choice is not written back: storage events arrive one write at a time,
    /// so a copy read here may be older than what the other tab holds.
    pub(super) fn adopt_stored(&self) {
        let stored = self.boot.with_value(|b| StoredChoice::load(&b.storage_key));
        let before = self.choice.with_untracked(|c| c.decisions.clone());
        if stored.decisions.is_none() && stored.subject_id.is_none() {
            // Erased there: nothing stays granted here either, and the banner asks again.
            if before.is_some() {
                self.forget_here();
            }
            return;
        }
        let changed = stored.decisions != before;
        // A copy written before the subject existed (or before this tab learned its token)
        // must not take the subject away: its token is the only key to the chain.
        let (subject, token) = self
            .choice
            .with_untracked(|c| (c.subject_id.clone(), c.subject_token.clone()));
        let mut stored = stored;
        if stored.subject_token.is_none() && (stored.subject_id.is_none() || stored.subject_id == subject) {
            stored.subject_id = stored.subject_id.or(subject);
            stored.subject_token = token;
        }
        self.choice.set(stored);
        if changed {
            // Only read here, never written back: the other tab's later writes may not have
            // reached this one yet, and writing this copy would undo them.
            bridge::emit_signals(&self.choice.with_untracked(|c| c.signals.clone()));
            self.emit_in_force(js_sys::Array::new().into(), false, Trigger::Choice);
        }
        // The question the banner asks here was answered there.
        let current = self.notice.with_untracked(|n| {
            n.as_ref().is_some_and(|n| {
                self.choice
                    .with_untracked(|c| c.notice_version >= Some(n.consent_valid_from))
            })
        });
        if current && self.layer.get_untracked() == Layer::FirstLayer {
            self.layer.set(Layer::Hidden);
        }
    }
}
