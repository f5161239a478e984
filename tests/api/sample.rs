use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

const CASCADE: &str = "{ documents(filter: { symbol: \"57-KL/TW\" }) { totalCount nodes {
    symbol kind issuer { code } title(lang: \"en\")
    implementedBy(first: 50) { totalCount nodes { symbol issuer { code } tasks(first: 50) { totalCount } } } } } }";

async fn the_sample_holds_the_cascade_of_57_kl_tw(app: TestApp) {
    let loaded = app.seed_sample().await;
    assert!(loaded.documents >= 8 && loaded.tasks > 20 && loaded.reports > 3, "{loaded:?}");

    let r = app.gql(CASCADE, json!({})).await;
    assert_eq!(r.i64("documents.totalCount"), 1, "57-NQ/TW is another document");
    assert_eq!(r.str("documents.nodes.0.issuer.code"), "BCT");
    let children: Vec<String> = r
        .data("documents.nodes.0.implementedBy.nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["symbol"].as_str().unwrap().to_owned())
        .collect();
    for symbol in ["111-HD/BTGTW", "47/NQ-CP", "211-KH/TU", "139/KH-UBND"] {
        assert!(children.iter().any(|c| c == symbol), "{symbol} implements 57-KL/TW: {children:?}");
    }

    // 139/KH-UBND implements both 57-KL/TW and 211-KH/TU.
    let r = app.gql("{ documents(filter: { symbol: \"139/KH-UBND\", issuerCode: \"HY-UBND\" }) { nodes { implements { nodes { symbol } } } } }", json!({})).await;
    let parents: Vec<&str> = r
        .data("documents.nodes.0.implements.nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["symbol"].as_str().unwrap())
        .collect();
    assert!(parents.contains(&"57-KL/TW") && parents.contains(&"211-KH/TU"), "{parents:?}");

    let r = app
        .gql(
            "{ documents(filter: { symbol: \"47/NQ-CP\" }) { nodes { taskGroups { code title(lang: \"en\") } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data("documents.nodes.0.taskGroups").as_array().unwrap().len(), 5, "47/NQ-CP has five task groups");

    for code in ["HY-STTTT", "HN-STTTT"] {
        let r = app.gql("query($c: String!) { tasks(filter: { agencyCode: $c }) { totalCount nodes { content(lang: \"en\") } } }", json!({ "c": code })).await;
        assert!(r.i64("tasks.totalCount") > 0, "{code} presides over or coordinates sample tasks");
    }
    for symbol in ["837/QĐ-TTg", "2802/UBND-NC", "48/KH-UBND", "211-KH/TU"] {
        let r = app
            .gql("query($s: String!) { documents(filter: { symbol: $s }) { totalCount } }", json!({ "s": symbol }))
            .await;
        assert_eq!(r.i64("documents.totalCount"), 1, "{symbol}");
    }
    let r = app
        .gql(
            "{ tasks(filter: { progressState: COMPLETED }) { nodes { completedOn progressReports { totalCount } } } }",
            json!({}),
        )
        .await;
    assert!(!r.data("tasks.nodes").as_array().unwrap().is_empty());
}

async fn loading_the_sample_twice_changes_nothing(app: TestApp) {
    app.seed_sample().await;
    let snapshot = "{ documents(first: 100) { totalCount nodes { id version } } agencies(first: 100) { totalCount }
        tasks(first: 100) { totalCount nodes { id version assignments { id } progressReports { totalCount } } } }";
    let before = app.gql(snapshot, json!({})).await;
    let again = app.seed_sample().await;
    assert_eq!(again, api::seed::Loaded::default(), "nothing added the second time");
    let after = app.gql(snapshot, json!({})).await;
    assert_eq!(before.0, after.0);
}

db_tests!(the_sample_holds_the_cascade_of_57_kl_tw, loading_the_sample_twice_changes_nothing);
