use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A task's deadline moved by a later document; the task's own deadline holds the newest date.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "deadline_extension")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub task_id: Uuid,
    pub previous_due_on: Date,
    pub new_due_on: Date,
    /// The document that approved the extension.
    pub approved_by_id: Option<Uuid>,
    /// From this day on the new date counts.
    pub effective_on: Date,
    pub reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::task::Entity", from = "Column::TaskId", to = "super::task::Column::Id")]
    Task,
    #[sea_orm(
        belongs_to = "super::document::Entity",
        from = "Column::ApprovedById",
        to = "super::document::Column::Id"
    )]
    Document,
}

impl ActiveModelBehavior for ActiveModel {}
