//! The audit trail: one record per changed entity, in the same transaction as the change.

use api::domain::policy::Role;
use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

const LOG: &str = "query($id: ID) { auditLog(filter: {entityId: $id}, first: 100) { totalCount nodes {
    sub agencyCode roles operation entityType entityId before after requestId } } }";

async fn successful_mutations_are_recorded_with_their_actor(app: TestApp) {
    let admin = app.create_agency("HY-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let department = app.create_agency("HY-STTTT", "DEPARTMENT", "PROVINCIAL", Some(&admin)).await;
    let editor = app.token("editor@hy-ubnd", &[Role::Editor], Some("HY-UBND"));

    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&editor)
        .header("X-Request-Id", "hy-2025-0042")
        .json(&json!({ "query": "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }",
                        "variables": { "i": { "symbol": "139/KH-UBND", "issuerId": admin, "issuedOn": "2023-09-19",
                                              "title": "Kế hoạch thực hiện Kết luận số 57-KL/TW" } } }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    let doc = body["data"]["createDocument"]["document"]["id"].as_str().unwrap().to_owned();

    let r = app.gql(LOG, json!({ "id": doc })).await;
    assert_eq!(r.i64("auditLog.totalCount"), 1);
    let record = r.data("auditLog.nodes.0");
    assert_eq!(record["sub"], "editor@hy-ubnd");
    assert_eq!(record["agencyCode"], "HY-UBND");
    assert_eq!(record["roles"], json!(["EDITOR"]));
    assert_eq!(record["operation"], "createDocument");
    assert_eq!(record["entityType"], "Document");
    assert_eq!(record["entityId"], doc.as_str());
    assert!(record["before"].is_null());
    assert_eq!(record["after"]["symbol"], "139/KH-UBND");
    assert_eq!(record["requestId"], "hy-2025-0042");

    let r = app
        .gql_as(
            &editor,
            "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { version } } }",
            json!({ "i": { "id": doc, "expectedVersion": 1, "title": "Kế hoạch số 139/KH-UBND" } }),
        )
        .await;
    assert_eq!(r.i64("updateDocument.document.version"), 2);
    let r = app
        .gql("query($id: ID!) { node(id: $id) { ... on Document { history { totalCount nodes { operation before after } } } } }", json!({ "id": doc }))
        .await;
    assert_eq!(r.i64("node.history.totalCount"), 2);
    let update = r.data("node.history.nodes.1");
    assert_eq!(update["operation"], "updateDocument");
    assert_eq!(update["before"]["title"], "Kế hoạch thực hiện Kết luận số 57-KL/TW");
    assert_eq!(update["after"]["title"], "Kế hoạch số 139/KH-UBND");

    // A task and its two assignments: three records from one mutation.
    let task = app.create_task(&doc, "1", &department, &[&admin]).await;
    let r = app
        .gql("{ auditLog(filter: {sub: \"admin@test\"}, last: 3) { nodes { operation entityType } } }", json!({}))
        .await;
    let kinds: Vec<&str> =
        r.data("auditLog.nodes").as_array().unwrap().iter().map(|n| n["entityType"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Task", "TaskAssignment", "TaskAssignment"]);
    let r = app.gql(LOG, json!({ "id": task })).await;
    assert_eq!(r.str("auditLog.nodes.0.operation"), "createTask");
    let r = app.gql("{ auditLog(filter: {agencyCode: \"HY-UBND\"}) { totalCount } }", json!({})).await;
    assert_eq!(r.i64("auditLog.totalCount"), 2, "the editor's two changes");
}

async fn refused_and_failed_mutations_leave_no_record(app: TestApp) {
    let cp = app.create_agency("CP", "GOVERNMENT", "CENTRAL", None).await;
    let hy = app.create_agency("HY-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let doc = app.create_document("47/NQ-CP", &cp, "2024-04-15", &[]).await;
    let gone = app.create_agency("GONE", "OTHER", "CENTRAL", None).await;
    app.gql(
        "mutation($i: DeleteInput!) { deleteAgency(input: $i) { deletedId } }",
        json!({ "i": { "id": gone, "expectedVersion": 1 } }),
    )
    .await
    .data("deleteAgency");
    let before = app.gql("{ auditLog { totalCount } }", json!({})).await.i64("auditLog.totalCount");

    let editor = app.token("editor@hy-ubnd", &[Role::Editor], Some("HY-UBND"));
    let update = "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { version } } }";
    let r = app.gql_as(&editor, update, json!({ "i": { "id": doc, "expectedVersion": 1, "title": "x" } })).await;
    r.expect_error("FORBIDDEN");
    let r = app.gql(update, json!({ "i": { "id": doc, "expectedVersion": 9, "title": "x" } })).await;
    r.expect_error("CONFLICT");
    // A task whose coordinator does not exist fails after the task row was written: all of it goes.
    let r = app
        .gql(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
            json!({ "i": { "documentId": doc, "code": "1", "content": "x", "leadAgencyId": cp,
                           "coordinatorIds": [hy, gone] } }),
        )
        .await;
    assert!(r.0.get("errors").is_some());

    let after = app.gql("{ auditLog { totalCount } tasks { totalCount } }", json!({})).await;
    assert_eq!(after.i64("auditLog.totalCount"), before, "no record of what did not happen");
    assert_eq!(after.i64("tasks.totalCount"), 0);
    let r =
        app.gql("query($id: ID!) { node(id: $id) { ... on Document { title version } } }", json!({ "id": doc })).await;
    assert_eq!(r.i64("node.version"), 1);
}

async fn the_sample_is_recorded_as_the_system(app: TestApp) {
    app.seed_sample().await;
    let r = app.gql("{ auditLog(first: 1) { totalCount nodes { sub operation } } }", json!({})).await;
    assert!(r.i64("auditLog.totalCount") > 100);
    assert_eq!(r.str("auditLog.nodes.0.sub"), "system");
    assert_eq!(r.str("auditLog.nodes.0.operation"), "seedSample");
}

db_tests!(
    successful_mutations_are_recorded_with_their_actor,
    refused_and_failed_mutations_leave_no_record,
    the_sample_is_recorded_as_the_system,
);
