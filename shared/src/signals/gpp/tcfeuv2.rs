//! GPP's EU TCF section (id 2, `tcfeuv2`, version 2): a TC string as a GPP string carries it
//! (IAB Tech Lab, GPP "Section Information", EU TCF v2 section). The fields and segments are
//! the TC string's; what differs is how IAB's reference library `@iabgpp/cmpapi` writes them,
//! which [`TcString::encode_for_gpp`](crate::signals::tcf::TcString) follows byte for byte
//! (`shared/tests/gpp_tcfeuv2_vectors.rs`):
//!
//! - the Publisher TC segment is always written (empty when the string has none), after the
//!   Disclosed Vendors segment;
//! - only service-specific strings are carried;
//! - each vendor section is written as range entries whenever they are no longer than the bit
//!   field (the TCF library uses an estimate and a minimum id instead), and each publisher
//!   restriction's vendors as their maximal runs.

use super::string::Section;
use crate::signals::tcf::{TcString, TcStringError};

pub const TCFEUV2_SECTION_ID: u64 = 2;
pub const TCFEUV2_SECTION_NAME: &str = "tcfeuv2";

/// A TC string checked to be writable as GPP's tcfeuv2 section, with its encoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcfEuV2 {
    tc: TcString,
    encoded: String,
}

impl TcfEuV2 {
    /// The section for `tc`. A `publisher_tc` of `None` becomes an empty Publisher TC segment
    /// (the section always carries one), so [`TcfEuV2::tc_string`] then holds
    /// `Some(PublisherTc::default())`.
    ///
    /// # Errors
    /// Those of [`TcString::encode`], and a string that is not service-specific
    /// (`IsServiceSpecific`, `Problem::NotServiceSpecific`).
    pub fn new(mut tc: TcString) -> Result<Self, TcStringError> {
        tc.publisher_tc.get_or_insert_default();
        let encoded = tc.encode_for_gpp()?;
        Ok(Self { tc, encoded })
    }

    /// Reads a tcfeuv2 section (the text between two `~` of a GPP string).
    ///
    /// # Errors
    /// Those of [`TcString::decode`] (so a section without the Disclosed Vendors segment,
    /// mandatory since TCF 2.3, is refused), and a string that is not service-specific.
    pub fn decode(section: &str) -> Result<Self, TcStringError> {
        Self::new(TcString::decode(section)?)
    }

    /// The TC string's values.
    pub fn tc_string(&self) -> &TcString {
        &self.tc
    }
}

impl Section for TcfEuV2 {
    fn id(&self) -> u64 {
        TCFEUV2_SECTION_ID
    }

    fn encode(&self) -> String {
        self.encoded.clone()
    }
}
