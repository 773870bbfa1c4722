//! Assent's Global Vendor List model against IAB's: `fixtures/gvl-v3-iab.json` holds what IAB's
//! `GVL` class (`@iabtechlabtcf/core`) reads from our fixture `fixtures/gvl-v3.json`, which
//! vendors it keeps for a site, and TC strings its encoder wrote on that site's list
//! (`e2e/tcf/gvl.mjs`; `e2e/tests/tcf-gvl.spec.ts` keeps the file equal to what the library
//! makes). Our parser must read the same list, `for_site` must keep the same vendors, and our
//! decoder must read IAB's strings as the list says they should be.

use assent_shared::signals::tcf::gvl::{Translation, VendorList};
use assent_shared::signals::tcf::{TcString, VendorSet};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const LIST: &str = include_str!("fixtures/gvl-v3.json");
const FRENCH: &str = include_str!("fixtures/gvl-v3-purposes-fr.json");
const IAB: &str = include_str!("fixtures/gvl-v3-iab.json");

fn iab() -> Value {
    let iab: Value = serde_json::from_str(IAB).expect("the IAB fixture is JSON");
    let library = iab["library"].as_str().expect("the library's name");
    assert!(library.starts_with("@iabtechlabtcf/core 1.5."), "{library}");
    iab
}

fn list() -> VendorList {
    VendorList::parse(LIST).expect("the fixture is a good list")
}

fn ids<T: Into<u64> + Copy>(items: impl IntoIterator<Item = T>) -> Value {
    items.into_iter().map(|id| id.into()).collect::<Vec<u64>>().into()
}

#[test]
fn we_read_the_list_as_iab_s_gvl_class_reads_it() {
    let (iab, list) = (iab(), list());
    let read = &iab["list"];
    assert_eq!(read["gvlSpecificationVersion"], list.gvl_specification_version);
    assert_eq!(read["vendorListVersion"], list.vendor_list_version);
    assert_eq!(read["tcfPolicyVersion"], list.tcf_policy_version);
    assert_eq!(read["lastUpdated"].as_str(), Some("2026-02-26T16:00:00.000Z"));
    assert_eq!(list.last_updated, "2026-02-26T16:00:00Z");
    let names: serde_json::Map<String, Value> = list
        .purposes
        .iter()
        .map(|(id, p)| (id.to_string(), p.name.clone().into()))
        .collect();
    assert_eq!(read["purposes"], Value::Object(names));
    assert_eq!(read["specialPurposes"], ids(list.special_purposes.keys().copied()));
    assert_eq!(read["features"], ids(list.features.keys().copied()));
    assert_eq!(read["specialFeatures"], ids(list.special_features.keys().copied()));
    assert_eq!(read["dataCategories"], ids(list.data_categories.keys().copied()));
    for (id, stack) in &list.stacks {
        let theirs = &read["stacks"][id.to_string()];
        assert_eq!(theirs["purposes"], ids(stack.purposes.iter().copied()), "stack {id}");
        assert_eq!(theirs["specialFeatures"], ids(stack.special_features.iter().copied()));
    }
    let all = read["allVendors"].as_object().expect("vendors");
    assert_eq!(all.len(), list.vendors.len());
    for (id, v) in &list.vendors {
        let ours = json!({
            "name": v.name,
            "purposes": ids(v.purposes.iter().copied()),
            "legIntPurposes": ids(v.leg_int_purposes.iter().copied()),
            "flexiblePurposes": ids(v.flexible_purposes.iter().copied()),
            "specialPurposes": ids(v.special_purposes.iter().copied()),
            "features": ids(v.features.iter().copied()),
            "specialFeatures": ids(v.special_features.iter().copied()),
            "dataDeclaration": ids(v.data_declaration.iter().copied()),
            "urlLanguages": v.urls.iter().map(|u| u.lang_id.clone()).collect::<Vec<_>>(),
            "usesCookies": v.uses_cookies,
            "cookieMaxAgeSeconds": v.cookie_max_age_seconds,
            "usesNonCookieAccess": v.uses_non_cookie_access,
        });
        assert_eq!(all[&id.to_string()], ours, "vendor {id}");
    }
    // IAB's class offers every vendor but the deleted ones: our disclosed vendors of the full list.
    assert_eq!(read["activeVendors"], ids(list.disclosed_vendors().ids()));
    // Its per-purpose maps are what our vendors' declarations say.
    for p in list.purposes.keys() {
        let with = |basis: fn(&assent_shared::signals::tcf::gvl::Vendor) -> &Vec<u8>| {
            ids(list
                .vendors
                .values()
                .filter(|v| !v.is_deleted() && basis(v).contains(p))
                .map(|v| v.id))
        };
        assert_eq!(
            read["consentByPurpose"][p.to_string()],
            with(|v| &v.purposes),
            "purpose {p}"
        );
        assert_eq!(read["legIntByPurpose"][p.to_string()], with(|v| &v.leg_int_purposes));
    }
}

