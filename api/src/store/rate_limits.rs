//! Charging cost points to a caller's budget for the current minute, in one statement that every
//! instance sharing the database agrees on.

use sea_orm::{ConnectionTrait, EntityTrait};

use super::Store;
use super::sql::Sql;
use crate::error::Result;
use crate::limits::rate::{Budget, Charge, Window};

impl Store {
    /// Adds `cost` to what `subject` has spent in `window` when the total stays within `limit`.
    /// A later window starts the count again; an earlier one (a clock running behind) adds to the
    /// newer window kept.
    pub async fn charge(&self, subject: &str, window: Window, cost: u64, limit: u64) -> Result<Charge> {
        let (cost, ceiling) = (saturate(cost), saturate(limit));
        let mut sql = Sql::new(self.backend());
        sql.push("INSERT INTO rate_limit (subject, window_minute, spent) VALUES (")
            .bind(subject)
            .push(", ")
            .bind(window.0)
            .push(", ")
            .bind(cost)
            .push(
                ") ON CONFLICT (subject) DO UPDATE SET \
                 spent = CASE WHEN excluded.window_minute > rate_limit.window_minute THEN excluded.spent \
                         ELSE rate_limit.spent + excluded.spent END, \
                 window_minute = CASE WHEN excluded.window_minute > rate_limit.window_minute \
                         THEN excluded.window_minute ELSE rate_limit.window_minute END \
                 WHERE excluded.window_minute > rate_limit.window_minute OR rate_limit.spent + excluded.spent <= ",
            )
            .bind(ceiling)
            .push(" RETURNING spent, window_minute");
        if let Some(row) = self.conn().query_one_raw(sql.statement()).await? {
            let spent: i64 = row.try_get("", "spent")?;
            let minute: i64 = row.try_get("", "window_minute")?;
            return Ok(Charge::Spent(Budget::new(limit, spent.max(0) as u64, Window(minute))));
        }
        // Not charged: the budget is spent. Read what is left for the answer.
        let kept = entity::rate_limit::Entity::find_by_id(subject.to_owned()).one(self.conn()).await?;
        let (spent, minute) = kept.map_or((ceiling, window.0), |row| (row.spent, row.window_minute));
        Ok(Charge::Refused(Budget::new(limit, spent.max(0) as u64, Window(minute))))
    }
}

fn saturate(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
