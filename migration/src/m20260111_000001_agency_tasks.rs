//! An agency's current tasks in task order, the order of every page of them.
//!
//! `idx_task_assignment_agency (agency_id, role)` finds an agency's assignments, ended ones
//! included, in no useful order: a page of "the overdue tasks of this agency, first 50" then read
//! every assignment the agency ever held and sorted their tasks before the first one could be
//! returned. With the current ones in task order (role beside them, for pages of one role), the
//! page walks them from the start and stops once it has its 50.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TaskAssignment {
    Table,
    AgencyId,
    TaskId,
    Role,
    EndedOn,
}

const INDEX: &str = "idx_task_assignment_agency_current";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(TaskAssignment::Table)
                    .col(TaskAssignment::AgencyId)
                    .col(TaskAssignment::TaskId)
                    .col(TaskAssignment::Role)
                    .and_where(Expr::col(TaskAssignment::EndedOn).is_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(INDEX).table(TaskAssignment::Table).to_owned()).await
    }
}
