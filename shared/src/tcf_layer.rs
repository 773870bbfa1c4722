//! What the banner's IAB TCF layer shows and offers for a site's list, pure: which items the
//! first layer names, which purposes, special features and vendors get a consent switch or a
//! right to object in the second layer, and the second layer's starting selection. The
//! rules are the TCF Policy's (v5, TCF 2.3) and the list's own flags; the strings a
//! selection writes are [`crate::tcf_choice`]'s.

use crate::notice::{LEGITIMATE_INTEREST_PURPOSES, Restriction, TcfSettings};
use crate::signals::tcf::TcString;
use crate::signals::tcf::gvl::{Declaration, Stack, Vendor, VendorList};
use crate::tcf_choice::TcfSelection;
use std::collections::BTreeSet;

/// What the first layer names (TCF Policy Appendix B(c)): the stacks the notice chose, then
/// every purpose and special feature of the site's list no chosen stack covers, and the
/// number of vendors (deleted ones are never shown or counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstLayer<'a> {
    pub stacks: Vec<&'a Stack>,
    pub purposes: Vec<&'a Declaration>,
    pub special_features: Vec<&'a Declaration>,
    pub vendor_count: usize,
    /// Some vendor relies on legitimate interest for a purpose the visitor may object to.
    pub legitimate_interest: bool,
}

/// The first layer of `site` (the list narrowed to the notice's vendors, as
/// `GET /v1/sites/{site}/gvl` serves it) under the notice's TCF `settings`.
pub fn first_layer<'a>(site: &'a VendorList, settings: &TcfSettings) -> FirstLayer<'a> {
    let stacks: Vec<&Stack> = settings.stacks.iter().filter_map(|id| site.stacks.get(id)).collect();
    let stacked_purposes: BTreeSet<u8> = stacks.iter().flat_map(|s| s.purposes.iter().copied()).collect();
    let stacked_features: BTreeSet<u8> = stacks.iter().flat_map(|s| s.special_features.iter().copied()).collect();
    FirstLayer {
        purposes: site
            .purposes
            .values()
            .filter(|p| !stacked_purposes.contains(&p.id))
            .collect(),
        special_features: site
            .special_features
            .values()
            .filter(|f| !stacked_features.contains(&f.id))
            .collect(),
        stacks,
        vendor_count: live_vendors(site).count(),
        legitimate_interest: !objectable_purposes(site).is_empty(),
    }
}

/// The vendors shown: the site's list without deleted vendors, by id.
pub fn live_vendors(site: &VendorList) -> impl Iterator<Item = &Vendor> {
    site.vendors.values().filter(|v| !v.is_deleted())
}

/// Purposes offered a consent switch: one a shown vendor asks consent for (its own or a
/// flexible one) and the list does not mark `consentable: false` (GVL v3; such a purpose
/// must never be offered a choice).
pub fn consent_purposes(site: &VendorList) -> BTreeSet<u8> {
    live_vendors(site)
        .flat_map(|v| v.purposes.iter().chain(&v.flexible_purposes).copied())
        .filter(|id| site.purposes.get(id).is_some_and(|p| p.consentable != Some(false)))
        .collect()
}

/// Purposes offered a right to object: one a shown vendor claims legitimate interest for,
/// that legitimate interest may cover at all (2 and 7–11, TCF Policy v4 onwards), and that
/// the list does not mark `rightToObject: false`.
pub fn objectable_purposes(site: &VendorList) -> BTreeSet<u8> {
    live_vendors(site)
        .flat_map(|v| v.leg_int_purposes.iter().copied())
        .filter(|id| LEGITIMATE_INTEREST_PURPOSES.contains(id))
        .filter(|id| site.purposes.get(id).is_some_and(|p| p.right_to_object != Some(false)))
        .collect()
}

/// Whether `vendor` gets a consent switch: it asks consent for a purpose or uses a special
/// feature (the vendors [`TcfSelection::accept_all`] consents to).
pub fn asks_consent(vendor: &Vendor) -> bool {
    !(vendor.purposes.is_empty() && vendor.flexible_purposes.is_empty() && vendor.special_features.is_empty())
}

