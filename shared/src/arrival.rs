//! What a page view finds when the banner starts: whether the stored choice still counts,
//! which consents expired, whether the first layer shows, what a GPC signal records, and what
//! applies before any choice. Pure, like [`crate::decide`]: the caller reads its storage and
//! its clock and acts on the answer.

use crate::consent::{Decision, Decisions};
use crate::decide::{Action, Decided, Visitor, decide, each_choosable};
use crate::lifetime::{self, DecidedAt};
use crate::notice::LocalizedNotice;
use crate::regime::Regime;

/// What this browser holds of the visitor's choice.
#[derive(Debug, Clone, Copy)]
pub struct Choice<'a> {
    /// The decisions in force; `None`: the visitor never answered on this device.
    pub decisions: Option<&'a Decisions>,
    /// The notice version the visitor last answered; `None` once an answer stopped counting
    /// (a consent expired, a refusal grew stale), until the next one.
    pub notice_version: Option<u32>,
    /// A GPC opt-out was already recorded for this subject.
    pub gpc_honored: bool,
}

/// What the server said about this page view (`GET …/notice`).
#[derive(Debug, Clone, Copy)]
pub struct PageView {
    /// The visitor's regime ([`crate::regime::regime_for`]).
    pub regime: Regime,
    /// The oldest notice version whose answers still count: the last material change
    /// (`NoticeResponse::consent_valid_from`).
    pub consent_valid_from: u32,
    /// A GPC signal is present: `navigator.globalPrivacyControl` or the `Sec-GPC` header.
    pub gpc_signal: bool,
}

/// What the banner does on arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// Granted purposes past their lifetime, as the denials that expire them: recorded as one
    /// `expire` event from `system` ([`lifetime::expired_purposes`]).
    pub expired: Decisions,
    /// The stored answer no longer counts — a consent expired, or a refusal is older than a
    /// refusal is respected ([`lifetime::stale_refusal`]): the visitor is asked again.
    pub ask_again: bool,
    /// The visitor answered a notice version before its last material change: asked again,
    /// saying what changed (EDPB Guidelines 05/2020 on consent, §108–111) — also when a
    /// consent expired meanwhile; an expiry alone is no change to explain.
    pub reconsent: bool,
    /// The first layer shows: no answer counts, unless the regime gives an opt-out and a GPC
    /// signal is present — then the signal *is* the visitor's choice (Cal. Code Regs. tit. 11
    /// §7025(c)), and no banner is forced on them.
    pub show_banner: bool,
    /// Opt-out regimes before any answer and without a GPC signal: every choosable purpose
    /// but the sensitive ones is on (CCPA: sale and sharing are allowed until the consumer
    /// opts out; sensitive data needs its own consent). In force on this page view only: it is
    /// not a choice, so it is neither stored nor recorded. `None` elsewhere.
    pub opt_out_defaults: Option<Decisions>,
    /// The GPC opt-out to record: the signal is present and this subject's was not yet
    /// recorded ([`Action::Gpc`]).
    pub gpc: Option<Decided>,
}

