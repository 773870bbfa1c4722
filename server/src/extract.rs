//! Extractors whose rejections are our [`ApiError`], so even a malformed request gets the
//! one JSON error shape.

use crate::auth::{Audience, SettingsClaims};
use crate::error::ApiError;
use crate::keys::Keys;
use crate::ledger::{SiteRecord, SubjectStatus};
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::ids::{SiteId, SubjectId};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A JSON body with our error shape on rejection: 400 `malformed_body` for a wrong content
/// type or JSON that does not parse (with line and column), 413 past the body limit, and
/// 422 `invalid_input` naming the JSON path of the first value of the wrong shape
/// (`details.field`, e.g. `origins[2]` or `purposes[0].legal_basis`).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim();
                m.eq_ignore_ascii_case("application/json") || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !json_type {
            return Err(ApiError::MalformedBody(
                "expected Content-Type: application/json".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedBody(e.body_text())
            }
        })?;
        parse_json(&bytes).map(Self)
    }
}

/// Parses JSON as [`ApiJson`] does, for bodies read by other means. Two things valid JSON
/// may hold are refused first (422 naming where): a key that appears twice in one object,
/// which serde would read as its last value for a map (what is recorded must be what the
/// client unambiguously sent), and the character U+0000, which no Assent field takes and
/// PostgreSQL text cannot store.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Some(invalid) = refused_json(bytes) {
        return Err(invalid.into());
    }
    // serde reads a struct from an array of its fields in order (`[]` as `{}`, every field
    // left at its default); every body of this API is an object.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Invalid::new("body", "a JSON object, not an array").into());
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if (inner.is_syntax() || inner.is_eof()) && serde_json::from_slice::<serde_json::Value>(bytes).is_err() {
            ApiError::MalformedBody(format!("not valid JSON: {inner}"))
        } else if inner.is_syntax() {
            // Valid JSON, yet a "syntax" error: serde_json reports a value that is neither a
            // string nor an object where an enum is expected (`"method": 1`) as "expected
            // value". It is a value of the wrong type, at `path`.
            Invalid::new(
                field_of(&path, "", "body"),
                "a value of the wrong type: expected one of the names this field takes",
            )
            .into()
        } else {
            // serde's message ends with the position in the body: the field already says where.
            let reason = inner.to_string();
            let reason = reason.split(" at line ").next().unwrap_or(&reason).to_owned();
            Invalid::new(field_of(&path, &reason, "body"), reason).into()
        }
    })?;
    de.end()
        .map_err(|e| ApiError::MalformedBody(format!("not valid JSON: {e}")))?;
    Ok(value)
}

/// The field a serde error is about: its path, or for a missing or repeated field (reported
/// at the object that holds it) that object's path and the field's name; `root` for the
/// whole input.
fn field_of(path: &str, reason: &str, root: &str) -> String {
    let missing = ["missing field `", "duplicate field `"]
        .iter()
        .find_map(|prefix| reason.strip_prefix(prefix))
        .and_then(|r| r.strip_suffix('`'));
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => root.to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_owned(),
    }
}

/// Why a string of a query parameter or a JSON body is refused: see [`parse_json`].
const NUL_REASON: &str = "the character U+0000 is not allowed";

/// The first key that appears twice in one object, or string holding U+0000, in JSON, named
/// by its path as serde_path_to_error writes it (`a.b[0].c`); `None` for JSON without one,
/// and for JSON that does not parse (the typed parse reports that).
fn refused_json(bytes: &[u8]) -> Option<Invalid> {
    use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
    use std::cell::RefCell;

    struct Walk<'a> {
        path: String,
        found: &'a RefCell<Option<Invalid>>,
    }

    impl Walk<'_> {
        fn child(&self, path: String) -> Self {
            Walk {
                path,
                found: self.found,
            }
        }

        /// Records the refusal and stops the walk.
        fn refuse<E: serde::de::Error>(&self, path: &str, reason: &str) -> E {
            let field = if path.is_empty() { "body" } else { path };
            *self.found.borrow_mut() = Some(Invalid::new(field, reason));
            E::custom(reason)
        }
    }

    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
            if v.contains('\0') {
                return Err(self.refuse(&self.path, NUL_REASON));
            }
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while seq
                .next_element_seed(self.child(format!("{}[{i}]", self.path)))?
                .is_some()
            {
                i += 1;
            }
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                let path = if self.path.is_empty() {
                    key.clone()
                } else {
                    format!("{}.{key}", self.path)
                };
                if key.contains('\0') {
                    return Err(self.refuse(&path, NUL_REASON));
                }
                if !seen.insert(key) {
                    return Err(self.refuse(&path, "this key appears more than once in its object"));
                }
                map.next_value_seed(self.child(path))?;
            }
            Ok(())
        }
    }

    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let _ = Walk {
        path: String::new(),
        found: &found,
    }
    .deserialize(&mut de);
    found.into_inner()
}

