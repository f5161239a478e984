//! Seeing the cascade on the sample: lineage, status on a day, deadline extensions, coverage,
//! rollups and task lineage.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Gql, TestApp};

/// The global id and version of a task of a document, by its code.
async fn task(app: &TestApp, symbol: &str, code: &str) -> (String, i64) {
    let r = app
        .gql(
            "query($s: String!) { documents(filter: { symbol: $s }) { nodes { tasks(first: 100) { nodes { id code version } } } } }",
            json!({ "s": symbol }),
        )
        .await;
    let tasks = r.data("documents.nodes.0.tasks.nodes").as_array().unwrap().clone();
    let t = tasks.iter().find(|t| t["code"] == code).unwrap_or_else(|| panic!("{symbol} has no task {code}"));
    (t["id"].as_str().unwrap().to_owned(), t["version"].as_i64().unwrap())
}

async fn status(app: &TestApp, task: &str, as_of: &str) -> String {
    let r = app
        .gql(
            "query($id: ID!, $d: Date) { node(id: $id) { ... on Task { status(asOf: $d) } } }",
            json!({ "id": task, "d": as_of }),
        )
        .await;
    r.str("node.status")
}

fn symbols(list: &Value, at: &str) -> Vec<String> {
    list.as_array().unwrap().iter().map(|v| v.pointer(at).unwrap().as_str().unwrap().to_owned()).collect()
}

async fn lineage_goes_both_ways_and_counts_a_diamond_once(app: TestApp) {
    app.seed_sample().await;
    let r = app
        .gql_counted(
            "{ documents(filter: { symbol: \"57-KL/TW\" }) { nodes { descendants { totalCount nodes { depth path document { symbol } } } } } }",
            json!({}),
        )
        .await;
    let nodes = r.data("documents.nodes.0.descendants.nodes").clone();
    let found = symbols(&nodes, "/document/symbol");
    let mut sorted = found.clone();
    sorted.sort();
    assert_eq!(sorted, ["111-HD/BTGTW", "139/KH-UBND", "211-KH/TU", "47/NQ-CP", "48/KH-UBND"], "each once: {found:?}");
    assert_eq!(r.i64("documents.nodes.0.descendants.totalCount"), 5);
    let by_symbol: HashMap<String, &Value> =
        nodes.as_array().unwrap().iter().map(|n| (n["document"]["symbol"].as_str().unwrap().to_owned(), n)).collect();
    // 139/KH-UBND is reached directly and through 211-KH/TU: once, at its shortest distance.
    assert_eq!(by_symbol["139/KH-UBND"]["depth"], 1);
    assert_eq!(by_symbol["139/KH-UBND"]["path"], json!(["57-KL/TW", "139/KH-UBND"]));
    assert_eq!(by_symbol["48/KH-UBND"]["depth"], 2);
    assert_eq!(by_symbol["48/KH-UBND"]["path"], json!(["57-KL/TW", "47/NQ-CP", "48/KH-UBND"]));
    let depths: Vec<i64> = nodes.as_array().unwrap().iter().map(|n| n["depth"].as_i64().unwrap()).collect();
    assert!(depths.windows(2).all(|w| w[0] <= w[1]), "nearest first: {depths:?}");
    // documents, the feed's sequence (nothing is remembered yet), then one recursive statement
    // for the lineage.
    assert_eq!(r.sql_statements(), 3, "{:#}", r.0);

    let r = app
        .gql("{ documents(filter: { symbol: \"48/KH-UBND\" }) { nodes { ancestors { depth path document { symbol } } } } }", json!({}))
        .await;
    let up = r.data("documents.nodes.0.ancestors").clone();
    assert_eq!(symbols(&up, "/document/symbol"), ["47/NQ-CP", "57-KL/TW"]);
    assert_eq!(up[1]["path"], json!(["48/KH-UBND", "47/NQ-CP", "57-KL/TW"]));

    let r = app
        .gql(
            "{ documents(filter: { symbol: \"139/KH-UBND\" }) { nodes { ancestors { depth document { symbol } } } } }",
            json!({}),
        )
        .await;
    let up = r.data("documents.nodes.0.ancestors").clone();
    let mut parents = symbols(&up, "/document/symbol");
    parents.sort();
    assert_eq!(parents, ["211-KH/TU", "57-KL/TW"], "57-KL/TW once, though reached two ways");

    // Pages of two, filtered to plans, then bounded in depth.
    let page = "query($after: String) { documents(filter: { symbol: \"57-KL/TW\" }) { nodes {
        descendants(first: 2, after: $after, filter: { kind: PLAN }) { totalCount pageInfo { hasNextPage endCursor } nodes { document { symbol } } }
        near: descendants(maxDepth: 1) { totalCount } } } }";
    let (mut seen, mut after) = (Vec::new(), Value::Null);
    loop {
        let r = app.gql(page, json!({ "after": after })).await;
        let d = r.data("documents.nodes.0").clone();
        assert_eq!(d["descendants"]["totalCount"], 3, "three plans in the cascade");
        assert_eq!(d["near"]["totalCount"], 4, "48/KH-UBND is two links away");
        seen.extend(symbols(&d["descendants"]["nodes"], "/document/symbol"));
        if !d["descendants"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = d["descendants"]["pageInfo"]["endCursor"].clone();
    }
    seen.sort();
    assert_eq!(seen, ["139/KH-UBND", "211-KH/TU", "48/KH-UBND"]);

    let r = app.gql("{ documents { nodes { ancestors(maxDepth: 0) { depth } } } }", json!({})).await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("maxDepth"));
}

