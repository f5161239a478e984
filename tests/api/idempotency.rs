//! Retries with an idempotency key return the first result and apply nothing twice.

use api::domain::policy::Role;
use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

const CREATE: &str = "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id code version } } }";
const UPDATE: &str = "mutation($i: UpdateAgencyInput!) { updateAgency(input: $i) { agency { id version name } } }";

async fn count(app: &TestApp) -> (i64, i64) {
    let r = app.gql("{ agencies { totalCount } auditLog { totalCount } }", json!({})).await;
    (r.i64("agencies.totalCount"), r.i64("auditLog.totalCount"))
}

async fn a_retry_returns_the_first_result(app: TestApp) {
    let input = json!({ "i": { "idempotencyKey": "ministry-req-1", "code": "BTTTT", "name": "Bộ Thông tin và Truyền thông",
                                "kind": "MINISTRY", "level": "CENTRAL" } });
    let first = app.gql(CREATE, input.clone()).await;
    let after_first = count(&app).await;
    // The same input, its fields in another order.
    let reordered = json!({ "i": { "level": "CENTRAL", "kind": "MINISTRY", "name": "Bộ Thông tin và Truyền thông",
                                    "code": "BTTTT", "idempotencyKey": "ministry-req-1" } });
    let retry = app.gql(CREATE, reordered).await;
    assert_eq!(retry.data("createAgency"), first.data("createAgency"), "the first result again");
    assert_eq!(count(&app).await, after_first, "nothing applied twice, nothing audited twice");

    let other = json!({ "i": { "idempotencyKey": "ministry-req-1", "code": "BNG", "name": "Bộ Ngoại giao", "kind": "MINISTRY", "level": "CENTRAL" } });
    let r = app.gql(CREATE, other).await;
    r.expect_error("CONFLICT");
    assert_eq!(r.error_field().as_deref(), Some("idempotencyKey"));

    // An update retried after it succeeded does not bump the version again.
    let id = first.str("createAgency.agency.id");
    let update =
        json!({ "i": { "idempotencyKey": "ministry-req-2", "id": id, "expectedVersion": 1, "name": "Bộ TT&TT" } });
    let updated = app.gql(UPDATE, update.clone()).await;
    assert_eq!(updated.i64("updateAgency.agency.version"), 2);
    let again = app.gql(UPDATE, update).await;
    assert_eq!(again.i64("updateAgency.agency.version"), 2, "not a stale-version CONFLICT: the first result");

    // Keys belong to their caller.
    let other_caller = app.token("admin@other", &[Role::Admin], None);
    let r = app.gql_as(&other_caller, CREATE, input).await;
    r.expect_error("CONFLICT");
    assert_ne!(r.error_field().as_deref(), Some("idempotencyKey"), "another caller's key is its own: this is the code");
}

async fn concurrent_retries_apply_once(app: TestApp) {
    let input = json!({ "i": { "idempotencyKey": "twice", "code": "HY-UBND", "name": "UBND tỉnh Hưng Yên",
                                "kind": "PEOPLES_COMMITTEE", "level": "PROVINCIAL" } });
    let (a, b) = tokio::join!(app.gql(CREATE, input.clone()), app.gql(CREATE, input));
    assert_eq!(a.str("createAgency.agency.id"), b.str("createAgency.agency.id"));
    assert_eq!(count(&app).await.0, 1);
}

db_tests!(a_retry_returns_the_first_result, concurrent_retries_apply_once);
