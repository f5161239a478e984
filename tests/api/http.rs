//! The HTTP surface beyond GraphQL itself: GraphiQL, probes, GET rules, and the published schema.

use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

async fn graphiql_is_served_from_the_binary_alone(app: TestApp) {
    let resp = app.get("/graphql", "text/html,application/xhtml+xml").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = resp.text().await.unwrap();
    assert!(page.contains("GraphiQL"));
    assert!(page.contains("57-KL/TW"), "the default query shows the cascade");
    // Every script and stylesheet the page loads is one of ours.
    let mut sources = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in page.split(attr).skip(1) {
            sources.push(part.split('"').next().unwrap().to_owned());
        }
    }
    assert!(sources.len() >= 5, "{sources:?}");
    for src in &sources {
        assert!(src.starts_with("/graphiql/assets/"), "the page loads {src} from elsewhere");
        let asset = app.get(src, "*/*").await;
        assert_eq!(asset.status(), 200, "{src}");
        assert!(!asset.bytes().await.unwrap().is_empty());
    }
    for host in ["unpkg", "jsdelivr", "esm.sh", "cdnjs", "googleapis"] {
        assert!(!page.contains(host), "the page names {host}");
    }
    assert_eq!(app.get("/graphiql/assets/nope.js", "*/*").await.status(), 404);
}

async fn queries_work_over_get_but_mutations_do_not(app: TestApp) {
    let resp = app.get("/graphql?query=%7B%20agencies%20%7B%20totalCount%20%7D%20%7D", "application/json").await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["agencies"]["totalCount"], 0);

    let mutation =
        "mutation { createAgency(input: {code: \"X\", name: \"x\", kind: OTHER, level: CENTRAL}) { agency { id } } }";
    let resp = app
        .client
        .get(format!("{}/graphql", app.address))
        .bearer_auth(&app.admin_token)
        .query(&[("query", mutation)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let r = app.gql("{ agencies { totalCount } }", json!({})).await;
    assert_eq!(r.i64("agencies.totalCount"), 0, "the GET changed nothing");
}

async fn probes_report_health_and_readiness(app: TestApp) {
    assert_eq!(app.get("/healthz", "*/*").await.status(), 200);
    let ready = app.get("/readyz", "*/*").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap()["status"], "ok");
}

async fn a_bad_date_says_what_was_expected(app: TestApp) {
    let r = app.gql("{ documents(filter: { issuedFrom: \"15/06/2023\" }) { totalCount } }", json!({})).await;
    let message = r.expect_error("BAD_USER_INPUT");
    assert!(message.contains("YYYY-MM-DD"), "{message}");
    assert!(!message.to_lowercase().contains("sql") && !message.contains("sea_orm"), "{message}");
}

db_tests!(
    graphiql_is_served_from_the_binary_alone,
    queries_work_over_get_but_mutations_do_not,
    probes_report_health_and_readiness,
    a_bad_date_says_what_was_expected,
);

#[test]
fn schema_graphql_is_what_the_code_serves() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        committed == api::graphql::schema::sdl(),
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql` and review the diff"
    );
}
