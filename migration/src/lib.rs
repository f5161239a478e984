//! Schema migrations: one module per change, the same code for SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20260101_000001_core;
mod m20260102_000001_audit_log;
mod m20260103_000001_change_log;
mod m20260104_000001_external_reference;
mod m20260105_000001_idempotency_key;
mod m20260106_000001_cascade;
mod m20260107_000001_search;
mod m20260108_000001_reorganisation;
mod m20260109_000001_rate_limit;
mod m20260110_000001_national_scale;
mod m20260111_000001_agency_tasks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_core::Migration),
            Box::new(m20260102_000001_audit_log::Migration),
            Box::new(m20260103_000001_change_log::Migration),
            Box::new(m20260104_000001_external_reference::Migration),
            Box::new(m20260105_000001_idempotency_key::Migration),
            Box::new(m20260106_000001_cascade::Migration),
            Box::new(m20260107_000001_search::Migration),
            Box::new(m20260108_000001_reorganisation::Migration),
            Box::new(m20260109_000001_rate_limit::Migration),
            Box::new(m20260110_000001_national_scale::Migration),
            Box::new(m20260111_000001_agency_tasks::Migration),
        ]
    }
}
