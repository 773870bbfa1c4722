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
        if let Some(p) = notice
            .purposes
            .iter()
            .find(|p| p.key.as_str() == crate::consent::PRECISE_LOCATION)
        {
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

/// The subsection type of GPC in a usnat section.
const GPC_SUBSECTION: u64 = 1;

/// The most section ids a header may name: what its 12-bit count can list one by one. A
/// decoded range may not expand past it either, so a short string never becomes a huge list.
pub const MAX_SECTIONS: usize = 4095;

/// The GPP header: type 3, version 1, the section ids as a Fibonacci-coded range.
///
/// # Panics
/// If `section_ids` are not strictly ascending from 1 (the specification's order), or more
/// than [`MAX_SECTIONS`].
pub fn header(section_ids: &[u64]) -> String {
    assert!(
        section_ids.len() <= MAX_SECTIONS,
        "at most {MAX_SECTIONS} GPP section ids"
    );
    let mut bits = Bits::default();
    bits.int(3, 6);
    bits.int(1, 6);
    bits.int(section_ids.len() as u64, 12);
    let mut previous = 0;
    for id in section_ids {
        let step = id.checked_sub(previous).filter(|step| *step > 0);
        let step = step.unwrap_or_else(|| panic!("GPP section ids must ascend from 1: {section_ids:?}"));
        bits.bool(false);
        bits.fibonacci(step);
        previous = *id;
    }
    bits.to_base64url()
}

/// Section ids of a GPP header, or `None` if it is not one: not base64url, not type 3
/// version 1, cut short, a number past `u64`, or more than [`MAX_SECTIONS`] ids.
pub fn decode_header(header: &str) -> Option<Vec<u64>> {
    let mut r = Reader::from_base64url(header)?;
    if r.int(6)? != 3 || r.int(6)? != 1 {
        return None;
    }
    let entries = r.int(12)?;
    let mut ids = Vec::new();
    let mut previous = 0u64;
    for _ in 0..entries {
        // A range (`1`) or one id (`0`), each as offsets from the id before.
        let is_range = r.bool()?;
        let start = previous.checked_add(r.fibonacci()?)?;
        let end = if is_range {
            start.checked_add(r.fibonacci()?)?
        } else {
            start
        };
        let count = usize::try_from(end - start).ok()?.checked_add(1)?;
        if ids.len().checked_add(count)? > MAX_SECTIONS {
            return None;
        }
        ids.extend(start..=end);
        previous = end;
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
        for ids in [vec![2], vec![2, 6], vec![7], vec![2, 7, 8, 21], vec![1, u64::MAX]] {
            assert_eq!(decode_header(&header(&ids)), Some(ids));
        }
    }

    /// Type 3, version 1, one entry, and that entry's bits.
    fn header_with_entry(entry: impl FnOnce(&mut Bits)) -> String {
        let mut bits = Bits::default();
        bits.int(3, 6);
        bits.int(1, 6);
        bits.int(1, 12);
        entry(&mut bits);
        bits.to_base64url()
    }

    #[test]
    fn a_fibonacci_code_past_u64_is_refused_not_overflowed() {
        // One id whose code sets every other Fibonacci term for 100 terms: far past u64.
        let header = header_with_entry(|bits| {
            bits.bool(false);
            for _ in 0..50 {
                bits.bool(true);
                bits.bool(false);
            }
            bits.bool(true);
            bits.bool(true);
        });
        // As in fuzz/corpus/signals/gpp-header-fibonacci-past-u64.
        assert_eq!(header, "DBABVVVVVVVVVVVVVVVVVg");
        assert_eq!(decode_header(&header), None);
    }

    /// What libFuzzer found within a second in the decoder as it was before these checks: an
    /// overflow panic (`value += a` in the Fibonacci reader) and a range of 21.6 billion ids
    /// (an allocation of 172 GB). Both are in fuzz/corpus/signals/.
    #[test]
    fn the_headers_the_fuzzer_found_are_refused() {
        assert_eq!(decode_header("DBEG0DB0DBooooooooooooooooEG09"), None);
        assert_eq!(decode_header("DBEG101ggg-gggggggg0"), None);
    }

    #[test]
    fn a_range_that_would_expand_past_the_limit_is_refused() {
        let range = |len: u64| {
            header_with_entry(|bits| {
                bits.bool(true);
                bits.fibonacci(1);
                bits.fibonacci(len);
            })
        };
        let ids = decode_header(&range(MAX_SECTIONS as u64 - 1)).expect("the longest range");
        assert_eq!((ids.len(), ids.last()), (MAX_SECTIONS, Some(&(MAX_SECTIONS as u64))));
        assert_eq!(decode_header(&range(MAX_SECTIONS as u64)), None);
        // As in fuzz/corpus/signals/gpp-header-range-of-2-to-the-40.
        assert_eq!(range(1 << 40), "DBAB6KoiqqCggIw");
        assert_eq!(decode_header(&range(1 << 40)), None, "not 2^40 ids in memory");
    }

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
