//! Publisher restrictions (IAB TCF 2.3 "Transparency and Consent String with Global Vendor List
//! Format", section "Publisher Restrictions Section"): per purpose, a restriction type and the
//! vendors it applies to, as range entries.

use super::error::{Problem, TcStringError, error};
use super::vendors::{self, VendorSet};
use super::{FieldReader, Reference, check_width};
use crate::signals::bits::Bits;

/// What a publisher requires of vendors for one purpose (RestrictionType, 2 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestrictionType {
    /// 0: the purpose is not allowed.
    NotAllowed,
    /// 1: a flexible vendor must ask consent instead of relying on legitimate interest.
    RequireConsent,
    /// 2: a flexible vendor must rely on legitimate interest instead of consent.
    RequireLegitimateInterest,
}

impl RestrictionType {
    /// RestrictionType as the string writes it: 0, 1 or 2.
    pub fn code(self) -> u64 {
        match self {
            Self::NotAllowed => 0,
            Self::RequireConsent => 1,
            Self::RequireLegitimateInterest => 2,
        }
    }
}

/// One PubRestrictionEntry: PurposeId (6 bits), RestrictionType and the vendors as range
/// entries `(start, end)` (inclusive; `start == end` for one id), in the string's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublisherRestriction {
    pub purpose_id: u8,
    pub restriction_type: RestrictionType,
    pub vendor_entries: Vec<(u16, u16)>,
}

impl PublisherRestriction {
    /// The restriction for `vendors`, with the range entries IAB's encoder writes: one range
    /// runs on over ids the GVL does not list (`gvl_vendor_ids`), since no vendor has them.
    /// Precisely, the next restricted vendor joins the current range unless a GVL vendor lies
    /// between them, or none lies between the current one and the last restricted vendor.
    pub fn new(
        purpose_id: u8,
        restriction_type: RestrictionType,
        vendors: &VendorSet,
        gvl_vendor_ids: &VendorSet,
    ) -> Self {
        let last = vendors.max_id();
        let mut vendor_entries: Vec<(u16, u16)> = Vec::new();
        let mut joins_previous = false;
        for id in vendors.ids() {
            match vendor_entries.last_mut() {
                Some(entry) if joins_previous => entry.1 = id,
                _ => vendor_entries.push((id, id)),
            }
            let next_gvl = id.checked_add(1).and_then(|n| gvl_vendor_ids.next_from(n));
            let next_vendor = id.checked_add(1).and_then(|n| vendors.next_from(n));
            joins_previous = match (next_gvl, next_vendor) {
                (Some(gvl), Some(vendor)) => gvl <= last && vendor <= gvl,
                _ => false,
            };
        }
        Self {
            purpose_id,
            restriction_type,
            vendor_entries,
        }
    }

    /// Every vendor id the entries cover.
    pub fn vendors(&self) -> VendorSet {
        VendorSet::from_ranges(self.vendor_entries.iter().copied())
    }
}

const FIELD: &str = "PubRestrictions";

/// NumPubRestrictions (12 bits), then each restriction. `@iabtechlabtcf/core` writes each
/// restriction's entries as given ([`PublisherRestriction::new`] makes them as it does);
/// `@iabgpp/cmpapi` keeps a restriction's vendor ids and writes their maximal runs.
pub(super) fn write(
    bits: &mut Bits,
    restrictions: &[PublisherRestriction],
    reference: Reference,
) -> Result<(), TcStringError> {
    check_width(restrictions.len() as u64, 12, "NumPubRestrictions")?;
    bits.int(restrictions.len() as u64, 12);
    for r in restrictions {
        if r.purpose_id == 0 {
            return Err(error("PurposeId", Problem::IdOutOfRange { id: 0, max: 63 }));
        }
        check_width(r.purpose_id.into(), 6, "PurposeId")?;
        bits.int(r.purpose_id.into(), 6);
        bits.int(r.restriction_type.code(), 2);
        match reference {
            Reference::TcfCore => vendors::write_entries(bits, &r.vendor_entries, FIELD)?,
            Reference::GppCmpApi => vendors::write_entries(bits, r.vendors().runs(), FIELD)?,
        }
    }
    Ok(())
}

