//! Signals for ad tech: the IAB Global Privacy Platform string (GPP 1.1: the US sections and
//! the EU TCF section), the IAB TCF 2.3 TC string, Google's Additional Consent string and the
//! legacy `us_privacy` string.

pub mod ac;
mod bits;
pub mod gpp;
pub mod tcf;
pub mod usp;
