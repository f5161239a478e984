//! First results of mutations sent with an idempotency key, so that their retries get them again.

use chrono::{Duration, Utc};
use entity::idempotency_key::{self, Column, Entity};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set, Statement};

use super::Tx;
use crate::error::Result;

/// How long a key is kept: at least a day, as promised to clients.
const KEEP: Duration = Duration::hours(25);

impl Tx {
    /// The first result kept under `key` for `sub`. On PostgreSQL a concurrent first attempt with the
    /// same key is waited for, so that the retry sees its result rather than racing it.
    pub async fn recall(&self, sub: &str, key: &str) -> Result<Option<idempotency_key::Model>> {
        if self.get_database_backend() == DbBackend::Postgres {
            let stmt = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(hashtext($1))",
                [format!("{sub}\u{1f}{key}").into()],
            );
            self.execute_raw(stmt).await?;
        }
        Ok(Entity::find_by_id((sub.to_owned(), key.to_owned())).one(self).await?)
    }

    /// Keeps a first result; keys older than a day are forgotten as new ones arrive.
    pub async fn keep(
        &self,
        sub: &str,
        key: &str,
        operation: &str,
        input_hash: &str,
        result: serde_json::Value,
    ) -> Result<()> {
        let now = Utc::now();
        Entity::delete_many().filter(Column::CreatedAt.lt(now - KEEP)).exec(self).await?;
        idempotency_key::ActiveModel {
            sub: Set(sub.to_owned()),
            key: Set(key.to_owned()),
            operation: Set(operation.to_owned()),
            input_hash: Set(input_hash.to_owned()),
            result: Set(result),
            created_at: Set(now),
        }
        .insert(self)
        .await?;
        Ok(())
    }
}
