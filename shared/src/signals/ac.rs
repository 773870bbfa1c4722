//! Google's Additional Consent string, version 2 (Google, "Additional Consent Mode technical
//! specification", support.google.com/admanager/answer/9681920): consent and disclosure for
//! Google's Ad Tech Providers (ATPs) that are not on IAB's Global Vendor List, sent beside the
//! TC string as `addtl_consent`.
//!
//! The string is `2~{consented}~dv.{disclosed}`: the version, the ids of the ATPs the user
//! consented to, then `dv.` and the ids of the ATPs disclosed to the user but not consented to
//! (the specification asks that a consented id not be repeated there), each list ascending
//! and dot-separated. The specification's example `2~1.35.41.101~dv.9.21.81` reads: consent to
//! ATPs 1, 35, 41 and 101; ATPs 9, 21 and 81 disclosed as well.

use std::collections::BTreeSet;

/// The version this module writes and reads.
pub const AC_VERSION: u32 = 2;
/// The most ids [`AdditionalConsent::decode`] reads, consented and disclosed together:
/// Google's list of ATPs has well under a thousand entries.
pub const MAX_AC_IDS: usize = 4096;
/// The longest string [`AdditionalConsent::decode`] reads: room for [`MAX_AC_IDS`] ids of up
/// to ten digits and their dots.
pub const MAX_AC_STRING_LEN: usize = 11 * MAX_AC_IDS + 16;

/// The ATPs shown to a user and those the user consented to, every consented one being
/// disclosed too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdditionalConsent {
    consented: BTreeSet<u32>,
    disclosed: BTreeSet<u32>,
}

/// Why an AC string or a set of ids was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcStringError {
    #[error("longer than {MAX_AC_STRING_LEN} characters")]
    TooLong,
    #[error("more than {MAX_AC_IDS} ATP ids")]
    TooManyIds,
    /// The text before the first `~`, when it is not `2`.
    #[error("version {0:?}: only version 2 is read")]
    UnsupportedVersion(String),
    #[error("not version~consented~dv.disclosed")]
    NotThreeParts,
    /// The third part does not start with `dv`.
    #[error("the disclosed list does not start with \"dv.\"")]
    NoDisclosedPrefix,
    /// An id that is empty, not decimal digits, written with a leading zero, zero, or past
    /// `u32`.
    #[error("{0:?} is not an ATP id (a positive whole number without leading zeros)")]
    NotAnId(String),
    #[error("ATP {0} is consented to but not disclosed")]
    ConsentedNotDisclosed(u32),
}

impl AdditionalConsent {
    /// ATPs `disclosed` to the user, of which the user consented to `consented`.
    ///
    /// # Errors
    /// An id 0, more than [`MAX_AC_IDS`] ids, or a consented id that is not disclosed (the
    /// specification's consent is to ATPs the CMP showed).
    pub fn new(
        disclosed: impl IntoIterator<Item = u32>,
        consented: impl IntoIterator<Item = u32>,
    ) -> Result<Self, AcStringError> {
        let disclosed: BTreeSet<u32> = disclosed.into_iter().collect();
        let consented: BTreeSet<u32> = consented.into_iter().collect();
        if disclosed.contains(&0) || consented.contains(&0) {
            return Err(AcStringError::NotAnId("0".into()));
        }
        if disclosed.len() > MAX_AC_IDS {
            return Err(AcStringError::TooManyIds);
        }
        if let Some(&id) = consented.difference(&disclosed).next() {
            return Err(AcStringError::ConsentedNotDisclosed(id));
        }
        Ok(Self { consented, disclosed })
    }

    /// The ATPs the user consented to, ascending.
    pub fn consented(&self) -> &BTreeSet<u32> {
        &self.consented
    }

    /// The ATPs shown to the user, consented or not, ascending.
    pub fn disclosed(&self) -> &BTreeSet<u32> {
        &self.disclosed
    }

