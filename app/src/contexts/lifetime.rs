//! The stored dates a choice's lifetime is read from: the rules are `assent_shared::lifetime`'s
//! (and `assent_shared::arrival`'s, which applies them on arrival); here only the browser's
//! reading of the stored RFC 3339 times.

use crate::storage::StoredChoice;
use assent_shared::api::NoticeResponse;
use assent_shared::consent::Decisions;
use assent_shared::lifetime::{self, DecidedAt};

/// When a purpose was decided (its own date, else the choice's), as the browser parses the
/// stored RFC 3339 times.
pub fn decided_at(choice: &StoredChoice) -> impl DecidedAt + '_ {
    |key: &assent_shared::ids::PurposeKey| {
        let at = choice.decided_at.get(key.as_str()).or(choice.updated_at.as_ref())?;
        let ms = js_sys::Date::parse(at);
        (!ms.is_nan()).then_some(ms)
    }
}

/// Gives every decision without a readable date (a choice stored before dates were kept, or
/// edited by hand) the date `now`: its lifetime starts when this browser first sees it, so no
/// consent outlives its lifetime for want of a date (`expired_purposes` cannot expire an
/// undated one).
pub fn date_undated(choice: &mut StoredChoice, now: &str) {
    let undated: Vec<String> = choice
        .decisions
        .iter()
        .flat_map(|d| d.keys())
        .filter(|k| decided_at(choice)(k).is_none())
        .map(ToString::to_string)
        .collect();
    for key in undated {
        choice.decided_at.insert(key, now.to_owned());
    }
}

/// The earliest moment a consent expires or a refusal may be asked again in the visitor's
/// regime.
pub fn recheck_at(notice: &NoticeResponse, choice: &StoredChoice) -> Option<f64> {
    let none = Decisions::new();
    let decisions = choice.decisions.as_ref().unwrap_or(&none);
    lifetime::recheck_at(&notice.notice, notice.regime, decisions, decided_at(choice))
}
