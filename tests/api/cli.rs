//! The command line, as an operator runs it: migrations and the sample are idempotent, and a
//! minted token opens the API.

use std::process::Command;

use serde_json::json;

use crate::db_tests;
use crate::helpers::{TEST_SECRET, TestApp};

pub fn directives(args: &[&str], database_url: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_directives"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("DIRECTIVES_JWT_SECRET", TEST_SECRET)
        .env("RUST_LOG", "error")
        .output()
        .expect("the command runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn operators_migrate_seed_and_mint_tokens(app: TestApp) {
    // The server migrated the database already: a second migration applies nothing.
    let (ok, out, _) = directives(&["migrate"], &app.database_url);
    assert!(ok && out.contains("applied 0 migration(s)"), "{out}");
    let (ok, out, _) = directives(&["seed", "sample"], &app.database_url);
    assert!(ok && out.contains("16 documents") && out.contains("3 reorganisations"), "{out}");
    let (ok, out, _) = directives(&["seed", "sample"], &app.database_url);
    assert!(
        ok && out.contains("0 agencies, 0 documents, 0 tasks, 0 progress reports, 0 reorganisations added"),
        "{out}"
    );

    let (ok, token, _) = directives(
        &["token", "issue", "--sub", "reporter@hy-stttt", "--role", "reporter", "--agency", "HY-STTTT", "--ttl", "5m"],
        &app.database_url,
    );
    assert!(ok);
    let r = app.gql_as(token.trim(), "{ tasks(filter: {agencyCode: \"HY-STTTT\"}) { totalCount } }", json!({})).await;
    assert!(r.i64("tasks.totalCount") > 0);
    let (ok, _, err) = directives(&["token", "issue", "--sub", "x", "--role", "BOSS"], &app.database_url);
    assert!(!ok && err.contains("not a role"), "{err}");

    let (ok, sdl, _) = directives(&["schema"], &app.database_url);
    assert!(ok);
    assert_eq!(sdl, api::graphql::schema::sdl());
}

db_tests!(operators_migrate_seed_and_mint_tokens);
