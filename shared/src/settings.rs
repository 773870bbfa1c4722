//! The privacy-settings page's contract: the hand-off from a site's page to the page Assent
//! hosts (`/sites/{site}/privacy`), and the session that follows. The page then reads and
//! writes the subject's records with the same endpoints and bodies as the banner, under its
//! own path (`/sites/{site}/privacy/…`), where its session cookie is sent.

use crate::consent::{Decision, Decisions, Method};
use crate::ids::EventId;
use crate::notice::{LegalBasis, LocalizedPurpose};
use serde::{Deserialize, Serialize};

/// `POST /v1/sites/{site}/subjects/{subject}/settings-link`: where to send the visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettingsLink {
    /// `https://ASSENT/sites/{site}/privacy?code=…`: works once, within five minutes.
    pub url: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// `POST /sites/{site}/privacy/session`: the code from the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsCode {
    pub code: String,
}

/// The page's session (`POST /sites/{site}/privacy/session`, `GET …/session`). The session
/// itself travels in an `HttpOnly` cookie the page's script cannot read; the script sends
/// `csrf_token` as `X-CSRF-Token` with every write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettingsSession {
    pub site_id: String,
    pub subject_id: String,
    pub csrf_token: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// A change made on the settings component a site embeds, handed to the banner (which holds
/// the visitor's stored choice and applies it to the page) as `assent` command
/// `settings:<this as JSON>`. The banner records it with `source = settings_page` under
/// `event_id`, so the component can tell its own outcome (`assent:recorded` / `assent:refused`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    pub event_id: EventId,
    pub method: Method,
    pub decisions: Decisions,
}

/// The control the settings page offers for a purpose, by its legal basis (GDPR Art. 6(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Consent (Art. 6(1)(a)): a switch, off as easily as on (Art. 7(3)).
    Switch,
    /// Legitimate interests (Art. 6(1)(f)): the right to object (Art. 21), reversible.
    Object,
    /// Contract or legal obligation (Art. 6(1)(b), (c)): no choice to make; the page says why.
    None,
}

/// Which control `purpose` gets on the settings page.
pub fn control(purpose: &LocalizedPurpose) -> Control {
    match purpose.legal_basis {
        LegalBasis::Consent => Control::Switch,
        LegalBasis::LegitimateInterests => Control::Object,
        LegalBasis::Contract | LegalBasis::LegalObligation => Control::None,
    }
}

/// The event a change on the settings page records: `wanted` for `purpose`, where the
/// subject holds `held` (`None`: never decided).
///
/// - consent: granting is `save`; turning off a consent in force is `withdraw` (Art. 7(3)),
///   refusing one never given is `save`;
/// - legitimate interests: objecting is `object` (denied), lifting the objection is `save`
///   (granted: processing on that basis resumes);
/// - contract / legal obligation: nothing to record (`None`), as when `wanted` is what is held.
///
/// The answer passes [`validate_decisions`](crate::consent::validate_decisions), which the
/// server runs on it again.
pub fn change(purpose: &LocalizedPurpose, held: Option<Decision>, wanted: Decision) -> Option<(Method, Decisions)> {
    if held == Some(wanted) {
        return None;
    }
    let method = match (control(purpose), wanted) {
        (Control::None, _) => return None,
        (Control::Switch, Decision::Denied) if held == Some(Decision::Granted) => Method::Withdraw,
        (Control::Object, Decision::Denied) => Method::Object,
        (Control::Switch | Control::Object, _) => Method::Save,
    };
    Some((method, Decisions::from([(purpose.key.clone(), wanted)])))
}

/// The decision in force for a purpose with no recorded decision: a legitimate interest
/// applies until the subject objects; consent is never presumed (Art. 4(11), 7(1)).
pub fn default_decision(purpose: &LocalizedPurpose) -> Decision {
    match purpose.legal_basis {
        LegalBasis::LegitimateInterests | LegalBasis::Contract | LegalBasis::LegalObligation => Decision::Granted,
        LegalBasis::Consent => Decision::Denied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::validate_decisions;
    use crate::ids::PurposeKey;
    use crate::notice::LocalizedNotice;
    use std::collections::BTreeMap;

    fn purpose(key: &str, legal_basis: LegalBasis) -> LocalizedPurpose {
        LocalizedPurpose {
            key: PurposeKey::parse(key).expect("valid key"),
            legal_basis,
            gpc_covered: false,
            sensitive: false,
            in_banner: legal_basis == LegalBasis::Consent,
            in_accept_all: false,
            consent_mode: Vec::new(),
            lifetime_days: None,
            title: key.to_owned(),
            description: String::new(),
            data_categories: Vec::new(),
            retention: "1 year".into(),
            vendors: Vec::new(),
        }
    }

    fn notice(purposes: Vec<LocalizedPurpose>) -> LocalizedNotice {
        LocalizedNotice {
            version: 1,
            policy_version: "1".into(),
            policy_url: "/privacy".into(),
            language: "en".into(),
            reload_on_withdrawal: false,
            material_change: false,
            change_summary: None,
            theme: BTreeMap::new(),
            ui_texts: BTreeMap::new(),
            title: "t".into(),
            body: "b".into(),
            purposes,
            integrations: vec![],
            tcf: None,
        }
    }

    #[test]
    fn each_change_records_the_method_its_legal_basis_calls_for() {
        use Decision::{Denied, Granted};
        let analytics = purpose("analytics", LegalBasis::Consent);
        let improvement = purpose("product_improvement", LegalBasis::LegitimateInterests);
        let billing = purpose("billing", LegalBasis::Contract);
        let cases = [
            (&analytics, None, Granted, Some(Method::Save)),
            (&analytics, Some(Denied), Granted, Some(Method::Save)),
            (&analytics, Some(Granted), Denied, Some(Method::Withdraw)),
            (&analytics, None, Denied, Some(Method::Save)),
            (&analytics, Some(Granted), Granted, None),
            (&improvement, None, Denied, Some(Method::Object)),
            (&improvement, Some(Granted), Denied, Some(Method::Object)),
            (&improvement, Some(Denied), Granted, Some(Method::Save)),
            (&improvement, Some(Denied), Denied, None),
            (&billing, None, Denied, None),
            (&billing, Some(Granted), Denied, None),
        ];
        let all = notice(vec![analytics.clone(), improvement.clone(), billing.clone()]);
        for (p, held, wanted, expected) in cases {
            let got = change(p, held, wanted);
            assert_eq!(
                got.as_ref().map(|(m, _)| *m),
                expected,
                "{} {held:?} -> {wanted:?}",
                p.key
            );
            if let Some((method, decisions)) = got {
                assert_eq!(decisions, Decisions::from([(p.key.clone(), wanted)]));
                // The server accepts exactly what the page sends.
                validate_decisions(&all, method, &decisions).expect("valid for the server");
            }
        }
    }

    #[test]
    fn controls_and_defaults_follow_the_legal_basis() {
        let consent = purpose("analytics", LegalBasis::Consent);
        let li = purpose("product_improvement", LegalBasis::LegitimateInterests);
        let obligation = purpose("tax_records", LegalBasis::LegalObligation);
        assert_eq!(control(&consent), Control::Switch);
        assert_eq!(control(&li), Control::Object);
        assert_eq!(control(&obligation), Control::None);
        assert_eq!(default_decision(&consent), Decision::Denied);
        assert_eq!(default_decision(&li), Decision::Granted);
    }
}
