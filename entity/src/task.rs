use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sea_orm_active_enums::{DeadlineKind, ProgressState, Recurrence};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "task")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub document_id: Uuid,
    pub group_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    /// Code within the document, e.g. `1` or `2.3`.
    pub code: String,
    pub title: Option<String>,
    pub title_i18n: Json,
    pub content: String,
    pub content_i18n: Json,
    pub expected_output: Option<String>,
    pub deadline_kind: DeadlineKind,
    pub deadline_date: Option<Date>,
    pub deadline_year: Option<i32>,
    pub deadline_recurrence: Option<Recurrence>,
    pub progress_state: ProgressState,
    pub completed_on: Option<Date>,
    /// The day a DATE or YEAR deadline falls due, as extended; none for regular and recurring tasks.
    pub due_on: Option<Date>,
    /// When the latest deadline extension took effect.
    pub extended_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::document::Entity", from = "Column::DocumentId", to = "super::document::Column::Id")]
    Document,
    #[sea_orm(belongs_to = "super::task_group::Entity", from = "Column::GroupId", to = "super::task_group::Column::Id")]
    Group,
    #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
    Parent,
}

impl ActiveModelBehavior for ActiveModel {}
