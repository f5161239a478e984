//! Agencies change, tasks survive: each kind of reorganisation on the sample, with what it must
//! leave alone.

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Gql, TestApp};

const REORGANIZE: &str = "mutation($i: ReorganizeAgenciesInput!) { reorganizeAgencies(input: $i) {
    event { id kind effectiveOn function legalBasis { symbol } predecessors { code } successors { code } }
    reassignedTasks { id code } } }";

async fn agency_id(app: &TestApp, code: &str) -> String {
    app.gql("query($c: String!) { agency(code: $c) { id } }", json!({ "c": code })).await.str("agency.id")
}

/// A National Assembly resolution to serve as legal basis: 202/2025/QH15 of 12/6/2025.
async fn legal_basis(app: &TestApp) -> String {
    let qh = app.create_agency("QH", "OTHER", "CENTRAL", None).await;
    app.create_document("202/2025/QH15", &qh, "2025-06-12", &[]).await
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().to_owned()).collect()
}

async fn lead(app: &TestApp, task: &str, as_of: Option<&str>) -> Option<String> {
    let r = app
        .gql(
            "query($id: ID!, $d: Date) { node(id: $id) { ... on Task { lead(asOf: $d) { code } } } }",
            json!({ "id": task, "d": as_of }),
        )
        .await;
    r.data("node.lead.code").as_str().map(str::to_owned)
}

/// Thái Bình's own plan: an open task it presides over, a completed one, and an open one it
/// coordinates under Hưng Yên.
async fn thai_binh_plan(app: &TestApp) -> (String, String, String) {
    let tb = agency_id(app, "TB-UBND").await;
    let hy = agency_id(app, "HY-UBND").await;
    let plan = app.create_document("86/KH-UBND", &tb, "2024-03-01", &[]).await;
    let open = app.create_task(&plan, "1", &tb, &[]).await;
    let done = app.create_task(&plan, "2", &tb, &[]).await;
    let shared = app.create_task(&plan, "3", &hy, &[&tb]).await;
    let r = app
        .gql(
            "mutation($i: SetTaskProgressInput!) { setTaskProgress(input: $i) { task { progressState } } }",
            json!({ "i": { "id": done, "expectedVersion": 1, "progressState": "COMPLETED", "completedOn": "2024-10-01" } }),
        )
        .await;
    r.data("setTaskProgress");
    (open, done, shared)
}

