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

/// The longest `client_time` taken: RFC 3339 with nanoseconds and an offset
/// (`2026-11-26T10:00:00.123456789+01:00`).
const CLIENT_TIME_MAX_LEN: usize = 35;

/// Checks a device's `client_time` (recorded as sent, beside the server's own time): RFC 3339,
/// no longer than [`CLIENT_TIME_MAX_LEN`], and a time a device clock can show — from the Unix
/// epoch (where a reset clock starts) to a year after `now`. The bounds are wide on purpose:
/// an event queued offline for weeks, or a clock off by months, is still a choice somebody
/// made; year 1 or 9999 is not a clock reading.
pub fn check_client_time(raw: &str, now: OffsetDateTime) -> Result<(), assent_shared::Invalid> {
    let invalid = |reason: &str| assent_shared::Invalid::new("client_time", reason);
    if raw.len() > CLIENT_TIME_MAX_LEN {
        return Err(invalid("must be an RFC 3339 timestamp of at most 35 characters"));
    }
    let t = OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| invalid("must be an RFC 3339 timestamp"))?;
    if t < OffsetDateTime::UNIX_EPOCH || t > now + time::Duration::days(366) {
        return Err(invalid(
            "must lie between 1970-01-01 and a year from now (the device's clock is far off)",
        ));
    }
    Ok(())
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
    }

    #[test]
    fn a_client_time_must_be_a_plausible_device_clock_reading() {
        let now = datetime!(2026-11-26 10:00:00 UTC);
        for good in [
            "2026-11-26T09:00:00.500Z",
            "1970-01-01T00:00:00Z",
            "2026-11-26T10:00:00.123456789+01:00",
            "2027-11-26T10:00:00Z",
        ] {
            assert_eq!(check_client_time(good, now), Ok(()), "{good}");
        }
        for bad in [
            "yesterday",
            "1969-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "2027-11-28T10:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-11-26T10:00:00.0000000000000000000001Z",
            "2026-11-26T10:00:00\u{0}Z",
        ] {
            let err = check_client_time(bad, now).expect_err(bad);
            assert_eq!(err.field, "client_time");
        }
    }
}
