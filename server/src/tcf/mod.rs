//! IAB TCF on the server: the operator's CMP settings ([`settings`]) and the Global Vendor
//! List cache — fetched from `tcf_gvl_url` ([`fetch`]) by one refresher across processes
//! ([`refresh`]), stored per version in the database (`crate::db::gvl`), held parsed by every
//! process ([`cache`]) and served to banners trimmed to each site's vendors
//! (`crate::routes::gvl`); and the TCF evidence a recorded choice carries ([`evidence`]).
//!
//! TCF is on when the operator sets `tcf_cmp_id`: only a CMP registered with IAB Europe may
//! write TC strings (TCF Policies, chapter III; IAB "Transparency and Consent String with
//! Global Vendor List Format", core field CmpId). Off, nothing here runs and a notice with a
//! `tcf` section is refused.

pub mod cache;
pub mod evidence;
pub mod fetch;
pub mod notice;
pub mod refresh;
pub mod settings;

pub use settings::{IAB_GVL_URL, PLACEHOLDER_CMP_ID};
