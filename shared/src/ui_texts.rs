//! The banner's own words (buttons, labels) in the languages Assent ships, one table per
//! language keyed by [`BannerTexts`]' fields. The server resolves
//! them for the notice's language, with the notice's `ui_texts` overrides applied, and sends
//! them with the notice, so a visitor downloads one language, not all of them.

use crate::banner_texts::BannerTexts;
use std::collections::BTreeMap;

const EN: &[(&str, &str)] = &[
    ("accept_all", "Accept all"),
    ("reject_all", "Reject all"),
    ("customize", "Customize"),
    ("save", "Save choices"),
    ("close", "Close and reject all"),
    ("preferences_title", "Privacy preferences"),
    ("privacy_choices", "Privacy choices"),
    ("always_on", "Always on"),
    ("vendors", "Services and cookies"),
    ("retention", "Retention"),
    ("legal_basis", "Legal basis"),
    ("saved", "Your choice is saved."),
    (
        "save_failed",
        "Your choice applies now, but could not be saved yet. It will be sent again automatically.",
    ),
    ("policy", "Privacy policy"),
    (
        "gpc_honored",
        "Opt-Out Request Honored: your browser's Global Privacy Control signal opted you out of the sale or sharing of your personal information and of targeted advertising.",
    ),
    ("consent", "Consent"),
    ("contract", "Necessary for the service"),
    ("legitimate_interests", "Legitimate interests"),
    ("legal_obligation", "Legal obligation"),
    ("allow", "Allow"),
    ("deny", "Don't allow"),
    ("what_changed", "What changed:"),
    ("do_not_sell", "Do Not Sell or Share My Personal Information"),
    ("agree", "Agree"),
    ("disagree", "Disagree"),
    ("confirm", "Confirm choices"),
    ("items", "Data items"),
    (
        "right_to_refuse",
        "You may refuse. If you refuse, only this feature is turned off; the service stays available.",
    ),
    (
        "blocked_content",
        "This content from {host} is blocked until you allow “{purpose}”.",
    ),
    ("allow_and_load", "Allow and load"),
    ("blocked_region", "Blocked content"),
];

const DE: &[(&str, &str)] = &[
    ("accept_all", "Alle akzeptieren"),
    ("reject_all", "Alle ablehnen"),
    ("customize", "Anpassen"),
    ("save", "Auswahl speichern"),
    ("close", "Schließen und alle ablehnen"),
    ("preferences_title", "Datenschutz-Einstellungen"),
    ("privacy_choices", "Datenschutz-Einstellungen"),
    ("always_on", "Immer aktiv"),
    ("vendors", "Dienste und Cookies"),
    ("retention", "Speicherdauer"),
    ("legal_basis", "Rechtsgrundlage"),
    ("saved", "Ihre Auswahl ist gespeichert."),
    (
        "save_failed",
        "Ihre Auswahl gilt bereits, konnte aber noch nicht gespeichert werden. Sie wird automatisch erneut gesendet.",
    ),
    ("policy", "Datenschutzerklärung"),
    (
        "gpc_honored",
        "Widerspruch berücksichtigt: Das Global-Privacy-Control-Signal Ihres Browsers hat dem Verkauf oder der Weitergabe Ihrer Daten und personalisierter Werbung widersprochen.",
    ),
    ("consent", "Einwilligung"),
    ("contract", "Für den Dienst erforderlich"),
    ("legitimate_interests", "Berechtigtes Interesse"),
    ("legal_obligation", "Rechtliche Verpflichtung"),
    ("allow", "Erlauben"),
    ("deny", "Nicht erlauben"),
    ("what_changed", "Was sich geändert hat:"),
    (
        "do_not_sell",
        "Meine personenbezogenen Daten nicht verkaufen oder weitergeben",
    ),
    ("agree", "Zustimmen"),
    ("disagree", "Ablehnen"),
    ("confirm", "Auswahl bestätigen"),
    ("items", "Datenarten"),
    (
        "right_to_refuse",
        "Sie können ablehnen. Dann wird nur diese Funktion abgeschaltet; der Dienst bleibt verfügbar.",
    ),
    (
        "blocked_content",
        "Dieser Inhalt von {host} ist blockiert, bis Sie „{purpose}“ erlauben.",
    ),
    ("allow_and_load", "Erlauben und laden"),
    ("blocked_region", "Blockierter Inhalt"),
];