/// What a page view of `notice` finds for `choice`, at `now` (ms since the Unix epoch), each
/// purpose decided at `decided_at` (from the stored dates).
pub fn on_arrival(
    notice: &LocalizedNotice,
    page: PageView,
    choice: Choice<'_>,
    decided_at: impl DecidedAt,
    now: f64,
) -> Arrival {
    let none = Decisions::new();
    let decisions = choice.decisions.unwrap_or(&none);
    let expired = lifetime::expired_purposes(notice, decisions, &decided_at, now);
    let ask_again = !expired.is_empty() || lifetime::stale_refusal(notice, page.regime, decisions, &decided_at, now);
    let answered = choice.decisions.is_some();
    let version = choice.notice_version;
    let current = answered && !ask_again && version.is_some_and(|v| v >= page.consent_valid_from);
    let opt_out = page.regime == Regime::OptOut;
    let visitor = Visitor {
        decisions,
        gpc_signal: page.gpc_signal,
        gpc_honored: choice.gpc_honored,
    };
    Arrival {
        reconsent: answered && version.is_some_and(|v| v < page.consent_valid_from),
        show_banner: !(current || (opt_out && page.gpc_signal)),
        opt_out_defaults: (opt_out && !answered && !page.gpc_signal)
            .then(|| each_choosable(notice, |p| (!p.sensitive).then_some(Decision::Granted))),
        gpc: if page.gpc_signal {
            decide(notice, &visitor, Action::Gpc)
        } else {
            None
        },
        expired,
        ask_again,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{Method, REFUSAL_KEPT_DAYS};
    use crate::ids::PurposeKey;
    use crate::test_support::{demo, of};
    use Decision::{Denied, Granted};

    const DAY: f64 = 86_400_000.0;

    /// A page view of the demo notice, whose answers count from version 3 in these tests.
    fn page(regime: Regime, gpc_signal: bool) -> PageView {
        PageView {
            regime,
            consent_valid_from: 3,
            gpc_signal,
        }
    }

    fn choice(decisions: Option<&Decisions>, notice_version: Option<u32>, gpc_honored: bool) -> Choice<'_> {
        Choice {
            decisions,
            notice_version,
            gpc_honored,
        }
    }

    /// What a row expects of the arrival: expired keys, ask again, reconsent, banner shows,
    /// opt-out defaults (keys), a GPC event (its decisions' keys).
    type Want<'a> = (
        &'a [&'a str],
        bool,
        bool,
        bool,
        Option<&'a [&'a str]>,
        Option<&'a [&'a str]>,
    );

    fn keys(d: &Decisions) -> Vec<String> {
        d.keys().map(ToString::to_string).collect()
    }

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn each_arrival_finds_what_the_rules_say() {
        let notice = demo();
        let granted = of(&[("analytics", Granted), ("advertising", Granted)]);
        let refused = of(&[("analytics", Denied)]);
        let fresh = |_: &PurposeKey| Some(0.0);
        let now_fresh = DAY;
        let now_stale = DAY * (f64::from(REFUSAL_KEPT_DAYS) + 1.0);
        let now_expired = DAY * 400.0;
        use Regime::{OptIn, OptOut};
        #[rustfmt::skip]
        let table: Vec<(&str, PageView, Choice<'_>, f64, Want<'_>)> = vec![
            ("a first visit sees the banner", page(OptIn, false), choice(None, None, false), now_fresh,
                (&[], false, false, true, None, None)),
            ("a current answer hides it", page(OptIn, false), choice(Some(&granted), Some(3), false), now_fresh,
                (&[], false, false, false, None, None)),
            ("an answer to a version before the material change is asked again, saying what changed",
                page(OptIn, false), choice(Some(&granted), Some(2), false), now_fresh,
                (&[], false, true, true, None, None)),
            ("an expired consent is recorded and asked again, not as a notice change",
                page(OptIn, false), choice(Some(&granted), Some(3), false), now_expired,
                (&["advertising", "analytics"], true, false, true, None, None)),
            ("expired and answered before a material change: what changed is still said",
                page(OptIn, false), choice(Some(&granted), Some(2), false), now_expired,
                (&["advertising", "analytics"], true, true, true, None, None)),
            ("a refusal is respected for its time", page(OptIn, false), choice(Some(&refused), Some(3), false),
                now_fresh, (&[], false, false, false, None, None)),
            ("then asked again, with nothing to record", page(OptIn, false), choice(Some(&refused), Some(3), false),
                now_stale, (&[], true, false, true, None, None)),
            ("an opt-out under CCPA is respected a year, not six months", page(OptOut, false),
                choice(Some(&refused), Some(3), false), now_stale, (&[], false, false, false, None, None)),
            ("an answer that stopped counting earlier still asks", page(OptIn, false),
                choice(Some(&granted), None, false), now_fresh, (&[], false, false, true, None, None)),
            ("opt-out regime, first visit: defaults on, banner with its Do Not Sell entry", page(OptOut, false),
                choice(None, None, false), now_fresh,
                (&[], false, false, true, Some(&["advertising", "analytics", "functional"]), None)),
            ("opt-out regime with GPC: the signal is the choice, recorded, no banner, no defaults",
                page(OptOut, true), choice(None, None, false), now_fresh,
                (&[], false, false, false, None, Some(&["advertising"]))),
            ("opt-in regime with GPC: recorded, and the banner still asks the rest", page(OptIn, true),
                choice(None, None, false), now_fresh, (&[], false, false, true, None, Some(&["advertising"]))),
            ("GPC already honoured for the subject: not recorded again", page(OptIn, true),
                choice(Some(&granted), Some(3), true), now_fresh, (&[], false, false, false, None, None)),
            ("opt-out regime, answered: no defaults over the answer", page(OptOut, false),
                choice(Some(&refused), Some(3), false), now_fresh, (&[], false, false, false, None, None)),
        ];
        for (what, page, choice, now, want) in table {
            let got = on_arrival(&notice, page, choice, fresh, now);
            let (expired, ask_again, reconsent, show, defaults, gpc) = want;
            assert_eq!(keys(&got.expired), expired, "{what}: expired");
            assert!(got.expired.values().all(|d| *d == Denied), "{what}: expiry denies");
            assert_eq!(got.ask_again, ask_again, "{what}: ask again");
            assert_eq!(got.reconsent, reconsent, "{what}: reconsent");
            assert_eq!(got.show_banner, show, "{what}: banner");
            assert_eq!(
                got.opt_out_defaults.as_ref().map(keys),
                defaults.map(strings),
                "{what}: defaults"
            );
            assert!(
                got.opt_out_defaults
                    .iter()
                    .flat_map(|d| d.values())
                    .all(|d| *d == Granted),
                "{what}: defaults grant"
            );
            assert_eq!(
                got.gpc.as_ref().map(|g| keys(&g.decisions)),
                gpc.map(strings),
                "{what}: gpc"
            );
            assert!(got.gpc.iter().all(|g| g.method == Method::Gpc), "{what}: gpc method");
        }
    }

    #[test]
    fn opt_out_defaults_never_switch_on_a_sensitive_purpose() {
        let mut notice = demo();
        for p in &mut notice.purposes {
            if p.key.as_str() == "analytics" {
                p.sensitive = true;
            }
        }
        let got = on_arrival(
            &notice,
            page(Regime::OptOut, false),
            choice(None, None, false),
            |_: &PurposeKey| None,
            0.0,
        );
        assert_eq!(
            got.opt_out_defaults.as_ref().map(keys),
            Some(vec!["advertising".into(), "functional".into()])
        );
    }
}