/// Claims of a subject token (`aud = assent:subject`): proof that the bearer may append to
/// and read this chain. No expiry: it lives as long as the visitor's stored choice.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SubjectClaims {
    pub aud: String,
    pub site: String,
    pub sub: String,
}

impl SubjectClaims {
    pub fn new(site: &SiteId, subject: &SubjectId) -> Self {
        Self {
            aud: Audience::Subject.as_str().into(),
            site: site.to_string(),
            sub: subject.to_string(),
        }
    }
}

/// The token of an `Authorization: Bearer …` header, if there is one. The scheme name is
/// case-insensitive (RFC 9110 §11.1): `bearer …` is the same header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The cookie of a privacy-settings page session; its `Path` is that page
/// (`/sites/{site}/privacy`), so browsers send it nowhere else.
pub const SETTINGS_COOKIE: &str = "assent_settings";

/// Checks that the request may act for this subject of this site: `Authorization: Bearer
/// <subject token>`, or — on the hosted privacy-settings page, under its path `path` — its session cookie, where a
/// write (any method but GET/HEAD) must also echo the session's CSRF token in
/// `X-CSRF-Token` (403 `csrf_failed`). 401 without a valid credential, 403 for another
/// subject's.
pub fn authorize_subject(
    keys: &Keys,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    site: &SiteId,
    subject: &SubjectId,
) -> Result<(), ApiError> {
    if let Some(token) = bearer(headers) {
        let claims: SubjectClaims = keys
            .verify_token(token, Audience::Subject, false)
            .ok_or(ApiError::Unauthorized("the subject token is not valid"))?;
        return if claims == SubjectClaims::new(site, subject) {
            Ok(())
        } else {
            Err(ApiError::Forbidden("the subject token belongs to another subject"))
        };
    }
    // The cookie counts only where its `Path` sends it: the browser enforces that for pages,
    // the server for everyone else.
    let page = format!("/sites/{site}/privacy");
    let under_page = path == page || path.starts_with(&format!("{page}/"));
    let Some(session) = crate::admin_auth::cookie(headers, SETTINGS_COOKIE).filter(|_| under_page) else {
        return Err(ApiError::Unauthorized(
            "this subject's token is required as Authorization: Bearer <subject_token>",
        ));
    };
    let claims = SettingsClaims::verify(keys, session).ok_or(ApiError::Unauthorized(
        "the privacy-settings session has expired; open the site's privacy link again",
    ))?;
    if claims.site != site.as_str() || claims.sub != subject.as_str() {
        return Err(ApiError::Forbidden("this session belongs to another subject"));
    }
    let safe = matches!(*method, Method::GET | Method::HEAD);
    let echoed = headers
        .get(crate::admin_auth::CSRF_HEADER)
        .and_then(|v| v.to_str().ok());
    if !safe && echoed != Some(claims.csrf.as_str()) {
        return Err(ApiError::CsrfFailed);
    }
    Ok(())
}

/// The `{site}` of a public API path: registered and not archived, else 404 `site_not_found`.
#[derive(Debug, Clone)]
pub struct Site(pub SiteRecord);

impl FromRequestParts<AppState> for Site {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::site_not_found())?;
        params
            .iter()
            .find(|(k, _)| *k == "site")
            .and_then(|(_, id)| state.live_site(id))
            .map(Self)
            .ok_or_else(ApiError::site_not_found)
    }
}

/// The `{site}` and `{subject}` of a path, with `Authorization: Bearer <subject token>` (or,
/// on the hosted settings page, its session cookie) for exactly that subject: 401 without a valid token, 403 for another subject's, 404 for an
/// unknown subject, 410 for an erased one.
#[derive(Debug, Clone)]
pub struct SubjectAuth {
    pub site: SiteRecord,
    pub subject: SubjectId,
}

impl FromRequestParts<AppState> for SubjectAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Site(site) = Site::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::site_not_found())?;
        let raw = params
            .iter()
            .find(|(k, _)| *k == "subject")
            .map(|(_, v)| v.to_owned())
            .unwrap_or_default();
        let subject = SubjectId::parse(&raw)?;
        authorize_subject(
            &state.keys,
            &parts.headers,
            &parts.method,
            parts.uri.path(),
            &site.id,
            &subject,
        )?;
        match state.ledger.subject_status(&site.id, &subject).await? {
            SubjectStatus::Active => Ok(Self { site, subject }),
            SubjectStatus::Erased => Err(ApiError::subject_erased()),
            SubjectStatus::Unknown => Err(ApiError::NotFound {
                what: "subject",
                code: "subject_not_found",
            }),
        }
    }
}

