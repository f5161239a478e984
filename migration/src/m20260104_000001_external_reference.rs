//! Keys of entities in other systems, so that those systems can create or update by their own key.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ExternalReference {
    Table,
    Id,
    Source,
    EntityType,
    ExternalId,
    EntityId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExternalReference::Table)
                    .col(ColumnDef::new(ExternalReference::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ExternalReference::Source).text().not_null())
                    .col(ColumnDef::new(ExternalReference::EntityType).text().not_null())
                    .col(ColumnDef::new(ExternalReference::ExternalId).text().not_null())
                    .col(ColumnDef::new(ExternalReference::EntityId).uuid().not_null())
                    .col(ColumnDef::new(ExternalReference::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_external_reference")
                    .table(ExternalReference::Table)
                    .col(ExternalReference::Source)
                    .col(ExternalReference::EntityType)
                    .col(ExternalReference::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_external_reference_entity")
                    .table(ExternalReference::Table)
                    .col(ExternalReference::EntityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ExternalReference::Table).to_owned()).await
    }
}
