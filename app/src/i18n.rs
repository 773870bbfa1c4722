//! The banner's own words (buttons, labels). The server sends them resolved for the notice's
//! language (`NoticeResponse::texts`, from `assent_shared::ui_texts`), so the banner carries
//! no translations; the notice supplies the title, body and purpose texts.

use assent_shared::notice::LegalBasis;
use std::collections::BTreeMap;

macro_rules! texts {
    ($($field:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy)]
        pub struct Texts {
            $(pub $field: &'static str,)*
        }

        impl Texts {
            /// Before the notice (and its texts) arrived.
            pub const EMPTY: Texts = Texts { $($field: "",)* };

            /// Built once per page from the notice's texts; they live as long as the page,
            /// which lets components keep `&'static` texts.
            pub fn from_map(map: &BTreeMap<String, String>) -> &'static Texts {
                let get = |key: &str| -> &'static str {
                    map.get(key).map_or("", |v| Box::leak(v.clone().into_boxed_str()))
                };
                Box::leak(Box::new(Texts { $($field: get(stringify!($field)),)* }))
            }
        }
    };
}

texts!(
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
    allow,
    what_changed,
    do_not_sell,
    agree,
    disagree,
    confirm,
    items,
    right_to_refuse,
    deny,
    consent,
    contract,
    legitimate_interests,
    legal_obligation,
    blocked_content,
    allow_and_load,
    blocked_region,
);

impl Texts {
    pub fn basis(&self, basis: LegalBasis) -> &'static str {
        match basis {
            LegalBasis::Consent => self.consent,
            LegalBasis::Contract => self.contract,
            LegalBasis::LegitimateInterests => self.legitimate_interests,
            LegalBasis::LegalObligation => self.legal_obligation,
        }
    }
}
