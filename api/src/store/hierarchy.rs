//! Trees kept by a `parent_id` column (agencies, tasks), and the cycle check they need.

use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

use super::Tx;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy)]
pub enum Hierarchy {
    Agency,
    Task,
}

impl Hierarchy {
    fn table(self) -> &'static str {
        match self {
            Self::Agency => "agency",
            Self::Task => "task",
        }
    }
}

/// Whether `ancestor` is `node` itself or above it: making `node` the parent of `ancestor` would
/// then close a cycle. One recursive statement.
pub async fn is_ancestor_or_self(tx: &Tx, tree: Hierarchy, node: Uuid, ancestor: Uuid) -> Result<bool> {
    let table = tree.table();
    let sql = format!(
        "WITH RECURSIVE up(id) AS (SELECT $1 UNION SELECT t.parent_id FROM {table} t JOIN up ON t.id = up.id \
         WHERE t.parent_id IS NOT NULL) SELECT 1 AS hit FROM up WHERE id = $2"
    );
    let stmt = Statement::from_sql_and_values(tx.get_database_backend(), sql, [node.into(), ancestor.into()]);
    Ok(tx.query_one_raw(stmt).await?.is_some())
}

/// What a permission check is about: the rule for each is decided by the agency that issued the
/// document holding it (for an agency itself: that agency).
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    /// An agency given in an input field (e.g. a new document's `issuerId`).
    Agency(Uuid, &'static str),
    Document(Uuid),
    TaskGroup(Uuid),
    Task(Uuid),
    Assignment(Uuid),
    Report(Uuid),
}

impl Subject {
    /// SQL yielding the issuing agency's id from `$1`, and the error when there is none.
    fn issuer(self) -> (&'static str, Error) {
        match self {
            Self::Agency(_, field) => (
                "SELECT id FROM agency WHERE id = $1",
                Error::bad_field(field, format!("{field} names no existing agency")),
            ),
            Self::Document(_) => {
                ("SELECT issuer_id FROM document WHERE id = $1", Error::not_found("the document does not exist"))
            }
            Self::TaskGroup(_) => (
                "SELECT d.issuer_id FROM task_group g JOIN document d ON d.id = g.document_id WHERE g.id = $1",
                Error::not_found("the task group does not exist"),
            ),
            Self::Task(_) => (
                "SELECT d.issuer_id FROM task t JOIN document d ON d.id = t.document_id WHERE t.id = $1",
                Error::not_found("the task does not exist"),
            ),
            Self::Assignment(_) => (
                "SELECT d.issuer_id FROM task_assignment a JOIN task t ON t.id = a.task_id \
                 JOIN document d ON d.id = t.document_id WHERE a.id = $1",
                Error::not_found("the assignment does not exist"),
            ),
            Self::Report(_) => (
                "SELECT d.issuer_id FROM progress_report r JOIN task t ON t.id = r.task_id \
                 JOIN document d ON d.id = t.document_id WHERE r.id = $1",
                Error::not_found("the progress report does not exist"),
            ),
        }
    }

    fn id(self) -> Uuid {
        match self {
            Self::Agency(id, _)
            | Self::Document(id)
            | Self::TaskGroup(id)
            | Self::Task(id)
            | Self::Assignment(id)
            | Self::Report(id) => id,
        }
    }
}

impl Tx {
    /// The code of the agency that issued the document holding `subject`, then the codes of the
    /// agencies above it, nearest first. One statement.
    pub async fn issuer_chain(&self, subject: Subject) -> Result<Vec<String>> {
        let (issuer, missing) = subject.issuer();
        let sql = format!(
            "WITH RECURSIVE up(id, code, parent_id, depth) AS ( \
               SELECT a.id, a.code, a.parent_id, 0 FROM agency a WHERE a.id = ({issuer}) \
               UNION ALL SELECT a.id, a.code, a.parent_id, up.depth + 1 FROM agency a \
               JOIN up ON a.id = up.parent_id WHERE up.depth < 64) \
             SELECT code FROM up ORDER BY depth"
        );
        let stmt = Statement::from_sql_and_values(self.get_database_backend(), sql, [subject.id().into()]);
        let codes: Vec<String> =
            self.query_all_raw(stmt).await?.iter().map(|row| row.try_get("", "code")).collect::<Result<_, _>>()?;
        if codes.is_empty() {
            return Err(missing);
        }
        Ok(codes)
    }

    /// The codes of the agencies currently presiding over or coordinating the task that `subject`
    /// (a task or a progress report) belongs to.
    pub async fn assigned_codes(&self, subject: Subject) -> Result<Vec<String>> {
        let task = match subject {
            Subject::Report(_) => "(SELECT task_id FROM progress_report WHERE id = $1)",
            _ => "$1",
        };
        let sql = format!(
            "SELECT g.code FROM task_assignment a JOIN agency g ON g.id = a.agency_id \
             WHERE a.task_id = {task} AND a.ended_on IS NULL"
        );
        let stmt = Statement::from_sql_and_values(self.get_database_backend(), sql, [subject.id().into()]);
        Ok(self.query_all_raw(stmt).await?.iter().map(|row| row.try_get("", "code")).collect::<Result<_, _>>()?)
    }
}

impl Tx {
    /// The code of the agency that made a progress report.
    pub async fn reporter_code(&self, report: Uuid) -> Result<String> {
        let sql = "SELECT g.code FROM progress_report r JOIN agency g ON g.id = r.agency_id WHERE r.id = $1";
        let stmt = Statement::from_sql_and_values(self.get_database_backend(), sql, [report.into()]);
        match self.query_one_raw(stmt).await? {
            Some(row) => Ok(row.try_get("", "code")?),
            None => Err(Error::not_found("the progress report does not exist")),
        }
    }
}