    /// `2~{consented}~dv.{disclosed but not consented}`, ids ascending, as in the
    /// specification's examples: nothing decided yet `2~~dv.1.2.3.4.10`, all consented
    /// `2~1.2.3.4.10~dv.`.
    pub fn encode(&self) -> String {
        let list = |ids: &mut dyn Iterator<Item = &u32>| ids.map(u32::to_string).collect::<Vec<_>>().join(".");
        let consented = list(&mut self.consented.iter());
        let rest = list(&mut self.disclosed.difference(&self.consented));
        format!("{AC_VERSION}~{consented}~dv.{rest}")
    }

    /// Reads a version 2 AC string. Ids may come in any order; a consented id repeated in the
    /// disclosed list is accepted (the specification only asks writers to leave it out); `dv`
    /// without its dot is read as an empty list, as the specification allows. Anything else
    /// is refused, so that hostile text costs little: the length and the number of ids are
    /// capped.
    ///
    /// # Errors
    /// [`AcStringError`]: longer than [`MAX_AC_STRING_LEN`], more than [`MAX_AC_IDS`] ids, a
    /// version other than 2 (version 1 had no disclosed list), not three `~`-separated parts,
    /// a third part not starting with `dv`, or an id that is not a positive decimal number.
    pub fn decode(s: &str) -> Result<Self, AcStringError> {
        if s.len() > MAX_AC_STRING_LEN {
            return Err(AcStringError::TooLong);
        }
        let mut parts = s.split('~');
        let version = parts.next().unwrap_or_default();
        if version != AC_VERSION.to_string() {
            return Err(AcStringError::UnsupportedVersion(version.to_owned()));
        }
        let (Some(consented), Some(disclosed), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(AcStringError::NotThreeParts);
        };
        let disclosed = match disclosed.strip_prefix("dv") {
            Some("") => "",
            Some(rest) => rest.strip_prefix('.').ok_or(AcStringError::NoDisclosedPrefix)?,
            None => return Err(AcStringError::NoDisclosedPrefix),
        };
        let consented = ids(consented)?;
        let mut all = ids(disclosed)?;
        all.extend(&consented);
        if all.len() > MAX_AC_IDS {
            return Err(AcStringError::TooManyIds);
        }
        Ok(Self {
            consented,
            disclosed: all,
        })
    }
}

