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

/// Resolution 202/2025/QH15 of the National Assembly (12/6/2025), in the sample: it merged
/// provinces from 1/7/2025.
async fn legal_basis(app: &TestApp) -> String {
    document_id(app, "202/2025/QH15").await
}

async fn document_id(app: &TestApp, symbol: &str) -> String {
    app.gql("query($s: String!) { documents(filter: { symbol: $s }) { nodes { id } } }", json!({ "s": symbol }))
        .await
        .str("documents.nodes.0.id")
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

/// Hải Dương and Hải Phòng, which the same resolution merged into Hải Phòng, and Hải Dương's own
/// plan: an open task it presides over, a completed one, and an open one it coordinates under
/// Hải Phòng.
async fn hai_duong_plan(app: &TestApp) -> (String, String, String) {
    let hd = app.create_agency("HD-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let hp = app.create_agency("HP-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let plan = app.create_document("86/KH-UBND", &hd, "2024-03-01", &[]).await;
    let open = app.create_task(&plan, "1", &hd, &[]).await;
    let done = app.create_task(&plan, "2", &hd, &[]).await;
    let shared = app.create_task(&plan, "3", &hp, &[&hd]).await;
    let r = app
        .gql(
            "mutation($i: SetTaskProgressInput!) { setTaskProgress(input: $i) { task { progressState } } }",
            json!({ "i": { "id": done, "expectedVersion": 1, "progressState": "COMPLETED", "completedOn": "2024-10-01" } }),
        )
        .await;
    r.data("setTaskProgress");
    (open, done, shared)
}

const STATS: &str = "query($d: Date) { agency(code: \"HD-UBND\") { performance(asOf: $d) { total overdue byStatus { status count } } }
    documents(filter: { symbol: \"86/KH-UBND\" }) { nodes { progressByAgency(asOf: $d) { agency { code } progress { total overdue } } } } }";

async fn a_merger_moves_open_tasks_and_keeps_the_past(app: TestApp) {
    app.seed_sample().await;
    let basis = legal_basis(&app).await;
    let (open, done, shared) = hai_duong_plan(&app).await;
    let before: Gql = app.gql(STATS, json!({ "d": "2025-06-30" })).await;
    let cursor = app.gql("{ changesCursor }", json!({})).await.str("changesCursor");

    let input = json!({ "kind": "MERGE", "effectiveOn": "2025-07-01", "legalBasisId": basis,
        "fromCodes": ["HD-UBND", "HP-UBND"], "toCodes": ["HP-UBND"] });
    // A dry run answers and changes nothing.
    let mut dry = input.clone();
    dry["dryRun"] = json!(true);
    let tried = app.gql(REORGANIZE, json!({ "i": dry })).await;
    let mut moved = codes(tried.data("reorganizeAgencies.reassignedTasks"));
    moved.sort();
    assert_eq!(moved, ["1", "3"], "the open tasks, not the completed one");
    assert_eq!(lead(&app, &open, None).await.as_deref(), Some("HD-UBND"));
    assert_eq!(app.gql("{ changesCursor }", json!({})).await.str("changesCursor"), cursor, "no change recorded");

    let r = app.gql(REORGANIZE, json!({ "i": input })).await;
    let event = r.data("reorganizeAgencies.event").clone();
    assert_eq!(event["kind"], "MERGE");
    assert_eq!(event["legalBasis"]["symbol"], "202/2025/QH15");
    assert_eq!(codes(&event["predecessors"]), ["HD-UBND", "HP-UBND"]);
    assert_eq!(codes(&event["successors"]), ["HP-UBND"]);
    let mut moved = codes(r.data("reorganizeAgencies.reassignedTasks"));
    moved.sort();
    assert_eq!(moved, ["1", "3"]);

    // Who was responsible, on either side of the day.
    assert_eq!(lead(&app, &open, Some("2025-06-30")).await.as_deref(), Some("HD-UBND"));
    assert_eq!(lead(&app, &open, None).await.as_deref(), Some("HP-UBND"));
    assert_eq!(lead(&app, &done, None).await.as_deref(), Some("HD-UBND"), "a completed task keeps its agency");
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Task { coordinators { code } then: coordinators(asOf: \"2025-06-30\") { code }
                assignments(asOf: \"2025-07-01\") { role reason agency { code } changeEvent { kind } } } } }",
            json!({ "id": shared }),
        )
        .await;
    assert_eq!(codes(r.data("node.coordinators")), Vec::<String>::new());
    assert_eq!(codes(r.data("node.then")), ["HD-UBND"]);
    assert_eq!(
        r.data("node.assignments"),
        &json!([{ "role": "PRESIDING", "reason": null, "agency": { "code": "HP-UBND" }, "changeEvent": null }])
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
               agency(code: \"HP-UBND\") { validTo predecessors { code } changeEvents { kind } }
               now: agencies(filter: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL, activeOn: \"2025-07-01\" }) { nodes { code } }
               then: agencies(filter: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL, activeOn: \"2025-06-30\" }) { nodes { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.data("documents.nodes.0.issuer"),
        &json!({ "code": "HD-UBND", "validTo": "2025-07-01", "successors": [{ "code": "HP-UBND" }] })
    );
    assert_eq!(
        r.data("agency"),
        &json!({ "validTo": null, "predecessors": [{ "code": "HD-UBND" }], "changeEvents": [{ "kind": "MERGE" }] })
    );
    assert!(!codes(r.data("now.nodes")).contains(&"HD-UBND".to_owned()));
    assert!(codes(r.data("then.nodes")).contains(&"HD-UBND".to_owned()));

    // An agency's tasks on a day, with or without those of the agencies it took over from.
    let r = app
        .gql(
            "{ agency(code: \"HP-UBND\") { then: tasks(asOf: \"2025-06-30\") { nodes { id } }
                 inherited: tasks(asOf: \"2025-06-30\", includePredecessors: true) { nodes { id } }
                 now: tasks(role: PRESIDING) { nodes { id } } }
               hd: agency(code: \"HD-UBND\") { tasks { nodes { id } } } }",
            json!({}),
        )
        .await;
    let ids = |path: &str| -> Vec<String> {
        r.data(path).as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
    };
    assert!(!ids("agency.then.nodes").contains(&open));
    assert!(ids("agency.inherited.nodes").contains(&open) && ids("agency.inherited.nodes").contains(&done));
    assert!(ids("agency.now.nodes").contains(&open) && ids("agency.now.nodes").contains(&shared));
    assert_eq!(ids("hd.tasks.nodes"), vec![done.clone()], "Hải Dương keeps only its completed task");
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

/// "{symbol} {code}" of each task in a list.
fn task_keys(list: &Value) -> Vec<String> {
    let mut keys: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| format!("{} {}", t["document"]["symbol"].as_str().unwrap(), t["code"].as_str().unwrap()))
        .collect();
    keys.sort();
    keys
}

const PRESIDED: &str =
    "query($c: String!, $d: Date) { agency(code: $c) { tasks(asOf: $d, role: PRESIDING, first: 100) {
    nodes { code document { symbol } } } } }";

async fn presided(app: &TestApp, code: &str, day: &str) -> Vec<String> {
    task_keys(app.gql(PRESIDED, json!({ "c": code, "d": day })).await.data("agency.tasks.nodes"))
}

/// The sample holds the three events of 2025: the Party commissions' merger, external information
/// passing from BTTTT to BVHTTDL, and Thái Bình joining Hưng Yên.
async fn the_sample_records_the_reorganisation_of_2025(app: TestApp) {
    let loaded = app.seed_sample().await;
    assert_eq!(loaded.events, 3);
    let r = app
        .gql(
            "{ agencies(first: 100) { nodes { code validFrom validTo
                 changeEvents { kind effectiveOn function legalBasis { symbol } predecessors { code } successors { code } } } } }",
            json!({}),
        )
        .await;
    let mut events: Vec<Value> = Vec::new();
    for a in r.data("agencies.nodes").as_array().unwrap() {
        for e in a["changeEvents"].as_array().unwrap() {
            if !events.contains(e) {
                events.push(e.clone());
            }
        }
    }
    events.sort_by_key(|e| e["effectiveOn"].as_str().unwrap().to_owned());
    assert_eq!(
        events,
        [
            json!({ "kind": "MERGE", "effectiveOn": "2025-02-07", "function": null, "legalBasis": { "symbol": "238-QĐ/TW" },
                    "predecessors": [{ "code": "BTGTW" }, { "code": "BDVTW" }], "successors": [{ "code": "BTGDVTW" }] }),
            json!({ "kind": "TRANSFER_FUNCTION", "effectiveOn": "2025-03-01", "function": "Thông tin đối ngoại",
                    "legalBasis": { "symbol": "43/2025/NĐ-CP" }, "predecessors": [{ "code": "BTTTT" }], "successors": [{ "code": "BVHTTDL" }] }),
            json!({ "kind": "MERGE", "effectiveOn": "2025-07-01", "function": null, "legalBasis": { "symbol": "202/2025/QH15" },
                    "predecessors": [{ "code": "TB-UBND" }, { "code": "HY-UBND" }], "successors": [{ "code": "HY-UBND" }] }),
        ]
    );
    let span = |code: &str| {
        let a = r.data("agencies.nodes").as_array().unwrap().iter().find(|a| a["code"] == code).unwrap().clone();
        (a["validFrom"].as_str().map(str::to_owned), a["validTo"].as_str().map(str::to_owned))
    };
    let day = |d: &str| Some(d.to_owned());
    assert_eq!(span("BTGTW"), (None, day("2025-02-07")));
    assert_eq!(span("BDVTW"), (None, day("2025-02-07")));
    assert_eq!(span("BTGDVTW"), (day("2025-02-07"), None), "the merger formed the new commission");
    assert_eq!(span("BTTTT"), (None, None), "a transfer of function ends nobody");
    assert_eq!(span("TB-UBND"), (None, day("2025-07-01")));
    assert_eq!(span("HY-UBND"), (None, None), "Hưng Yên absorbs Thái Bình and goes on");

    // Who presided, the day before each event and on its day.
    assert_eq!(presided(&app, "BTGTW", "2025-02-06").await, ["111-HD/BTGTW 2"]);
    assert_eq!(presided(&app, "BTGTW", "2025-02-07").await, Vec::<String>::new());
    assert_eq!(presided(&app, "BTGDVTW", "2025-02-07").await, ["111-HD/BTGTW 2"]);
    let ministry_before = presided(&app, "BTTTT", "2025-02-28").await;
    assert_eq!(
        ministry_before,
        [
            "47/NQ-CP 1",
            "47/NQ-CP 14",
            "47/NQ-CP 2",
            "47/NQ-CP 3",
            "47/NQ-CP 4",
            "47/NQ-CP 5",
            "47/NQ-CP 6",
            "47/NQ-CP 7"
        ]
    );
    assert_eq!(
        presided(&app, "BTTTT", "2025-03-01").await,
        ["47/NQ-CP 1", "47/NQ-CP 2", "47/NQ-CP 5"],
        "the completed tasks keep their agency"
    );
    assert_eq!(presided(&app, "BVHTTDL", "2025-02-28").await, ["47/NQ-CP 8"]);
    assert_eq!(
        presided(&app, "BVHTTDL", "2025-03-01").await,
        ["47/NQ-CP 14", "47/NQ-CP 3", "47/NQ-CP 4", "47/NQ-CP 6", "47/NQ-CP 7", "47/NQ-CP 8"]
    );
    // Coordination moved too: 837/QĐ-TTg's tasks abroad and the ministry's place beside others.
    let r = app
        .gql(
            "{ then: tasks(filter: { agencyCode: \"BTTTT\", role: COORDINATING }, first: 100) { nodes { code document { symbol } progressState } }
               now: tasks(filter: { agencyCode: \"BVHTTDL\", role: COORDINATING }, first: 100) { nodes { code document { symbol } } } }",
            json!({}),
        )
        .await;
    let still: Vec<&Value> = r.data("then.nodes").as_array().unwrap().iter().collect();
    assert!(
        still.iter().all(|t| t["progressState"] == "COMPLETED"),
        "only completed tasks keep BTTTT beside them: {still:?}"
    );
    let now = task_keys(r.data("now.nodes"));
    for key in ["837/QĐ-TTg 1", "837/QĐ-TTg 2", "47/NQ-CP 9", "47/NQ-CP 10", "47/NQ-CP 12", "47/NQ-CP 13"] {
        assert!(now.contains(&key.to_owned()), "{key} in {now:?}");
    }
    // Documents keep their issuers.
    let r =
        app.gql("{ documents(filter: { symbol: \"111-HD/BTGTW\" }) { nodes { issuer { code } } } }", json!({})).await;
    assert_eq!(r.str("documents.nodes.0.issuer.code"), "BTGTW");
    // Provinces on either side of the merger.
    let r = app
        .gql(
            "{ then: agencies(filter: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL, activeOn: \"2025-06-30\" }) { nodes { code } }
               now: agencies(filter: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL, activeOn: \"2025-07-01\" }) { nodes { code } } }",
            json!({}),
        )
        .await;
    let sorted = |path: &str| {
        let mut c = codes(r.data(path));
        c.sort();
        c
    };
    assert_eq!(sorted("then.nodes"), ["HN-UBND", "HY-UBND", "QN-UBND", "TB-UBND"]);
    assert_eq!(sorted("now.nodes"), ["HN-UBND", "HY-UBND", "QN-UBND"]);
}

/// Decree 55/2025/NĐ-CP gave telecoms, IT and digital transformation to the Ministry of Science and
/// Technology: only the ministry's digital-transformation plan moves with the function.
async fn a_transfer_of_function_moves_only_the_filtered_tasks(app: TestApp) {
    app.seed_sample().await;
    let ministry = agency_id(&app, "BTTTT").await;
    let government = agency_id(&app, "CP").await;
    let basis = app.create_document("55/2025/NĐ-CP", &government, "2025-02-28", &[]).await;
    let digital = app.create_document("1250/KH-BTTTT", &ministry, "2024-05-10", &[]).await;
    let press = app.create_document("1300/KH-BTTTT", &ministry, "2024-05-20", &[]).await;
    let bng = agency_id(&app, "BNG").await;
    app.create_task(&digital, "1", &ministry, &[]).await;
    app.create_task(&digital, "2", &bng, &[&ministry]).await;
    let stays = app.create_task(&press, "1", &ministry, &[]).await;
    let r = app
        .gql(
            REORGANIZE,
            json!({ "i": { "kind": "TRANSFER_FUNCTION", "effectiveOn": "2025-03-01", "legalBasisId": basis,
                "fromCodes": ["BTTTT"], "toCodes": ["BKHCN"], "function": "Viễn thông, công nghệ thông tin, chuyển đổi số",
                "taskFilter": { "documentId": digital } } }),
        )
        .await;
    assert_eq!(r.str("reorganizeAgencies.event.function"), "Viễn thông, công nghệ thông tin, chuyển đổi số");
    let mut moved = codes(r.data("reorganizeAgencies.reassignedTasks"));
    moved.sort();
    assert_eq!(moved, ["1", "2"], "the plan's tasks, presided or coordinated");
    let r = app
        .gql(
            "{ agency(code: \"BTTTT\") { validTo successors { code } }
               ministry: tasks(filter: { agencyCode: \"BKHCN\" }) { nodes { code document { symbol } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.data("agency"),
        &json!({ "validTo": null, "successors": [{ "code": "BVHTTDL" }, { "code": "BKHCN" }] }),
        "BTTTT goes on, with two functions handed over"
    );
    let keys = task_keys(r.data("ministry.nodes"));
    assert!(keys.contains(&"1250/KH-BTTTT 1".to_owned()) && keys.contains(&"1250/KH-BTTTT 2".to_owned()), "{keys:?}");
    assert!(!keys.iter().any(|k| k.starts_with("1300/KH-BTTTT")), "{keys:?}");
    assert_eq!(lead(&app, &stays, None).await.as_deref(), Some("BTTTT"), "the press plan stays");
}

async fn every_kind_of_event(app: TestApp) {
    app.seed_sample().await;
    let basis = legal_basis(&app).await;
    let run = |input: Value| {
        let app = &app;
        async move { app.gql(REORGANIZE, json!({ "i": input })).await }
    };
    // ESTABLISH: Hà Nội's Department of Science and Technology exists from the day.
    app.create_agency("HN-SKHCN", "DEPARTMENT", "PROVINCIAL", None).await;
    let r = run(
        json!({ "kind": "ESTABLISH", "effectiveOn": "2025-03-01", "legalBasisId": basis, "toCodes": ["HN-SKHCN"] }),
    )
    .await;
    assert_eq!(codes(r.data("reorganizeAgencies.event.successors")), ["HN-SKHCN"]);
    // MERGE into a body that goes on: the Department of Information and Communications joins it.
    let r = run(json!({ "kind": "MERGE", "effectiveOn": "2025-03-01", "legalBasisId": basis,
        "fromCodes": ["HN-STTTT", "HN-SKHCN"], "toCodes": ["HN-SKHCN"] }))
    .await;
    let mut moved = codes(r.data("reorganizeAgencies.reassignedTasks"));
    moved.sort();
    assert_eq!(moved, ["1", "2", "3", "4", "5", "6", "6.1"], "48/KH-UBND's open tasks, not the cancelled 6.2");
    let r = app
        .gql(
            "{ a: agency(code: \"HN-SKHCN\") { validFrom validTo } b: agency(code: \"HN-STTTT\") { validTo }
               before: agencies(filter: { activeOn: \"2025-02-28\", kind: DEPARTMENT }) { nodes { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data("a"), &json!({ "validFrom": "2025-03-01", "validTo": null }));
    assert_eq!(r.str("b.validTo"), "2025-03-01");
    assert!(!codes(r.data("before.nodes")).contains(&"HN-SKHCN".to_owned()), "it did not exist before");
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
    // SPLIT into two new bodies: the tasks go to the first; both begin on the day.
    app.create_agency("HN-SVH", "DEPARTMENT", "PROVINCIAL", None).await;
    app.create_agency("HN-STT", "DEPARTMENT", "PROVINCIAL", None).await;
    let r = run(json!({ "kind": "SPLIT", "effectiveOn": "2025-03-01", "legalBasisId": basis, "fromCodes": ["HN-SVHTT"], "toCodes": ["HN-SVH", "HN-STT"] })).await;
    assert!(!codes(r.data("reorganizeAgencies.reassignedTasks")).is_empty());
    let r = app.gql("{ a: tasks(filter: { agencyCode: \"HN-SVH\" }) { totalCount } b: tasks(filter: { agencyCode: \"HN-STT\" }) { totalCount } c: tasks(filter: { agencyCode: \"HN-SVHTT\" }) { totalCount }
        x: agency(code: \"HN-SVH\") { validFrom } y: agency(code: \"HN-STT\") { validFrom } }", json!({})).await;
    assert!(r.i64("a.totalCount") > 0);
    assert_eq!((r.i64("b.totalCount"), r.i64("c.totalCount")), (0, 0));
    assert_eq!((r.str("x.validFrom"), r.str("y.validFrom")), ("2025-03-01".to_owned(), "2025-03-01".to_owned()));
    // DISSOLVE with a successor: district People's Committees ended on 1/7/2025.
    let r = run(json!({ "kind": "DISSOLVE", "effectiveOn": "2025-07-01", "legalBasisId": basis, "fromCodes": ["HN-UBND-HK", "HN-UBND-BD"], "toCodes": ["HN-UBND"] })).await;
    assert!(!codes(r.data("reorganizeAgencies.reassignedTasks")).is_empty());
    let r = app
        .gql(
            "{ agencies(filter: { level: DISTRICT, active: true }) { totalCount } agency(code: \"HN-UBND\") { validFrom } }",
            json!({}),
        )
        .await;
    assert_eq!(r.i64("agencies.totalCount"), 0);
    assert_eq!(r.data("agency.validFrom"), &Value::Null, "the city that takes over existed before");
    // TRANSFER_FUNCTION is the subject of its own test.
}

async fn a_refused_event_leaves_everything_as_it_was(app: TestApp) {
    app.seed_sample().await;
    let basis = legal_basis(&app).await;
    let snapshot = "{ changesCursor agencies(first: 100) { nodes { code validFrom validTo version } }
        tasks(first: 100) { nodes { id version assignments { agency { code } endedOn } } } }";
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
    let event = |kind: &str, day: &str, from: &[&str], to: &[&str]| json!({ "kind": kind, "effectiveOn": day, "legalBasisId": basis, "fromCodes": from, "toCodes": to });
    // A successor that does not exist.
    let m = refuse(event("MERGE", "2025-07-01", &["QN-UBND", "HN-UBND"], &["QN-MOI"]), Some("toCodes")).await;
    assert!(m.contains("QN-MOI"), "{m}");
    // Shapes that do not fit the kind.
    refuse(event("MERGE", "2025-07-01", &["QN-UBND"], &["HN-UBND"]), None).await;
    refuse(event("TRANSFER_FUNCTION", "2025-07-01", &["BNG"], &["BVHTTDL"]), Some("function")).await;
    // Before a predecessor existed: the Propaganda and Mass Mobilization Commission began on 7/2/2025.
    let m = refuse(event("MERGE", "2025-01-01", &["BTGDVTW", "BCD-TTDN"], &["BTGDVTW"]), Some("effectiveOn")).await;
    assert!(m.contains("2025-02-07"), "{m}");
    // Before a successor existed.
    let m = refuse(
        json!({ "kind": "TRANSFER_FUNCTION", "effectiveOn": "2025-01-15", "legalBasisId": basis, "fromCodes": ["BCD-TTDN"],
                "toCodes": ["BTGDVTW"], "function": "Thông tin đối ngoại" }),
        Some("toCodes"),
    )
    .await;
    assert!(m.contains("2025-02-07"), "{m}");
    // After a predecessor ended: Thái Bình has been part of Hưng Yên since 1/7/2025.
    refuse(event("MERGE", "2025-08-01", &["TB-UBND", "QN-UBND"], &["QN-UBND"]), Some("fromCodes")).await;
    // A body with a past cannot be formed by a merger: one that absorbs others is a predecessor too.
    let m = refuse(event("MERGE", "2025-07-01", &["QN-SNV", "QN-STTTT"], &["HN-UBND"]), Some("toCodes")).await;
    assert!(m.contains("fromCodes"), "{m}");
    // A cycle of successions: BTTTT handed external information to BVHTTDL on 1/3/2025.
    let m = refuse(
        json!({ "kind": "TRANSFER_FUNCTION", "effectiveOn": "2025-04-01", "legalBasisId": basis, "fromCodes": ["BVHTTDL"],
                "toCodes": ["BTTTT"], "function": "Báo chí" }),
        None,
    )
    .await;
    assert!(m.contains("cycle"), "{m}");
    assert_eq!(app.gql(snapshot, json!({})).await.0, before.0, "nothing changed");
}

/// After a merger the agency that ended takes no new work; what it did before can still be entered.
async fn an_agency_acts_only_while_it_exists(app: TestApp) {
    app.seed_sample().await;
    let tb = agency_id(&app, "TB-UBND").await;
    let hy = agency_id(&app, "HY-UBND").await;
    let commission = agency_id(&app, "BTGDVTW").await;
    let create = "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }";
    let r = app
        .gql(
            create,
            json!({ "i": { "symbol": "95/KH-UBND", "issuerId": tb, "issuedOn": "2025-08-01", "title": "Kế hoạch" } }),
        )
        .await;
    let m = r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("issuerId"));
    assert!(m.contains("2025-07-01") && m.contains("HY-UBND"), "names the day and the successor: {m}");
    // A plan Thái Bình issued before the merger is still Thái Bình's.
    let old = app.create_document("95/KH-UBND", &tb, "2025-05-20", &[]).await;
    app.create_task(&old, "1", &tb, &[]).await;

    // Hưng Yên's new plan cannot give Thái Bình a task.
    let plan = app.create_document("12/KH-UBND", &hy, "2025-08-01", &[]).await;
    let r = app
        .gql(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
            json!({ "i": { "documentId": plan, "code": "1", "content": "Tuyên truyền", "leadAgencyId": hy, "coordinatorIds": [tb] } }),
        )
        .await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("coordinatorIds"));
    assert_eq!(
        app.gql("{ documents(filter: { symbol: \"12/KH-UBND\" }) { nodes { tasks { totalCount } } } }", json!({}))
            .await
            .i64("documents.nodes.0.tasks.totalCount"),
        0
    );

    // Nor can a task go to the commission before it was formed.
    let task = app.create_task(&plan, "2", &hy, &[]).await;
    let r = app
        .gql(
            "mutation($i: AssignTaskInput!) { assignTask(input: $i) { assignment { id } } }",
            json!({ "i": { "taskId": task, "agencyId": commission, "role": "COORDINATING", "assignedOn": "2025-01-10" } }),
        )
        .await;
    let m = r.expect_error("BAD_USER_INPUT");
    assert!(m.contains("2025-02-07"), "{m}");
    let r = app
        .gql(
            "mutation($i: AssignTaskInput!) { assignTask(input: $i) { assignment { assignedOn } } }",
            json!({ "i": { "taskId": task, "agencyId": commission, "role": "COORDINATING", "assignedOn": "2025-08-01" } }),
        )
        .await;
    assert_eq!(r.str("assignTask.assignment.assignedOn"), "2025-08-01");
}

db_tests!(
    an_agency_acts_only_while_it_exists,
    the_sample_records_the_reorganisation_of_2025,
    a_merger_moves_open_tasks_and_keeps_the_past,
    a_transfer_of_function_moves_only_the_filtered_tasks,
    every_kind_of_event,
    a_refused_event_leaves_everything_as_it_was,
);
