//! Timestamps: milliseconds since the Unix epoch (UTC), written and read as
//! RFC 3339 (`2025-03-01T09:30:00.000Z`). No time zone database: the web app
//! shows local times with the browser's own formatting.
//!
//! Depends on nothing in the crate.

/// One hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;
/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Writes a timestamp as RFC 3339 in UTC with milliseconds
/// (`2025-03-01T09:30:00.000Z`).
pub fn format_rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        rem / HOUR_MS,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

fn number(s: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    range.contains(&n).then_some(n)
}

/// Reads an RFC 3339 timestamp (`2025-03-01T09:30:00Z`,
/// `2025-03-01T10:30:00.5+01:00`; `t`, `z` and a space for `T` accepted)
/// into milliseconds since the epoch. `None` if it is not one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let t = text.trim();
    if !t.is_ascii() || t.len() < 20 {
        return None;
    }
    let (date, rest) = t.split_at(10);
    let b = date.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = number(&date[0..4], 0..=9999)?;
    let m = number(&date[5..7], 1..=12)?;
    let d = number(&date[8..10], 1..=31)?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d > month_days[(m - 1) as usize] {
        return None;
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    if rest.len() < 9 || rest.as_bytes()[2] != b':' || rest.as_bytes()[5] != b':' {
        return None;
    }
    let h = number(&rest[0..2], 0..=23)?;
    let min = number(&rest[3..5], 0..=59)?;
    let s = number(&rest[6..8], 0..=60)?;
    let mut rest = &rest[8..];
    let mut milli = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let first3: String = frac[..digits].chars().chain("00".chars()).take(3).collect();
        milli = number(&first3, 0..=999)?;
        rest = &frac[digits..];
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let (sign, hm) = match rest.as_bytes().first()? {
                b'+' => (1, &rest[1..]),
                b'-' => (-1, &rest[1..]),
                _ => return None,
            };
            if hm.len() != 5 || hm.as_bytes()[2] != b':' {
                return None;
            }
            sign * (number(&hm[0..2], 0..=23)? * 60 + number(&hm[3..5], 0..=59)?)
        }
    };
    let days = days_from_civil(y, m, d);
    Some(days * DAY_MS + h * HOUR_MS + min * 60_000 + s * 1000 + milli - offset_min * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400_000));
        assert_eq!(
            parse_rfc3339("2000-02-29T01:00:00.5+01:00"),
            Some(951_782_400_500)
        );
        assert_eq!(parse_rfc3339("2001-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2001-02-28T24:00:00Z"), None);
        assert_eq!(parse_rfc3339("2001-02-28T23:00:00"), None);
        assert_eq!(parse_rfc3339("2001-02-28T23:00:00.Z"), None);
        assert_eq!(parse_rfc3339("é"), None);
        for ms in [0, 1, 1_700_000_000_123, -86_400_001, 253_402_300_799_999] {
            assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Some(ms), "{ms}");
        }
    }
}
