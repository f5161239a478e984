use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

const CREATE: &str = "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document {
    id symbol kind system status issuedOn title titleEn: title(lang: \"en\") version issuer { code }
    symbolParts { normalized system number year typeCode issuerCode unit } } } }";
const UPDATE: &str = "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { id title titleEn: title(lang: \"en\") status version } } }";

async fn a_document_stores_its_normalized_symbol_and_parts(app: TestApp) {
    let ttg = app.create_agency("TTG", "PRIME_MINISTER", "CENTRAL", None).await;
    let r = app
        .gql(
            CREATE,
            json!({ "i": { "symbol": "Số: 837/QD – TTg", "issuerId": ttg, "issuedOn": "2022-07-14",
            "title": "Quyết định phê duyệt Đề án", "titleEn": "Decision approving the Scheme" } }),
        )
        .await;
    let doc = "createDocument.document";
    assert_eq!(r.str(&format!("{doc}.symbol")), "837/QĐ-TTg");
    assert_eq!(r.str(&format!("{doc}.kind")), "DECISION", "the kind follows from the type code");
    assert_eq!(r.str(&format!("{doc}.system")), "STATE");
    assert_eq!(r.str(&format!("{doc}.status")), "IN_FORCE");
    assert_eq!(r.str(&format!("{doc}.titleEn")), "Decision approving the Scheme");
    assert_eq!(r.str(&format!("{doc}.symbolParts.typeCode")), "QĐ");
    assert_eq!(r.str(&format!("{doc}.symbolParts.issuerCode")), "TTg");
    assert_eq!(r.str(&format!("{doc}.symbolParts.number")), "837");

    // Found by any spelling of the symbol.
    let r =
        app.gql("{ documents(filter: { symbol: \"837/QĐ-TTg\" }) { totalCount nodes { symbol } } }", json!({})).await;
    assert_eq!(r.i64("documents.totalCount"), 1);
    let r = app.gql("{ documents(filter: { symbol: \"hello\" }) { totalCount } }", json!({})).await;
    r.expect_error("BAD_USER_INPUT");

    let bct = app.create_agency("BCT", "PARTY_CENTRAL", "CENTRAL", None).await;
    let r = app
        .gql(
            CREATE,
            json!({ "i": { "symbol": "57-KL/TW", "issuerId": bct, "issuedOn": "2023-06-15", "title": "Kết luận" } }),
        )
        .await;
    assert_eq!(r.str("createDocument.document.system"), "PARTY");
    assert_eq!(r.str("createDocument.document.kind"), "CONCLUSION");
    let r = app.gql("{ documents(filter: { system: PARTY, issuedFrom: \"2023-01-01\", issuedTo: \"2023-12-31\" }) { nodes { symbol } } }", json!({})).await;
    assert_eq!(r.data("documents.nodes").as_array().unwrap().len(), 1);
    assert_eq!(r.str("documents.nodes.0.symbol"), "57-KL/TW");
}

async fn garbage_symbols_are_refused_with_what_was_expected(app: TestApp) {
    let cp = app.create_agency("CP", "GOVERNMENT", "CENTRAL", None).await;
    for garbage in ["hello", "57", "/KL-"] {
        let r = app
            .gql(CREATE, json!({ "i": { "symbol": garbage, "issuerId": cp, "issuedOn": "2024-04-15", "title": "x" } }))
            .await;
        let message = r.expect_error("BAD_USER_INPUT");
        assert!(message.contains("expected"), "{garbage}: {message}");
        assert_eq!(r.error_field().as_deref(), Some("symbol"));
        let r = app.gql("query($s: String!) { parseSymbol(symbol: $s) { normalized } }", json!({ "s": garbage })).await;
        r.expect_error("BAD_USER_INPUT");
    }
    // The year in a legal normative document's symbol must be its year of issue.
    let r = app
        .gql(
            CREATE,
            json!({ "i": { "symbol": "30/2020/NĐ-CP", "issuerId": cp, "issuedOn": "2021-03-05", "title": "x" } }),
        )
        .await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("issuedOn"));
}

