//! Search on the sample: Vietnamese without marks, symbols however written, an index that follows
//! every change; and the language of a request.

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Gql, TestApp};

const SEARCH: &str = "query($q: String!, $t: [SearchType!], $first: Int, $after: String) {
    search(query: $q, types: $t, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        nodes { score node { __typename id ... on Document { symbol } ... on Task { code content } ... on Agency { code } } } } }";

/// `(typename, symbol or code)` of each hit, best first.
fn hits(r: &Gql) -> Vec<(String, String)> {
    r.data("search.nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let node = &h["node"];
            let key = node.get("symbol").or(node.get("code")).and_then(Value::as_str).unwrap_or("");
            (node["__typename"].as_str().unwrap().to_owned(), key.to_owned())
        })
        .collect()
}

async fn vietnamese_is_found_without_its_marks(app: TestApp) {
    app.seed_sample().await;
    let plain = app.gql(SEARCH, json!({ "q": "thong tin doi ngoai", "first": 100 })).await;
    let marked = app.gql(SEARCH, json!({ "q": "Thông tin ĐỐI NGOẠI", "first": 100 })).await;
    assert!(plain.i64("search.totalCount") > 10, "{:#}", plain.0);
    assert_eq!(hits(&plain), hits(&marked), "case and marks do not matter");
    let found = hits(&plain);
    assert!(found.contains(&("Document".into(), "57-KL/TW".into())), "{found:?}");
    assert!(
        found.contains(&("Agency".into(), "BCD-TTDN".into())),
        "Ban Chỉ đạo công tác thông tin đối ngoại: {found:?}"
    );

    // Đ folds to d; a last word matches as a prefix.
    let r = app.gql(SEARCH, json!({ "q": "dai su quan phap", "t": ["AGENCY"] })).await;
    assert_eq!(hits(&r), [("Agency".to_owned(), "DSQ-FR".to_owned())]);
    let r = app.gql(SEARCH, json!({ "q": "So Ngoai vu Hung", "t": ["AGENCY"] })).await;
    assert_eq!(hits(&r), [("Agency".to_owned(), "HY-SNV".to_owned())]);

    // Types narrow the results; nothing matches nonsense.
    let r = app.gql(SEARCH, json!({ "q": "thong tin doi ngoai", "t": ["TASK"], "first": 100 })).await;
    assert!(hits(&r).iter().all(|(t, _)| t == "Task"));
    let r = app.gql(SEARCH, json!({ "q": "xyzzy quux" })).await;
    assert_eq!(r.i64("search.totalCount"), 0);
    let r = app.gql(SEARCH, json!({ "q": " -- " })).await;
    assert_eq!(r.i64("search.totalCount"), 0);
}

