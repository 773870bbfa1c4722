//! Sets of vendor ids and the vendor sections that carry them (IAB TCF 2.3 "Transparency and
//! Consent String with Global Vendor List Format", sections "Vendor Consent Section", "Vendor
//! Legitimate Interest Section" and "Disclosed Vendors"): MaxVendorId, IsRangeEncoding, then
//! either one bit per id or range entries.

use super::error::{Problem, TcStringError, error};
use super::{FieldReader, Reference, check_width};
use crate::signals::bits::Bits;

/// Vendor ids (GVL ids, 1 to 65535), kept as sorted, disjoint, non-adjacent runs: a decoded
/// range entry of 65,535 ids costs one run, not 65,535 entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorSet {
    runs: Vec<(u16, u16)>,
}

impl VendorSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// The set of the inclusive ranges given, in any order, overlapping or not.
    pub fn from_ranges(ranges: impl IntoIterator<Item = (u16, u16)>) -> Self {
        let mut ranges: Vec<_> = ranges.into_iter().filter(|(a, b)| a <= b).collect();
        ranges.sort_unstable();
        let mut runs: Vec<(u16, u16)> = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            match runs.last_mut() {
                Some(last) if u32::from(start) <= u32::from(last.1) + 1 => last.1 = last.1.max(end),
                _ => runs.push((start, end)),
            }
        }
        Self { runs }
    }

    pub fn insert(&mut self, id: u16) {
        if !self.contains(id) {
            *self = Self::from_ranges(self.runs.iter().copied().chain([(id, id)]));
        }
    }

    pub fn contains(&self, id: u16) -> bool {
        self.next_from(id) == Some(id)
    }

    /// The smallest id in the set that is `id` or more.
    pub fn next_from(&self, id: u16) -> Option<u16> {
        let i = self.runs.partition_point(|(_, end)| *end < id);
        self.runs.get(i).map(|(start, _)| (*start).max(id))
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The largest id, 0 for the empty set (the section's MaxVendorId).
    pub fn max_id(&self) -> u16 {
        self.runs.last().map_or(0, |(_, end)| *end)
    }

    /// The ids in ascending order.
    pub fn ids(&self) -> impl Iterator<Item = u16> + '_ {
        self.runs.iter().flat_map(|(start, end)| *start..=*end)
    }

    /// Maximal runs of consecutive ids, ascending, as inclusive `(start, end)`.
    pub fn runs(&self) -> &[(u16, u16)] {
        &self.runs
    }
}

impl FromIterator<u16> for VendorSet {
    fn from_iter<I: IntoIterator<Item = u16>>(ids: I) -> Self {
        Self::from_ranges(ids.into_iter().map(|id| (id, id)))
    }
}

/// NumEntries is 12 bits wide.
const MAX_ENTRIES: usize = 4095;

/// Whether the reference library writes this set as range entries.
fn ranges_chosen(set: &VendorSet, reference: Reference) -> bool {
    match reference {
        Reference::TcfCore => tcf_core_chooses_ranges(set),
        Reference::GppCmpApi => gpp_cmpapi_chooses_ranges(set),
    }
}

/// `@iabtechlabtcf/core` walks ids 1 to MaxVendorId estimating the ranges' size (counting 16
/// bits for a single id, which takes 17) and decides at the last id, before counting it:
/// ranges when MaxVendorId is past 45 and the estimate is below the bit field's 17 +
/// MaxVendorId bits. Matching that estimate, off by one bit per single id as it is, is what
/// makes our strings byte for byte IAB's. A set of more runs than NumEntries can count (IAB's
/// encoder throws on it) is written as a bit field.
fn tcf_core_chooses_ranges(set: &VendorSet) -> bool {
    let max = u32::from(set.max_id());
    if max <= 45 || set.runs.len() > MAX_ENTRIES {
        return false;
    }
    let estimate: u32 = 29
        + set
            .runs
            .iter()
            .map(|&(start, end)| {
                let opened = if start < end { 17 } else { 0 };
                let closed = if u32::from(end) < max { 16 } else { 0 };
                opened + closed
            })
            .sum::<u32>();
    estimate < 17 + max
}

/// `@iabgpp/cmpapi` (its `EncodableOptimizedFixedRange`) compares the exact size of
/// NumEntries and the entries (12 bits, then 17 per single id and 33 per range) with the bit
/// field's MaxVendorId bits, and writes ranges when they are no longer. More runs than
/// NumEntries counts never qualify: they take more bits than 65,535.
fn gpp_cmpapi_chooses_ranges(set: &VendorSet) -> bool {
    let entries: usize = set
        .runs
        .iter()
        .map(|&(start, end)| if start == end { 17 } else { 33 })
        .sum();
    12 + entries <= usize::from(set.max_id())
}

