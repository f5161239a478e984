//! What a national dataset (a million tasks) showed to be missing.
//!
//! - A document's tasks in id order, the order of every page of them: without it, a page of 20
//!   tasks of one document is found by walking the tasks of every document.
//! - A task's assignments, ended ones included (the unique indexes cover only current ones):
//!   without it, the assignments of a page of tasks are found by reading all of them.
//! - On PostgreSQL, the folded text's search vector stored beside it: ranking and rechecking the
//!   matches of common words (thousands of rows for a phrase of everyday administrative
//!   Vietnamese) then reads the vector instead of parsing the text again for every row. SQLite's
//!   FTS5 keeps its own index and needs nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 3] = [
    "ALTER TABLE search_entry ADD COLUMN search_vector tsvector \
     GENERATED ALWAYS AS (to_tsvector('simple', folded)) STORED",
    "CREATE INDEX idx_search_entry_vector ON search_entry USING gin (search_vector)",
    "DROP INDEX idx_search_entry_text",
];

const DOWN: [&str; 3] = [
    "CREATE INDEX idx_search_entry_text ON search_entry USING gin (to_tsvector('simple', folded))",
    "DROP INDEX idx_search_entry_vector",
    "ALTER TABLE search_entry DROP COLUMN search_vector",
];

#[derive(DeriveIden)]
enum Task {
    Table,
    DocumentId,
    Id,
}

#[derive(DeriveIden)]
enum TaskAssignment {
    Table,
    TaskId,
    Id,
}

const TASK_INDEX: &str = "idx_task_document_id";
const ASSIGNMENT_INDEX: &str = "idx_task_assignment_task";

async fn postgres_only(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for sql in statements {
        manager.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create().name(TASK_INDEX).table(Task::Table).col(Task::DocumentId).col(Task::Id).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(ASSIGNMENT_INDEX)
                    .table(TaskAssignment::Table)
                    .col(TaskAssignment::TaskId)
                    .col(TaskAssignment::Id)
                    .to_owned(),
            )
            .await?;
        postgres_only(manager, &UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        postgres_only(manager, &DOWN).await?;
        manager.drop_index(Index::drop().name(ASSIGNMENT_INDEX).table(TaskAssignment::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(TASK_INDEX).table(Task::Table).to_owned()).await
    }
}
