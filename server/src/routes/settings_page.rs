//! The privacy-settings page Assent hosts per site, `GET /sites/{site}/privacy`: a small HTML
//! shell the settings bundle mounts into, and the way in from a site's hand-off link
//! (`?code=…`), whose code becomes the page's session cookie before it leaves the address bar.
//! Whatever goes wrong on the way in gets a page in the visitor's language saying what happened
//! and what to do — never an API error body.
//!
//! The page runs nothing inline: its only script is a fixed boot module
//! (`/sites/{site}/privacy/boot.js`) that starts the bundle the page names, so its policy allows
//! scripts from this origin alone, without a nonce.

use super::settings::{Opened, no_store, open_session};
use crate::assets::{Bundle, BundleName};
use crate::db::settings::Refused;
use crate::extract::Site;
use crate::ledger::SiteRecord;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::ErrorBody;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The shell's policy: this origin's scripts (the boot module and the bundle's glue) and wasm,
/// the bundle's constructed stylesheets, `fetch` to this origin only; never framed, no forms,
/// no `<base>`. The dashboard's shell (`/admin`) has the same.
pub(super) const PAGE_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The problem pages' few lines of style, allowed by their hash (they run no script at all).
pub(super) const PROBLEM_STYLE: &str = "body{font:1.0625rem/1.5 system-ui,sans-serif;max-width:34em;margin:12vh auto 2em;\
     padding:0 1.25em}h1{font-size:1.5rem;line-height:1.25}";

pub(super) static PROBLEM_CSP: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(PROBLEM_STYLE));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
});

/// The boot module: starts the bundle whose files the page names on the module's own
/// `<script>` element (module scripts run after the document is parsed, so it is there). One
/// fixed file for every build and site (and for the dashboard), so it needs no inline script
/// and no nonce.
pub(super) const BOOT_JS: &str = r#"// Starts the bundle the page names (a file, so the page's CSP needs no inline script).
const boot = document.querySelector("script[data-assent-boot]");
const { default: init } = await import(boot.dataset.js);
await init({ module_or_path: boot.dataset.wasm });
"#;

/// The hosted privacy-settings page.
///
/// `GET /sites/{site}/privacy`: a page for people. With `?code=…` (a link from the site), the
/// code is exchanged for the page's session cookie (`HttpOnly; Secure; SameSite=Strict;
/// Path=/sites/{site}/privacy`, 30 minutes) and the browser is sent on to the page without
/// it (303), so the code stays in no address bar, history or bookmark. Without a code, the
/// page itself: a shell the settings bundle mounts into, which then reads the session and the
/// subject's records under `/sites/{site}/privacy/…`. A used, expired or unknown code, an
/// unknown site, or a bundle not yet built each get a page saying what happened and what to
/// do, in the best of the visitor's languages (`Accept-Language`: en, de, fr, es, pt, ko, ar).
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy",
    tag = "settings",
    params(
        ("site" = String, Path, description = "The site's id"),
        ("code" = Option<String>, Query, description = "The code of a link from `POST /v1/sites/{site}/subjects/{subject}/settings-link`: exchanged, once and within five minutes, for the page's session"),
    ),
    responses(
        (status = 200, description = "The page (`Cache-Control: no-store`, its own strict CSP)", content_type = "text/html", body = String),
        (status = 303, description = "The code was exchanged: `Set-Cookie` carries the session, `Location` is the page without the code"),
        (status = 404, description = "An HTML page: the link's code is unknown (copied incompletely, or another site's), or no live site has this id", content_type = "text/html", body = String),
        (status = 410, description = "An HTML page: the link was used before, or is older than five minutes (ask the site for a new one)", content_type = "text/html", body = String),
        (status = 500, description = "An HTML page: an unexpected failure, logged on the server", content_type = "text/html", body = String),
        (status = 503, description = "An HTML page: the settings page is not built on this server yet", content_type = "text/html", body = String),
    )
)]
pub async fn get_page(
    State(state): State<AppState>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let words = Words::negotiate(&headers);
    let Some(site) = state.live_site(&site) else {
        return problem(words, Problem::SiteUnknown);
    };
    // Checked before a code is spent: a link opened while the page cannot show stays good.
    let bundle = match state.assets.find(&state.config.dist_dir, BundleName::Settings) {
        Ok(Some(bundle)) => bundle,
        Ok(None) => {
            tracing::warn!("the hosted privacy-settings page was asked for, but the settings bundle is not built");
            return problem(words, Problem::Unavailable);
        }
        Err(err) => {
            tracing::error!(error = ?err, "reading the settings bundle");
            return problem(words, Problem::Failed);
        }
    };
    let code = query.as_deref().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "code")
            .map(|(_, code)| code.into_owned())
    });
    match code {
        Some(code) => exchange(&state, &site, &code, words).await,
        None => shell(&site, &bundle, words),
    }
}