async fn status_follows_the_deadline_to_the_day(app: TestApp) {
    app.seed_sample().await;
    // A date deadline, 30/6/2024, met on 15/8/2024.
    let (late, _) = task(&app, "139/KH-UBND", "3").await;
    assert_eq!(status(&app, &late, "2024-06-30").await, "IN_PROGRESS_ON_TIME");
    assert_eq!(status(&app, &late, "2024-07-01").await, "IN_PROGRESS_OVERDUE");
    assert_eq!(status(&app, &late, "2024-08-14").await, "IN_PROGRESS_OVERDUE");
    assert_eq!(status(&app, &late, "2024-08-15").await, "COMPLETED_LATE");
    // Completed on 19/9/2023, eleven days before its deadline.
    let (early, _) = task(&app, "211-KH/TU", "2").await;
    assert_eq!(status(&app, &early, "2023-09-18").await, "IN_PROGRESS_ON_TIME");
    assert_eq!(status(&app, &early, "2023-09-19").await, "COMPLETED_ON_TIME");
    // A year deadline falls due on 31 December.
    let (year, _) = task(&app, "47/NQ-CP", "4").await;
    assert_eq!(status(&app, &year, "2025-12-31").await, "IN_PROGRESS_ON_TIME");
    assert_eq!(status(&app, &year, "2026-01-01").await, "IN_PROGRESS_OVERDUE");
    // A quarterly task given on 15/4/2024, reported on for the first quarter of 2025 only.
    let (quarterly, _) = task(&app, "47/NQ-CP", "9").await;
    assert_eq!(
        status(&app, &quarterly, "2024-06-30").await,
        "IN_PROGRESS_ON_TIME",
        "no quarter has ended since it was given"
    );
    assert_eq!(status(&app, &quarterly, "2024-07-01").await, "IN_PROGRESS_OVERDUE", "Q2/2024 ended unreported");
    assert_eq!(status(&app, &quarterly, "2025-04-01").await, "IN_PROGRESS_ON_TIME", "Q1/2025 is reported");
    assert_eq!(status(&app, &quarterly, "2025-07-01").await, "IN_PROGRESS_OVERDUE", "Q2/2025 is not");
    let (regular, _) = task(&app, "47/NQ-CP", "7").await;
    assert_eq!(status(&app, &regular, "2030-01-01").await, "ONGOING");
    let (cancelled, _) = task(&app, "48/KH-UBND", "6.2").await;
    assert_eq!(status(&app, &cancelled, "2025-03-01").await, "CANCELLED");

    // The filter and the field agree, status by status, on several days.
    let all = "query($d: Date) { tasks(first: 100) { nodes { id status(asOf: $d) } } }";
    let filtered = "query($d: Date, $s: [TaskStatus!]) { tasks(first: 100, filter: { status: $s, asOf: $d }) { totalCount nodes { id } } }";
    for day in ["2023-12-31", "2024-07-01", "2025-06-30", "2026-11-22"] {
        let r = app.gql(all, json!({ "d": day })).await;
        let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in r.data("tasks.nodes").as_array().unwrap() {
            expected
                .entry(t["status"].as_str().unwrap().to_owned())
                .or_default()
                .push(t["id"].as_str().unwrap().to_owned());
        }
        for s in [
            "COMPLETED_ON_TIME",
            "COMPLETED_LATE",
            "IN_PROGRESS_ON_TIME",
            "IN_PROGRESS_OVERDUE",
            "ONGOING",
            "CANCELLED",
        ] {
            let r = app.gql(filtered, json!({ "d": day, "s": [s] })).await;
            let mut got = symbols(r.data("tasks.nodes"), "/id");
            got.sort();
            let mut want = expected.get(s).cloned().unwrap_or_default();
            want.sort();
            assert_eq!(got, want, "{s} on {day}");
            assert_eq!(r.i64("tasks.totalCount") as usize, want.len());
        }
    }
    let r = app.gql("{ tasks(filter: { asOf: \"2025-01-01\" }) { totalCount } }", json!({})).await;
    assert_eq!(r.error_field().as_deref(), Some("asOf"), "{:#}", r.0);
}

