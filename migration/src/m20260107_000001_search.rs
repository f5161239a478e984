//! The search index: one row per agency, document and task with its text folded (lower case, no
//! marks), indexed by SQLite's FTS5 or PostgreSQL's full-text search. The service writes each row
//! in the transaction that changes the entity; deleting the entity deletes its row.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum SearchEntry {
    Table,
    Seq,
    NodeId,
    NodeType,
    AgencyId,
    DocumentId,
    TaskId,
    SymbolKey,
    Folded,
}

fn owner(column: SearchEntry, table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(SearchEntry::Table, column)
        .to(Alias::new(table), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

const SQLITE_FTS: [&str; 4] = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(folded, content='search_entry', content_rowid='seq', tokenize='unicode61')",
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN \
     INSERT INTO search_fts(rowid, folded) VALUES (new.seq, new.folded); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN \
     INSERT INTO search_fts(search_fts, rowid, folded) VALUES ('delete', old.seq, old.folded); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN \
     INSERT INTO search_fts(search_fts, rowid, folded) VALUES ('delete', old.seq, old.folded); \
     INSERT INTO search_fts(rowid, folded) VALUES (new.seq, new.folded); END",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchEntry::Table)
                    // An integer key, which SQLite's FTS5 index refers to.
                    .col(ColumnDef::new(SearchEntry::Seq).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(SearchEntry::NodeId).uuid().not_null().unique_key())
                    .col(ColumnDef::new(SearchEntry::NodeType).text().not_null())
                    .col(ColumnDef::new(SearchEntry::AgencyId).uuid().null())
                    .col(ColumnDef::new(SearchEntry::DocumentId).uuid().null())
                    .col(ColumnDef::new(SearchEntry::TaskId).uuid().null())
                    .col(ColumnDef::new(SearchEntry::SymbolKey).text().null())
                    .col(ColumnDef::new(SearchEntry::Folded).text().not_null())
                    .foreign_key(&mut owner(SearchEntry::AgencyId, "agency"))
                    .foreign_key(&mut owner(SearchEntry::DocumentId, "document"))
                    .foreign_key(&mut owner(SearchEntry::TaskId, "task"))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_search_entry_symbol", SearchEntry::SymbolKey),
            ("idx_search_entry_agency", SearchEntry::AgencyId),
            ("idx_search_entry_document", SearchEntry::DocumentId),
            ("idx_search_entry_task", SearchEntry::TaskId),
        ] {
            manager.create_index(Index::create().name(name).table(SearchEntry::Table).col(column).to_owned()).await?;
        }
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE INDEX idx_search_entry_text ON search_entry USING gin (to_tsvector('simple', folded))",
                )
                .await?;
            }
            _ => {
                for sql in SQLITE_FTS {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP TABLE search_fts").await?;
        }
        manager.drop_table(Table::drop().table(SearchEntry::Table).to_owned()).await
    }
}
