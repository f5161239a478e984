use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

const UPDATE: &str =
    "mutation($i: UpdateAgencyInput!) { updateAgency(input: $i) { agency { id code name version parent { code } } } }";
const DELETE: &str = "mutation($i: DeleteInput!) { deleteAgency(input: $i) { deletedId } }";

async fn agencies_are_created_read_and_found_by_code(app: TestApp) {
    let ministry = app.create_agency("BTTTT", "MINISTRY", "CENTRAL", None).await;
    let r = app
        .gql(
            "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id code name nameEn: name(lang: \"en\") kind level version parent { id code } } } }",
            json!({ "i": { "code": "BTTTT-CTTDN", "name": "Cục Thông tin đối ngoại", "nameEn": "Department of External Information",
                           "kind": "DEPARTMENT", "level": "CENTRAL", "parentId": ministry } }),
        )
        .await;
    assert_eq!(r.str("createAgency.agency.name"), "Cục Thông tin đối ngoại");
    assert_eq!(r.str("createAgency.agency.nameEn"), "Department of External Information");
    assert_eq!(r.str("createAgency.agency.parent.code"), "BTTTT");
    assert_eq!(r.i64("createAgency.agency.version"), 1);

    let r = app.gql("{ agency(code: \"BTTTT-CTTDN\") { name(lang: \"fr\") kind } }", json!({})).await;
    assert_eq!(r.str("agency.name"), "Cục Thông tin đối ngoại", "an unknown language falls back to Vietnamese");
    let r = app.gql("{ agency(code: \"NOPE\") { id } }", json!({})).await;
    assert!(r.data("agency").is_null());

    let r = app.gql("{ agencies(filter: { parentCode: \"BTTTT\" }) { totalCount nodes { code } } }", json!({})).await;
    assert_eq!(r.i64("agencies.totalCount"), 1);
    assert_eq!(r.str("agencies.nodes.0.code"), "BTTTT-CTTDN");
    let r = app.gql("{ agencies(filter: { kind: MINISTRY, active: true }) { nodes { code } } }", json!({})).await;
    assert_eq!(r.data("agencies.nodes").as_array().unwrap().len(), 1);
}

async fn agency_input_errors_name_the_field(app: TestApp) {
    app.create_agency("BNG", "MINISTRY", "CENTRAL", None).await;
    let create = "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id } } }";
    let r = app
        .gql(create, json!({ "i": { "code": "BNG", "name": "Bộ Ngoại giao", "kind": "MINISTRY", "level": "CENTRAL" } }))
        .await;
    let message = r.expect_error("CONFLICT");
    assert!(message.contains("BNG"), "{message}");

    let r = app
        .gql(create, json!({ "i": { "code": "bộ ngoại giao", "name": "x", "kind": "MINISTRY", "level": "CENTRAL" } }))
        .await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("code"));

    let r =
        app.gql(create, json!({ "i": { "code": "X", "name": "  ", "kind": "MINISTRY", "level": "CENTRAL" } })).await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("name"));

    let r = app
        .gql(
            create,
            json!({ "i": { "code": "X", "name": "x", "kind": "MINISTRY", "level": "CENTRAL", "parentId": "garbage" } }),
        )
        .await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("parentId"));
}

async fn updates_check_the_version_and_refuse_cycles(app: TestApp) {
    let top = app.create_agency("HY-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let dept = app.create_agency("HY-STTTT", "DEPARTMENT", "PROVINCIAL", Some(&top)).await;

    let r = app
        .gql(
            UPDATE,
            json!({ "i": { "id": dept, "expectedVersion": 1, "name": "Sở Thông tin và Truyền thông tỉnh Hưng Yên" } }),
        )
        .await;
    assert_eq!(r.i64("updateAgency.agency.version"), 2);
    assert_eq!(r.str("updateAgency.agency.parent.code"), "HY-UBND", "an absent parentId leaves the parent");

    // A client that read version 1 must not overwrite the change it did not see.
    let r = app.gql(UPDATE, json!({ "i": { "id": dept, "expectedVersion": 1, "name": "stale" } })).await;
    let message = r.expect_error("CONFLICT");
    assert!(message.contains("version 2"), "{message}");

    let r = app.gql(UPDATE, json!({ "i": { "id": top, "expectedVersion": 1, "parentId": dept } })).await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("parentId"));
    let r = app.gql(UPDATE, json!({ "i": { "id": top, "expectedVersion": 1, "parentId": top } })).await;
    r.expect_error("BAD_USER_INPUT");

    let r = app.gql(UPDATE, json!({ "i": { "id": dept, "expectedVersion": 2, "parentId": null } })).await;
    assert!(r.data("updateAgency.agency.parent").is_null(), "null detaches");
}

async fn an_agency_in_use_cannot_be_deleted(app: TestApp) {
    let (agency, _doc) = app.document_with_issuer().await;
    let r = app.gql(DELETE, json!({ "i": { "id": agency, "expectedVersion": 1 } })).await;
    let message = r.expect_error("CONFLICT");
    assert!(message.contains("1 documents it issued"), "{message}");

    let unused = app.create_agency("TB-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let r = app.gql(DELETE, json!({ "i": { "id": unused, "expectedVersion": 7 } })).await;
    r.expect_error("CONFLICT");
    let r = app.gql(DELETE, json!({ "i": { "id": unused, "expectedVersion": 1 } })).await;
    assert_eq!(r.str("deleteAgency.deletedId"), unused);
    let r = app.gql("query($id: ID!) { node(id: $id) { id } }", json!({ "id": unused })).await;
    assert!(r.data("node").is_null());
    let r = app.gql(DELETE, json!({ "i": { "id": unused, "expectedVersion": 1 } })).await;
    r.expect_error("NOT_FOUND");
}

db_tests!(
    agencies_are_created_read_and_found_by_code,
    agency_input_errors_name_the_field,
    updates_check_the_version_and_refuse_cycles,
    an_agency_in_use_cannot_be_deleted,
);
