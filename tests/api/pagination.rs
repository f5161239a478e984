use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
    agencies(first: $first, after: $after, last: $last, before: $before) {
        totalCount nodes { code } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";

fn codes(v: &Value) -> Vec<String> {
    v["data"]["agencies"]["nodes"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap().to_owned()).collect()
}

async fn lists_page_forward_and_backward(app: TestApp) {
    let all: Vec<String> = (0..25).map(|i| format!("A{i:02}")).collect();
    for code in &all {
        app.create_agency(code, "OTHER", "CENTRAL", None).await;
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app.gql(PAGE, json!({ "first": 10, "after": after })).await;
        assert_eq!(r.i64("agencies.totalCount"), 25);
        seen.extend(codes(&r.0));
        if !r.data("agencies.pageInfo.hasNextPage").as_bool().unwrap() {
            break;
        }
        after = Some(r.str("agencies.pageInfo.endCursor"));
    }
    assert_eq!(seen, all, "every item once, in creation order");

    let r = app.gql(PAGE, json!({ "last": 5 })).await;
    assert_eq!(codes(&r.0), all[20..]);
    assert!(r.data("agencies.pageInfo.hasPreviousPage").as_bool().unwrap());
    let before = r.str("agencies.pageInfo.startCursor");
    let r = app.gql(PAGE, json!({ "last": 5, "before": before })).await;
    assert_eq!(codes(&r.0), all[15..20]);

    let r = app.gql(PAGE, json!({})).await;
    assert_eq!(codes(&r.0).len(), 20, "the default page");
}

async fn page_arguments_are_checked(app: TestApp) {
    let r = app.gql(PAGE, json!({ "first": 101 })).await;
    let message = r.expect_error("BAD_USER_INPUT");
    assert!(message.contains("100"), "{message}");
    app.gql(PAGE, json!({ "first": 5, "last": 5 })).await.expect_error("BAD_USER_INPUT");
    app.gql(PAGE, json!({ "first": -1 })).await.expect_error("BAD_USER_INPUT");
    let r = app.gql(PAGE, json!({ "after": "bm90LWEtY3Vyc29y" })).await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("after"));
}

async fn nested_lists_page_per_parent(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    for i in 0..7 {
        app.create_task(&doc, &format!("{i}"), &lead, &[]).await;
    }
    let q = "query($id: ID!, $after: String) { node(id: $id) { ... on Document { tasks(first: 3, after: $after) {
        totalCount nodes { code } pageInfo { hasNextPage endCursor } } } } }";
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app.gql(q, json!({ "id": doc, "after": after })).await;
        assert_eq!(r.i64("node.tasks.totalCount"), 7, "the count covers the whole list on every page");
        seen.extend(
            r.data("node.tasks.nodes").as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap().to_owned()),
        );
        after = Some(r.str("node.tasks.pageInfo.endCursor"));
        if !r.data("node.tasks.pageInfo.hasNextPage").as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(seen, ["0", "1", "2", "3", "4", "5", "6"]);
    let r = app.gql(q, json!({ "id": doc, "after": after })).await;
    assert_eq!(r.i64("node.tasks.totalCount"), 7, "past the end, the count is still the list's");
    assert_eq!(r.data("node.tasks.nodes").as_array().unwrap().len(), 0);
}

db_tests!(lists_page_forward_and_backward, page_arguments_are_checked, nested_lists_page_per_parent);
