//! The GraphQL object types. Each wraps its entity model; relations go through the loaders.

mod agency;
mod audit;
mod document;
mod report;
mod symbol;
mod task;

use async_graphql::Interface;

pub use agency::Agency;
pub use audit::AuditRecord;
pub use document::Document;
pub use report::ProgressReport;
pub use symbol::DocumentSymbolType;
pub use task::{Task, TaskAssignment, TaskGroup};

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
