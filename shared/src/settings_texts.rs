//! The privacy-settings page's own words, in the languages Assent ships (those of
//! [`crate::ui_texts`]). The words it shares with the banner (legal bases, *Retention*,
//! *Services and cookies*, the GPC notice…) come with the notice, resolved by the server
//! with the site's overrides; only what the banner never says is here. `{name}` marks a
//! value the page fills in.

const EN: &[(&str, &str)] = &[
    ("title", "Privacy settings"),
    (
        "intro",
        "What this site uses your data for, on which legal basis, and what you chose. You can change any choice here at any time; withdrawing is as easy as giving consent.",
    ),
    ("loading", "Loading your settings…"),
    (
        "load_failed",
        "Your settings could not be loaded. Try again in a moment.",
    ),
    ("no_choice", "You have not made a choice on this site yet."),
    ("purposes_heading", "What your data is used for"),
    ("data_used", "Data used"),
    ("state_on", "On"),
    ("state_off", "Off"),
    ("object", "Object"),
    ("objected", "You objected to this processing."),
    ("lift_objection", "Withdraw my objection"),
    (
        "li_explain",
        "This runs on the site's legitimate interests, without asking first. You have the right to object at any time; the site then stops unless it shows compelling legitimate grounds.",
    ),
    (
        "contract_reason",
        "Needed to provide the service you asked for, so there is nothing to switch off here.",
    ),
    (
        "obligation_reason",
        "Required by law, so there is nothing to switch off here.",
    ),
    ("set_via", "Set {when} via {how}"),
    ("how_banner", "the banner"),
    ("how_panel", "the banner's preferences"),
    ("how_settings_page", "this settings page"),
    ("how_signal", "your browser's Global Privacy Control signal"),
    ("how_system", "expiry"),
    ("how_account", "another device of your account"),
    ("how_api", "the site"),
    ("history_heading", "Your history"),
    ("history_empty", "Nothing recorded yet."),
    ("m_accept_all", "Accepted all"),
    ("m_reject_all", "Rejected all"),
    ("m_save", "Saved a choice"),
    ("m_close", "Closed the banner (a refusal)"),
    ("m_withdraw", "Withdrew consent"),
    ("m_object", "Objected"),
    ("m_gpc", "Global Privacy Control opt-out"),
    ("m_expire", "Consent expired"),
    ("m_api", "Recorded by the site"),
    ("m_sync", "Adopted from another device"),
    ("notice_version", "Notice version {version}"),
    ("text_at_the_time", "Text shown at the time"),
    ("receipt", "Download receipt"),
    ("verify", "Verify"),
    ("verifying", "Verifying…"),
    (
        "verified",
        "Verified. The receipt carries a valid signature of key {kid}, published by {issuer}; the hash it signs equals this event's hash recomputed in your browser, and the event links to the one before it.",
    ),
    ("not_verified", "Not verified: {reason}"),
    (
        "verify_scope",
        "This proves that this server signs exactly this record today, linked into your history. To show it has not been changed since it was made, keep the receipt you get now: a later copy that differs would be evident. It does not prove who was using the browser.",
    ),
    ("rights_heading", "Your data"),
    ("export_json", "Download my records (JSON)"),
    ("export_csv", "Download my records (CSV)"),
    ("erase", "Erase my choices"),
    (
        "erase_explain",
        "Erasing deletes what links these records to you: this browser's identifier stops working, your current choices are deleted, and the site asks you again. The records themselves stay, with nothing that identifies you, as the evidence of consent the site must keep.",
    ),
    ("erase_confirm", "Erase now"),
    ("cancel", "Cancel"),
    ("erased", "Erased. The site will ask you again."),
    ("saved", "Saved."),
    ("save_failed", "Not saved: {reason}"),
    (
        "session_over",
        "No session is open on this page. Open it through the privacy link on the site: a link works once, for five minutes.",
    ),
    ("back_to_site", "Back to the site"),
];

