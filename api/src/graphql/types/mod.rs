//! The GraphQL object types. Each wraps its entity model; relations go through the loaders.

/// An entity's `#[Object]`, with the fields every entity has: `history`, `version`, `createdAt`,
/// `updatedAt`.
macro_rules! entity_object {
    (impl $ty:ident { $($fields:tt)* }) => {
        #[async_graphql::Object]
        impl $ty {
            $($fields)*

            /// Every change made to this entity, oldest first. ADMIN only.
            async fn history(
                &self,
                ctx: &async_graphql::Context<'_>,
                first: Option<i32>,
                after: Option<String>,
            ) -> crate::error::Result<crate::graphql::pagination::Conn<super::AuditRecord>> {
                super::audit::history_of(ctx, self.0.id, first, after).await
            }

            /// The entity's keys in other systems, set by the upsert mutations.
            async fn external_references(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> crate::error::Result<Vec<super::ExternalReference>> {
                let refs = crate::graphql::context::request(ctx)
                    .load_ref(crate::graphql::loaders::ReferencesOf(self.0.id))
                    .await?;
                Ok(refs.into_iter().map(|r| super::ExternalReference { source: r.source, external_id: r.external_id }).collect())
            }

            /// Grows with every change; updates and deletes send it back as `expectedVersion`.
            async fn version(&self) -> i32 {
                self.0.version
            }

            async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.0.created_at
            }

            async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.0.updated_at
            }
        }
    };
}

mod agency;
mod audit;
mod change;
mod document;
mod report;
pub mod rollup;
pub mod search;
mod symbol;
mod task;

use async_graphql::Interface;

pub use agency::Agency;
pub use audit::AuditRecord;
pub use change::{Change, ChangeScope, FeedCursor};
pub use document::Document;
pub use report::ProgressReport;
pub use symbol::DocumentSymbolType;
pub use task::{Deadline, Task, TaskAssignment, TaskGroup};

/// An entity's key in another system.
#[derive(async_graphql::SimpleObject)]
pub struct ExternalReference {
    /// The system, e.g. `hung-yen-egov`.
    pub source: String,
    pub external_id: String,
}

/// Every entity has an opaque global `id` that `node` and `nodes` resolve.
#[derive(Interface)]
#[graphql(name = "Node", field(name = "id", ty = "async_graphql::ID", desc = "The global ID of the entity."))]
pub enum Node {
    Agency(Agency),
    Document(Document),
    TaskGroup(TaskGroup),
    Task(Task),
    TaskAssignment(TaskAssignment),
    ProgressReport(ProgressReport),
}
