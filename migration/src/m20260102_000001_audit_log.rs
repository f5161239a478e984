//! The audit trail: one row per entity changed by a mutation, written in the same transaction.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Id,
    At,
    Sub,
    AgencyCode,
    Roles,
    Operation,
    EntityType,
    EntityId,
    Before,
    After,
    RequestId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(ColumnDef::new(AuditLog::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(AuditLog::At).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AuditLog::Sub).text().not_null())
                    .col(ColumnDef::new(AuditLog::AgencyCode).text().null())
                    .col(ColumnDef::new(AuditLog::Roles).text().not_null())
                    .col(ColumnDef::new(AuditLog::Operation).text().not_null())
                    .col(ColumnDef::new(AuditLog::EntityType).text().not_null())
                    .col(ColumnDef::new(AuditLog::EntityId).uuid().not_null())
                    .col(ColumnDef::new(AuditLog::Before).json_binary().null())
                    .col(ColumnDef::new(AuditLog::After).json_binary().null())
                    .col(ColumnDef::new(AuditLog::RequestId).text().null())
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_audit_log_entity", &["entity_id", "id"][..]),
            ("idx_audit_log_sub", &["sub", "id"][..]),
            ("idx_audit_log_agency", &["agency_code", "id"][..]),
            ("idx_audit_log_at", &["at"][..]),
        ] {
            let mut index = Index::create().name(name).table(AuditLog::Table).take();
            for col in cols {
                index.col(Alias::new(*col));
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await
    }
}