const DE: &[(&str, &str)] = &[
    ("title", "Datenschutzeinstellungen"),
    (
        "intro",
        "Wofür diese Website Ihre Daten nutzt, auf welcher Rechtsgrundlage, und was Sie gewählt haben. Sie können jede Wahl hier jederzeit ändern; der Widerruf ist so einfach wie die Einwilligung.",
    ),
    ("loading", "Ihre Einstellungen werden geladen…"),
    (
        "load_failed",
        "Ihre Einstellungen konnten nicht geladen werden. Versuchen Sie es gleich noch einmal.",
    ),
    ("no_choice", "Sie haben auf dieser Website noch keine Wahl getroffen."),
    ("purposes_heading", "Wofür Ihre Daten genutzt werden"),
    ("data_used", "Genutzte Daten"),
    ("state_on", "An"),
    ("state_off", "Aus"),
    ("object", "Widersprechen"),
    ("objected", "Sie haben dieser Verarbeitung widersprochen."),
    ("lift_objection", "Widerspruch zurücknehmen"),
    (
        "li_explain",
        "Dies geschieht auf Grundlage berechtigter Interessen der Website, ohne vorherige Frage. Sie können jederzeit widersprechen; die Website hört dann auf, sofern sie keine zwingenden schutzwürdigen Gründe nachweist.",
    ),
    (
        "contract_reason",
        "Nötig, um den gewünschten Dienst zu erbringen; hier gibt es daher nichts abzuschalten.",
    ),
    (
        "obligation_reason",
        "Gesetzlich vorgeschrieben; hier gibt es daher nichts abzuschalten.",
    ),
    ("set_via", "Festgelegt {when} über {how}"),
    ("how_banner", "das Banner"),
    ("how_panel", "die Einstellungen des Banners"),
    ("how_settings_page", "diese Einstellungsseite"),
    ("how_signal", "das Global-Privacy-Control-Signal Ihres Browsers"),
    ("how_system", "Ablauf"),
    ("how_account", "ein anderes Gerät Ihres Kontos"),
    ("how_api", "die Website"),
    ("history_heading", "Ihr Verlauf"),
    ("history_empty", "Noch nichts aufgezeichnet."),
    ("m_accept_all", "Alle akzeptiert"),
    ("m_reject_all", "Alle abgelehnt"),
    ("m_save", "Auswahl gespeichert"),
    ("m_close", "Banner geschlossen (eine Ablehnung)"),
    ("m_withdraw", "Einwilligung widerrufen"),
    ("m_object", "Widersprochen"),
    ("m_gpc", "Widerspruch per Global Privacy Control"),
    ("m_expire", "Einwilligung abgelaufen"),
    ("m_api", "Von der Website aufgezeichnet"),
    ("m_sync", "Von einem anderen Gerät übernommen"),
    ("notice_version", "Hinweis, Version {version}"),
    ("text_at_the_time", "Damals gezeigter Text"),
    ("receipt", "Beleg herunterladen"),
    ("verify", "Prüfen"),
    ("verifying", "Wird geprüft…"),
    (
        "verified",
        "Geprüft. Der Beleg trägt eine gültige Signatur des Schlüssels {kid}, veröffentlicht von {issuer}; der signierte Hash stimmt mit dem in Ihrem Browser neu berechneten Hash dieses Ereignisses überein, und das Ereignis ist mit dem vorherigen verkettet.",
    ),
    ("not_verified", "Nicht bestätigt: {reason}"),
    (
        "verify_scope",
        "Das beweist, dass dieser Server genau diesen Eintrag heute signiert, verkettet mit Ihrem Verlauf. Um zu zeigen, dass er seit seiner Entstehung nicht verändert wurde, bewahren Sie den Beleg auf, den Sie jetzt erhalten: eine spätere abweichende Fassung wäre erkennbar. Es beweist nicht, wer den Browser benutzt hat.",
    ),
    ("rights_heading", "Ihre Daten"),
    ("export_json", "Meine Aufzeichnungen herunterladen (JSON)"),
    ("export_csv", "Meine Aufzeichnungen herunterladen (CSV)"),
    ("erase", "Meine Auswahl löschen"),
    (
        "erase_explain",
        "Beim Löschen wird entfernt, was diese Aufzeichnungen mit Ihnen verbindet: Die Kennung dieses Browsers wird ungültig, Ihre aktuelle Auswahl wird gelöscht, und die Website fragt Sie erneut. Die Aufzeichnungen selbst bleiben ohne alles, was Sie identifiziert, als Nachweis der Einwilligung erhalten, den die Website aufbewahren muss.",
    ),
    ("erase_confirm", "Jetzt löschen"),
    ("cancel", "Abbrechen"),
    ("erased", "Gelöscht. Die Website fragt Sie erneut."),
    ("saved", "Gespeichert."),
    ("save_failed", "Nicht gespeichert: {reason}"),
    (
        "session_over",
        "Auf dieser Seite ist keine Sitzung offen. Öffnen Sie sie über den Datenschutz-Link der Website: Ein Link funktioniert einmal, fünf Minuten lang.",
    ),
    ("back_to_site", "Zurück zur Website"),
];

