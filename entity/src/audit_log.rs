use sea_orm::entity::prelude::*;

/// One change made by one mutation: who, when, what, and the entity before and after.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    /// The token's subject, or `system:…` for the service's own commands.
    pub sub: String,
    pub agency_code: Option<String>,
    /// Role names, comma-separated.
    pub roles: String,
    /// The GraphQL mutation field (e.g. `createTask`) or command.
    pub operation: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
