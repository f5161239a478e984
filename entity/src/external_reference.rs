use sea_orm::entity::prelude::*;

/// An entity's key in another system: unique per source and entity type.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "external_reference")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The other system, e.g. `hung-yen-egov` or the edXML agency code scheme.
    pub source: String,
    pub entity_type: String,
    pub external_id: String,
    pub entity_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