const FR: &[(&str, &str)] = &[
    ("title", "Paramètres de confidentialité"),
    (
        "intro",
        "À quoi ce site utilise vos données, sur quelle base légale, et ce que vous avez choisi. Vous pouvez modifier chaque choix ici à tout moment ; retirer son consentement est aussi simple que le donner.",
    ),
    ("loading", "Chargement de vos paramètres…"),
    (
        "load_failed",
        "Vos paramètres n'ont pas pu être chargés. Réessayez dans un instant.",
    ),
    ("no_choice", "Vous n'avez encore fait aucun choix sur ce site."),
    ("purposes_heading", "À quoi servent vos données"),
    ("data_used", "Données utilisées"),
    ("state_on", "Activé"),
    ("state_off", "Désactivé"),
    ("object", "M'opposer"),
    ("objected", "Vous vous êtes opposé à ce traitement."),
    ("lift_objection", "Retirer mon opposition"),
    (
        "li_explain",
        "Ce traitement repose sur l'intérêt légitime du site, sans demande préalable. Vous pouvez vous y opposer à tout moment ; le site cesse alors, sauf motifs légitimes et impérieux.",
    ),
    (
        "contract_reason",
        "Nécessaire pour fournir le service que vous avez demandé : rien à désactiver ici.",
    ),
    ("obligation_reason", "Exigé par la loi : rien à désactiver ici."),
    ("set_via", "Défini {when} via {how}"),
    ("how_banner", "le bandeau"),
    ("how_panel", "les préférences du bandeau"),
    ("how_settings_page", "cette page de paramètres"),
    ("how_signal", "le signal Global Privacy Control de votre navigateur"),
    ("how_system", "expiration"),
    ("how_account", "un autre appareil de votre compte"),
    ("how_api", "le site"),
    ("history_heading", "Votre historique"),
    ("history_empty", "Rien d'enregistré pour l'instant."),
    ("m_accept_all", "Tout accepté"),
    ("m_reject_all", "Tout refusé"),
    ("m_save", "Choix enregistré"),
    ("m_close", "Bandeau fermé (un refus)"),
    ("m_withdraw", "Consentement retiré"),
    ("m_object", "Opposition"),
    ("m_gpc", "Refus par Global Privacy Control"),
    ("m_expire", "Consentement expiré"),
    ("m_api", "Enregistré par le site"),
    ("m_sync", "Repris d'un autre appareil"),
    ("notice_version", "Version {version} de l'information"),
    ("text_at_the_time", "Texte affiché à ce moment"),
    ("receipt", "Télécharger le reçu"),
    ("verify", "Vérifier"),
    ("verifying", "Vérification…"),
    (
        "verified",
        "Vérifié. Le reçu porte une signature valide de la clé {kid}, publiée par {issuer} ; l'empreinte signée est égale à celle de cet événement recalculée dans votre navigateur, et l'événement est chaîné au précédent.",
    ),
    ("not_verified", "Non vérifié : {reason}"),
    (
        "verify_scope",
        "Cela prouve que ce serveur signe aujourd'hui exactement cet enregistrement, chaîné à votre historique. Pour montrer qu'il n'a pas changé depuis sa création, conservez le reçu obtenu maintenant : une copie ultérieure différente serait manifeste. Cela ne prouve pas qui utilisait le navigateur.",
    ),
    ("rights_heading", "Vos données"),
    ("export_json", "Télécharger mes enregistrements (JSON)"),
    ("export_csv", "Télécharger mes enregistrements (CSV)"),
    ("erase", "Effacer mes choix"),
    (
        "erase_explain",
        "L'effacement supprime ce qui relie ces enregistrements à vous : l'identifiant de ce navigateur cesse de fonctionner, vos choix actuels sont supprimés et le site vous redemande. Les enregistrements eux-mêmes restent, sans rien qui vous identifie, comme preuve du consentement que le site doit conserver.",
    ),
    ("erase_confirm", "Effacer maintenant"),
    ("cancel", "Annuler"),
    ("erased", "Effacé. Le site vous redemandera."),
    ("saved", "Enregistré."),
    ("save_failed", "Non enregistré : {reason}"),
    (
        "session_over",
        "Aucune session n'est ouverte sur cette page. Ouvrez-la par le lien de confidentialité du site : un lien fonctionne une fois, pendant cinq minutes.",
    ),
    ("back_to_site", "Retour au site"),
];

