//! Consent statistics of one site, as `GET /v1/admin/sites/{site}/stats` answers them and the
//! dashboard draws them. Counts come from daily roll-ups the ledger keeps in the same
//! transaction as the events, and from an anonymous banner counter; nothing here identifies
//! a visitor. Days are UTC dates (`YYYY-MM-DD`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Dimension names of the roll-up table (`stats_daily.dimension`), shared by the writer and
/// the reader so the two cannot drift.
pub mod dimension {
    /// Every event (key `""`).
    pub const EVENTS: &str = "events";
    /// The method (`accept_all`, `reject_all`, `save`, `close`, `withdraw`, `object`, `gpc`,
    /// `expire`, `api`).
    pub const METHOD: &str = "method";
    /// The jurisdiction resolved for the visitor (`DE`, `US-CA`, …).
    pub const JURISDICTION: &str = "jurisdiction";
    /// The language of the notice shown (BCP 47).
    pub const LANGUAGE: &str = "language";
    /// The notice version shown.
    pub const NOTICE_VERSION: &str = "notice_version";
    /// Whether a Global Privacy Control signal came with the event (`true` / `false`).
    pub const GPC: &str = "gpc";
    /// `granted` / `denied`, only in rows of one purpose.
    pub const DECISION: &str = "decision";
    /// A new subject's first choice made in the banner (key `""`): the funnel's "decided".
    pub const FIRST_DECISION: &str = "first_decision";
}

/// Granted and denied decisions on one purpose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurposeDecisions {
    pub granted: u64,
    pub denied: u64,
}

/// The funnel, counted without tracking anyone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Funnel {
    /// Times the loader asked for the notice of a visitor with no stored choice (an
    /// anonymous counter: no identifier is kept).
    pub banner_shown: u64,
    /// New subjects' first choices made in the banner (accept all, reject all, save, close).
    pub decided: u64,
    /// `banner_shown - decided`, never below 0 (a visitor who left without choosing, or
    /// whose choice is still unrecorded).
    pub ignored: u64,
}

/// Counts over a set of events (one day, or the whole range).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    /// Events recorded.
    pub events: u64,
    /// Events that came with a Global Privacy Control signal.
    pub gpc_events: u64,
    /// `gpc_events / events` in `[0, 1]`; 0 when there were no events.
    pub gpc_share: f64,
    /// Events per method (wire names of `consent::Method`).
    pub methods: BTreeMap<String, u64>,
    /// Events per regime (`opt_in`, `opt_out`, `notice`).
    pub regimes: BTreeMap<String, u64>,
    pub jurisdictions: BTreeMap<String, u64>,
    pub languages: BTreeMap<String, u64>,
    /// Events per notice version (the version as a decimal string).
    pub notice_versions: BTreeMap<String, u64>,
    /// Per purpose, the decisions recorded on it.
    pub decisions: BTreeMap<String, PurposeDecisions>,
    pub funnel: Funnel,
}

/// One UTC day's counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayStats {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    #[serde(flatten)]
    pub counts: Breakdown,
}

/// The answer of `GET /v1/admin/sites/{site}/stats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsReport {
    pub site_id: String,
    /// First day, inclusive (`YYYY-MM-DD`, UTC).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// The purpose filter: when set, event counts cover only the events that carried a
    /// decision on this purpose, and `decisions` holds only it. The funnel ignores it (a
    /// banner is shown for every purpose at once).
    pub purpose: Option<String>,
    /// The regime filter (`opt_in`, `opt_out`, `notice`), applied to everything.
    pub regime: Option<String>,
    /// Sums over the whole range.
    pub totals: Breakdown,
    /// Every day of the range in order, days without events included (all zero).
    pub days: Vec<DayStats>,
}