/// Whether the visitor may object to `vendor`'s legitimate interest: it claims one for a
/// purpose legitimate interest may cover.
pub fn claims_legitimate_interest(vendor: &Vendor) -> bool {
    vendor
        .leg_int_purposes
        .iter()
        .any(|p| LEGITIMATE_INTEREST_PURPOSES.contains(p))
}

/// The purposes a vendor processes on this site, by legal basis, once the notice's publisher
/// restrictions apply (TCF Policy C(c), "Publisher restrictions"): `not_allowed` removes the
/// purpose; on a purpose the vendor declares flexible, `require_consent` moves it to consent
/// and `require_legitimate_interest` to legitimate interest. Legitimate interest is kept only
/// for purposes 2 and 7–11 (TCF Policy v4 onwards). Each purpose is under one basis at most.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegalBases {
    pub consent: BTreeSet<u8>,
    pub legitimate_interest: BTreeSet<u8>,
}

/// [`LegalBases`] of `vendor` under the notice's `settings`.
pub fn legal_bases(vendor: &Vendor, settings: &TcfSettings) -> LegalBases {
    let mut bases = LegalBases {
        consent: vendor.purposes.iter().copied().collect(),
        legitimate_interest: vendor.leg_int_purposes.iter().copied().collect(),
    };
    for r in settings
        .publisher_restrictions
        .iter()
        .filter(|r| r.vendors.contains(&vendor.id))
    {
        let p = r.purpose;
        let flexible = vendor.flexible_purposes.contains(&p);
        let declared = bases.consent.remove(&p) | bases.legitimate_interest.remove(&p);
        match r.restriction {
            Restriction::NotAllowed => {}
            Restriction::RequireConsent if flexible && declared => {
                bases.consent.insert(p);
            }
            Restriction::RequireLegitimateInterest if flexible && declared => {
                bases.legitimate_interest.insert(p);
            }
            // A restriction that cannot apply (checked at publication) leaves the declaration.
            Restriction::RequireConsent | Restriction::RequireLegitimateInterest => {
                if vendor.purposes.contains(&p) {
                    bases.consent.insert(p);
                } else if vendor.leg_int_purposes.contains(&p) {
                    bases.legitimate_interest.insert(p);
                }
            }
        }
    }
    bases
        .legitimate_interest
        .retain(|p| LEGITIMATE_INTEREST_PURPOSES.contains(p));
    bases
}

/// Whether the visitor's last string (`tc`) left out a vendor the site now shows: then the
/// visitor is asked again, since a vendor may only receive signals it was disclosed with
/// (TCF 2.3, DisclosedVendors) and adding vendors needs a new choice (TCF Policy C(c)).
pub fn new_vendors_since(site: &VendorList, tc: &TcString) -> bool {
    live_vendors(site).any(|v| !tc.disclosed_vendors.contains(v.id))
}

/// The second layer's starting selection. Without an earlier string, nothing is consented
/// to (consent is never pre-ticked: GDPR Art. 4(11), CJEU C-673/17 *Planet49*) and nothing
/// is objected to (legitimate interest stands until the visitor objects, Art. 21). With the
/// visitor's last string, what it says: consent where it holds consent, an objection where
/// a legitimate interest it could carry is absent.
pub fn draft(site: &VendorList, last: Option<&TcString>) -> TcfSelection {
    let Some(tc) = last else {
        return TcfSelection::default();
    };
    TcfSelection {
        purposes_consent: tc.purposes_consent.clone(),
        purposes_li_objected: objectable_purposes(site)
            .into_iter()
            .filter(|p| !tc.purposes_li_transparency.contains(p))
            .collect(),
        special_features: tc.special_feature_opt_ins.clone(),
        vendors_consent: tc.vendor_consents.ids().collect(),
        vendors_li_objected: live_vendors(site)
            .filter(|v| claims_legitimate_interest(v) && !tc.vendor_legitimate_interests.contains(v.id))
            .map(|v| v.id)
            .collect(),
    }
}

