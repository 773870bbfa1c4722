//! Assent's front ends. The banner binary (`src/bin/banner.rs`) only mounts; the pieces
//! live here: typed API calls, the visitor's stored choice, texts, the consent context and
//! the components. The privacy-settings page and the site owners' dashboard are features,
//! each built into its own bundle.

#[cfg(feature = "admin")]
pub mod admin;
pub mod api;
pub mod bridge;
pub mod components;
pub mod contexts;
pub mod first_visit;
pub mod i18n;
pub mod json;
#[cfg(feature = "settings")]
pub mod settings;
pub mod storage;
#[cfg(feature = "tcf")]
pub mod tcf;
