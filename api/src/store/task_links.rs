//! Task lineage: a provincial task carries out a national one. Links never form a cycle.

use std::collections::HashMap;

use chrono::Utc;
use entity::task::{self, Column, Entity};
use entity::task_relation as relation;
use sea_orm::sea_query::IntoColumnRef;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
    Set, Statement,
};
use uuid::Uuid;

use super::documents::{Direction, lock_graph};
use super::page::{Page, Window, fetch_windows};
use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::ids::TaskId;

async fn require_task(tx: &Tx, id: TaskId, field: &str) -> Result<task::Model> {
    Entity::find_by_id(id.0)
        .one(tx)
        .await?
        .ok_or_else(|| Error::bad_field(field, format!("{field} names no existing task")))
}

/// Whether `goal` can be reached from `start` along task links. One recursive statement.
async fn reaches(tx: &Tx, start: Uuid, goal: Uuid) -> Result<bool> {
    let sql = "WITH RECURSIVE reach(id) AS (SELECT $1 UNION SELECT r.to_id FROM task_relation r \
               JOIN reach ON r.from_id = reach.id) SELECT 1 AS hit FROM reach WHERE id = $2";
    let stmt = Statement::from_sql_and_values(tx.get_database_backend(), sql, [start.into(), goal.into()]);
    Ok(tx.query_one_raw(stmt).await?.is_some())
}

async fn find_link(tx: &Tx, from: TaskId, to: TaskId) -> Result<Option<relation::Model>> {
    Ok(relation::Entity::find()
        .filter(relation::Column::FromId.eq(from.0))
        .filter(relation::Column::ToId.eq(to.0))
        .one(tx)
        .await?)
}

impl Tx {
    /// Records that `from` carries out `to`; linking twice is not an error. Returns both tasks.
    pub async fn link_tasks(&self, from: TaskId, to: TaskId) -> Result<(task::Model, task::Model)> {
        if from == to {
            return Err(Error::bad_field("toId", "a task cannot carry itself out"));
        }
        lock_graph(self).await?;
        let from_task = require_task(self, from, "fromId").await?;
        let to_task = require_task(self, to, "toId").await?;
        if find_link(self, from, to).await?.is_some() {
            return Ok((from_task, to_task));
        }
        if reaches(self, to.0, from.0).await? {
            return Err(Error::bad_input(
                "the task named by toId already carries out, directly or through other tasks, the task named by \
                 fromId: linking them would make a cycle",
            ));
        }
        let link = relation::ActiveModel {
            id: Set(Uuid::now_v7()),
            from_id: Set(from.0),
            to_id: Set(to.0),
            created_at: Set(Utc::now()),
        }
        .insert(self)
        .await?;
        self.created(&link);
        Ok((from_task, to_task))
    }

    pub async fn unlink_tasks(&self, from: TaskId, to: TaskId) -> Result<(task::Model, task::Model)> {
        let from_task = require_task(self, from, "fromId").await?;
        let to_task = require_task(self, to, "toId").await?;
        let link = find_link(self, from, to)
            .await?
            .ok_or_else(|| Error::not_found("the task named by fromId is not linked to the task named by toId"))?;
        relation::Entity::delete_by_id(link.id).exec(self).await?;
        self.deleted(&link);
        Ok((from_task, to_task))
    }
}

impl Store {
    /// For each task, a page of the tasks it carries out (`Targets`) or that carry it out (`Sources`).
    pub async fn linked_tasks(
        &self,
        parents: &[Uuid],
        direction: Direction,
        window: Window,
    ) -> Result<HashMap<Uuid, Page<task::Model>>> {
        let (join, parent) = match direction {
            Direction::Sources => (relation::Relation::From, relation::Column::ToId),
            Direction::Targets => (relation::Relation::To, relation::Column::FromId),
        };
        let select = Entity::find().join(JoinType::InnerJoin, join.def().rev());
        fetch_windows(self.conn(), select, parent.into_column_ref(), Column::Id, parents, window).await
    }
}