async fn an_extension_counts_from_the_day_it_takes_effect(app: TestApp) {
    app.seed_sample().await;
    // 48/KH-UBND task 5 falls due on 30/11/2025 and is not done.
    let (id, version) = task(&app, "48/KH-UBND", "5").await;
    let hanoi = app.gql("{ agency(code: \"HN-UBND\") { id } }", json!({})).await.str("agency.id");
    let approving = app.create_document("3120/UBND-KGVX", &hanoi, "2025-12-10", &[]).await;
    assert_eq!(status(&app, &id, "2025-12-09").await, "IN_PROGRESS_OVERDUE");

    let extend =
        "mutation($i: ExtendTaskDeadlineInput!) { extendTaskDeadline(input: $i) { task { version deadline { kind date }
        dueOn deadlineExtensions { previousDueOn newDueOn effectiveOn approvedBy { symbol } reason } } } }";
    let input = |v: i64, due: &str| {
        json!({ "i": { "taskId": id, "expectedVersion": v, "newDueOn": due,
        "approvedById": approving, "reason": "Gia hạn theo đề nghị của Sở Văn hóa và Thể thao" } })
    };
    let r = app.gql(extend, input(version, "2025-11-01")).await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("newDueOn"));
    let r = app.gql(extend, input(version + 7, "2026-06-30")).await;
    r.expect_error("CONFLICT");

    let r = app.gql(extend, input(version, "2026-06-30")).await;
    let t = r.data("extendTaskDeadline.task").clone();
    assert_eq!(t["deadline"], json!({ "kind": "DATE", "date": "2026-06-30" }));
    assert_eq!(t["dueOn"], "2026-06-30");
    assert_eq!(
        t["deadlineExtensions"],
        json!([{ "previousDueOn": "2025-11-30", "newDueOn": "2026-06-30", "effectiveOn": "2025-12-10",
                 "approvedBy": { "symbol": "3120/UBND-KGVX" }, "reason": "Gia hạn theo đề nghị của Sở Văn hóa và Thể thao" }])
    );
    // Before the extension took effect the old date held; from then on the new one.
    assert_eq!(status(&app, &id, "2025-12-09").await, "IN_PROGRESS_OVERDUE");
    assert_eq!(status(&app, &id, "2025-12-10").await, "IN_PROGRESS_ON_TIME");
    assert_eq!(status(&app, &id, "2026-06-30").await, "IN_PROGRESS_ON_TIME");
    assert_eq!(status(&app, &id, "2026-07-01").await, "IN_PROGRESS_OVERDUE");
    let overdue = "query($d: Date) { tasks(filter: { status: [IN_PROGRESS_OVERDUE], asOf: $d, agencyCode: \"HN-STTTT\" }) { nodes { id } } }";
    let on = |r: &Gql| symbols(r.data("tasks.nodes"), "/id").contains(&id);
    assert!(on(&app.gql(overdue, json!({ "d": "2025-12-09" })).await));
    assert!(!on(&app.gql(overdue, json!({ "d": "2025-12-10" })).await));

    // An extension cannot count from before the document approving it.
    let r = app
        .gql(
            extend,
            json!({ "i": { "taskId": id, "expectedVersion": version + 1, "newDueOn": "2026-12-31",
            "approvedById": approving, "effectiveOn": "2025-12-01" } }),
        )
        .await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("effectiveOn"));

    // A regular task has no deadline to extend.
    let (regular, v) = task(&app, "48/KH-UBND", "2").await;
    let r = app
        .gql(extend, json!({ "i": { "taskId": regular, "expectedVersion": v, "newDueOn": "2026-01-01", "approvedById": approving } }))
        .await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("taskId"));
}

