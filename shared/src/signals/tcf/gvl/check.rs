//! Reading a Global Vendor List or translation file and refusing one that is not version 3 or
//! contradicts itself: the server keeps its last good list whenever this says no, so every
//! error names what is wrong (which map, which id, which vendor).

use super::{Declaration, GVL_SPECIFICATION_VERSION, Translation, VendorList};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// The longest text [`VendorList::parse`] and [`Translation::parse`] read: IAB's full list of
/// about a thousand vendors is near 1.5 MB; this leaves room and bounds hostile input.
pub const MAX_GVL_LEN: usize = 16 * 1024 * 1024;

/// Why a vendor list or translation file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GvlError {
    #[error("the file is {0} bytes, more than {MAX_GVL_LEN}")]
    TooLarge(usize),
    /// Not JSON, or not of the format's shape; serde's message names the field, line and
    /// column.
    #[error("not a Global Vendor List of format version 3: {0}")]
    Shape(String),
    /// `gvlSpecificationVersion` is not 3 (its JSON value, or `missing`).
    #[error("gvlSpecificationVersion is {0}; only version 3 is read")]
    UnsupportedSpecification(String),
    #[error("{field} is {value}; the TC string holds 1 to {max}")]
    OutOfRange { field: &'static str, value: u64, max: u64 },
    /// An item filed under another id than its own (`"vendors": {"8": {"id": 9, …}}`).
    #[error("{map} key {key} holds the item with id {id}")]
    KeyMismatch { map: &'static str, key: u64, id: u64 },
    #[error("{map} id {id} is outside 1 to {max}")]
    IdOutOfRange { map: &'static str, id: u64, max: u64 },
    /// A vendor or stack refers to an id the list does not define.
    #[error("{owner} lists {field} id {id}, which the list does not define")]
    UnknownId {
        owner: String,
        field: &'static str,
        id: u64,
    },
    #[error("vendor {vendor} declares purpose {purpose} for both consent and legitimate interest")]
    BothLegalBases { vendor: u16, purpose: u8 },
    #[error("vendor {vendor} has flexible purpose {purpose} without declaring it")]
    UndeclaredFlexiblePurpose { vendor: u16, purpose: u8 },
}

/// Purpose ids fit the TC string's 24-bit purpose fields.
const MAX_PURPOSE: u64 = 24;
/// Special feature ids fit SpecialFeatureOptIns' 12 bits.
const MAX_SPECIAL_FEATURE: u64 = 12;

/// Only the version, read first so that a list of another version is named as such rather
/// than by the first field its shape lacks.
#[derive(Deserialize)]
struct SpecificationVersion {
    #[serde(rename = "gvlSpecificationVersion")]
    version: Option<serde_json::Value>,
}

/// Reads `json` as `T` after checking its size and, when `required` or present, its
/// specification version.
fn read<T: DeserializeOwned>(json: &str, required: bool) -> Result<T, GvlError> {
    if json.len() > MAX_GVL_LEN {
        return Err(GvlError::TooLarge(json.len()));
    }
    let shape = |e: serde_json::Error| GvlError::Shape(e.to_string());
    let SpecificationVersion { version } = serde_json::from_str(json).map_err(shape)?;
    match version {
        Some(v) if v == u64::from(GVL_SPECIFICATION_VERSION) => {}
        None if !required => {}
        other => {
            let found = other.map_or_else(|| "missing".to_owned(), |v| v.to_string());
            return Err(GvlError::UnsupportedSpecification(found));
        }
    }
    serde_json::from_str(json).map_err(shape)
}

impl VendorList {
    /// Reads a `vendor-list.json` of format version 3 and checks that it holds together.
    ///
    /// # Errors
    /// [`GvlError`]: text longer than [`MAX_GVL_LEN`]; not JSON or a required field missing
    /// or of the wrong type (`Shape`); `gvlSpecificationVersion` other than 3; a
    /// vendorListVersion outside 1 to 4095 or a tcfPolicyVersion outside 1 to 63 (what the TC
    /// string can carry); an item under another key than its id; a purpose id past 24 or a
    /// special feature id past 12; a vendor or stack naming an id the list lacks; a vendor
    /// declaring a purpose for both legal bases, or a flexible purpose it does not declare.
    pub fn parse(json: &str) -> Result<Self, GvlError> {
        let list: Self = read(json, true)?;
        list.check()?;
        Ok(list)
    }

    fn check(&self) -> Result<(), GvlError> {
        in_range("vendorListVersion", self.vendor_list_version.into(), 4095)?;
        in_range("tcfPolicyVersion", self.tcf_policy_version.into(), 63)?;
        check_declarations([
            ("purposes", &self.purposes, MAX_PURPOSE),
            ("specialPurposes", &self.special_purposes, u8::MAX.into()),
            ("features", &self.features, u8::MAX.into()),
            ("specialFeatures", &self.special_features, MAX_SPECIAL_FEATURE),
        ])?;
        keys_are_ids("stacks", self.stacks.iter().map(|(k, s)| (*k, s.id)))?;
        keys_are_ids("dataCategories", self.data_categories.iter().map(|(k, c)| (*k, c.id)))?;
        keys_are_ids("vendors", self.vendors.iter().map(|(k, v)| (*k, v.id)))?;
        if self.vendors.contains_key(&0) {
            return Err(GvlError::IdOutOfRange {
                map: "vendors",
                id: 0,
                max: u16::MAX.into(),
            });
        }
        for stack in self.stacks.values() {
            let owner = || format!("stack {}", stack.id);
            known(owner, "purposes", &stack.purposes, &self.purposes)?;
            known(
                owner,
                "specialFeatures",
                &stack.special_features,
                &self.special_features,
            )?;
        }
        for v in self.vendors.values() {
            let owner = || format!("vendor {}", v.id);
            known(owner, "purposes", &v.purposes, &self.purposes)?;
            known(owner, "legIntPurposes", &v.leg_int_purposes, &self.purposes)?;
            known(owner, "flexiblePurposes", &v.flexible_purposes, &self.purposes)?;
            known(owner, "specialPurposes", &v.special_purposes, &self.special_purposes)?;
            known(owner, "features", &v.features, &self.features)?;
            known(owner, "specialFeatures", &v.special_features, &self.special_features)?;
            known(owner, "dataDeclaration", &v.data_declaration, &self.data_categories)?;
            if let Some(&purpose) = v.purposes.iter().find(|p| v.leg_int_purposes.contains(p)) {
                return Err(GvlError::BothLegalBases { vendor: v.id, purpose });
            }
            let declared = |p: &u8| v.purposes.contains(p) || v.leg_int_purposes.contains(p);
            if let Some(&purpose) = v.flexible_purposes.iter().find(|p| !declared(p)) {
                return Err(GvlError::UndeclaredFlexiblePurpose { vendor: v.id, purpose });
            }
        }
        Ok(())
    }
}

impl Translation {
    /// Reads a translation file (`purposes-{language}.json`).
    ///
    /// # Errors
    /// [`GvlError`]: too long, not of the shape, a `gvlSpecificationVersion` other than 3
    /// when present, an item under another key than its id, or a purpose or special feature
    /// id past what the TC string carries.
    pub fn parse(json: &str) -> Result<Self, GvlError> {
        let t: Self = read(json, false)?;
        check_declarations([
            ("purposes", &t.purposes, MAX_PURPOSE),
            ("specialPurposes", &t.special_purposes, u8::MAX.into()),
            ("features", &t.features, u8::MAX.into()),
            ("specialFeatures", &t.special_features, MAX_SPECIAL_FEATURE),
        ])?;
        keys_are_ids("stacks", t.stacks.iter().map(|(k, s)| (*k, s.id)))?;
        keys_are_ids("dataCategories", t.data_categories.iter().map(|(k, c)| (*k, c.id)))?;
        Ok(t)
    }
}

fn in_range(field: &'static str, value: u64, max: u64) -> Result<(), GvlError> {
    if (1..=max).contains(&value) {
        Ok(())
    } else {
        Err(GvlError::OutOfRange { field, value, max })
    }
}

/// Each map's keys are its items' ids, from 1 to the map's maximum.
fn check_declarations(maps: [(&'static str, &BTreeMap<u8, Declaration>, u64); 4]) -> Result<(), GvlError> {
    for (map, items, max) in maps {
        keys_are_ids(map, items.iter().map(|(k, d)| (*k, d.id)))?;
        if let Some(&id) = items.keys().find(|id| **id == 0 || u64::from(**id) > max) {
            return Err(GvlError::IdOutOfRange {
                map,
                id: id.into(),
                max,
            });
        }
    }
    Ok(())
}

fn keys_are_ids<K: Into<u64>>(map: &'static str, pairs: impl Iterator<Item = (K, K)>) -> Result<(), GvlError> {
    for (key, id) in pairs {
        let (key, id) = (key.into(), id.into());
        if key != id {
            return Err(GvlError::KeyMismatch { map, key, id });
        }
    }
    Ok(())
}

/// Every id in `ids` is a key of `defined`.
fn known<K: Ord + Copy + Into<u64>, T>(
    owner: impl Fn() -> String,
    field: &'static str,
    ids: &[K],
    defined: &BTreeMap<K, T>,
) -> Result<(), GvlError> {
    match ids.iter().find(|id| !defined.contains_key(id)) {
        Some(&id) => Err(GvlError::UnknownId {
            owner: owner(),
            field,
            id: id.into(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const FIXTURE: &str = include_str!("../../../../tests/fixtures/gvl-v3.json");

    /// The fixture with `change` applied.
    fn parse_changed(change: impl FnOnce(&mut Value)) -> Result<VendorList, GvlError> {
        let mut v: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
        change(&mut v);
        VendorList::parse(&v.to_string())
    }

    #[test]
    fn the_fixture_parses() {
        let list = VendorList::parse(FIXTURE).expect("a good list");
        assert_eq!((list.vendor_list_version, list.tcf_policy_version), (141, 5));
        assert_eq!(list.purposes.len(), 11);
    }

    #[test]
    fn a_list_of_another_format_version_is_named_as_such() {
        let version = |v: Value| parse_changed(|l| l["gvlSpecificationVersion"] = v);
        assert_eq!(version(json!(2)), Err(GvlError::UnsupportedSpecification("2".into())));
        assert_eq!(
            version(json!("3")),
            Err(GvlError::UnsupportedSpecification("\"3\"".into()))
        );
        let missing = parse_changed(|l| {
            l.as_object_mut().expect("an object").remove("gvlSpecificationVersion");
        });
        assert_eq!(missing, Err(GvlError::UnsupportedSpecification("missing".into())));
        // A v2 list lacks v3's required fields, but the version is what is reported.
        let v2 = r#"{"gvlSpecificationVersion": 2, "vendorListVersion": 1, "vendors": {"1": {"id": 1}}}"#;
        assert_eq!(
            VendorList::parse(v2),
            Err(GvlError::UnsupportedSpecification("2".into()))
        );
    }

    #[test]
    fn malformed_lists_are_refused_naming_what_is_wrong() {
        let shape = |r: Result<VendorList, GvlError>| match r {
            Err(GvlError::Shape(message)) => message,
            other => panic!("expected a shape error, got {other:?}"),
        };
        assert!(shape(VendorList::parse("{not json")).contains("line 1"));
        let no_cookies = shape(parse_changed(|l| {
            l["vendors"]["8"]
                .as_object_mut()
                .expect("vendor 8")
                .remove("usesCookies");
        }));
        assert!(no_cookies.contains("usesCookies"), "{no_cookies}");
        let bad_key = shape(parse_changed(|l| l["vendors"]["eight"] = json!({})));
        assert!(bad_key.contains("line"), "{bad_key}");
        assert_eq!(
            parse_changed(|l| l["vendorListVersion"] = json!(4096)),
            Err(GvlError::OutOfRange {
                field: "vendorListVersion",
                value: 4096,
                max: 4095
            })
        );
        assert_eq!(
            parse_changed(|l| l["vendors"]["8"]["id"] = json!(9)),
            Err(GvlError::KeyMismatch {
                map: "vendors",
                key: 8,
                id: 9
            })
        );
        assert_eq!(
            parse_changed(|l| l["purposes"]["25"] = json!({"id": 25, "name": "x", "description": "y"})),
            Err(GvlError::IdOutOfRange {
                map: "purposes",
                id: 25,
                max: 24
            })
        );
        assert_eq!(
            parse_changed(|l| l["vendors"]["8"]["dataDeclaration"] = json!([1, 12])),
            Err(GvlError::UnknownId {
                owner: "vendor 8".into(),
                field: "dataDeclaration",
                id: 12
            })
        );
        assert_eq!(
            parse_changed(|l| l["stacks"]["2"]["purposes"] = json!([2, 12])),
            Err(GvlError::UnknownId {
                owner: "stack 2".into(),
                field: "purposes",
                id: 12
            })
        );
        assert_eq!(
            parse_changed(|l| l["vendors"]["8"]["legIntPurposes"] = json!([8])),
            Err(GvlError::BothLegalBases { vendor: 8, purpose: 8 })
        );
        assert_eq!(
            parse_changed(|l| l["vendors"]["8"]["flexiblePurposes"] = json!([2])),
            Err(GvlError::UndeclaredFlexiblePurpose { vendor: 8, purpose: 2 })
        );
        let huge = " ".repeat(MAX_GVL_LEN + 1);
        assert_eq!(VendorList::parse(&huge), Err(GvlError::TooLarge(MAX_GVL_LEN + 1)));
    }

    #[test]
    fn errors_read_as_sentences() {
        let e = GvlError::UnknownId {
            owner: "vendor 8".into(),
            field: "dataDeclaration",
            id: 12,
        };
        assert_eq!(
            e.to_string(),
            "vendor 8 lists dataDeclaration id 12, which the list does not define"
        );
    }

    #[test]
    fn translations_need_no_version_but_refuse_a_wrong_one() {
        let t = Translation::parse(r#"{"purposes": {"1": {"id": 1, "name": "Un", "description": "D"}}}"#)
            .expect("a minimal translation");
        assert_eq!(t.purposes[&1].name, "Un");
        assert_eq!(
            Translation::parse(r#"{"gvlSpecificationVersion": 2, "purposes": {}}"#),
            Err(GvlError::UnsupportedSpecification("2".into()))
        );
        assert_eq!(
            Translation::parse(r#"{"stacks": {"4": {"id": 5, "name": "n", "description": "d"}}}"#),
            Err(GvlError::KeyMismatch {
                map: "stacks",
                key: 4,
                id: 5
            })
        );
    }
}
