use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sea_orm_active_enums::RelationKind;

/// A directed link: `from_id` KIND `to_id` (the implementing document points at what it implements).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "document_relation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub from_id: Uuid,
    pub to_id: Uuid,
    pub kind: RelationKind,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::document::Entity", from = "Column::FromId", to = "super::document::Column::Id")]
    From,
    #[sea_orm(belongs_to = "super::document::Entity", from = "Column::ToId", to = "super::document::Column::Id")]
    To,
}

impl ActiveModelBehavior for ActiveModel {}
