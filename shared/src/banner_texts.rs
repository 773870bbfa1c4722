//! The banner's words as one value: a field per text key. The keys are defined here once —
//! the banner reads its words by field, the built-in languages ([`crate::ui_texts`]) are
//! checked against [`BannerTexts::KEYS`], and a notice's `ui_texts` may override only these.

use crate::notice::LegalBasis;

/// A set of text keys as a struct: one `&str` field per key, `KEYS` (the keys in order),
/// `EMPTY` and `from_map` (a key missing from the map is `""`). Used for the banner's words
/// here and the TCF layer's (`crate::tcf_texts`).
macro_rules! text_keys {
    ($(#[$doc:meta])* $name:ident { $($field:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name<'a> {
            $(pub $field: &'a str,)*
        }

        impl<'a> $name<'a> {
            /// Every key, in the order English lists them.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Before the texts arrived: every text empty.
            pub const EMPTY: $name<'static> = $name { $($field: "",)* };

            /// The words of `map` (key → text).
            pub fn from_map(map: &'a std::collections::BTreeMap<String, String>) -> Self {
                let get = |key: &str| map.get(key).map_or("", String::as_str);
                Self { $($field: get(stringify!($field)),)* }
            }
        }
    };
}
pub(crate) use text_keys;

text_keys!(
    /// The banner's words in one language, borrowed from the resolved texts the server
    /// sends with the notice (`NoticeResponse::texts`, made by [`crate::ui_texts::resolve`]).
    BannerTexts {
        accept_all,
        reject_all,
        customize,
        save,
        close,
        preferences_title,
        privacy_choices,
        always_on,
        vendors,
        retention,
        legal_basis,
        saved,
        save_failed,
        policy,
        gpc_honored,
        consent,
        contract,
        legitimate_interests,
        legal_obligation,
        allow,
        deny,
        what_changed,
        do_not_sell,
        agree,
        disagree,
        confirm,
        items,
        right_to_refuse,
        blocked_content,
        allow_and_load,
        blocked_region,
    }
);

impl<'a> BannerTexts<'a> {
    /// The name of a legal basis (GDPR Art. 6(1)) as the preferences show it.
    pub fn basis(&self, basis: LegalBasis) -> &'a str {
        match basis {
            LegalBasis::Consent => self.consent,
            LegalBasis::Contract => self.contract,
            LegalBasis::LegitimateInterests => self.legitimate_interests,
            LegalBasis::LegalObligation => self.legal_obligation,
        }
    }
}