const ES: &[(&str, &str)] = &[
    ("title", "Configuración de privacidad"),
    (
        "intro",
        "Para qué usa este sitio tus datos, con qué base jurídica y qué elegiste. Puedes cambiar cualquier elección aquí en cualquier momento; retirar el consentimiento es tan fácil como darlo.",
    ),
    ("loading", "Cargando tu configuración…"),
    (
        "load_failed",
        "No se pudo cargar tu configuración. Inténtalo de nuevo en un momento.",
    ),
    ("no_choice", "Aún no has elegido nada en este sitio."),
    ("purposes_heading", "Para qué se usan tus datos"),
    ("data_used", "Datos utilizados"),
    ("state_on", "Activado"),
    ("state_off", "Desactivado"),
    ("object", "Oponerme"),
    ("objected", "Te opusiste a este tratamiento."),
    ("lift_objection", "Retirar mi oposición"),
    (
        "li_explain",
        "Esto se basa en el interés legítimo del sitio, sin preguntar antes. Puedes oponerte en cualquier momento; el sitio deja de hacerlo salvo que acredite motivos legítimos imperiosos.",
    ),
    (
        "contract_reason",
        "Necesario para prestar el servicio que pediste, así que aquí no hay nada que desactivar.",
    ),
    (
        "obligation_reason",
        "Lo exige la ley, así que aquí no hay nada que desactivar.",
    ),
    ("set_via", "Establecido {when} mediante {how}"),
    ("how_banner", "el banner"),
    ("how_panel", "las preferencias del banner"),
    ("how_settings_page", "esta página de configuración"),
    ("how_signal", "la señal Global Privacy Control de tu navegador"),
    ("how_system", "caducidad"),
    ("how_account", "otro dispositivo de tu cuenta"),
    ("how_api", "el sitio"),
    ("history_heading", "Tu historial"),
    ("history_empty", "Aún no hay nada registrado."),
    ("m_accept_all", "Aceptaste todo"),
    ("m_reject_all", "Rechazaste todo"),
    ("m_save", "Guardaste una elección"),
    ("m_close", "Cerraste el banner (un rechazo)"),
    ("m_withdraw", "Retiraste el consentimiento"),
    ("m_object", "Te opusiste"),
    ("m_gpc", "Exclusión por Global Privacy Control"),
    ("m_expire", "El consentimiento caducó"),
    ("m_api", "Registrado por el sitio"),
    ("m_sync", "Adoptado de otro dispositivo"),
    ("notice_version", "Versión {version} del aviso"),
    ("text_at_the_time", "Texto mostrado entonces"),
    ("receipt", "Descargar recibo"),
    ("verify", "Verificar"),
    ("verifying", "Verificando…"),
    (
        "verified",
        "Verificado. El recibo lleva una firma válida de la clave {kid}, publicada por {issuer}; el hash firmado es igual al hash de este evento recalculado en tu navegador, y el evento está encadenado al anterior.",
    ),
    ("not_verified", "No verificado: {reason}"),
    (
        "verify_scope",
        "Esto prueba que este servidor firma hoy exactamente este registro, encadenado a tu historial. Para demostrar que no ha cambiado desde que se creó, guarda el recibo que obtienes ahora: una copia posterior distinta sería evidente. No prueba quién usaba el navegador.",
    ),
    ("rights_heading", "Tus datos"),
    ("export_json", "Descargar mis registros (JSON)"),
    ("export_csv", "Descargar mis registros (CSV)"),
    ("erase", "Borrar mis elecciones"),
    (
        "erase_explain",
        "Borrar elimina lo que vincula estos registros contigo: el identificador de este navegador deja de funcionar, tus elecciones actuales se eliminan y el sitio vuelve a preguntarte. Los registros permanecen, sin nada que te identifique, como la prueba del consentimiento que el sitio debe conservar.",
    ),
    ("erase_confirm", "Borrar ahora"),
    ("cancel", "Cancelar"),
    ("erased", "Borrado. El sitio volverá a preguntarte."),
    ("saved", "Guardado."),
    ("save_failed", "No guardado: {reason}"),
    (
        "session_over",
        "No hay ninguna sesión abierta en esta página. Ábrela con el enlace de privacidad del sitio: un enlace funciona una vez, durante cinco minutos.",
    ),
    ("back_to_site", "Volver al sitio"),
];

