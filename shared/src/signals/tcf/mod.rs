//! TC strings of the IAB Transparency & Consent Framework 2.3, as IAB Tech Lab's
//! "Transparency and Consent String with Global Vendor List Format" (TCF v2.3) defines them:
//! segments joined by `.`, each big-endian bits padded with zeros to a multiple of 24 bits and
//! written in base64url without padding. [`TcString`] holds the core segment (with vendor
//! consents, vendor legitimate interests and publisher restrictions), the Disclosed Vendors
//! segment (type 1, mandatory since TCF 2.3) and the optional Publisher TC segment (type 3).
//!
//! The encoder writes what IAB's reference library `@iabtechlabtcf/core` writes for the same
//! values, byte for byte (it chooses bit field or range entries the way IAB's does); the tests
//! hold vectors made by that library (`shared/tests/fixtures/tcf-vectors.json`). Which values
//! the policies allow (no legitimate interest for purposes 1 and 3 to 6, signals only for GVL
//! vendors, …) is for the caller: this module writes and reads the format.

mod error;
pub mod gvl;
mod restrictions;
mod vendors;

pub use error::{Problem, TcStringError};
pub use restrictions::{PublisherRestriction, RestrictionType};
pub use vendors::VendorSet;

use super::bits::{Bits, Reader};
use error::error;
use std::collections::BTreeSet;

/// The encoding version this module reads and writes (Version, 6 bits).
pub const VERSION: u64 = 2;
/// TcfPolicyVersion of TCF 2.3.
pub const TCF_2_3_POLICY_VERSION: u8 = 5;
/// The longest string [`TcString::decode`] reads, so hostile input stays bounded: far more
/// than three full vendor sections of 65,535 ids (about 11,000 characters each).
pub const MAX_TC_STRING_LEN: usize = 65_536;

const DISCLOSED_VENDORS: u64 = 1;
const ALLOWED_VENDORS: u64 = 2;
const PUBLISHER_TC: u64 = 3;

/// A TC string's values. Purpose, special feature and custom purpose sets hold ids from 1 to
/// the field's width in bits (24, 12, NumCustomPurposes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcString {
    /// Created: when the string was first made, in deciseconds since the Unix epoch (36 bits).
    pub created: u64,
    /// LastUpdated: deciseconds since the Unix epoch (36 bits).
    pub last_updated: u64,
    /// CmpId: the CMP's id assigned by IAB Europe (12 bits).
    pub cmp_id: u16,
    /// CmpVersion (12 bits).
    pub cmp_version: u16,
    /// ConsentScreen: the CMP's number for the screen where the choice was made (6 bits).
    pub consent_screen: u8,
    /// ConsentLanguage: ISO 639-1 code in capitals, e.g. `*b"EN"` (6 bits a letter, A = 0).
    pub consent_language: [u8; 2],
    /// VendorListVersion: the GVL version used (12 bits).
    pub vendor_list_version: u16,
    /// TcfPolicyVersion: from the GVL; [`TCF_2_3_POLICY_VERSION`] for TCF 2.3 (6 bits).
    pub tcf_policy_version: u8,
    pub is_service_specific: bool,
    pub use_non_standard_texts: bool,
    /// SpecialFeatureOptIns: special feature ids 1 to 12 opted in.
    pub special_feature_opt_ins: BTreeSet<u8>,
    /// PurposesConsent: purpose ids 1 to 24 consented to.
    pub purposes_consent: BTreeSet<u8>,
    /// PurposesLITransparency: purpose ids 1 to 24 with legitimate interest established and
    /// not objected to.
    pub purposes_li_transparency: BTreeSet<u8>,
    /// PurposeOneTreatment: purpose 1 was not disclosed (some jurisdictions).
    pub purpose_one_treatment: bool,
    /// PublisherCC: ISO 3166-1 alpha-2 country code in capitals; `*b"AA"` when unknown.
    pub publisher_cc: [u8; 2],
    pub vendor_consents: VendorSet,
    pub vendor_legitimate_interests: VendorSet,
    pub pub_restrictions: Vec<PublisherRestriction>,
    /// DisclosedVendors: every vendor shown to the user.
    pub disclosed_vendors: VendorSet,
    /// The Publisher TC segment; IAB's encoder writes one exactly for service-specific strings.
    pub publisher_tc: Option<PublisherTc>,
}

