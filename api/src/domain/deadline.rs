//! A task's deadline as one value, so that a task can never have both a date and a year.

use chrono::NaiveDate;
use entity::sea_orm_active_enums::{DeadlineKind, Recurrence};

use crate::error::{Error, Result};

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
}
