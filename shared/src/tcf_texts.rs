//! The words of the banner's IAB TCF layer, in the languages Assent ships: the frame around
//! the Global Vendor List's own texts (purpose and vendor names come from the list and its
//! translations). Sent with a site's list (`SiteGvlResponse::texts`), so only TCF sites'
//! visitors download them. What the first layer must say is the TCF Policy's (v5, Appendix
//! B "User Interface Requirements", B(c)): the number of vendors, the purposes and special
//! features (or stacks), that some vendors rely on legitimate interest and that the user
//! may object, and that choices can be changed or withdrawn at any time.
//! `{count}` and `{n}` are filled in by the banner.

use std::collections::BTreeMap;

crate::banner_texts::text_keys!(
    /// The TCF layer's words in one language, borrowed from `SiteGvlResponse::texts`.
    TcfTexts {
        intro,
        legitimate_interest_notice,
        purposes,
        special_purposes,
        features,
        special_features,
        partners,
        search,
        no_match,
        consent,
        legitimate_interest,
        retention,
        days,
        data_categories,
        storage,
        cookies_up_to,
        no_cookies,
        other_storage,
        privacy_policy,
        legitimate_interest_claim,
        examples,
    }
);

const EN: &[(&str, &str)] = &[
    (
        "intro",
        "We and our {count} partners store and access information on your device, such as cookies and unique identifiers, and process personal data for the purposes below. Your choice applies to this site only. You can change it or withdraw your consent at any time under “Privacy choices”.",
    ),
    (
        "legitimate_interest_notice",
        "Some partners process personal data on the basis of their legitimate interest, without asking for consent. You have the right to object to it under “Customize”.",
    ),
    ("purposes", "Purposes"),
    ("special_purposes", "Special purposes"),
    ("features", "Features"),
    ("special_features", "Special features"),
    ("partners", "Partners ({count})"),
    ("search", "Search partners"),
    ("no_match", "No partner matches your search."),
    ("consent", "Consent"),
    ("legitimate_interest", "Legitimate interest"),
    ("retention", "Keeps data for"),
    ("days", "{n} days"),
    ("data_categories", "Data used"),
    ("storage", "Device storage"),
    ("cookies_up_to", "cookies for up to {n} days"),
    ("no_cookies", "no cookies"),
    ("other_storage", "other device storage too"),
    ("privacy_policy", "Privacy policy"),
    ("legitimate_interest_claim", "Legitimate interest at stake"),
    ("examples", "Examples"),
];

const DE: &[(&str, &str)] = &[
    (
        "intro",
        "Wir und unsere {count} Partner speichern Informationen auf Ihrem Gerät und greifen darauf zu, etwa Cookies und eindeutige Kennungen, und verarbeiten personenbezogene Daten für die unten genannten Zwecke. Ihre Wahl gilt nur für diese Website. Sie können sie jederzeit unter „Datenschutz-Einstellungen“ ändern oder Ihre Einwilligung widerrufen.",
    ),
    (
        "legitimate_interest_notice",
        "Einige Partner verarbeiten personenbezogene Daten auf Grundlage ihres berechtigten Interesses, ohne um Einwilligung zu bitten. Sie haben das Recht, dem unter „Anpassen“ zu widersprechen.",
    ),
    ("purposes", "Zwecke"),
    ("special_purposes", "Besondere Zwecke"),
    ("features", "Funktionen"),
    ("special_features", "Besondere Funktionen"),
    ("partners", "Partner ({count})"),
    ("search", "Partner suchen"),
    ("no_match", "Kein Partner passt zu Ihrer Suche."),
    ("consent", "Einwilligung"),
    ("legitimate_interest", "Berechtigtes Interesse"),
    ("retention", "Speichert Daten für"),
    ("days", "{n} Tage"),
    ("data_categories", "Verwendete Daten"),
    ("storage", "Speicherung auf dem Gerät"),
    ("cookies_up_to", "Cookies für bis zu {n} Tage"),
    ("no_cookies", "keine Cookies"),
    ("other_storage", "auch andere Gerätespeicher"),
    ("privacy_policy", "Datenschutzerklärung"),
    ("legitimate_interest_claim", "Betroffenes berechtigtes Interesse"),
    ("examples", "Beispiele"),
];