/// Writes a vendor section: MaxVendorId (16 bits), IsRangeEncoding (1), then the bit field or
/// NumEntries (12) and the entries, as the `reference` library chooses.
pub(super) fn write(
    bits: &mut Bits,
    set: &VendorSet,
    field: &'static str,
    reference: Reference,
) -> Result<(), TcStringError> {
    if set.runs.first().is_some_and(|(start, _)| *start == 0) {
        return Err(error(
            field,
            Problem::IdOutOfRange {
                id: 0,
                max: u16::MAX.into(),
            },
        ));
    }
    bits.int(set.max_id().into(), 16);
    let ranges = ranges_chosen(set, reference);
    bits.bool(ranges);
    if ranges {
        write_entries(bits, &set.runs, field)
    } else {
        let mut next = 1u32;
        for &(start, end) in &set.runs {
            for _ in next..u32::from(start) {
                bits.bool(false);
            }
            for _ in start..=end {
                bits.bool(true);
            }
            next = u32::from(end) + 1;
        }
        Ok(())
    }
}

/// NumEntries (12 bits), then each entry: IsARange (1), StartOrOnlyVendorId (16) and, for a
/// range, EndVendorId (16).
pub(super) fn write_entries(bits: &mut Bits, entries: &[(u16, u16)], field: &'static str) -> Result<(), TcStringError> {
    check_width(entries.len() as u64, 12, field)?;
    bits.int(entries.len() as u64, 12);
    for &(start, end) in entries {
        check_entry(start, end, field)?;
        bits.bool(start != end);
        bits.int(start.into(), 16);
        if start != end {
            bits.int(end.into(), 16);
        }
    }
    Ok(())
}

/// An entry names vendors `start..=end`: ids start at 1 and a range may not run backwards.
fn check_entry(start: u16, end: u16, field: &'static str) -> Result<(), TcStringError> {
    if start == 0 {
        return Err(error(
            field,
            Problem::IdOutOfRange {
                id: 0,
                max: u16::MAX.into(),
            },
        ));
    }
    if end < start {
        return Err(error(field, Problem::BackwardsRange { start, end }));
    }
    Ok(())
}

/// Reads a vendor section. Range entries may name ids past MaxVendorId, as IAB's decoder
/// allows; an id 0 or a range ending before its start is refused.
pub(super) fn read(r: &mut FieldReader, field: &'static str) -> Result<VendorSet, TcStringError> {
    let max = r.int(16, field)?;
    if r.bool(field)? {
        return Ok(VendorSet::from_ranges(read_entries(r, field)?));
    }
    let mut runs = Vec::new();
    let mut start = None;
    for id in 1..=max {
        // `max` came from 16 bits.
        let id = id as u16;
        match (r.bool(field)?, start) {
            (true, None) => start = Some(id),
            (false, Some(s)) => {
                runs.push((s, id - 1));
                start = None;
            }
            _ => {}
        }
    }
    runs.extend(start.map(|s| (s, max as u16)));
    Ok(VendorSet { runs })
}

