//! Counts for the people who steer: tasks by status over a document or its cascade, per agency,
//! and which agencies have issued their own plan. Aggregated in SQL, one statement per question
//! for any number of documents or agencies.

use std::collections::{BTreeMap, HashMap};

use entity::agency;
use entity::sea_orm_active_enums::AssignmentRole;
use sea_orm::sea_query::Query;
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use super::Store;
use super::agencies::{AgencyQuery, query_condition as agency_condition};
use super::documents::Direction;
use super::lineage::push_walk;
use super::sql::Sql;
use super::status::push_status;
use crate::domain::status::{AsOf, TaskStatus};
use crate::error::{Error, Result};

/// How deep a cascade is followed: deeper than any real one.
pub const CASCADE_DEPTH: i32 = 20;

/// Tasks by status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCounts(pub BTreeMap<TaskStatus, u64>);

impl StatusCounts {
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    pub fn get(&self, status: TaskStatus) -> u64 {
        self.0.get(&status).copied().unwrap_or(0)
    }

    /// Of the tasks that have fallen due or been completed, the share completed on time; none
    /// when no task has.
    pub fn on_time_rate(&self) -> Option<f64> {
        let on_time = self.get(TaskStatus::CompletedOnTime);
        let judged = on_time + self.get(TaskStatus::CompletedLate) + self.get(TaskStatus::InProgressOverdue);
        (judged > 0).then(|| on_time as f64 / judged as f64)
    }

    fn add(&mut self, status: &str, n: i64) -> Result<()> {
        let status =
            TaskStatus::parse(status).ok_or_else(|| Error::internal(format!("the status SQL gave {status}")))?;
        *self.0.entry(status).or_default() += n as u64;
        Ok(())
    }
}

/// A question about a document or an agency; keys sharing a question load together.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rollup {
    Progress(ProgressSpec),
    ByAgency(ProgressSpec),
    Performance(ProgressSpec),
    Coverage(AgencyQuery, AsOf),
}

/// The answer to a [`Rollup`].
#[derive(Debug, Clone)]
pub enum RollupValue {
    Counts(StatusCounts),
    ByAgency(HashMap<Uuid, StatusCounts>),
    Coverage(Coverage),
}

/// A rollup of one document or agency.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RollupOf(pub Uuid, pub Rollup);

/// Which tasks of a document count: its own, or those of its whole cascade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProgressSpec {
    pub as_of: AsOf,
    pub include_descendants: bool,
    /// Per agency only: the role the agency holds on the day.
    pub role: Option<AssignmentRole>,
}

/// Appends `scope(root, id)`: each root with the documents whose tasks count, each once.
fn push_scope(sql: &mut Sql, roots: &[Uuid], include_descendants: bool) {
    push_walk(sql, roots, Direction::Sources, if include_descendants { CASCADE_DEPTH } else { 0 });
    sql.push(", scope AS (SELECT DISTINCT root, id FROM walk)");
}

/// Appends the tasks that exist on the day, with their status then: `(root, id, status)`.
fn push_scoped_tasks(sql: &mut Sql, as_of: AsOf) {
    sql.push("SELECT s.root, t.id, ");
    push_status(sql, "t", as_of);
    sql.push(
        " AS status FROM scope s JOIN document d ON d.id = s.id JOIN task t ON t.document_id = d.id \
         WHERE d.issued_on <= ",
    )
    .bind(as_of.day);
}

/// Appends the condition that assignment `a` held on the day, in `role` if given.
fn push_assignment_on(sql: &mut Sql, as_of: AsOf, role: Option<AssignmentRole>) {
    sql.push(" a.assigned_on <= ")
        .bind(as_of.day)
        .push(" AND (a.ended_on IS NULL OR a.ended_on >= ")
        .bind(as_of.day)
        .push(")");
    if let Some(role) = role {
        sql.push(" AND a.role = ").bind(role.as_str());
    }
}