/// The Publisher TC segment: the publisher's own purposes and custom purposes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublisherTc {
    /// PubPurposesConsent: purpose ids 1 to 24.
    pub pub_purposes_consent: BTreeSet<u8>,
    /// PubPurposesLITransparency: purpose ids 1 to 24.
    pub pub_purposes_li_transparency: BTreeSet<u8>,
    /// NumCustomPurposes (6 bits): the width of the two custom purpose fields.
    pub num_custom_purposes: u8,
    /// CustomPurposesConsent: custom purpose ids 1 to `num_custom_purposes`.
    pub custom_purposes_consent: BTreeSet<u8>,
    /// CustomPurposesLITransparency: custom purpose ids 1 to `num_custom_purposes`.
    pub custom_purposes_li_transparency: BTreeSet<u8>,
}

/// Whose choices the encoder follows where the format leaves one: IAB's two reference
/// libraries pick bit field or range entries differently and group publisher restriction
/// entries differently, and each format is written as its own reference writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reference {
    /// `@iabtechlabtcf/core`: TC strings.
    TcfCore,
    /// `@iabgpp/cmpapi`: the tcfeuv2 section of GPP strings.
    GppCmpApi,
}

impl TcString {
    /// The string: core, Disclosed Vendors, then Publisher TC if present.
    ///
    /// # Errors
    /// A value too large for its field, an id outside its field (0, a purpose past 24, a
    /// custom purpose past `num_custom_purposes`), a language or country code that is not two
    /// capital letters, or more restrictions or entries than 4,095.
    pub fn encode(&self) -> Result<String, TcStringError> {
        let (core, disclosed) = self.vendor_segments(Reference::TcfCore)?;
        let publisher = self.publisher_tc.as_ref().map(publisher_segment).transpose()?;
        Ok(join([core, disclosed].into_iter().chain(publisher)))
    }

    /// The TC string as GPP's EU TCF section (`tcfeuv2`, id 2) carries it, byte for byte as
    /// IAB's `@iabgpp/cmpapi` writes it: core, Disclosed Vendors and always a Publisher TC
    /// segment (an empty one for `None`), each vendor section and restriction written as that
    /// library chooses (see [`Reference`]).
    ///
    /// # Errors
    /// Those of [`TcString::encode`], and `IsServiceSpecific` false: GPP carries
    /// service-specific strings only (IAB's library refuses the others).
    pub(crate) fn encode_for_gpp(&self) -> Result<String, TcStringError> {
        if !self.is_service_specific {
            return Err(error("IsServiceSpecific", Problem::NotServiceSpecific));
        }
        let (core, disclosed) = self.vendor_segments(Reference::GppCmpApi)?;
        let publisher = publisher_segment(&self.publisher_tc.clone().unwrap_or_default())?;
        Ok(join([core, disclosed, publisher]))
    }

    /// The core and Disclosed Vendors segments' bits.
    fn vendor_segments(&self, reference: Reference) -> Result<(Bits, Bits), TcStringError> {
        let mut core = Bits::default();
        core.int(VERSION, 6);
        int(&mut core, self.created, 36, "Created")?;
        int(&mut core, self.last_updated, 36, "LastUpdated")?;
        int(&mut core, self.cmp_id.into(), 12, "CmpId")?;
        int(&mut core, self.cmp_version.into(), 12, "CmpVersion")?;
        int(&mut core, self.consent_screen.into(), 6, "ConsentScreen")?;
        letters(&mut core, self.consent_language, "ConsentLanguage")?;
        int(&mut core, self.vendor_list_version.into(), 12, "VendorListVersion")?;
        int(&mut core, self.tcf_policy_version.into(), 6, "TcfPolicyVersion")?;
        core.bool(self.is_service_specific);
        core.bool(self.use_non_standard_texts);
        ids(&mut core, &self.special_feature_opt_ins, 12, "SpecialFeatureOptIns")?;
        ids(&mut core, &self.purposes_consent, 24, "PurposesConsent")?;
        ids(&mut core, &self.purposes_li_transparency, 24, "PurposesLITransparency")?;
        core.bool(self.purpose_one_treatment);
        letters(&mut core, self.publisher_cc, "PublisherCC")?;
        vendors::write(&mut core, &self.vendor_consents, "VendorConsents", reference)?;
        vendors::write(
            &mut core,
            &self.vendor_legitimate_interests,
            "VendorLegitimateInterests",
            reference,
        )?;
        restrictions::write(&mut core, &self.pub_restrictions, reference)?;

        let mut disclosed = Bits::default();
        disclosed.int(DISCLOSED_VENDORS, 3);
        vendors::write(&mut disclosed, &self.disclosed_vendors, "DisclosedVendors", reference)?;
        Ok((core, disclosed))
    }

