use sea_orm::entity::prelude::*;

/// One committed change of one entity, numbered without gaps in commit order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sequence: i64,
    pub entity_type: String,
    pub entity_id: Uuid,
    /// `UPSERT` or `DELETE`.
    pub operation: String,
    /// The entity's version after the change; none for a deletion or an unversioned entity.
    pub version: Option<i32>,
    pub changed_at: DateTimeUtc,
    pub actor: String,
    /// The document the entity belongs to (itself, for a document), for document scopes.
    pub document_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