const FR: &[(&str, &str)] = &[
    ("accept_all", "Tout accepter"),
    ("reject_all", "Tout refuser"),
    ("customize", "Personnaliser"),
    ("save", "Enregistrer mes choix"),
    ("close", "Fermer et tout refuser"),
    ("preferences_title", "Préférences de confidentialité"),
    ("privacy_choices", "Choix de confidentialité"),
    ("always_on", "Toujours actif"),
    ("vendors", "Services et cookies"),
    ("retention", "Conservation"),
    ("legal_basis", "Base légale"),
    ("saved", "Votre choix est enregistré."),
    (
        "save_failed",
        "Votre choix s'applique déjà mais n'a pas encore pu être enregistré. Il sera renvoyé automatiquement.",
    ),
    ("policy", "Politique de confidentialité"),
    (
        "gpc_honored",
        "Demande d'opposition respectée : le signal Global Privacy Control de votre navigateur s'oppose à la vente ou au partage de vos données personnelles et à la publicité ciblée.",
    ),
    ("consent", "Consentement"),
    ("contract", "Nécessaire au service"),
    ("legitimate_interests", "Intérêt légitime"),
    ("legal_obligation", "Obligation légale"),
    ("allow", "Autoriser"),
    ("deny", "Ne pas autoriser"),
    ("what_changed", "Ce qui a changé :"),
    ("do_not_sell", "Ne pas vendre ni partager mes informations personnelles"),
    ("agree", "J'accepte"),
    ("disagree", "Je refuse"),
    ("confirm", "Confirmer mes choix"),
    ("items", "Données concernées"),
    (
        "right_to_refuse",
        "Vous pouvez refuser. Seule cette fonction sera alors désactivée ; le service reste disponible.",
    ),
    (
        "blocked_content",
        "Ce contenu de {host} est bloqué tant que vous n’autorisez pas « {purpose} ».",
    ),
    ("allow_and_load", "Autoriser et charger"),
    ("blocked_region", "Contenu bloqué"),
];

const ES: &[(&str, &str)] = &[
    ("accept_all", "Aceptar todo"),
    ("reject_all", "Rechazar todo"),
    ("customize", "Personalizar"),
    ("save", "Guardar mis opciones"),
    ("close", "Cerrar y rechazar todo"),
    ("preferences_title", "Preferencias de privacidad"),
    ("privacy_choices", "Opciones de privacidad"),
    ("always_on", "Siempre activo"),
    ("vendors", "Servicios y cookies"),
    ("retention", "Conservación"),
    ("legal_basis", "Base jurídica"),
    ("saved", "Su elección se ha guardado."),
    (
        "save_failed",
        "Su elección ya se aplica, pero aún no se ha podido guardar. Se enviará de nuevo automáticamente.",
    ),
    ("policy", "Política de privacidad"),
    (
        "gpc_honored",
        "Solicitud de exclusión respetada: la señal Global Privacy Control de su navegador se opone a la venta o cesión de sus datos personales y a la publicidad dirigida.",
    ),
    ("consent", "Consentimiento"),
    ("contract", "Necesario para el servicio"),
    ("legitimate_interests", "Interés legítimo"),
    ("legal_obligation", "Obligación legal"),
    ("allow", "Permitir"),
    ("deny", "No permitir"),
    ("what_changed", "Qué ha cambiado:"),
    ("do_not_sell", "No vender ni compartir mi información personal"),
    ("agree", "Acepto"),
    ("disagree", "No acepto"),
    ("confirm", "Confirmar opciones"),
    ("items", "Datos"),
    (
        "right_to_refuse",
        "Puede negarse. Si se niega, solo se desactiva esta función; el servicio sigue disponible.",
    ),
    (
        "blocked_content",
        "Este contenido de {host} está bloqueado hasta que permita «{purpose}».",
    ),
    ("allow_and_load", "Permitir y cargar"),
    ("blocked_region", "Contenido bloqueado"),
];