    /// Reads a TC string: the core segment first, then a Disclosed Vendors segment and at
    /// most one Publisher TC segment, in any order. Bits after the last field of a segment
    /// (padding) are ignored.
    ///
    /// # Errors
    /// The first field or segment found wrong: too long ([`MAX_TC_STRING_LEN`]), not
    /// base64url, cut short, not version 2, a letter past Z, an id 0 or a range ending before
    /// its start, a restriction of purpose 0 or type 3, an unknown, retired (Allowed Vendors) or repeated
    /// segment, or no Disclosed Vendors segment.
    pub fn decode(s: &str) -> Result<Self, TcStringError> {
        if s.len() > MAX_TC_STRING_LEN {
            return Err(error("TCString", error::Problem::TooLong));
        }
        let mut segments = s.split('.');
        let mut core = FieldReader::new(segments.next().unwrap_or_default(), "Version")?;
        let version = core.int(6, "Version")?;
        if version != VERSION {
            return Err(error("Version", Problem::UnsupportedVersion(version)));
        }
        let mut tc = Self {
            created: core.int(36, "Created")?,
            last_updated: core.int(36, "LastUpdated")?,
            // The casts below narrow reads of at most the target's width.
            cmp_id: core.int(12, "CmpId")? as u16,
            cmp_version: core.int(12, "CmpVersion")? as u16,
            consent_screen: core.int(6, "ConsentScreen")? as u8,
            consent_language: core.letters("ConsentLanguage")?,
            vendor_list_version: core.int(12, "VendorListVersion")? as u16,
            tcf_policy_version: core.int(6, "TcfPolicyVersion")? as u8,
            is_service_specific: core.bool("IsServiceSpecific")?,
            use_non_standard_texts: core.bool("UseNonStandardTexts")?,
            special_feature_opt_ins: core.ids(12, "SpecialFeatureOptIns")?,
            purposes_consent: core.ids(24, "PurposesConsent")?,
            purposes_li_transparency: core.ids(24, "PurposesLITransparency")?,
            purpose_one_treatment: core.bool("PurposeOneTreatment")?,
            publisher_cc: core.letters("PublisherCC")?,
            vendor_consents: vendors::read(&mut core, "VendorConsents")?,
            vendor_legitimate_interests: vendors::read(&mut core, "VendorLegitimateInterests")?,
            pub_restrictions: restrictions::read(&mut core)?,
            disclosed_vendors: VendorSet::new(),
            publisher_tc: None,
        };
        let mut disclosed = None;
        for segment in segments {
            let mut r = FieldReader::new(segment, "SegmentType")?;
            match r.int(3, "SegmentType")? {
                DISCLOSED_VENDORS if disclosed.is_some() => {
                    return Err(error("DisclosedVendors", Problem::Repeated));
                }
                DISCLOSED_VENDORS => disclosed = Some(vendors::read(&mut r, "DisclosedVendors")?),
                PUBLISHER_TC if tc.publisher_tc.is_some() => {
                    return Err(error("PublisherTC", Problem::Repeated));
                }
                PUBLISHER_TC => tc.publisher_tc = Some(read_publisher_tc(&mut r)?),
                ALLOWED_VENDORS => return Err(error("AllowedVendors", Problem::RetiredSegment)),
                0 => return Err(error("Core", Problem::Repeated)),
                other => return Err(error("SegmentType", Problem::UnknownSegmentType(other))),
            }
        }
        tc.disclosed_vendors = disclosed.ok_or(error("DisclosedVendors", Problem::Missing))?;
        Ok(tc)
    }
}

/// The Publisher TC segment's bits.
fn publisher_segment(p: &PublisherTc) -> Result<Bits, TcStringError> {
    let mut bits = Bits::default();
    bits.int(PUBLISHER_TC, 3);
    ids(&mut bits, &p.pub_purposes_consent, 24, "PubPurposesConsent")?;
    ids(
        &mut bits,
        &p.pub_purposes_li_transparency,
        24,
        "PubPurposesLITransparency",
    )?;
    int(&mut bits, p.num_custom_purposes.into(), 6, "NumCustomPurposes")?;
    let n = p.num_custom_purposes;
    ids(&mut bits, &p.custom_purposes_consent, n, "CustomPurposesConsent")?;
    ids(
        &mut bits,
        &p.custom_purposes_li_transparency,
        n,
        "CustomPurposesLITransparency",
    )?;
    Ok(bits)
}

