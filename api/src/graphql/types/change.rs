use async_graphql::connection::CursorType;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::change_log;

use super::Node;
use crate::error::{Error, Result};
use crate::graphql::context::request;
use crate::graphql::query::load_node;
use crate::ids::{AgencyId, DocumentId, GlobalId, NodeType};

/// The kinds of entity the change feed carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ChangeEntityType {
    Agency,
    Document,
    DocumentRelation,
    TaskGroup,
    Task,
    TaskAssignment,
    ProgressReport,
    DeadlineExtension,
    TaskRelation,
    AgencyEvent,
    AgencyEventParty,
    AgencyName,
}

impl ChangeEntityType {
    const ALL: [Self; 12] = [
        Self::Agency,
        Self::Document,
        Self::DocumentRelation,
        Self::TaskGroup,
        Self::Task,
        Self::TaskAssignment,
        Self::ProgressReport,
        Self::DeadlineExtension,
        Self::TaskRelation,
        Self::AgencyEvent,
        Self::AgencyEventParty,
        Self::AgencyName,
    ];

    /// The name the feed stores (the entity's type name).
    pub fn stored(self) -> &'static str {
        match self {
            Self::Agency => "Agency",
            Self::Document => "Document",
            Self::DocumentRelation => "DocumentRelation",
            Self::TaskGroup => "TaskGroup",
            Self::Task => "Task",
            Self::TaskAssignment => "TaskAssignment",
            Self::ProgressReport => "ProgressReport",
            Self::DeadlineExtension => "DeadlineExtension",
            Self::TaskRelation => "TaskRelation",
            Self::AgencyEvent => "AgencyEvent",
            Self::AgencyEventParty => "AgencyEventParty",
            Self::AgencyName => "AgencyName",
        }
    }

    fn from_stored(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.stored() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ChangeOperation {
    /// Created or changed: `node` is the entity as it is now.
    Upsert,
    /// Deleted: `node` is null.
    Delete,
}

/// What a follower of the feed wants.
#[derive(InputObject, Default)]
pub struct ChangeScope {
    /// Changes concerning this agency: as issuer, or as presiding or coordinating agency of a task.
    pub agency_code: Option<String>,
    /// Changes of this document and of everything under it (what implements it, transitively).
    pub document_id: Option<ID>,
    pub entity_types: Option<Vec<ChangeEntityType>>,
}

impl ChangeScope {
    /// The store's scope; an unknown agency code is an error, not an empty feed.
    pub async fn resolve(self, ctx: &Context<'_>) -> Result<crate::store::ChangeScope> {
        let agency_id = match self.agency_code {
            Some(code) => {
                let agency = request(ctx).store.agencies_by_codes(&[code.trim().to_owned()]).await?.pop();
                let agency = agency
                    .ok_or_else(|| Error::bad_field("agencyCode", format!("no agency has the code {}", code.trim())))?;
                Some(AgencyId(agency.id).0)
            }
            None => None,
        };
        Ok(crate::store::ChangeScope {
            agency_id,
            document_id: self
                .document_id
                .map(|id| DocumentId::from_global(&id, "documentId"))
                .transpose()?
                .map(|d| d.0),
            entity_types: self.entity_types.unwrap_or_default().into_iter().map(ChangeEntityType::stored).collect(),
        })
    }
}

/// A position in the feed: the sequence of the last change seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedCursor(pub i64);

impl CursorType for FeedCursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, String> {
        let invalid = || format!("\"{}\" is not a cursor of the change feed", s.chars().take(40).collect::<String>());
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        text.strip_prefix("feed:").and_then(|n| n.parse().ok()).filter(|n| *n >= 0).map(FeedCursor).ok_or_else(invalid)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("feed:{}", self.0))
    }
}

/// One committed change of one entity.
pub struct Change(pub change_log::Model);

#[Object]
impl Change {
    /// Resume the feed after this change with `changes(after: cursor)`.
    async fn cursor(&self) -> String {
        FeedCursor(self.0.sequence).encode_cursor()
    }

    /// Gapless and increasing, in commit order.
    async fn sequence(&self) -> i64 {
        self.0.sequence
    }

    async fn operation(&self) -> ChangeOperation {
        if self.0.operation == "DELETE" { ChangeOperation::Delete } else { ChangeOperation::Upsert }
    }

    async fn entity_type(&self) -> Result<ChangeEntityType> {
        ChangeEntityType::from_stored(&self.0.entity_type)
            .ok_or_else(|| Error::internal(format!("unknown entity type {} in the feed", self.0.entity_type)))
    }

    /// The global ID of the entity (a link between documents has a plain UUID).
    async fn entity_id(&self) -> ID {
        match NodeType::from_name(&self.0.entity_type) {
            Some(node_type) => GlobalId::encode(node_type, self.0.entity_id).into(),
            None => self.0.entity_id.to_string().into(),
        }
    }

    /// The entity's version after the change.
    async fn version(&self) -> Option<i32> {
        self.0.version
    }

    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }

    /// The entity as it is now; null once it is deleted.
    async fn node(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        match NodeType::from_name(&self.0.entity_type) {
            Some(node_type) => load_node(request(ctx), &GlobalId::encode(node_type, self.0.entity_id)).await,
            None => Ok(None),
        }
    }
}