const PT_BR: &[(&str, &str)] = &[
    ("accept_all", "Aceitar tudo"),
    ("reject_all", "Rejeitar tudo"),
    ("customize", "Personalizar"),
    ("save", "Salvar escolhas"),
    ("close", "Fechar e rejeitar tudo"),
    ("preferences_title", "Preferências de privacidade"),
    ("privacy_choices", "Opções de privacidade"),
    ("always_on", "Sempre ativo"),
    ("vendors", "Serviços e cookies"),
    ("retention", "Retenção"),
    ("legal_basis", "Base legal"),
    ("saved", "Sua escolha foi salva."),
    (
        "save_failed",
        "Sua escolha já vale, mas ainda não pôde ser salva. Ela será reenviada automaticamente.",
    ),
    ("policy", "Política de privacidade"),
    (
        "gpc_honored",
        "Pedido de exclusão respeitado: o sinal Global Privacy Control do seu navegador recusou a venda ou o compartilhamento dos seus dados pessoais e a publicidade direcionada.",
    ),
    ("consent", "Consentimento"),
    ("contract", "Necessário para o serviço"),
    ("legitimate_interests", "Legítimo interesse"),
    ("legal_obligation", "Obrigação legal"),
    ("allow", "Permitir"),
    ("deny", "Não permitir"),
    ("what_changed", "O que mudou:"),
    ("do_not_sell", "Não vender nem compartilhar minhas informações pessoais"),
    ("agree", "Concordo"),
    ("disagree", "Não concordo"),
    ("confirm", "Confirmar escolhas"),
    ("items", "Dados"),
    (
        "right_to_refuse",
        "Você pode recusar. Se recusar, apenas este recurso é desativado; o serviço continua disponível.",
    ),
    (
        "blocked_content",
        "Este conteúdo de {host} está bloqueado até você permitir “{purpose}”.",
    ),
    ("allow_and_load", "Permitir e carregar"),
    ("blocked_region", "Conteúdo bloqueado"),
];

const KO: &[(&str, &str)] = &[
    ("accept_all", "모두 허용"),
    ("reject_all", "모두 거부"),
    ("customize", "설정"),
    ("save", "선택 저장"),
    ("close", "닫고 모두 거부"),
    ("preferences_title", "개인정보 설정"),
    ("privacy_choices", "개인정보 선택"),
    ("always_on", "항상 사용"),
    ("vendors", "서비스 및 쿠키"),
    ("retention", "보유 기간"),
    ("legal_basis", "법적 근거"),
    ("saved", "선택이 저장되었습니다."),
    (
        "save_failed",
        "선택은 이미 적용되었지만 아직 저장되지 않았습니다. 자동으로 다시 전송됩니다.",
    ),
    ("policy", "개인정보 처리방침"),
    (
        "gpc_honored",
        "거부 요청 반영됨: 브라우저의 Global Privacy Control 신호에 따라 개인정보 판매·공유 및 맞춤형 광고가 거부되었습니다.",
    ),
    ("consent", "동의"),
    ("contract", "서비스 제공에 필요"),
    ("legitimate_interests", "정당한 이익"),
    ("legal_obligation", "법적 의무"),
    ("allow", "허용"),
    ("deny", "허용 안 함"),
    ("what_changed", "변경 사항:"),
    ("do_not_sell", "내 개인정보 판매 또는 공유 거부"),
    ("agree", "동의함"),
    ("disagree", "동의하지 않음"),
    ("confirm", "선택 확인"),
    ("items", "수집 항목"),
    (
        "right_to_refuse",
        "동의를 거부할 권리가 있습니다. 거부하시면 해당 기능만 제공되지 않으며 서비스는 계속 이용하실 수 있습니다.",
    ),
    (
        "blocked_content",
        "‘{purpose}’을(를) 허용할 때까지 {host}의 이 콘텐츠는 차단됩니다.",
    ),
    ("allow_and_load", "허용하고 불러오기"),
    ("blocked_region", "차단된 콘텐츠"),
];

