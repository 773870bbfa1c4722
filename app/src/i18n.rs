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
    pub allow: &'static str,
    pub what_changed: &'static str,
    pub deny: &'static str,
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
    allow: "Allow",
    deny: "Don't allow",
    what_changed: "What changed:",
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
    allow: "Erlauben",
    deny: "Nicht erlauben",
    what_changed: "Was sich geändert hat:",
};

const FR: Texts = Texts {
    accept_all: "Tout accepter",
    reject_all: "Tout refuser",
    customize: "Personnaliser",
    save: "Enregistrer mes choix",
    close: "Fermer et tout refuser",
    preferences_title: "Préférences de confidentialité",
    privacy_choices: "Choix de confidentialité",
    always_on: "Toujours actif",
    vendors: "Services et cookies",
    retention: "Conservation",
    legal_basis: "Base légale",
    saved: "Votre choix est enregistré.",
    save_failed: "Votre choix s'applique déjà mais n'a pas encore pu être enregistré. Il sera renvoyé automatiquement.",
    policy: "Politique de confidentialité",
    gpc_honored: "Demande d'opposition respectée : le signal Global Privacy Control de votre navigateur s'oppose à la vente ou au partage de vos données personnelles et à la publicité ciblée.",
    consent: "Consentement",
    contract: "Nécessaire au service",
    legitimate_interests: "Intérêt légitime",
    legal_obligation: "Obligation légale",
    allow: "Autoriser",
    deny: "Ne pas autoriser",
    what_changed: "Ce qui a changé :",
};

const ES: Texts = Texts {
    accept_all: "Aceptar todo",
    reject_all: "Rechazar todo",
    customize: "Personalizar",
    save: "Guardar mis opciones",
    close: "Cerrar y rechazar todo",
    preferences_title: "Preferencias de privacidad",
    privacy_choices: "Opciones de privacidad",
    always_on: "Siempre activo",
    vendors: "Servicios y cookies",
    retention: "Conservación",
    legal_basis: "Base jurídica",
    saved: "Su elección se ha guardado.",
    save_failed: "Su elección ya se aplica, pero aún no se ha podido guardar. Se enviará de nuevo automáticamente.",
    policy: "Política de privacidad",
    gpc_honored: "Solicitud de exclusión respetada: la señal Global Privacy Control de su navegador se opone a la venta o cesión de sus datos personales y a la publicidad dirigida.",
    consent: "Consentimiento",
    contract: "Necesario para el servicio",
    legitimate_interests: "Interés legítimo",
    legal_obligation: "Obligación legal",
    allow: "Permitir",
    deny: "No permitir",
    what_changed: "Qué ha cambiado:",
};

const PT_BR: Texts = Texts {
    accept_all: "Aceitar tudo",
    reject_all: "Rejeitar tudo",
    customize: "Personalizar",
    save: "Salvar escolhas",
    close: "Fechar e rejeitar tudo",
    preferences_title: "Preferências de privacidade",
    privacy_choices: "Opções de privacidade",
    always_on: "Sempre ativo",
    vendors: "Serviços e cookies",
    retention: "Retenção",
    legal_basis: "Base legal",
    saved: "Sua escolha foi salva.",
    save_failed: "Sua escolha já vale, mas ainda não pôde ser salva. Ela será reenviada automaticamente.",
    policy: "Política de privacidade",
    gpc_honored: "Pedido de exclusão respeitado: o sinal Global Privacy Control do seu navegador recusou a venda ou o compartilhamento dos seus dados pessoais e a publicidade direcionada.",
    consent: "Consentimento",
    contract: "Necessário para o serviço",
    legitimate_interests: "Legítimo interesse",
    legal_obligation: "Obrigação legal",
    allow: "Permitir",
    deny: "Não permitir",
    what_changed: "O que mudou:",
};

const KO: Texts = Texts {
    accept_all: "모두 허용",
    reject_all: "모두 거부",
    customize: "설정",
    save: "선택 저장",
    close: "닫고 모두 거부",
    preferences_title: "개인정보 설정",
    privacy_choices: "개인정보 선택",
    always_on: "항상 사용",
    vendors: "서비스 및 쿠키",
    retention: "보유 기간",
    legal_basis: "법적 근거",
    saved: "선택이 저장되었습니다.",
    save_failed: "선택은 이미 적용되었지만 아직 저장되지 않았습니다. 자동으로 다시 전송됩니다.",
    policy: "개인정보 처리방침",
    gpc_honored: "거부 요청 반영됨: 브라우저의 Global Privacy Control 신호에 따라 개인정보 판매·공유 및 맞춤형 광고가 거부되었습니다.",
    consent: "동의",
    contract: "서비스 제공에 필요",
    legitimate_interests: "정당한 이익",
    legal_obligation: "법적 의무",
    allow: "허용",
    deny: "허용 안 함",
    what_changed: "변경 사항:",
};

const AR: Texts = Texts {
    accept_all: "قبول الكل",
    reject_all: "رفض الكل",
    customize: "تخصيص",
    save: "حفظ الاختيارات",
    close: "إغلاق ورفض الكل",
    preferences_title: "تفضيلات الخصوصية",
    privacy_choices: "خيارات الخصوصية",
    always_on: "مفعّل دائمًا",
    vendors: "الخدمات وملفات تعريف الارتباط",
    retention: "مدة الاحتفاظ",
    legal_basis: "الأساس القانوني",
    saved: "تم حفظ اختيارك.",
    save_failed: "اختيارك مطبق الآن، لكن تعذّر حفظه بعد. سيُعاد إرساله تلقائيًا.",
    policy: "سياسة الخصوصية",
    gpc_honored: "تم احترام طلب إلغاء الاشتراك: أشارت إشارة التحكم العالمي في الخصوصية (GPC) في متصفحك إلى رفض بيع بياناتك الشخصية أو مشاركتها والإعلانات الموجهة.",
    consent: "الموافقة",
    contract: "ضروري للخدمة",
    legitimate_interests: "المصلحة المشروعة",
    legal_obligation: "التزام قانوني",
    allow: "السماح",
    deny: "عدم السماح",
    what_changed: "ما الذي تغيّر:",
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
        "fr" => &FR,
        "es" => &ES,
        "pt" => &PT_BR,
        "ko" => &KO,
        "ar" => &AR,
        _ => &EN,
    }
}
