//! The US National section (id 7, version 2) and its GPC subsection. Field widths follow the
//! IAB usnat v2 specification ("IAB Privacy's National Privacy Technical Specification"); the
//! encoder is cross-checked against the reference library's output in the tests.

use super::super::bits::{Bits, Reader};
use super::string::{Section, header};
use crate::consent::{Decision, Decisions};
use crate::notice::LocalizedNotice;
use serde::{Deserialize, Serialize};

pub const USNAT_SECTION_ID: u64 = 7;
pub const USNAT_SECTION_NAME: &str = "usnat";

/// US National core fields (v2). Values: 0 = not applicable; notices 1 = given, 2 = not given;
/// opt-outs 1 = opted out, 2 = did not opt out; MSPA 1 = yes, 2 = no.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UsNat {
    pub version: u8,
    pub sharing_notice: u8,
    pub sale_opt_out_notice: u8,
    pub sharing_opt_out_notice: u8,
    pub targeted_advertising_opt_out_notice: u8,
    pub sensitive_data_processing_opt_out_notice: u8,
    pub sensitive_data_limit_use_notice: u8,
    pub sale_opt_out: u8,
    pub sharing_opt_out: u8,
    pub targeted_advertising_opt_out: u8,
    /// Entry 8 (index 7) is precise geolocation.
    pub sensitive_data_processing: [u8; 16],
    pub known_child_sensitive_data_consents: [u8; 3],
    pub personal_data_consents: u8,
    pub mspa_covered_transaction: u8,
    pub mspa_opt_out_option_mode: u8,
    pub mspa_service_provider_mode: u8,
    /// The GPC subsection; `None` leaves it out.
    pub gpc: Option<bool>,
}

impl Default for UsNat {
    fn default() -> Self {
        Self {
            version: 2,
            sharing_notice: 0,
            sale_opt_out_notice: 0,
            sharing_opt_out_notice: 0,
            targeted_advertising_opt_out_notice: 0,
            sensitive_data_processing_opt_out_notice: 0,
            sensitive_data_limit_use_notice: 0,
            sale_opt_out: 0,
            sharing_opt_out: 0,
            targeted_advertising_opt_out: 0,
            sensitive_data_processing: [0; 16],
            known_child_sensitive_data_consents: [0; 3],
            personal_data_consents: 0,
            mspa_covered_transaction: 2,
            mspa_opt_out_option_mode: 0,
            mspa_service_provider_mode: 0,
            gpc: None,
        }
    }
}

/// Index of precise geolocation in usnat's SensitiveDataProcessing (the spec's entry 8).
const PRECISE_GEOLOCATION: usize = 7;

/// The opt-outs of sale, sharing and targeted advertising a notice's decisions and GPC make,
/// in every US section's values: 1 (opted out) when GPC is on or a GPC-covered purpose is not
/// granted, 2 (did not opt out) otherwise.
pub(super) fn opt_out(notice: &LocalizedNotice, decisions: &Decisions, gpc: bool) -> u8 {
    let opted_out = gpc
        || notice
            .purposes
            .iter()
            .filter(|p| p.gpc_covered)
            .any(|p| decisions.get(&p.key) != Some(&Decision::Granted));
    if opted_out { 1 } else { 2 }
}

/// The sensitive-data entry for precise geolocation: 2 when the notice's `precise_location`
/// purpose is granted, 1 when it is not; `None` when the notice has no such purpose (the
/// entry stays 0, not applicable). Opt-out sections read 1 as "opted out" and 2 as "did not
/// opt out", consent sections 1 as "no consent" and 2 as "consent": the same two numbers.
pub(super) fn precise_geolocation(notice: &LocalizedNotice, decisions: &Decisions) -> Option<u8> {
    let purpose = notice
        .purposes
        .iter()
        .find(|p| p.key.as_str() == crate::consent::PRECISE_LOCATION)?;
    Some(if decisions.get(&purpose.key) == Some(&Decision::Granted) {
        2
    } else {
        1
    })
}

impl UsNat {
    /// The section a site's notice and a visitor's decisions produce: the notices are given,
    /// a denied GPC-covered purpose (or a GPC signal) is an opt-out of sale, sharing and
    /// targeted advertising, and a `precise_location` purpose maps to sensitive entry 8.
    pub fn from_decisions(notice: &LocalizedNotice, decisions: &Decisions, gpc: bool) -> Self {
        let opt_out = opt_out(notice, decisions, gpc);
        let mut sensitive = [0u8; 16];
        if let Some(value) = precise_geolocation(notice, decisions) {
            sensitive[PRECISE_GEOLOCATION] = value;
        }
        Self {
            sharing_notice: 1,
            sale_opt_out_notice: 1,
            sharing_opt_out_notice: 1,
            targeted_advertising_opt_out_notice: 1,
            sensitive_data_processing_opt_out_notice: 1,
            sensitive_data_limit_use_notice: 1,
            sale_opt_out: opt_out,
            sharing_opt_out: opt_out,
            targeted_advertising_opt_out: opt_out,
            sensitive_data_processing: sensitive,
            gpc: Some(gpc),
            ..Self::default()
        }
    }