const COVERAGE: &str = "query($s: String!, $d: Date) { documents(filter: { symbol: $s }) { nodes {
    implementationCoverage(expected: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL }, asOf: $d) {
        expectedCount coveredCount ratio covered { agency { code } documents { symbol } } missing { code } } } } }";

async fn coverage_finds_who_has_issued_a_plan(app: TestApp) {
    app.seed_sample().await;
    let r = app.gql(COVERAGE, json!({ "s": "57-KL/TW", "d": "2025-06-30" })).await;
    let c = r.data("documents.nodes.0.implementationCoverage").clone();
    assert_eq!(c["expectedCount"], 4);
    assert_eq!(c["coveredCount"], 2);
    assert_eq!(c["ratio"], 0.5);
    assert_eq!(
        c["covered"],
        json!([{ "agency": { "code": "HN-UBND" }, "documents": [{ "symbol": "48/KH-UBND" }] },
               { "agency": { "code": "HY-UBND" }, "documents": [{ "symbol": "139/KH-UBND" }] }]),
        "Hưng Yên directly, Hà Nội through 47/NQ-CP"
    );
    assert_eq!(symbols(&c["missing"], "/code"), ["QN-UBND", "TB-UBND"], "Thái Bình has issued nothing");

    // From 1/7/2025 Thái Bình is part of Hưng Yên: it is no longer expected to issue a plan.
    let r = app.gql(COVERAGE, json!({ "s": "57-KL/TW" })).await;
    let c = r.data("documents.nodes.0.implementationCoverage").clone();
    assert_eq!((c["expectedCount"].as_i64(), c["coveredCount"].as_i64()), (Some(3), Some(2)));
    assert_eq!(symbols(&c["missing"], "/code"), ["QN-UBND"]);
    // Unless asked about every agency there ever was.
    let r = app
        .gql(
            "{ documents(filter: { symbol: \"57-KL/TW\" }) { nodes { implementationCoverage(
                expected: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL, activeOn: \"2025-06-30\" }) { expectedCount missing { code } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(symbols(r.data("documents.nodes.0.implementationCoverage.missing"), "/code"), ["QN-UBND", "TB-UBND"]);

    // Before 48/KH-UBND was issued, Hà Nội had not covered it.
    let r = app.gql(COVERAGE, json!({ "s": "57-KL/TW", "d": "2024-12-31" })).await;
    assert_eq!(
        symbols(r.data("documents.nodes.0.implementationCoverage.missing"), "/code"),
        ["HN-UBND", "QN-UBND", "TB-UBND"]
    );

    let r = app.gql(COVERAGE, json!({ "s": "47/NQ-CP" })).await;
    let c = r.data("documents.nodes.0.implementationCoverage").clone();
    assert_eq!(c["covered"], json!([{ "agency": { "code": "HN-UBND" }, "documents": [{ "symbol": "48/KH-UBND" }] }]));
    assert!(symbols(&c["missing"], "/code").contains(&"HY-UBND".to_owned()), "139/KH-UBND predates 47/NQ-CP");
}

async fn rollups_add_up_to_the_tasks(app: TestApp) {
    app.seed_sample().await;
    let q = "query($d: Date) { documents(filter: { symbol: \"57-KL/TW\" }) { nodes {
        own: progress(asOf: $d) { total }
        progress(asOf: $d, includeDescendants: true) { total overdue onTimeRate byStatus { status count } }
        descendants { nodes { document { symbol issuedOn progress(asOf: $d) { total } } } }
        progressByAgency(asOf: $d, role: PRESIDING, includeDescendants: true) { agency { code } progress { total overdue } } } } }";
    for day in ["2024-07-01", "2026-11-22"] {
        let r = app.gql(q, json!({ "d": day })).await;
        let d = r.data("documents.nodes.0").clone();
        assert_eq!(d["own"]["total"], 0, "a conclusion lists no tasks of its own");
        let total = d["progress"]["total"].as_i64().unwrap();
        let by_status: i64 =
            d["progress"]["byStatus"].as_array().unwrap().iter().map(|s| s["count"].as_i64().unwrap()).sum();
        assert_eq!(by_status, total, "{day}");
        let documents: i64 = d["descendants"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["document"]["progress"]["total"].as_i64().unwrap())
            .sum();
        assert_eq!(documents, total, "each task of the cascade once, on {day}");
        // Every task has exactly one presiding agency on any day.
        let rows = d["progressByAgency"].as_array().unwrap();
        let presided: i64 = rows.iter().map(|r| r["progress"]["total"].as_i64().unwrap()).sum();
        assert_eq!(presided, total, "{day}");
        let overdue: Vec<i64> = rows.iter().map(|r| r["progress"]["overdue"].as_i64().unwrap()).collect();
        assert!(overdue.windows(2).all(|w| w[0] >= w[1]), "most overdue first: {overdue:?}");
    }
    // The other orders of the table.
    let r = app
        .gql(
            "{ documents(filter: { symbol: \"57-KL/TW\" }) { nodes {
                byTotal: progressByAgency(asOf: \"2026-11-22\", includeDescendants: true, orderBy: TOTAL_DESC) { progress { total } }
                byRate: progressByAgency(asOf: \"2026-11-22\", includeDescendants: true, orderBy: ON_TIME_RATE_ASC) { progress { onTimeRate } } } } }",
            json!({}),
        )
        .await;
    let totals: Vec<i64> = r
        .data("documents.nodes.0.byTotal")
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["progress"]["total"].as_i64().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "most tasks first: {totals:?}");
    let rates: Vec<Option<f64>> = r
        .data("documents.nodes.0.byRate")
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["progress"]["onTimeRate"].as_f64())
        .collect();
    let known = rates.iter().take_while(|r| r.is_some()).count();
    assert!(known > 1 && rates[known..].iter().all(Option::is_none), "agencies with no rate last: {rates:?}");
    assert!(rates[..known].windows(2).all(|w| w[0] <= w[1]), "lowest rate first: {rates:?}");

    // On 1/7/2024 only 57-KL/TW's cascade as it stood counts: 48/KH-UBND came in 2025.
    let r = app.gql(q, json!({ "d": "2024-07-01" })).await;
    assert_eq!(r.i64("documents.nodes.0.progress.total"), 3 + 2 + 6 + 14);
    let r = app.gql(q, json!({ "d": "2026-11-22" })).await;
    assert_eq!(r.i64("documents.nodes.0.progress.total"), 3 + 2 + 6 + 14 + 8);

    // A ministry's performance across documents matches its row. BTTTT presided only in 47/NQ-CP,
    // and from 1/3/2025 its open tasks there went to BVHTTDL with external information.
    let q = "query($d: Date, $c: String!) { agency(code: $c) { performance(asOf: $d, role: PRESIDING) { total overdue } }
        documents(filter: { symbol: \"47/NQ-CP\" }) { nodes { progressByAgency(asOf: $d, role: PRESIDING) { agency { code } progress { total overdue } } } } }";
    for (day, code, total) in [
        ("2025-02-28", "BTTTT", 8),
        ("2026-11-22", "BTTTT", 3),
        ("2025-02-28", "BVHTTDL", 1),
        ("2026-11-22", "BVHTTDL", 6),
    ] {
        let r = app.gql(q, json!({ "d": day, "c": code })).await;
        let row = r
            .data("documents.nodes.0.progressByAgency")
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["agency"]["code"] == code)
            .unwrap()
            .clone();
        assert_eq!(row["progress"], *r.data("agency.performance"), "{code} on {day}");
        assert_eq!(row["progress"]["total"], total, "{code} on {day}");
    }
}