/// The link's way in: the code becomes the session cookie, and the browser goes on to the page
/// without it. The page's address then carries nothing secret, and the response says nothing
/// of the code (the request log records only the matched route, never the query).
async fn exchange(state: &AppState, site: &SiteRecord, code: &str, words: &'static Words) -> Response {
    // Relative to this origin: the page itself, without the query.
    let location = match HeaderValue::from_str(&format!("/sites/{}/privacy", site.id)) {
        Ok(location) => location,
        Err(err) => {
            tracing::error!(error = ?err, "the page's own address as a header");
            return problem(words, Problem::Failed);
        }
    };
    let Opened { cookie, .. } = match open_session(state, &site.id, code).await {
        Ok(Ok(opened)) => opened,
        Ok(Err(refused)) => return problem(words, Problem::Code(refused)),
        Err(err) => {
            tracing::error!(error = ?err, "opening a privacy-settings session");
            return problem(words, Problem::Failed);
        }
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    h.insert(header::SET_COOKIE, cookie);
    h.insert(header::LOCATION, location);
    no_store(h);
    response
}

/// The page the settings bundle mounts into. It does not depend on the session: arriving from
/// the site's link, this navigation started on another site, so browsers withhold the
/// `SameSite=Strict` cookie from it; the bundle's own same-site `fetch` of `…/privacy/session`
/// carries it.
fn shell(site: &SiteRecord, bundle: &Bundle, words: &'static Words) -> Response {
    let (js, wasm) = (escape(&bundle.js_url()), escape(&bundle.wasm_url()));
    let id = escape(site.id.as_str());
    // The site's own address (its first origin without a wildcard): the page links back to it
    // and resolves the notice's relative policy link against it, not against Assent.
    let home = site
        .origins
        .iter()
        .find(|o| !o.contains('*'))
        .map(|o| escape(o))
        .unwrap_or_default();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <title>{title} · {name}</title>\n<link rel=\"icon\" href=\"data:,\">\n\
         <link rel=\"modulepreload\" href=\"{js}\">\n\
         <script type=\"module\" src=\"/sites/{id}/privacy/boot.js\" data-assent-boot data-js=\"{js}\" \
         data-wasm=\"{wasm}\"></script>\n</head>\n<body>\n<noscript>{noscript}</noscript>\n\
         <main><div data-assent-settings data-hosted data-site=\"{id}\" data-lang=\"{lang}\" data-build=\"{build}\" data-site-origin=\"{home}\"></div></main>\n\
         </body>\n</html>\n",
        lang = words.lang,
        dir = words.dir,
        title = words.title,
        name = escape(&site.name),
        noscript = words.noscript,
        build = escape(&bundle.build),
    );
    with_page_headers(Html(page).into_response(), words, PAGE_CSP)
}

/// Why the page could not open, as the visitor is told.
#[derive(Debug, Clone, Copy)]
enum Problem {
    Code(Refused),
    SiteUnknown,
    /// The settings bundle is not built.
    Unavailable,
    Failed,
}

