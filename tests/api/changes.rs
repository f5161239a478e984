//! The change feed: every committed change once, in commit order, with scopes.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;

const FEED: &str = "query($after: String, $scope: ChangeScope) { changes(after: $after, first: 100, scope: $scope) {
    pageInfo { hasNextPage endCursor }
    nodes { cursor sequence operation entityType entityId version node { id } } } }";

/// Every change after `after` in `scope`, paging to the end.
async fn read_all(app: &TestApp, scope: Value) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app.gql(FEED, json!({ "after": after, "scope": scope })).await;
        let nodes = r.data("changes.nodes").as_array().unwrap().clone();
        if let Some(last) = nodes.last() {
            after = Some(last["cursor"].as_str().unwrap().to_owned());
        }
        let more = r.data("changes.pageInfo.hasNextPage").as_bool().unwrap();
        seen.extend(nodes);
        if !more {
            return seen;
        }
    }
}

fn kinds(changes: &[Value]) -> Vec<(String, String)> {
    changes
        .iter()
        .map(|c| (c["entityType"].as_str().unwrap().to_owned(), c["operation"].as_str().unwrap().to_owned()))
        .collect()
}

async fn the_feed_holds_every_change_in_order(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    let helper = app.create_agency("BNG", "MINISTRY", "CENTRAL", None).await;
    let task = app.create_task(&doc, "1", &lead, &[&helper]).await;
    app.gql(
        "mutation($i: DeleteInput!) { deleteTask(input: $i) { deletedId } }",
        json!({ "i": { "id": task, "expectedVersion": 1 } }),
    )
    .await
    .data("deleteTask");

    let all = read_all(&app, json!(null)).await;
    let sequences: Vec<i64> = all.iter().map(|c| c["sequence"].as_i64().unwrap()).collect();
    assert_eq!(sequences, (1..=sequences.len() as i64).collect::<Vec<_>>(), "gapless, from 1");
    let expected = [
        ("AGENCY", "UPSERT"),
        ("DOCUMENT", "UPSERT"),
        ("AGENCY", "UPSERT"),
        ("TASK", "UPSERT"),
        ("TASK_ASSIGNMENT", "UPSERT"),
        ("TASK_ASSIGNMENT", "UPSERT"),
        ("TASK", "DELETE"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(kinds(&all), expected);
    assert_eq!(all[1]["entityId"], doc.as_str());
    assert_eq!(all[1]["node"]["id"], doc.as_str(), "node is the entity as it is now");
    assert_eq!(all[1]["version"], 1);
    assert!(all[6]["node"].is_null(), "a tombstone has no node");

    // The head of the feed: following from it yields only what comes later.
    let head = app.gql("{ changesCursor }", json!({})).await.str("changesCursor");
    app.create_agency("LATER", "OTHER", "CENTRAL", None).await;
    let r = app.gql(FEED, json!({ "after": head })).await;
    let later = r.data("changes.nodes").as_array().unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0]["sequence"], sequences.len() as i64 + 1);

    let tasks_only = read_all(&app, json!({ "entityTypes": ["TASK"] })).await;
    assert_eq!(tasks_only.len(), 2);
    let bad = app.gql(FEED, json!({ "after": "bm9wZQ" })).await;
    assert_eq!(bad.error_field().as_deref(), Some("after"));
}

async fn scopes_follow_agencies_and_the_cascade(app: TestApp) {
    app.seed_sample().await;
    let start = read_all(&app, json!(null)).await.len();
    assert!(start > 100, "the sample's own changes are in the feed");
    let hy = read_all(&app, json!({ "agencyCode": "HY-STTTT", "entityTypes": ["TASK"] })).await;
    let hn = read_all(&app, json!({ "agencyCode": "HN-STTTT", "entityTypes": ["TASK"] })).await;
    assert!(!hy.is_empty() && !hn.is_empty());
    let hy_ids: HashSet<&str> = hy.iter().map(|c| c["entityId"].as_str().unwrap()).collect();
    let hn_ids: HashSet<&str> = hn.iter().map(|c| c["entityId"].as_str().unwrap()).collect();
    assert!(hy_ids.is_disjoint(&hn_ids), "a province sees its own tasks, not another's");
    for change in &hy {
        let r = app
            .gql(
                "query($id: ID!) { node(id: $id) { ... on Task { assignments { agency { code } } } } }",
                json!({ "id": change["entityId"] }),
            )
            .await;
        let codes: Vec<&str> = r
            .data("node.assignments")
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["agency"]["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"HY-STTTT"), "{codes:?}");
    }

    // 57-KL/TW's scope holds the tasks of the documents that carry it out, at any depth.
    let kl57 = app
        .gql("{ documents(filter: {symbol: \"57-KL/TW\"}) { nodes { id } } }", json!({}))
        .await
        .str("documents.nodes.0.id");
    let cascade = read_all(&app, json!({ "documentId": kl57, "entityTypes": ["DOCUMENT"] })).await;
    let symbols: Vec<String> = {
        let mut s = Vec::new();
        for change in &cascade {
            let r = app
                .gql(
                    "query($id: ID!) { node(id: $id) { ... on Document { symbol } } }",
                    json!({ "id": change["entityId"] }),
                )
                .await;
            s.push(r.str("node.symbol"));
        }
        s
    };
    for symbol in ["57-KL/TW", "47/NQ-CP", "139/KH-UBND", "48/KH-UBND"] {
        assert!(symbols.iter().any(|s| s == symbol), "{symbol} in {symbols:?}");
    }
    assert!(!symbols.iter().any(|s| s == "837/QĐ-TTg"), "another cascade: {symbols:?}");

    let r = app.gql(FEED, json!({ "scope": { "agencyCode": "NOPE" } })).await;
    r.expect_error("BAD_USER_INPUT");
}

/// 8 writers commit 1,000 changes each while a reader follows the feed: it must see each once.
async fn concurrent_writers_leave_no_gap(app: TestApp) {
    const WRITERS: usize = 8;
    const EACH: usize = 1000;
    let app = Arc::new(app);
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (app, done) = (app.clone(), done.clone());
        tokio::spawn(async move {
            let mut seen: Vec<i64> = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let r = app.gql(FEED, json!({ "after": after })).await;
                let nodes = r.data("changes.nodes").as_array().unwrap().clone();
                if let Some(last) = nodes.last() {
                    after = Some(last["cursor"].as_str().unwrap().to_owned());
                }
                seen.extend(nodes.iter().map(|n| n["sequence"].as_i64().unwrap()));
                // Only once the writers are done and a full read finds nothing more is the feed complete.
                if finished && nodes.is_empty() {
                    return seen;
                }
            }
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let app = app.clone();
            tokio::spawn(async move {
                for i in 0..EACH {
                    let r = app
                        .gql(
                            "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id } } }",
                            json!({ "i": { "code": format!("W{w}-{i}"), "name": "Đơn vị", "kind": "OTHER", "level": "CENTRAL" } }),
                        )
                        .await;
                    r.data("createAgency");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap();
    let distinct: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), seen.len(), "no change twice");
    assert_eq!(seen.len(), WRITERS * EACH, "every change once");
    assert_eq!(seen, (1..=(WRITERS * EACH) as i64).collect::<Vec<_>>(), "in sequence order, without gaps");
}

db_tests!(
    the_feed_holds_every_change_in_order,
    scopes_follow_agencies_and_the_cascade,
    concurrent_writers_leave_no_gap
);
