//! A site's share of the Global Vendor List: the vendors it declares, with only the purposes,
//! features, stacks and data categories they need (what the banner downloads and shows), and
//! the vendor ids its TC strings disclose.

use super::{Vendor, VendorList};
use crate::signals::tcf::VendorSet;
use std::collections::{BTreeMap, BTreeSet};

/// What [`VendorList::for_site`] made of a site's vendor ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteVendorList {
    /// The list narrowed to the site's vendors that are on it and not deleted.
    pub list: VendorList,
    /// Declared ids the list does not have (the site's configuration is out of date).
    pub unknown: Vec<u16>,
    /// Declared ids of vendors that left the framework: they must not be shown any more.
    pub deleted: Vec<u16>,
}

impl VendorList {
    /// The list as one site shows it: the vendors of `vendor_ids` the list has and has not
    /// deleted (as IAB's `GVL.narrowVendorsTo` keeps them), every purpose, special purpose,
    /// feature, special feature and data category one of them declares, and the stacks made
    /// only of kept purposes and special features. The version fields are kept, so TC strings
    /// made from the narrowed list name the full list's version.
    pub fn for_site(&self, vendor_ids: impl IntoIterator<Item = u16>) -> SiteVendorList {
        let declared: BTreeSet<u16> = vendor_ids.into_iter().collect();
        let mut unknown = Vec::new();
        let mut deleted = Vec::new();
        let mut vendors = BTreeMap::new();
        for id in declared {
            match self.vendors.get(&id) {
                None => unknown.push(id),
                Some(v) if v.is_deleted() => deleted.push(id),
                Some(v) => {
                    vendors.insert(id, v.clone());
                }
            }
        }
        let used = |ids: fn(&Vendor) -> Vec<u8>| -> BTreeSet<u8> { vendors.values().flat_map(ids).collect() };
        let purposes = used(|v| [&v.purposes[..], &v.leg_int_purposes, &v.flexible_purposes].concat());
        let special_purposes = used(|v| v.special_purposes.clone());
        let features = used(|v| v.features.clone());
        let special_features = used(|v| v.special_features.clone());
        let data_categories: BTreeSet<u16> = vendors.values().flat_map(|v| v.data_declaration.clone()).collect();
        let stacks = self
            .stacks
            .iter()
            .filter(|(_, s)| {
                !(s.purposes.is_empty() && s.special_features.is_empty())
                    && s.purposes.iter().all(|p| purposes.contains(p))
                    && s.special_features.iter().all(|f| special_features.contains(f))
            })
            .map(|(id, s)| (*id, s.clone()))
            .collect();
        let list = VendorList {
            gvl_specification_version: self.gvl_specification_version,
            vendor_list_version: self.vendor_list_version,
            tcf_policy_version: self.tcf_policy_version,
            last_updated: self.last_updated.clone(),
            purposes: only(&self.purposes, &purposes),
            special_purposes: only(&self.special_purposes, &special_purposes),
            features: only(&self.features, &features),
            special_features: only(&self.special_features, &special_features),
            stacks,
            data_categories: only(&self.data_categories, &data_categories),
            vendors,
        };
        SiteVendorList { list, unknown, deleted }
    }

    /// The DisclosedVendors segment's ids (mandatory since TCF 2.3): every vendor of this list
    /// that is not deleted. Called on a site's list ([`VendorList::for_site`]), the vendors the
    /// banner shows.
    pub fn disclosed_vendors(&self) -> VendorSet {
        self.vendors
            .values()
            .filter(|v| !v.is_deleted())
            .map(|v| v.id)
            .collect()
    }
}

/// The items of `map` whose id is in `keep`.
fn only<K: Ord + Copy, T: Clone>(map: &BTreeMap<K, T>, keep: &BTreeSet<K>) -> BTreeMap<K, T> {
    map.iter()
        .filter(|(id, _)| keep.contains(id))
        .map(|(id, item)| (*id, item.clone()))
        .collect()
}