const PT_BR: &[(&str, &str)] = &[
    ("title", "Configurações de privacidade"),
    (
        "intro",
        "Para que este site usa seus dados, com qual base legal e o que você escolheu. Você pode mudar qualquer escolha aqui a qualquer momento; revogar é tão fácil quanto consentir.",
    ),
    ("loading", "Carregando suas configurações…"),
    (
        "load_failed",
        "Não foi possível carregar suas configurações. Tente de novo em instantes.",
    ),
    ("no_choice", "Você ainda não fez nenhuma escolha neste site."),
    ("purposes_heading", "Para que seus dados são usados"),
    ("data_used", "Dados usados"),
    ("state_on", "Ativado"),
    ("state_off", "Desativado"),
    ("object", "Opor-me"),
    ("objected", "Você se opôs a este tratamento."),
    ("lift_objection", "Retirar minha oposição"),
    (
        "li_explain",
        "Isto se baseia no legítimo interesse do site, sem perguntar antes. Você pode se opor a qualquer momento; o site então para, salvo se demonstrar motivos legítimos imperiosos.",
    ),
    (
        "contract_reason",
        "Necessário para prestar o serviço que você pediu; não há nada a desativar aqui.",
    ),
    ("obligation_reason", "Exigido por lei; não há nada a desativar aqui."),
    ("set_via", "Definido {when} por {how}"),
    ("how_banner", "o banner"),
    ("how_panel", "as preferências do banner"),
    ("how_settings_page", "esta página de configurações"),
    ("how_signal", "o sinal Global Privacy Control do seu navegador"),
    ("how_system", "expiração"),
    ("how_account", "outro dispositivo da sua conta"),
    ("how_api", "o site"),
    ("history_heading", "Seu histórico"),
    ("history_empty", "Nada registrado ainda."),
    ("m_accept_all", "Aceitou tudo"),
    ("m_reject_all", "Rejeitou tudo"),
    ("m_save", "Salvou uma escolha"),
    ("m_close", "Fechou o banner (uma recusa)"),
    ("m_withdraw", "Revogou o consentimento"),
    ("m_object", "Opôs-se"),
    ("m_gpc", "Recusa por Global Privacy Control"),
    ("m_expire", "Consentimento expirado"),
    ("m_api", "Registrado pelo site"),
    ("m_sync", "Adotado de outro dispositivo"),
    ("notice_version", "Versão {version} do aviso"),
    ("text_at_the_time", "Texto exibido na época"),
    ("receipt", "Baixar recibo"),
    ("verify", "Verificar"),
    ("verifying", "Verificando…"),
    (
        "verified",
        "Verificado. O recibo tem uma assinatura válida da chave {kid}, publicada por {issuer}; o hash assinado é igual ao hash deste evento recalculado no seu navegador, e o evento está encadeado ao anterior.",
    ),
    ("not_verified", "Não verificado: {reason}"),
    (
        "verify_scope",
        "Isso prova que este servidor assina hoje exatamente este registro, encadeado ao seu histórico. Para mostrar que ele não mudou desde que foi feito, guarde o recibo que você obtém agora: uma cópia posterior diferente seria evidente. Não prova quem usava o navegador.",
    ),
    ("rights_heading", "Seus dados"),
    ("export_json", "Baixar meus registros (JSON)"),
    ("export_csv", "Baixar meus registros (CSV)"),
    ("erase", "Apagar minhas escolhas"),
    (
        "erase_explain",
        "Apagar remove o que liga estes registros a você: o identificador deste navegador deixa de funcionar, suas escolhas atuais são excluídas e o site pergunta de novo. Os registros em si permanecem, sem nada que identifique você, como a prova de consentimento que o site precisa guardar.",
    ),
    ("erase_confirm", "Apagar agora"),
    ("cancel", "Cancelar"),
    ("erased", "Apagado. O site vai perguntar de novo."),
    ("saved", "Salvo."),
    ("save_failed", "Não salvo: {reason}"),
    (
        "session_over",
        "Nenhuma sessão está aberta nesta página. Abra-a pelo link de privacidade do site: um link funciona uma vez, por cinco minutos.",
    ),
    ("back_to_site", "Voltar ao site"),
];