#[derive(FromQueryResult)]
struct CountRow {
    owner: Uuid,
    status: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct AgencyCountRow {
    owner: Uuid,
    agency_id: Uuid,
    status: String,
    n: i64,
}

/// The expected agencies of a coverage question and what each has issued.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Every expected agency, in code order, with the documents of the cascade it issued.
    pub agencies: Vec<(agency::Model, Vec<Uuid>)>,
}

impl Store {
    /// Answers rollups: from the memo those computed since the last commit (after one statement
    /// that reads the feed's sequence), the others with one statement per question for all its keys.
    pub async fn rollups(&self, keys: &[RollupOf]) -> Result<HashMap<RollupOf, RollupValue>> {
        self.remembered(self.memo().map(|m| &m.rollups), keys.to_vec(), |missing| self.compute_rollups(missing)).await
    }

    async fn compute_rollups(&self, keys: Vec<RollupOf>) -> Result<HashMap<RollupOf, RollupValue>> {
        let mut groups: HashMap<Rollup, Vec<Uuid>> = HashMap::new();
        for RollupOf(owner, rollup) in keys {
            groups.entry(rollup).or_default().push(owner);
        }
        let mut out = HashMap::new();
        for (rollup, owners) in groups {
            let values: Vec<(Uuid, RollupValue)> = match &rollup {
                Rollup::Progress(spec) => {
                    let found = self.progress(&owners, *spec).await?;
                    found.into_iter().map(|(k, v)| (k, RollupValue::Counts(v))).collect()
                }
                Rollup::ByAgency(spec) => {
                    let found = self.progress_by_agency(&owners, *spec).await?;
                    found.into_iter().map(|(k, v)| (k, RollupValue::ByAgency(v))).collect()
                }
                Rollup::Performance(spec) => {
                    let found = self.performance(&owners, *spec).await?;
                    found.into_iter().map(|(k, v)| (k, RollupValue::Counts(v))).collect()
                }
                Rollup::Coverage(expected, as_of) => {
                    let found = self.coverage(&owners, expected, *as_of).await?;
                    found.into_iter().map(|(k, v)| (k, RollupValue::Coverage(v))).collect()
                }
            };
            out.extend(values.into_iter().map(|(owner, value)| (RollupOf(owner, rollup.clone()), value)));
        }
        Ok(out)
    }

    /// Tasks by status for each document (or its cascade), on the day.
    pub async fn progress(&self, roots: &[Uuid], spec: ProgressSpec) -> Result<HashMap<Uuid, StatusCounts>> {
        let mut sql = Sql::new(self.backend());
        push_scope(&mut sql, roots, spec.include_descendants);
        sql.push(" SELECT x.root AS owner, x.status, COUNT(*) AS n FROM (");
        push_scoped_tasks(&mut sql, spec.as_of);
        sql.push(") x GROUP BY x.root, x.status");
        let rows = CountRow::find_by_statement(sql.statement()).all(self.conn()).await?;
        let mut out: HashMap<Uuid, StatusCounts> = roots.iter().map(|r| (*r, StatusCounts::default())).collect();
        for row in rows {
            out.entry(row.owner).or_default().add(&row.status, row.n)?;
        }
        Ok(out)
    }

    /// For each document (or its cascade), tasks by status per agency holding a role on them on the day.
    pub async fn progress_by_agency(
        &self,
        roots: &[Uuid],
        spec: ProgressSpec,
    ) -> Result<HashMap<Uuid, HashMap<Uuid, StatusCounts>>> {
        let mut sql = Sql::new(self.backend());
        push_scope(&mut sql, roots, spec.include_descendants);
        sql.push(" SELECT x.root AS owner, a.agency_id, x.status, COUNT(DISTINCT x.id) AS n FROM (");
        push_scoped_tasks(&mut sql, spec.as_of);
        sql.push(") x JOIN task_assignment a ON a.task_id = x.id AND");
        push_assignment_on(&mut sql, spec.as_of, spec.role);
        sql.push(" GROUP BY x.root, a.agency_id, x.status");
        let rows = AgencyCountRow::find_by_statement(sql.statement()).all(self.conn()).await?;
        let mut out: HashMap<Uuid, HashMap<Uuid, StatusCounts>> = roots.iter().map(|r| (*r, HashMap::new())).collect();
        for row in rows {
            out.entry(row.owner).or_default().entry(row.agency_id).or_default().add(&row.status, row.n)?;
        }
        Ok(out)
    }

