//! Signals for ad tech: the IAB Global Privacy Platform string (GPP 1.1, the US sections),
//! the IAB TCF 2.3 TC string and the legacy `us_privacy` string.

mod bits;
pub mod gpp;
pub mod tcf;
pub mod usp;