/// Segments padded to 24 bits, in base64url, joined by `.`.
fn join(segments: impl IntoIterator<Item = Bits>) -> String {
    let encoded: Vec<String> = segments
        .into_iter()
        .map(|mut bits| {
            bits.pad_to(24);
            bits.to_base64url()
        })
        .collect();
    encoded.join(".")
}

fn read_publisher_tc(r: &mut FieldReader) -> Result<PublisherTc, TcStringError> {
    let pub_purposes_consent = r.ids(24, "PubPurposesConsent")?;
    let pub_purposes_li_transparency = r.ids(24, "PubPurposesLITransparency")?;
    // Six bits: always a `u8`.
    let n = r.int(6, "NumCustomPurposes")? as u8;
    Ok(PublisherTc {
        pub_purposes_consent,
        pub_purposes_li_transparency,
        num_custom_purposes: n,
        custom_purposes_consent: r.ids(n, "CustomPurposesConsent")?,
        custom_purposes_li_transparency: r.ids(n, "CustomPurposesLITransparency")?,
    })
}

/// `value` fits in `width` bits, or the error for `field`.
fn check_width(value: u64, width: u32, field: &'static str) -> Result<(), TcStringError> {
    if value >> width == 0 {
        Ok(())
    } else {
        Err(error(field, Problem::TooLarge(value, width)))
    }
}

fn int(bits: &mut Bits, value: u64, width: u32, field: &'static str) -> Result<(), TcStringError> {
    check_width(value, width, field)?;
    bits.int(value, width as usize);
    Ok(())
}

/// Two capital letters, 6 bits each (A = 0).
fn letters(bits: &mut Bits, code: [u8; 2], field: &'static str) -> Result<(), TcStringError> {
    for c in code {
        if !c.is_ascii_uppercase() {
            return Err(error(field, Problem::NotALetter(c.into())));
        }
        bits.int(u64::from(c - b'A'), 6);
    }
    Ok(())
}

/// One bit per id from 1 to `width`, set for the ids in `set`.
fn ids(bits: &mut Bits, set: &BTreeSet<u8>, width: u8, field: &'static str) -> Result<(), TcStringError> {
    if let Some(&id) = set.iter().find(|id| **id == 0 || **id > width) {
        let problem = Problem::IdOutOfRange {
            id: id.into(),
            max: width.into(),
        };
        return Err(error(field, problem));
    }
    for id in 1..=width {
        bits.bool(set.contains(&id));
    }
    Ok(())
}

/// A segment's bits read field by field; every read names its field for the error.
pub(super) struct FieldReader(Reader);

impl FieldReader {
    /// `field` names what is read first, for an error in the base64url itself.
    pub(super) fn new(segment: &str, field: &'static str) -> Result<Self, TcStringError> {
        Reader::from_base64url(segment)
            .map(Self)
            .ok_or(error(field, Problem::NotBase64url))
    }

    pub(super) fn int(&mut self, width: usize, field: &'static str) -> Result<u64, TcStringError> {
        self.0.int(width).ok_or(error(field, Problem::CutShort))
    }

    pub(super) fn bool(&mut self, field: &'static str) -> Result<bool, TcStringError> {
        self.0.bool().ok_or(error(field, Problem::CutShort))
    }

    fn letters(&mut self, field: &'static str) -> Result<[u8; 2], TcStringError> {
        let mut code = [0; 2];
        for c in &mut code {
            let value = self.int(6, field)?;
            // A letter is 0 (A) to 25 (Z).
            *c = u8::try_from(value)
                .ok()
                .filter(|v| *v < 26)
                .ok_or(error(field, Problem::NotALetter(value)))?
                + b'A';
        }
        Ok(code)
    }

    fn ids(&mut self, width: u8, field: &'static str) -> Result<BTreeSet<u8>, TcStringError> {
        let mut set = BTreeSet::new();
        for id in 1..=width {
            if self.bool(field)? {
                set.insert(id);
            }
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests;
