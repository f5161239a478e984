//! `directives generate`: a national dataset, the same for the same seed, consistent with what the
//! service reads.

use serde_json::json;

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::{backend_tests, db_tests};

async fn generate(app: &TestApp, tasks: u64, seed: u64) -> Result<api::generate::Generated, String> {
    let db = api::store::connect(&app.database_url, 2).await.expect("connect");
    api::generate::generate(&api::store::Store::new(db), api::generate::Spec { tasks, seed })
        .await
        .map_err(|e| e.message)
}

const SNAPSHOT: &str = "{ documents(first: 100) { totalCount nodes { id symbol issuedOn issuer { code }
    tasks(first: 100) { nodes { id code content deadline { kind date year recurrence } progressState completedOn
      assignments { role agency { code } } progressReports(first: 1) { totalCount } } } } } }";

async fn the_same_seed_gives_the_same_country(backend: Backend) {
    let app = spawn_app(backend).await;
    let made = generate(&app, 1_500, 42).await.expect("generates");
    assert_eq!(made.tasks, 1_500);
    assert!(made.agencies > 3_800 && made.assignments > made.tasks && made.reports > 0, "{made:?}");
    let first = app.gql(SNAPSHOT, json!({})).await;
    assert_eq!(first.data("documents.totalCount"), &json!(made.documents), "{:#}", first.0);

    // Into an empty database only.
    let again = generate(&app, 10, 42).await.unwrap_err();
    assert!(again.contains("empty database"), "{again}");

    let other = spawn_app(backend).await;
    generate(&other, 1_500, 42).await.expect("generates");
    assert_eq!(other.gql(SNAPSHOT, json!({})).await.0, first.0, "the same rows, ids included");
    let third = spawn_app(backend).await;
    generate(&third, 1_500, 43).await.expect("generates");
    assert_ne!(third.gql(SNAPSHOT, json!({})).await.0, first.0, "another seed, another country");
}

async fn the_generated_data_reads_like_any_other(app: TestApp) {
    let made = generate(&app, 3_000, 7).await.expect("generates");
    let r = app
        .gql(
            "{ flagship: documents(filter: { symbol: \"57-KL/TW\" }) { nodes {
                 progress(includeDescendants: true, asOf: \"2026-11-30\") { total byStatus { status count } }
                 progressByAgency(includeDescendants: true, role: PRESIDING, asOf: \"2026-11-30\") { progress { total } }
                 descendants(first: 1) { totalCount }
                 implementationCoverage(expected: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL }) { expectedCount } } }
               central: documents(filter: { issuerCode: \"BCT\" }) { totalCount }
               communes: agencies(filter: { level: COMMUNE }) { totalCount }
               search(query: \"thong tin doi ngoai\", first: 1) { totalCount }
               changes(first: 1) { nodes { sequence } } changesCursor
               auditLog(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    let flagship = r.data("flagship.nodes.0").clone();
    let total = flagship["progress"]["total"].as_u64().unwrap();
    assert_eq!(total, 300, "the flagship's cascade holds a tenth of the tasks");
    let by_status: u64 =
        flagship["progress"]["byStatus"].as_array().unwrap().iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(by_status, total);
    let statuses: Vec<&str> =
        flagship["progress"]["byStatus"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    for s in ["COMPLETED_ON_TIME", "COMPLETED_LATE", "IN_PROGRESS_OVERDUE", "ONGOING"] {
        assert!(statuses.contains(&s), "{s} among {statuses:?}");
    }
    let presided: u64 =
        flagship["progressByAgency"].as_array().unwrap().iter().map(|r| r["progress"]["total"].as_u64().unwrap()).sum();
    assert_eq!(presided, total, "each task has one presiding agency");
    assert!(flagship["descendants"]["totalCount"].as_u64().unwrap() > 1, "plans carry the flagship out");
    assert_eq!(flagship["implementationCoverage"]["expectedCount"], 34, "the 34 provinces");
    assert_eq!(r.i64("communes.totalCount"), 3_321);
    assert!(r.i64("search.totalCount") > 0, "the search index covers the generated tasks");
    assert_eq!(r.data("changes.nodes.0.sequence"), 1, "the feed holds every row from the first");
    assert_eq!(r.i64("auditLog.totalCount"), 0, "generated rows record no one's decision");
    let total_tasks = app.gql("{ tasks { totalCount } }", json!({})).await.i64("tasks.totalCount");
    assert_eq!(total_tasks as usize, made.tasks);
}

backend_tests!(the_same_seed_gives_the_same_country);
db_tests!(the_generated_data_reads_like_any_other);
