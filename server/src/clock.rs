//! Server time in the one format the ledger records.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// UTC, RFC 3339, always with milliseconds, so strings sort in time order.
pub fn now_rfc3339() -> String {
    format_rfc3339(OffsetDateTime::now_utc())
}

pub fn format_rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Milliseconds since the Unix epoch, for schedules and leases stored as numbers.
pub fn now_unix_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Whether a client-supplied timestamp is RFC 3339.
pub fn is_rfc3339(raw: &str) -> bool {
    OffsetDateTime::parse(raw, &Rfc3339).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_are_utc_with_milliseconds() {
        assert_eq!(
            format_rfc3339(datetime!(2026-11-26 10:00:00.5 +01:00)),
            "2026-11-26T09:00:00.500Z"
        );
        assert!(is_rfc3339("2026-11-26T09:00:00.500Z"));
        assert!(!is_rfc3339("yesterday"));
    }
}
