//! Why a TC string could not be read or written: the field, named as in IAB's specification,
//! and what was wrong with it.

use super::MAX_TC_STRING_LEN;

/// A TC string refused by [`super::TcString::decode`], or a value [`super::TcString::encode`]
/// cannot write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TC string field {field}: {problem}")]
pub struct TcStringError {
    /// The specification's name of the field or section (`CmpId`, `PublisherCC`,
    /// `VendorConsents`, `PubRestrictions`, `DisclosedVendors`, `NumCustomPurposes`, …), or
    /// `TCString` / `SegmentType` for the string's layout.
    pub field: &'static str,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("longer than {MAX_TC_STRING_LEN} characters")]
    TooLong,
    #[error("not base64url (A-Z, a-z, 0-9, '-', '_')")]
    NotBase64url,
    #[error("the segment ends before this field")]
    CutShort,
    #[error("version {0}: only version 2 (TCF 2.x) is read")]
    UnsupportedVersion(u64),
    #[error("{0} does not fit in the field's {1} bits")]
    TooLarge(u64, u32),
    #[error("letter value {0} is not one of A (0) to Z (25)")]
    NotALetter(u64),
    #[error("id {id} is outside 1 to {max}")]
    IdOutOfRange { id: u64, max: u64 },
    #[error("range entry {start}-{end} ends before it starts")]
    BackwardsRange { start: u16, end: u16 },
    #[error("restriction type 3 is undefined (0 not allowed, 1 require consent, 2 require LI)")]
    UndefinedRestrictionType,
    #[error("segment type {0} is not defined")]
    UnknownSegmentType(u64),
    #[error("the Allowed Vendors segment (type 2) was retired with out-of-band signals in TCF 2.2")]
    RetiredSegment,
    #[error("the segment appears more than once")]
    Repeated,
    #[error("the segment is missing (mandatory since TCF 2.3)")]
    Missing,
    #[error("GPP's tcfeuv2 section carries service-specific strings only")]
    NotServiceSpecific,
}

pub(super) fn error(field: &'static str, problem: Problem) -> TcStringError {
    TcStringError { field, problem }
}
