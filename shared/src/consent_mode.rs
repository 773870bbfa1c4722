//! Google Consent Mode v2: the seven consent types and the full update a set of decisions
//! produces. The notice maps each purpose to the types it governs.

use crate::consent::{Decision, Decisions};
use crate::notice::LocalizedNotice;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentModeType {
    AdStorage,
    AdUserData,
    AdPersonalization,
    AnalyticsStorage,
    FunctionalityStorage,
    PersonalizationStorage,
    SecurityStorage,
}

pub const ALL_TYPES: [ConsentModeType; 7] = [
    ConsentModeType::AdStorage,
    ConsentModeType::AdUserData,
    ConsentModeType::AdPersonalization,
    ConsentModeType::AnalyticsStorage,
    ConsentModeType::FunctionalityStorage,
    ConsentModeType::PersonalizationStorage,
    ConsentModeType::SecurityStorage,
];

impl ConsentModeType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AdStorage => "ad_storage",
            Self::AdUserData => "ad_user_data",
            Self::AdPersonalization => "ad_personalization",
            Self::AnalyticsStorage => "analytics_storage",
            Self::FunctionalityStorage => "functionality_storage",
            Self::PersonalizationStorage => "personalization_storage",
            Self::SecurityStorage => "security_storage",
        }
    }
}

/// A vendor with a consent API of its own that the loader signals beside Google Consent Mode,
/// from the same Consent Mode state (so the notice's purpose → type mapping drives it too):
///
/// - `microsoft_uet`: Microsoft Advertising UET consent mode, `uetq.push('consent',
///   'default' | 'update', {ad_storage})` — UET reads `ad_storage` only;
/// - `microsoft_clarity`: Microsoft Clarity, `clarity('consentv2', {ad_Storage,
///   analytics_Storage})`;
/// - `meta_pixel`: Meta Pixel, `fbq('consent', 'grant' | 'revoke')`, granted when both
///   `ad_storage` and `ad_user_data` are (the pixel stores an identifier and sends user data
///   for advertising), and sent before the page's `fbq('init')`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Integration {
    MicrosoftUet,
    MicrosoftClarity,
    MetaPixel,
}

impl Integration {
    /// The Consent Mode types this vendor's signal is made of.
    pub fn reads(self) -> &'static [ConsentModeType] {
        match self {
            Self::MicrosoftUet => &[ConsentModeType::AdStorage],
            Self::MicrosoftClarity => &[ConsentModeType::AdStorage, ConsentModeType::AnalyticsStorage],
            Self::MetaPixel => &[ConsentModeType::AdStorage, ConsentModeType::AdUserData],
        }
    }
}

/// The `gtag('consent', 'update', …)` argument for these decisions, covering all seven types.
/// A type is granted only when every purpose mapped to it is granted; `security_storage` is
/// always granted (strictly necessary); a type no purpose maps to stays denied.
pub fn update(notice: &LocalizedNotice, decisions: &Decisions) -> BTreeMap<&'static str, &'static str> {
    ALL_TYPES
        .iter()
        .map(|t| {
            let mapped: Vec<_> = notice.purposes.iter().filter(|p| p.consent_mode.contains(t)).collect();
            let granted = *t == ConsentModeType::SecurityStorage
                || (!mapped.is_empty() && mapped.iter().all(|p| decisions.get(&p.key) == Some(&Decision::Granted)));
            (t.as_str(), if granted { "granted" } else { "denied" })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PurposeKey;
    use crate::notice::{LegalBasis, LocalizedPurpose};

    fn purpose(key: &str, types: Vec<ConsentModeType>) -> LocalizedPurpose {
        LocalizedPurpose {
            key: PurposeKey::parse(key).expect("key"),
            legal_basis: LegalBasis::Consent,
            gpc_covered: false,
            sensitive: false,
            in_banner: true,
            in_accept_all: true,
            consent_mode: types,
            lifetime_days: None,
            title: key.into(),
            description: String::new(),
            data_categories: vec![],
            retention: String::new(),
            vendors: vec![],
        }
    }

    fn notice() -> LocalizedNotice {
        use ConsentModeType::*;
        LocalizedNotice {
            version: 1,
            policy_version: "1".into(),
            policy_url: "/p".into(),
            language: "en".into(),
            reload_on_withdrawal: false,
            material_change: false,
            change_summary: None,
            theme: Default::default(),
            ui_texts: Default::default(),
            title: String::new(),
            body: String::new(),
            purposes: vec![
                purpose("analytics", vec![AnalyticsStorage]),
                purpose("ads", vec![AdStorage, AdUserData, AdPersonalization]),
                purpose("personal", vec![PersonalizationStorage]),
                purpose("more_ads", vec![AdStorage]),
            ],
            integrations: vec![],
            tcf: None,
        }
    }

    #[test]
    fn an_update_covers_all_seven_types() {
        let u = update(&notice(), &Decisions::new());
        assert_eq!(u.len(), 7);
        assert_eq!(u["security_storage"], "granted");
        assert!(
            u.iter()
                .filter(|(k, _)| **k != "security_storage")
                .all(|(_, v)| *v == "denied")
        );
    }

    #[test]
    fn a_type_is_granted_only_when_every_purpose_mapped_to_it_is() {
        let key = |k: &str| PurposeKey::parse(k).expect("key");
        let decisions = Decisions::from([
            (key("analytics"), Decision::Granted),
            (key("ads"), Decision::Granted),
            (key("more_ads"), Decision::Denied),
        ]);
        let u = update(&notice(), &decisions);
        assert_eq!(u["analytics_storage"], "granted");
        assert_eq!(u["ad_user_data"], "granted");
        assert_eq!(
            u["ad_storage"], "denied",
            "more_ads also governs ad_storage and is denied"
        );
        assert_eq!(u["functionality_storage"], "denied", "no purpose maps to it");
    }
}