const FR: &[(&str, &str)] = &[
    (
        "intro",
        "Nous et nos {count} partenaires stockons des informations sur votre appareil et y accédons, comme des cookies et des identifiants uniques, et traitons des données personnelles pour les finalités ci-dessous. Votre choix ne vaut que pour ce site. Vous pouvez le modifier ou retirer votre consentement à tout moment via « Choix de confidentialité ».",
    ),
    (
        "legitimate_interest_notice",
        "Certains partenaires traitent des données personnelles sur la base de leur intérêt légitime, sans demander votre consentement. Vous avez le droit de vous y opposer via « Personnaliser ».",
    ),
    ("purposes", "Finalités"),
    ("special_purposes", "Finalités spéciales"),
    ("features", "Fonctionnalités"),
    ("special_features", "Fonctionnalités spéciales"),
    ("partners", "Partenaires ({count})"),
    ("search", "Rechercher un partenaire"),
    ("no_match", "Aucun partenaire ne correspond à votre recherche."),
    ("consent", "Consentement"),
    ("legitimate_interest", "Intérêt légitime"),
    ("retention", "Conserve les données"),
    ("days", "{n} jours"),
    ("data_categories", "Données utilisées"),
    ("storage", "Stockage sur l’appareil"),
    ("cookies_up_to", "cookies jusqu’à {n} jours"),
    ("no_cookies", "aucun cookie"),
    ("other_storage", "ainsi qu’un autre stockage sur l’appareil"),
    ("privacy_policy", "Politique de confidentialité"),
    ("legitimate_interest_claim", "Intérêt légitime en jeu"),
    ("examples", "Exemples"),
];

const ES: &[(&str, &str)] = &[
    (
        "intro",
        "Nosotros y nuestros {count} socios almacenamos información en su dispositivo y accedemos a ella, como cookies e identificadores únicos, y tratamos datos personales para los fines indicados a continuación. Su elección solo se aplica a este sitio. Puede cambiarla o retirar su consentimiento en cualquier momento en «Opciones de privacidad».",
    ),
    (
        "legitimate_interest_notice",
        "Algunos socios tratan datos personales basándose en su interés legítimo, sin pedir su consentimiento. Tiene derecho a oponerse en «Personalizar».",
    ),
    ("purposes", "Finalidades"),
    ("special_purposes", "Finalidades especiales"),
    ("features", "Funciones"),
    ("special_features", "Funciones especiales"),
    ("partners", "Socios ({count})"),
    ("search", "Buscar socios"),
    ("no_match", "Ningún socio coincide con su búsqueda."),
    ("consent", "Consentimiento"),
    ("legitimate_interest", "Interés legítimo"),
    ("retention", "Conserva los datos"),
    ("days", "{n} días"),
    ("data_categories", "Datos utilizados"),
    ("storage", "Almacenamiento en el dispositivo"),
    ("cookies_up_to", "cookies de hasta {n} días"),
    ("no_cookies", "sin cookies"),
    ("other_storage", "también otro almacenamiento del dispositivo"),
    ("privacy_policy", "Política de privacidad"),
    ("legitimate_interest_claim", "Interés legítimo en juego"),
    ("examples", "Ejemplos"),
];

const PT_BR: &[(&str, &str)] = &[
    (
        "intro",
        "Nós e nossos {count} parceiros armazenamos e acessamos informações no seu dispositivo, como cookies e identificadores únicos, e tratamos dados pessoais para as finalidades abaixo. Sua escolha vale apenas para este site. Você pode alterá-la ou retirar seu consentimento a qualquer momento em “Escolhas de privacidade”.",
    ),
    (
        "legitimate_interest_notice",
        "Alguns parceiros tratam dados pessoais com base em seu interesse legítimo, sem pedir consentimento. Você tem o direito de se opor em “Personalizar”.",
    ),
    ("purposes", "Finalidades"),
    ("special_purposes", "Finalidades especiais"),
    ("features", "Recursos"),
    ("special_features", "Recursos especiais"),
    ("partners", "Parceiros ({count})"),
    ("search", "Buscar parceiros"),
    ("no_match", "Nenhum parceiro corresponde à sua busca."),
    ("consent", "Consentimento"),
    ("legitimate_interest", "Interesse legítimo"),
    ("retention", "Guarda os dados por"),
    ("days", "{n} dias"),
    ("data_categories", "Dados usados"),
    ("storage", "Armazenamento no dispositivo"),
    ("cookies_up_to", "cookies por até {n} dias"),
    ("no_cookies", "sem cookies"),
    ("other_storage", "também outro armazenamento do dispositivo"),
    ("privacy_policy", "Política de privacidade"),
    ("legitimate_interest_claim", "Interesse legítimo em questão"),
    ("examples", "Exemplos"),
];

const KO: &[(&str, &str)] = &[
    (
        "intro",
        "당사와 {count}개 파트너는 쿠키 및 고유 식별자 등 기기의 정보를 저장하고 이에 접근하며, 아래 목적을 위해 개인정보를 처리합니다. 선택은 이 사이트에만 적용됩니다. ‘개인정보 선택’에서 언제든지 변경하거나 동의를 철회할 수 있습니다.",
    ),
    (
        "legitimate_interest_notice",
        "일부 파트너는 동의를 구하지 않고 정당한 이익을 근거로 개인정보를 처리합니다. ‘사용자 지정’에서 이에 반대할 권리가 있습니다.",
    ),
    ("purposes", "목적"),
    ("special_purposes", "특별 목적"),
    ("features", "기능"),
    ("special_features", "특별 기능"),
    ("partners", "파트너 ({count})"),
    ("search", "파트너 검색"),
    ("no_match", "검색과 일치하는 파트너가 없습니다."),
    ("consent", "동의"),
    ("legitimate_interest", "정당한 이익"),
    ("retention", "데이터 보관 기간"),
    ("days", "{n}일"),
    ("data_categories", "사용하는 데이터"),
    ("storage", "기기 저장소"),
    ("cookies_up_to", "최대 {n}일 동안 쿠키 사용"),
    ("no_cookies", "쿠키 없음"),
    ("other_storage", "다른 기기 저장소도 사용"),
    ("privacy_policy", "개인정보 처리방침"),
    ("legitimate_interest_claim", "관련된 정당한 이익"),
    ("examples", "예시"),
];

