//! What a visitor's action decides, and what a decision does once applied: pure rules, no
//! storage, no I/O, shared by the banner and whatever else records choices. The banner keeps
//! only UI state; it asks [`decide`] what a click means and [`apply`] what follows from it,
//! then stores, emits and queues the answer.

use crate::consent::{Decision, Decisions, Method, PRECISE_LOCATION};
use crate::consent_mode;
use crate::ids::PurposeKey;
use crate::notice::{Cookie, LegalBasis, LocalizedNotice, LocalizedPurpose};
use std::collections::BTreeMap;

/// An action on the banner, its preferences or its JS API.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// "Accept all" (the button or `assent.acceptAll()`).
    AcceptAll,
    /// "Reject all" (the button or `assent.rejectAll()`).
    RejectAll,
    /// The banner closed with × or Esc: a refusal, recorded as such — closing is not consent
    /// (GDPR Art. 4(11) and 7: consent is an unambiguous affirmative act).
    Close,
    /// The "Do Not Sell or Share My Personal Information" entry point of opt-out regimes
    /// (Cal. Civ. Code §1798.135(a)(1)).
    DoNotSell,
    /// The preferences saved, or the per-item layer answered: each choosable purpose as given;
    /// one left unanswered is not consented to (no pre-ticked boxes, CJEU C-673/17 *Planet49*).
    Save(&'a Decisions),
    /// A click on a blocked embed's "Allow and load": consent to that one purpose.
    Grant(&'a PurposeKey),
    /// A Global Privacy Control signal: an opt-out of the GPC-covered purposes (W3C GPC §3;
    /// Cal. Code Regs. tit. 11 §7025), recorded once per subject.
    Gpc,
    /// The precise-location prompt answered (`Some`) or dismissed (`None`: a refusal, like
    /// closing the banner). Sensitive data is asked for alone, never bundled (GDPR Art. 9(2)(a),
    /// CPRA §1798.121).
    PreciseLocation(Option<Decision>),
}

/// What the visitor holds when acting.
#[derive(Debug, Clone, Copy)]
pub struct Visitor<'a> {
    /// The decisions in force before the action.
    pub decisions: &'a Decisions,
    /// A GPC signal is present on this page view.
    pub gpc_signal: bool,
    /// A GPC opt-out was already recorded for this subject.
    pub gpc_honored: bool,
}

impl Visitor<'_> {
    /// Whether a GPC opt-out applies: a signal now, or one honoured before for this subject.
    pub fn gpc_applies(&self) -> bool {
        self.gpc_signal || self.gpc_honored
    }
}

/// The event an action records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub method: Method,
    /// Only the purposes the action decides; the rest stay as they were.
    pub decisions: Decisions,
}

/// What `action` decides on `notice` for `visitor`; `None` when it decides nothing (nothing to
/// record). Only purposes the visitor can choose are ever decided (consent-based and shown).
///
/// - *Accept all* grants the purposes the notice puts in it, never a GPC-covered one while a
///   GPC opt-out applies: re-granting those needs their own, explicit switch.
/// - *Reject all* and *close* deny every choosable purpose.
/// - *Do not sell* denies the GPC-covered purposes (a withdrawal if one was granted), and
///   decides nothing on a notice without any.
/// - *Save* takes each choosable purpose as answered, denied where unanswered.
/// - *Grant* decides its one purpose, if choosable.
/// - *GPC* denies the GPC-covered purposes once per subject.
/// - *Precise location* decides [`PRECISE_LOCATION`] alone, denied when dismissed, and
///   nothing on a notice that does not ask for it by consent.
pub fn decide(notice: &LocalizedNotice, visitor: &Visitor<'_>, action: Action<'_>) -> Option<Decided> {
    let choosable = || notice.purposes.iter().filter(|p| p.is_choosable());
    let all = |rule: &dyn Fn(&LocalizedPurpose) -> Option<Decision>| each_choosable(notice, rule);
    let decided = |method, decisions| Some(Decided { method, decisions });
    match action {
        Action::AcceptAll => {
            let gpc = visitor.gpc_applies();
            decided(
                Method::AcceptAll,
                all(&|p| (p.in_accept_all && !(gpc && p.gpc_covered)).then_some(Decision::Granted)),
            )
        }
        Action::RejectAll => decided(Method::RejectAll, all(&|_| Some(Decision::Denied))),
        Action::Close => decided(Method::Close, all(&|_| Some(Decision::Denied))),
        Action::DoNotSell => {
            let covered = all(&|p| p.gpc_covered.then_some(Decision::Denied));
            if covered.is_empty() {
                return None;
            }
            let withdrawing = covered
                .keys()
                .any(|k| visitor.decisions.get(k) == Some(&Decision::Granted));
            decided(if withdrawing { Method::Withdraw } else { Method::Save }, covered)
        }
        Action::Save(answers) => decided(
            Method::Save,
            all(&|p| Some(answers.get(&p.key).copied().unwrap_or(Decision::Denied))),
        ),
        Action::Grant(key) => choosable().any(|p| p.key == *key).then(|| Decided {
            method: Method::Save,
            decisions: Decisions::from([(key.clone(), Decision::Granted)]),
        }),
        Action::PreciseLocation(answer) => notice
            .purposes
            .iter()
            .find(|p| p.key.as_str() == PRECISE_LOCATION && p.legal_basis == LegalBasis::Consent)
            .map(|p| Decided {
                method: if answer.is_some() { Method::Save } else { Method::Close },
                decisions: Decisions::from([(p.key.clone(), answer.unwrap_or(Decision::Denied))]),
            }),
        Action::Gpc => {
            if visitor.gpc_honored {
                return None;
            }
            let covered = all(&|p| p.gpc_covered.then_some(Decision::Denied));
            if covered.is_empty() {
                return None;
            }
            decided(Method::Gpc, covered)
        }
    }
}

