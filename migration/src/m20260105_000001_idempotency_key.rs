//! First results of mutations sent with an idempotency key, for their retries.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum IdempotencyKey {
    Table,
    Sub,
    Key,
    Operation,
    InputHash,
    Result,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(ColumnDef::new(IdempotencyKey::Sub).text().not_null())
                    .col(ColumnDef::new(IdempotencyKey::Key).text().not_null())
                    .col(ColumnDef::new(IdempotencyKey::Operation).text().not_null())
                    .col(ColumnDef::new(IdempotencyKey::InputHash).text().not_null())
                    .col(ColumnDef::new(IdempotencyKey::Result).json_binary().not_null())
                    .col(ColumnDef::new(IdempotencyKey::CreatedAt).timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(IdempotencyKey::Sub).col(IdempotencyKey::Key))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_key_created")
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IdempotencyKey::Table).to_owned()).await
    }
}