async fn a_symbol_finds_its_document_first(app: TestApp) {
    app.seed_sample().await;
    for (query, symbol) in [
        ("57-KL/TW", "57-KL/TW"),
        ("57 KL TW", "57-KL/TW"),
        ("57-kl/tw", "57-KL/TW"),
        ("837/QD-TTg", "837/QĐ-TTg"),
        ("Số: 837/QĐ – TTg", "837/QĐ-TTg"),
        ("139/kh-ubnd", "139/KH-UBND"),
    ] {
        let r = app.gql(SEARCH, json!({ "q": query })).await;
        let found = hits(&r);
        assert_eq!(found.first(), Some(&("Document".to_owned(), symbol.to_owned())), "{query}: {found:?}");
        let scores: Vec<f64> =
            r.data("search.nodes").as_array().unwrap().iter().map(|h| h["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    }
    // 57-NQ/TW shares the number, not the symbol.
    let r = app.gql(SEARCH, json!({ "q": "57 NQ TW" })).await;
    assert_eq!(hits(&r)[0], ("Document".to_owned(), "57-NQ/TW".to_owned()));
}

async fn results_page_without_gaps(app: TestApp) {
    app.seed_sample().await;
    let all = app.gql(SEARCH, json!({ "q": "thong tin", "first": 100 })).await;
    let total = all.i64("search.totalCount");
    let ids: Vec<Value> =
        all.data("search.nodes").as_array().unwrap().iter().map(|h| h["node"]["id"].clone()).collect();
    assert_eq!(ids.len() as i64, total);
    let (mut paged, mut after) = (Vec::new(), Value::Null);
    loop {
        let r = app.gql(SEARCH, json!({ "q": "thong tin", "first": 7, "after": after })).await;
        assert_eq!(r.i64("search.totalCount"), total);
        paged.extend(r.data("search.nodes").as_array().unwrap().iter().map(|h| h["node"]["id"].clone()));
        if !r.data("search.pageInfo.hasNextPage").as_bool().unwrap() {
            break;
        }
        after = r.data("search.pageInfo.endCursor").clone();
    }
    assert_eq!(paged, ids);
    let r = app.gql(SEARCH, json!({ "q": "thong tin", "first": 101 })).await;
    assert_eq!(r.error_field().as_deref(), Some("first"));
    let r = app.gql(SEARCH, json!({ "q": "thong tin", "after": "nonsense" })).await;
    assert_eq!(r.error_field().as_deref(), Some("after"));
}

async fn the_index_follows_every_change(app: TestApp) {
    let (agency, document) = app.document_with_issuer().await;
    let task = app.create_task(&document, "1", &agency, &[]).await;
    let find = |q: &'static str| {
        let app = &app;
        async move { hits(&app.gql(SEARCH, json!({ "q": q, "first": 100 })).await) }
    };
    assert_eq!(find("nhiem vu").await, [("Task".to_owned(), "1".to_owned())]);

    let r = app
        .gql(
            "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { version } } }",
            json!({ "i": { "id": task, "expectedVersion": 1, "content": "Xây dựng Cổng thông tin điện tử quốc gia về thông tin đối ngoại" } }),
        )
        .await;
    r.data("updateTask");
    assert!(find("nhiem vu").await.is_empty(), "the old text is gone");
    assert_eq!(find("cong thong tin dien tu").await, [("Task".to_owned(), "1".to_owned())]);

    let r = app
        .gql(
            "mutation($i: DeleteInput!) { deleteTask(input: $i) { deletedId } }",
            json!({ "i": { "id": task, "expectedVersion": 2 } }),
        )
        .await;
    r.data("deleteTask");
    assert!(find("cong thong tin dien tu").await.is_empty(), "a deleted task is not found");
    // Deleting a document takes its tasks' entries with it.
    let other = app.create_task(&document, "2", &agency, &[]).await;
    assert_eq!(find("nhiem vu 2").await.len(), 1, "{other}");
    let r = app
        .gql(
            "mutation($i: DeleteInput!) { deleteDocument(input: $i) { deletedId } }",
            json!({ "i": { "id": document, "expectedVersion": 1 } }),
        )
        .await;
    r.data("deleteDocument");
    assert!(find("nhiem vu 2").await.is_empty());
    assert!(find("47 NQ CP").await.is_empty());
}

async fn accept_language_sets_the_default_language(app: TestApp) {
    app.seed_sample().await;
    let q = "{ documents(filter: { symbol: \"57-KL/TW\" }) { nodes { title vi: title(lang: \"vi\") } } }";
    let vietnamese = app.gql(q, json!({})).await;
    let original = vietnamese.str("documents.nodes.0.title");
    let english = app.gql_with_header("Accept-Language", "fr-FR, en;q=0.8", q).await;
    let title = english.str("documents.nodes.0.title");
    assert_ne!(title, original);
    assert!(title.contains("Politburo"), "{title}");
    assert_eq!(english.str("documents.nodes.0.vi"), original, "lang overrides the header");
    let preferred = app.gql_with_header("Accept-Language", "vi, en;q=0.9", q).await;
    assert_eq!(preferred.str("documents.nodes.0.title"), original);
}

/// A database from before the search index: its entities are indexed when the service migrates.
async fn entities_older_than_the_index_are_indexed_when_migrating(app: TestApp) {
    use sea_orm::ConnectionTrait;

    app.seed_sample().await;
    // The DELETE below goes around the change feed, which the service's memo of searches trusts
    // (every write of the service appends to it): look before migrating with an instance that
    // remembers nothing (started now: starting migrates).
    let cold = app.second_instance_with(|s| s.cascade_cache = 0).await;
    let db = api::store::connect(&app.database_url, 1).await.unwrap();
    db.execute_unprepared("DELETE FROM search_entry").await.unwrap();
    let r = cold.gql(SEARCH, json!({ "q": "57 KL TW" })).await;
    assert_eq!(r.i64("search.totalCount"), 0);
    assert_eq!(api::store::migrate(&db).await.unwrap(), 0, "no migration was pending");
    let r = app.gql(SEARCH, json!({ "q": "57 KL TW" })).await;
    assert_eq!(hits(&r)[0], ("Document".to_owned(), "57-KL/TW".to_owned()));
    let r = app.gql(SEARCH, json!({ "q": "dai su quan phap", "t": ["AGENCY"] })).await;
    assert_eq!(hits(&r), [("Agency".to_owned(), "DSQ-FR".to_owned())]);
}

/// A search asked again before anything is committed is answered from memory; any commit, on
/// this instance or another, is seen by the next search.
async fn searches_are_remembered_until_the_next_commit(app: TestApp) {
    app.seed_sample().await;
    // The caller's first request of the minute opens its rate-limit budget, which costs SQLite
    // an extra statement: spend it elsewhere so that only the search differs below.
    app.gql(SEARCH, json!({ "q": "57 KL TW" })).await;
    let vars = json!({ "q": "thong tin doi ngoai", "first": 5 });
    let first = app.gql_counted(SEARCH, vars.clone()).await;
    let again = app.gql_counted(SEARCH, vars.clone()).await;
    assert_eq!(again.data("search"), first.data("search"));
    assert_eq!(
        again.sql_statements(),
        first.sql_statements() - 1,
        "the same hits without ranking them again: {} then {}",
        first.sql_statements(),
        again.sql_statements()
    );
    let total = first.i64("search.totalCount");

    let plan =
        app.gql("{ documents(filter: { symbol: \"57-KL/TW\" }) { nodes { id issuer { id } } } }", json!({})).await;
    let (document, issuer) = (plan.str("documents.nodes.0.id"), plan.str("documents.nodes.0.issuer.id"));
    let other = app.second_instance().await;
    let task = other
        .gql(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
            json!({ "i": { "documentId": document, "code": "99", "leadAgencyId": issuer,
                "content": "Đẩy mạnh thông tin đối ngoại về biển, đảo" } }),
        )
        .await;
    task.str("createTask.task.id");
    let now = app.gql_counted(SEARCH, vars.clone()).await;
    assert_eq!(now.i64("search.totalCount"), total + 1, "the new task is found at once");

    let cold = app.second_instance_with(|s| s.cascade_cache = 0).await;
    let counts = [cold.gql_counted(SEARCH, vars.clone()).await, cold.gql_counted(SEARCH, vars).await];
    assert_eq!(counts[0].i64("search.totalCount"), total + 1);
    assert_eq!(
        counts.map(|r| r.sql_statements()),
        [now.sql_statements() - 1; 2],
        "with the memo off: no sequence to read, every search ranked afresh"
    );
}

db_tests!(
    searches_are_remembered_until_the_next_commit,
    entities_older_than_the_index_are_indexed_when_migrating,
    vietnamese_is_found_without_its_marks,
    a_symbol_finds_its_document_first,
    results_page_without_gaps,
    the_index_follows_every_change,
    accept_language_sets_the_default_language,
);
