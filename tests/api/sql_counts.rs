//! The statements a request costs depend on the shape of its query, never on the rows it returns.

use api::domain::deadline::Deadline;
use api::domain::i18n::Translations;
use api::domain::symbol::DocumentSymbol;
use api::ids::{AgencyId, DocumentId};
use api::store::{NewAgency, NewDocument, NewTask, Store};
use chrono::NaiveDate;
use entity::sea_orm_active_enums::{AgencyKind, AgencyLevel, DocumentStatus, RelationKind};
use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

const NESTED: &str = "query($a: Int, $b: Int, $c: Int) {
    documents(first: $a, filter: { kind: CONCLUSION }) { nodes { symbol
        implementedBy(first: $b) { nodes { symbol
            tasks(first: $c) { nodes { code
                assignments { role agency { code } } } } } } } } }";

/// 50 conclusions, each implemented by the same 50 plans; two plans list 50 tasks, the rest 2;
/// every task has a presiding and a coordinating agency.
async fn build(app: &TestApp) {
    let db = api::store::connect(&app.database_url, 2).await.unwrap();
    let store = Store::new(db);
    let tx = store.begin(api::store::AuditContext::system("buildFixture")).await.unwrap();
    let agency = |code: &str| NewAgency {
        code: code.to_owned(),
        name: format!("Cơ quan {code}"),
        translations: Translations::default(),
        kind: AgencyKind::Ministry,
        level: AgencyLevel::Central,
        parent: None,
    };
    let lead = AgencyId(tx.create_agency(agency("LEAD")).await.unwrap().id);
    let helper = AgencyId(tx.create_agency(agency("HELPER")).await.unwrap().id);
    let day = NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
    let document = |symbol: String| NewDocument {
        symbol: DocumentSymbol::parse(&symbol).unwrap(),
        kind: None,
        issuer: lead,
        issued_on: day,
        title: format!("Văn bản {symbol}"),
        title_translations: Translations::default(),
        summary: None,
        summary_translations: Translations::default(),
        horizon_year: None,
        status: DocumentStatus::InForce,
        source_url: None,
        implements: Vec::new(),
    };
    let mut tops = Vec::new();
    for i in 0..50 {
        tops.push(DocumentId(tx.create_document(document(format!("{i}-KL/TW"))).await.unwrap().id));
    }
    for i in 0..50 {
        let plan = DocumentId(tx.create_document(document(format!("{i}/KH-UBND"))).await.unwrap().id);
        for top in &tops {
            tx.link_documents(plan, *top, RelationKind::Implements).await.unwrap();
        }
        let tasks = if i < 2 { 50 } else { 2 };
        for t in 0..tasks {
            let task = NewTask {
                document: plan,
                group: None,
                parent: None,
                code: format!("{t}"),
                title: None,
                title_translations: Translations::default(),
                content: format!("Nhiệm vụ {t}"),
                content_translations: Translations::default(),
                expected_output: None,
                deadline: Deadline::None,
                lead,
                coordinators: vec![helper],
                assigned_on: None,
            };
            tx.create_task(task).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
}

async fn nested_reads_cost_one_statement_per_level(app: TestApp) {
    build(&app).await;
    let mut counts = Vec::new();
    for (a, b, c) in [(2, 2, 2), (50, 2, 2), (2, 50, 2), (2, 2, 50)] {
        let r = app.gql_counted(NESTED, json!({ "a": a, "b": b, "c": c })).await;
        let tops = r.data("documents.nodes").as_array().unwrap();
        assert_eq!(tops.len(), a);
        let plans = tops[0]["implementedBy"]["nodes"].as_array().unwrap();
        assert_eq!(plans.len(), b);
        let tasks = plans[0]["tasks"]["nodes"].as_array().unwrap();
        assert_eq!(tasks.len(), c);
        assert_eq!(tasks[0]["assignments"].as_array().unwrap().len(), 2);
        counts.push(((a, b, c), r.sql_statements()));
    }
    // documents, implementedBy, tasks, assignments, agencies.
    for (shape, n) in &counts {
        assert_eq!(*n, 5, "{shape:?} took {n} statements: {counts:?}");
    }
}

/// A write's statements do not grow with the rows it changes, and its feed entries (numbered under
/// PostgreSQL's feed lock, which every writer waits for) cost one statement after the lock.
async fn writes_cost_the_same_however_many_rows_they_change(app: TestApp) {
    let (lead, document) = app.document_with_issuer().await;
    let mut coordinators = Vec::new();
    for i in 0..6 {
        coordinators.push(app.create_agency(&format!("HELPER-{i}"), "MINISTRY", "CENTRAL", None).await);
    }
    let create = "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }";
    let mut counts = Vec::new();
    for (n, code) in [(1, "1"), (6, "2")] {
        let r = app
            .gql_counted(
                create,
                json!({ "i": { "documentId": document, "code": code, "content": format!("Nhiệm vụ {code}"),
                               "leadAgencyId": lead, "coordinatorIds": coordinators[..n] } }),
            )
            .await;
        r.str("createTask.task.id");
        counts.push(r.sql_statements());
    }
    assert_eq!(counts[0], counts[1], "one coordinator, then six: {counts:?}");
    // The caller's rights on the document, the document, its task codes, the task, the agencies,
    // the assignments, the search entry, the audit records, the two reads the feed needs; then on
    // PostgreSQL the feed's lock and one numbered append, on SQLite (no lock) the last sequence
    // and the two inserts.
    let expected = if app.database_url.starts_with("postgres") { 12 } else { 13 };
    assert_eq!(counts[0], expected, "{counts:?}");
}

/// The GraphQL input refuses a repeated coordinator before the store sees it; the hierarchy file
/// and the other callers of the store rely on the store's own check, which must leave nothing.
async fn the_store_refuses_an_agency_named_twice_on_a_new_task(app: TestApp) {
    let (lead, document) = app.document_with_issuer().await;
    let helper = app.create_agency("BCA", "MINISTRY", "CENTRAL", None).await;
    let db = api::store::connect(&app.database_url, 2).await.unwrap();
    let tx = Store::new(db).begin(api::store::AuditContext::system("duplicateCoordinator")).await.unwrap();
    let task = NewTask {
        document: DocumentId::from_global(&document, "documentId").unwrap(),
        group: None,
        parent: None,
        code: "1".to_owned(),
        title: None,
        title_translations: Translations::default(),
        content: "Nhiệm vụ 1".to_owned(),
        content_translations: Translations::default(),
        expected_output: None,
        deadline: Deadline::None,
        lead: AgencyId::from_global(&lead, "leadAgencyId").unwrap(),
        coordinators: vec![AgencyId::from_global(&helper, "coordinatorIds").unwrap(); 2],
        assigned_on: None,
    };
    let refused = tx.create_task(task).await.unwrap_err();
    assert_eq!(refused.code.as_str(), "CONFLICT", "{refused:?}");
    assert_eq!(refused.field.as_deref(), Some("coordinatorIds"));
    assert!(refused.message.contains("BCA is already assigned to this task as COORDINATING"), "{refused:?}");
    drop(tx);
    let r = app.gql("{ tasks { totalCount } }", json!({})).await;
    assert_eq!(r.i64("tasks.totalCount"), 0, "nothing half-written");
}

db_tests!(
    nested_reads_cost_one_statement_per_level,
    writes_cost_the_same_however_many_rows_they_change,
    the_store_refuses_an_agency_named_twice_on_a_new_task,
);
