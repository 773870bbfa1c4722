//! Reading a site's statistics from the daily roll-ups ([`crate::ledger::rollup`]) and the
//! anonymous banner counter, and adding to that counter ([`crate::impressions`]).

use super::Db;
use anyhow::Context;
use assent_shared::Invalid;
use assent_shared::ids::{PurposeKey, SiteId};
use assent_shared::regime::Regime;
use assent_shared::stats::{Breakdown, DayStats, StatsReport, dimension};
use assent_shared::wire_name;
use sqlx::Row;
use std::collections::BTreeMap;
use time::{Date, Duration, format_description::BorrowedFormatItem, macros::format_description};

const DAY: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// The widest range one query may cover, in days (a year and a day, leap years included).
pub const MAX_DAYS: i64 = 366;
/// The range when the caller names none: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;
/// Dates outside these years are refused (no ledger holds them; the bounds keep date
/// arithmetic far from the calendar's ends).
pub const MIN_YEAR: i32 = 1970;
pub const MAX_YEAR: i32 = 9000;

/// A checked statistics query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsFilter {
    pub from: Date,
    pub to: Date,
    pub purpose: Option<PurposeKey>,
    pub regime: Option<Regime>,
}

impl StatsFilter {
    /// From user input: `from` and `to` as `YYYY-MM-DD` (UTC days, both inclusive; default
    /// the 30 days ending `today`), a purpose key, a regime (`opt_in`, `opt_out`, `notice`).
    /// Errors name the field.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        purpose: Option<&str>,
        regime: Option<&str>,
        today: Date,
    ) -> Result<Self, Invalid> {
        let day = |field: &str, raw: &str| {
            let shaped = raw.len() == 10
                && raw.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            Date::parse(raw, DAY)
                .ok()
                .filter(|d| shaped && (MIN_YEAR..=MAX_YEAR).contains(&d.year()))
                .ok_or_else(|| {
                    Invalid::new(
                        field,
                        format!("use a UTC date YYYY-MM-DD (2026-11-30) between the years {MIN_YEAR} and {MAX_YEAR}"),
                    )
                })
        };
        let to = to.map(|raw| day("to", raw)).transpose()?.unwrap_or(today);
        let from = match from {
            Some(raw) => day("from", raw)?,
            // Cannot underflow: `to` is at least MIN_YEAR-01-01.
            None => to.saturating_sub(Duration::days(DEFAULT_DAYS - 1)),
        };
        if from > to {
            return Err(Invalid::new("to", "must not be before from"));
        }
        if (to - from).whole_days() + 1 > MAX_DAYS {
            return Err(Invalid::new(
                "from",
                format!("the range covers more than {MAX_DAYS} days; ask for a shorter one"),
            ));
        }
        let regime = regime
            .map(|raw| {
                serde_json::from_value::<Regime>(serde_json::Value::String(raw.to_owned()))
                    .map_err(|_| Invalid::new("regime", "one of opt_in, opt_out, notice"))
            })
            .transpose()?;
        Ok(Self {
            from,
            to,
            purpose: purpose.map(PurposeKey::parse).transpose()?,
            regime,
        })
    }
}

fn day_string(d: Date) -> String {
    d.format(DAY).unwrap_or_default()
}

