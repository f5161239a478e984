//! Reading a row for change: locked against concurrent writers and checked against the version
//! the client last saw.

use chrono::Utc;
use entity::{agency, document, progress_report, task, task_assignment, task_group};
use sea_orm::{ConnectionTrait, EntityTrait, PrimaryKeyTrait, QuerySelect};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Models that carry an optimistic-concurrency version.
pub trait Versioned {
    const WHAT: &'static str;
    fn version(&self) -> i32;
}

macro_rules! versioned {
    ($($module:ident => $what:literal),+ $(,)?) => {
        $(impl Versioned for $module::Model {
            const WHAT: &'static str = $what;
            fn version(&self) -> i32 {
                self.version
            }
        })+
    };
}

versioned!(
    agency => "the agency",
    document => "the document",
    task_group => "the task group",
    task => "the task",
    task_assignment => "the assignment",
    progress_report => "the progress report",
);

/// The row `id`, locked for this transaction (`FOR UPDATE` on PostgreSQL; SQLite's write
/// transaction already excludes other writers). NOT_FOUND if absent.
pub async fn lock<E, C>(tx: &C, id: Uuid) -> Result<E::Model>
where
    E: EntityTrait,
    E::Model: Versioned,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    C: ConnectionTrait,
{
    E::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| Error::not_found(format!("{} does not exist (it may have been deleted)", E::Model::WHAT)))
}

/// Like [`lock`], and the row must still be at `expected` version.
pub async fn lock_version<E, C>(tx: &C, id: Uuid, expected: i32) -> Result<E::Model>
where
    E: EntityTrait,
    E::Model: Versioned,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    C: ConnectionTrait,
{
    let row = lock::<E, C>(tx, id).await?;
    if row.version() != expected {
        return Err(Error::stale(E::Model::WHAT, expected, row.version()).with_field("expectedVersion"));
    }
    Ok(row)
}

/// The next version and the time of the change, for an update's SET clause.
pub fn bump(current: i32) -> (i32, chrono::DateTime<Utc>) {
    (current + 1, Utc::now())
}
