//! The one piece of shared state of the banner: the notice, the visitor's choice, which
//! layer shows. What a page view finds and what each control decides are the core's
//! (`assent_shared::arrival`, `assent_shared::decide`); how a decision is applied, stored,
//! queued and sent lives in `outbox`; the stored dates are read in `contexts::lifetime`.

mod elsewhere;
mod outbox;

use super::lifetime::{decided_at, recheck_at};
use crate::api;
use crate::bridge::{self, BootConfig, Trigger};
use crate::i18n::Texts;
use crate::storage::{Signals, StoredChoice};
use assent_shared::api::NoticeResponse;
use assent_shared::arrival::{Choice, PageView, on_arrival};
use assent_shared::consent::{Decision, Decisions, Method, SignalSource, Source};
use assent_shared::decide::{Action, Decided, Outcome, Visitor, apply, decide, preferences_draft};
use assent_shared::first_layer::Control;
use assent_shared::notice::{LocalizedNotice, LocalizedPurpose};
use assent_shared::regime::Regime;
use assent_shared::signals::gpp::{self, Section, UsSection};
use assent_shared::signals::usp;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Only the floating "Privacy choices" button.
    Hidden,
    FirstLayer,
    Preferences,
    /// A focused prompt for precise location, opened by `assent.requestPreciseLocation()`.
    Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveStatus {
    Saved,
    Queued,
}

#[derive(Debug, Clone, Copy)]
pub struct ConsentContext {
    pub boot: StoredValue<BootConfig>,
    pub notice: RwSignal<Option<NoticeResponse>>,
    pub layer: RwSignal<Layer>,
    /// Holds JS objects (queued requests, signals), so it lives on this thread only.
    pub choice: RwSignal<StoredChoice, LocalStorage>,
    /// The toggles of the preferences layer, before saving.
    pub draft: RwSignal<Decisions>,
    pub status: RwSignal<Option<SaveStatus>>,
    /// The visitor chose before a material notice change and is being asked again.
    pub reconsent: RwSignal<bool>,
    /// A GPC signal seen on this page view, and where.
    pub gpc: RwSignal<Option<SignalSource>>,
    /// `data-test` name of the element to focus after the next render.
    pub focus: RwSignal<Option<&'static str>>,
    flushing: StoredValue<bool>,
    /// Commands that came before the notice, in order (each runs once it is here).
    deferred: StoredValue<Vec<String>>,
    /// The banner's words once the notice is known (built-in texts with its overrides).
    texts: StoredValue<Option<&'static Texts>>,
    /// The IAB TCF layer's list and selection (the TCF build only).
    #[cfg(feature = "tcf")]
    pub tcf: crate::tcf::TcfContext,
}

pub fn provide_consent_context(boot: BootConfig) -> ConsentContext {
    let mut choice = StoredChoice::load(&boot.storage_key);
    choice.migrate_queue(&boot.storage_key);
    let ctx = ConsentContext {
        boot: StoredValue::new(boot),
        notice: RwSignal::new(None),
        layer: RwSignal::new(Layer::Hidden),
        choice: RwSignal::new_local(choice),
        draft: RwSignal::new(Decisions::new()),
        status: RwSignal::new(None),
        gpc: RwSignal::new(None),
        reconsent: RwSignal::new(false),
        focus: RwSignal::new(None),
        flushing: StoredValue::new(false),
        deferred: StoredValue::new(Vec::new()),
        texts: StoredValue::new(None),
        #[cfg(feature = "tcf")]
        tcf: crate::tcf::TcfContext::default(),
    };
    provide_context(ctx);
    #[cfg(feature = "tcf")]
    provide_context(ctx.tcf);
    ctx
}