const KO: &[(&str, &str)] = &[
    ("title", "개인정보 설정"),
    (
        "intro",
        "이 사이트가 귀하의 데이터를 어떤 목적으로, 어떤 법적 근거에 따라 이용하는지와 귀하의 선택을 보여 줍니다. 언제든지 여기에서 선택을 바꿀 수 있으며, 철회는 동의만큼 쉽습니다.",
    ),
    ("loading", "설정을 불러오는 중…"),
    ("load_failed", "설정을 불러오지 못했습니다. 잠시 후 다시 시도해 주세요."),
    ("no_choice", "이 사이트에서 아직 선택하지 않으셨습니다."),
    ("purposes_heading", "데이터 이용 목적"),
    ("data_used", "이용하는 데이터"),
    ("state_on", "켜짐"),
    ("state_off", "꺼짐"),
    ("object", "처리 거부"),
    ("objected", "이 처리를 거부하셨습니다."),
    ("lift_objection", "거부 철회"),
    (
        "li_explain",
        "사이트의 정당한 이익에 근거하여 사전 동의 없이 처리됩니다. 언제든지 거부할 수 있으며, 사이트가 불가피한 정당한 사유를 입증하지 않는 한 처리가 중단됩니다.",
    ),
    (
        "contract_reason",
        "요청하신 서비스 제공에 필요하므로 여기에서 끌 수 있는 항목이 없습니다.",
    ),
    (
        "obligation_reason",
        "법률에 따라 필요하므로 여기에서 끌 수 있는 항목이 없습니다.",
    ),
    ("set_via", "{when}에 {how}(으)로 설정됨"),
    ("how_banner", "배너"),
    ("how_panel", "배너의 환경설정"),
    ("how_settings_page", "이 설정 페이지"),
    ("how_signal", "브라우저의 Global Privacy Control 신호"),
    ("how_system", "만료"),
    ("how_account", "계정의 다른 기기"),
    ("how_api", "사이트"),
    ("history_heading", "기록"),
    ("history_empty", "아직 기록이 없습니다."),
    ("m_accept_all", "모두 허용함"),
    ("m_reject_all", "모두 거부함"),
    ("m_save", "선택을 저장함"),
    ("m_close", "배너를 닫음(거부)"),
    ("m_withdraw", "동의를 철회함"),
    ("m_object", "처리를 거부함"),
    ("m_gpc", "Global Privacy Control 거부"),
    ("m_expire", "동의가 만료됨"),
    ("m_api", "사이트가 기록함"),
    ("m_sync", "다른 기기에서 가져옴"),
    ("notice_version", "고지 버전 {version}"),
    ("text_at_the_time", "당시 표시된 문구"),
    ("receipt", "영수증 다운로드"),
    ("verify", "검증"),
    ("verifying", "검증 중…"),
    (
        "verified",
        "검증됨. 영수증에 {issuer}가 공개한 키 {kid}의 유효한 서명이 있으며, 서명된 해시가 브라우저에서 다시 계산한 이 이벤트의 해시와 같고, 이벤트가 이전 이벤트와 연결되어 있습니다.",
    ),
    ("not_verified", "검증되지 않음: {reason}"),
    (
        "verify_scope",
        "이는 이 서버가 오늘 정확히 이 기록에 서명하며 귀하의 기록과 연결되어 있음을 증명합니다. 생성 이후 바뀌지 않았음을 보이려면 지금 받은 영수증을 보관하세요. 나중에 다른 사본이 나오면 드러납니다. 누가 브라우저를 사용했는지는 증명하지 않습니다.",
    ),
    ("rights_heading", "내 데이터"),
    ("export_json", "내 기록 다운로드(JSON)"),
    ("export_csv", "내 기록 다운로드(CSV)"),
    ("erase", "내 선택 삭제"),
    (
        "erase_explain",
        "삭제하면 이 기록과 귀하를 잇는 정보가 지워집니다. 이 브라우저의 식별자는 더 이상 작동하지 않고, 현재 선택이 삭제되며, 사이트가 다시 묻습니다. 기록 자체는 귀하를 식별할 수 있는 정보 없이, 사이트가 보관해야 하는 동의의 증거로 남습니다.",
    ),
    ("erase_confirm", "지금 삭제"),
    ("cancel", "취소"),
    ("erased", "삭제되었습니다. 사이트가 다시 묻습니다."),
    ("saved", "저장되었습니다."),
    ("save_failed", "저장되지 않음: {reason}"),
    (
        "session_over",
        "이 페이지에 열린 세션이 없습니다. 사이트의 개인정보 링크로 여세요. 링크는 5분 동안 한 번만 작동합니다.",
    ),
    ("back_to_site", "사이트로 돌아가기"),
];

