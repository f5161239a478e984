//! Several instances starting at once against one PostgreSQL: each migration is applied once.

use std::process::Command;

use sea_orm::{ConnectionTrait, Database, Statement};

use crate::helpers::fresh_postgres_database;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_migrating_at_once_apply_each_migration_exactly_once() {
    let (database_url, _db) = fresh_postgres_database().await;
    let runs: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_directives"))
                .arg("migrate")
                .env("DATABASE_URL", &database_url)
                .env("RUST_LOG", "error")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("the binary starts")
        })
        .collect();
    let mut applied = Vec::new();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        let count: usize = stdout
            .strip_prefix("applied ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected output: {stdout}"));
        applied.push(count);
    }
    let db = Database::connect(&database_url).await.unwrap();
    assert!(api::store::pending_migrations(&db).await.unwrap().is_empty());
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM seaql_migrations"))
        .await
        .unwrap()
        .unwrap();
    let recorded: i64 = row.try_get("", "n").unwrap();
    assert_eq!(applied.iter().sum::<usize>() as i64, recorded, "runs reported {applied:?}");
    assert_eq!(applied.iter().filter(|&&n| n > 0).count(), 1, "one run applied them all: {applied:?}");
    db.close().await.unwrap();
}
