//! What status and lineage need: each task's due day as one date column, the history of deadline
//! extensions, and links from a task to the task it carries out.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Task {
    Table,
    Id,
    DueOn,
    ExtendedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum Document {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum DeadlineExtension {
    Table,
    Id,
    TaskId,
    PreviousDueOn,
    NewDueOn,
    ApprovedById,
    EffectiveOn,
    Reason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TaskRelation {
    Table,
    Id,
    FromId,
    ToId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The day a DATE or YEAR deadline falls due (31 December for a year), so that status is
        // a comparison of dates in SQL; and the day the latest extension took effect.
        manager
            .alter_table(
                Table::alter().table(Task::Table).add_column(ColumnDef::new(Task::DueOn).date().null()).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Task::Table).add_column(ColumnDef::new(Task::ExtendedOn).date().null()).to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE task SET due_on = deadline_date WHERE deadline_kind = 'DATE'").await?;
        let year_end = match manager.get_database_backend() {
            DbBackend::Postgres => "make_date(deadline_year, 12, 31)",
            _ => "printf('%04d-12-31', deadline_year)",
        };
        db.execute_unprepared(&format!("UPDATE task SET due_on = {year_end} WHERE deadline_kind = 'YEAR'")).await?;
        manager
            .create_index(Index::create().name("idx_task_due_on").table(Task::Table).col(Task::DueOn).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeadlineExtension::Table)
                    .col(ColumnDef::new(DeadlineExtension::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(DeadlineExtension::TaskId).uuid().not_null())
                    .col(ColumnDef::new(DeadlineExtension::PreviousDueOn).date().not_null())
                    .col(ColumnDef::new(DeadlineExtension::NewDueOn).date().not_null())
                    .col(ColumnDef::new(DeadlineExtension::ApprovedById).uuid().null())
                    .col(ColumnDef::new(DeadlineExtension::EffectiveOn).date().not_null())
                    .col(ColumnDef::new(DeadlineExtension::Reason).text().null())
                    .col(ColumnDef::new(DeadlineExtension::Version).integer().not_null().default(1))
                    .col(ColumnDef::new(DeadlineExtension::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(DeadlineExtension::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(DeadlineExtension::Table, DeadlineExtension::TaskId)
                            .to(Task::Table, Task::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // The dates stay as history if the approving document is deleted.
                    .foreign_key(
                        ForeignKey::create()
                            .from(DeadlineExtension::Table, DeadlineExtension::ApprovedById)
                            .to(Document::Table, Document::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .check(Expr::col(DeadlineExtension::NewDueOn).gt(Expr::col(DeadlineExtension::PreviousDueOn)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deadline_extension_task")
                    .table(DeadlineExtension::Table)
                    .col(DeadlineExtension::TaskId)
                    .col(DeadlineExtension::EffectiveOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deadline_extension_document")
                    .table(DeadlineExtension::Table)
                    .col(DeadlineExtension::ApprovedById)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TaskRelation::Table)
                    .col(ColumnDef::new(TaskRelation::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(TaskRelation::FromId).uuid().not_null())
                    .col(ColumnDef::new(TaskRelation::ToId).uuid().not_null())
                    .col(ColumnDef::new(TaskRelation::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(TaskRelation::Table, TaskRelation::FromId)
                            .to(Task::Table, Task::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TaskRelation::Table, TaskRelation::ToId)
                            .to(Task::Table, Task::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::col(TaskRelation::FromId).ne(Expr::col(TaskRelation::ToId)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_task_relation")
                    .table(TaskRelation::Table)
                    .col(TaskRelation::FromId)
                    .col(TaskRelation::ToId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_task_relation_to")
                    .table(TaskRelation::Table)
                    .col(TaskRelation::ToId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TaskRelation::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DeadlineExtension::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("idx_task_due_on").table(Task::Table).to_owned()).await?;
        for column in [Task::ExtendedOn, Task::DueOn] {
            manager.alter_table(Table::alter().table(Task::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
