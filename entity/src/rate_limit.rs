use sea_orm::entity::prelude::*;

/// What one caller has spent of its cost budget in its current minute.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_limit")]
pub struct Model {
    /// `sub:<token sub>` or `anonymous:<address>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject: String,
    /// Whole minutes since the Unix epoch.
    pub window_minute: i64,
    pub spent: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
