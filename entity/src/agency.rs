use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sea_orm_active_enums::{AgencyKind, AgencyLevel};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agency")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    /// Vietnamese name, NFC.
    pub name: String,
    /// Translations of the name keyed by language code, e.g. `{"en": "Politburo"}`.
    pub name_i18n: Json,
    pub kind: AgencyKind,
    pub level: AgencyLevel,
    pub parent_id: Option<Uuid>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
    Parent,
}

impl ActiveModelBehavior for ActiveModel {}