impl Db {
    /// A site's statistics over `filter`: totals and one entry per day of the range.
    pub async fn site_stats(&self, site: &SiteId, filter: &StatsFilter) -> anyhow::Result<StatsReport> {
        let (from, to) = (day_string(filter.from), day_string(filter.to));
        let regime = filter.regime.map(|r| wire_name(&r));
        let regime_clause = if regime.is_some() { " AND regime = $5" } else { "" };
        let mut days: BTreeMap<String, Breakdown> = BTreeMap::new();
        let mut d = Some(filter.from);
        while let Some(day) = d.filter(|day| *day <= filter.to) {
            days.insert(day_string(day), Breakdown::default());
            d = day.next_day();
        }

        // Event counts: the purpose's own rows when filtered, else the all-events rows.
        let purpose = filter.purpose.as_ref().map_or("", PurposeKey::as_str);
        let sql = format!(
            "SELECT day, regime, dimension, key, CAST(SUM(count) AS BIGINT) AS n FROM stats_daily \
             WHERE site_id = $1 AND purpose = $2 AND day >= $3 AND day <= $4{regime_clause} \
             GROUP BY day, regime, dimension, key"
        );
        let mut q = sqlx::query(&sql)
            .bind(site.as_str())
            .bind(purpose)
            .bind(&from)
            .bind(&to);
        if let Some(r) = &regime {
            q = q.bind(r.as_str());
        }
        for row in q.fetch_all(&self.pool).await.context("reading statistics")? {
            let dim: String = row.try_get("dimension")?;
            // The funnel counts banners, which show every purpose: read it from the
            // all-events rows below, whatever the purpose filter.
            if filter.purpose.is_some() && dim == dimension::FIRST_DECISION {
                continue;
            }
            let n = u64::try_from(row.try_get::<i64, _>("n")?)?;
            if let Some(b) = days.get_mut(row.try_get::<&str, _>("day")?) {
                b.add(row.try_get("regime")?, purpose, &dim, row.try_get("key")?, n);
            }
        }

        // Decisions per purpose, when no purpose was named (the named one came above).
        // Funnel "decided", when a purpose was named (unfiltered, it came above).
        let (other_sql, other_dim) = if filter.purpose.is_none() {
            ("purpose <> ''", dimension::DECISION)
        } else {
            ("purpose = ''", dimension::FIRST_DECISION)
        };
        let sql = format!(
            "SELECT day, purpose, key, CAST(SUM(count) AS BIGINT) AS n FROM stats_daily \
             WHERE site_id = $1 AND {other_sql} AND dimension = $2 AND day >= $3 AND day <= $4{regime_clause} \
             GROUP BY day, purpose, key"
        );
        let mut q = sqlx::query(&sql)
            .bind(site.as_str())
            .bind(other_dim)
            .bind(&from)
            .bind(&to);
        if let Some(r) = &regime {
            q = q.bind(r.as_str());
        }
        for row in q.fetch_all(&self.pool).await.context("reading statistics")? {
            let n = u64::try_from(row.try_get::<i64, _>("n")?)?;
            if let Some(b) = days.get_mut(row.try_get::<&str, _>("day")?) {
                b.add("", row.try_get("purpose")?, other_dim, row.try_get("key")?, n);
            }
        }

        let regime_clause = if regime.is_some() { " AND regime = $4" } else { "" };
        let sql = format!(
            "SELECT day, CAST(SUM(count) AS BIGINT) AS n FROM banner_impressions \
             WHERE site_id = $1 AND day >= $2 AND day <= $3{regime_clause} GROUP BY day"
        );
        let mut q = sqlx::query(&sql).bind(site.as_str()).bind(&from).bind(&to);
        if let Some(r) = &regime {
            q = q.bind(r.as_str());
        }
        for row in q.fetch_all(&self.pool).await.context("reading banner counts")? {
            if let Some(b) = days.get_mut(row.try_get::<&str, _>("day")?) {
                b.funnel.banner_shown += u64::try_from(row.try_get::<i64, _>("n")?)?;
            }
        }

        let mut totals = Breakdown::default();
        let days = days
            .into_iter()
            .map(|(day, mut counts)| {
                totals.merge(&counts);
                counts.finish();
                DayStats { day, counts }
            })
            .collect();
        totals.finish();
        Ok(StatsReport {
            site_id: site.to_string(),
            from,
            to,
            purpose: filter.purpose.as_ref().map(ToString::to_string),
            regime,
            totals,
            days,
        })
    }

    /// Adds banner counts: (site, day, regime) → times shown, in one transaction (all
    /// or nothing, so a failed attempt can be retried without counting twice). Rows go in key
    /// order; other processes add to the same rows safely.
    pub async fn add_impressions(&self, counts: &BTreeMap<(String, String, String), u64>) -> anyhow::Result<()> {
        // 4 parameters a row: far below either database's limit at any realistic number of
        // sites × regimes per flush; a larger map is split.
        let mut tx = self.pool.begin().await.context("starting to add banner counts")?;
        for chunk in counts.iter().collect::<Vec<_>>().chunks(2000) {
            let values = (0..chunk.len())
                .map(|r| format!("(${}, ${}, ${}, ${})", r * 4 + 1, r * 4 + 2, r * 4 + 3, r * 4 + 4))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO banner_impressions (site_id, day, regime, count) VALUES {values} \
                 ON CONFLICT (site_id, day, regime) DO UPDATE SET count = banner_impressions.count + excluded.count"
            );
            let mut q = sqlx::query(&sql);
            for ((site, day, regime), n) in chunk {
                q = q
                    .bind(site.as_str())
                    .bind(day.as_str())
                    .bind(regime.as_str())
                    .bind(i64::try_from(**n)?);
            }
            q.execute(&mut *tx).await.context("adding banner counts")?;
        }
        tx.commit().await.context("committing banner counts")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 30);

    #[test]
    fn the_default_range_is_the_last_30_days_including_today() {
        let f = StatsFilter::parse(None, None, None, None, TODAY).expect("default range");
        assert_eq!((f.from, f.to), (date!(2026 - 11 - 01), TODAY));
    }

    #[test]
    fn bad_input_names_its_field() {
        let field = |from, to, purpose, regime| {
            StatsFilter::parse(from, to, purpose, regime, TODAY)
                .expect_err("refused")
                .field
        };
        assert_eq!(field(Some("30.11.2026"), None, None, None), "from");
        assert_eq!(field(None, Some("2026-02-30"), None, None), "to");
        assert_eq!(field(Some("2026-12-01"), Some("2026-11-30"), None, None), "to");
        assert_eq!(field(Some("2025-01-01"), Some("2026-11-30"), None, None), "from");
        assert_eq!(field(None, None, Some("Not A Key"), None), "purpose");
        assert_eq!(field(None, None, None, Some("gdpr")), "regime");
        // The calendar's ends, signs, padding and other shapes of a date.
        for odd in [
            "9999-12-31",
            "-9999-01-10",
            "+2026-11-30",
            " 2026-11-01",
            "0000-01-05",
            "2026-1-05",
            "20261105",
        ] {
            assert_eq!(field(None, Some(odd), None, None), "to", "{odd}");
            assert_eq!(field(Some(odd), None, None, None), "from", "{odd}");
        }
    }

    #[test]
    fn a_year_with_a_leap_day_fits() {
        let f = StatsFilter::parse(Some("2028-01-01"), Some("2028-12-31"), None, Some("opt_in"), TODAY)
            .expect("a leap year");
        assert_eq!(f.regime, Some(Regime::OptIn));
    }
}
