//! The IAB TCF part of the evidence of a choice: the TC string a visitor's choice produced, and
//! what the ledger keeps of it inside the hashed event ([`TcfEvidence`], event layout 2, see
//! `canonical`). TCF Policy (v5, TCF 2.3) requires a CMP to keep the vendors it actually
//! disclosed to the user (the Disclosed Vendors segment) and to be able to prove consent
//! (GDPR Art. 7(1)); the string is kept as written, so anyone can decode what was agreed to.

use crate::Invalid;
use crate::consent::Method;
use crate::notice::{LEGITIMATE_INTEREST_PURPOSES, LocalizedNotice};
use crate::signals::tcf::{RestrictionType, TCF_2_3_POLICY_VERSION, TcString, VendorSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a client sends with a TCF choice (`ConsentRequest.tcf`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TcfChoice {
    /// The TC string the choice produced, as the banner stored it for vendors (`__tcfapi`):
    /// core segment, Disclosed Vendors segment, and the Publisher TC segment if any.
    pub tc_string: String,
}

/// What the ledger keeps of a TCF choice, inside the hashed event. Every field but
/// `tc_string` is read from that string by the server, never taken from the client, so they
/// cannot disagree; they are spelled out so a reader of an export needs no decoder to see
/// which list and vendors the visitor was shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TcfEvidence {
    /// The TC string exactly as sent (base64url segments joined by `.`).
    pub tc_string: String,
    /// CmpId: the CMP that wrote it (IAB Europe's registration, 12 bits).
    pub cmp_id: u16,
    /// CmpVersion (12 bits).
    pub cmp_version: u16,
    /// VendorListVersion: the Global Vendor List whose texts were shown.
    pub vendor_list_version: u16,
    /// TcfPolicyVersion (5 for TCF 2.3).
    pub tcf_policy_version: u8,
    /// DisclosedVendors: the GVL vendor ids shown to the visitor, ascending.
    pub disclosed_vendors: Vec<u16>,
}

impl TcfEvidence {
    /// Reads `tc_string` and checks it answers `notice` the way the event claims: a decodable
    /// TCF 2.3 string (TcfPolicyVersion ≥ 5, Disclosed Vendors present); disclosed vendors
    /// only among those the notice declares (`tcf.vendors`); consent or legitimate interest
    /// only for vendors that were disclosed (TCF Policy v5 ¶ on disclosed vendors); a refusal
    /// (`reject_all`, `close`) carrying no consent at all — no purpose, vendor, special feature
    /// or publisher purpose — since refusing and consenting at once is no unambiguous
    /// indication (GDPR Art. 4(11)); and ConsentLanguage equal to the primary subtag of the
    /// event's `language` (`pt-BR` → `PT`); and the notice's publisher restrictions, exactly, for
    /// the vendors disclosed (vendors read them from the string: one that lacks them lets a
    /// vendor process what the publisher forbade).
    ///
    /// Returns the decoded string and the evidence to record.
    ///
    /// # Errors
    /// [`Invalid`] at `tcf` when the notice has no TCF section, otherwise at `tcf.tc_string`,
    /// naming the TC string field and the ids at fault.
    pub fn check(
        notice: &LocalizedNotice,
        method: Method,
        language: &str,
        tc_string: &str,
    ) -> Result<(TcString, Self), Invalid> {
        let Some(settings) = &notice.tcf else {
            return Err(Invalid::new(
                "tcf",
                format!("notice version {} does not use IAB TCF; send no tcf", notice.version),
            ));
        };
        let invalid = |reason: String| Invalid::new("tcf.tc_string", reason);
        let tc = TcString::decode(tc_string).map_err(|e| invalid(format!("not a TC string: {e}")))?;
        // The decoder skips what follows the last field; the ledger keeps only strings that
        // are exactly their values (the banner writes them with this encoder), so nothing
        // beyond the fields can ride into the evidence.
        let canonical = tc.encode().map_err(|e| invalid(format!("not a TC string: {e}")))?;
        if canonical != tc_string {
            return Err(invalid(format!(
                "is not the string its values encode to ({} characters where {} are expected): \
                 no bits, padding or segments beyond its fields",
                tc_string.len(),
                canonical.len()
            )));
        }
        if tc.tcf_policy_version < TCF_2_3_POLICY_VERSION {
            return Err(invalid(format!(
                "TcfPolicyVersion {} is older than TCF 2.3 ({TCF_2_3_POLICY_VERSION})",
                tc.tcf_policy_version
            )));
        }
        if !tc.is_service_specific {
            return Err(invalid(
                "IsServiceSpecific must be 1: TCF 2.2 removed globally scoped strings".to_owned(),
            ));
        }
        let beyond_li: Vec<u8> = tc
            .purposes_li_transparency
            .iter()
            .copied()
            .filter(|p| !LEGITIMATE_INTEREST_PURPOSES.contains(p))
            .collect();
        if !beyond_li.is_empty() {
            return Err(invalid(format!(
                "PurposesLITransparency holds purposes legitimate interest cannot cover under TCF Policy v4 onwards (only 2 and 7 to 11): {}",
                list(beyond_li.iter())
            )));
        }
        let declared: VendorSet = settings.vendors.iter().copied().collect();
        let undeclared = ids_outside(&tc.disclosed_vendors, &declared);
        if !undeclared.is_empty() {
            return Err(invalid(format!(
                "DisclosedVendors names vendors this notice does not declare: {undeclared}"
            )));
        }
        for (field, set) in [
            ("VendorConsents", &tc.vendor_consents),
            ("VendorLegitimateInterests", &tc.vendor_legitimate_interests),
        ] {
            let hidden = ids_outside(set, &tc.disclosed_vendors);
            if !hidden.is_empty() {
                return Err(invalid(format!(
                    "{field} names vendors that were not disclosed: {hidden}"
                )));
            }
        }
        if matches!(method, Method::RejectAll | Method::Close) {
            let publisher = tc.publisher_tc.as_ref();
            let consented = [
                ("PurposesConsent", list(tc.purposes_consent.iter())),
                ("SpecialFeatureOptIns", list(tc.special_feature_opt_ins.iter())),
                ("VendorConsents", list(tc.vendor_consents.ids())),
                (
                    "PubPurposesConsent",
                    list(publisher.into_iter().flat_map(|p| &p.pub_purposes_consent)),
                ),
                (
                    "CustomPurposesConsent",
                    list(publisher.into_iter().flat_map(|p| &p.custom_purposes_consent)),
                ),
            ];
            if let Some((field, ids)) = consented.iter().find(|(_, ids)| !ids.is_empty()) {
                return Err(invalid(format!(
                    "a refusal ({}) cannot carry consent, but {field} holds {ids}",
                    crate::wire_name(&method)
                )));
            }
        }
        let written = restrictions_of(tc.pub_restrictions.iter().map(|r| {
            let vendors = VendorSet::from_ranges(r.vendor_entries.iter().copied());
            (r.purpose_id, r.restriction_type.code(), vendors)
        }));
        let published = restrictions_of(settings.publisher_restrictions.iter().map(|r| {
            let named: VendorSet = r
                .vendors
                .iter()
                .copied()
                .filter(|id| tc.disclosed_vendors.contains(*id))
                .collect();
            (r.purpose, RestrictionType::from(r.restriction).code(), named)
        }));
        if written != published {
            return Err(invalid(format!(
                "its publisher restrictions are not the notice's (the notice has {}; the string {})",
                describe(&published),
                describe(&written)
            )));
        }
        let primary = language.split('-').next().unwrap_or_default().to_ascii_uppercase();
        if tc.consent_language[..] != *primary.as_bytes() {
            return Err(invalid(format!(
                "ConsentLanguage {} is not the event's language {language:?}",
                String::from_utf8_lossy(&tc.consent_language)
            )));
        }
        let evidence = Self {
            tc_string: tc_string.to_owned(),
            cmp_id: tc.cmp_id,
            cmp_version: tc.cmp_version,
            vendor_list_version: tc.vendor_list_version,
            tcf_policy_version: tc.tcf_policy_version,
            disclosed_vendors: tc.disclosed_vendors.ids().collect(),
        };
        Ok((tc, evidence))
    }
}

/// Publisher restrictions as (purpose, restriction type code) → vendor ids, the empty ones
/// left out: two lists of entries that say the same compare equal.
fn restrictions_of(entries: impl Iterator<Item = (u8, u64, VendorSet)>) -> BTreeMap<(u8, u64), Vec<u16>> {
    let mut out: BTreeMap<(u8, u64), Vec<u16>> = BTreeMap::new();
    for (purpose, code, vendors) in entries {
        out.entry((purpose, code)).or_default().extend(vendors.ids());
    }
    for ids in out.values_mut() {
        ids.sort_unstable();
        ids.dedup();
    }
    out.retain(|_, ids| !ids.is_empty());
    out
}

fn describe(restrictions: &BTreeMap<(u8, u64), Vec<u16>>) -> String {
    if restrictions.is_empty() {
        return "none".into();
    }
    let kinds = ["not allowed", "require consent", "require legitimate interest"];
    restrictions
        .iter()
        .map(|((purpose, code), ids)| {
            let kind = usize::try_from(*code)
                .ok()
                .and_then(|c| kinds.get(c))
                .copied()
                .unwrap_or("?");
            format!("purpose {purpose} {kind} for {}", list(ids.iter()))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The ids of `set` missing from `allowed`, listed (`"7, 12"`), empty when none.
fn ids_outside(set: &VendorSet, allowed: &VendorSet) -> String {
    list(set.ids().filter(|id| !allowed.contains(*id)))
}

fn list<T: ToString>(ids: impl Iterator<Item = T>) -> String {
    ids.map(|id| id.to_string()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::TcfSettings;
    use crate::signals::tcf::PublisherTc;

    fn notice(vendors: Vec<u16>) -> LocalizedNotice {
        LocalizedNotice {
            version: 3,
            policy_version: "1".into(),
            policy_url: "/privacy".into(),
            language: "en".into(),
            reload_on_withdrawal: false,
            material_change: false,
            change_summary: None,
            theme: Default::default(),
            ui_texts: Default::default(),
            title: String::new(),
            body: String::new(),
            purposes: vec![],
            integrations: vec![],
            tcf: Some(TcfSettings {
                vendors,
                publisher_restrictions: vec![],
                stacks: vec![],
            }),
        }
    }

    fn tc() -> TcString {
        TcString {
            created: 17_724_456_005,
            last_updated: 17_724_456_005,
            cmp_id: 4095,
            cmp_version: 1,
            consent_screen: 1,
            consent_language: *b"EN",
            vendor_list_version: 150,
            tcf_policy_version: TCF_2_3_POLICY_VERSION,
            is_service_specific: true,
            use_non_standard_texts: false,
            special_feature_opt_ins: [1].into(),
            purposes_consent: [1, 2, 3].into(),
            purposes_li_transparency: [2].into(),
            purpose_one_treatment: false,
            publisher_cc: *b"DE",
            vendor_consents: [2, 8].into_iter().collect(),
            vendor_legitimate_interests: [8].into_iter().collect(),
            pub_restrictions: vec![],
            disclosed_vendors: [2, 8, 10].into_iter().collect(),
            publisher_tc: None,
        }
    }

    fn refused(n: &LocalizedNotice, method: Method, language: &str, tc: &TcString) -> Invalid {
        TcfEvidence::check(n, method, language, &tc.encode().expect("encodable")).expect_err("refused")
    }

    #[test]
    fn a_consistent_string_becomes_evidence_read_from_the_string() {
        let s = tc().encode().expect("encodable");
        let (decoded, evidence) = TcfEvidence::check(&notice(vec![2, 8, 10, 11]), Method::Save, "en", &s).expect("ok");
        assert_eq!(decoded, tc());
        assert_eq!(
            evidence,
            TcfEvidence {
                tc_string: s,
                cmp_id: 4095,
                cmp_version: 1,
                vendor_list_version: 150,
                tcf_policy_version: 5,
                disclosed_vendors: vec![2, 8, 10],
            }
        );
    }

    #[test]
    fn each_inconsistency_is_named() {
        let n = notice(vec![2, 8, 10]);
        let mut plain = n.clone();
        plain.tcf = None;
        let e = refused(&plain, Method::Save, "en", &tc());
        assert_eq!(
            (e.field.as_str(), e.reason.contains("does not use IAB TCF")),
            ("tcf", true)
        );

        let e = TcfEvidence::check(&n, Method::Save, "en", "not a tc string!").expect_err("garbage");
        assert_eq!(e.field, "tcf.tc_string");
        assert!(e.reason.starts_with("not a TC string: TC string field"), "{}", e.reason);

        // Trailing characters after the core's fields decode (the reader stops at the last
        // field) but are not kept.
        let good = tc().encode().expect("encodable");
        let (core, rest) = good.split_once('.').expect("segments");
        let padded = format!("{core}AAAAAAAA.{rest}");
        assert!(TcString::decode(&padded).is_ok(), "the decoder skips trailing bits");
        let e = TcfEvidence::check(&n, Method::Save, "en", &padded).expect_err("padded");
        assert!(
            e.reason.contains(&format!(
                "({} characters where {} are expected)",
                padded.len(),
                good.len()
            )),
            "{}",
            e.reason
        );

        let cases: Vec<(TcString, Method, &str, &str)> = vec![
            (
                TcString {
                    tcf_policy_version: 4,
                    ..tc()
                },
                Method::Save,
                "en",
                "TcfPolicyVersion 4 is older",
            ),
            (
                TcString {
                    disclosed_vendors: [2, 8, 10, 77].into_iter().collect(),
                    ..tc()
                },
                Method::Save,
                "en",
                "does not declare: 77",
            ),
            (
                TcString {
                    vendor_consents: [2, 9].into_iter().collect(),
                    ..tc()
                },
                Method::Save,
                "en",
                "VendorConsents names vendors that were not disclosed: 9",
            ),
            (
                TcString {
                    vendor_legitimate_interests: [11].into_iter().collect(),
                    ..tc()
                },
                Method::Save,
                "en",
                "VendorLegitimateInterests names vendors that were not disclosed: 11",
            ),
            (
                tc(),
                Method::RejectAll,
                "en",
                "a refusal (reject_all) cannot carry consent, but PurposesConsent holds 1, 2, 3",
            ),
            (
                TcString {
                    purposes_consent: [].into(),
                    special_feature_opt_ins: [].into(),
                    ..tc()
                },
                Method::Close,
                "en",
                "a refusal (close) cannot carry consent, but VendorConsents holds 2, 8",
            ),
            (
                tc(),
                Method::Save,
                "de",
                "ConsentLanguage EN is not the event's language \"de\"",
            ),
        ];
        for (string, method, language, expected) in cases {
            let e = refused(&n, method, language, &string);
            assert_eq!(e.field, "tcf.tc_string");
            assert!(
                e.reason.contains(expected),
                "{} does not contain {expected:?}",
                e.reason
            );
        }
    }

    #[test]
    fn a_refusal_keeps_legitimate_interest_but_no_publisher_consent() {
        let n = notice(vec![2, 8, 10]);
        let refusal = TcString {
            purposes_consent: [].into(),
            special_feature_opt_ins: [].into(),
            vendor_consents: VendorSet::new(),
            ..tc()
        };
        let s = refusal.encode().expect("encodable");
        assert!(TcfEvidence::check(&n, Method::RejectAll, "en-GB", &s).is_ok());
        let with_publisher = TcString {
            publisher_tc: Some(PublisherTc {
                num_custom_purposes: 2,
                custom_purposes_consent: [2].into(),
                ..PublisherTc::default()
            }),
            ..refusal
        };
        let e = refused(&n, Method::RejectAll, "en", &with_publisher);
        assert!(e.reason.ends_with("CustomPurposesConsent holds 2"), "{}", e.reason);
    }
}
