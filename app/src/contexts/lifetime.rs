//! How long a stored choice counts: consents expire after their purpose's lifetime, refusals
//! are respected for a fixed time, and the loader is told when to load the banner again.

use crate::storage::StoredChoice;
use assent_shared::consent::{Decision, Decisions};
use assent_shared::notice::LocalizedNotice;

const DAY_MS: f64 = 86_400_000.0;

fn decided_ms(choice: &StoredChoice, key: &assent_shared::ids::PurposeKey) -> Option<f64> {
    let at = choice.decided_at.get(key.as_str()).or(choice.updated_at.as_ref())?;
    let ms = js_sys::Date::parse(at);
    (!ms.is_nan()).then_some(ms)
}

fn lifetime_days(notice: &LocalizedNotice, key: &assent_shared::ids::PurposeKey) -> u32 {
    notice
        .purpose(key)
        .and_then(|p| p.lifetime_days)
        .unwrap_or(assent_shared::consent::DEFAULT_LIFETIME_DAYS)
}

/// Granted purposes whose consent is older than their lifetime, as the denials that expire them.
pub fn expired_purposes(notice: &LocalizedNotice, choice: &StoredChoice) -> Decisions {
    let now = js_sys::Date::now();
    choice
        .decisions
        .iter()
        .flatten()
        .filter(|(_, d)| **d == Decision::Granted)
        .filter(|(k, _)| {
            decided_ms(choice, k).is_some_and(|at| now - at > f64::from(lifetime_days(notice, k)) * DAY_MS)
        })
        .map(|(k, _)| (k.clone(), Decision::Denied))
        .collect()
}

/// A refusal of a banner purpose older than the time a refusal is respected.
pub fn stale_refusal(notice: &LocalizedNotice, choice: &StoredChoice) -> bool {
    let now = js_sys::Date::now();
    let kept = f64::from(assent_shared::consent::REFUSAL_KEPT_DAYS) * DAY_MS;
    choice.decisions.iter().flatten().any(|(k, d)| {
        *d == Decision::Denied
            && notice.purpose(k).is_some_and(|p| p.is_choosable())
            && decided_ms(choice, k).is_some_and(|at| now - at > kept)
    })
}

/// The earliest moment a consent expires or a refusal may be asked again.
pub fn recheck_at(notice: &LocalizedNotice, choice: &StoredChoice) -> Option<f64> {
    let kept = f64::from(assent_shared::consent::REFUSAL_KEPT_DAYS) * DAY_MS;
    choice
        .decisions
        .iter()
        .flatten()
        .filter_map(|(k, d)| {
            let at = decided_ms(choice, k)?;
            Some(match d {
                Decision::Granted => at + f64::from(lifetime_days(notice, k)) * DAY_MS,
                Decision::Denied => at + kept,
            })
        })
        .reduce(f64::min)
}
