use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A name an agency bore until a rename.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agency_name")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    pub name_i18n: Json,
    /// The first day the agency no longer bore this name.
    pub valid_until: Date,
    pub event_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
