//! The change feed: every committed change, numbered in commit order, with the agencies it concerns.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ChangeLog {
    Table,
    Sequence,
    EntityType,
    EntityId,
    Operation,
    Version,
    ChangedAt,
    Actor,
    DocumentId,
}

#[derive(DeriveIden, Clone, Copy)]
enum ChangeAgency {
    Table,
    AgencyId,
    Sequence,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChangeLog::Table)
                    .col(ColumnDef::new(ChangeLog::Sequence).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(ChangeLog::EntityType).text().not_null())
                    .col(ColumnDef::new(ChangeLog::EntityId).uuid().not_null())
                    .col(
                        ColumnDef::new(ChangeLog::Operation)
                            .text()
                            .not_null()
                            .check(Expr::col(ChangeLog::Operation).is_in(["UPSERT", "DELETE"])),
                    )
                    .col(ColumnDef::new(ChangeLog::Version).integer().null())
                    .col(ColumnDef::new(ChangeLog::ChangedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ChangeLog::Actor).text().not_null())
                    .col(ColumnDef::new(ChangeLog::DocumentId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_log_document")
                    .table(ChangeLog::Table)
                    .col(ChangeLog::DocumentId)
                    .col(ChangeLog::Sequence)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_log_entity")
                    .table(ChangeLog::Table)
                    .col(ChangeLog::EntityId)
                    .col(ChangeLog::Sequence)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChangeAgency::Table)
                    .col(ColumnDef::new(ChangeAgency::AgencyId).uuid().not_null())
                    .col(ColumnDef::new(ChangeAgency::Sequence).big_integer().not_null())
                    .primary_key(Index::create().col(ChangeAgency::AgencyId).col(ChangeAgency::Sequence))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ChangeAgency::Table, ChangeAgency::Sequence)
                            .to(ChangeLog::Table, ChangeLog::Sequence)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ChangeAgency::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ChangeLog::Table).to_owned()).await
    }
}