/// The switches the preferences open with: each choosable purpose as it is in force, off where
/// it was never granted (no pre-ticked boxes: CJEU C-673/17 *Planet49*).
pub fn preferences_draft(notice: &LocalizedNotice, in_force: &Decisions) -> Decisions {
    each_choosable(notice, |p| {
        Some(in_force.get(&p.key).copied().unwrap_or(Decision::Denied))
    })
}

/// The decision `rule` gives each purpose the visitor can choose (consent-based and shown),
/// those it gives none left out.
pub fn each_choosable(notice: &LocalizedNotice, rule: impl Fn(&LocalizedPurpose) -> Option<Decision>) -> Decisions {
    notice
        .purposes
        .iter()
        .filter(|p| p.is_choosable())
        .filter_map(|p| rule(p).map(|d| (p.key.clone(), d)))
        .collect()
}

/// What decisions do once applied on top of those in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<'n> {
    /// The decisions in force afterwards: those before, the applied ones on top.
    pub in_force: Decisions,
    /// The `gtag('consent', 'update', …)` argument for `in_force`: all seven types
    /// ([`consent_mode::update`]).
    pub consent_mode: BTreeMap<&'static str, &'static str>,
    /// What the purposes these decisions deny declared on the device (cookies and storage
    /// keys), for the loader to delete — whether or not they were granted before: a refusal
    /// leaves nothing of the purpose behind (ePrivacy Directive Art. 5(3)).
    pub cleanup: Vec<&'n Cookie>,
    /// A consent was withdrawn (granted before, denied now) and the notice asks for a reload
    /// so that what already runs stops (`reload_on_withdrawal`; GDPR Art. 7(3): withdrawing
    /// is as easy as giving, and takes effect).
    pub reload: bool,
}

/// What `decisions` do applied on top of `in_force` (an event's decisions, or those adopted
/// from the ledger, another device or the settings page).
pub fn apply<'n>(notice: &'n LocalizedNotice, in_force: &Decisions, decisions: &Decisions) -> Outcome<'n> {
    let denied = |key: &PurposeKey| decisions.get(key) == Some(&Decision::Denied);
    let withdrawn = decisions
        .keys()
        .any(|k| denied(k) && in_force.get(k) == Some(&Decision::Granted));
    let mut after = in_force.clone();
    after.extend(decisions.iter().map(|(k, d)| (k.clone(), *d)));
    Outcome {
        consent_mode: consent_mode::update(notice, &after),
        in_force: after,
        cleanup: declared_items(notice, |p| denied(&p.key)),
        reload: withdrawn && notice.reload_on_withdrawal,
    }
}

/// What an erasure of the subject leaves on this device: no decision in force, every Consent
/// Mode type denied (as before a first choice), and everything every purpose but the
/// necessary ones declared, deleted.
pub fn on_erasure(notice: &LocalizedNotice) -> Outcome<'_> {
    Outcome {
        in_force: Decisions::new(),
        consent_mode: consent_mode::update(notice, &Decisions::new()),
        cleanup: declared_items(notice, |p| !p.legal_basis.is_necessary()),
        reload: false,
    }
}