impl ConsentContext {
    pub fn texts(&self) -> &'static Texts {
        self.texts.get_value().unwrap_or(&Texts::EMPTY)
    }

    /// What became of the last choice's event, in words for screen readers (tracked).
    pub fn status_text(&self) -> Option<&'static str> {
        let t = self.texts();
        match self.status.get()? {
            SaveStatus::Saved => Some(t.saved),
            SaveStatus::Queued => Some(t.save_failed),
        }
    }

    /// Fetches the notice, asks the core what this page view finds ([`on_arrival`]), acts on
    /// it, and resends anything queued.
    pub fn start(self) {
        spawn_local(async move {
            match api::notice().await {
                Ok(notice) => self.arrive(notice).await,
                // Without a notice nothing is granted: every blocked script stays blocked.
                Err(err) => err.log("could not load the notice"),
            }
            self.flush().await;
        });
    }

    async fn arrive(self, notice: NoticeResponse) {
        self.texts.set_value(Some(crate::i18n::leak(&notice.texts)));
        self.placeholder_words(&notice.notice);
        // A signed-in visitor: this device adopts the account's current choices first, so a
        // choice made on another device needs no banner here.
        if let Some(assertion) = self.boot.with_value(|b| b.account.clone()) {
            self.adopt_account(&notice, assertion).await;
        }
        // The script-visible property first; the header is what the server saw.
        let signal = if bridge::navigator_gpc() {
            Some(SignalSource::Js)
        } else if notice.gpc {
            Some(SignalSource::Header)
        } else {
            None
        };
        self.choice
            .update(|c| super::lifetime::date_undated(c, &bridge::now_iso()));
        let page = PageView {
            regime: notice.regime,
            consent_valid_from: notice.consent_valid_from,
            gpc_signal: signal.is_some(),
        };
        let arrival = self.choice.with_untracked(|c| {
            let choice = Choice {
                decisions: c.decisions.as_ref(),
                notice_version: c.notice_version,
                gpc_honored: c.gpc_honored,
            };
            on_arrival(&notice.notice, page, choice, decided_at(c), js_sys::Date::now())
        });
        let stored = self.choice.with_untracked(|c| c.decisions.is_some());
        if arrival.ask_again {
            // Past its lifetime the answer no longer counts: asked again.
            self.choice.update(|c| c.notice_version = None);
        } else if let Some(decisions) = self.choice.with_untracked(|c| c.decisions.clone()) {
            // A choice shared by another subdomain may arrive without what can be recomputed
            // here (it had to fit in a cookie): rebuild and apply it.
            let rebuild = self.choice.with_untracked(|c| c.gcm.is_undefined());
            let label = self.texts().privacy_choices.to_owned();
            self.choice.update(|c| {
                // Lifetimes may differ in this notice version: keep the loader's date right.
                c.recheck_at = recheck_at(&notice, c);
                if rebuild {
                    set_in_force(c, &notice.notice, &apply(&notice.notice, &Decisions::new(), &decisions));
                    c.label = Some(label);
                }
            });
            if rebuild {
                self.emit_in_force(js_sys::Array::new().into(), false, Trigger::Replay);
            }
        }
        self.reconsent.set(arrival.reconsent);
        // The list first: the first layer names its purposes and vendors when it shows.
        #[cfg(feature = "tcf")]
        let show_banner = {
            self.tcf.load(&notice, &self.boot.get_value()).await;
            let stored_tcf = self.choice.with_untracked(|c| c.tcf.clone());
            let found = self.tcf.arrived(&stored_tcf, stored, arrival.show_banner);
            if let Some(data) = found.store {
                self.choice.update(|c| c.tcf = data);
            }
            arrival.show_banner || found.ask
        };
        #[cfg(not(feature = "tcf"))]
        let show_banner = arrival.show_banner;
        bridge::apply_theme(&notice.notice.theme);
        self.notice.set(Some(notice));
        if !arrival.expired.is_empty() {
            self.queue_event(None, Method::Expire, Source::System, arrival.expired, None, |_, _| {});
        }
        self.gpc.set(signal);
        if let (Some(source), Some(gpc)) = (signal, arrival.gpc) {
            self.queue_event(None, gpc.method, Source::Signal, gpc.decisions, Some(source), |c, _| {
                c.gpc_honored = true;
            });
        }
        if show_banner {
            self.layer.set(Layer::FirstLayer);
        }
        if let Some(defaults) = arrival.opt_out_defaults {
            self.apply_opt_out_defaults(&defaults);
        }
        self.refresh_signals();
        // Nothing goes to the device before the visitor (or their GPC signal) decided something.
        if stored {
            self.persist();
        }
        let deferred = self.deferred.try_update_value(std::mem::take).unwrap_or_default();
        for name in deferred {
            self.command(&name);
        }
    }

    /// Hands the loader the click-to-load placeholder's words in the visitor's language, and
    /// keeps them with the choice so later page views (no banner) have them too.
    fn placeholder_words(&self, notice: &LocalizedNotice) {
        let words = crate::storage::placeholder_words(self.texts(), notice);
        bridge::placeholder_words(&words);
        self.choice.update(|c| c.placeholder = words);
    }

    /// Purposes the visitor can switch in the banner.
    pub fn choosable(&self) -> Vec<LocalizedPurpose> {
        self.notice.with(|n| {
            n.as_ref()
                .map(|n| n.notice.purposes.iter().filter(|p| p.is_choosable()).cloned().collect())
                .unwrap_or_default()
        })
    }

    /// Whether a GPC opt-out applies (signal present now, or honored before for this subject).
    pub fn gpc_applies(&self) -> bool {
        self.gpc.get().is_some() || self.choice.with(|c| c.gpc_honored)
    }

    /// What `action` decides for this visitor now (the rules: [`decide`]).
    fn decided(&self, action: Action<'_>) -> Option<Decided> {
        let notice = self.notice.get_untracked()?;
        let (decisions, gpc_honored) = self
            .choice
            .with_untracked(|c| (c.decisions.clone().unwrap_or_default(), c.gpc_honored));
        let visitor = Visitor {
            decisions: &decisions,
            gpc_signal: self.gpc.get_untracked().is_some(),
            gpc_honored,
        };
        decide(&notice.notice, &visitor, action)
    }

    /// A visitor's action: records what it decides, if anything.
    fn act(&self, action: Action<'_>, source: Source) {
        if let Some(d) = self.decided(action) {
            self.record(d.method, source, d.decisions);
        }
    }

    pub fn accept_all(&self, source: Source) {
        self.act(Action::AcceptAll, source);
    }

    /// Recomputes the GPP and `us_privacy` strings from the current decisions and hands them
    /// to the loader; the caller stores them with the choice, so later page views can answer
    /// without the banner.
    /// The GPP string carries one US section: the visitor's state's own where it has one,
    /// usnat elsewhere ([`UsSection::for_visitor`]).
    fn refresh_signals(&self) {
        let Some(notice) = self.notice.get_untracked() else {
            return;
        };
        let gpc = self.gpc.get_untracked().is_some() || self.choice.with_untracked(|c| c.gpc_honored);
        let decisions = self.choice.with_untracked(|c| c.decisions.clone().unwrap_or_default());
        let applicable = notice.regime == Regime::OptOut;
        let section = UsSection::for_visitor(&notice.jurisdiction, &notice.notice, &decisions, gpc);
        let gpp_string = if applicable {
            gpp::gpp_string(&[&section]).unwrap_or_else(|_| unreachable!("one section, id 7 to 27"))
        } else {
            String::new()
        };
        // `us_privacy` has one opt-out, of sale: the section's own.
        let opted_out = section.sale_opt_out() == 1;
        let signals = Signals {
            applicable,
            gpp_string,
            section_id: section.id(),
            section_name: section.name(),
            section,
            us_privacy: usp::us_privacy(applicable, true, opted_out, None),
        };
        let signals = crate::json::to_js(&signals);
        self.choice.update(|c| c.signals = signals.clone());
        bridge::emit_signals(&signals);
    }

    /// Opt-out regimes, before any choice: the defaults [`on_arrival`] gives apply for this
    /// page view (not stored and not recorded: they are not a choice). The banner still
    /// shows, with the "Do Not Sell or Share" entry point.
    fn apply_opt_out_defaults(&self, defaults: &Decisions) {
        let Some(notice) = self.notice.get_untracked() else {
            return;
        };
        let outcome = apply(&notice.notice, &Decisions::new(), defaults);
        self.choice.update(|c| set_in_force(c, &notice.notice, &outcome));
        self.emit_in_force(js_sys::Array::new().into(), false, Trigger::OptOutDefault);
    }

    /// Hands the decisions in force and their Consent Mode update to the loader.
    fn emit_in_force(&self, cleanup: JsValue, reload: bool, trigger: Trigger) {
        let (decisions, gcm, integrations) = self.choice.with_untracked(|c| {
            (
                crate::json::to_js(&c.decisions),
                c.gcm.clone(),
                crate::json::to_js(&c.integrations),
            )
        });
        bridge::emit_change(&decisions, &gcm, &integrations, &cleanup, reload, trigger);
    }

    /// A click on a blocked embed's placeholder: consent to that one purpose.
    fn grant_from_placeholder(&self, purpose: &str) {
        if let Ok(key) = assent_shared::ids::PurposeKey::parse(purpose) {
            self.act(Action::Grant(&key), Source::Banner);
        }
    }

    /// Opt-out regimes: the "Do Not Sell or Share" entry point opts out of the GPC-covered
    /// purposes (sale, sharing, targeted advertising).
    pub fn do_not_sell(&self) {
        self.act(Action::DoNotSell, Source::Banner);
    }

    pub fn opt_out_regime(&self) -> bool {
        self.notice
            .with(|n| n.as_ref().is_some_and(|n| n.regime == Regime::OptOut))
    }

    /// Korea (PIPA Art. 22): one consent per item, never bundled, so no "Accept all".
    pub fn per_item(&self) -> bool {
        self.notice.with(|n| {
            n.as_ref()
                .is_some_and(|n| assent_shared::regime::per_item_consent(&n.jurisdiction))
        })
    }

    /// Records one yes/no per item; an item left unanswered is not consented to.
    pub fn save_items(&self, answers: &Decisions) {
        self.act(Action::Save(answers), Source::Banner);
    }

    pub fn reject_all(&self, source: Source) {
        self.act(Action::RejectAll, source);
    }

    pub fn close(&self) {
        self.act(Action::Close, Source::Banner);
    }

    pub fn save_draft(&self) {
        let draft = self.draft.get_untracked();
        self.act(Action::Save(&draft), Source::Panel);
    }

    pub fn open_preferences(&self) {
        let Some(notice) = self.notice.get_untracked() else {
            return;
        };
        let current = self.choice.with_untracked(|c| c.decisions.clone().unwrap_or_default());
        self.draft.set(preferences_draft(&notice.notice, &current));
        #[cfg(feature = "tcf")]
        self.tcf.open(&self.choice.with_untracked(|c| c.tcf.clone()));
        self.layer.set(Layer::Preferences);
        self.focus.set(Some("preferences-title"));
    }

    /// Answers the precise-location prompt (`None`: dismissed, a refusal — [`Action::PreciseLocation`]).
    /// It is not an answer to the cookie banner: if that is still open, it shows again.
    pub fn decide_location(&self, answer: Option<Decision>) {
        if let Some(d) = self.decided(Action::PreciseLocation(answer)) {
            self.queue_event(None, d.method, Source::Panel, d.decisions, None, |_, _| {});
        }
        let version = self.notice.with_untracked(|n| n.as_ref().map(|n| n.notice.version));
        if self
            .choice
            .with_untracked(|c| c.notice_version.is_some() && c.notice_version == version)
        {
            self.layer.set(Layer::Hidden);
            self.focus.set(Some("privacy-choices"));
        } else {
            self.layer.set(Layer::FirstLayer);
        }
    }

    /// Leaves the preferences without saving: back to the first layer if no choice exists yet.
    pub fn dismiss_preferences(&self) {
        if self.choice.with_untracked(|c| c.decisions.is_some()) {
            self.layer.set(Layer::Hidden);
            self.focus.set(Some("privacy-choices"));
        } else {
            self.layer.set(Layer::FirstLayer);
            self.focus.set(Some("customize"));
        }
    }

    /// A control of the first layer, used.
    pub fn control(&self, control: Control) {
        match control {
            Control::AcceptAll => self.accept_all(Source::Banner),
            Control::RejectAll => self.reject_all(Source::Banner),
            Control::Customize => self.open_preferences(),
            Control::DoNotSell => self.do_not_sell(),
            Control::Close => self.close(),
        }
    }

    pub fn command(&self, name: &str) {
        if self.notice.with_untracked(Option::is_none) {
            // Runs once the notice is here (a click on the loader's button loads us first).
            self.deferred.update_value(|d| d.push(name.to_owned()));
            return;
        }
        match name {
            "show" => self.layer.set(Layer::FirstLayer),
            "preferences" => self.open_preferences(),
            "accept_all" => self.accept_all(Source::Api),
            // A click on the first layer the server rendered, before the banner ran.
            other if other.starts_with("click:") => {
                if let Some(control) = Control::from_name(&other["click:".len()..]) {
                    self.control(control);
                }
            }
            other if other.starts_with("grant:") => self.grant_from_placeholder(&other["grant:".len()..]),
            "reject_all" => self.reject_all(Source::Api),
            other if other.starts_with("settings:") => self.change_from_settings(&other["settings:".len()..]),
            "erased" => self.forget(),
            "recheck" => self.recheck(),
            "storage" => self.adopt_stored(),
            "sync" => {
                let ctx = *self;
                // `assent.signIn()` sets the assertion after the banner started.
                let assertion = bridge::boot_config().and_then(|b| b.account);
                let notice = self.notice.get_untracked();
                if let (Some(assertion), Some(notice)) = (assertion, notice) {
                    spawn_local(async move {
                        if ctx.adopt_account(&notice, assertion).await && ctx.layer.get_untracked() == Layer::FirstLayer
                        {
                            ctx.layer.set(Layer::Hidden);
                        }
                    });
                }
            }
            "location" => {
                self.layer.set(Layer::Location);
                self.focus.set(Some("location-title"));
            }
            _ => {}
        }
    }

    /// A visitor's choice: applies it with the notice version it answers (one write to
    /// storage), queues its event, and closes the banner.
    fn record(&self, method: Method, source: Source, decisions: Decisions) {
        let Some(version) = self.notice.with_untracked(|n| n.as_ref().map(|n| n.notice.version)) else {
            return;
        };
        #[cfg(feature = "tcf")]
        let written = {
            let created = self.choice.with_untracked(|c| c.tcf_created);
            let language = self
                .notice
                .with_untracked(|n| n.as_ref().map(|n| n.notice.language.clone()));
            self.tcf.write(method, created, &language.unwrap_or_default())
        };
        #[cfg(feature = "tcf")]
        let data = written.as_ref().map(|w| w.data.clone());
        self.queue_event(None, method, source, decisions, None, |c, request| {
            c.notice_version = Some(version);
            #[cfg(feature = "tcf")]
            if let Some(w) = written {
                c.tcf = w.data;
                c.tcf_created = w.created.or(c.tcf_created);
                request.tcf = w.choice;
            }
            #[cfg(not(feature = "tcf"))]
            let _ = request;
        });
        #[cfg(feature = "tcf")]
        if let Some(data) = data {
            bridge::tcf(&data, "useractioncomplete");
        }
        let was_open = self.layer.get_untracked() != Layer::Hidden;
        self.layer.set(Layer::Hidden);
        if was_open {
            self.focus.set(Some("privacy-choices"));
        }
    }
}

/// The notice's purpose key for precise device location (sensitive; always asked for alone).
pub fn location_key() -> assent_shared::ids::PurposeKey {
    assent_shared::ids::PurposeKey::parse(assent_shared::consent::PRECISE_LOCATION)
        .unwrap_or_else(|_| unreachable!("a valid key"))
}

/// Sets the decisions in force and the Consent Mode update they produce (stored precomputed,
/// so the loader replays it without the banner).
fn set_in_force(choice: &mut StoredChoice, notice: &LocalizedNotice, outcome: &Outcome<'_>) {
    choice.gcm = crate::json::to_js(&outcome.consent_mode);
    choice.integrations = notice.integrations.clone();
    choice.decisions = Some(outcome.in_force.clone());
}