impl Problem {
    fn status(self) -> StatusCode {
        match self {
            Self::Code(Refused::Used | Refused::Expired) => StatusCode::GONE,
            Self::Code(Refused::Unknown) | Self::SiteUnknown => StatusCode::NOT_FOUND,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Failed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The API's code for the same problem, on the page for tests and support.
    fn code(self) -> &'static str {
        match self {
            Self::Code(Refused::Used) => "settings_code_used",
            Self::Code(Refused::Expired) => "settings_code_expired",
            Self::Code(Refused::Unknown) => "settings_code_not_found",
            Self::SiteUnknown => "site_not_found",
            Self::Unavailable => "not_ready",
            Self::Failed => "internal",
        }
    }

    /// Heading, and the paragraphs under it.
    fn text(self, w: &Words) -> (&'static str, Vec<&'static str>) {
        match self {
            Self::Code(Refused::Used) => (w.used[0], vec![w.used[1], w.new_link]),
            Self::Code(Refused::Expired) => (w.expired[0], vec![w.expired[1], w.new_link]),
            Self::Code(Refused::Unknown) => (w.unknown_code[0], vec![w.unknown_code[1], w.new_link]),
            Self::SiteUnknown => (w.unknown_site[0], vec![w.unknown_site[1]]),
            Self::Unavailable | Self::Failed => (w.unavailable[0], vec![w.unavailable[1]]),
        }
    }
}

/// A page saying what went wrong and what to do, with no script.
fn problem(words: &'static Words, problem: Problem) -> Response {
    let (heading, paragraphs) = problem.text(words);
    let paragraphs: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <title>{heading}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>{PROBLEM_STYLE}</style>\n</head>\n\
         <body>\n<main data-test=\"privacy-problem\" data-problem=\"{code}\">\n<h1>{heading}</h1>\n{paragraphs}</main>\n\
         </body>\n</html>\n",
        lang = words.lang,
        dir = words.dir,
        code = problem.code(),
    );
    with_page_headers((problem.status(), Html(page)).into_response(), words, &PROBLEM_CSP)
}

/// What every answer of the page carries: [`page_headers`] and the page's language.
fn with_page_headers(response: Response, words: &Words, csp: &str) -> Response {
    let mut response = page_headers(response, csp);
    response
        .headers_mut()
        .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(words.lang));
    response
}

/// What every answer of Assent's own pages (this one and the dashboard) carries: its own
/// policy (the global security headers add only what a response lacks), no caching (the pages
/// are per person), no referrer (their links never reveal where the reader was), never framed,
/// never indexed.
pub(super) fn page_headers(mut response: Response, csp: &str) -> Response {
    let h = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    no_store(h);
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
    response
}

/// The page's boot module.
///
/// `GET /sites/{site}/privacy/boot.js`: the fixed module that starts the settings bundle the
/// page names (so the page runs no inline script).
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy/boot.js",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id")),
    responses(
        (status = 200, description = "JavaScript (a module)", content_type = "text/javascript", body = String),
        (status = 404, description = answers::SITE_NOT_FOUND, body = ErrorBody),
    )
)]
pub async fn get_boot(Site(_): Site) -> impl IntoResponse {
    boot_module()
}

/// [`BOOT_JS`] as a module, revalidated on every load (the bundle it starts changes per build).
pub(super) fn boot_module() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        BOOT_JS,
    )
}

