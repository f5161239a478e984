//! The progress state of a task and its completion date go together.

use chrono::NaiveDate;
use entity::sea_orm_active_enums::ProgressState;

use crate::error::{Error, Result};

/// The completion date to store: required for a completed task (today when not given), refused otherwise.
pub fn completion_date(
    state: ProgressState,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>> {
    match (state, completed_on) {
        (ProgressState::Completed, Some(d)) if d > today => {
            Err(Error::bad_field("completedOn", "completedOn cannot be in the future"))
        }
        (ProgressState::Completed, date) => Ok(Some(date.unwrap_or(today))),
        (_, None) => Ok(None),
        (state, Some(_)) => Err(Error::bad_field(
            "completedOn",
            format!("completedOn goes only with progressState COMPLETED, not {state}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let earlier = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap();
        assert_eq!(completion_date(ProgressState::Completed, None, today).unwrap(), Some(today));
        assert_eq!(completion_date(ProgressState::Completed, Some(earlier), today).unwrap(), Some(earlier));
        assert!(completion_date(ProgressState::Completed, today.succ_opt(), today).is_err());
        assert!(completion_date(ProgressState::InProgress, Some(earlier), today).is_err());
        assert_eq!(completion_date(ProgressState::Cancelled, None, today).unwrap(), None);
    }
}
