//! The Government Office's status of a task on a given day, and the dates it is judged against.

use chrono::{Datelike, NaiveDate};
use entity::sea_orm_active_enums::Recurrence;

/// How a task stands on a day, in the words of the Government Office's reports.
#[derive(
    async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    /// Completed on or before its deadline (or completed with no deadline to miss).
    CompletedOnTime,
    CompletedLate,
    /// Not completed, and its deadline has not passed.
    InProgressOnTime,
    /// Not completed, and its deadline has passed; for a recurring task, a period has ended with
    /// no progress report covering it.
    InProgressOverdue,
    /// A regular task (thường xuyên): it has no deadline and is never complete.
    Ongoing,
    Cancelled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 6] = [
        Self::CompletedOnTime,
        Self::CompletedLate,
        Self::InProgressOnTime,
        Self::InProgressOverdue,
        Self::Ongoing,
        Self::Cancelled,
    ];

    /// The value the status SQL yields.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CompletedOnTime => "COMPLETED_ON_TIME",
            Self::CompletedLate => "COMPLETED_LATE",
            Self::InProgressOnTime => "IN_PROGRESS_ON_TIME",
            Self::InProgressOverdue => "IN_PROGRESS_OVERDUE",
            Self::Ongoing => "ONGOING",
            Self::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The day of a status question with the dates derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AsOf {
    pub day: NaiveDate,
}

impl AsOf {
    pub fn new(day: NaiveDate) -> Self {
        Self { day }
    }

    /// The last day of the latest whole period of `recurrence` before the period holding `day`:
    /// the day a recurring task last fell due.
    pub fn last_period_end(self, recurrence: Recurrence) -> NaiveDate {
        let d = self.day;
        let first_month = match recurrence {
            Recurrence::Monthly => d.month(),
            Recurrence::Quarterly => (d.month() - 1) / 3 * 3 + 1,
            Recurrence::Semiannual => (d.month() - 1) / 6 * 6 + 1,
            Recurrence::Yearly => 1,
        };
        let start = NaiveDate::from_ymd_opt(d.year(), first_month, 1).expect("the first of a month exists");
        start.pred_opt().expect("dates here are far from the calendar's start")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_end_before_the_one_holding_the_day() {
        let as_of = AsOf::new(day(2025, 5, 20));
        assert_eq!(as_of.last_period_end(Recurrence::Monthly), day(2025, 4, 30));
        assert_eq!(as_of.last_period_end(Recurrence::Quarterly), day(2025, 3, 31));
        assert_eq!(as_of.last_period_end(Recurrence::Semiannual), day(2024, 12, 31));
        assert_eq!(as_of.last_period_end(Recurrence::Yearly), day(2024, 12, 31));
        let first = AsOf::new(day(2025, 7, 1));
        assert_eq!(first.last_period_end(Recurrence::Semiannual), day(2025, 6, 30));
        assert_eq!(first.last_period_end(Recurrence::Quarterly), day(2025, 6, 30));
        assert_eq!(AsOf::new(day(2024, 3, 1)).last_period_end(Recurrence::Monthly), day(2024, 2, 29));
    }

    #[test]
    fn status_names_round_trip() {
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(TaskStatus::parse("LATE"), None);
    }
}