const AR: &[(&str, &str)] = &[
    ("title", "إعدادات الخصوصية"),
    (
        "intro",
        "فيمَ يستخدم هذا الموقع بياناتك، وعلى أي أساس قانوني، وما الذي اخترته. يمكنك تغيير أي اختيار هنا في أي وقت؛ وسحب الموافقة سهل كمنحها.",
    ),
    ("loading", "جارٍ تحميل إعداداتك…"),
    ("load_failed", "تعذّر تحميل إعداداتك. حاول مرة أخرى بعد قليل."),
    ("no_choice", "لم تتخذ أي اختيار على هذا الموقع بعد."),
    ("purposes_heading", "فيمَ تُستخدم بياناتك"),
    ("data_used", "البيانات المستخدمة"),
    ("state_on", "مفعّل"),
    ("state_off", "معطّل"),
    ("object", "أعترض"),
    ("objected", "لقد اعترضت على هذه المعالجة."),
    ("lift_objection", "سحب اعتراضي"),
    (
        "li_explain",
        "تتم هذه المعالجة استنادًا إلى المصلحة المشروعة للموقع دون سؤال مسبق. يحق لك الاعتراض في أي وقت، فيتوقف الموقع ما لم يُثبت أسبابًا مشروعة قاهرة.",
    ),
    (
        "contract_reason",
        "ضروري لتقديم الخدمة التي طلبتها، لذا لا يوجد ما يمكن إيقافه هنا.",
    ),
    ("obligation_reason", "يفرضه القانون، لذا لا يوجد ما يمكن إيقافه هنا."),
    ("set_via", "حُدِّد {when} عبر {how}"),
    ("how_banner", "الشريط"),
    ("how_panel", "تفضيلات الشريط"),
    ("how_settings_page", "صفحة الإعدادات هذه"),
    ("how_signal", "إشارة Global Privacy Control من متصفحك"),
    ("how_system", "انتهاء الصلاحية"),
    ("how_account", "جهاز آخر في حسابك"),
    ("how_api", "الموقع"),
    ("history_heading", "سجلّك"),
    ("history_empty", "لم يُسجَّل شيء بعد."),
    ("m_accept_all", "قبلت الكل"),
    ("m_reject_all", "رفضت الكل"),
    ("m_save", "حفظت اختيارًا"),
    ("m_close", "أغلقت الشريط (رفض)"),
    ("m_withdraw", "سحبت الموافقة"),
    ("m_object", "اعترضت"),
    ("m_gpc", "انسحاب عبر Global Privacy Control"),
    ("m_expire", "انتهت صلاحية الموافقة"),
    ("m_api", "سجّله الموقع"),
    ("m_sync", "اعتُمد من جهاز آخر"),
    ("notice_version", "الإشعار، الإصدار {version}"),
    ("text_at_the_time", "النص المعروض حينها"),
    ("receipt", "تنزيل الإيصال"),
    ("verify", "تحقّق"),
    ("verifying", "جارٍ التحقق…"),
    (
        "verified",
        "تم التحقق. يحمل الإيصال توقيعًا صالحًا بالمفتاح {kid} الذي نشره {issuer}؛ والتجزئة الموقّعة تساوي تجزئة هذا الحدث المعاد حسابها في متصفحك، والحدث مرتبط بالحدث الذي قبله.",
    ),
    ("not_verified", "لم يتم التحقق: {reason}"),
    (
        "verify_scope",
        "يثبت هذا أن هذا الخادم يوقّع اليوم هذا السجل بعينه، مرتبطًا بسجلّك. ولإثبات أنه لم يتغير منذ إنشائه، احتفظ بالإيصال الذي تحصل عليه الآن: فأي نسخة لاحقة مختلفة ستكون واضحة. ولا يثبت من كان يستخدم المتصفح.",
    ),
    ("rights_heading", "بياناتك"),
    ("export_json", "تنزيل سجلاتي (JSON)"),
    ("export_csv", "تنزيل سجلاتي (CSV)"),
    ("erase", "محو اختياراتي"),
    (
        "erase_explain",
        "يحذف المحو ما يربط هذه السجلات بك: يتوقف معرّف هذا المتصفح عن العمل، وتُحذف اختياراتك الحالية، ويسألك الموقع من جديد. وتبقى السجلات نفسها، دون أي شيء يحدد هويتك، دليلًا على الموافقة يجب على الموقع الاحتفاظ به.",
    ),
    ("erase_confirm", "امحُ الآن"),
    ("cancel", "إلغاء"),
    ("erased", "تم المحو. سيسألك الموقع من جديد."),
    ("saved", "تم الحفظ."),
    ("save_failed", "لم يُحفظ: {reason}"),
    (
        "session_over",
        "لا توجد جلسة مفتوحة في هذه الصفحة. افتحها عبر رابط الخصوصية في الموقع: يعمل الرابط مرة واحدة لمدة خمس دقائق.",
    ),
    ("back_to_site", "العودة إلى الموقع"),
];

