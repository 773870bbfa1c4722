//! How long a choice counts: a consent expires after its purpose's lifetime
//! (`lifetime_days`, else [`DEFAULT_LIFETIME_DAYS`]) and must be asked for again (GDPR Art. 7
//! as read by the EDPB and CNIL: consent is renewed at appropriate intervals); a refusal is
//! respected for [`REFUSAL_KEPT_DAYS`] before the banner may ask again (CNIL guidelines on
//! cookies, 2020: about six months). Pure: times are milliseconds since the Unix epoch, read
//! by the caller from its own clock and storage.

use crate::consent::{DEFAULT_LIFETIME_DAYS, Decision, Decisions, OPT_OUT_KEPT_DAYS, REFUSAL_KEPT_DAYS};
use crate::ids::PurposeKey;
use crate::notice::LocalizedNotice;
use crate::regime::Regime;

/// When a purpose was last decided, in ms since the Unix epoch (`None`: not known). A
/// function, not a map, so the banner reads its stored dates without building one.
pub trait DecidedAt: Fn(&PurposeKey) -> Option<f64> {}
impl<F: Fn(&PurposeKey) -> Option<f64>> DecidedAt for F {}

const DAY_MS: f64 = 86_400_000.0;

fn lifetime_ms(notice: &LocalizedNotice, key: &PurposeKey) -> f64 {
    let days = notice
        .purpose(key)
        .and_then(|p| p.lifetime_days)
        .unwrap_or(DEFAULT_LIFETIME_DAYS);
    f64::from(days) * DAY_MS
}

/// How long a refusal is respected in `regime`: [`OPT_OUT_KEPT_DAYS`] where the law gives an
/// opt-out (CCPA), [`REFUSAL_KEPT_DAYS`] elsewhere.
pub fn refusal_kept_days(regime: Regime) -> u32 {
    match regime {
        Regime::OptOut => OPT_OUT_KEPT_DAYS,
        Regime::OptIn | Regime::Notice => REFUSAL_KEPT_DAYS,
    }
}

fn refusal_kept_ms(regime: Regime) -> f64 {
    f64::from(refusal_kept_days(regime)) * DAY_MS
}

/// The granted purposes whose consent is older than their lifetime at `now`, as the denials
/// that expire them (recorded with method `expire`). A purpose without a known decision time
/// never expires here.
pub fn expired_purposes(
    notice: &LocalizedNotice,
    decisions: &Decisions,
    decided_at: impl DecidedAt,
    now: f64,
) -> Decisions {
    decisions
        .iter()
        .filter(|(_, d)| **d == Decision::Granted)
        .filter(|(k, _)| decided_at(k).is_some_and(|at| now - at > lifetime_ms(notice, k)))
        .map(|(k, _)| (k.clone(), Decision::Denied))
        .collect()
}

/// Whether a refusal of a purpose the banner offers is older than a refusal is respected in
/// `regime` ([`refusal_kept_days`]): then the banner may ask again.
pub fn stale_refusal(
    notice: &LocalizedNotice,
    regime: Regime,
    decisions: &Decisions,
    decided_at: impl DecidedAt,
    now: f64,
) -> bool {
    decisions.iter().any(|(k, d)| {
        *d == Decision::Denied
            && notice.purpose(k).is_some_and(|p| p.is_choosable())
            && decided_at(k).is_some_and(|at| now - at > refusal_kept_ms(regime))
    })
}

