//! A task's deadline as one value, so that a task can never have both a date and a year.

use chrono::NaiveDate;
use entity::sea_orm_active_enums::{DeadlineKind, Recurrence};

use super::dates::{format_day, parse_day};
use super::fold::fold;
use crate::error::{Error, Result};

/// The words a plan uses for each recurrence, the first being the one the service writes.
const RECURRENCE_WORDS: [(Recurrence, &[&str]); 4] = [
    (Recurrence::Yearly, &["hằng năm", "hàng năm", "yearly", "annually", "annual"]),
    (
        Recurrence::Semiannual,
        &["6 tháng một lần", "hằng 6 tháng", "6 tháng", "semiannual", "semi-annual", "half-yearly"],
    ),
    (Recurrence::Quarterly, &["hằng quý", "hàng quý", "quarterly"]),
    (Recurrence::Monthly, &["hằng tháng", "hàng tháng", "monthly"]),
];

/// The words for a regular task, the first being the one the service writes.
const REGULAR_WORDS: [&str; 4] = ["thường xuyên", "regular", "ongoing", "none"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// A regular task (thường xuyên).
    None,
    Date(NaiveDate),
    /// Due by the end of the year.
    Year(i32),
    Recurring(Recurrence),
}

impl Deadline {
    /// Builds a deadline from the input's optional parts; at most one may be given.
    pub fn from_parts(date: Option<NaiveDate>, year: Option<i32>, recurrence: Option<Recurrence>) -> Result<Self> {
        match (date, year, recurrence) {
            (None, None, None) => Ok(Self::None),
            (Some(d), None, None) => Ok(Self::Date(d)),
            (None, Some(y), None) if (1945..=2100).contains(&y) => Ok(Self::Year(y)),
            (None, Some(_), None) => Err(Error::bad_field("deadline", "deadline.year must be between 1945 and 2100")),
            (None, None, Some(r)) => Ok(Self::Recurring(r)),
            _ => Err(Error::bad_field(
                "deadline",
                "a deadline is one of date, year or recurrence (or none of them for a regular task), not several",
            )),
        }
    }

    /// The stored columns: kind, date, year, recurrence.
    pub fn columns(self) -> (DeadlineKind, Option<NaiveDate>, Option<i32>, Option<Recurrence>) {
        match self {
            Self::None => (DeadlineKind::None, None, None, None),
            Self::Date(d) => (DeadlineKind::Date, Some(d), None, None),
            Self::Year(y) => (DeadlineKind::Year, None, Some(y), None),
            Self::Recurring(r) => (DeadlineKind::Recurring, None, None, Some(r)),
        }
    }

    /// The day a fixed deadline falls due: the date itself, or 31 December of the year. Regular
    /// and recurring tasks have none.
    pub fn due_on(self) -> Option<NaiveDate> {
        match self {
            Self::Date(d) => Some(d),
            Self::Year(y) => NaiveDate::from_ymd_opt(y, 12, 31),
            Self::None | Self::Recurring(_) => None,
        }
    }

    pub fn from_columns(
        kind: DeadlineKind,
        date: Option<NaiveDate>,
        year: Option<i32>,
        recurrence: Option<Recurrence>,
    ) -> Self {
        // The table's CHECK constraints guarantee the matching column is set.
        match (kind, date, year, recurrence) {
            (DeadlineKind::Date, Some(d), _, _) => Self::Date(d),
            (DeadlineKind::Year, _, Some(y), _) => Self::Year(y),
            (DeadlineKind::Recurring, _, _, Some(r)) => Self::Recurring(r),
            _ => Self::None,
        }
    }
}