/// The settings page's words for a language tag (by primary subtag; English otherwise).
pub fn table(lang: &str) -> &'static [(&'static str, &'static str)] {
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

/// One word of the page in `lang`; a key missing there falls back to English, then to "".
pub fn text(lang: &str, key: &str) -> &'static str {
    let find = |t: &'static [(&'static str, &'static str)]| t.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    find(table(lang)).or_else(|| find(EN)).unwrap_or_default()
}

/// Every key, in English's order.
pub fn keys() -> impl Iterator<Item = &'static str> {
    EN.iter().map(|(k, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_and_the_same_placeholders() {
        let placeholders = |s: &str| -> Vec<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split('}').next())
                .map(str::to_owned)
                .collect()
        };
        for table in [DE, FR, ES, PT_BR, KO, AR] {
            let mut have: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
            let mut want: Vec<&str> = keys().collect();
            have.sort_unstable();
            want.sort_unstable();
            assert_eq!(have, want);
            for (key, value) in table {
                assert!(!value.is_empty(), "{key}");
                let mut a = placeholders(value);
                let mut b = placeholders(text("en", key));
                a.sort();
                b.sort();
                assert_eq!(a, b, "placeholders of {key}: {value}");
            }
        }
    }

    #[test]
    fn looks_up_by_primary_subtag_with_english_fallback() {
        assert_eq!(text("de-AT", "verify"), "Prüfen");
        assert_eq!(text("pt-BR", "cancel"), "Cancelar");
        assert_eq!(text("xx", "verify"), "Verify");
        assert_eq!(text("de", "no_such_key"), "");
    }
}
