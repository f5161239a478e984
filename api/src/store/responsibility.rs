//! The tasks an agency was responsible for on a day, with those of the agencies it succeeded.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::sea_orm_active_enums::AssignmentRole;
use entity::task;
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use super::Store;
use super::page::{Page, Window, collect_pages};
use super::sql::Sql;

/// Which of an agency's tasks to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Responsibility {
    /// Held on this day; held now without one.
    pub as_of: Option<NaiveDate>,
    /// Also the tasks of the agencies it took over from, through every earlier event.
    pub include_predecessors: bool,
    pub role: Option<AssignmentRole>,
    pub window: Window,
}

impl Store {
    /// For each agency, a page of the tasks it (or a predecessor) held a role on, in creation order.
    pub async fn tasks_held(
        &self,
        agencies: &[Uuid],
        spec: Responsibility,
    ) -> crate::error::Result<HashMap<Uuid, Page<task::Model>>> {
        let mut sql = Sql::new(self.backend());
        sql.push("WITH RECURSIVE earlier(root, id) AS (SELECT a.id, a.id FROM agency a WHERE a.id IN (")
            .bind_list(agencies.iter().copied())
            .push(")");
        if spec.include_predecessors {
            sql.push(
                " UNION SELECT e.root, p.agency_id FROM earlier e \
                 JOIN agency_event_party s ON s.agency_id = e.id AND s.side = 'SUCCESSOR' \
                 JOIN agency_event_party p ON p.event_id = s.event_id AND p.side = 'PREDECESSOR'",
            );
        }
        sql.push("), held AS (SELECT DISTINCT e.root, x.task_id FROM earlier e JOIN task_assignment x ON x.agency_id = e.id WHERE ");
        match spec.as_of {
            Some(day) => {
                sql.push("x.assigned_on <= ")
                    .bind(day)
                    .push(" AND (x.ended_on IS NULL OR x.ended_on >= ")
                    .bind(day)
                    .push(")");
            }
            None => {
                sql.push("x.ended_on IS NULL");
            }
        }
        if let Some(role) = spec.role {
            sql.push(" AND x.role = ").bind(role.as_str());
        }
        sql.push("), counted AS (SELECT h.root, h.task_id, COUNT(*) OVER (PARTITION BY h.root) AS total, ");
        match spec.window.after {
            Some(after) => {
                sql.push("CASE WHEN h.task_id > ").bind(after).push(" THEN 1 ELSE 0 END");
            }
            None => {
                sql.push("1");
            }
        }
        sql.push(
            " AS past FROM held h), numbered AS (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.root \
             ORDER BY c.past DESC, c.task_id) AS pos FROM counted c) \
             SELECT n.root AS w_root, n.total AS w_total, n.past AS w_past, t.* FROM numbered n \
             JOIN task t ON t.id = n.task_id WHERE n.pos <= ",
        )
        .bind(spec.window.limit as i64 + 1)
        .push(" ORDER BY n.root, n.pos");
        let rows = self.conn().query_all_raw(sql.statement()).await?;
        collect_pages(rows, agencies, Some(spec.window), |row| Ok(task::Model::from_query_result(row, "")?))
    }
}