impl Breakdown {
    /// Adds `n` to the counter that `dimension` and `key` name (see [`dimension`]); `purpose`
    /// is the roll-up row's purpose (`""` for all events). Unknown dimensions are ignored, so
    /// an older reader survives a newer writer.
    pub fn add(&mut self, regime: &str, purpose: &str, dimension_name: &str, key: &str, n: u64) {
        let bump = |map: &mut BTreeMap<String, u64>| *map.entry(key.to_owned()).or_default() += n;
        match dimension_name {
            dimension::EVENTS => {
                self.events += n;
                *self.regimes.entry(regime.to_owned()).or_default() += n;
            }
            dimension::METHOD => bump(&mut self.methods),
            dimension::JURISDICTION => bump(&mut self.jurisdictions),
            dimension::LANGUAGE => bump(&mut self.languages),
            dimension::NOTICE_VERSION => bump(&mut self.notice_versions),
            dimension::GPC if key == "true" => self.gpc_events += n,
            dimension::DECISION => {
                let entry = self.decisions.entry(purpose.to_owned()).or_default();
                match key {
                    "granted" => entry.granted += n,
                    "denied" => entry.denied += n,
                    _ => {}
                }
            }
            dimension::FIRST_DECISION => self.funnel.decided += n,
            _ => {}
        }
    }

    /// Adds another breakdown's counts (derived figures are recomputed by [`Self::finish`]).
    pub fn merge(&mut self, other: &Self) {
        fn sum(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
            for (k, n) in from {
                *into.entry(k.clone()).or_default() += n;
            }
        }
        self.events += other.events;
        self.gpc_events += other.gpc_events;
        sum(&mut self.methods, &other.methods);
        sum(&mut self.regimes, &other.regimes);
        sum(&mut self.jurisdictions, &other.jurisdictions);
        sum(&mut self.languages, &other.languages);
        sum(&mut self.notice_versions, &other.notice_versions);
        for (purpose, d) in &other.decisions {
            let entry = self.decisions.entry(purpose.clone()).or_default();
            entry.granted += d.granted;
            entry.denied += d.denied;
        }
        self.funnel.banner_shown += other.funnel.banner_shown;
        self.funnel.decided += other.funnel.decided;
    }

    /// Derived figures: the GPC share and the ignored banners.
    pub fn finish(&mut self) {
        #[allow(clippy::cast_precision_loss)] // counts far below 2^52
        let share = if self.events == 0 {
            0.0
        } else {
            self.gpc_events as f64 / self.events as f64
        };
        self.gpc_share = share;
        self.funnel.ignored = self.funnel.banner_shown.saturating_sub(self.funnel.decided);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_land_in_their_dimension_and_shares_are_derived() {
        let mut b = Breakdown::default();
        b.add("opt_in", "", dimension::EVENTS, "", 4);
        b.add("opt_out", "", dimension::EVENTS, "", 1);
        b.add("opt_in", "", dimension::GPC, "true", 1);
        b.add("opt_in", "", dimension::GPC, "false", 4);
        b.add("opt_in", "analytics", dimension::DECISION, "granted", 3);
        b.add("opt_in", "analytics", dimension::DECISION, "denied", 2);
        b.add("opt_in", "", dimension::FIRST_DECISION, "", 2);
        b.add("opt_in", "", "a_future_dimension", "x", 9);
        b.funnel.banner_shown = 5;
        b.finish();
        assert_eq!(b.events, 5);
        assert_eq!(b.regimes.get("opt_in"), Some(&4));
        assert_eq!(b.gpc_events, 1);
        assert!((b.gpc_share - 0.2).abs() < 1e-9);
        assert_eq!(b.decisions["analytics"], PurposeDecisions { granted: 3, denied: 2 });
        assert_eq!(
            b.funnel,
            Funnel {
                banner_shown: 5,
                decided: 2,
                ignored: 3
            }
        );

        let mut total = Breakdown::default();
        total.merge(&b);
        total.merge(&b);
        total.finish();
        assert_eq!(total.events, 10);
        assert_eq!(total.decisions["analytics"], PurposeDecisions { granted: 6, denied: 4 });
        assert_eq!(
            total.funnel,
            Funnel {
                banner_shown: 10,
                decided: 4,
                ignored: 6
            }
        );
        assert!((total.gpc_share - 0.2).abs() < 1e-9);
    }

    #[test]
    fn no_events_means_a_zero_share_and_more_decided_than_shown_ignores_none() {
        let mut b = Breakdown::default();
        b.add("opt_in", "", dimension::FIRST_DECISION, "", 3);
        b.funnel.banner_shown = 1;
        b.finish();
        assert!(b.gpc_share.abs() < f64::EPSILON);
        assert_eq!(b.funnel.ignored, 0);
    }
}