const STATS: &str = "query($d: Date) { agency(code: \"TB-UBND\") { performance(asOf: $d) { total overdue byStatus { status count } } }
    documents(filter: { symbol: \"86/KH-UBND\" }) { nodes { progressByAgency(asOf: $d) { agency { code } progress { total overdue } } } } }";

async fn a_merger_moves_open_tasks_and_keeps_the_past(app: TestApp) {
    app.seed_sample().await;
    let basis = legal_basis(&app).await;
    let (open, done, shared) = thai_binh_plan(&app).await;
    let before: Gql = app.gql(STATS, json!({ "d": "2025-06-30" })).await;
    let cursor = app.gql("{ changesCursor }", json!({})).await.str("changesCursor");

    let input = json!({ "kind": "MERGE", "effectiveOn": "2025-07-01", "legalBasisId": basis,
        "fromCodes": ["TB-UBND", "HY-UBND"], "toCodes": ["HY-UBND"] });
    // A dry run answers and changes nothing.
    let mut dry = input.clone();
    dry["dryRun"] = json!(true);
    let tried = app.gql(REORGANIZE, json!({ "i": dry })).await;
    let mut moved = codes(tried.data("reorganizeAgencies.reassignedTasks"));
    moved.sort();
    assert_eq!(moved, ["1", "3"], "the open tasks, not the completed one");
    assert_eq!(lead(&app, &open, None).await.as_deref(), Some("TB-UBND"));
    assert_eq!(app.gql("{ changesCursor }", json!({})).await.str("changesCursor"), cursor, "no change recorded");

    let r = app.gql(REORGANIZE, json!({ "i": input })).await;
    let event = r.data("reorganizeAgencies.event").clone();
    assert_eq!(event["kind"], "MERGE");
    assert_eq!(event["legalBasis"]["symbol"], "202/2025/QH15");
    assert_eq!(codes(&event["predecessors"]), ["TB-UBND", "HY-UBND"]);
    assert_eq!(codes(&event["successors"]), ["HY-UBND"]);
    let mut moved = codes(r.data("reorganizeAgencies.reassignedTasks"));
    moved.sort();
    assert_eq!(moved, ["1", "3"]);

    // Who was responsible, on either side of the day.
    assert_eq!(lead(&app, &open, Some("2025-06-30")).await.as_deref(), Some("TB-UBND"));
    assert_eq!(lead(&app, &open, None).await.as_deref(), Some("HY-UBND"));
    assert_eq!(lead(&app, &done, None).await.as_deref(), Some("TB-UBND"), "a completed task keeps its agency");
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Task { coordinators { code } then: coordinators(asOf: \"2025-06-30\") { code }
                assignments(asOf: \"2025-07-01\") { role reason agency { code } changeEvent { kind } } } } }",
            json!({ "id": shared }),
        )
        .await;
    assert_eq!(codes(r.data("node.coordinators")), Vec::<String>::new());
    assert_eq!(codes(r.data("node.then")), ["TB-UBND"]);
    assert_eq!(
        r.data("node.assignments"),
        &json!([{ "role": "PRESIDING", "reason": null, "agency": { "code": "HY-UBND" }, "changeEvent": null }])
    );
    let r = app
        .gql("query($id: ID!) { node(id: $id) { ... on Task { assignments(asOf: \"2025-07-01\") { reason changeEvent { kind effectiveOn } } } } }", json!({ "id": open }))
        .await;
    assert_eq!(
        r.data("node.assignments"),
        &json!([{ "reason": "SUCCESSION", "changeEvent": { "kind": "MERGE", "effectiveOn": "2025-07-01" } }])
    );

    // The documents keep their issuer; the agencies know their history.
    let r = app
        .gql(
            "{ documents(filter: { symbol: \"86/KH-UBND\" }) { nodes { issuer { code validTo successors { code } } } }
               agency(code: \"HY-UBND\") { validTo predecessors { code } changeEvents { kind } }
               now: agencies(filter: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL, activeOn: \"2025-07-01\" }) { nodes { code } }
               then: agencies(filter: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL, activeOn: \"2025-06-30\" }) { nodes { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.data("documents.nodes.0.issuer"),
        &json!({ "code": "TB-UBND", "validTo": "2025-07-01", "successors": [{ "code": "HY-UBND" }] })
    );
    assert_eq!(
        r.data("agency"),
        &json!({ "validTo": null, "predecessors": [{ "code": "TB-UBND" }], "changeEvents": [{ "kind": "MERGE" }] })
    );
    assert!(!codes(r.data("now.nodes")).contains(&"TB-UBND".to_owned()));
    assert!(codes(r.data("then.nodes")).contains(&"TB-UBND".to_owned()));

    // An agency's tasks on a day, with or without those of the agencies it took over from.
    let r = app
        .gql(
            "{ agency(code: \"HY-UBND\") { then: tasks(asOf: \"2025-06-30\") { nodes { id } }
                 inherited: tasks(asOf: \"2025-06-30\", includePredecessors: true) { nodes { id } }
                 now: tasks(role: PRESIDING) { nodes { id } } }
               tb: agency(code: \"TB-UBND\") { tasks { nodes { id } } } }",
            json!({}),
        )
        .await;
    let ids = |path: &str| -> Vec<String> {
        r.data(path).as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
    };
    assert!(!ids("agency.then.nodes").contains(&open));
    assert!(ids("agency.inherited.nodes").contains(&open) && ids("agency.inherited.nodes").contains(&done));
    assert!(ids("agency.now.nodes").contains(&open) && ids("agency.now.nodes").contains(&shared));
    assert_eq!(ids("tb.tasks.nodes"), vec![done.clone()], "Thái Bình keeps only its completed task");
    let q = "query($n: Int) { agencies(first: $n) { nodes { code tasks(first: 5, includePredecessors: true, asOf: \"2025-07-01\") { totalCount nodes { code } } } } }";
    let mut counts = Vec::new();
    for n in [1, 10, 40] {
        counts.push(app.gql_counted(q, json!({ "n": n })).await.sql_statements());
    }
    assert!(counts.iter().all(|c| *c == 2), "agencies, then their tasks: {counts:?}");

    // Statistics of the day before are what they were.
    let after = app.gql(STATS, json!({ "d": "2025-06-30" })).await;
    assert_eq!(before.data(""), after.data(""));

    // The whole event is in the audit trail and the feed.
    let r = app
        .gql("query($c: String) { changes(after: $c, first: 100) { nodes { entityType } } }", json!({ "c": cursor }))
        .await;
    let types: Vec<&str> =
        r.data("changes.nodes").as_array().unwrap().iter().map(|c| c["entityType"].as_str().unwrap()).collect();
    for t in ["AGENCY_EVENT", "AGENCY_EVENT_PARTY", "AGENCY", "TASK_ASSIGNMENT"] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
}

async fn a_transfer_of_function_moves_only_the_filtered_tasks(app: TestApp) {
    app.seed_sample().await;
    let basis = legal_basis(&app).await;
    let program = app
        .gql("{ documents(filter: { symbol: \"47/NQ-CP\" }) { nodes { id } } }", json!({}))
        .await
        .str("documents.nodes.0.id");
    let r = app
        .gql(
            REORGANIZE,
            json!({ "i": { "kind": "TRANSFER_FUNCTION", "effectiveOn": "2025-07-01", "legalBasisId": basis,
                "fromCodes": ["BTTTT"], "toCodes": ["BVHTTDL"], "function": "Thông tin đối ngoại",
                "taskFilter": { "documentId": program } } }),
        )
        .await;
    assert_eq!(r.str("reorganizeAgencies.event.function"), "Thông tin đối ngoại");
    let mut moved = codes(r.data("reorganizeAgencies.reassignedTasks"));
    moved.sort_by_key(|c| c.parse::<i32>().unwrap());
    // Open tasks of 47/NQ-CP where BTTTT presided (3, 4, 6, 7, 14) or coordinated (8, 9, 10, 12, 13).
    assert_eq!(moved, ["3", "4", "6", "7", "8", "9", "10", "12", "13", "14"]);
    let r = app
        .gql(
            "{ agency(code: \"BTTTT\") { validTo successors { code } } tasks(filter: { agencyCode: \"BTTTT\" }) { nodes { code document { symbol } } }
               presided: tasks(filter: { agencyCode: \"BVHTTDL\", role: PRESIDING }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data("agency"), &json!({ "validTo": null, "successors": [{ "code": "BVHTTDL" }] }), "BTTTT goes on");
    let left: Vec<String> = r
        .data("tasks.nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| format!("{} {}", t["document"]["symbol"].as_str().unwrap(), t["code"].as_str().unwrap()))
        .collect();
    assert!(
        left.iter()
            .all(|t| !t.starts_with("47/NQ-CP") || ["47/NQ-CP 1", "47/NQ-CP 2", "47/NQ-CP 5"].contains(&t.as_str())),
        "{left:?}"
    );
    assert_eq!(r.i64("presided.totalCount"), 6, "task 8 was already BVHTTDL's, and 3, 4, 6, 7, 14 came");
}

async fn every_kind_of_event(app: TestApp) {
    app.seed_sample().await;
    let basis = legal_basis(&app).await;
    let run = |input: Value| {
        let app = &app;
        async move { app.gql(REORGANIZE, json!({ "i": input })).await }
    };
    // ESTABLISH: the new commission exists from the day.
    let r =
        run(json!({ "kind": "ESTABLISH", "effectiveOn": "2025-02-01", "legalBasisId": basis, "toCodes": ["BTGDVTW"] }))
            .await;
    r.data("reorganizeAgencies");
    // MERGE into it: the Central Propaganda Department ends.
    let r = run(json!({ "kind": "MERGE", "effectiveOn": "2025-02-01", "legalBasisId": basis, "fromCodes": ["BTGTW", "BTGDVTW"], "toCodes": ["BTGDVTW"] })).await;
    assert_eq!(codes(r.data("reorganizeAgencies.reassignedTasks")), ["2"], "111-HD/BTGTW task 2 was open");
    // RENAME keeps the agency and its old name.
    let r = run(
        json!({ "kind": "RENAME", "effectiveOn": "2025-03-01", "legalBasisId": basis, "fromCodes": ["BTTTT-CTTDN"],
        "newName": "Cục Báo chí và Thông tin đối ngoại", "newNameEn": "Department of Press and External Information" }),
    )
    .await;
    r.data("reorganizeAgencies");
    let r = app
        .gql(
            "{ agency(code: \"BTTTT-CTTDN\") { name en: name(lang: \"en\") nameHistory { name validUntil } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.str("agency.name"), "Cục Báo chí và Thông tin đối ngoại");
    assert_eq!(r.str("agency.en"), "Department of Press and External Information");
    assert_eq!(
        r.data("agency.nameHistory"),
        &json!([{ "name": "Cục Thông tin đối ngoại", "validUntil": "2025-03-01" }])
    );
    // SPLIT: the tasks go to the first successor.
    app.create_agency("HN-SVH", "DEPARTMENT", "PROVINCIAL", None).await;
    app.create_agency("HN-STT", "DEPARTMENT", "PROVINCIAL", None).await;
    let r = run(json!({ "kind": "SPLIT", "effectiveOn": "2025-03-01", "legalBasisId": basis, "fromCodes": ["HN-SVHTT"], "toCodes": ["HN-SVH", "HN-STT"] })).await;
    assert!(!codes(r.data("reorganizeAgencies.reassignedTasks")).is_empty());
    let r = app.gql("{ a: tasks(filter: { agencyCode: \"HN-SVH\" }) { totalCount } b: tasks(filter: { agencyCode: \"HN-STT\" }) { totalCount } c: tasks(filter: { agencyCode: \"HN-SVHTT\" }) { totalCount } }", json!({})).await;
    assert!(r.i64("a.totalCount") > 0);
    assert_eq!((r.i64("b.totalCount"), r.i64("c.totalCount")), (0, 0));
    // DISSOLVE with a successor: district People's Committees ended on 1/7/2025.
    let r = run(json!({ "kind": "DISSOLVE", "effectiveOn": "2025-07-01", "legalBasisId": basis, "fromCodes": ["HN-UBND-HK", "HN-UBND-BD"], "toCodes": ["HN-UBND"] })).await;
    assert!(!codes(r.data("reorganizeAgencies.reassignedTasks")).is_empty());
    let r = app.gql("{ agencies(filter: { level: DISTRICT, active: true }) { totalCount } }", json!({})).await;
    assert_eq!(r.i64("agencies.totalCount"), 0);
}

async fn a_refused_event_leaves_everything_as_it_was(app: TestApp) {
    app.seed_sample().await;
    let basis = legal_basis(&app).await;
    let snapshot = "{ changesCursor agencies(first: 100) { nodes { code validFrom validTo version } } }";
    let before = app.gql(snapshot, json!({})).await;
    let refuse = |input: Value, field: Option<&'static str>| {
        let app = &app;
        async move {
            let r = app.gql(REORGANIZE, json!({ "i": input })).await;
            let message = r.expect_error("BAD_USER_INPUT");
            assert_eq!(r.error_field().as_deref(), field, "{message}");
            message
        }
    };
    refuse(json!({ "kind": "MERGE", "effectiveOn": "2025-07-01", "legalBasisId": basis, "fromCodes": ["TB-UBND", "HY-UBND"], "toCodes": ["HY-NEW"] }), Some("toCodes")).await;
    refuse(json!({ "kind": "MERGE", "effectiveOn": "2025-07-01", "legalBasisId": basis, "fromCodes": ["TB-UBND"], "toCodes": ["HY-UBND"] }), None).await;
    refuse(json!({ "kind": "TRANSFER_FUNCTION", "effectiveOn": "2025-07-01", "legalBasisId": basis, "fromCodes": ["BTTTT"], "toCodes": ["BVHTTDL"] }), Some("function")).await;
    assert_eq!(app.gql(snapshot, json!({})).await.0, before.0);

    // An agency established on 1/2/2025 cannot merge away before it existed.
    app.gql(REORGANIZE, json!({ "i": { "kind": "ESTABLISH", "effectiveOn": "2025-02-01", "legalBasisId": basis, "toCodes": ["BTGDVTW"] } })).await.data("reorganizeAgencies");
    let before = app.gql(snapshot, json!({})).await;
    refuse(json!({ "kind": "MERGE", "effectiveOn": "2025-01-01", "legalBasisId": basis, "fromCodes": ["BTGDVTW", "BTGTW"], "toCodes": ["BTGTW"] }), Some("effectiveOn")).await;
    // A cycle of successions: BNG's function went to BTTTT, so BTTTT cannot hand one back to BNG's predecessor chain.
    app.gql(REORGANIZE, json!({ "i": { "kind": "TRANSFER_FUNCTION", "effectiveOn": "2025-03-01", "legalBasisId": basis, "fromCodes": ["BNG"], "toCodes": ["BTTTT"], "function": "Thông tin đối ngoại" } })).await.data("reorganizeAgencies");
    let before_cycle = app.gql(snapshot, json!({})).await;
    let message = refuse(json!({ "kind": "TRANSFER_FUNCTION", "effectiveOn": "2025-04-01", "legalBasisId": basis, "fromCodes": ["BTTTT"], "toCodes": ["BNG"], "function": "Báo chí" }), None).await;
    assert!(message.contains("cycle"), "{message}");
    assert_eq!(app.gql(snapshot, json!({})).await.0, before_cycle.0);
    assert_ne!(before.0, before_cycle.0);
}

db_tests!(
    a_merger_moves_open_tasks_and_keeps_the_past,
    a_transfer_of_function_moves_only_the_filtered_tasks,
    every_kind_of_event,
    a_refused_event_leaves_everything_as_it_was,
);
