use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sea_orm_active_enums::{DocumentKind, DocumentStatus, DocumentSystem};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "document")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The normalized symbol, e.g. `837/QĐ-TTg`.
    pub symbol: String,
    pub symbol_number: String,
    pub symbol_year: Option<i32>,
    pub symbol_type_code: Option<String>,
    pub symbol_issuer_code: String,
    pub symbol_unit: Option<String>,
    pub system: DocumentSystem,
    pub kind: DocumentKind,
    pub issuer_id: Uuid,
    pub issued_on: Date,
    /// Year of `issued_on`, kept as a column so that issuer + symbol + year can be unique.
    pub issued_year: i32,
    pub title: String,
    pub title_i18n: Json,
    pub summary: Option<String>,
    pub summary_i18n: Json,
    pub horizon_year: Option<i32>,
    pub status: DocumentStatus,
    pub source_url: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::agency::Entity", from = "Column::IssuerId", to = "super::agency::Column::Id")]
    Issuer,
}

impl ActiveModelBehavior for ActiveModel {}