#[test]
fn a_site_keeps_the_vendors_iab_keeps_and_what_they_declare() {
    let (iab, list) = (iab(), list());
    let declared: Vec<u16> = serde_json::from_value(iab["site"]["declared"].clone()).expect("ids");
    let site = list.for_site(declared);
    assert_eq!(iab["site"]["kept"], ids(site.list.vendors.keys().copied()));
    assert_eq!((site.unknown, site.deleted), (vec![999], vec![40]));

    let kept = &site.list;
    let union = |f: fn(&assent_shared::signals::tcf::gvl::Vendor) -> Vec<u8>| -> BTreeSet<u8> {
        kept.vendors.values().flat_map(f).collect()
    };
    let purposes = union(|v| [&v.purposes[..], &v.leg_int_purposes].concat());
    assert_eq!(kept.purposes.keys().copied().collect::<BTreeSet<_>>(), purposes);
    // Vendor 21, the only one with special feature 2, is not the site's.
    assert_eq!(kept.special_features.keys().copied().collect::<Vec<_>>(), vec![1]);
    // Stack 1 needs special feature 2; the others' purposes are all kept.
    assert_eq!(kept.stacks.keys().copied().collect::<Vec<_>>(), vec![2, 3, 4, 5]);
    let categories: BTreeSet<u16> = kept.vendors.values().flat_map(|v| v.data_declaration.clone()).collect();
    assert_eq!(
        kept.data_categories.keys().copied().collect::<BTreeSet<_>>(),
        categories
    );
    assert!(
        !categories.contains(&5) && !categories.contains(&7),
        "only vendor 300 declares 5 and 7"
    );
    assert_eq!(
        (kept.vendor_list_version, kept.tcf_policy_version),
        (list.vendor_list_version, list.tcf_policy_version)
    );
    // One analytics vendor alone needs little of the list.
    let small = list.for_site([8]).list;
    assert_eq!(small.purposes.keys().copied().collect::<Vec<_>>(), vec![1, 8, 9]);
    assert_eq!(small.special_purposes.keys().copied().collect::<Vec<_>>(), vec![1]);
    assert!(small.features.is_empty() && small.special_features.is_empty() && small.stacks.is_empty());
    assert_eq!(small.data_categories.keys().copied().collect::<Vec<_>>(), vec![1, 2, 6]);
    // What the banner receives is a list our parser (and IAB's class) reads again.
    let json = serde_json::to_string(kept).expect("serializes");
    assert_eq!(VendorList::parse(&json).as_ref(), Ok(kept));
}

/// IAB's encoder keeps a vendor's consent only if it declares a consent purpose, and its
/// legitimate interest only if it declares a legitimate-interest purpose or special purposes.
fn expected(list: &VendorList, keep: fn(&assent_shared::signals::tcf::gvl::Vendor) -> bool) -> VendorSet {
    list.vendors.values().filter(|v| keep(v)).map(|v| v.id).collect()
}

#[test]
fn we_decode_iab_s_strings_made_on_the_site_s_list_as_the_list_says() {
    let (iab, list) = (iab(), list());
    let declared: Vec<u16> = serde_json::from_value(iab["site"]["declared"].clone()).expect("ids");
    let site = list.for_site(declared).list;
    let decode = |name: &str| {
        let s = iab["strings"][name].as_str().expect("a string");
        TcString::decode(s).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let consents = expected(&site, |v| !v.purposes.is_empty());
    let legitimate = expected(&site, |v| {
        !v.leg_int_purposes.is_empty() || !v.special_purposes.is_empty()
    });
    let all_purposes: BTreeSet<u8> = list.purposes.keys().copied().collect();
    let all_special_features: BTreeSet<u8> = list.special_features.keys().copied().collect();

    let accept = decode("acceptAll");
    assert_eq!(accept.vendor_list_version, list.vendor_list_version);
    assert_eq!(accept.tcf_policy_version, list.tcf_policy_version);
    assert_eq!(accept.disclosed_vendors, site.disclosed_vendors());
    assert_eq!(accept.vendor_consents, consents);
    assert_eq!(accept.vendor_legitimate_interests, legitimate);
    assert_eq!(accept.purposes_consent, all_purposes);
    assert_eq!(accept.special_feature_opt_ins, all_special_features);
    // Purposes 1 and 3 to 6 never rest on legitimate interest (TCF 2.2 on).
    let li_purposes: BTreeSet<u8> = all_purposes
        .iter()
        .copied()
        .filter(|p| ![1, 3, 4, 5, 6].contains(p))
        .collect();
    assert_eq!(accept.purposes_li_transparency, li_purposes);

    let reject = decode("rejectAll");
    assert_eq!(reject.disclosed_vendors, site.disclosed_vendors());
    assert!(reject.vendor_consents.is_empty() && reject.purposes_consent.is_empty());
    assert_eq!(reject.vendor_legitimate_interests, legitimate);
    assert_eq!(reject.purposes_li_transparency, li_purposes);
}

#[test]
fn a_translation_replaces_the_texts_it_has_and_leaves_the_rest() {
    let french = Translation::parse(FRENCH).expect("the French fixture");
    assert_eq!(french.language.as_deref(), Some("fr"));
    let mut list = list();
    let english = list.clone();
    list.localize(&french);
    assert_eq!(
        list.purposes[&1].name,
        "Enregistrer et lire des informations sur votre appareil"
    );
    assert_eq!(list.purposes[&2].illustrations, french.purposes[&2].illustrations);
    assert_eq!(list.special_features[&2].name, french.special_features[&2].name);
    assert_eq!(list.stacks[&3].name, french.stacks[&3].name);
    assert_eq!(list.stacks[&3].purposes, english.stacks[&3].purposes);
    // Stack 2 and data category 2 have no French text: English stays.
    assert_eq!(list.stacks[&2], english.stacks[&2]);
    assert_eq!(list.data_categories[&2], english.data_categories[&2]);
    assert_eq!(list.data_categories[&9].name, "Localisation précise");
    assert_eq!(list.vendors, english.vendors);
}
