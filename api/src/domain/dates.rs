//! Days as people write them in Vietnamese documents and spreadsheets: day first, always
//! (`15/6/2023` in State texts, `15-6-2023` in Party texts, `ngày 15 tháng 6 năm 2023` in headings),
//! ISO `2023-06-15` from other systems, and the serial numbers that spreadsheet programs store.

use chrono::{Datelike, NaiveDate};

use super::fold::fold;

/// The day `text` names, or why it names none. A leading place (`Hà Nội, ngày …`) is allowed, as
/// in document headings.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let trimmed = text.trim();
    let unreadable = || {
        format!(
            "\"{}\" is not a date: write it day first, as 15/6/2023, 15-6-2023 or ngày 15 tháng 6 năm 2023",
            trimmed.chars().take(40).collect::<String>()
        )
    };
    if let Ok(day) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return Ok(day);
    }
    let numbers = numbers_of(trimmed).ok_or_else(unreadable)?;
    let [day, month, year] = numbers;
    // Two-digit years are ambiguous across centuries; the documents always print four.
    if year < 1000 {
        return Err(format!("{} has a two-digit year: write the year in full, as 2023", trimmed));
    }
    let year = i32::try_from(year).map_err(|_| unreadable())?;
    let (month, day) = (u32::try_from(month).map_err(|_| unreadable())?, u32::try_from(day).map_err(|_| unreadable())?);
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("{trimmed} is not a day of the calendar (day {day}, month {month}, year {year})"))
}

/// Day, month and year of `15/6/2023`, `15-6-2023`, `15.6.2023` or `ngày 15 tháng 6 năm 2023`.
fn numbers_of(text: &str) -> Option<[u64; 3]> {
    let folded = fold(text);
    // The heading form, after the place if there is one: "… ngay 15 thang 6 nam 2023".
    if let Some(at) = folded.find("ngay ") {
        let words: Vec<&str> = folded[at..].split(' ').collect();
        if let ["ngay", d, "thang", m, "nam", y] = words.as_slice() {
            return Some([d.parse().ok()?, m.parse().ok()?, y.parse().ok()?]);
        }
        return None;
    }
    for separator in ['/', '-', '.'] {
        let parts: Vec<&str> = text.split(separator).map(str::trim).collect();
        if let [d, m, y] = parts.as_slice()
            && [d, m, y].iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Some([d.parse().ok()?, m.parse().ok()?, y.parse().ok()?]);
        }
    }
    None
}

/// The day of a spreadsheet serial number in the 1900 date system: 1 is 1 January 1900, and 60 the
/// 29 February 1900 that never was (kept for compatibility with Lotus 1-2-3), so days from 61 on
/// count from 30 December 1899. The time of day, the fraction, is dropped.
pub fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.trunc() as i64;
    let epoch =
        if days >= 61 { NaiveDate::from_ymd_opt(1899, 12, 30)? } else { NaiveDate::from_ymd_opt(1899, 12, 31)? };
    if days == 60 {
        return None;
    }
    epoch.checked_add_days(chrono::Days::new(days as u64))
}

/// `15/06/2023`: how the service writes a day for people (exports, diagrams).
pub fn format_day(day: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", day.day(), day.month(), day.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_ways_documents_write_a_day() {
        for text in [
            "15/6/2023",
            "15/06/2023",
            " 15-6-2023 ",
            "15.6.2023",
            "2023-06-15",
            "ngày 15 tháng 6 năm 2023",
            "Ngày 15 tháng 06 năm 2023",
            "Hà Nội, ngày 15 tháng 6 năm 2023",
            "ngay 15 thang 6 nam 2023",
        ] {
            assert_eq!(parse_day(text), Ok(day(2023, 6, 15)), "{text}");
        }
    }

    #[test]
    fn day_first_always() {
        // 3 December, never 12 March.
        assert_eq!(parse_day("3/12/2025"), Ok(day(2025, 12, 3)));
        assert!(parse_day("6/15/2023").unwrap_err().contains("not a day of the calendar"));
    }

    #[test]
    fn refusals_say_why() {
        assert!(parse_day("31/2/2024").unwrap_err().contains("not a day of the calendar"));
        assert!(parse_day("15/6/23").unwrap_err().contains("two-digit year"));
        for bad in ["", "tháng 6", "15/6", "soon", "15/6/2023/1", "ngày 15 tháng sáu năm 2023"] {
            assert!(parse_day(bad).unwrap_err().contains("day first"), "{bad}");
        }
    }

    #[test]
    fn spreadsheet_serials() {
        assert_eq!(from_serial(1.0), Some(day(1900, 1, 1)));
        assert_eq!(from_serial(59.0), Some(day(1900, 2, 28)));
        assert_eq!(from_serial(60.0), None, "29 February 1900 does not exist");
        assert_eq!(from_serial(61.0), Some(day(1900, 3, 1)));
        assert_eq!(from_serial(45092.0), Some(day(2023, 6, 15)));
        assert_eq!(from_serial(45092.75), Some(day(2023, 6, 15)), "the time of day is dropped");
        assert_eq!(from_serial(0.0), None);
        assert_eq!(from_serial(f64::NAN), None);
    }

    #[test]
    fn days_print_day_first() {
        assert_eq!(format_day(day(2023, 6, 5)), "05/06/2023");
    }
}
