//! What a visitor's action decides: pure rules, no storage, no I/O, shared by the banner and
//! whatever else records choices. The banner keeps only UI state; it asks [`decide`] what a
//! click means, then applies and queues the answer.

use crate::consent::{Decision, Decisions, Method};
use crate::ids::PurposeKey;
use crate::notice::{LocalizedNotice, LocalizedPurpose};

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
pub fn decide(notice: &LocalizedNotice, visitor: &Visitor<'_>, action: Action<'_>) -> Option<Decided> {
    let choosable = || notice.purposes.iter().filter(|p| p.is_choosable());
    let all = |rule: &dyn Fn(&LocalizedPurpose) -> Option<Decision>| -> Decisions {
        choosable()
            .filter_map(|p| rule(p).map(|d| (p.key.clone(), d)))
            .collect()
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::Notice;
    use Decision::{Denied, Granted};

    /// The demo notice: functional, analytics and advertising are choosable (all in accept
    /// all; advertising GPC-covered); necessary and product improvement (not consent-based),
    /// marketing communications and precise location (asked for elsewhere, not in the banner)
    /// are not.
    fn demo() -> LocalizedNotice {
        let notice: Notice =
            serde_json::from_str(include_str!("../../server/demo/notice.json")).expect("the demo notice parses");
        notice.localize(Some("en"))
    }

    fn key(k: &str) -> PurposeKey {
        PurposeKey::parse(k).expect("key")
    }

    fn of(pairs: &[(&str, Decision)]) -> Decisions {
        pairs.iter().map(|(k, d)| (key(k), *d)).collect()
    }

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
}