const AR: &[(&str, &str)] = &[
    ("accept_all", "قبول الكل"),
    ("reject_all", "رفض الكل"),
    ("customize", "تخصيص"),
    ("save", "حفظ الاختيارات"),
    ("close", "إغلاق ورفض الكل"),
    ("preferences_title", "تفضيلات الخصوصية"),
    ("privacy_choices", "خيارات الخصوصية"),
    ("always_on", "مفعّل دائمًا"),
    ("vendors", "الخدمات وملفات تعريف الارتباط"),
    ("retention", "مدة الاحتفاظ"),
    ("legal_basis", "الأساس القانوني"),
    ("saved", "تم حفظ اختيارك."),
    (
        "save_failed",
        "اختيارك مطبق الآن، لكن تعذّر حفظه بعد. سيُعاد إرساله تلقائيًا.",
    ),
    ("policy", "سياسة الخصوصية"),
    (
        "gpc_honored",
        "تم احترام طلب إلغاء الاشتراك: أشارت إشارة التحكم العالمي في الخصوصية (GPC) في متصفحك إلى رفض بيع بياناتك الشخصية أو مشاركتها والإعلانات الموجهة.",
    ),
    ("consent", "الموافقة"),
    ("contract", "ضروري للخدمة"),
    ("legitimate_interests", "المصلحة المشروعة"),
    ("legal_obligation", "التزام قانوني"),
    ("allow", "السماح"),
    ("deny", "عدم السماح"),
    ("what_changed", "ما الذي تغيّر:"),
    ("do_not_sell", "لا تبع معلوماتي الشخصية ولا تشاركها"),
    ("agree", "أوافق"),
    ("disagree", "لا أوافق"),
    ("confirm", "تأكيد الاختيارات"),
    ("items", "البيانات"),
    (
        "right_to_refuse",
        "يحق لك الرفض. عند الرفض تُعطَّل هذه الميزة فقط ويبقى الموقع متاحًا.",
    ),
    (
        "blocked_content",
        "هذا المحتوى من {host} محجوب حتى تسمح بـ «{purpose}».",
    ),
    ("allow_and_load", "السماح والتحميل"),
    ("blocked_region", "محتوى محجوب"),
];

/// The built-in texts for a language tag (by primary subtag), English otherwise.
fn builtin(lang: &str) -> &'static [(&'static str, &'static str)] {
    match lang
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "de" => DE,
        "fr" => FR,
        "es" => ES,
        "pt" => PT_BR,
        "ko" => KO,
        "ar" => AR,
        _ => EN,
    }
}

/// Every built-in text as `lang \t key \t text` lines, in a fixed order: the server hashes
/// them into the banner build it records on every event (`banner_build`), so each event pins
/// the banner's words as it pins its code.
pub fn fingerprint() -> String {
    let tables = [
        ("en", EN),
        ("de", DE),
        ("fr", FR),
        ("es", ES),
        ("pt-BR", PT_BR),
        ("ko", KO),
        ("ar", AR),
    ];
    let mut out = String::new();
    for (lang, table) in tables {
        for (key, text) in table {
            out.push_str(&format!("{lang}\t{key}\t{text}\n"));
        }
    }
    out
}

/// Every text key ([`BannerTexts::KEYS`], English's order): the keys a notice's `ui_texts`
/// may override.
pub fn keys() -> impl Iterator<Item = &'static str> {
    BannerTexts::KEYS.iter().copied()
}

/// The banner's words for a language, with a notice's overrides for that language applied.
pub fn resolve(lang: &str, overrides: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut texts: BTreeMap<String, String> = builtin(lang)
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    texts.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_lists_the_banners_keys_in_their_order() {
        let english: Vec<&str> = EN.iter().map(|(k, _)| *k).collect();
        assert_eq!(english, BannerTexts::KEYS);
    }

    #[test]
    fn every_language_has_every_text_and_nothing_else() {
        let english: Vec<&str> = keys().collect();
        for table in [EN, DE, FR, ES, PT_BR, KO, AR] {
            let mut ks: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
            let mut want = english.clone();
            ks.sort_unstable();
            want.sort_unstable();
            assert_eq!(ks, want);
            assert!(table.iter().all(|(_, v)| !v.is_empty()));
        }
    }

    #[test]
    fn the_fingerprint_changes_with_any_text() {
        let fingerprint = fingerprint();
        assert_eq!(fingerprint.lines().count(), 7 * keys().count());
        assert!(fingerprint.contains("de\treject_all\tAlle ablehnen\n"));
    }

    #[test]
    fn resolves_by_primary_subtag_with_overrides_on_top() {
        let overrides = BTreeMap::from([("accept_all".to_owned(), "Alle erlauben".to_owned())]);
        let de = resolve("de-AT", &overrides);
        assert_eq!(de["accept_all"], "Alle erlauben");
        assert_eq!(de["reject_all"], "Alle ablehnen");
        assert_eq!(resolve("pt-BR", &BTreeMap::new())["save"], "Salvar escolhas");
        assert_eq!(resolve("xx", &BTreeMap::new())["customize"], "Customize");
    }
}
