use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sea_orm_active_enums::AgencyEventKind;

/// A change of the apparatus: agencies established, renamed, merged, split, dissolved, or a
/// function moved from one to another, on a day, on the authority of a document.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agency_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: AgencyEventKind,
    pub effective_on: Date,
    pub legal_basis_id: Option<Uuid>,
    /// For a transfer of function: what moved.
    pub function: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
