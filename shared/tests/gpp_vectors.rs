//! Assent's GPP encoders and decoders against IAB's: every vector in
//! `fixtures/gpp-state-vectors.json` was written by IAB's reference library `@iabgpp/cmpapi`
//! (`e2e/gpp/vectors.mjs`; `e2e/tests/gpp-strings.spec.ts` keeps the file equal to what the
//! library writes). For usnat and each state section: from the fields, our section string and
//! full GPP string are the library's; from the library's strings, our fields are its fields.

use assent_shared::signals::gpp::{self, Field, Section, StateSection, UsNat, UsSection, UsState, Value};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

#[derive(Deserialize)]
struct Fixture {
    library: String,
    sections: Vec<Vector>,
    strings: Vec<Combined>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    id: u64,
    /// The fields as the library decodes its own string, by GPP field name.
    fields: Map<String, Json>,
    section: String,
    gpp: String,
}

#[derive(Deserialize)]
struct Combined {
    /// Indexes into `sections`.
    vectors: Vec<usize>,
    gpp: String,
}

fn fixture() -> Fixture {
    serde_json::from_str(include_str!("fixtures/gpp-state-vectors.json")).expect("the fixture parses")
}

/// The section a vector's fields describe, built through the public API.
fn built(v: &Vector) -> UsSection {
    if v.id == gpp::USNAT_SECTION_ID {
        let usnat: UsNat = serde_json::from_value(Json::Object(v.fields.clone())).expect("usnat fields");
        return UsSection::Nat(usnat);
    }
    let state = UsState::from_id(v.id).expect("a state section");
    let mut section = StateSection::new(state);
    for (name, value) in &v.fields {
        let field: Field = serde_json::from_value(Json::String(name.clone())).expect(name);
        let value: Value = serde_json::from_value(value.clone()).expect(name);
        section.set(field, value).unwrap_or_else(|e| panic!("{}: {e}", v.name));
    }
    UsSection::State(section)
}

/// A section's fields as JSON, as the fixture holds them (usnat's absent GPC left out).
fn fields_of(section: &UsSection) -> Map<String, Json> {
    let Json::Object(mut map) = serde_json::to_value(section).expect("serializes") else {
        panic!("a section serializes to an object");
    };
    map.retain(|_, v| !v.is_null());
    map
}

#[test]
fn the_vectors_come_from_the_reference_library_and_cover_every_us_section() {
    let fixture = fixture();
    assert!(fixture.library.starts_with("@iabgpp/cmpapi 3."), "{}", fixture.library);
    let mut ids: Vec<u64> = fixture.sections.iter().map(|v| v.id).collect();
    ids.dedup();
    assert_eq!(ids, (7..=27).collect::<Vec<_>>());
    for state in UsState::ALL {
        let vectors = fixture.sections.iter().filter(|v| v.id == state.id());
        assert!(vectors.clone().all(|v| v.name == state.name()), "{state:?}");
        assert!(vectors.count() >= 4, "{state:?}");
    }
}

#[test]
fn every_section_encodes_as_the_reference_library_encodes_it() {
    for v in fixture().sections {
        let section = built(&v);
        assert_eq!((section.id(), section.name()), (v.id, v.name.as_str()));
        assert_eq!(section.encode(), v.section, "{} {:?}", v.name, v.fields);
        assert_eq!(gpp::gpp_string(&[&section]), Ok(v.gpp.clone()), "{}", v.name);
    }
}

#[test]
fn every_reference_string_decodes_to_the_reference_fields() {
    for v in fixture().sections {
        let decoded = UsSection::decode(v.id, &v.section).unwrap_or_else(|| panic!("{} {}", v.name, v.section));
        assert_eq!(fields_of(&decoded), v.fields, "{} {}", v.name, v.section);
        assert_eq!(decoded, built(&v), "{}", v.name);
        assert_eq!(
            gpp::sections(&v.gpp),
            Some(vec![(v.id, v.section.as_str())]),
            "{}",
            v.gpp
        );
    }
}

#[test]
fn strings_of_several_sections_match_the_reference_library_both_ways() {
    let fixture = fixture();
    for combined in &fixture.strings {
        let vectors: Vec<&Vector> = combined.vectors.iter().map(|i| &fixture.sections[*i]).collect();
        let sections: Vec<UsSection> = vectors.iter().map(|v| built(v)).collect();
        // Given in reverse: the builder puts them in id order.
        let given: Vec<&dyn Section> = sections.iter().rev().map(|s| s as &dyn Section).collect();
        assert_eq!(gpp::gpp_string(&given), Ok(combined.gpp.clone()));
        let parts = gpp::sections(&combined.gpp).expect("the header names every section");
        assert_eq!(parts.len(), vectors.len());
        for ((id, text), v) in parts.into_iter().zip(&vectors) {
            assert_eq!((id, text), (v.id, v.section.as_str()));
            let decoded = UsSection::decode(id, text).expect("decodes");
            assert_eq!(fields_of(&decoded), v.fields, "{}", v.name);
        }
    }
}
