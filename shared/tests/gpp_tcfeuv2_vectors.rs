//! GPP's EU TCF section against IAB's reference library: every vector in
//! `fixtures/gpp-tcfeuv2-vectors.json` was written by `@iabgpp/cmpapi` (`e2e/gpp/tcfeuv2.mjs`;
//! `e2e/tests/gpp-strings.spec.ts` keeps the file equal to what the library writes). From the
//! fields, our section and GPP string are the library's byte for byte; from the library's
//! text, our decoder reads its fields; and strings with usnat beside tcfeuv2 match both ways.

use assent_shared::signals::gpp::{self, Section, TcfEuV2, UsNat};
use assent_shared::signals::tcf::{PublisherRestriction, PublisherTc, RestrictionType, TcString, VendorSet};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const FIXTURE: &str = include_str!("fixtures/gpp-tcfeuv2-vectors.json");

fn fixture() -> Value {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    let library = fixture["library"].as_str().expect("the library's name");
    assert!(library.starts_with("@iabgpp/cmpapi 3."), "{library}");
    fixture
}

fn num(fields: &Value, name: &str) -> u64 {
    fields[name].as_u64().unwrap_or_else(|| panic!("{name} is a number"))
}

fn small(fields: &Value, name: &str) -> BTreeSet<u8> {
    serde_json::from_value(fields[name].clone()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn vendors(fields: &Value, name: &str) -> VendorSet {
    let ids: Vec<u16> = serde_json::from_value(fields[name].clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    ids.into_iter().collect()
}

fn letters(fields: &Value, name: &str) -> [u8; 2] {
    let text = fields[name].as_str().unwrap_or_else(|| panic!("{name} is text"));
    text.as_bytes().try_into().expect("two letters")
}

/// The TC string a vector's fields (GPP's names, read by the library) describe.
fn tc_string(f: &Value) -> TcString {
    let narrow = |name| u16::try_from(num(f, name)).expect("fits");
    let restriction = |r: &Value| PublisherRestriction {
        purpose_id: u8::try_from(num(r, "purposeId")).expect("6 bits"),
        restriction_type: match num(r, "restrictionType") {
            0 => RestrictionType::NotAllowed,
            1 => RestrictionType::RequireConsent,
            2 => RestrictionType::RequireLegitimateInterest,
            other => panic!("restriction type {other}"),
        },
        vendor_entries: vendors(r, "vendorIds").runs().to_vec(),
    };
    TcString {
        created: num(f, "Created"),
        last_updated: num(f, "LastUpdated"),
        cmp_id: narrow("CmpId"),
        cmp_version: narrow("CmpVersion"),
        consent_screen: u8::try_from(num(f, "ConsentScreen")).expect("6 bits"),
        consent_language: letters(f, "ConsentLanguage"),
        vendor_list_version: narrow("VendorListVersion"),
        tcf_policy_version: u8::try_from(num(f, "PolicyVersion")).expect("6 bits"),
        is_service_specific: f["IsServiceSpecific"].as_bool().expect("a flag"),
        use_non_standard_texts: f["UseNonStandardStacks"].as_bool().expect("a flag"),
        special_feature_opt_ins: small(f, "SpecialFeatureOptins"),
        purposes_consent: small(f, "PurposeConsents"),
        purposes_li_transparency: small(f, "PurposeLegitimateInterests"),
        purpose_one_treatment: f["PurposeOneTreatment"].as_bool().expect("a flag"),
        publisher_cc: letters(f, "PublisherCountryCode"),
        vendor_consents: vendors(f, "VendorConsents"),
        vendor_legitimate_interests: vendors(f, "VendorLegitimateInterests"),
        pub_restrictions: f["PublisherRestrictions"]
            .as_array()
            .expect("a list")
            .iter()
            .map(restriction)
            .collect(),
        disclosed_vendors: vendors(f, "VendorsDisclosed"),
        publisher_tc: Some(PublisherTc {
            pub_purposes_consent: small(f, "PublisherConsents"),
            pub_purposes_li_transparency: small(f, "PublisherLegitimateInterests"),
            num_custom_purposes: u8::try_from(num(f, "NumCustomPurposes")).expect("6 bits"),
            custom_purposes_consent: small(f, "PublisherCustomConsents"),
            custom_purposes_li_transparency: small(f, "PublisherCustomLegitimateInterests"),
        }),
    }
}

/// A TC string's values under GPP's field names, as the fixture holds the library's reading.
fn fields_of(tc: &TcString) -> Value {
    let p = tc
        .publisher_tc
        .clone()
        .expect("the section always has a Publisher TC segment");
    let ids = |s: &VendorSet| s.ids().collect::<Vec<_>>();
    let text = |code: [u8; 2]| String::from_utf8(code.to_vec()).expect("letters");
    json!({
        "Created": tc.created,
        "LastUpdated": tc.last_updated,
        "CmpId": tc.cmp_id,
        "CmpVersion": tc.cmp_version,
        "ConsentScreen": tc.consent_screen,
        "ConsentLanguage": text(tc.consent_language),
        "VendorListVersion": tc.vendor_list_version,
        "PolicyVersion": tc.tcf_policy_version,
        "IsServiceSpecific": tc.is_service_specific,
        "UseNonStandardStacks": tc.use_non_standard_texts,
        "SpecialFeatureOptins": tc.special_feature_opt_ins,
        "PurposeConsents": tc.purposes_consent,
        "PurposeLegitimateInterests": tc.purposes_li_transparency,
        "PurposeOneTreatment": tc.purpose_one_treatment,
        "PublisherCountryCode": text(tc.publisher_cc),
        "VendorConsents": ids(&tc.vendor_consents),
        "VendorLegitimateInterests": ids(&tc.vendor_legitimate_interests),
        "PublisherRestrictions": tc.pub_restrictions.iter().map(|r| json!({
            "purposeId": r.purpose_id,
            "restrictionType": match r.restriction_type {
                RestrictionType::NotAllowed => 0,
                RestrictionType::RequireConsent => 1,
                RestrictionType::RequireLegitimateInterest => 2,
            },
            "vendorIds": ids(&r.vendors()),
        })).collect::<Vec<_>>(),
        "PublisherConsents": p.pub_purposes_consent,
        "PublisherLegitimateInterests": p.pub_purposes_li_transparency,
        "NumCustomPurposes": p.num_custom_purposes,
        "PublisherCustomConsents": p.custom_purposes_consent,
        "PublisherCustomLegitimateInterests": p.custom_purposes_li_transparency,
        "VendorsDisclosed": ids(&tc.disclosed_vendors),
    })
}

fn sections(fixture: &Value) -> &Vec<Value> {
    let sections = fixture["sections"].as_array().expect("vectors");
    assert!(sections.len() >= 7);
    sections
}

fn text<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name].as_str().unwrap_or_else(|| panic!("{name} is text"))
}

#[test]
fn every_section_encodes_as_the_reference_library_encodes_it() {
    let fixture = fixture();
    for v in sections(&fixture) {
        let section = TcfEuV2::new(tc_string(&v["fields"])).unwrap_or_else(|e| panic!("{}: {e}", v["name"]));
        assert_eq!(section.id(), 2);
        assert_eq!(section.encode(), text(v, "section"), "{}", v["name"]);
        assert_eq!(
            gpp::gpp_string(&[&section]).as_deref(),
            Ok(text(v, "gpp")),
            "{}",
            v["name"]
        );
    }
}

#[test]
fn every_reference_section_decodes_to_the_reference_fields() {
    let fixture = fixture();
    for v in sections(&fixture) {
        let decoded = TcfEuV2::decode(text(v, "section")).unwrap_or_else(|e| panic!("{}: {e}", v["name"]));
        assert_eq!(fields_of(decoded.tc_string()), v["fields"], "{}", v["name"]);
        assert_eq!(
            gpp::sections(text(v, "gpp")),
            Some(vec![(2, text(v, "section"))]),
            "{}",
            v["name"]
        );
    }
}

#[test]
fn the_vectors_include_what_sets_the_section_apart_from_the_tc_string() {
    let fixture = fixture();
    let differs: Vec<&str> = sections(&fixture)
        .iter()
        .filter(|v| tc_string(&v["fields"]).encode().ok().as_deref() != Some(text(v, "section")))
        .map(|v| text(v, "name"))
        .collect();
    // Vendor 29 alone is a range in GPP and a bit field in a TC string; the restriction
    // entries are runs of ids in GPP, where the TC string's writer may bridge them.
    assert!(differs.iter().any(|name| name.starts_with("one vendor")), "{differs:?}");
}

#[test]
fn tcfeuv2_and_usnat_together_match_the_reference_library_both_ways() {
    let fixture = fixture();
    let sections = sections(&fixture);
    let together = fixture["withUsnat"].as_array().expect("strings");
    assert!(!together.is_empty());
    for t in together {
        let v = &sections[usize::try_from(num(t, "vector")).expect("an index")];
        let tcf = TcfEuV2::new(tc_string(&v["fields"])).expect("encodable");
        let usnat: UsNat = serde_json::from_value(t["usnat"].clone()).expect("usnat fields");
        assert_eq!(usnat.encode(), text(t, "usnatSection"));
        // Given usnat first: the string puts tcfeuv2 (id 2) before it.
        assert_eq!(gpp::gpp_string(&[&usnat, &tcf]).as_deref(), Ok(text(t, "gpp")));
        let parts = gpp::sections(text(t, "gpp")).expect("the header names both sections");
        assert_eq!(parts, vec![(2, text(v, "section")), (7, text(t, "usnatSection"))]);
        let decoded = TcfEuV2::decode(parts[0].1).expect("decodes");
        assert_eq!(fields_of(decoded.tc_string()), v["fields"]);
        let usnat_back = UsNat::decode(parts[1].1).expect("decodes");
        let Value::Object(mut back) = serde_json::to_value(usnat_back).expect("serializes") else {
            panic!("usnat serializes to an object");
        };
        back.retain(|_, v| !v.is_null());
        assert_eq!(Value::Object(back), t["usnat"], "{}", v["name"]);
    }
}

#[test]
fn only_service_specific_strings_go_into_gpp_and_a_missing_publisher_segment_is_written_empty() {
    let fixture = fixture();
    let defaults = &sections(&fixture)[0];
    let mut tc = tc_string(&defaults["fields"]);
    tc.publisher_tc = None;
    let section = TcfEuV2::new(tc.clone()).expect("encodable");
    assert_eq!(section.encode(), text(defaults, "section"));
    assert_eq!(section.tc_string().publisher_tc, Some(PublisherTc::default()));
    tc.is_service_specific = false;
    let refused = TcfEuV2::new(tc.clone()).map_err(|e| e.field);
    assert_eq!(refused, Err("IsServiceSpecific"));
    let global = tc.encode().expect("a global TC string is fine on its own");
    assert_eq!(TcfEuV2::decode(&global).map_err(|e| e.field), Err("IsServiceSpecific"));
}

#[test]
fn restriction_entries_are_written_as_runs_of_their_vendors_whatever_entries_they_came_in() {
    let fixture = fixture();
    let v = sections(&fixture)
        .iter()
        .find(|v| {
            !v["fields"]["PublisherRestrictions"]
                .as_array()
                .expect("a list")
                .is_empty()
        })
        .expect("a vector with restrictions");
    // The library takes a restriction's vendor ids; a TC string may hold them as any entries.
    let mut tc = tc_string(&v["fields"]);
    for r in &mut tc.pub_restrictions {
        let mut singles: Vec<(u16, u16)> = r.vendors().ids().map(|id| (id, id)).collect();
        singles.reverse();
        r.vendor_entries = singles;
    }
    let section = TcfEuV2::new(tc).expect("encodable");
    assert_eq!(section.encode(), text(v, "section"), "{}", v["name"]);
}
