//! Assent's front ends. The banner binary (`src/bin/banner.rs`) only mounts; the pieces
//! live here: typed API calls, the visitor's stored choice, texts, the consent context and
//! the components.

pub mod api;
pub mod bridge;
pub mod components;
pub mod contexts;
pub mod i18n;
pub mod json;
#[cfg(feature = "settings")]
pub mod settings;
pub mod storage;
