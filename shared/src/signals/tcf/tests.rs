//! The format's own rules; the vectors IAB's library made are checked in
//! `shared/tests/tcf_iab_vectors.rs`.

use super::*;

fn sample() -> TcString {
    TcString {
        created: 17_724_456_005,
        last_updated: 17_726_994_000,
        cmp_id: 300,
        cmp_version: 7,
        consent_screen: 1,
        consent_language: *b"EN",
        vendor_list_version: 140,
        tcf_policy_version: TCF_2_3_POLICY_VERSION,
        is_service_specific: true,
        use_non_standard_texts: false,
        special_feature_opt_ins: [1].into(),
        purposes_consent: [1, 2, 3, 24].into(),
        purposes_li_transparency: [2, 7].into(),
        purpose_one_treatment: false,
        publisher_cc: *b"FR",
        vendor_consents: [2, 50, 600, 1200].into_iter().collect(),
        vendor_legitimate_interests: (1..300).collect(),
        pub_restrictions: vec![PublisherRestriction {
            purpose_id: 2,
            restriction_type: RestrictionType::RequireConsent,
            vendor_entries: vec![(1, 3), (700, 700)],
        }],
        disclosed_vendors: (1..=1200).collect(),
        publisher_tc: Some(PublisherTc {
            pub_purposes_consent: [1].into(),
            num_custom_purposes: 3,
            custom_purposes_li_transparency: [3].into(),
            ..PublisherTc::default()
        }),
    }
}

fn problem(s: &str) -> Result<TcString, (&'static str, Problem)> {
    TcString::decode(s).map_err(|e| (e.field, e.problem))
}

#[test]
fn strings_decode_to_what_was_encoded() {
    let full = sample();
    let global = TcString {
        is_service_specific: false,
        pub_restrictions: vec![],
        publisher_tc: None,
        vendor_consents: VendorSet::new(),
        ..sample()
    };
    for tc in [full, global] {
        let s = tc.encode().expect("encodable");
        for segment in s.split('.') {
            assert_eq!(segment.len() % 4, 0, "each segment is padded to 24 bits: {segment}");
        }
        assert_eq!(TcString::decode(&s), Ok(tc));
    }
}

#[test]
fn segments_after_the_core_come_in_any_order() {
    let s = sample().encode().expect("encodable");
    let parts: Vec<_> = s.split('.').collect();
    let swapped = format!("{}.{}.{}", parts[0], parts[2], parts[1]);
    assert_eq!(TcString::decode(&swapped), Ok(sample()));
}

#[test]
fn values_that_do_not_fit_are_not_encoded() {
    let fails = |tc: TcString| tc.encode().map_err(|e| (e.field, e.problem));
    assert_eq!(
        fails(TcString {
            cmp_id: 4096,
            ..sample()
        }),
        Err(("CmpId", Problem::TooLarge(4096, 12)))
    );
    assert_eq!(
        fails(TcString {
            created: 1 << 36,
            ..sample()
        }),
        Err(("Created", Problem::TooLarge(1 << 36, 36)))
    );
    assert_eq!(
        fails(TcString {
            purposes_consent: [25].into(),
            ..sample()
        }),
        Err(("PurposesConsent", Problem::IdOutOfRange { id: 25, max: 24 }))
    );
    assert_eq!(
        fails(TcString {
            special_feature_opt_ins: [0].into(),
            ..sample()
        }),
        Err(("SpecialFeatureOptIns", Problem::IdOutOfRange { id: 0, max: 12 }))
    );
    assert_eq!(
        fails(TcString {
            consent_language: *b"en",
            ..sample()
        }),
        Err(("ConsentLanguage", Problem::NotALetter(u64::from(b'e'))))
    );
    assert_eq!(
        fails(TcString {
            disclosed_vendors: [0, 1].into_iter().collect(),
            ..sample()
        }),
        Err(("DisclosedVendors", Problem::IdOutOfRange { id: 0, max: 65535 }))
    );
    let custom = PublisherTc {
        num_custom_purposes: 2,
        custom_purposes_consent: [3].into(),
        ..PublisherTc::default()
    };
    assert_eq!(
        fails(TcString {
            publisher_tc: Some(custom),
            ..sample()
        }),
        Err(("CustomPurposesConsent", Problem::IdOutOfRange { id: 3, max: 2 }))
    );
}

#[test]
fn malformed_strings_are_refused_naming_the_field() {
    let s = sample().encode().expect("encodable");
    let parts: Vec<&str> = s.split('.').collect();
    let (core, disclosed, publisher) = (parts[0], parts[1], parts[2]);

    assert_eq!(problem(""), Err(("Version", Problem::CutShort)));
    assert_eq!(problem("C*"), Err(("Version", Problem::NotBase64url)));
    assert_eq!(
        problem(&"A".repeat(MAX_TC_STRING_LEN + 1)),
        Err(("TCString", Problem::TooLong))
    );
    // Version 1 (the retired TCF 1.1 format).
    assert_eq!(problem("BAAAAAAA"), Err(("Version", Problem::UnsupportedVersion(1))));
    // Version, Created and LastUpdated, then nothing.
    assert_eq!(problem(&core[..13]), Err(("CmpId", Problem::CutShort)));
    assert_eq!(problem(core), Err(("DisclosedVendors", Problem::Missing)));
    assert_eq!(
        problem(&format!("{core}.{publisher}")),
        Err(("DisclosedVendors", Problem::Missing))
    );
    assert_eq!(
        problem(&format!("{core}.{disclosed}.{disclosed}")),
        Err(("DisclosedVendors", Problem::Repeated))
    );
    assert_eq!(
        problem(&format!("{core}.{disclosed}.{publisher}.{publisher}")),
        Err(("PublisherTC", Problem::Repeated))
    );
    assert_eq!(
        problem(&format!("{core}.{disclosed}.{core}")),
        Err(("Core", Problem::Repeated))
    );
    // First character's top three bits: the segment type.
    assert_eq!(
        problem(&format!("{core}.QAAA")),
        Err(("AllowedVendors", Problem::RetiredSegment))
    );
    assert_eq!(
        problem(&format!("{core}.oAAA")),
        Err(("SegmentType", Problem::UnknownSegmentType(5)))
    );
    assert_eq!(problem(&format!("{core}.")), Err(("SegmentType", Problem::CutShort)));
    assert_eq!(
        problem(&format!("{core}.IAA")),
        Err(("DisclosedVendors", Problem::CutShort))
    );

    // ConsentLanguage starts at bit 108: a first letter of 63 is no letter.
    let mut bits = Reader::from_base64url(core).expect("base64url");
    let mut letter_63 = Bits::default();
    for i in 0.. {
        let Some(bit) = bits.bool() else { break };
        letter_63.bool(if (108..114).contains(&i) { true } else { bit });
    }
    assert_eq!(
        problem(&format!("{}.{disclosed}", letter_63.to_base64url())),
        Err(("ConsentLanguage", Problem::NotALetter(63)))
    );
}

#[test]
fn errors_say_which_field_and_why() {
    let e = TcString::decode("BAAAAAAA").expect_err("version 1");
    assert_eq!(
        e.to_string(),
        "TC string field Version: version 1: only version 2 (TCF 2.x) is read"
    );
}