/// A dot-separated list of ids; the empty text is the empty list.
fn ids(list: &str) -> Result<BTreeSet<u32>, AcStringError> {
    if list.is_empty() {
        return Ok(BTreeSet::new());
    }
    let mut out = BTreeSet::new();
    for (n, item) in list.split('.').enumerate() {
        if n >= MAX_AC_IDS {
            return Err(AcStringError::TooManyIds);
        }
        let canonical = item.bytes().all(|b| b.is_ascii_digit()) && !item.starts_with('0');
        let id = item
            .parse::<u32>()
            .ok()
            .filter(|_| canonical)
            .ok_or_else(|| AcStringError::NotAnId(item.to_owned()))?;
        out.insert(id);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ac(disclosed: &[u32], consented: &[u32]) -> AdditionalConsent {
        AdditionalConsent::new(disclosed.iter().copied(), consented.iter().copied()).expect("valid ids")
    }

    /// The examples of Google's "Additional Consent Mode technical specification", section
    /// "AC string examples" (ATPs 1, 2, 3, 4 and 10 disclosed), and its format example.
    #[test]
    fn the_specification_s_examples_encode_and_decode() {
        let disclosed = [1, 2, 3, 4, 10];
        let examples = [
            // Shown, no decision yet; or every ATP refused.
            (ac(&disclosed, &[]), "2~~dv.1.2.3.4.10"),
            // Every ATP consented to.
            (ac(&disclosed, &disclosed), "2~1.2.3.4.10~dv."),
            // Consent to 1 and 10 only.
            (ac(&disclosed, &[1, 10]), "2~1.10~dv.2.3.4"),
            // "Part 3" and "Part 5" examples together.
            (
                ac(&[1, 9, 21, 35, 41, 81, 101], &[1, 35, 41, 101]),
                "2~1.35.41.101~dv.9.21.81",
            ),
        ];
        for (value, text) in examples {
            assert_eq!(value.encode(), text);
            assert_eq!(AdditionalConsent::decode(text), Ok(value));
        }
        // "Only in this case the '.' after dv is optional": all consented.
        assert_eq!(
            AdditionalConsent::decode("2~1.2.3.4.10~dv"),
            Ok(ac(&disclosed, &disclosed))
        );
    }

    #[test]
    fn nothing_shown_is_an_empty_string_of_version_2() {
        let empty = AdditionalConsent::default();
        assert_eq!(empty.encode(), "2~~dv.");
        assert_eq!(AdditionalConsent::decode("2~~dv."), Ok(empty.clone()));
        assert_eq!(AdditionalConsent::decode("2~~dv"), Ok(empty));
    }

    #[test]
    fn readers_are_lenient_on_order_and_repeats_and_writers_are_not() {
        let read = AdditionalConsent::decode("2~41.1~dv.9.1.9").expect("readable");
        assert_eq!(read, ac(&[1, 9, 41], &[1, 41]));
        assert_eq!(read.encode(), "2~1.41~dv.9");
        assert_eq!(read.consented().iter().copied().collect::<Vec<_>>(), vec![1, 41]);
        assert_eq!(read.disclosed().len(), 3);
    }

    #[test]
    fn consent_needs_disclosure_and_ids_start_at_one() {
        assert_eq!(
            AdditionalConsent::new([1, 2], [3]),
            Err(AcStringError::ConsentedNotDisclosed(3))
        );
        assert_eq!(AdditionalConsent::new([0], []), Err(AcStringError::NotAnId("0".into())));
        assert_eq!(
            AdditionalConsent::new(1..=MAX_AC_IDS as u32 + 1, []),
            Err(AcStringError::TooManyIds)
        );
    }

    #[test]
    fn malformed_and_hostile_strings_are_refused() {
        let refused = |s: &str| AdditionalConsent::decode(s).expect_err(s);
        assert_eq!(refused("1~1.35.41.101"), AcStringError::UnsupportedVersion("1".into()));
        assert_eq!(refused(""), AcStringError::UnsupportedVersion(String::new()));
        assert_eq!(refused("2"), AcStringError::NotThreeParts);
        assert_eq!(refused("2~1.2"), AcStringError::NotThreeParts);
        assert_eq!(refused("2~1~dv.2~3"), AcStringError::NotThreeParts);
        assert_eq!(refused("2~1~2.3"), AcStringError::NoDisclosedPrefix);
        assert_eq!(refused("2~1~dv3"), AcStringError::NoDisclosedPrefix);
        for bad in ["01", "+1", "-1", "1e3", "0", "4294967296", " 1", "x"] {
            assert_eq!(
                refused(&format!("2~{bad}~dv.")),
                AcStringError::NotAnId(bad.into()),
                "{bad:?}"
            );
        }
        assert_eq!(refused("2~1..2~dv."), AcStringError::NotAnId(String::new()));
        assert_eq!(refused("2~1~dv.2."), AcStringError::NotAnId(String::new()));
        // Capped before any list is read in full.
        let many = (1..=MAX_AC_IDS as u32 + 1)
            .map(|id| id.to_string())
            .collect::<Vec<_>>()
            .join(".");
        assert_eq!(refused(&format!("2~{many}~dv.")), AcStringError::TooManyIds);
        let split = (1..=3000u32).map(|id| id.to_string()).collect::<Vec<_>>().join(".");
        let other = (3001..=6000u32).map(|id| id.to_string()).collect::<Vec<_>>().join(".");
        assert_eq!(refused(&format!("2~{split}~dv.{other}")), AcStringError::TooManyIds);
        assert_eq!(refused(&"1".repeat(MAX_AC_STRING_LEN + 1)), AcStringError::TooLong);
        // Repeats cost their characters, not memory: one id a thousand times is one id.
        let repeated = vec!["7"; 4000].join(".");
        assert_eq!(
            AdditionalConsent::decode(&format!("2~~dv.{repeated}")),
            Ok(ac(&[7], &[]))
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(
            AcStringError::NotAnId("01".into()).to_string(),
            "\"01\" is not an ATP id (a positive whole number without leading zeros)"
        );
    }
}
