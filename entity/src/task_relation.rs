use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// `from_id` carries out `to_id`: a provincial task derived from a national one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "task_relation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub from_id: Uuid,
    pub to_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::task::Entity", from = "Column::FromId", to = "super::task::Column::Id")]
    From,
    #[sea_orm(belongs_to = "super::task::Entity", from = "Column::ToId", to = "super::task::Column::Id")]
    To,
}

impl ActiveModelBehavior for ActiveModel {}