async fn task_lineage_refuses_cycles(app: TestApp) {
    app.seed_sample().await;
    let (national, _) = task(&app, "47/NQ-CP", "1").await;
    let (provincial, _) = task(&app, "48/KH-UBND", "1").await;
    let (district, _) = task(&app, "48/KH-UBND", "6.1").await;
    let link =
        "mutation($f: ID!, $t: ID!) { linkTasks(input: { fromId: $f, toId: $t }) { from { code } to { code } } }";
    app.gql(link, json!({ "f": provincial, "t": national })).await.data("linkTasks");
    app.gql(link, json!({ "f": district, "t": provincial })).await.data("linkTasks");
    app.gql(link, json!({ "f": district, "t": provincial })).await.data("linkTasks");

    let r = app.gql(link, json!({ "f": national, "t": district })).await;
    assert!(r.expect_error("BAD_USER_INPUT").contains("cycle"), "{:#}", r.0);
    let r = app.gql(link, json!({ "f": national, "t": national })).await;
    r.expect_error("BAD_USER_INPUT");

    let q = "query($id: ID!) { node(id: $id) { ... on Task { derivedFrom { nodes { code document { symbol } } }
        derivedTasks { totalCount nodes { code document { symbol } } } } } }";
    let r = app.gql(q, json!({ "id": provincial })).await;
    assert_eq!(r.data("node.derivedFrom.nodes"), &json!([{ "code": "1", "document": { "symbol": "47/NQ-CP" } }]));
    assert_eq!(
        r.data("node.derivedTasks"),
        &json!({ "totalCount": 1, "nodes": [{ "code": "6.1", "document": { "symbol": "48/KH-UBND" } }] })
    );

    let unlink = "mutation($f: ID!, $t: ID!) { unlinkTasks(input: { fromId: $f, toId: $t }) { from { code } } }";
    app.gql(unlink, json!({ "f": district, "t": provincial })).await.data("unlinkTasks");
    app.gql(unlink, json!({ "f": district, "t": provincial })).await.expect_error("NOT_FOUND");
    // With the chain broken, the national task may now carry out the district one.
    app.gql(link, json!({ "f": national, "t": district })).await.data("linkTasks");
}

