//! TC strings made by IAB's reference library `@iabtechlabtcf/core` for varied inputs
//! (`fixtures/tcf-vectors.json`, written by `e2e/tcf/vectors.mjs`; the e2e spec
//! `tcf-strings.spec.ts` keeps it equal to what the installed library makes). Our encoder must
//! write IAB's string for each input and our decoder must read the input back from it.

use assent_shared::signals::tcf::{PublisherRestriction, PublisherTc, RestrictionType, TcString, VendorSet};
use serde_json::Value;
use std::collections::BTreeSet;

const FIXTURE: &str = include_str!("fixtures/tcf-vectors.json");

fn num(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} is a number"))
}

fn flag(v: &Value, key: &str) -> bool {
    v[key].as_bool().unwrap_or_else(|| panic!("{key} is a boolean"))
}

fn list(v: &Value, key: &str) -> Vec<u64> {
    let items = v[key].as_array().unwrap_or_else(|| panic!("{key} is a list"));
    items.iter().map(|id| id.as_u64().expect("an id")).collect()
}

fn small_ids(v: &Value, key: &str) -> BTreeSet<u8> {
    list(v, key)
        .into_iter()
        .map(|id| u8::try_from(id).expect("a small id"))
        .collect()
}

fn vendor_ids(v: &Value, key: &str) -> VendorSet {
    list(v, key)
        .into_iter()
        .map(|id| u16::try_from(id).expect("a vendor id"))
        .collect()
}

fn code(v: &Value, key: &str) -> [u8; 2] {
    let text = v[key].as_str().unwrap_or_else(|| panic!("{key} is text"));
    text.as_bytes().try_into().expect("two letters")
}

/// The GVL the vectors were made with: 1 to its max id but for the missing ones.
fn gvl(fixture: &Value) -> VendorSet {
    let missing = list(&fixture["gvl"], "missingVendorIds");
    (1..=num(&fixture["gvl"], "maxVendorId"))
        .filter(|id| !missing.contains(id))
        .map(|id| u16::try_from(id).expect("a vendor id"))
        .collect()
}

/// The fixture's input (in IAB's terms) as our value; restriction entries as IAB's encoder
/// groups them on this GVL.
fn tc_string(input: &Value, gvl: &VendorSet) -> TcString {
    let narrow = |n: u64| u16::try_from(n).expect("fits");
    let restriction = |r: &Value| {
        let restriction_type = match num(r, "restrictionType") {
            0 => RestrictionType::NotAllowed,
            1 => RestrictionType::RequireConsent,
            2 => RestrictionType::RequireLegitimateInterest,
            other => panic!("restriction type {other}"),
        };
        let purpose_id = u8::try_from(num(r, "purposeId")).expect("a purpose id");
        PublisherRestriction::new(purpose_id, restriction_type, &vendor_ids(r, "vendorIds"), gvl)
    };
    let publisher_tc = |p: &Value| PublisherTc {
        pub_purposes_consent: small_ids(p, "pubPurposesConsent"),
        pub_purposes_li_transparency: small_ids(p, "pubPurposesLITransparency"),
        num_custom_purposes: u8::try_from(num(p, "numCustomPurposes")).expect("6 bits"),
        custom_purposes_consent: small_ids(p, "customPurposesConsent"),
        custom_purposes_li_transparency: small_ids(p, "customPurposesLITransparency"),
    };
    TcString {
        created: num(input, "created"),
        last_updated: num(input, "lastUpdated"),
        cmp_id: narrow(num(input, "cmpId")),
        cmp_version: narrow(num(input, "cmpVersion")),
        consent_screen: u8::try_from(num(input, "consentScreen")).expect("6 bits"),
        consent_language: code(input, "consentLanguage"),
        vendor_list_version: narrow(num(input, "vendorListVersion")),
        tcf_policy_version: u8::try_from(num(input, "tcfPolicyVersion")).expect("6 bits"),
        is_service_specific: flag(input, "isServiceSpecific"),
        use_non_standard_texts: flag(input, "useNonStandardTexts"),
        special_feature_opt_ins: small_ids(input, "specialFeatureOptIns"),
        purposes_consent: small_ids(input, "purposesConsent"),
        purposes_li_transparency: small_ids(input, "purposesLITransparency"),
        purpose_one_treatment: flag(input, "purposeOneTreatment"),
        publisher_cc: code(input, "publisherCC"),
        vendor_consents: vendor_ids(input, "vendorConsents"),
        vendor_legitimate_interests: vendor_ids(input, "vendorLegitimateInterests"),
        pub_restrictions: input["pubRestrictions"]
            .as_array()
            .expect("a list")
            .iter()
            .map(restriction)
            .collect(),
        disclosed_vendors: vendor_ids(input, "disclosedVendors"),
        publisher_tc: (!input["publisherTC"].is_null()).then(|| publisher_tc(&input["publisherTC"])),
    }
}

fn vectors() -> (Value, VendorSet) {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    let gvl = gvl(&fixture);
    assert!(
        fixture["library"]
            .as_str()
            .is_some_and(|l| l.starts_with("@iabtechlabtcf/core 1.5.")),
        "made by IAB's library: {}",
        fixture["library"]
    );
    (fixture, gvl)
}

#[test]
fn our_encoder_writes_the_string_iab_s_library_writes() {
    let (fixture, gvl) = vectors();
    let vectors = fixture["vectors"].as_array().expect("vectors");
    assert!(vectors.len() >= 10);
    for v in vectors {
        let encoded = tc_string(&v["input"], &gvl).encode().expect("encodable");
        assert_eq!(encoded, v["encoded"].as_str().expect("a string"), "{}", v["name"]);
    }
}

#[test]
fn our_decoder_reads_the_input_back_from_iab_s_string() {
    let (fixture, gvl) = vectors();
    for v in fixture["vectors"].as_array().expect("vectors") {
        let encoded = v["encoded"].as_str().expect("a string");
        let decoded = TcString::decode(encoded).unwrap_or_else(|e| panic!("{}: {e}", v["name"]));
        let input = tc_string(&v["input"], &gvl);
        assert_eq!(decoded, input, "{}", v["name"]);
        // A restriction's ranges may span ids the GVL lacks; on the GVL they name the input's ids.
        for (r, given) in decoded
            .pub_restrictions
            .iter()
            .zip(v["input"]["pubRestrictions"].as_array().expect("a list"))
        {
            let on_gvl: Vec<u16> = r.vendors().ids().filter(|id| gvl.contains(*id)).collect();
            assert_eq!(
                on_gvl,
                vendor_ids(given, "vendorIds").ids().collect::<Vec<_>>(),
                "{}",
                v["name"]
            );
        }
    }
}
