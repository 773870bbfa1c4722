//! The GPP string around the sections: its header (type 3, version 1, the section ids as a
//! Fibonacci-coded range) and the `Header~Section~…` string, built or split.

use super::super::bits::{Bits, Reader};

/// The most section ids a header may name: what its 12-bit count can list one by one. A
/// decoded range may not expand past it either, so a short string never becomes a huge list.
pub const MAX_SECTIONS: usize = 4095;

/// A section a GPP string can carry.
pub trait Section {
    /// Its id in the header (GPP "Section Information": 7 usnat, 8 to 27 the US states).
    fn id(&self) -> u64;
    /// Its encoded text, as it stands between two `~`.
    fn encode(&self) -> String;
}

/// The GPP header: type 3, version 1, then the section ids as a Fibonacci-coded range, runs
/// of consecutive ids written as one range entry (as IAB's reference library writes them:
/// usnat with the 20 state sections is `DBABrVg`, a single entry 7–27).
///
/// # Panics
/// If `section_ids` are not strictly ascending from 1 (the specification's order), or more
/// than [`MAX_SECTIONS`].
pub fn header(section_ids: &[u64]) -> String {
    assert!(
        section_ids.len() <= MAX_SECTIONS,
        "at most {MAX_SECTIONS} GPP section ids"
    );
    // Runs of consecutive ids, as (first, last).
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for &id in section_ids {
        match runs.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(id) => *last = id,
            Some((_, last)) if id > *last => runs.push((id, id)),
            None if id >= 1 => runs.push((id, id)),
            _ => panic!("GPP section ids must ascend from 1: {section_ids:?}"),
        }
    }
    let mut bits = Bits::default();
    bits.int(3, 6);
    bits.int(1, 6);
    bits.int(runs.len() as u64, 12);
    // Each entry is an offset from the id before: the previous entry's last id.
    let mut previous = 0;
    for (first, last) in runs {
        bits.bool(first != last);
        bits.fibonacci(first - previous);
        if first != last {
            bits.fibonacci(last - first);
        }
        previous = last;
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

/// Section ids a GPP string cannot carry together: the same id twice, id 0, or more than
/// [`MAX_SECTIONS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("GPP section ids must be distinct, from 1 and at most {MAX_SECTIONS}: {0:?}")]
pub struct InvalidSectionIds(pub Vec<u64>);

/// A full GPP string, `Header~Section~…`, carrying `sections` in id order (the header lists
/// them ascending and the sections follow in that order, GPP 1.1 "Consent String
/// Specification"), whatever order they are given in.
///
/// # Errors
/// [`InvalidSectionIds`] if two sections share an id, one has id 0, or there are more than
/// [`MAX_SECTIONS`].
pub fn gpp_string(sections: &[&dyn Section]) -> Result<String, InvalidSectionIds> {
    let mut sorted = sections.to_vec();
    sorted.sort_by_key(|s| s.id());
    let ids: Vec<u64> = sorted.iter().map(|s| s.id()).collect();
    if ids.len() > MAX_SECTIONS || ids.first() == Some(&0) || ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(InvalidSectionIds(ids));
    }
    let mut out = header(&ids);
    for section in sorted {
        out.push('~');
        out.push_str(&section.encode());
    }
    Ok(out)
}

/// The sections of a GPP string as (id, encoded section) pairs in the header's order, or
/// `None` if the header does not decode (see [`decode_header`]), a section is empty, or there
/// are more or fewer sections than the header names. The sections themselves are not read:
/// each section type's own `decode` does that.
pub fn sections(gpp: &str) -> Option<Vec<(u64, &str)>> {
    let mut parts = gpp.split('~');
    let ids = decode_header(parts.next()?)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push((id, parts.next().filter(|part| !part.is_empty())?));
    }
    parts.next().is_none().then_some(out)
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
        for ids in [
            vec![2],
            vec![2, 6],
            vec![7],
            vec![2, 7, 8, 21],
            vec![7, 8, 9, 11, 12, 27],
            vec![1, u64::MAX],
            vec![u64::MAX - 1, u64::MAX],
        ] {
            assert_eq!(decode_header(&header(&ids)), Some(ids));
        }
    }

    #[test]
    fn consecutive_ids_are_one_range_entry_as_in_the_reference_library() {
        // From `@iabgpp/cmpapi` 3.2.0: [7, 8, 9] and [7, 8, …, 27].
        assert_eq!(header(&[7, 8, 9]), "DBABrYA");
        assert_eq!(header(&(7..=27).collect::<Vec<_>>()), "DBABrVg");
    }

    #[test]
    #[should_panic(expected = "must ascend from 1")]
    fn a_header_refuses_ids_out_of_order() {
        header(&[8, 7]);
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

    struct Fake(u64, &'static str);

    impl Section for Fake {
        fn id(&self) -> u64 {
            self.0
        }
        fn encode(&self) -> String {
            self.1.to_owned()
        }
    }

    #[test]
    fn a_string_lists_its_sections_in_id_order_whatever_order_they_come_in() {
        let (tcf, usnat, usca) = (Fake(2, "tcf"), Fake(7, "nat"), Fake(8, "ca"));
        let gpp = gpp_string(&[&usca, &tcf, &usnat]).expect("distinct ids");
        assert_eq!(gpp, format!("{}~tcf~nat~ca", header(&[2, 7, 8])));
        assert_eq!(sections(&gpp), Some(vec![(2, "tcf"), (7, "nat"), (8, "ca")]));
    }

    #[test]
    fn a_string_refuses_a_section_twice_or_id_zero() {
        assert_eq!(
            gpp_string(&[&Fake(8, "a"), &Fake(8, "b")]),
            Err(InvalidSectionIds(vec![8, 8]))
        );
        assert_eq!(gpp_string(&[&Fake(0, "a")]), Err(InvalidSectionIds(vec![0])));
        assert_eq!(
            gpp_string(&[]),
            Ok("DBAA".to_owned()),
            "an empty string, as IAB's library writes it"
        );
    }

    #[test]
    fn a_string_splits_only_when_the_header_names_every_section() {
        for refused in ["", "DBABLA", "DBABLA~", "DBABLA~a~b", "DBACNY~a", "DBACNY~~b", "nope~a"] {
            assert_eq!(sections(refused), None, "{refused:?}");
        }
        assert_eq!(sections("DBAA"), Some(vec![]));
    }
}
