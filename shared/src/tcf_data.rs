//! The `TCData` object of IAB Tech Lab's "Consent Management Platform API" v2.2 (section "What
//! objects are returned from the API?" → `TCData`), as the loader's `__tcfapi` hands it to
//! vendors: the TC string and its values, pre-parsed. The banner computes it from the string
//! it wrote ([`TcData::new`]) and stores it with the choice (`tcf` in the stored choice), so a
//! returning visitor's page answers `__tcfapi` without the banner; the loader adds the three
//! fields that depend on the moment (`eventStatus`, `cmpStatus`, `listenerId`).
//!
//! The shape is what IAB's reference implementation (`@iabtechlabtcf/cmpapi`, its `TCData`)
//! sends: boolean vectors are objects keyed by id strings holding every id from 1 to the highest
//! one set, `false` included (IAB's `Vector` iterates `1..=maxId`); publisher restrictions are
//! `{"purpose id": {"vendor id": restriction type}}`. Global-scope strings (the `outOfBand`
//! field) are gone since TCF 2.2 and are not described.

use crate::signals::tcf::{TcString, VendorSet};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// `TCData` without `eventStatus`, `cmpStatus` and `listenerId` (the loader adds them).
///
/// Where GDPR does not apply, the CMP API says only `gdprApplies`, `tcfPolicyVersion`, `cmpId`
/// and `cmpVersion` exist: every other field is then absent ([`TcData::not_applicable`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TcData {
    /// The TC string (base64url segments joined by `.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tc_string: Option<String>,
    /// TcfPolicyVersion: the TCF policy the CMP follows (5 for TCF 2.3).
    pub tcf_policy_version: u8,
    /// CmpId: assigned by IAB Europe.
    pub cmp_id: u16,
    /// CmpVersion: the CMP's own version.
    pub cmp_version: u16,
    /// Whether GDPR applies to this visitor here (CMP API "What does the gdprApplies value mean?").
    pub gdpr_applies: bool,
    #[serde(flatten)]
    pub applies: Option<Signals>,
}

/// What the string says, where GDPR applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signals {
    /// IsServiceSpecific: true for every valid string since global scope ended (Sept 2021).
    pub is_service_specific: bool,
    /// UseNonStandardTexts: publisher-customized stack descriptions or illustrations.
    pub use_non_standard_texts: bool,
    /// PublisherCC: ISO 3166-1 alpha-2, the country whose law is the reference.
    #[serde(rename = "publisherCC")]
    pub publisher_cc: String,
    /// PurposeOneTreatment: purpose 1 was not disclosed at all.
    pub purpose_one_treatment: bool,
    /// PurposesConsent and PurposesLITransparency.
    pub purpose: ConsentsAndInterests,
    /// VendorConsents, VendorLegitimateInterests and the Disclosed Vendors segment (TCData's
    /// `vendor.disclosedVendors`, added by the CMP API's February 2026 revision for TCF 2.3).
    pub vendor: VendorSignals,
    /// SpecialFeatureOptIns.
    pub special_feature_optins: BoolVector,
    /// The Publisher TC segment and the publisher restrictions.
    pub publisher: PublisherSignals,
}

/// A pair of vectors: `consents` and `legitimateInterests`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentsAndInterests {
    pub consents: BoolVector,
    pub legitimate_interests: BoolVector,
}

/// TCData's `vendor`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorSignals {
    pub consents: BoolVector,
    pub legitimate_interests: BoolVector,
    pub disclosed_vendors: BoolVector,
}

/// TCData's `publisher`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublisherSignals {
    /// PubPurposesConsent.
    pub consents: BoolVector,
    /// PubPurposesLITransparency.
    pub legitimate_interests: BoolVector,
    /// CustomPurposesConsent and CustomPurposesLITransparency.
    pub custom_purpose: ConsentsAndInterests,
    /// Per purpose id, per vendor id, the restriction type: 0 not allowed, 1 require consent,
    /// 2 require legitimate interest.
    pub restrictions: IdMap<IdMap<u64>>,
}

