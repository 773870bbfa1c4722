//! The stored dates a choice's lifetime is read from: the rules are `assent_shared::lifetime`'s
//! (and `assent_shared::arrival`'s, which applies them on arrival); here only the browser's
//! reading of the stored RFC 3339 times.

use crate::storage::StoredChoice;
use assent_shared::consent::Decisions;
use assent_shared::lifetime::{self, DecidedAt};
use assent_shared::notice::LocalizedNotice;

/// When a purpose was decided (its own date, else the choice's), as the browser parses the
/// stored RFC 3339 times.
pub fn decided_at(choice: &StoredChoice) -> impl DecidedAt + '_ {
    |key: &assent_shared::ids::PurposeKey| {
        let at = choice.decided_at.get(key.as_str()).or(choice.updated_at.as_ref())?;
        let ms = js_sys::Date::parse(at);
        (!ms.is_nan()).then_some(ms)
    }
}

/// The earliest moment a consent expires or a refusal may be asked again.
pub fn recheck_at(notice: &LocalizedNotice, choice: &StoredChoice) -> Option<f64> {
    let none = Decisions::new();
    lifetime::recheck_at(notice, choice.decisions.as_ref().unwrap_or(&none), decided_at(choice))
}
