//! How long a stored choice counts, read from the stored choice: the rules are
//! `assent_shared::lifetime`'s; here only the browser's clock and the stored dates.

use crate::storage::StoredChoice;
use assent_shared::consent::Decisions;
use assent_shared::lifetime::{self, DecidedAt};
use assent_shared::notice::LocalizedNotice;

/// When a purpose was decided (its own date, else the choice's), as the browser parses the
/// stored RFC 3339 times.
fn decided_at(choice: &StoredChoice) -> impl DecidedAt + '_ {
    |key: &assent_shared::ids::PurposeKey| {
        let at = choice.decided_at.get(key.as_str()).or(choice.updated_at.as_ref())?;
        let ms = js_sys::Date::parse(at);
        (!ms.is_nan()).then_some(ms)
    }
}

fn decisions(choice: &StoredChoice) -> Decisions {
    choice.decisions.clone().unwrap_or_default()
}

/// Granted purposes whose consent is older than their lifetime, as the denials that expire them.
pub fn expired_purposes(notice: &LocalizedNotice, choice: &StoredChoice) -> Decisions {
    lifetime::expired_purposes(notice, &decisions(choice), decided_at(choice), js_sys::Date::now())
}

/// A refusal of a banner purpose older than the time a refusal is respected.
pub fn stale_refusal(notice: &LocalizedNotice, choice: &StoredChoice) -> bool {
    lifetime::stale_refusal(notice, &decisions(choice), decided_at(choice), js_sys::Date::now())
}

/// The earliest moment a consent expires or a refusal may be asked again.
pub fn recheck_at(notice: &LocalizedNotice, choice: &StoredChoice) -> Option<f64> {
    lifetime::recheck_at(notice, &decisions(choice), decided_at(choice))
}