pub(super) fn read(r: &mut FieldReader) -> Result<Vec<PublisherRestriction>, TcStringError> {
    let count = r.int(12, "NumPubRestrictions")?;
    let mut restrictions = Vec::new();
    for _ in 0..count {
        // Six bits: always a `u8`.
        let purpose_id = r.int(6, "PurposeId")? as u8;
        if purpose_id == 0 {
            return Err(error("PurposeId", Problem::IdOutOfRange { id: 0, max: 63 }));
        }
        let restriction_type = match r.int(2, "RestrictionType")? {
            0 => RestrictionType::NotAllowed,
            1 => RestrictionType::RequireConsent,
            2 => RestrictionType::RequireLegitimateInterest,
            _ => return Err(error("RestrictionType", Problem::UndefinedRestrictionType)),
        };
        restrictions.push(PublisherRestriction {
            purpose_id,
            restriction_type,
            vendor_entries: vendors::read_entries(r, FIELD)?,
        });
    }
    Ok(restrictions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(vendors: &[u16], gvl: &VendorSet) -> Vec<(u16, u16)> {
        let vendors: VendorSet = vendors.iter().copied().collect();
        PublisherRestriction::new(1, RestrictionType::NotAllowed, &vendors, gvl).vendor_entries
    }

    #[test]
    fn ranges_run_over_ids_the_gvl_lacks_and_stop_at_the_ones_it_has() {
        let gvl: VendorSet = (1..=200).filter(|id| ![13, 14, 99, 100].contains(id)).collect();
        assert_eq!(entries(&[12, 15, 16, 17, 40], &gvl), vec![(12, 17), (40, 40)]);
        assert_eq!(entries(&[98, 101, 150], &gvl), vec![(98, 101), (150, 150)]);
        assert_eq!(entries(&[1, 3], &gvl), vec![(1, 1), (3, 3)], "vendor 2 is on the GVL");
        assert_eq!(entries(&[], &gvl), vec![]);
        // Vendors the GVL lacks: joined only where a GVL id follows within the restricted span.
        assert_eq!(entries(&[300, 301], &gvl), vec![(300, 300), (301, 301)]);
        assert_eq!(
            entries(&[65534, 65535], &VendorSet::new()),
            vec![(65534, 65534), (65535, 65535)]
        );
        let restriction =
            PublisherRestriction::new(1, RestrictionType::NotAllowed, &[98, 101].into_iter().collect(), &gvl);
        assert_eq!(restriction.vendors().runs(), &[(98, 101)]);
    }

    #[test]
    fn restrictions_read_back_and_type_3_is_refused() {
        let restrictions = vec![
            PublisherRestriction {
                purpose_id: 63,
                restriction_type: RestrictionType::RequireLegitimateInterest,
                vendor_entries: vec![(5, 5), (1, 3)],
            },
            PublisherRestriction {
                purpose_id: 1,
                restriction_type: RestrictionType::RequireConsent,
                vendor_entries: vec![],
            },
        ];
        let mut bits = Bits::default();
        write(&mut bits, &restrictions, Reference::TcfCore).expect("writable");
        let mut r = FieldReader::new(&bits.to_base64url(), FIELD).expect("base64url");
        assert_eq!(read(&mut r), Ok(restrictions));

        let mut bad = Bits::default();
        bad.int(1, 12);
        bad.int(1, 6);
        bad.int(3, 2);
        let mut r = FieldReader::new(&bad.to_base64url(), FIELD).expect("base64url");
        assert_eq!(read(&mut r).map_err(|e| e.field), Err("RestrictionType"));
        let mut purpose_0 = Bits::default();
        purpose_0.int(1, 12);
        purpose_0.int(0, 6);
        let mut r = FieldReader::new(&purpose_0.to_base64url(), FIELD).expect("base64url");
        assert_eq!(
            read(&mut r).map_err(|e| e.field),
            Err("PurposeId"),
            "IAB's model refuses purpose 0"
        );

        let zero = PublisherRestriction {
            purpose_id: 0,
            restriction_type: RestrictionType::NotAllowed,
            vendor_entries: vec![],
        };
        assert_eq!(
            write(&mut Bits::default(), &[zero], Reference::TcfCore).map_err(|e| e.field),
            Err("PurposeId")
        );
    }
}