    /// For each agency, tasks by status across every document, where it held a role on the day.
    pub async fn performance(&self, agencies: &[Uuid], spec: ProgressSpec) -> Result<HashMap<Uuid, StatusCounts>> {
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT x.agency_id AS owner, x.status, COUNT(*) AS n FROM (SELECT DISTINCT a.agency_id, t.id, ");
        push_status(&mut sql, "t", spec.as_of);
        sql.push(" AS status FROM task_assignment a JOIN task t ON t.id = a.task_id JOIN document d ON d.id = t.document_id WHERE a.agency_id IN (")
            .bind_list(agencies.iter().copied())
            .push(") AND d.issued_on <= ")
            .bind(spec.as_of.day)
            .push(" AND");
        push_assignment_on(&mut sql, spec.as_of, spec.role);
        sql.push(") x GROUP BY x.agency_id, x.status");
        let rows = CountRow::find_by_statement(sql.statement()).all(self.conn()).await?;
        let mut out: HashMap<Uuid, StatusCounts> = agencies.iter().map(|a| (*a, StatusCounts::default())).collect();
        for row in rows {
            out.entry(row.owner).or_default().add(&row.status, row.n)?;
        }
        Ok(out)
    }

    /// For each root, which of the `expected` agencies have issued, by the day, a document that
    /// carries the root out directly or through others (and is not older than the root).
    pub async fn coverage(
        &self,
        roots: &[Uuid],
        expected: &AgencyQuery,
        as_of: AsOf,
    ) -> Result<HashMap<Uuid, Coverage>> {
        let mut sql = Sql::new(self.backend());
        push_walk(&mut sql, roots, Direction::Sources, CASCADE_DEPTH);
        sql.push(
            ", issued AS (SELECT DISTINCT w.root, d.issuer_id, d.id FROM walk w JOIN document d ON d.id = w.id \
             WHERE w.depth > 0 AND d.issued_on <= ",
        )
        .bind(as_of.day)
        .push(
            " AND d.issued_on >= (SELECT r.issued_on FROM document r WHERE r.id = w.root)), \
             roots AS (SELECT DISTINCT root FROM walk) \
             SELECT rt.root AS owner, ag.*, i.id AS covering_id FROM roots rt CROSS JOIN agency ag \
             LEFT JOIN issued i ON i.root = rt.root AND i.issuer_id = ag.id WHERE ag.id IN (",
        );
        let ids = Query::select()
            .column((agency::Entity, agency::Column::Id))
            .from(agency::Entity)
            .cond_where(agency_condition(expected))
            .to_owned();
        sql.push_select(&ids).push(") ORDER BY rt.root, ag.code, i.id");
        let rows = self.conn().query_all_raw(sql.statement()).await?;
        let mut out: HashMap<Uuid, Coverage> = roots.iter().map(|r| (*r, Coverage::default())).collect();
        for row in rows {
            let owner: Uuid = row.try_get("", "owner")?;
            let model = agency::Model::from_query_result(&row, "")?;
            let covering: Option<Uuid> = row.try_get("", "covering_id")?;
            let coverage = out.entry(owner).or_default();
            match coverage.agencies.last_mut() {
                Some((last, docs)) if last.id == model.id => docs.extend(covering),
                _ => coverage.agencies.push((model, covering.into_iter().collect())),
            }
        }
        Ok(out)
    }
}