    /// The 2-bit fields of the core in their order in the string, after the 6-bit version:
    /// one list for the encoder and the decoder.
    fn two_bit_fields(&mut self) -> impl Iterator<Item = &mut u8> {
        [
            &mut self.sharing_notice,
            &mut self.sale_opt_out_notice,
            &mut self.sharing_opt_out_notice,
            &mut self.targeted_advertising_opt_out_notice,
            &mut self.sensitive_data_processing_opt_out_notice,
            &mut self.sensitive_data_limit_use_notice,
            &mut self.sale_opt_out,
            &mut self.sharing_opt_out,
            &mut self.targeted_advertising_opt_out,
        ]
        .into_iter()
        .chain(&mut self.sensitive_data_processing)
        .chain(&mut self.known_child_sensitive_data_consents)
        .chain([
            &mut self.personal_data_consents,
            &mut self.mspa_covered_transaction,
            &mut self.mspa_opt_out_option_mode,
            &mut self.mspa_service_provider_mode,
        ])
    }

    /// `core[.gpc]`, each part base64url. Each 2-bit field keeps its low two bits (the
    /// values above are 0 to 2).
    pub fn encode(&self) -> String {
        let mut core = Bits::default();
        core.int(u64::from(self.version), 6);
        for v in self.clone().two_bit_fields() {
            core.int(u64::from(*v), 2);
        }
        let mut out = core.to_base64url();
        if let Some(gpc) = self.gpc {
            let mut sub = Bits::default();
            sub.int(GPC_SUBSECTION, 2);
            sub.bool(gpc);
            out.push('.');
            out.push_str(&sub.to_base64url());
        }
        out
    }

    /// The section [`UsNat::encode`] writes, read back: `None` if it is not base64url, not
    /// version 2, cut short, or has a subsection other than GPC. Padding bits are ignored.
    pub fn decode(section: &str) -> Option<Self> {
        let mut parts = section.split('.');
        let mut core = Reader::from_base64url(parts.next()?)?;
        if core.int(6)? != 2 {
            return None;
        }
        let mut usnat = Self::default();
        for field in usnat.two_bit_fields() {
            // Two bits: always a `u8`.
            *field = u8::try_from(core.int(2)?).ok()?;
        }
        if let Some(sub) = parts.next() {
            let mut sub = Reader::from_base64url(sub)?;
            if sub.int(2)? != GPC_SUBSECTION {
                return None;
            }
            usnat.gpc = Some(sub.bool()?);
        }
        parts.next().is_none().then_some(usnat)
    }
}

/// The subsection type of GPC (its `SubsectionType` value) in usnat and the state sections.
pub(super) const GPC_SUBSECTION: u64 = 1;

impl Section for UsNat {
    fn id(&self) -> u64 {
        USNAT_SECTION_ID
    }

    fn encode(&self) -> String {
        UsNat::encode(self)
    }
}

/// A full GPP string holding only the US National section.
pub fn usnat_string(usnat: &UsNat) -> String {
    format!("{}~{}", header(&[USNAT_SECTION_ID]), usnat.encode())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usnat_sections_decode_to_what_was_encoded() {
        let reference = UsNat::decode("CEAVAAAAAABA.YA").expect("the reference library's section");
        assert_eq!((reference.sale_opt_out, reference.gpc), (1, Some(true)));
        assert_eq!(reference.encode(), "CEAVAAAAAABA.YA");
        let mut usnat = UsNat {
            sensitive_data_processing: [2; 16],
            known_child_sensitive_data_consents: [1, 2, 0],
            mspa_service_provider_mode: 2,
            gpc: None,
            ..UsNat::default()
        };
        assert_eq!(UsNat::decode(&usnat.encode()), Some(usnat.clone()));
        usnat.gpc = Some(false);
        assert_eq!(UsNat::decode(&usnat.encode()), Some(usnat));
        for refused in [
            "",
            "CEAVAAAAAAB",
            "BEAVAAAAAABA",
            "CEAVAAAAAABA.oA",
            "CEAVAAAAAABA.YA.YA",
            "CEAV!AAAAABA",
        ] {
            assert_eq!(UsNat::decode(refused), None, "{refused}");
        }
    }

    /// The string IAB's reference library `@iabgpp/cmpapi` produces for a usnat opt-out with GPC.
    #[test]
    fn a_usnat_opt_out_with_gpc_matches_the_reference_library() {
        let usnat = UsNat {
            sale_opt_out_notice: 1,
            sale_opt_out: 1,
            sharing_opt_out: 1,
            targeted_advertising_opt_out: 1,
            mspa_covered_transaction: 1,
            gpc: Some(true),
            ..UsNat::default()
        };
        assert_eq!(usnat_string(&usnat), "DBABLA~CEAVAAAAAABA.YA");
    }

    #[test]
    fn field_names_are_the_gpp_field_names() {
        let json = serde_json::to_value(UsNat::default()).expect("json");
        for name in [
            "Version",
            "SaleOptOut",
            "SensitiveDataProcessing",
            "MspaCoveredTransaction",
            "Gpc",
        ] {
            assert!(json.get(name).is_some(), "{name}");
        }
    }
}