/// Text for HTML content and double-quoted attributes.
pub(super) fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's own words in one language: the shell's, and what each problem page says.
#[derive(Debug)]
struct Words {
    lang: &'static str,
    dir: &'static str,
    title: &'static str,
    noscript: &'static str,
    /// Heading and why, for a link opened before.
    used: [&'static str; 2],
    expired: [&'static str; 2],
    unknown_code: [&'static str; 2],
    /// What to do about any of the three.
    new_link: &'static str,
    unknown_site: [&'static str; 2],
    unavailable: [&'static str; 2],
}

impl Words {
    /// The best of the page's languages for the browser's `Accept-Language`, else English.
    fn negotiate(headers: &HeaderMap) -> &'static Self {
        let wanted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        assent_shared::notice::negotiate(wanted, LANGUAGES.iter().map(|w| w.lang))
            .and_then(|lang| LANGUAGES.iter().find(|w| w.lang == lang))
            .unwrap_or(&LANGUAGES[0])
    }
}

/// The languages Assent ships (those of `assent_shared::ui_texts`), English first: the default.
static LANGUAGES: [Words; 7] = [
    Words {
        lang: "en",
        dir: "ltr",
        title: "Privacy settings",
        noscript: "This page needs JavaScript to show and change your privacy settings. Turn JavaScript on for this page, then reload it.",
        used: [
            "This link has already been used",
            "It was opened before, perhaps in another tab.",
        ],
        expired: ["This link has expired", "It is more than five minutes old."],
        unknown_code: [
            "This link is not valid",
            "It may have been copied incompletely, or it belongs to another site.",
        ],
        new_link: "Ask the site for a new link: go back to it and open its privacy settings again. Links work once, for five minutes.",
        unknown_site: [
            "There are no privacy settings here",
            "No site at this address uses this service, or it no longer does. Go back to the site and open its privacy settings from there.",
        ],
        unavailable: [
            "The privacy settings are not available right now",
            "Please try again in a few minutes.",
        ],
    },
    Words {
        lang: "de",
        dir: "ltr",
        title: "Datenschutzeinstellungen",
        noscript: "Diese Seite braucht JavaScript, um Ihre Datenschutzeinstellungen anzuzeigen und zu ändern. Aktivieren Sie JavaScript für diese Seite und laden Sie sie neu.",
        used: [
            "Dieser Link wurde bereits verwendet",
            "Er wurde schon einmal geöffnet, vielleicht in einem anderen Tab.",
        ],
        expired: ["Dieser Link ist abgelaufen", "Er ist älter als fünf Minuten."],
        unknown_code: [
            "Dieser Link ist ungültig",
            "Vielleicht wurde er unvollständig kopiert, oder er gehört zu einer anderen Website.",
        ],
        new_link: "Holen Sie sich bei der Website einen neuen Link: Kehren Sie zu ihr zurück und öffnen Sie dort noch einmal die Datenschutzeinstellungen. Links funktionieren nur einmal und nur fünf Minuten lang.",
        unknown_site: [
            "Hier gibt es keine Datenschutzeinstellungen",
            "Unter dieser Adresse nutzt keine Website diesen Dienst, oder sie nutzt ihn nicht mehr. Kehren Sie zur Website zurück und öffnen Sie die Datenschutzeinstellungen von dort aus.",
        ],
        unavailable: [
            "Die Datenschutzeinstellungen sind gerade nicht verfügbar",
            "Bitte versuchen Sie es in ein paar Minuten noch einmal.",
        ],
    },
    Words {
        lang: "fr",
        dir: "ltr",
        title: "Paramètres de confidentialité",
        noscript: "Cette page a besoin de JavaScript pour afficher et modifier vos paramètres de confidentialité. Activez JavaScript pour cette page, puis rechargez-la.",
        used: [
            "Ce lien a déjà été utilisé",
            "Il a déjà été ouvert, peut-être dans un autre onglet.",
        ],
        expired: ["Ce lien a expiré", "Il date de plus de cinq minutes."],
        unknown_code: [
            "Ce lien n’est pas valide",
            "Il a peut-être été copié de façon incomplète, ou il appartient à un autre site.",
        ],
        new_link: "Demandez un nouveau lien au site\u{a0}: retournez-y et ouvrez à nouveau ses paramètres de confidentialité. Un lien ne fonctionne qu’une fois, pendant cinq minutes.",
        unknown_site: [
            "Il n’y a pas de paramètres de confidentialité ici",
            "Aucun site utilisant ce service ne se trouve à cette adresse, ou il ne l’utilise plus. Retournez sur le site et ouvrez ses paramètres de confidentialité depuis celui-ci.",
        ],
        unavailable: [
            "Les paramètres de confidentialité sont momentanément indisponibles",
            "Veuillez réessayer dans quelques minutes.",
        ],
    },
    Words {
        lang: "es",
        dir: "ltr",
        title: "Configuración de privacidad",
        noscript: "Esta página necesita JavaScript para mostrar y cambiar tu configuración de privacidad. Activa JavaScript para esta página y vuelve a cargarla.",
        used: [
            "Este enlace ya se ha usado",
            "Ya se abrió antes, quizá en otra pestaña.",
        ],
        expired: ["Este enlace ha caducado", "Tiene más de cinco minutos."],
        unknown_code: [
            "Este enlace no es válido",
            "Puede que se haya copiado incompleto o que pertenezca a otro sitio.",
        ],
        new_link: "Pide un enlace nuevo al sitio: vuelve a él y abre otra vez su configuración de privacidad. Los enlaces funcionan una sola vez y durante cinco minutos.",
        unknown_site: [
            "Aquí no hay ninguna configuración de privacidad",
            "Ningún sitio que use este servicio está en esta dirección, o ya no lo usa. Vuelve al sitio y abre desde allí su configuración de privacidad.",
        ],
        unavailable: [
            "La configuración de privacidad no está disponible en este momento",
            "Vuelve a intentarlo dentro de unos minutos.",
        ],
    },
    Words {
        lang: "pt",
        dir: "ltr",
        title: "Configurações de privacidade",
        noscript: "Esta página precisa de JavaScript para mostrar e alterar suas configurações de privacidade. Ative o JavaScript para esta página e recarregue-a.",
        used: [
            "Este link já foi usado",
            "Ele já foi aberto antes, talvez em outra aba.",
        ],
        expired: ["Este link expirou", "Ele tem mais de cinco minutos."],
        unknown_code: [
            "Este link não é válido",
            "Ele pode ter sido copiado pela metade ou pertencer a outro site.",
        ],
        new_link: "Peça um novo link ao site: volte a ele e abra de novo as configurações de privacidade. Os links funcionam uma única vez, por cinco minutos.",
        unknown_site: [
            "Não há configurações de privacidade aqui",
            "Nenhum site que usa este serviço está neste endereço, ou ele deixou de usá-lo. Volte ao site e abra as configurações de privacidade por lá.",
        ],
        unavailable: [
            "As configurações de privacidade não estão disponíveis no momento",
            "Tente novamente em alguns minutos.",
        ],
    },
    Words {
        lang: "ko",
        dir: "ltr",
        title: "개인정보 설정",
        noscript: "이 페이지에서 개인정보 설정을 보고 바꾸려면 JavaScript가 필요합니다. 이 페이지에서 JavaScript를 켠 다음 새로고침하세요.",
        used: [
            "이미 사용된 링크입니다",
            "이 링크는 이미 열린 적이 있습니다. 다른 탭에서 열었을 수도 있습니다.",
        ],
        expired: ["만료된 링크입니다", "링크가 만들어진 지 5분이 넘었습니다."],
        unknown_code: [
            "유효하지 않은 링크입니다",
            "링크가 일부만 복사되었거나 다른 사이트의 링크일 수 있습니다.",
        ],
        new_link: "사이트에서 새 링크를 받으세요. 사이트로 돌아가 개인정보 설정을 다시 열면 됩니다. 링크는 5분 안에 한 번만 쓸 수 있습니다.",
        unknown_site: [
            "이곳에는 개인정보 설정이 없습니다",
            "이 주소에서 이 서비스를 사용하는 사이트가 없거나, 더 이상 사용하지 않습니다. 사이트로 돌아가 그곳에서 개인정보 설정을 여세요.",
        ],
        unavailable: [
            "지금은 개인정보 설정을 이용할 수 없습니다",
            "몇 분 후에 다시 시도해 주세요.",
        ],
    },
    Words {
        lang: "ar",
        dir: "rtl",
        title: "إعدادات الخصوصية",
        noscript: "تحتاج هذه الصفحة إلى JavaScript لعرض إعدادات الخصوصية وتغييرها. فعّل JavaScript لهذه الصفحة ثم أعد تحميلها.",
        used: [
            "سبق استخدام هذا الرابط",
            "فُتح هذا الرابط من قبل، ربما في علامة تبويب أخرى.",
        ],
        expired: ["انتهت صلاحية هذا الرابط", "مضى على إنشائه أكثر من خمس دقائق."],
        unknown_code: ["هذا الرابط غير صالح", "ربما نُسخ ناقصًا، أو أنه يخص موقعًا آخر."],
        new_link: "اطلب من الموقع رابطًا جديدًا: ارجع إليه وافتح إعدادات الخصوصية مرة أخرى. يعمل الرابط مرة واحدة فقط، ولمدة خمس دقائق.",
        unknown_site: [
            "لا توجد إعدادات خصوصية هنا",
            "لا يوجد في هذا العنوان موقع يستخدم هذه الخدمة، أو أنه توقف عن استخدامها. ارجع إلى الموقع وافتح إعدادات الخصوصية من هناك.",
        ],
        unavailable: [
            "إعدادات الخصوصية غير متاحة الآن",
            "يُرجى المحاولة مرة أخرى بعد بضع دقائق.",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(value).expect("header"));
        headers
    }

    #[test]
    fn the_language_follows_accept_language_with_english_when_none_fits() {
        let lang = |value: &str| Words::negotiate(&accepting(value)).lang;
        assert_eq!(lang("de-CH, de;q=0.9, en;q=0.8"), "de");
        assert_eq!(lang("pt-BR"), "pt");
        assert_eq!(lang("nl-NL, nl;q=0.9, fr;q=0.5"), "fr");
        assert_eq!(lang("ja, zh"), "en");
        assert_eq!(Words::negotiate(&HeaderMap::new()).lang, "en");
        assert_eq!(Words::negotiate(&accepting("ar")).dir, "rtl");
        assert!(LANGUAGES.iter().filter(|w| w.lang != "ar").all(|w| w.dir == "ltr"));
    }

    #[test]
    fn every_language_says_every_thing() {
        for w in &LANGUAGES {
            let all = [
                w.title,
                w.noscript,
                w.new_link,
                w.used[0],
                w.used[1],
                w.expired[0],
                w.expired[1],
                w.unknown_code[0],
                w.unknown_code[1],
                w.unknown_site[0],
                w.unknown_site[1],
                w.unavailable[0],
                w.unavailable[1],
            ];
            assert!(all.iter().all(|t| !t.trim().is_empty()), "{}", w.lang);
            // Written into HTML unescaped: none may contain markup.
            assert!(all.iter().all(|t| !t.contains(['<', '>', '&', '"'])), "{}", w.lang);
        }
        let langs: Vec<&str> = LANGUAGES.iter().map(|w| w.lang).collect();
        assert_eq!(langs, ["en", "de", "fr", "es", "pt", "ko", "ar"]);
    }

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(
            escape(r#"<script>"x" & 'y'</script>"#),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn the_problem_pages_style_is_the_one_their_policy_allows() {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(PROBLEM_STYLE));
        assert!(PROBLEM_CSP.contains(&format!("style-src 'sha256-{hash}'")));
        assert!(!PROBLEM_CSP.contains("script-src"), "no script at all");
        let page = problem(&LANGUAGES[0], Problem::Code(Refused::Used));
        assert_eq!(page.status(), StatusCode::GONE);
    }
}
