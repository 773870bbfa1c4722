//! The banner's own words (buttons, labels). The notice supplies the title, body and
//! purpose texts; these are the controls around them.

use assent_shared::notice::LegalBasis;

#[derive(Debug)]
pub struct Texts {
    pub accept_all: &'static str,
    pub reject_all: &'static str,
    pub customize: &'static str,
    pub save: &'static str,
    pub close: &'static str,
    pub preferences_title: &'static str,
    pub privacy_choices: &'static str,
    pub always_on: &'static str,
    pub vendors: &'static str,
    pub retention: &'static str,
    pub legal_basis: &'static str,
    pub saved: &'static str,
    pub save_failed: &'static str,
    pub policy: &'static str,
    pub gpc_honored: &'static str,
    pub consent: &'static str,
    pub contract: &'static str,
    pub legitimate_interests: &'static str,
    pub legal_obligation: &'static str,
}

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

const EN: Texts = Texts {
    accept_all: "Accept all",
    reject_all: "Reject all",
    customize: "Customize",
    save: "Save choices",
    close: "Close and reject all",
    preferences_title: "Privacy preferences",
    privacy_choices: "Privacy choices",
    always_on: "Always on",
    vendors: "Services and cookies",
    retention: "Retention",
    legal_basis: "Legal basis",
    saved: "Your choice is saved.",
    save_failed: "Your choice applies now, but could not be saved yet. It will be sent again automatically.",
    policy: "Privacy policy",
    gpc_honored: "Opt-Out Request Honored: your browser's Global Privacy Control signal opted you out of the sale or sharing of your personal information and of targeted advertising.",
    consent: "Consent",
    contract: "Necessary for the service",
    legitimate_interests: "Legitimate interests",
    legal_obligation: "Legal obligation",
};

const DE: Texts = Texts {
    accept_all: "Alle akzeptieren",
    reject_all: "Alle ablehnen",
    customize: "Anpassen",
    save: "Auswahl speichern",
    close: "Schließen und alle ablehnen",
    preferences_title: "Datenschutz-Einstellungen",
    privacy_choices: "Datenschutz-Einstellungen",
    always_on: "Immer aktiv",
    vendors: "Dienste und Cookies",
    retention: "Speicherdauer",
    legal_basis: "Rechtsgrundlage",
    saved: "Ihre Auswahl ist gespeichert.",
    save_failed: "Ihre Auswahl gilt bereits, konnte aber noch nicht gespeichert werden. Sie wird automatisch erneut gesendet.",
    policy: "Datenschutzerklärung",
    gpc_honored: "Widerspruch berücksichtigt: Das Global-Privacy-Control-Signal Ihres Browsers hat dem Verkauf oder der Weitergabe Ihrer Daten und personalisierter Werbung widersprochen.",
    consent: "Einwilligung",
    contract: "Für den Dienst erforderlich",
    legitimate_interests: "Berechtigtes Interesse",
    legal_obligation: "Rechtliche Verpflichtung",
};

/// Texts for a language tag (primary subtag), English otherwise.
pub fn texts(lang: &str) -> &'static Texts {
    match lang
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "de" => &DE,
        _ => &EN,
    }
}