/// Lineage and rollups are remembered across requests until the next commit, by this instance or
/// another: asked again, they cost the statements that read the feed's sequence; after a write,
/// the write shows.
async fn cascades_are_remembered_until_the_next_commit(app: TestApp) {
    app.seed_sample().await;
    let q = "{ documents(filter: { symbol: \"57-KL/TW\" }) { nodes { id issuer { id }
        descendants(first: 2) { totalCount nodes { document { symbol } } }
        progress(includeDescendants: true) { total }
        progressByAgency(includeDescendants: true) { agency { code } progress { total } }
        implementationCoverage(expected: { kind: PEOPLES_COMMITTEE }) { coveredCount } } } }";
    let first = app.gql_counted(q, json!({})).await;
    let again = app.gql_counted(q, json!({})).await;
    assert_eq!(again.data("documents"), first.data("documents"));
    // documents, issuer; the lineage and the rollups from the memo, each after reading the feed's
    // sequence; the agencies of the per-agency rows.
    assert_eq!(again.sql_statements(), 5, "{:#}", again.0);
    assert!(
        first.sql_statements() > again.sql_statements(),
        "{} then {}",
        first.sql_statements(),
        again.sql_statements()
    );

    let total = first.i64("documents.nodes.0.progress.total");
    let (document, issuer) = (first.str("documents.nodes.0.id"), first.str("documents.nodes.0.issuer.id"));
    app.create_task(&document, "99", &issuer, &[]).await;
    let after = app.gql_counted(q, json!({})).await;
    assert_eq!(after.i64("documents.nodes.0.progress.total"), total + 1, "the new task counts at once");
    assert_eq!(after.sql_statements(), first.sql_statements());

    // A commit through another instance makes this one's answers stale just the same.
    let below = after.i64("documents.nodes.0.descendants.totalCount");
    let other = app.second_instance().await;
    other.create_task(&document, "100", &issuer, &[]).await;
    other.create_document("999-KH/TEST", &issuer, "2026-02-01", &[&document]).await;
    let now = app.gql(q, json!({})).await;
    assert_eq!(now.i64("documents.nodes.0.progress.total"), total + 2);
    assert_eq!(now.i64("documents.nodes.0.descendants.totalCount"), below + 1, "the new plan is below it at once");

    // With the memo off, every request computes afresh.
    let cold = app.second_instance_with(|s| s.cascade_cache = 0).await;
    let counts =
        [cold.gql_counted(q, json!({})).await.sql_statements(), cold.gql_counted(q, json!({})).await.sql_statements()];
    assert_eq!(counts, [first.sql_statements() - 2; 2], "no sequence to read, everything walked and counted");
}

