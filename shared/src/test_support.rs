//! What the core's table tests share: the demo notice and short ways to write decisions.

use crate::consent::{Decision, Decisions};
use crate::ids::PurposeKey;
use crate::notice::{LocalizedNotice, Notice};

/// The demo notice in English: functional, analytics and advertising are choosable (all in
/// accept all; advertising GPC-covered); necessary and product improvement (not
/// consent-based), marketing communications and precise location (asked for elsewhere, not
/// in the banner) are not.
pub fn demo() -> LocalizedNotice {
    let notice: Notice =
        serde_json::from_str(include_str!("../../server/demo/notice.json")).expect("the demo notice parses");
    notice.localize(Some("en"))
}

pub fn key(k: &str) -> PurposeKey {
    PurposeKey::parse(k).expect("key")
}

/// Decisions from `(key, decision)` pairs.
pub fn of(pairs: &[(&str, Decision)]) -> Decisions {
    pairs.iter().map(|(k, d)| (key(k), *d)).collect()
}