/// One switch of the second layer and the part of the selection it edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    PurposeConsent(u8),
    /// On while the visitor has not objected to the purpose's legitimate interest.
    PurposeLegitimateInterest(u8),
    SpecialFeature(u8),
    VendorConsent(u16),
    /// On while the visitor has not objected to the vendor's legitimate interest.
    VendorLegitimateInterest(u16),
}

impl Switch {
    /// Whether the switch shows on in `selection`.
    pub fn is_on(self, selection: &TcfSelection) -> bool {
        match self {
            Self::PurposeConsent(id) => selection.purposes_consent.contains(&id),
            Self::PurposeLegitimateInterest(id) => !selection.purposes_li_objected.contains(&id),
            Self::SpecialFeature(id) => selection.special_features.contains(&id),
            Self::VendorConsent(id) => selection.vendors_consent.contains(&id),
            Self::VendorLegitimateInterest(id) => !selection.vendors_li_objected.contains(&id),
        }
    }

    /// Sets the switch on or off in `selection`.
    pub fn set(self, selection: &mut TcfSelection, on: bool) {
        fn put<T: Ord>(set: &mut BTreeSet<T>, id: T, present: bool) {
            if present {
                set.insert(id);
            } else {
                set.remove(&id);
            }
        }
        match self {
            Self::PurposeConsent(id) => put(&mut selection.purposes_consent, id, on),
            Self::PurposeLegitimateInterest(id) => put(&mut selection.purposes_li_objected, id, !on),
            Self::SpecialFeature(id) => put(&mut selection.special_features, id, on),
            Self::VendorConsent(id) => put(&mut selection.vendors_consent, id, on),
            Self::VendorLegitimateInterest(id) => put(&mut selection.vendors_li_objected, id, !on),
        }
    }
}