/// The earliest moment a consent expires or a refusal may be asked again in `regime` (ms
/// since the epoch): the loader loads the banner from then on. `None` without any dated
/// decision.
pub fn recheck_at(
    notice: &LocalizedNotice,
    regime: Regime,
    decisions: &Decisions,
    decided_at: impl DecidedAt,
) -> Option<f64> {
    decisions
        .iter()
        .filter_map(|(k, d)| {
            let at = decided_at(k)?;
            Some(match d {
                Decision::Granted => at + lifetime_ms(notice, k),
                Decision::Denied => at + refusal_kept_ms(regime),
            })
        })
        .reduce(f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::Notice;
    use Decision::{Denied, Granted};
    use std::collections::BTreeMap;

    type Dates = BTreeMap<PurposeKey, f64>;

    fn from(dates: &Dates) -> impl DecidedAt + '_ {
        |k: &PurposeKey| dates.get(k).copied()
    }

    /// The demo notice, with analytics given a lifetime of 395 days; the rest keep the default.
    fn demo() -> LocalizedNotice {
        let notice: Notice =
            serde_json::from_str(include_str!("../../server/demo/notice.json")).expect("the demo notice parses");
        let mut notice = notice.localize(Some("en"));
        for p in &mut notice.purposes {
            if p.key.as_str() == "analytics" {
                p.lifetime_days = Some(395);
            }
        }
        notice
    }

    fn key(k: &str) -> PurposeKey {
        PurposeKey::parse(k).expect("key")
    }

    fn days(n: f64) -> f64 {
        n * DAY_MS
    }

    #[test]
    fn the_demo_lifetimes_are_what_these_tests_assume() {
        let notice = demo();
        assert_eq!(
            notice.purpose(&key("analytics")).and_then(|p| p.lifetime_days),
            Some(395)
        );
        assert_eq!(notice.purpose(&key("functional")).and_then(|p| p.lifetime_days), None);
    }

    #[test]
    fn a_consent_expires_after_its_purposes_lifetime_and_not_a_moment_before() {
        let notice = demo();
        let decisions = Decisions::from([
            (key("analytics"), Granted),
            (key("functional"), Granted),
            (key("advertising"), Denied),
        ]);
        let at = Dates::from([
            (key("analytics"), 0.0),
            (key("functional"), 0.0),
            (key("advertising"), 0.0),
        ]);
        let cases = [
            (days(365.0), vec![]),
            (days(365.0) + 1.0, vec!["functional"]),
            (days(395.0), vec!["functional"]),
            (days(395.0) + 1.0, vec!["analytics", "functional"]),
        ];
        for (now, want) in cases {
            let got = expired_purposes(&notice, &decisions, from(&at), now);
            assert!(got.values().all(|d| *d == Denied));
            let got: Vec<String> = got.keys().map(ToString::to_string).collect();
            assert_eq!(got, want, "at day {}", now / DAY_MS);
        }
        let undated = Dates::new();
        assert!(expired_purposes(&notice, &decisions, from(&undated), days(10_000.0)).is_empty());
    }

    #[test]
    fn a_refusal_is_respected_for_its_time_then_the_banner_may_ask_again() {
        let notice = demo();
        let refused = Decisions::from([(key("analytics"), Denied)]);
        let at = Dates::from([(key("analytics"), 0.0)]);
        let kept = days(f64::from(REFUSAL_KEPT_DAYS));
        assert!(!stale_refusal(&notice, Regime::OptIn, &refused, from(&at), kept));
        assert!(stale_refusal(&notice, Regime::OptIn, &refused, from(&at), kept + 1.0));
        // Where the law gives an opt-out, an opt-out is kept a year (Cal. Civ. Code §1798.135(c)(4)).
        let year = days(f64::from(OPT_OUT_KEPT_DAYS));
        assert!(!stale_refusal(&notice, Regime::OptOut, &refused, from(&at), kept + 1.0));
        assert!(!stale_refusal(&notice, Regime::OptOut, &refused, from(&at), year));
        assert!(stale_refusal(&notice, Regime::OptOut, &refused, from(&at), year + 1.0));
        // Only purposes the banner offers: a refusal of another is not the banner's to ask.
        let location = Decisions::from([(key("precise_location"), Denied)]);
        let at = Dates::from([(key("precise_location"), 0.0)]);
        assert!(!stale_refusal(&notice, Regime::OptIn, &location, from(&at), kept + 1.0));
    }

    #[test]
    fn the_recheck_is_the_earliest_expiry_or_end_of_a_refusal() {
        let notice = demo();
        let decisions = Decisions::from([(key("analytics"), Granted), (key("advertising"), Denied)]);
        let at = Dates::from([(key("analytics"), days(10.0)), (key("advertising"), days(300.0))]);
        let refusal_end = days(300.0) + days(f64::from(REFUSAL_KEPT_DAYS));
        let consent_end = days(10.0) + days(395.0);
        assert_eq!(
            recheck_at(&notice, Regime::OptIn, &decisions, from(&at)),
            Some(consent_end.min(refusal_end))
        );
        let opt_out_end = days(300.0) + days(f64::from(OPT_OUT_KEPT_DAYS));
        assert_eq!(
            recheck_at(&notice, Regime::OptOut, &decisions, from(&at)),
            Some(consent_end.min(opt_out_end))
        );
        assert_eq!(
            recheck_at(&notice, Regime::OptIn, &decisions, from(&Dates::new())),
            None
        );
    }
}
