//! GPP 1.1 strings (`Header~Section~…`) with the EU TCF section (id 2) and the US sections:
//! US National (id 7) and each state's own section (ids 8 to 27), every one cross-checked
//! against the strings IAB's reference library `@iabgpp/cmpapi` writes
//! (`shared/tests/gpp_vectors.rs`, `shared/tests/gpp_tcfeuv2_vectors.rs`).
//!
//! - [`string`]: the GPP header, the [`Section`] trait and the string builder.
//! - [`tcfeuv2`]: the EU TCF section, a TC string as GPP carries it, [`TcfEuV2`].
//! - [`usnat`]: the US National section, [`UsNat`].
//! - [`layouts`]: one table of every state section's fields and widths, [`UsState`].
//! - [`states`]: one encoder and decoder for all of them, [`StateSection`].
//! - [`rules`]: which section a visitor's jurisdiction calls for and what a notice's decisions
//!   and GPC write into it, [`UsSection`].

pub mod layouts;
pub mod rules;
pub mod states;
pub mod string;
pub mod tcfeuv2;
pub mod us_state;
pub mod usnat;

pub use layouts::Field;
pub use rules::{UsSection, supported_apis};
pub use states::{FieldError, StateSection, Value};
pub use string::{InvalidSectionIds, MAX_SECTIONS, Section, decode_header, gpp_string, header, sections};
pub use tcfeuv2::{TCFEUV2_SECTION_ID, TCFEUV2_SECTION_NAME, TcfEuV2};
pub use us_state::UsState;
pub use usnat::{USNAT_SECTION_ID, USNAT_SECTION_NAME, UsNat, usnat_string};
