//! Many new rows at once, for a generated dataset: multi-row INSERTs, each row recorded as created,
//! so that the commit writes its audit record, its place in the change feed and its search entry as
//! it does for any other write.

use sea_orm::{EntityTrait, IntoActiveModel, Iterable};

use super::Tx;
use super::audit::Audited;
use crate::error::Result;

/// Bound values per statement, under SQLite's limit (32,766) and PostgreSQL's (65,535).
const VALUES_PER_STATEMENT: usize = 32_000;

impl Tx {
    /// Inserts the rows of new entities of one table.
    pub async fn insert_new<E>(&self, rows: &[E::Model]) -> Result<()>
    where
        E: EntityTrait,
        E::Model: IntoActiveModel<E::ActiveModel> + Audited + Clone,
    {
        let per_statement = (VALUES_PER_STATEMENT / E::Column::iter().count()).max(1);
        for chunk in rows.chunks(per_statement) {
            E::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model)).exec(self).await?;
        }
        for row in rows {
            self.created(row);
        }
        Ok(())
    }
}
