//! Each caller's spending of cost points in the current minute, shared by every instance.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum RateLimit {
    Table,
    Subject,
    WindowMinute,
    Spent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateLimit::Table)
                    .col(ColumnDef::new(RateLimit::Subject).text().not_null().primary_key())
                    .col(ColumnDef::new(RateLimit::WindowMinute).big_integer().not_null())
                    .col(ColumnDef::new(RateLimit::Spent).big_integer().not_null())
                    .check(Expr::col(RateLimit::Spent).gte(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RateLimit::Table).to_owned()).await
    }
}