/// Every one of these fields costs the same statements for one document as for all of them.
async fn cascade_fields_cost_a_fixed_number_of_statements(app: TestApp) {
    app.seed_sample().await;
    let q = "query($n: Int) { documents(first: $n, filter: { issuedFrom: \"2022-01-01\" }) { nodes { symbol
        ancestors { depth }
        descendants(first: 5) { nodes { path } }
        progress(includeDescendants: true) { total }
        progressByAgency(includeDescendants: true) { agency { code } progress { overdue } }
        implementationCoverage(expected: { kind: PEOPLES_COMMITTEE }) { covered { documents { symbol } } missing { code } }
        tasks(first: 20) { nodes { status derivedFrom { totalCount } deadlineExtensions { newDueOn } } } } } }";
    let mut counts = Vec::new();
    for n in [1, 4, 10] {
        let r = app.gql_counted(q, json!({ "n": n })).await;
        assert_eq!(r.data("documents.nodes").as_array().unwrap().len(), n);
        counts.push(r.sql_statements());
    }
    // documents; ancestors (a whole list, walked afresh); the feed's sequence and descendants (a
    // page, remembered); the sequence, progress, progressByAgency, then its agencies; coverage,
    // then its documents; tasks; status; derivedFrom; deadlineExtensions.
    // 837/QĐ-TTg, first, has tasks and a province's plan carrying it out, so every one of them
    // runs each time; the others' rollups are not yet remembered.
    assert!(counts.iter().all(|n| *n == 14), "{counts:?}");
    let r = app
        .gql_counted("{ tasks(first: 100, filter: { status: [IN_PROGRESS_OVERDUE, COMPLETED_LATE] }) { totalCount nodes { status } } }", json!({}))
        .await;
    // the page, its count, the statuses.
    assert_eq!(r.sql_statements(), 3, "{:#}", r.0);

    // A filter on one status already says what each task's status is on that day: no statement
    // for the field, whether the list is at the top or under a document; another day still asks.
    let r = app
        .gql_counted("{ tasks(first: 100, filter: { status: [IN_PROGRESS_OVERDUE] }) { nodes { status } } }", json!({}))
        .await;
    let nodes = r.data("tasks.nodes").as_array().unwrap().clone();
    let statuses: Vec<&str> = nodes.iter().map(|n| n["status"].as_str().unwrap()).collect();
    assert!(!statuses.is_empty() && statuses.iter().all(|s| *s == "IN_PROGRESS_OVERDUE"), "{statuses:?}");
    assert_eq!(r.sql_statements(), 1, "the page alone: {:#}", r.0);
    let q = "query($d: Date) { documents(first: 20) { nodes {
        tasks(first: 50, filter: { status: [COMPLETED_ON_TIME], asOf: \"2026-06-30\" }) { nodes { status(asOf: $d) } } } } }";
    let statuses_in = |r: &crate::helpers::Gql| -> Vec<String> {
        let documents = r.data("documents.nodes").as_array().unwrap().clone();
        let tasks = documents.iter().flat_map(|d| d["tasks"]["nodes"].as_array().unwrap().clone());
        tasks.map(|t| t["status"].as_str().unwrap().to_owned()).collect()
    };
    let on_the_day = app.gql_counted(q, json!({ "d": "2026-06-30" })).await;
    let found = statuses_in(&on_the_day);
    assert!(!found.is_empty() && found.iter().all(|s| s == "COMPLETED_ON_TIME"), "{found:?}");
    // documents, their tasks.
    assert_eq!(on_the_day.sql_statements(), 2, "{:#}", on_the_day.0);
    // Before any of them was given, none was complete.
    let before = app.gql_counted(q, json!({ "d": "2020-01-01" })).await;
    let then = statuses_in(&before);
    assert_eq!(then.len(), found.len());
    assert!(then.iter().all(|s| s != "COMPLETED_ON_TIME"), "{then:?}");
    assert_eq!(before.sql_statements(), 3, "another day's status is computed: {:#}", before.0);
}

db_tests!(
    cascades_are_remembered_until_the_next_commit,
    lineage_goes_both_ways_and_counts_a_diamond_once,
    status_follows_the_deadline_to_the_day,
    an_extension_counts_from_the_day_it_takes_effect,
    coverage_finds_who_has_issued_a_plan,
    rollups_add_up_to_the_tasks,
    task_lineage_refuses_cycles,
    cascade_fields_cost_a_fixed_number_of_statements,
);