async fn a_symbol_is_unique_per_issuer_and_year(app: TestApp) {
    let hy = app.create_agency("HY-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let hn = app.create_agency("HN-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    app.create_document("139/KH-UBND", &hy, "2023-09-19", &[]).await;
    // Another province's 139/KH-UBND of the same year, and Hưng Yên's of another year, are other documents.
    app.create_document("139/KH-UBND", &hn, "2023-05-02", &[]).await;
    app.create_document("139/KH-UBND", &hy, "2024-06-01", &[]).await;
    let r = app
        .gql(
            CREATE,
            json!({ "i": { "symbol": "139/KH-UBND", "issuerId": hy, "issuedOn": "2023-12-01", "title": "x" } }),
        )
        .await;
    let message = r.expect_error("CONFLICT");
    assert!(message.contains("2023"), "{message}");
    let r = app.gql("{ documents(filter: { symbol: \"139/KH-UBND\" }) { totalCount } }", json!({})).await;
    assert_eq!(r.i64("documents.totalCount"), 3);
}

async fn updates_are_versioned_and_deletes_take_the_tasks(app: TestApp) {
    let (agency, doc) = app.document_with_issuer().await;
    let r = app
        .gql(
            UPDATE,
            json!({ "i": { "id": doc, "expectedVersion": 1, "titleEn": "Action Program", "status": "AMENDED" } }),
        )
        .await;
    assert_eq!(r.i64("updateDocument.document.version"), 2);
    assert_eq!(r.str("updateDocument.document.titleEn"), "Action Program");
    assert_eq!(r.str("updateDocument.document.status"), "AMENDED");
    let r = app.gql(UPDATE, json!({ "i": { "id": doc, "expectedVersion": 1, "title": "stale" } })).await;
    r.expect_error("CONFLICT");
    assert_eq!(r.error_field().as_deref(), Some("expectedVersion"));
    let r = app.gql(UPDATE, json!({ "i": { "id": doc, "expectedVersion": 2, "titleEn": null } })).await;
    assert_eq!(
        r.str("updateDocument.document.titleEn"),
        r.str("updateDocument.document.title"),
        "null clears a translation"
    );

    let task = app.create_task(&doc, "1", &agency, &[]).await;
    let r = app
        .gql(
            "mutation($i: DeleteInput!) { deleteDocument(input: $i) { deletedId } }",
            json!({ "i": { "id": doc, "expectedVersion": 3 } }),
        )
        .await;
    assert_eq!(r.str("deleteDocument.deletedId"), doc);
    let r = app.gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": [doc, task] })).await;
    assert_eq!(r.data("nodes"), &json!([null, null]), "the document's tasks went with it");
}

async fn node_and_nodes_resolve_every_type(app: TestApp) {
    let (agency, doc) = app.document_with_issuer().await;
    let task = app.create_task(&doc, "1", &agency, &[]).await;
    let r = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Task { code } ... on Agency { code } } }",
            json!({ "ids": [task, agency, doc] }),
        )
        .await;
    let types: Vec<&str> =
        r.data("nodes").as_array().unwrap().iter().map(|n| n["__typename"].as_str().unwrap()).collect();
    assert_eq!(types, ["Task", "Agency", "Document"], "in the order asked");
    assert_eq!(r.str("nodes.0.id"), task);
    let r = app.gql("{ node(id: \"not-an-id\") { id } }", json!({})).await;
    r.expect_error("BAD_USER_INPUT");
    // A well-formed id of the wrong type for an input is refused, naming the field.
    let r = app.create_task_raw(&agency, &doc).await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("documentId"));
}

impl TestApp {
    async fn create_task_raw(&self, document: &str, lead: &str) -> crate::helpers::Gql {
        self.gql(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
            json!({ "i": { "documentId": document, "code": "1", "content": "x", "leadAgencyId": lead } }),
        )
        .await
    }
}

db_tests!(
    a_document_stores_its_normalized_symbol_and_parts,
    garbage_symbols_are_refused_with_what_was_expected,
    a_symbol_is_unique_per_issuer_and_year,
    updates_are_versioned_and_deletes_take_the_tasks,
    node_and_nodes_resolve_every_type,
);
