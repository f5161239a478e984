//! A cascade read whole, for exports and diagrams: the links among its documents, every task,
//! report and agency it names. A fixed number of statements whatever its size.

use std::collections::{HashMap, HashSet};

use entity::sea_orm_active_enums::RelationKind;
use entity::{agency, document_relation, progress_report, task};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::Store;
use crate::error::Result;

/// How many parent levels an agency tree may have: deeper than any real one.
const MAX_AGENCY_LEVELS: usize = 10;

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
    /// every parent named is present.
    pub async fn agencies_with_parents(&self, ids: &[Uuid]) -> Result<Vec<agency::Model>> {
        let mut found: HashMap<Uuid, agency::Model> = HashMap::new();
        let mut wanted: HashSet<Uuid> = ids.iter().copied().collect();
        for _ in 0..MAX_AGENCY_LEVELS {
            if wanted.is_empty() {
                break;
            }
            let batch: Vec<Uuid> = wanted.drain().collect();
            for a in self.agencies_by_ids(&batch).await? {
                if let Some(parent) = a.parent_id.filter(|p| !found.contains_key(p)) {
                    wanted.insert(parent);
                }
                found.insert(a.id, a);
            }
            wanted.retain(|id| !found.contains_key(id));
        }
        let mut agencies: Vec<agency::Model> = found.into_values().collect();
        agencies.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(agencies)
    }
}
