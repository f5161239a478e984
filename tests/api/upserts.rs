//! Create-or-update by another system's keys: a batch sent twice changes nothing the second time.

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;

const AGENCIES: &str = "mutation($i: UpsertAgenciesInput!) { upsertAgencies(input: $i) { agencies { id code version name(lang: \"en\") } } }";
const DOCUMENTS: &str =
    "mutation($i: UpsertDocumentsInput!) { upsertDocuments(input: $i) { documents { id symbol version } } }";
const TASKS: &str =
    "mutation($i: UpsertTasksInput!) { upsertTasks(input: $i) { tasks { id code version deadline { year }
    lead { code } coordinators { code } assignments { agency { code } role endedOn } } } }";
const COUNTS: &str = "{ changes(first: 100) { nodes { sequence } } auditLog { totalCount } }";

async fn feed_length(app: &TestApp) -> (usize, i64) {
    let r = app.gql(COUNTS, json!({})).await;
    (r.data("changes.nodes").as_array().unwrap().len(), r.i64("auditLog.totalCount"))
}

fn agencies(names: &[(&str, &str)]) -> Value {
    let items: Vec<Value> = names
        .iter()
        .map(|(code, en)| {
            json!({ "externalId": format!("edxml:{code}"), "code": code, "name": format!("Sở {code}"), "nameEn": en,
                                  "kind": "DEPARTMENT", "level": "PROVINCIAL" })
        })
        .collect();
    json!({ "i": { "source": "hung-yen-egov", "items": items } })
}

async fn a_batch_sent_twice_changes_nothing_the_second_time(app: TestApp) {
    let first = app
        .gql(AGENCIES, agencies(&[("HY-STTTT", "Department of ICT"), ("HY-SNV", "Department of Foreign Affairs")]))
        .await;
    let ids: Vec<String> = first
        .data("upsertAgencies.agencies")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    let before = feed_length(&app).await;
    let again = app
        .gql(AGENCIES, agencies(&[("HY-STTTT", "Department of ICT"), ("HY-SNV", "Department of Foreign Affairs")]))
        .await;
    assert_eq!(again.data("upsertAgencies.agencies"), first.data("upsertAgencies.agencies"), "same ids, same versions");
    assert_eq!(feed_length(&app).await, before, "no new change, no new audit record");

    let changed = app
        .gql(
            AGENCIES,
            agencies(&[
                ("HY-STTTT", "Department of Information and Communications"),
                ("HY-SNV", "Department of Foreign Affairs"),
            ]),
        )
        .await;
    assert_eq!(changed.str("upsertAgencies.agencies.0.id"), ids[0]);
    assert_eq!(changed.i64("upsertAgencies.agencies.0.version"), 2);
    assert_eq!(changed.i64("upsertAgencies.agencies.1.version"), 1);
    assert_eq!(feed_length(&app).await.0, before.0 + 1, "one change for the one item that changed");

    // An agency that exists without a reference is adopted by its code, not duplicated.
    let existing = app.create_agency("HY-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let adopted = app
        .gql(
            AGENCIES,
            json!({ "i": { "source": "hung-yen-egov", "items": [{ "externalId": "000.00.00.H41", "code": "HY-UBND",
            "name": "Cơ quan HY-UBND", "kind": "PEOPLES_COMMITTEE", "level": "PROVINCIAL" }] } }),
        )
        .await;
    assert_eq!(adopted.str("upsertAgencies.agencies.0.id"), existing);
    assert_eq!(adopted.i64("upsertAgencies.agencies.0.version"), 1);
    let r = app.gql("{ agency(code: \"HY-UBND\") { externalReferences { source externalId } } }", json!({})).await;
    assert_eq!(
        r.data("agency.externalReferences"),
        &json!([{ "source": "hung-yen-egov", "externalId": "000.00.00.H41" }])
    );
}

async fn tasks_are_upserted_with_their_agencies(app: TestApp) {
    let hy = app
        .gql(
            AGENCIES,
            agencies(&[
                ("HY-UBND", "People's Committee"),
                ("HY-STTTT", "ICT"),
                ("HY-SNV", "Foreign Affairs"),
                ("HY-SVH", "Culture"),
            ]),
        )
        .await;
    let id = |i: usize| hy.data("upsertAgencies.agencies").as_array().unwrap()[i]["id"].as_str().unwrap().to_owned();
    let (ubnd, stttt, snv, svh) = (id(0), id(1), id(2), id(3));
    let doc = json!({ "i": { "source": "hung-yen-egov", "items": [{ "externalId": "vb-139-2023", "symbol": "139/KH-UBND", "issuerId": ubnd,
        "issuedOn": "2023-09-19", "title": "Kế hoạch thực hiện Kết luận số 57-KL/TW" }] } });
    let d = app.gql(DOCUMENTS, doc.clone()).await;
    let document = d.str("upsertDocuments.documents.0.id");
    assert_eq!(app.gql(DOCUMENTS, doc).await.i64("upsertDocuments.documents.0.version"), 1);

    let task = |lead: &str, coordinators: &[&str]| {
        json!({ "i": { "source": "hung-yen-egov", "items": [{ "externalId": "nv-139-1",
        "documentId": document, "code": "1", "content": "Quảng bá hình ảnh Hưng Yên", "leadAgencyId": lead,
        "coordinatorIds": coordinators, "deadline": { "year": 2026 } }] } })
    };
    let t = app.gql(TASKS, task(&stttt, &[&snv])).await;
    assert_eq!(t.str("upsertTasks.tasks.0.lead.code"), "HY-STTTT");
    let before = feed_length(&app).await;
    let again = app.gql(TASKS, task(&stttt, &[&snv])).await;
    assert_eq!(again.data("upsertTasks.tasks.0"), t.data("upsertTasks.tasks.0"));
    assert_eq!(feed_length(&app).await, before, "nothing changed");

    // The coordinator becomes the lead, the old lead leaves, another coordinates: history is kept.
    let moved = app.gql(TASKS, task(&snv, &[&svh])).await;
    assert_eq!(moved.str("upsertTasks.tasks.0.lead.code"), "HY-SNV");
    let coordinators: Vec<&str> = moved
        .data("upsertTasks.tasks.0.coordinators")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(coordinators, ["HY-SVH"]);
    let ended = moved
        .data("upsertTasks.tasks.0.assignments")
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["endedOn"].is_null())
        .count();
    assert_eq!(ended, 2, "the old lead's and the old coordinator's roles ended");
    assert_eq!(moved.i64("upsertTasks.tasks.0.version"), 1, "the task's own fields did not change");
}

