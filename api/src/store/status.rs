//! A task's status on a day, as one SQL expression: the status field, the status filter and every
//! rollup evaluate the same rule, in the database, whatever the number of tasks.

use std::collections::HashMap;

use entity::sea_orm_active_enums::{DeadlineKind, ProgressState, Recurrence};
use sea_orm::{ConnectionTrait, Iterable};
use uuid::Uuid;

use super::Store;
use super::sql::Sql;
use crate::domain::status::{AsOf, TaskStatus};
use crate::error::{Error, Result};

/// The day the task `t` falls due as it stood on `as_of`: its due day, or, while an extension had
/// not yet taken effect, the date that extension replaced.
fn push_due(sql: &mut Sql, t: &str, as_of: AsOf) {
    sql.push(&format!("(CASE WHEN {t}.extended_on > "))
        .bind(as_of.day)
        .push(&format!(
            " THEN (SELECT e.previous_due_on FROM deadline_extension e WHERE e.task_id = {t}.id AND e.effective_on > "
        ))
        .bind(as_of.day)
        .push(&format!(" ORDER BY e.effective_on, e.created_at LIMIT 1) ELSE {t}.due_on END)"));
}

/// Appends the status of task `t` on `as_of` (one of [`TaskStatus`]'s names) as a CASE expression.
/// Its subqueries read the document, extensions and reports under aliases of their own (`d`, `e`,
/// `r`), which shadow any outer ones.
pub fn push_status(sql: &mut Sql, t: &str, as_of: AsOf) {
    let day = as_of.day;
    sql.push(&format!("(CASE WHEN {t}.progress_state = "))
        .bind(ProgressState::Cancelled.as_str())
        .push(" THEN 'CANCELLED'");
    // Completed by that day: judged against the deadline as it stood then.
    sql.push(&format!(" WHEN {t}.completed_on <= ")).bind(day).push(&format!(" THEN CASE WHEN {t}.completed_on > "));
    push_due(sql, t, as_of);
    sql.push(" THEN 'COMPLETED_LATE' ELSE 'COMPLETED_ON_TIME' END");
    sql.push(&format!(" WHEN {t}.deadline_kind = ")).bind(DeadlineKind::None.as_str()).push(" THEN 'ONGOING'");
    // A recurring task is overdue once a period has ended, after the task was given, with no
    // report covering the end of that period.
    sql.push(&format!(" WHEN {t}.deadline_kind = ")).bind(DeadlineKind::Recurring.as_str()).push(" THEN CASE WHEN ");
    push_last_period_end(sql, t, as_of);
    sql.push(&format!(" >= (SELECT d.issued_on FROM document d WHERE d.id = {t}.document_id) AND NOT EXISTS (SELECT 1 FROM progress_report r WHERE r.task_id = {t}.id AND r.period_start <= "));
    push_last_period_end(sql, t, as_of);
    sql.push(" AND r.period_end >= ");
    push_last_period_end(sql, t, as_of);
    sql.push(") THEN 'IN_PROGRESS_OVERDUE' ELSE 'IN_PROGRESS_ON_TIME' END");
    sql.push(" WHEN ");
    push_due(sql, t, as_of);
    sql.push(" < ").bind(day).push(" THEN 'IN_PROGRESS_OVERDUE' ELSE 'IN_PROGRESS_ON_TIME' END)");
}

fn push_last_period_end(sql: &mut Sql, t: &str, as_of: AsOf) {
    sql.push(&format!("(CASE {t}.deadline_recurrence"));
    for r in Recurrence::iter() {
        sql.push(" WHEN ").bind(r.as_str()).push(" THEN ").bind(as_of.last_period_end(r));
    }
    sql.push(" END)");
}

/// Appends a condition that holds when task `t`'s status on `as_of` is one of `statuses`.
pub fn push_status_in(sql: &mut Sql, t: &str, as_of: AsOf, statuses: &[TaskStatus]) {
    push_status(sql, t, as_of);
    sql.push(" IN (").bind_list(statuses.iter().map(|s| s.as_str())).push(")");
}

impl Store {
    /// The status of each task on `as_of`.
    pub async fn statuses(&self, tasks: &[Uuid], as_of: AsOf) -> Result<HashMap<Uuid, TaskStatus>> {
        if tasks.is_empty() {
            return Ok(HashMap::new());
        }
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT t.id, ");
        push_status(&mut sql, "t", as_of);
        sql.push(" AS status FROM task t WHERE t.id IN (").bind_list(tasks.iter().copied()).push(")");
        let rows = self.conn().query_all_raw(sql.statement()).await?;
        rows.iter()
            .map(|row| {
                let id: Uuid = row.try_get("", "id")?;
                let status: String = row.try_get("", "status")?;
                let status = TaskStatus::parse(&status)
                    .ok_or_else(|| Error::internal(format!("the status SQL gave {status}")))?;
                Ok((id, status))
            })
            .collect()
    }
}
