//! GPP 1.1 strings (`Header~Section~…`) with the US National section (id 7, version 2) and its
//! GPC subsection. Field widths follow the IAB usnat v2 specification; the encoder is
//! cross-checked against the reference library's output in the tests.

use super::bits::{Bits, Reader};
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

const PRECISE_GEOLOCATION: usize = 7;

impl UsNat {
    /// The section a site's notice and a visitor's decisions produce: the notices are given,
    /// a denied GPC-covered purpose (or a GPC signal) is an opt-out of sale, sharing and
    /// targeted advertising, and a `precise_location` purpose maps to sensitive entry 8.
    pub fn from_decisions(notice: &LocalizedNotice, decisions: &Decisions, gpc: bool) -> Self {
        let covered: Vec<_> = notice.purposes.iter().filter(|p| p.gpc_covered).collect();
        let opted_out = gpc
            || covered
                .iter()
                .any(|p| decisions.get(&p.key) != Some(&Decision::Granted));
        let opt_out = if opted_out { 1 } else { 2 };
        let mut sensitive = [0u8; 16];
        if let Some(p) = notice.purposes.iter().find(|p| p.key.as_str() == "precise_location") {
            sensitive[PRECISE_GEOLOCATION] = if decisions.get(&p.key) == Some(&Decision::Granted) {
                2
            } else {
                1
            };
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

    /// `core[.gpc]`, each part base64url.
    pub fn encode(&self) -> String {
        let mut core = Bits::default();
        core.int(u64::from(self.version), 6);
        for v in [
            self.sharing_notice,
            self.sale_opt_out_notice,
            self.sharing_opt_out_notice,
            self.targeted_advertising_opt_out_notice,
            self.sensitive_data_processing_opt_out_notice,
            self.sensitive_data_limit_use_notice,
            self.sale_opt_out,
            self.sharing_opt_out,
            self.targeted_advertising_opt_out,
        ] {
            core.int(u64::from(v), 2);
        }
        for v in self
            .sensitive_data_processing
            .iter()
            .chain(&self.known_child_sensitive_data_consents)
        {
            core.int(u64::from(*v), 2);
        }
        for v in [
            self.personal_data_consents,
            self.mspa_covered_transaction,
            self.mspa_opt_out_option_mode,
            self.mspa_service_provider_mode,
        ] {
            core.int(u64::from(v), 2);
        }
        let mut out = core.to_base64url();
        if let Some(gpc) = self.gpc {
            let mut sub = Bits::default();
            sub.int(1, 2);
            sub.bool(gpc);
            out.push('.');
            out.push_str(&sub.to_base64url());
        }
        out
    }
}

/// The GPP header: type 3, version 1, the section ids as a Fibonacci-coded range.
pub fn header(section_ids: &[u64]) -> String {
    let mut bits = Bits::default();
    bits.int(3, 6);
    bits.int(1, 6);
    bits.int(section_ids.len() as u64, 12);
    let mut previous = 0;
    for id in section_ids {
        bits.bool(false);
        bits.fibonacci(id - previous);
        previous = *id;
    }
    bits.to_base64url()
}

/// Section ids of a GPP header, or `None` if it is not one.
pub fn decode_header(header: &str) -> Option<Vec<u64>> {
    let mut r = Reader::from_base64url(header)?;
    if r.int(6)? != 3 || r.int(6)? != 1 {
        return None;
    }
    let entries = r.int(12)?;
    let mut ids = Vec::new();
    let mut previous = 0;
    for _ in 0..entries {
        if r.bool()? {
            let start = previous + r.fibonacci()?;
            let end = start + r.fibonacci()?;
            ids.extend(start..=end);
            previous = end;
        } else {
            previous += r.fibonacci()?;
            ids.push(previous);
        }
    }
    Some(ids)
}

/// A full GPP string holding only the US National section.
pub fn usnat_string(usnat: &UsNat) -> String {
    format!("{}~{}", header(&[USNAT_SECTION_ID]), usnat.encode())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_header_vectors_decode() {
        assert_eq!(decode_header("DBABM"), Some(vec![2]));
        assert_eq!(decode_header("DBACNY"), Some(vec![2, 6]));
        assert_eq!(decode_header("not a header!"), None);
    }

    #[test]
    fn headers_round_trip() {
        for ids in [vec![2], vec![2, 6], vec![7], vec![2, 7, 8, 21]] {
            assert_eq!(decode_header(&header(&ids)), Some(ids));
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