/// NumEntries and the entries, as written by [`write_entries`]; at most 4,095 entries.
pub(super) fn read_entries(r: &mut FieldReader, field: &'static str) -> Result<Vec<(u16, u16)>, TcStringError> {
    let count = r.int(12, field)?;
    let mut entries = Vec::new();
    for _ in 0..count {
        let is_range = r.bool(field)?;
        // Both reads are 16 bits wide.
        let start = r.int(16, field)? as u16;
        let end = if is_range { r.int(16, field)? as u16 } else { start };
        check_entry(start, end, field)?;
        entries.push((start, end));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[u16]) -> VendorSet {
        ids.iter().copied().collect()
    }

    #[test]
    fn sets_keep_maximal_runs_whatever_the_order_of_insertion() {
        let mut s = set(&[9, 3, 4, 5, 7, 65535]);
        assert_eq!(s.runs(), &[(3, 5), (7, 7), (9, 9), (65535, 65535)]);
        s.insert(8);
        s.insert(6);
        assert_eq!(s.runs(), &[(3, 9), (65535, 65535)]);
        assert_eq!(
            VendorSet::from_ranges([(10, 20), (15, 30), (31, 31), (5, 1)]).runs(),
            &[(10, 31)]
        );
        assert_eq!(
            (s.next_from(1), s.next_from(5), s.next_from(10)),
            (Some(3), Some(5), Some(65535))
        );
        assert!(s.contains(9) && !s.contains(10) && !VendorSet::new().contains(0));
        assert_eq!(s.ids().count(), 8);
        assert_eq!((s.max_id(), VendorSet::new().max_id()), (65535, 0));
    }

    #[test]
    fn the_encoding_is_chosen_by_iab_s_estimate() {
        assert!(!tcf_core_chooses_ranges(&set(&[45])), "max id 45: always a bit field");
        assert!(tcf_core_chooses_ranges(&set(&[46])));
        let singles: Vec<u16> = (0..10).map(|i| 5 + 10 * i).collect();
        let with = |last| set(&[&singles[..], &[last]].concat());
        // 29 + 10 × 16 = 189 against 17 + max id.
        assert!(!tcf_core_chooses_ranges(&with(172)));
        assert!(tcf_core_chooses_ranges(&with(173)));
        assert!(
            tcf_core_chooses_ranges(&with(190)),
            "though 216 bits of ranges beat 207 of bit field"
        );
        // A run's start counts even when the run ends at the max id.
        assert!(
            !tcf_core_chooses_ranges(&set(&[1, 2, 3, 61, 62])),
            "29 + 17 + 16 + 17 = 79, not below 17 + 62"
        );
        assert!(tcf_core_chooses_ranges(&set(&[1, 2, 3, 62, 63])));
    }

    #[test]
    fn gpp_s_library_chooses_by_exact_size() {
        assert!(
            !gpp_cmpapi_chooses_ranges(&VendorSet::new()),
            "12 bits of no entries against 0"
        );
        // One id: 12 + 17 = 29 bits of ranges against MaxVendorId bits.
        assert!(!gpp_cmpapi_chooses_ranges(&set(&[28])));
        assert!(gpp_cmpapi_chooses_ranges(&set(&[29])), "ties go to ranges");
        // One range: 12 + 33 = 45.
        assert!(!gpp_cmpapi_chooses_ranges(&(1..=44).collect()));
        assert!(gpp_cmpapi_chooses_ranges(&(1..=45).collect()));
        // Where the two libraries differ: IAB's TCF library needs a max id past 45.
        assert!(!tcf_core_chooses_ranges(&set(&[40])) && gpp_cmpapi_chooses_ranges(&set(&[40])));
        let many: VendorSet = (0..4096u16).map(|i| 1 + 16 * i).collect();
        assert!(!gpp_cmpapi_chooses_ranges(&many), "more runs than NumEntries counts");
    }

    fn round_trip(s: &VendorSet) -> VendorSet {
        let mut bits = Bits::default();
        write(&mut bits, s, "VendorConsents", Reference::TcfCore).expect("writable");
        bits.pad_to(24);
        let mut r = FieldReader::new(&bits.to_base64url(), "VendorConsents").expect("base64url");
        read(&mut r, "VendorConsents").expect("readable")
    }

    #[test]
    fn sections_read_back_what_was_written() {
        let sparse = set(&[1, 2, 3, 600, 65535]);
        let dense: VendorSet = (1..2000).filter(|id| id % 3 != 0).collect();
        for s in [VendorSet::new(), set(&[1]), set(&[45]), set(&[46]), sparse, dense] {
            assert_eq!(round_trip(&s), s);
        }
        // More runs than NumEntries counts: a bit field instead (IAB's encoder throws).
        let many: VendorSet = (0..4096u16).map(|i| 1 + 16 * i).collect();
        assert!(!tcf_core_chooses_ranges(&many));
        assert_eq!(round_trip(&many), many);
    }

    #[test]
    fn hostile_entries_are_refused_and_huge_ranges_stay_small() {
        let entries = |list: &[(bool, u16, u16)]| {
            let mut bits = Bits::default();
            bits.int(0, 16);
            bits.bool(true);
            bits.int(list.len() as u64, 12);
            for &(range, a, b) in list {
                bits.bool(range);
                bits.int(a.into(), 16);
                if range {
                    bits.int(b.into(), 16);
                }
            }
            let mut r = FieldReader::new(&bits.to_base64url(), "VendorConsents").expect("base64url");
            read(&mut r, "VendorConsents")
        };
        let problem = |list| entries(list).map_err(|e| e.problem);
        assert_eq!(
            problem(&[(false, 0, 0)]),
            Err(Problem::IdOutOfRange { id: 0, max: 65535 })
        );
        assert_eq!(
            problem(&[(true, 9, 8)]),
            Err(Problem::BackwardsRange { start: 9, end: 8 })
        );
        let huge = entries(&[(true, 1, 65535); 100]).expect("overlapping entries");
        assert_eq!(huge.runs(), &[(1, 65535)]);
        let mut short = Bits::default();
        short.int(40, 16);
        short.bool(false);
        let mut r = FieldReader::new(&short.to_base64url(), "VendorConsents").expect("base64url");
        assert_eq!(
            read(&mut r, "VendorConsents").map_err(|e| e.problem),
            Err(Problem::CutShort)
        );
    }
}
