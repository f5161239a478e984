//! sea-orm entities: one module per table, no logic beyond the model.

pub mod agency;
pub mod agency_event;
pub mod agency_event_party;
pub mod agency_name;
pub mod audit_log;
pub mod change_agency;
pub mod change_log;
pub mod deadline_extension;
pub mod document;
pub mod document_relation;
pub mod external_reference;
pub mod idempotency_key;
pub mod progress_report;
pub mod rate_limit;
pub mod sea_orm_active_enums;
pub mod task;
pub mod task_assignment;
pub mod task_group;
pub mod task_relation;

pub mod prelude {
    pub use super::agency::Entity as Agency;
    pub use super::audit_log::Entity as AuditLog;
    pub use super::document::Entity as Document;
    pub use super::document_relation::Entity as DocumentRelation;
    pub use super::progress_report::Entity as ProgressReport;
    pub use super::task::Entity as Task;
    pub use super::task_assignment::Entity as TaskAssignment;
    pub use super::task_group::Entity as TaskGroup;
}