impl Deadline {
    /// The deadline a plan's cell states: empty or `thường xuyên` (regular), `hằng năm` and the
    /// other recurrences, a year (`2026`, `năm 2026`), or a day in any of [`parse_day`]'s forms.
    pub fn parse_text(text: &str) -> std::result::Result<Self, String> {
        let folded = fold(text);
        if folded.is_empty() || REGULAR_WORDS.iter().any(|w| fold(w) == folded) {
            return Ok(Self::None);
        }
        if let Some((r, _)) = RECURRENCE_WORDS.iter().find(|(_, words)| words.iter().any(|w| fold(w) == folded)) {
            return Ok(Self::Recurring(*r));
        }
        let year = folded.strip_prefix("trong nam ").or(folded.strip_prefix("nam ")).unwrap_or(&folded);
        if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) {
            let y: i32 = year.parse().map_err(|_| format!("{text} is not a year"))?;
            return Self::from_parts(None, Some(y), None).map_err(|e| e.message);
        }
        parse_day(text).map(Self::Date).map_err(|why| {
            format!(
                "{why}; a deadline may also be a year (2026), thường xuyên (regular) or hằng năm, hằng quý, hằng tháng"
            )
        })
    }

    /// The deadline in the words [`Deadline::parse_text`] reads back.
    pub fn to_text(self) -> String {
        match self {
            Self::None => REGULAR_WORDS[0].to_owned(),
            Self::Date(d) => format_day(d),
            Self::Year(y) => y.to_string(),
            Self::Recurring(r) => {
                RECURRENCE_WORDS.iter().find(|(x, _)| *x == r).map_or("", |(_, words)| words[0]).to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_part_at_most() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        assert_eq!(Deadline::from_parts(None, None, None).unwrap(), Deadline::None);
        assert_eq!(Deadline::from_parts(Some(d), None, None).unwrap(), Deadline::Date(d));
        assert!(Deadline::from_parts(Some(d), Some(2025), None).is_err());
        assert!(Deadline::from_parts(None, Some(20250), None).is_err());
        assert_eq!(Deadline::Year(2025).due_on(), NaiveDate::from_ymd_opt(2025, 12, 31));
        assert_eq!(Deadline::Date(d).due_on(), Some(d));
        assert_eq!(Deadline::None.due_on(), None);
        let round = Deadline::Recurring(Recurrence::Yearly);
        let (k, d, y, r) = round.columns();
        assert_eq!(Deadline::from_columns(k, d, y, r), round);
    }

    #[test]
    fn deadlines_as_plans_write_them() {
        let d = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        assert_eq!(Deadline::parse_text(""), Ok(Deadline::None));
        assert_eq!(Deadline::parse_text("Thường xuyên"), Ok(Deadline::None));
        assert_eq!(Deadline::parse_text("thuong xuyen"), Ok(Deadline::None));
        assert_eq!(Deadline::parse_text("Hằng năm"), Ok(Deadline::Recurring(Recurrence::Yearly)));
        assert_eq!(Deadline::parse_text("hàng quý"), Ok(Deadline::Recurring(Recurrence::Quarterly)));
        assert_eq!(Deadline::parse_text("2026"), Ok(Deadline::Year(2026)));
        assert_eq!(Deadline::parse_text("Năm 2026"), Ok(Deadline::Year(2026)));
        assert_eq!(Deadline::parse_text("30/6/2025"), Ok(Deadline::Date(d)));
        assert_eq!(Deadline::parse_text("ngày 30 tháng 6 năm 2025"), Ok(Deadline::Date(d)));
        assert!(Deadline::parse_text("3000").unwrap_err().contains("between 1945 and 2100"));
        assert!(Deadline::parse_text("cuối quý").unwrap_err().contains("thường xuyên"));
    }

    #[test]
    fn deadlines_written_read_back() {
        let d = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let all = [Deadline::None, Deadline::Date(d), Deadline::Year(2030)]
            .into_iter()
            .chain(RECURRENCE_WORDS.iter().map(|(r, _)| Deadline::Recurring(*r)));
        for deadline in all {
            assert_eq!(Deadline::parse_text(&deadline.to_text()), Ok(deadline), "{}", deadline.to_text());
        }
    }
}
