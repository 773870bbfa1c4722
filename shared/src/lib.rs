//! `assent-shared` is the one contract between the banner (`app`, wasm32) and the server.
//!
//! Everything both sides must agree on lives here — identifiers, the notice model, decisions
//! and ledger events, jurisdiction rules, GPC semantics and the request/response bodies — so
//! the same validation runs in the browser and on the server and is unit-tested natively.

#[cfg(feature = "ledger")]
pub mod account;
pub mod admin_api;
pub mod api;
pub mod arrival;
pub mod banner_texts;
#[cfg(feature = "ledger")]
pub mod canonical;
pub mod consent;
pub mod consent_mode;
pub mod decide;
#[cfg(feature = "first-layer")]
pub mod first_layer;
pub mod gpc;
pub mod ids;
pub mod lifetime;
pub mod lint;
#[cfg(feature = "ledger")]
pub mod merkle;
pub mod notice;
pub mod regime;
pub mod settings;
pub mod settings_texts;
pub mod signals;
pub mod stats;
pub mod tcf_api;
pub mod tcf_choice;
pub mod tcf_data;
pub mod tcf_evidence;
pub mod tcf_layer;
pub mod tcf_texts;
#[cfg(test)]
mod test_support;
pub mod ui_texts;
pub mod webhooks;

/// The name a unit enum value has on the wire (its serde name), e.g. `accept_all`: the one
/// spelling for CSV exports, database columns and receipts.
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Whether `c` reorders the text around it: a bidirectional embedding, override or isolate
/// (U+202A–U+202E, U+2066–U+2069; Unicode UAX #9 §2). A name holding one can display as
/// something else than it is ("Trojan Source", CVE-2021-42574), so names an owner or an
/// auditor reads (sites, accounts) refuse them; the marks U+200E/U+200F that right-to-left
/// scripts need stay allowed.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A value that failed validation: which field, and why, in words an API user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    pub field: String,
    pub reason: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