/// What the purposes `which` picks declare on the device, in the notice's order.
fn declared_items(notice: &LocalizedNotice, which: impl Fn(&LocalizedPurpose) -> bool) -> Vec<&Cookie> {
    notice
        .purposes
        .iter()
        .filter(|p| which(p))
        .flat_map(|p| p.vendors.iter().flat_map(|v| v.cookies.iter()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{demo, key, of};
    use Decision::{Denied, Granted};

    /// What a case says, who acts, the action, and what it must decide.
    type Row<'a> = (&'a str, Visitor<'a>, Action<'a>, Option<(Method, Decisions)>);

    fn visitor(decisions: &Decisions, gpc_signal: bool, gpc_honored: bool) -> Visitor<'_> {
        Visitor {
            decisions,
            gpc_signal,
            gpc_honored,
        }
    }

    fn choosable(notice: &LocalizedNotice) -> Vec<String> {
        notice
            .purposes
            .iter()
            .filter(|p| p.is_choosable())
            .map(|p| p.key.to_string())
            .collect()
    }

    #[test]
    fn the_demo_notice_is_what_these_tables_assume() {
        assert_eq!(choosable(&demo()), ["functional", "analytics", "advertising"]);
    }

    #[test]
    fn each_action_decides_as_the_rules_say() {
        let notice = demo();
        let none = Decisions::new();
        let granted_ads = of(&[("advertising", Granted)]);
        let answers = of(&[("analytics", Granted), ("product_improvement", Granted)]);
        let all_denied = of(&[("functional", Denied), ("analytics", Denied), ("advertising", Denied)]);
        let analytics = key("analytics");
        let location = key("precise_location");
        let necessary = key("necessary");
        #[rustfmt::skip]
        let table: Vec<Row<'_>> = vec![
            ("accept all grants what the notice puts in it", visitor(&none, false, false), Action::AcceptAll,
                Some((Method::AcceptAll, of(&[("functional", Granted), ("analytics", Granted), ("advertising", Granted)])))),
            ("accept all never re-grants a GPC-covered purpose under a GPC signal", visitor(&none, true, false), Action::AcceptAll,
                Some((Method::AcceptAll, of(&[("functional", Granted), ("analytics", Granted)])))),
            ("… nor once GPC was honoured for the subject", visitor(&none, false, true), Action::AcceptAll,
                Some((Method::AcceptAll, of(&[("functional", Granted), ("analytics", Granted)])))),
            ("reject all denies every choosable purpose", visitor(&granted_ads, false, false), Action::RejectAll,
                Some((Method::RejectAll, all_denied.clone()))),
            ("closing is a refusal", visitor(&none, false, false), Action::Close,
                Some((Method::Close, all_denied.clone()))),
            ("do not sell, never granted: a choice", visitor(&none, false, false), Action::DoNotSell,
                Some((Method::Save, of(&[("advertising", Denied)])))),
            ("do not sell, granted before: a withdrawal", visitor(&granted_ads, false, false), Action::DoNotSell,
                Some((Method::Withdraw, of(&[("advertising", Denied)])))),
            ("save: unanswered is denied, unchoosable ignored", visitor(&none, false, false), Action::Save(&answers),
                Some((Method::Save, of(&[("functional", Denied), ("analytics", Granted), ("advertising", Denied)])))),
            ("grant one purpose from a placeholder", visitor(&none, false, false), Action::Grant(&analytics),
                Some((Method::Save, of(&[("analytics", Granted)])))),
            ("a placeholder cannot grant a purpose the banner does not offer", visitor(&none, false, false),
                Action::Grant(&location), None),
            ("a placeholder cannot grant a necessary purpose", visitor(&none, false, false), Action::Grant(&necessary),
                None),
            ("GPC opts out of the covered purposes", visitor(&granted_ads, true, false), Action::Gpc,
                Some((Method::Gpc, of(&[("advertising", Denied)])))),
            ("GPC is recorded once per subject", visitor(&none, true, true), Action::Gpc,
                None),
            ("precise location allowed: that purpose alone", visitor(&none, false, false),
                Action::PreciseLocation(Some(Granted)), Some((Method::Save, of(&[("precise_location", Granted)])))),
            ("precise location dismissed: a refusal", visitor(&none, false, false),
                Action::PreciseLocation(None), Some((Method::Close, of(&[("precise_location", Denied)])))),
        ];
        for (what, visitor, action, want) in table {
            let got = decide(&notice, &visitor, action).map(|d| (d.method, d.decisions));
            assert_eq!(got, want, "{what}");
        }
    }

    #[test]
    fn without_a_gpc_covered_purpose_do_not_sell_and_gpc_decide_nothing() {
        let mut notice = demo();
        for p in &mut notice.purposes {
            p.gpc_covered = false;
        }
        let none = Decisions::new();
        assert_eq!(decide(&notice, &visitor(&none, false, false), Action::DoNotSell), None);
        assert_eq!(decide(&notice, &visitor(&none, true, false), Action::Gpc), None);
    }

    #[test]
    fn a_notice_without_precise_location_records_no_answer_to_its_prompt() {
        let mut notice = demo();
        notice.purposes.retain(|p| p.key.as_str() != "precise_location");
        let none = Decisions::new();
        let action = Action::PreciseLocation(Some(Decision::Granted));
        assert_eq!(decide(&notice, &visitor(&none, false, false), action), None);
    }

    #[test]
    fn the_preferences_open_with_what_is_in_force_and_nothing_pre_ticked() {
        let notice = demo();
        let in_force = of(&[("analytics", Granted), ("precise_location", Granted)]);
        assert_eq!(
            preferences_draft(&notice, &in_force),
            of(&[("functional", Denied), ("analytics", Granted), ("advertising", Denied)])
        );
    }

    fn names(cookies: &[&Cookie]) -> Vec<String> {
        cookies.iter().map(|c| c.name.clone()).collect()
    }

    #[test]
    fn applying_puts_the_new_decisions_on_top_and_cleans_what_they_deny() {
        let mut notice = demo();
        notice.reload_on_withdrawal = true;
        let before = of(&[("analytics", Granted), ("advertising", Granted)]);
        #[rustfmt::skip]
        let table: Vec<(&str, Decisions, Decisions, Vec<&str>, bool)> = vec![
            ("a grant adds to what is in force; nothing to clean",
                of(&[("functional", Granted)]),
                of(&[("functional", Granted), ("analytics", Granted), ("advertising", Granted)]), vec![], false),
            ("withdrawing a consent cleans its items and reloads",
                of(&[("analytics", Denied)]),
                of(&[("analytics", Denied), ("advertising", Granted)]), vec!["_nwa_id", "nwa_*"], true),
            ("a refusal of what was never granted still cleans, but is no withdrawal",
                of(&[("functional", Denied)]),
                of(&[("functional", Denied), ("analytics", Granted), ("advertising", Granted)]), vec!["nw_prefs"], false),
        ];
        for (what, decisions, in_force, cleanup, reload) in table {
            let outcome = apply(&notice, &before, &decisions);
            assert_eq!(outcome.in_force, in_force, "{what}");
            assert_eq!(names(&outcome.cleanup), cleanup, "{what}");
            assert_eq!(outcome.reload, reload, "{what}");
            assert_eq!(outcome.consent_mode, consent_mode::update(&notice, &in_force), "{what}");
        }
        notice.reload_on_withdrawal = false;
        assert!(
            !apply(&notice, &before, &of(&[("analytics", Denied)])).reload,
            "the notice did not ask for a reload"
        );
    }

    #[test]
    fn the_consent_mode_update_follows_the_decisions_in_force_not_only_the_new_ones() {
        let notice = demo();
        let before = of(&[("analytics", Granted)]);
        let outcome = apply(&notice, &before, &of(&[("advertising", Granted)]));
        assert_eq!(outcome.consent_mode["analytics_storage"], "granted");
        assert_eq!(outcome.consent_mode["ad_storage"], "granted");
        assert_eq!(outcome.consent_mode["functionality_storage"], "denied");
    }

    #[test]
    fn an_erasure_leaves_nothing_granted_and_cleans_all_but_the_necessary() {
        let notice = demo();
        let outcome = on_erasure(&notice);
        assert!(outcome.in_force.is_empty());
        assert!(
            outcome
                .consent_mode
                .iter()
                .all(|(t, v)| *v == if *t == "security_storage" { "granted" } else { "denied" })
        );
        assert_eq!(names(&outcome.cleanup), ["nw_prefs", "_nwa_id", "nwa_*", "ad_uid"]);
    }
}
