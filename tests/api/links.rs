use serde_json::json;

use crate::db_tests;
use crate::helpers::{Gql, TestApp};

const LINK: &str = "mutation($i: LinkDocumentsInput!) { linkDocuments(input: $i) { from { symbol } to { symbol } } }";
const UNLINK: &str = "mutation($i: LinkDocumentsInput!) { unlinkDocuments(input: $i) { from { symbol } } }";

impl TestApp {
    async fn link(&self, from: &str, to: &str, kind: &str) -> Gql {
        self.gql(LINK, json!({ "i": { "fromId": from, "toId": to, "kind": kind } })).await
    }

    async fn three_documents(&self) -> [String; 3] {
        let bct = self.create_agency("BCT", "PARTY_CENTRAL", "CENTRAL", None).await;
        let a = self.create_document("57-KL/TW", &bct, "2023-06-15", &[]).await;
        let b = self.create_document("211-KH/TU", &bct, "2023-07-25", &[]).await;
        let c = self.create_document("139/KH-UBND", &bct, "2023-09-19", &[]).await;
        [a, b, c]
    }
}

async fn documents_implement_several_and_are_listed_both_ways(app: TestApp) {
    let [kl57, kh211, kh139] = app.three_documents().await;
    app.link(&kh211, &kl57, "IMPLEMENTS").await.data("linkDocuments");
    let r = app.link(&kh139, &kl57, "IMPLEMENTS").await;
    assert_eq!(r.str("linkDocuments.from.symbol"), "139/KH-UBND");
    app.link(&kh139, &kh211, "IMPLEMENTS").await.data("linkDocuments");
    // Linking again is harmless.
    app.link(&kh139, &kh211, "IMPLEMENTS").await.data("linkDocuments");

    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Document { implementedBy { totalCount nodes { symbol } } } } }",
            json!({ "id": kl57 }),
        )
        .await;
    assert_eq!(r.i64("node.implementedBy.totalCount"), 2);
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Document { implements { nodes { symbol } } } } }",
            json!({ "id": kh139 }),
        )
        .await;
    let parents: Vec<&str> =
        r.data("node.implements.nodes").as_array().unwrap().iter().map(|n| n["symbol"].as_str().unwrap()).collect();
    assert_eq!(parents, ["57-KL/TW", "211-KH/TU"]);

    let r = app.gql(UNLINK, json!({ "i": { "fromId": kh139, "toId": kl57, "kind": "IMPLEMENTS" } })).await;
    r.data("unlinkDocuments");
    let r = app.gql(UNLINK, json!({ "i": { "fromId": kh139, "toId": kl57, "kind": "IMPLEMENTS" } })).await;
    r.expect_error("NOT_FOUND");
}

async fn implements_and_replaces_links_never_form_a_cycle(app: TestApp) {
    let [a, b, c] = app.three_documents().await;
    app.link(&b, &a, "IMPLEMENTS").await.data("linkDocuments");
    app.link(&c, &b, "IMPLEMENTS").await.data("linkDocuments");
    let message = app.link(&a, &c, "IMPLEMENTS").await.expect_error("BAD_USER_INPUT");
    assert!(message.contains("cycle"), "{message}");
    app.link(&a, &a, "IMPLEMENTS").await.expect_error("BAD_USER_INPUT");

    app.link(&b, &a, "REPLACES").await.data("linkDocuments");
    app.link(&a, &b, "REPLACES").await.expect_error("BAD_USER_INPUT");
    // Other kinds may point both ways: guidance can be based on what it guides.
    app.link(&a, &c, "BASED_ON").await.data("linkDocuments");
    app.link(&c, &a, "BASED_ON").await.data("linkDocuments");
}

/// Two requests that would each be fine alone but together close a cycle: exactly one may win.
async fn racing_links_cannot_close_a_cycle(app: TestApp) {
    let bct = app.create_agency("BCT", "PARTY_CENTRAL", "CENTRAL", None).await;
    for round in 0..8 {
        let a = app.create_document(&format!("{}-KL/TW", 100 + round), &bct, "2023-06-15", &[]).await;
        let b = app.create_document(&format!("{}-KH/TW", 100 + round), &bct, "2023-06-15", &[]).await;
        let (ab, ba) = tokio::join!(app.link(&a, &b, "IMPLEMENTS"), app.link(&b, &a, "IMPLEMENTS"));
        let won = [&ab, &ba].iter().filter(|r| r.0.get("errors").is_none()).count();
        assert_eq!(won, 1, "round {round}: {:#} / {:#}", ab.0, ba.0);
        let loser = if ab.0.get("errors").is_some() { &ab } else { &ba };
        loser.expect_error("BAD_USER_INPUT");
    }
}

db_tests!(
    documents_implement_several_and_are_listed_both_ways,
    implements_and_replaces_links_never_form_a_cycle,
    racing_links_cannot_close_a_cycle,
);
