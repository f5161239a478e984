use async_graphql::{Context, ID, Json, Object};
use chrono::{DateTime, Utc};
use entity::audit_log;
use uuid::Uuid;

use crate::domain::policy::Action;
use crate::error::Result;
use crate::graphql::context::authorized;
use crate::graphql::loaders::{History, PageOf};
use crate::graphql::pagination::{Conn, nested, window};
use crate::ids::{GlobalId, NodeType};

/// One entity changed by one mutation: who, when, through which operation, before and after.
pub struct AuditRecord(pub audit_log::Model);

/// The global id of an audited entity, where it has one.
fn entity_id(entity_type: &str, id: Uuid) -> String {
    match NodeType::from_name(entity_type) {
        Some(node_type) => GlobalId::encode(node_type, id),
        None => id.to_string(),
    }
}

#[Object]
impl AuditRecord {
    async fn id(&self) -> ID {
        self.0.id.to_string().into()
    }

    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The token subject that made the change (`system` for the service's own commands).
    async fn sub(&self) -> &str {
        &self.0.sub
    }

    /// The agency the caller acted for.
    async fn agency_code(&self) -> Option<&str> {
        self.0.agency_code.as_deref()
    }

    async fn roles(&self) -> Vec<&str> {
        self.0.roles.split(',').filter(|r| !r.is_empty()).collect()
    }

    /// The mutation (e.g. `createTask`) or command that made the change.
    async fn operation(&self) -> &str {
        &self.0.operation
    }

    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }

    /// The global ID of the changed entity (a link between documents has a plain UUID).
    async fn entity_id(&self) -> ID {
        entity_id(&self.0.entity_type, self.0.entity_id).into()
    }

    /// The entity's fields before the change; null when it was created.
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before.clone().map(Json)
    }

    /// The entity's fields after the change; null when it was deleted.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after.clone().map(Json)
    }

    /// The request that made the change (the client's `X-Request-Id` when it sent one).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}

/// The `history` of an entity: its audit records, oldest first. ADMIN only.
pub(super) async fn history_of(
    ctx: &Context<'_>,
    entity: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Conn<AuditRecord>> {
    let rc = authorized(ctx, Action::ReadAudit)?;
    let page = rc.load_ref(PageOf { parent: entity, spec: History(window(first, after)?) }).await?;
    Ok(nested(page, |r| r.id, AuditRecord))
}
