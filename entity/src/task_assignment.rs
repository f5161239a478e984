use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sea_orm_active_enums::AssignmentRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "task_assignment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub task_id: Uuid,
    pub agency_id: Uuid,
    pub role: AssignmentRole,
    pub assigned_on: Date,
    /// Set when the agency stops being responsible; the row is kept as history.
    pub ended_on: Option<Date>,
    pub reason: Option<String>,
    /// The reorganisation that made this assignment by succession.
    pub event_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::task::Entity", from = "Column::TaskId", to = "super::task::Column::Id")]
    Task,
    #[sea_orm(belongs_to = "super::agency::Entity", from = "Column::AgencyId", to = "super::agency::Column::Id")]
    Agency,
}

impl ActiveModelBehavior for ActiveModel {}
