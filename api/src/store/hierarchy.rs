//! Trees kept by a `parent_id` column (agencies, tasks), and the cycle check they need.

use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

use super::Tx;
use crate::error::Result;

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