async fn batches_are_checked_whole(app: TestApp) {
    let too_many: Vec<Value> = (0..501)
        .map(|i| json!({ "externalId": format!("x{i}"), "code": format!("X{i}"), "name": "x", "kind": "OTHER", "level": "CENTRAL" }))
        .collect();
    let r = app.gql(AGENCIES, json!({ "i": { "source": "s", "items": too_many } })).await;
    assert_eq!(r.error_field().as_deref(), Some("items"));

    let r = app
        .gql(
            AGENCIES,
            json!({ "i": { "source": "s", "items": [
            { "externalId": "a", "code": "OK-1", "name": "x", "kind": "OTHER", "level": "CENTRAL" },
            { "externalId": "b", "code": "not a code", "name": "x", "kind": "OTHER", "level": "CENTRAL" } ] } }),
        )
        .await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("items[1].code"));

    // A failure in the store refuses the whole batch: the first item is not kept either.
    let r = app
        .gql(AGENCIES, json!({ "i": { "source": "s", "items": [
            { "externalId": "a", "code": "OK-1", "name": "x", "kind": "OTHER", "level": "CENTRAL" },
            { "externalId": "b", "code": "OK-2", "name": "x", "kind": "OTHER", "level": "CENTRAL", "parentId": "QWdlbmN5OjAxOWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE" } ] } }))
        .await;
    assert!(r.0.get("errors").is_some(), "{:#}", r.0);
    let r = app.gql("{ agencies { totalCount } }", json!({})).await;
    assert_eq!(r.i64("agencies.totalCount"), 0);
}

async fn upserts_go_through_the_same_policy(app: TestApp) {
    let cp = app.create_agency("CP", "GOVERNMENT", "CENTRAL", None).await;
    let hy = app.create_agency("HY-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let editor = app.token("editor@hy-ubnd", &[api::domain::policy::Role::Editor], Some("HY-UBND"));
    let r = app.gql_as(&editor, AGENCIES, agencies(&[("HY-SXD", "Construction")])).await;
    r.expect_error("FORBIDDEN");
    let plan = |issuer: &str, symbol: &str| {
        json!({ "i": { "source": "hung-yen-egov", "items": [{ "externalId": symbol,
        "symbol": symbol, "issuerId": issuer, "issuedOn": "2025-01-10", "title": "Kế hoạch" }] } })
    };
    let r = app.gql_as(&editor, DOCUMENTS, plan(&hy, "5/KH-UBND")).await;
    assert_eq!(r.str("upsertDocuments.documents.0.symbol"), "5/KH-UBND");
    let r = app.gql_as(&editor, DOCUMENTS, plan(&cp, "6/NQ-CP")).await;
    r.expect_error("FORBIDDEN");
    assert_eq!(r.error_field(), None, "a refusal is not an input error");

    // A reference to what someone else issued does not become the editor's by naming a new issuer.
    let r = app.gql(DOCUMENTS, plan(&cp, "7/NQ-CP")).await;
    let cp_doc = r.str("upsertDocuments.documents.0.id");
    let hijack = json!({ "i": { "source": "hung-yen-egov", "items": [{ "externalId": "7/NQ-CP", "symbol": "7/KH-UBND",
        "issuerId": hy, "issuedOn": "2025-01-10", "title": "Kế hoạch" }] } });
    app.gql_as(&editor, DOCUMENTS, hijack).await.expect_error("FORBIDDEN");
    let own = app.gql_as(&editor, DOCUMENTS, plan(&hy, "8/KH-UBND")).await.str("upsertDocuments.documents.0.id");
    let task = |document: &str, lead: &str| {
        json!({ "i": { "source": "hung-yen-egov", "items": [{ "externalId": "nv-1",
        "documentId": document, "code": "1", "content": "Nhiệm vụ", "leadAgencyId": lead }] } })
    };
    app.gql(TASKS, task(&cp_doc, &cp)).await.data("upsertTasks");
    app.gql_as(&editor, TASKS, task(&own, &hy)).await.expect_error("FORBIDDEN");
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Document { symbol issuer { code } tasks { totalCount } } } }",
            json!({ "id": cp_doc }),
        )
        .await;
    assert_eq!(r.str("node.symbol"), "7/NQ-CP");
    assert_eq!(r.str("node.issuer.code"), "CP");
    assert_eq!(r.i64("node.tasks.totalCount"), 1);
}

db_tests!(
    a_batch_sent_twice_changes_nothing_the_second_time,
    tasks_are_upserted_with_their_agencies,
    batches_are_checked_whole,
    upserts_go_through_the_same_policy,
);
