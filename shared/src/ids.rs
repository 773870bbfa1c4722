//! Identifier newtypes. Each can only be built through `parse`, so an invalid id is
//! unrepresentable past the edge where it arrives.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_newtype {
    ($(#[doc = $doc:literal])* $name:ident, $field:literal, $check:path, $pattern:literal) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        // By hand: utoipa's derive takes no `pattern` on a newtype, and clients (schemathesis,
        // generated SDKs) should see the same shape `parse` accepts.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some($pattern))
                    .description(Some(concat!($($doc, "\n"),*).trim()))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                $check(raw).map(Self).map_err(|reason| Invalid::new($field, reason))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Invalid;
            fn try_from(raw: String) -> Result<Self, Invalid> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_newtype!(
    /// A registered site: 1–64 characters of `a-z`, `0-9` and `-`, starting with a letter or digit.
    SiteId,
    "site_id",
    check_site_id,
    "^[a-z0-9][a-z0-9-]{0,63}$"
);
id_newtype!(
    /// A purpose key in a notice: 1–64 characters of `a-z`, `0-9` and `_`, starting with a letter.
    PurposeKey,
    "purpose",
    check_purpose_key,
    "^[a-z][a-z0-9_]{0,63}$"
);
id_newtype!(
    /// A client-made event id (a UUID), which makes retries idempotent.
    EventId,
    "event_id",
    check_uuid,
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
);
id_newtype!(
    /// A pseudonymous, random subject id (a UUID made by the server).
    SubjectId,
    "subject_id",
    check_uuid,
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
);

id_newtype!(
    /// A site's own id of one of its signed-in accounts, opaque to Assent: 1–128 visible ASCII
    /// characters (no spaces). Use a stable internal id rather than an email address: links
    /// are pseudonymous side data, and an admin lookup by account puts it in a URL.
    AccountId,
    "account_id",
    check_account_id,
    "^[!-~]{1,128}$"
);

fn check_account_id(raw: &str) -> Result<String, String> {
    if (1..=128).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(raw.to_owned())
    } else {
        Err("must be 1-128 visible ASCII characters, without spaces".into())
    }
}

fn check_site_id(raw: &str) -> Result<String, String> {
    let ok_len = (1..=64).contains(&raw.len());
    let ok_first = raw
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let ok_chars = raw
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok_len && ok_first && ok_chars {
        Ok(raw.to_owned())
    } else {
        Err("must be 1-64 characters of a-z, 0-9 and '-', starting with a letter or digit".into())
    }
}

fn check_purpose_key(raw: &str) -> Result<String, String> {
    let ok_len = (1..=64).contains(&raw.len());
    let ok_first = raw.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
    let ok_chars = raw
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok_len && ok_first && ok_chars {
        Ok(raw.to_owned())
    } else {
        Err("must be 1-64 characters of a-z, 0-9 and '_', starting with a letter".into())
    }
}

/// Accepts the canonical 8-4-4-4-12 hex form in either case and stores it lowercase.
fn check_uuid(raw: &str) -> Result<String, String> {
    let shape_ok = raw.len() == 36
        && raw.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if shape_ok {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err("must be a UUID in 8-4-4-4-12 hexadecimal form".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_ids_accept_lowercase_slugs_and_refuse_everything_else() {
        assert!(SiteId::parse("demo").is_ok());
        assert!(SiteId::parse("shop-42").is_ok());
        for bad in ["", "-lead", "Upper", "a b", "a/b", &"x".repeat(65)] {
            assert!(SiteId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn purpose_keys_must_start_with_a_letter() {
        assert!(PurposeKey::parse(crate::consent::PRECISE_LOCATION).is_ok());
        assert!(PurposeKey::parse("1st").is_err());
        assert!(PurposeKey::parse("ads-x").is_err());
    }

    #[test]
    fn account_ids_are_opaque_visible_ascii() {
        for good in ["42", "auth0|5f3c", "user:7b1e-9c", &"a".repeat(128)] {
            assert_eq!(AccountId::parse(good).map(String::from), Ok(good.to_owned()));
        }
        for bad in ["", "a b", "tab\there", "naïve", &"a".repeat(129)] {
            assert!(AccountId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn uuids_are_normalised_to_lowercase() {
        let id = EventId::parse("0F8FAD5B-D9CB-469F-A165-70867728950E").expect("valid uuid");
        assert_eq!(id.as_str(), "0f8fad5b-d9cb-469f-a165-70867728950e");
        assert!(EventId::parse("0f8fad5bd9cb469fa16570867728950e").is_err());
        assert!(EventId::parse("0f8fad5b-d9cb-469f-a165-70867728950g").is_err());
    }

    #[test]
    fn ids_deserialize_through_parse() {
        let err = serde_json::from_str::<SiteId>("\"NOPE\"").expect_err("must be refused");
        assert!(err.to_string().contains("site_id"));
    }
}
