//! What a visitor's answer in the TCF layer means as TC string values: the rules of the TCF
//! Policy (v5, TCF 2.3) between a selection on screen and the string vendors read, pure and
//! shared by the banner's TCF layer and the tests. The format itself is
//! [`crate::signals::tcf`]'s; what the ledger checks of a string is [`crate::tcf_evidence`]'s.

use crate::Invalid;
use crate::notice::{LEGITIMATE_INTEREST_PURPOSES, TcfSettings};
use crate::signals::tcf::gvl::VendorList;
use crate::signals::tcf::{PublisherRestriction, PublisherTc, TcString, VendorSet};
use crate::tcf_api::CmpIdentity;
use std::collections::BTreeSet;

/// What the visitor chose in the TCF layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TcfSelection {
    /// Purposes consented to.
    pub purposes_consent: BTreeSet<u8>,
    /// Purposes whose legitimate interest the visitor objected to (GDPR Art. 21).
    pub purposes_li_objected: BTreeSet<u8>,
    /// Special features opted in to (they need an express opt-in: TCF Policy, Appendix A).
    pub special_features: BTreeSet<u8>,
    /// Vendors consented to.
    pub vendors_consent: BTreeSet<u16>,
    /// Vendors whose legitimate interest the visitor objected to.
    pub vendors_li_objected: BTreeSet<u16>,
}

impl TcfSelection {
    /// *Accept all* on a site's list ([`VendorList::for_site`]): consent to every purpose a
    /// vendor asks consent for (its own or flexible ones), every special feature a vendor
    /// uses, and every vendor that asks consent for anything; no objection.
    pub fn accept_all(site: &VendorList) -> Self {
        let vendors = || site.vendors.values().filter(|v| !v.is_deleted());
        Self {
            purposes_consent: vendors()
                .flat_map(|v| v.purposes.iter().chain(&v.flexible_purposes).copied())
                .collect(),
            purposes_li_objected: BTreeSet::new(),
            special_features: vendors().flat_map(|v| v.special_features.iter().copied()).collect(),
            vendors_consent: vendors()
                .filter(|v| !(v.purposes.is_empty() && v.flexible_purposes.is_empty() && v.special_features.is_empty()))
                .map(|v| v.id)
                .collect(),
            vendors_li_objected: BTreeSet::new(),
        }
    }

    /// *Reject all*: no consent and no special feature, and an objection to every legitimate
    /// interest — refusing on the first layer refuses processing, whatever its basis, so no
    /// second step is needed to object (GDPR Art. 21(1), Art. 7(3): as easy as accepting).
    pub fn reject_all(site: &VendorList) -> Self {
        Self {
            purposes_li_objected: site.purposes.keys().copied().collect(),
            vendors_li_objected: site.vendors.keys().copied().collect(),
            ..Self::default()
        }
    }
}

/// Who writes the string, for whom, when and in which language.
#[derive(Debug, Clone, Copy)]
pub struct Writer<'a> {
    pub cmp: CmpIdentity,
    /// PublisherCC: ISO 3166-1 alpha-2.
    pub publisher_cc: &'a str,
    /// The language the layer was shown in (a BCP 47 tag; its primary subtag is written).
    pub language: &'a str,
    /// When the visitor's first TC string was made, and now, in deciseconds since the epoch.
    pub created: u64,
    pub now: u64,
    /// The screen the choice was made on (ConsentScreen): 1 the first layer, 2 the second.
    pub screen: u8,
}