/// A JSON object keyed by ids (purposes, vendors, special features), in ascending numeric
/// order. Keys are written as strings whatever the serializer (`serde_wasm_bindgen` needs
/// `serialize_maps_as_objects(true)` to make an object rather than a `Map`) and read back from
/// strings, also where serde buffers them (the flattened [`Signals`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMap<V>(pub BTreeMap<u16, V>);

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<V: Serialize> Serialize for IdMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(id, v)| (id.to_string(), v)))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for IdMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::<String, V>::deserialize(deserializer)?
            .into_iter()
            .map(|(key, v)| match key.parse() {
                Ok(id) => Ok((id, v)),
                Err(_) => Err(D::Error::custom(format!("not an id: {key:?}"))),
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// A CMP API boolean vector: `{"1": true, "2": false, …}`, every id from 1 to the highest one
/// set (none when no id is set).
pub type BoolVector = IdMap<bool>;

impl BoolVector {
    /// The vector of `set`: `true` for its ids, `false` for the others up to its highest.
    fn of(set: impl IntoIterator<Item = u16>) -> Self {
        let set: Vec<u16> = set.into_iter().collect();
        let max = set.iter().copied().max().unwrap_or(0);
        let mut vector: BTreeMap<u16, bool> = (1..=max).map(|id| (id, false)).collect();
        for id in set {
            vector.insert(id, true);
        }
        Self(vector)
    }

    fn of_small(set: &std::collections::BTreeSet<u8>) -> Self {
        Self::of(set.iter().map(|&id| u16::from(id)))
    }

    fn of_vendors(set: &VendorSet) -> Self {
        Self::of(set.ids())
    }
}

impl TcData {
    /// The TCData of `tc` (CMP API v2.2, `TCData`): `tcString` is `tc` encoded
    /// ([`TcString::encode`], byte for byte the string the banner stored, which it wrote with
    /// the same encoder); the vectors are its fields as IAB's `@iabtechlabtcf/cmpapi` lays
    /// them out. With `gdpr_applies` false, what [`TcData::not_applicable`] says for the
    /// string's CMP and policy (the CMP API keeps no string where GDPR does not apply).
    ///
    /// Values that do not fit their fields (which `encode` refuses, and which no decoded
    /// string and no string the banner could store has) leave `tcString` absent rather than
    /// naming a string that says something else.
    pub fn new(tc: &TcString, gdpr_applies: bool) -> Self {
        if !gdpr_applies {
            return Self::not_applicable(tc.cmp_id, tc.cmp_version, tc.tcf_policy_version);
        }
        let publisher_tc = tc.publisher_tc.clone().unwrap_or_default();
        let mut restrictions: IdMap<IdMap<u64>> = IdMap::default();
        for restriction in &tc.pub_restrictions {
            let by_vendor = restrictions.0.entry(restriction.purpose_id.into()).or_default();
            for vendor in restriction.vendors().ids() {
                by_vendor.0.insert(vendor, restriction.restriction_type.code());
            }
        }
        Self {
            tc_string: tc.encode().ok(),
            tcf_policy_version: tc.tcf_policy_version,
            cmp_id: tc.cmp_id,
            cmp_version: tc.cmp_version,
            gdpr_applies: true,
            applies: Some(Signals {
                is_service_specific: tc.is_service_specific,
                use_non_standard_texts: tc.use_non_standard_texts,
                publisher_cc: String::from_utf8_lossy(&tc.publisher_cc).into_owned(),
                purpose_one_treatment: tc.purpose_one_treatment,
                purpose: ConsentsAndInterests {
                    consents: BoolVector::of_small(&tc.purposes_consent),
                    legitimate_interests: BoolVector::of_small(&tc.purposes_li_transparency),
                },
                vendor: VendorSignals {
                    consents: BoolVector::of_vendors(&tc.vendor_consents),
                    legitimate_interests: BoolVector::of_vendors(&tc.vendor_legitimate_interests),
                    disclosed_vendors: BoolVector::of_vendors(&tc.disclosed_vendors),
                },
                special_feature_optins: BoolVector::of_small(&tc.special_feature_opt_ins),
                publisher: PublisherSignals {
                    consents: BoolVector::of_small(&publisher_tc.pub_purposes_consent),
                    legitimate_interests: BoolVector::of_small(&publisher_tc.pub_purposes_li_transparency),
                    custom_purpose: ConsentsAndInterests {
                        consents: BoolVector::of_small(&publisher_tc.custom_purposes_consent),
                        legitimate_interests: BoolVector::of_small(&publisher_tc.custom_purposes_li_transparency),
                    },
                    restrictions,
                },
            }),
        }
    }

    /// A visitor for whom GDPR does not apply: `gdprApplies: false` with the CMP's id and
    /// version and the policy version, and nothing else (CMP API v2.2, `TCData`: "If GDPR does
    /// not apply to this user in this context then only gdprApplies, tcfPolicyVersion, cmpId
    /// and cmpVersion shall exist in the object").
    pub fn not_applicable(cmp_id: u16, cmp_version: u16, tcf_policy_version: u8) -> Self {
        Self {
            tc_string: None,
            tcf_policy_version,
            cmp_id,
            cmp_version,
            gdpr_applies: false,
            applies: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::tcf::{PublisherRestriction, RestrictionType};
    use serde_json::json;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).expect("the fixture")
    }

    /// The "restricted" string of `tcf-choices.json`: accept all on the test list, with the
    /// publisher restrictions purpose 2 not allowed for vendors 8 and 15, purpose 7 consent
    /// required for vendor 2.
    fn restricted() -> String {
        let choices: serde_json::Value = serde_json::from_str(&fixture("tcf-choices.json")).expect("JSON");
        choices["choices"]
            .as_array()
            .expect("choices")
            .iter()
            .find(|c| c["name"] == "restricted")
            .expect("the restricted choice")["tcString"]
            .as_str()
            .expect("a string")
            .to_owned()
    }

    #[test]
    fn a_string_s_tc_data_is_laid_out_as_iab_s_cmpapi_lays_it_out() {
        let text = restricted();
        let data = TcData::new(&TcString::decode(&text).expect("decodes"), true);
        let t = true;
        let f = false;
        assert_eq!(
            serde_json::to_value(&data).expect("serializes"),
            json!({
                "tcString": text,
                "tcfPolicyVersion": 5,
                "cmpId": 300,
                "cmpVersion": 7,
                "gdprApplies": true,
                "isServiceSpecific": true,
                "useNonStandardTexts": false,
                "publisherCC": "FR",
                "purposeOneTreatment": false,
                "purpose": {
                    "consents": {"1": t, "2": t, "3": t, "4": t, "5": f, "6": f, "7": t, "8": t},
                    "legitimateInterests": {"1": f, "2": f, "3": f, "4": f, "5": f, "6": f, "7": t, "8": t, "9": t, "10": t},
                },
                "vendor": {
                    "consents": {"1": f, "2": t, "3": f, "4": f, "5": f, "6": f, "7": f, "8": t, "9": f, "10": f, "11": f, "12": f, "13": f, "14": f, "15": t, "16": f, "17": f, "18": f, "19": f, "20": f, "21": t},
                    "legitimateInterests": {"1": f, "2": t, "3": f, "4": f, "5": f, "6": f, "7": f, "8": t, "9": f, "10": f, "11": f, "12": f, "13": f, "14": f, "15": t},
                    "disclosedVendors": {"1": f, "2": t, "3": f, "4": f, "5": f, "6": f, "7": f, "8": t, "9": f, "10": f, "11": f, "12": f, "13": f, "14": f, "15": t, "16": f, "17": f, "18": f, "19": f, "20": f, "21": t},
                },
                "specialFeatureOptins": {"1": t, "2": t},
                "publisher": {
                    "consents": {},
                    "legitimateInterests": {},
                    "customPurpose": {"consents": {}, "legitimateInterests": {}},
                    "restrictions": {"2": {"8": 0, "15": 0}, "7": {"2": 1}},
                },
            })
        );
    }

    #[test]
    fn vectors_hold_every_id_up_to_the_highest_set_and_keep_numeric_order() {
        let cases: [(&[u16], &str); 4] = [
            (&[], "{}"),
            (&[1], r#"{"1":true}"#),
            (&[3], r#"{"1":false,"2":false,"3":true}"#),
            (
                &[2, 10],
                r#"{"1":false,"2":true,"3":false,"4":false,"5":false,"6":false,"7":false,"8":false,"9":false,"10":true}"#,
            ),
        ];
        for (ids, want) in cases {
            let vector = BoolVector::of(ids.iter().copied());
            assert_eq!(serde_json::to_string(&vector).expect("serializes"), want, "{ids:?}");
            assert_eq!(serde_json::from_str::<BoolVector>(want).expect("reads back"), vector);
        }
        assert!(serde_json::from_str::<BoolVector>(r#"{"x":true}"#).is_err());
    }

    #[test]
    fn where_gdpr_does_not_apply_only_four_fields_exist() {
        let want = json!({"tcfPolicyVersion": 5, "cmpId": 300, "cmpVersion": 7, "gdprApplies": false});
        let data = TcData::not_applicable(300, 7, 5);
        assert_eq!(serde_json::to_value(&data).expect("serializes"), want);
        let from_string = TcData::new(&TcString::decode(&restricted()).expect("decodes"), false);
        assert_eq!(from_string, data);
        assert_eq!(serde_json::from_value::<TcData>(want).expect("reads back"), data);
    }

    #[test]
    fn every_choice_string_is_its_own_tc_string_and_reads_back() {
        let choices: serde_json::Value = serde_json::from_str(&fixture("tcf-choices.json")).expect("JSON");
        for choice in choices["choices"].as_array().expect("choices") {
            let text = choice["tcString"].as_str().expect("a string");
            let data = TcData::new(&TcString::decode(text).expect("decodes"), true);
            assert_eq!(data.tc_string.as_deref(), Some(text), "{}", choice["name"]);
            let json = serde_json::to_string(&data).expect("serializes");
            assert_eq!(serde_json::from_str::<TcData>(&json).expect("reads back"), data);
        }
    }

    #[test]
    fn the_publisher_segment_and_overlapping_restrictions_are_described() {
        let mut tc = TcString::decode(&restricted()).expect("decodes");
        tc.publisher_tc = Some(crate::signals::tcf::PublisherTc {
            pub_purposes_consent: [1, 3].into(),
            pub_purposes_li_transparency: [2].into(),
            num_custom_purposes: 2,
            custom_purposes_consent: [2].into(),
            custom_purposes_li_transparency: [].into(),
        });
        let none = VendorSet::new();
        tc.pub_restrictions = vec![
            PublisherRestriction::new(
                2,
                RestrictionType::RequireLegitimateInterest,
                &[1u16, 2, 3].into_iter().collect(),
                &none,
            ),
            PublisherRestriction::new(3, RestrictionType::NotAllowed, &[5u16].into_iter().collect(), &none),
        ];
        let publisher = serde_json::to_value(TcData::new(&tc, true)).expect("serializes")["publisher"].clone();
        assert_eq!(
            publisher,
            json!({
                "consents": {"1": true, "2": false, "3": true},
                "legitimateInterests": {"1": false, "2": true},
                "customPurpose": {"consents": {"1": false, "2": true}, "legitimateInterests": {}},
                "restrictions": {"2": {"1": 2, "2": 2, "3": 2}, "3": {"5": 0}},
            })
        );
    }

    /// `tcf-data.json` holds each choice string of `tcf-choices.json` with its TCData, for the
    /// browser suite (`e2e/tests/tcfapi.spec.ts`), which stores one as a returning visitor's
    /// and holds the loader's answer to IAB's decoding of the string. After a deliberate
    /// change: `ASSENT_WRITE_FIXTURES=1 cargo test -p assent-shared tcf_data` rewrites it.
    #[test]
    fn the_committed_tc_data_is_what_the_choice_strings_make() {
        let choices: serde_json::Value = serde_json::from_str(&fixture("tcf-choices.json")).expect("JSON");
        let made: Vec<serde_json::Value> = choices["choices"]
            .as_array()
            .expect("choices")
            .iter()
            .map(|c| {
                let text = c["tcString"].as_str().expect("a string");
                let data = TcData::new(&TcString::decode(text).expect("decodes"), true);
                json!({ "name": c["name"], "tcData": data })
            })
            .collect();
        let made = json!({ "strings": "tcf-choices.json", "choices": made });
        let path = format!("{}/tests/fixtures/tcf-data.json", env!("CARGO_MANIFEST_DIR"));
        if std::env::var_os("ASSENT_WRITE_FIXTURES").is_some() {
            let text = serde_json::to_string_pretty(&made).expect("json") + "\n";
            std::fs::write(&path, text).expect("write the fixture");
        }
        let committed: serde_json::Value = serde_json::from_str(&fixture("tcf-data.json")).expect("fixture JSON");
        assert_eq!(made, committed);
    }
}
