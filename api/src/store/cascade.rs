//! A cascade read whole, for exports and diagrams: the links among its documents, every task,
//! report and agency it names. A fixed number of statements whatever its size.

use entity::sea_orm_active_enums::RelationKind;
use entity::{agency, document_relation, progress_report, task};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::Store;
use super::sql::Sql;
use crate::error::Result;

impl Store {
    /// The IMPLEMENTS links whose both ends are among `documents`, oldest first.
    pub async fn links_among(&self, documents: &[Uuid]) -> Result<Vec<document_relation::Model>> {
        Ok(document_relation::Entity::find()
            .filter(document_relation::Column::Kind.eq(RelationKind::Implements))
            .filter(document_relation::Column::FromId.is_in(documents.iter().copied()))
            .filter(document_relation::Column::ToId.is_in(documents.iter().copied()))
            .order_by_asc(document_relation::Column::Id)
            .all(self.conn())
            .await?)
    }

    /// Every task of the documents, in the order they were created.
    pub async fn tasks_in(&self, documents: &[Uuid]) -> Result<Vec<task::Model>> {
        Ok(task::Entity::find()
            .filter(task::Column::DocumentId.is_in(documents.iter().copied()))
            .order_by_asc(task::Column::Id)
            .all(self.conn())
            .await?)
    }

    /// Every progress report on the tasks, oldest first.
    pub async fn reports_on(&self, tasks: &[Uuid]) -> Result<Vec<progress_report::Model>> {
        Ok(progress_report::Entity::find()
            .filter(progress_report::Column::TaskId.is_in(tasks.iter().copied()))
            .order_by_asc(progress_report::Column::Id)
            .all(self.conn())
            .await?)
    }

    /// The agencies, with every agency above them (by `parent`), in code order: a set in which
    /// every parent named is present. One recursive statement.
    pub async fn agencies_with_parents(&self, ids: &[Uuid]) -> Result<Vec<agency::Model>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(self.backend());
        sql.push("WITH RECURSIVE up(id) AS (SELECT a.id FROM agency a WHERE a.id IN (")
            .bind_list(ids.iter().copied())
            .push(
                ") UNION SELECT p.parent_id FROM agency p JOIN up ON p.id = up.id WHERE p.parent_id IS NOT NULL) \
                 SELECT ag.* FROM agency ag WHERE ag.id IN (SELECT id FROM up) ORDER BY ag.code",
            );
        Ok(agency::Model::find_by_statement(sql.statement()).all(self.conn()).await?)
    }
}