/// The query string, parsed like `Query<T>`, with our error body: 422 `invalid_input`
/// naming the parameter whose value is wrong (`details.field`: `limit`, `format`, …), or
/// `query` for what belongs to no one parameter (an unknown one, a repeated one).
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let raw = parts.uri.query().unwrap_or_default();
        let nul = form_urlencoded::parse(raw.as_bytes()).find(|(k, v)| k.contains('\0') || v.contains('\0'));
        if let Some((name, _)) = nul {
            return Err(Invalid::new(name.replace('\0', ""), NUL_REASON).into());
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
        serde_path_to_error::deserialize(de).map(Self).map_err(|err| {
            let path = err.path().to_string();
            let reason = err.into_inner().to_string();
            Invalid::new(field_of(&path, &reason, "query"), reason).into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_repeated_key_is_named_by_its_path_wherever_it_is() {
        let field = |json: &[u8]| refused_json(json).map(|i| i.field);
        assert_eq!(field(br#"{"a":1,"a":2}"#).as_deref(), Some("a"));
        assert_eq!(field(br#"{"d":{"x":"granted","x":"denied"}}"#).as_deref(), Some("d.x"));
        assert_eq!(field(br#"{"p":[{"k":1},{"k":1,"k":2}]}"#).as_deref(), Some("p[1].k"));
        assert_eq!(field(br#"{"a":{"a":1},"b":[1,1]}"#), None);
        assert_eq!(field(b"{not json"), None);
    }

    #[test]
    fn a_nul_character_is_named_by_its_path_in_a_value_or_a_key() {
        let field = |json: &[u8]| refused_json(json).map(|i| i.field);
        assert_eq!(field(br#"{"a":["x","y\u0000"]}"#).as_deref(), Some("a[1]"));
        assert_eq!(field(br#"{"a":{"k\u0000":1}}"#).as_deref(), Some("a.k\0"));
        assert_eq!(field(br#""\u0000""#).as_deref(), Some("body"));
        assert_eq!(field(br#"{"a":"\u0001 is fine here"}"#), None);
    }

    #[test]
    fn a_body_that_is_an_array_is_refused_not_read_as_an_object_of_defaults() {
        #[derive(Debug, Default, Deserialize)]
        struct AllDefault {
            #[serde(default)]
            _flag: bool,
        }
        for body in [&b"[]"[..], b"  \n[false]", b"[true, 1]"] {
            match parse_json::<AllDefault>(body) {
                Err(ApiError::Invalid(invalid)) => {
                    assert_eq!(
                        (invalid.field.as_str(), invalid.reason.as_str()),
                        ("body", "a JSON object, not an array")
                    );
                }
                other => panic!("{:?} was {other:?}", String::from_utf8_lossy(body)),
            }
        }
        assert!(parse_json::<AllDefault>(b" {}").is_ok());
    }

    #[test]
    fn a_map_with_a_repeated_key_is_refused_not_read_as_its_last_value() {
        let err = parse_json::<BTreeMap<String, String>>(br#"{"k":"a","k":"b"}"#).expect_err("refused");
        match err {
            ApiError::Invalid(invalid) => assert_eq!(invalid.field, "k"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_named_with_the_path_of_its_object() {
        #[derive(Debug, Deserialize)]
        #[expect(dead_code, reason = "only the error is read")]
        struct Inner {
            name: String,
        }
        #[derive(Debug, Deserialize)]
        #[expect(dead_code, reason = "only the error is read")]
        struct Outer {
            id: u32,
            items: Vec<Inner>,
        }
        let field = |body: &[u8]| match parse_json::<Outer>(body) {
            Err(ApiError::Invalid(invalid)) => invalid.field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(br#"{"items":[]}"#), "id");
        assert_eq!(field(br#"{"id":1,"items":[{"name":"a"},{}]}"#), "items[1].name");
        assert_eq!(field(b"null"), "body");
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_other_schemes_are_not_bearer() {
        use axum::http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_str(value).expect("header"));
            headers
        };
        for value in ["Bearer abc", "bearer abc", "BEARER abc", "Bearer  abc "] {
            assert_eq!(super::bearer(&with(value)), Some("abc"), "{value}");
        }
        for value in ["Basic abc", "Bearerabc", "abc"] {
            assert_eq!(super::bearer(&with(value)), None, "{value}");
        }
    }
}