const AR: &[(&str, &str)] = &[
    (
        "intro",
        "نحن وشركاؤنا البالغ عددهم {count} نخزّن معلومات على جهازك ونصل إليها، مثل ملفات تعريف الارتباط والمعرّفات الفريدة، ونعالج البيانات الشخصية للأغراض المذكورة أدناه. ينطبق اختيارك على هذا الموقع فقط. يمكنك تغييره أو سحب موافقتك في أي وقت من «خيارات الخصوصية».",
    ),
    (
        "legitimate_interest_notice",
        "يعالج بعض الشركاء البيانات الشخصية استنادًا إلى مصلحتهم المشروعة دون طلب موافقتك. يحق لك الاعتراض على ذلك من «تخصيص».",
    ),
    ("purposes", "الأغراض"),
    ("special_purposes", "أغراض خاصة"),
    ("features", "الميزات"),
    ("special_features", "ميزات خاصة"),
    ("partners", "الشركاء ({count})"),
    ("search", "ابحث عن شريك"),
    ("no_match", "لا يوجد شريك يطابق بحثك."),
    ("consent", "الموافقة"),
    ("legitimate_interest", "المصلحة المشروعة"),
    ("retention", "يحتفظ بالبيانات لمدة"),
    ("days", "{n} يومًا"),
    ("data_categories", "البيانات المستخدمة"),
    ("storage", "التخزين على الجهاز"),
    ("cookies_up_to", "ملفات تعريف ارتباط حتى {n} يومًا"),
    ("no_cookies", "بلا ملفات تعريف ارتباط"),
    ("other_storage", "وتخزين آخر على الجهاز أيضًا"),
    ("privacy_policy", "سياسة الخصوصية"),
    ("legitimate_interest_claim", "المصلحة المشروعة المعنية"),
    ("examples", "أمثلة"),
];

const TABLES: [(&str, &[(&str, &str)]); 7] = [
    ("en", EN),
    ("de", DE),
    ("fr", FR),
    ("es", ES),
    ("pt-BR", PT_BR),
    ("ko", KO),
    ("ar", AR),
];

/// The TCF layer's words for a language tag (by primary subtag), English otherwise.
pub fn resolve(lang: &str) -> BTreeMap<String, String> {
    let primary = lang.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    let table = TABLES
        .iter()
        .find(|(tag, _)| tag.split('-').next() == Some(primary.as_str()))
        .map_or(EN, |(_, table)| *table);
    table.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// Every built-in text as `tcf:lang \t key \t text` lines, in a fixed order: hashed into the
/// TCF banner's build (`banner_build`) beside [`crate::ui_texts::fingerprint`], so an event
/// pins these words as it pins the code.
pub fn fingerprint() -> String {
    let mut out = String::new();
    for (lang, table) in TABLES {
        for (key, text) in table {
            out.push_str(&format!("tcf:{lang}\t{key}\t{text}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_lists_the_keys_in_their_order() {
        let english: Vec<&str> = EN.iter().map(|(k, _)| *k).collect();
        assert_eq!(english, TcfTexts::KEYS);
    }

    #[test]
    fn every_language_has_every_text_with_its_placeholders() {
        for (lang, table) in TABLES {
            let mut keys: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
            let mut want = TcfTexts::KEYS.to_vec();
            keys.sort_unstable();
            want.sort_unstable();
            assert_eq!(keys, want, "{lang}");
            for (key, text) in table {
                assert!(!text.is_empty(), "{lang} {key}");
                let english = EN.iter().find(|(k, _)| k == key).map(|(_, t)| *t).unwrap_or_default();
                for placeholder in ["{count}", "{n}"] {
                    assert_eq!(
                        text.contains(placeholder),
                        english.contains(placeholder),
                        "{lang} {key}: {placeholder}"
                    );
                }
            }
        }
    }

    #[test]
    fn resolves_by_primary_subtag_and_falls_back_to_english() {
        assert_eq!(resolve("de-AT")["purposes"], "Zwecke");
        assert_eq!(resolve("pt-BR")["consent"], "Consentimento");
        assert_eq!(resolve("xx")["search"], "Search partners");
        let texts = resolve("fr");
        assert_eq!(TcfTexts::from_map(&texts).partners, "Partenaires ({count})");
    }

    #[test]
    fn the_fingerprint_covers_every_text() {
        let fingerprint = fingerprint();
        assert_eq!(fingerprint.lines().count(), 7 * TcfTexts::KEYS.len());
        assert!(fingerprint.contains("tcf:de\tpurposes\tZwecke\n"));
    }
}