/// A vendor's storage duration in whole days, rounded up (`cookieMaxAgeSeconds`; 0 for a
/// session cookie), `None` when it uses no cookies.
pub fn cookie_days(vendor: &Vendor) -> Option<u64> {
    if !vendor.uses_cookies {
        return None;
    }
    let seconds = u64::try_from(vendor.cookie_max_age_seconds.unwrap_or(0)).unwrap_or(0);
    Some(seconds.div_ceil(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> VendorList {
        let full = VendorList::parse(include_str!("../tests/fixtures/gvl-v3.json")).expect("fixture parses");
        full.for_site([2, 8, 15, 21, 40, 46, 77, 120, 300, 755, 1126]).list
    }

    /// A string's writer for the tests: CMP 300, French, one instant.
    fn writer(screen: u8) -> crate::tcf_choice::Writer<'static> {
        crate::tcf_choice::Writer {
            cmp: crate::tcf_api::CmpIdentity {
                id: 300,
                version: 1,
                placeholder: false,
            },
            publisher_cc: "FR",
            language: "fr",
            created: 17_000_000_000,
            now: 17_000_000_000,
            screen,
        }
    }

    fn settings(stacks: Vec<u16>) -> TcfSettings {
        TcfSettings {
            vendors: vec![],
            publisher_restrictions: vec![],
            stacks,
        }
    }

    #[test]
    fn the_first_layer_names_every_used_purpose_and_counts_live_vendors() {
        let site = site();
        let layer = first_layer(&site, &settings(vec![]));
        let ids: Vec<u8> = layer.purposes.iter().map(|p| p.id).collect();
        let listed: Vec<u8> = site.purposes.keys().copied().collect();
        assert_eq!(ids, listed);
        assert_eq!(layer.vendor_count, 10, "the fixture's deleted vendor (40) is not shown");
        assert!(layer.legitimate_interest);
    }

    #[test]
    fn a_chosen_stack_replaces_the_purposes_and_special_features_it_covers() {
        let site = site();
        let Some(stack) = site.stacks.values().find(|s| !s.purposes.is_empty()) else {
            panic!("the fixture has a stack");
        };
        let layer = first_layer(&site, &settings(vec![stack.id, 9999]));
        assert_eq!(
            layer.stacks.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![stack.id],
            "unknown ids are skipped"
        );
        for p in &layer.purposes {
            assert!(!stack.purposes.contains(&p.id), "purpose {} is in the stack", p.id);
        }
        for f in &layer.special_features {
            assert!(!stack.special_features.contains(&f.id));
        }
        let named: usize =
            layer.purposes.len() + stack.purposes.iter().filter(|p| site.purposes.contains_key(p)).count();
        assert_eq!(
            named,
            site.purposes.len(),
            "every purpose is named once, alone or in the stack"
        );
    }

    #[test]
    fn choices_follow_the_vendors_claims_and_the_lists_flags() {
        let mut site = site();
        let consent = consent_purposes(&site);
        let object = objectable_purposes(&site);
        assert!(object.iter().all(|p| LEGITIMATE_INTEREST_PURPOSES.contains(p)));
        assert!(!consent.is_empty() && !object.is_empty());
        let Some(&first) = consent.iter().next() else {
            unreachable!()
        };
        if let Some(p) = site.purposes.get_mut(&first) {
            p.consentable = Some(false);
        }
        assert!(
            !consent_purposes(&site).contains(&first),
            "consentable: false is never offered"
        );
        let Some(&li) = object.iter().next() else {
            unreachable!()
        };
        if let Some(p) = site.purposes.get_mut(&li) {
            p.right_to_object = Some(false);
        }
        assert!(
            !objectable_purposes(&site).contains(&li),
            "rightToObject: false is never offered"
        );
    }

    #[test]
    fn the_draft_starts_empty_and_reads_back_the_string_a_selection_wrote() {
        let site = site();
        assert_eq!(draft(&site, None), TcfSelection::default());
        let claimed: Vec<u16> = live_vendors(&site)
            .filter(|v| claims_legitimate_interest(v))
            .map(|v| v.id)
            .collect();
        assert!(
            claimed.len() >= 2,
            "the fixture has vendors claiming legitimate interest"
        );
        let objectable = objectable_purposes(&site);
        let consentable: Vec<u8> = consent_purposes(&site).into_iter().take(2).collect();
        let askers: Vec<u16> = live_vendors(&site)
            .filter(|v| asks_consent(v))
            .map(|v| v.id)
            .take(2)
            .collect();
        let selection = TcfSelection {
            purposes_consent: consentable.into_iter().collect(),
            purposes_li_objected: objectable.iter().copied().skip(1).collect(),
            special_features: site.special_features.keys().copied().take(1).collect(),
            vendors_consent: askers.into_iter().collect(),
            vendors_li_objected: BTreeSet::from([claimed[1]]),
        };
        let writer = writer(2);
        let Ok(tc) = crate::tcf_choice::tc_string(&selection, &site, &settings(vec![]), writer) else {
            panic!("the selection writes a string");
        };
        assert_eq!(draft(&site, Some(&tc)), selection);
    }

    #[test]
    fn a_switch_edits_its_own_part_and_legitimate_interest_switches_are_objections() {
        let cases = [
            Switch::PurposeConsent(3),
            Switch::PurposeLegitimateInterest(7),
            Switch::SpecialFeature(1),
            Switch::VendorConsent(755),
            Switch::VendorLegitimateInterest(8),
        ];
        for switch in cases {
            let mut s = TcfSelection::default();
            let starts_on = matches!(
                switch,
                Switch::PurposeLegitimateInterest(_) | Switch::VendorLegitimateInterest(_)
            );
            assert_eq!(
                switch.is_on(&s),
                starts_on,
                "{switch:?}: consent starts off, legitimate interest on"
            );
            switch.set(&mut s, !starts_on);
            assert_eq!(switch.is_on(&s), !starts_on, "{switch:?}");
            for other in cases.iter().filter(|o| **o != switch) {
                let untouched = matches!(
                    other,
                    Switch::PurposeLegitimateInterest(_) | Switch::VendorLegitimateInterest(_)
                );
                assert_eq!(other.is_on(&s), untouched, "{switch:?} left {other:?} alone");
            }
            switch.set(&mut s, starts_on);
            assert_eq!(s, TcfSelection::default(), "{switch:?} back");
        }
    }

    #[test]
    fn legal_bases_list_each_purpose_once_under_the_basis_restrictions_leave() {
        use crate::notice::PublisherRestrictionSetting;
        let Some(mut vendor) = site().vendors.values().next().cloned() else {
            panic!("a vendor");
        };
        vendor.id = 9;
        vendor.purposes = vec![1, 2, 3, 4];
        vendor.leg_int_purposes = vec![5, 7, 9, 10];
        vendor.flexible_purposes = vec![2, 7];
        let with = |vendor: &Vendor, restrictions: Vec<(u8, Restriction)>| {
            let settings = TcfSettings {
                vendors: vec![9],
                publisher_restrictions: restrictions
                    .into_iter()
                    .map(|(purpose, restriction)| PublisherRestrictionSetting {
                        purpose,
                        restriction,
                        vendors: vec![9],
                    })
                    .collect(),
                stacks: vec![],
            };
            let b = legal_bases(vendor, &settings);
            (
                b.consent.into_iter().collect::<Vec<_>>(),
                b.legitimate_interest.into_iter().collect::<Vec<_>>(),
            )
        };
        // Purpose 5 rests on legitimate interest nowhere since TCF Policy v4.
        assert_eq!(with(&vendor, vec![]), (vec![1, 2, 3, 4], vec![7, 9, 10]));
        assert_eq!(
            with(&vendor, vec![(2, Restriction::RequireLegitimateInterest)]),
            (vec![1, 3, 4], vec![2, 7, 9, 10])
        );
        assert_eq!(
            with(&vendor, vec![(7, Restriction::RequireConsent)]),
            (vec![1, 2, 3, 4, 7], vec![9, 10])
        );
        assert_eq!(
            with(
                &vendor,
                vec![(3, Restriction::NotAllowed), (9, Restriction::NotAllowed)]
            ),
            (vec![1, 2, 4], vec![7, 10])
        );
        // Not flexible: the declaration stands.
        assert_eq!(
            with(&vendor, vec![(9, Restriction::RequireConsent)]),
            (vec![1, 2, 3, 4], vec![7, 9, 10])
        );
        // Another vendor's restriction changes nothing here.
        vendor.id = 10;
        assert_eq!(with(&vendor, vec![(2, Restriction::NotAllowed)]).0, vec![1, 2, 3, 4]);
    }

    #[test]
    fn a_vendor_missing_from_the_last_string_is_news() {
        let site = site();
        let all = crate::tcf_choice::TcfSelection::accept_all(&site);
        let writer = writer(1);
        let Ok(tc) = crate::tcf_choice::tc_string(&all, &site, &settings(vec![]), writer) else {
            panic!("a string");
        };
        assert!(!new_vendors_since(&site, &tc));
        let full = VendorList::parse(include_str!("../tests/fixtures/gvl-v3.json")).expect("fixture parses");
        let fewer = full.for_site([2, 8]).list;
        let Ok(old) = crate::tcf_choice::tc_string(&all, &fewer, &settings(vec![]), writer) else {
            panic!("a string");
        };
        assert!(new_vendors_since(&site, &old), "vendors added since");
        assert!(
            !new_vendors_since(&fewer, &tc),
            "vendors removed since: nothing new to disclose"
        );
    }

    #[test]
    fn cookie_days_round_up_and_say_none_without_cookies() {
        let Some(mut vendor) = site().vendors.values().next().cloned() else {
            panic!("a vendor");
        };
        vendor.uses_cookies = true;
        for (seconds, days) in [
            (Some(0), 0),
            (Some(-100), 0),
            (Some(1), 1),
            (Some(86_400), 1),
            (Some(86_401), 2),
            (None, 0),
        ] {
            vendor.cookie_max_age_seconds = seconds;
            assert_eq!(cookie_days(&vendor), Some(days), "{seconds:?}");
        }
        vendor.uses_cookies = false;
        assert_eq!(cookie_days(&vendor), None);
    }
}