/// The TC string values `selection` writes on a site's list (`site`, narrowed to its declared
/// vendors) under the notice's TCF `settings`:
///
/// - only what the list holds is written: consent for its purposes and vendors, opt-ins for
///   its special features;
/// - legitimate interest is written (PurposesLITransparency, VendorLegitimateInterests) only
///   for purposes 2 and 7 to 11 (TCF Policy v4 onwards), only where a vendor claims it, and
///   never where the visitor objected;
/// - every vendor of the list is disclosed (DisclosedVendors, mandatory since TCF 2.3), and
///   the notice's publisher restrictions are written for them;
/// - strings are service-specific (global scope is gone since TCF 2.2), with an empty
///   Publisher TC segment, as IAB's encoder writes them.
///
/// # Errors
/// A language or country that is not two letters.
pub fn tc_string(
    selection: &TcfSelection,
    site: &VendorList,
    settings: &TcfSettings,
    writer: Writer<'_>,
) -> Result<TcString, Invalid> {
    let live: Vec<_> = site.vendors.values().filter(|v| !v.is_deleted()).collect();
    let letters = |field: &str, code: &str| -> Result<[u8; 2], Invalid> {
        let upper = code.to_ascii_uppercase();
        match upper.as_bytes() {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok([*a, *b]),
            _ => Err(Invalid::new(field, format!("two letters, not {code:?}"))),
        }
    };
    let primary = writer.language.split('-').next().unwrap_or_default();
    let li_allowed = |p: &u8| LEGITIMATE_INTEREST_PURPOSES.contains(p);
    let claimed_li: BTreeSet<u8> = live.iter().flat_map(|v| v.leg_int_purposes.iter().copied()).collect();
    let disclosed: VendorSet = live.iter().map(|v| v.id).collect();
    // A range entry covers every id from its start to its end; the banner holds only the
    // site's share of the list, so it cannot tell which ids between two restricted vendors
    // are other GVL vendors: every id is taken for one, and ranges join only consecutive ids
    // (never restricting a vendor the notice did not name).
    let every_id = VendorSet::from_ranges([(1, u16::MAX)]);
    let restrictions = settings
        .publisher_restrictions
        .iter()
        .map(|r| {
            let vendors: VendorSet = r.vendors.iter().copied().filter(|id| disclosed.contains(*id)).collect();
            PublisherRestriction::new(r.purpose, r.restriction.into(), &vendors, &every_id)
        })
        .filter(|r| !r.vendor_entries.is_empty())
        .collect();
    Ok(TcString {
        created: writer.created,
        last_updated: writer.now,
        cmp_id: writer.cmp.id,
        cmp_version: writer.cmp.version,
        consent_screen: writer.screen,
        consent_language: letters("language", primary)?,
        vendor_list_version: site.vendor_list_version,
        tcf_policy_version: site.tcf_policy_version,
        is_service_specific: true,
        use_non_standard_texts: false,
        special_feature_opt_ins: selection
            .special_features
            .iter()
            .copied()
            .filter(|f| site.special_features.contains_key(f))
            .collect(),
        purposes_consent: selection
            .purposes_consent
            .iter()
            .copied()
            .filter(|p| site.purposes.contains_key(p))
            .collect(),
        purposes_li_transparency: claimed_li
            .into_iter()
            .filter(|p| li_allowed(p) && !selection.purposes_li_objected.contains(p))
            .collect(),
        purpose_one_treatment: false,
        publisher_cc: letters("publisher_cc", writer.publisher_cc)?,
        vendor_consents: live
            .iter()
            .map(|v| v.id)
            .filter(|id| selection.vendors_consent.contains(id))
            .collect(),
        vendor_legitimate_interests: live
            .iter()
            .filter(|v| v.leg_int_purposes.iter().any(li_allowed))
            .map(|v| v.id)
            .filter(|id| !selection.vendors_li_objected.contains(id))
            .collect(),
        pub_restrictions: restrictions,
        disclosed_vendors: disclosed,
        publisher_tc: Some(PublisherTc::default()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::Method;
    use crate::notice::{PublisherRestrictionSetting, Restriction};
    use crate::signals::tcf::RestrictionType;
    use crate::tcf_evidence::TcfEvidence;
    use crate::test_support::demo;

    const DECLARED: [u16; 4] = [2, 8, 15, 21];

    fn settings(restrictions: Vec<PublisherRestrictionSetting>) -> TcfSettings {
        TcfSettings {
            vendors: DECLARED.to_vec(),
            publisher_restrictions: restrictions,
            stacks: vec![],
        }
    }

    fn site() -> VendorList {
        let list: VendorList =
            serde_json::from_str(include_str!("../tests/fixtures/gvl-v3.json")).expect("the fixture parses");
        list.for_site(DECLARED).list
    }

    fn writer() -> Writer<'static> {
        Writer {
            cmp: CmpIdentity {
                id: 300,
                version: 7,
                placeholder: false,
            },
            publisher_cc: "fr",
            language: "pt-BR",
            created: 17_000_000_000,
            now: 17_000_000_100,
            screen: 1,
        }
    }

    fn ids(set: &VendorSet) -> Vec<u16> {
        set.ids().collect()
    }

    /// The string written for `selection`, decoded again from its text.
    fn written(selection: &TcfSelection, settings: &TcfSettings) -> (String, TcString) {
        let tc = tc_string(selection, &site(), settings, writer()).expect("written");
        let text = tc.encode().expect("encodes");
        let decoded = TcString::decode(&text).expect("decodes");
        assert_eq!(decoded, tc, "the string reads back as written");
        (text, decoded)
    }

    #[test]
    fn accept_all_consents_to_what_the_declared_vendors_ask_and_discloses_them_all() {
        let list = site();
        let (_, tc) = written(&TcfSelection::accept_all(&list), &settings(vec![]));
        let asked: BTreeSet<u8> = list
            .vendors
            .values()
            .flat_map(|v| v.purposes.iter().chain(&v.flexible_purposes).copied())
            .collect();
        assert_eq!(tc.purposes_consent, asked);
        assert_eq!(ids(&tc.disclosed_vendors), DECLARED);
        assert!(!tc.vendor_consents.is_empty());
        assert!(
            tc.purposes_li_transparency
                .iter()
                .all(|p| LEGITIMATE_INTEREST_PURPOSES.contains(p))
        );
        assert_eq!(&tc.consent_language, b"PT");
        assert_eq!(&tc.publisher_cc, b"FR");
        assert!(tc.is_service_specific);
    }

    #[test]
    fn reject_all_consents_to_nothing_and_objects_to_every_legitimate_interest() {
        let (_, tc) = written(&TcfSelection::reject_all(&site()), &settings(vec![]));
        assert!(tc.purposes_consent.is_empty() && tc.special_feature_opt_ins.is_empty());
        assert!(tc.vendor_consents.is_empty() && tc.vendor_legitimate_interests.is_empty());
        assert!(tc.purposes_li_transparency.is_empty());
        assert_eq!(ids(&tc.disclosed_vendors), DECLARED, "still disclosed: they were shown");
    }

    #[test]
    fn an_objection_removes_that_legitimate_interest_only() {
        let list = site();
        let (_, all) = written(&TcfSelection::accept_all(&list), &settings(vec![]));
        let purpose = *all.purposes_li_transparency.iter().next().expect("a purpose on LI");
        let vendor = all.vendor_legitimate_interests.ids().next().expect("a vendor on LI");
        let mut objecting = TcfSelection::accept_all(&list);
        objecting.purposes_li_objected.insert(purpose);
        objecting.vendors_li_objected.insert(vendor);
        let (_, tc) = written(&objecting, &settings(vec![]));
        assert!(!tc.purposes_li_transparency.contains(&purpose));
        assert!(!tc.vendor_legitimate_interests.contains(vendor));
        assert_eq!(
            tc.purposes_li_transparency.len() + 1,
            all.purposes_li_transparency.len()
        );
        assert_eq!(tc.purposes_consent, all.purposes_consent, "consent is untouched");
    }

    #[test]
    fn nothing_off_the_list_is_written_and_purposes_3_to_6_never_rest_on_legitimate_interest() {
        let mut list = site();
        for v in list.vendors.values_mut() {
            v.leg_int_purposes.extend([1, 3, 4, 5, 6]);
        }
        let selection = TcfSelection {
            purposes_consent: [1, 23].into(),
            special_features: [2, 9].into(),
            vendors_consent: [2, 999].into(),
            ..TcfSelection::default()
        };
        let tc = tc_string(&selection, &list, &settings(vec![]), writer()).expect("written");
        assert!(!tc.purposes_consent.contains(&23));
        assert!(!tc.special_feature_opt_ins.contains(&9));
        assert!(!tc.vendor_consents.contains(999));
        assert!(tc.purposes_li_transparency.iter().all(|p| ![1, 3, 4, 5, 6].contains(p)));
    }

    #[test]
    fn the_notices_restrictions_are_written_for_the_vendors_it_names_and_no_other() {
        let restriction = |purpose, restriction, vendors: Vec<u16>| PublisherRestrictionSetting {
            purpose,
            restriction,
            vendors,
        };
        let settings = settings(vec![
            restriction(2, Restriction::NotAllowed, vec![8, 15]),
            restriction(7, Restriction::RequireConsent, vec![2]),
        ]);
        let (_, tc) = written(&TcfSelection::accept_all(&site()), &settings);
        assert_eq!(
            tc.pub_restrictions,
            [
                PublisherRestriction {
                    purpose_id: 2,
                    restriction_type: RestrictionType::NotAllowed,
                    vendor_entries: vec![(8, 8), (15, 15)],
                },
                PublisherRestriction {
                    purpose_id: 7,
                    restriction_type: RestrictionType::RequireConsent,
                    vendor_entries: vec![(2, 2)],
                },
            ]
        );
    }

    #[test]
    fn the_ledger_takes_what_accept_all_and_reject_all_write() {
        let mut notice = demo();
        notice.tcf = Some(settings(vec![]));
        let list = site();
        for (method, selection) in [
            (Method::AcceptAll, TcfSelection::accept_all(&list)),
            (Method::RejectAll, TcfSelection::reject_all(&list)),
        ] {
            let (text, _) = written(&selection, notice.tcf.as_ref().expect("tcf"));
            let (_, evidence) = TcfEvidence::check(&notice, method, "pt-BR", &text).expect("the ledger takes it");
            assert_eq!(evidence.disclosed_vendors, DECLARED);
        }
    }

    #[test]
    fn the_ledger_refuses_a_string_without_the_notices_restrictions() {
        let mut notice = demo();
        let restricted = settings(vec![PublisherRestrictionSetting {
            purpose: 7,
            restriction: Restriction::NotAllowed,
            vendors: vec![2],
        }]);
        notice.tcf = Some(restricted.clone());
        let accept = TcfSelection::accept_all(&site());
        let (with, _) = written(&accept, &restricted);
        assert!(TcfEvidence::check(&notice, Method::AcceptAll, "pt-BR", &with).is_ok());
        let (without, _) = written(&accept, &settings(vec![]));
        let err = TcfEvidence::check(&notice, Method::AcceptAll, "pt-BR", &without).expect_err("restriction dropped");
        assert_eq!(err.field, "tcf.tc_string");
        assert!(err.reason.contains("purpose 7 not allowed for 2"), "{}", err.reason);
    }

    #[test]
    fn a_language_or_country_that_is_not_two_letters_is_refused() {
        let mut w = writer();
        w.language = "fil";
        let err = tc_string(&TcfSelection::default(), &site(), &settings(vec![]), w).expect_err("three letters");
        assert_eq!(err.field, "language");
        let mut w = writer();
        w.publisher_cc = "F1";
        let err = tc_string(&TcfSelection::default(), &site(), &settings(vec![]), w).expect_err("a digit");
        assert_eq!(err.field, "publisher_cc");
    }

    /// What a written string holds, as `e2e/tests/tcf-choices.spec.ts` reads it back with IAB's
    /// decoder: the string and its values by IAB's names.
    fn described(name: &str, text: &str, tc: &TcString) -> serde_json::Value {
        let restrictions: Vec<serde_json::Value> = tc
            .pub_restrictions
            .iter()
            .map(|r| {
                let vendors: Vec<u16> = VendorSet::from_ranges(r.vendor_entries.iter().copied()).ids().collect();
                let kind = r.restriction_type.code();
                serde_json::json!({ "purposeId": r.purpose_id, "restrictionType": kind, "vendors": vendors })
            })
            .collect();
        serde_json::json!({
            "name": name,
            "tcString": text,
            "cmpId": tc.cmp_id,
            "consentLanguage": String::from_utf8_lossy(&tc.consent_language),
            "publisherCountryCode": String::from_utf8_lossy(&tc.publisher_cc),
            "isServiceSpecific": tc.is_service_specific,
            "purposeConsents": tc.purposes_consent,
            "purposeLegitimateInterests": tc.purposes_li_transparency,
            "specialFeatureOptins": tc.special_feature_opt_ins,
            "vendorConsents": ids(&tc.vendor_consents),
            "vendorLegitimateInterests": ids(&tc.vendor_legitimate_interests),
            "vendorsDisclosed": ids(&tc.disclosed_vendors),
            "publisherRestrictions": restrictions,
        })
    }

    /// The strings of `shared/tests/fixtures/tcf-choices.json`, which IAB's decoder reads back
    /// in the browser suite (`e2e/tests/tcf-choices.spec.ts`). After a deliberate change:
    /// `ASSENT_WRITE_FIXTURES=1 cargo test -p assent-shared tcf_choice` rewrites the file.
    #[test]
    fn the_committed_choice_strings_are_what_these_selections_write() {
        let list = site();
        let mut objecting = TcfSelection::accept_all(&list);
        objecting.purposes_li_objected.insert(7);
        objecting.vendors_li_objected.insert(8);
        objecting.special_features.clear();
        let restricted = settings(vec![
            PublisherRestrictionSetting {
                purpose: 2,
                restriction: Restriction::NotAllowed,
                vendors: vec![8, 15],
            },
            PublisherRestrictionSetting {
                purpose: 7,
                restriction: Restriction::RequireConsent,
                vendors: vec![2],
            },
        ]);
        let cases = [
            ("accept_all", TcfSelection::accept_all(&list), settings(vec![])),
            ("reject_all", TcfSelection::reject_all(&list), settings(vec![])),
            ("objecting", objecting, settings(vec![])),
            ("restricted", TcfSelection::accept_all(&list), restricted),
        ];
        let made: Vec<serde_json::Value> = cases
            .iter()
            .map(|(name, selection, settings)| {
                let (text, tc) = written(selection, settings);
                described(name, &text, &tc)
            })
            .collect();
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tcf-choices.json");
        let made = serde_json::json!({ "gvl": "gvl-v3.json", "declared": DECLARED, "choices": made });
        if std::env::var_os("ASSENT_WRITE_FIXTURES").is_some() {
            let text = serde_json::to_string_pretty(&made).expect("json") + "\n";
            std::fs::write(fixture, text).expect("write the fixture");
        }
        let committed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(fixture).expect("the fixture")).expect("fixture JSON");
        assert_eq!(made, committed);
    }
}
