//! Plans in and reports out: imports all or nothing, exports that load back, the cascade diagram
//! and its page.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::cli::directives;
use crate::db_tests;
use crate::helpers::{Gql, TestApp};

/// The day the exports in these tests are taken on, and the one of the committed examples.
const AS_OF: &str = "2026-11-22";

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("directives_{}_{}_{name}", std::process::id(), uuid::Uuid::now_v7().simple()))
}

async fn id_of(app: &TestApp, symbol: &str) -> String {
    let r = app
        .gql("query($s: String!) { documents(filter: { symbol: $s }) { nodes { id } } }", json!({ "s": symbol }))
        .await;
    r.str("documents.nodes.0.id")
}

async fn agency_id(app: &TestApp, code: &str) -> String {
    app.gql("query($c: String!) { agency(code: $c) { id } }", json!({ "c": code })).await.str("agency.id")
}

/// Sends `importTasks` as a multipart request carrying `file` under `name`, as `token`.
async fn import_as(app: &TestApp, token: &str, document: &str, name: &str, file: Vec<u8>, dry_run: bool) -> (u16, Gql) {
    let operations = json!({
        "query": "mutation($i: ImportTasksInput!) { importTasks(input: $i) { dryRun format createdTaskGroups \
                  rows { row code group content lead { code } coordinators { code } deadline { kind date year recurrence } expectedOutput } \
                  tasks { id code } } }",
        "variables": { "i": { "documentId": document, "file": null, "dryRun": dry_run } },
    });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.i.file"] }).to_string())
        .part("0", reqwest::multipart::Part::bytes(file).file_name(name.to_owned()));
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("a body");
    (status, Gql(serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

async fn import(app: &TestApp, document: &str, name: &str, file: Vec<u8>, dry_run: bool) -> Gql {
    let (status, body) = import_as(app, &app.admin_token, document, name, file, dry_run).await;
    assert_eq!(status, 200, "{:#}", body.0);
    body
}

/// What a document's tasks are, as the import must reproduce them.
async fn tasks_of(app: &TestApp, document: &str) -> Vec<Value> {
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Document { tasks(first: 100) { nodes { code content \
             expectedOutput deadline { kind date year recurrence } lead { code } coordinators { code } } } \
             taskGroups { code title } } } }",
            json!({ "id": document }),
        )
        .await;
    let mut tasks = r.data("node.tasks.nodes").as_array().unwrap().clone();
    for t in &mut tasks {
        let mut codes: Vec<Value> = t["coordinators"].as_array().unwrap().clone();
        codes.sort_by_key(|c| c["code"].as_str().unwrap().to_owned());
        t["coordinators"] = Value::Array(codes);
    }
    tasks
}

async fn export(app: &TestApp, document: &str, format: &str) -> Vec<u8> {
    let r = app
        .gql(
            "query($id: ID!, $f: FileFormat!, $d: Date) { node(id: $id) { ... on Document { \
             export(format: $f, asOf: $d) { fileName contentType size base64 } } } }",
            json!({ "id": document, "f": format, "d": AS_OF }),
        )
        .await;
    let bytes = STANDARD.decode(r.str("node.export.base64")).unwrap();
    assert_eq!(r.i64("node.export.size") as usize, bytes.len());
    assert!(r.str("node.export.fileName").ends_with(&format!("-{AS_OF}.{}", format.to_lowercase())), "{:#}", r.0);
    bytes
}

async fn changes_cursor(app: &TestApp) -> Value {
    app.gql("{ changesCursor auditLog(first: 1) { totalCount } }", json!({})).await.0["data"].clone()
}

async fn a_json_export_loads_into_an_empty_service_with_the_same_result(app: TestApp) {
    app.seed_sample().await;
    let root = id_of(&app, "57-KL/TW").await;
    let exported = export(&app, &root, "JSON").await;
    let file: Value = serde_json::from_slice(&exported).unwrap();
    assert_eq!(file["format"], "directives-cascade");
    let symbols: Vec<&str> =
        file["documents"].as_array().unwrap().iter().map(|d| d["symbol"].as_str().unwrap()).collect();
    assert_eq!(symbols[0], "57-KL/TW");
    assert_eq!(symbols.len(), 6, "{symbols:?}");
    // 139/KH-UBND carries out 211-KH/TU too: it comes after it, so that loading can link the two.
    let position = |s: &str| symbols.iter().position(|x| *x == s).unwrap();
    assert!(position("211-KH/TU") < position("139/KH-UBND"));
    assert!(position("47/NQ-CP") < position("48/KH-UBND"));

    let empty = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    let path = temp_file("cascade.json");
    std::fs::write(&path, &exported).unwrap();
    let (ok, out, err) = directives(&["import", path.to_str().unwrap()], &empty.database_url);
    assert!(ok, "{out}{err}");
    assert!(out.contains("6 documents, 33 tasks"), "{out}");
    let again = export(&empty, &id_of(&empty, "57-KL/TW").await, "JSON").await;
    let again: Value = serde_json::from_slice(&again).unwrap();
    assert_eq!(again, file, "the same cascade, the same agencies, the same status of every task");
    // The load went through the write paths: the change feed and the audit trail saw it.
    let seen = changes_cursor(&empty).await;
    assert!(seen["auditLog"]["totalCount"].as_i64().unwrap() > 33, "{seen:#}");
    // Loading it twice changes nothing.
    let before = changes_cursor(&empty).await;
    let (ok, out, _) = directives(&["import", path.to_str().unwrap()], &empty.database_url);
    assert!(ok && out.contains("0 agencies, 0 documents, 0 tasks"), "{out}");
    assert_eq!(changes_cursor(&empty).await, before);
    std::fs::remove_file(path).ok();
}

async fn an_exported_workbook_reads_back_into_the_import(app: TestApp) {
    app.seed_sample().await;
    let path = temp_file("139.xlsx");
    let (ok, _, err) = directives(
        &[
            "export",
            "--document",
            "139/KH-UBND",
            "--format",
            "xlsx",
            "--as-of",
            "22/11/2026",
            "--output",
            path.to_str().unwrap(),
        ],
        &app.database_url,
    );
    assert!(ok, "{err}");
    assert!(err.contains("1 documents, 6 tasks"), "{err}");
    let workbook = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).ok();
    {
        use calamine::Reader;
        let book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(workbook.clone())).unwrap();
        assert_eq!(book.sheet_names(), ["Văn bản", "Nhiệm vụ", "Theo cơ quan"]);
    }
    // A new plan of the same People's Committee, filled from the workbook.
    let issuer = agency_id(&app, "HY-UBND").await;
    let plan = app.create_document("140/KH-UBND", &issuer, "2023-10-02", &[]).await;
    let r = import(&app, &plan, "139-KH-UBND.xlsx", workbook, false).await;
    assert_eq!(r.str("importTasks.format"), "XLSX");
    assert_eq!(r.data("importTasks.tasks").as_array().unwrap().len(), 6);
    let original = tasks_of(&app, &id_of(&app, "139/KH-UBND").await).await;
    assert_eq!(tasks_of(&app, &plan).await, original, "codes, content, deadlines, agencies and outputs");
}

async fn a_file_with_ten_problems_reports_all_ten_and_changes_nothing(app: TestApp) {
    app.seed_sample().await;
    // Two agencies with one name: a name alone cannot say which is meant.
    for code in ["XA-UBND-A", "XA-UBND-B"] {
        app.gql(
            "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id } } }",
            json!({ "i": { "code": code, "name": "Ủy ban nhân dân xã Tân Hưng", "kind": "PEOPLES_COMMITTEE", "level": "COMMUNE" } }),
        )
        .await
        .data("createAgency");
    }
    let plan = id_of(&app, "139/KH-UBND").await;
    let before_tasks = tasks_of(&app, &plan).await;
    let before = changes_cursor(&app).await;
    let csv = "\
Mã,Nội dung,Cơ quan chủ trì,Cơ quan phối hợp,Thời hạn
1,Tuyên truyền,HY-STTTT,,30/6/2026
7,Hội nghị,SO-KHONG-CO,,30/6/2026
8,Quảng bá,HY-STTTT,Ủy ban nhân dân xã Tân Hưng,30/6/2026
9,Ấn phẩm,HY-STTTT,,31/2/2026
9,Trùng mã,HY-STTTT,,2026
10,,HY-STTTT,,2026
11,Phối hợp,HY-STTTT,HY-STTTT,2026
1 2,Mã có dấu cách,HY-STTTT,,2026
12,Đấu tranh,HY-STTTT,HY-SNV; Sở Không Tồn Tại,2026
13,Báo cáo,HY-STTTT,,năm 3000
";
    let (status, r) = import_as(&app, &app.admin_token, &plan, "ke-hoach.csv", csv.as_bytes().to_vec(), false).await;
    assert_eq!(status, 200);
    assert_eq!(r.error_code(), "BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("file"));
    assert!(r.error_message().contains("10 problems"), "{}", r.error_message());
    let problems = r.0["errors"][0]["extensions"]["problems"].as_array().unwrap().clone();
    let found: Vec<(i64, &str, &str)> = problems
        .iter()
        .map(|p| (p["row"].as_i64().unwrap(), p["column"].as_str().unwrap(), p["cell"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            (2, "Mã", "A2"),
            (3, "Cơ quan chủ trì", "C3"),
            (4, "Cơ quan phối hợp", "D4"),
            (5, "Thời hạn", "E5"),
            (6, "Mã", "A6"),
            (7, "Nội dung", "B7"),
            (8, "Cơ quan phối hợp", "D8"),
            (9, "Mã", "A9"),
            (10, "Cơ quan phối hợp", "D10"),
            (11, "Thời hạn", "E11"),
        ],
        "{problems:#?}"
    );
    let message = |i: usize| problems[i]["message"].as_str().unwrap().to_owned();
    assert!(message(0).contains("139/KH-UBND already has a task 1"), "{}", message(0));
    assert!(message(1).contains("no agency has the code or the name \"SO-KHONG-CO\""), "{}", message(1));
    assert!(message(2).contains("XA-UBND-A, XA-UBND-B"), "{}", message(2));
    assert!(message(3).contains("not a day of the calendar"), "{}", message(3));
    assert!(message(4).contains("also on row 5"), "{}", message(4));
    assert!(message(5).contains("empty"), "{}", message(5));
    assert!(message(6).contains("cannot also coordinate"), "{}", message(6));
    assert!(message(7).contains("without spaces"), "{}", message(7));
    assert!(message(8).contains("Sở Không Tồn Tại"), "{}", message(8));
    assert!(message(9).contains("between 1945 and 2100"), "{}", message(9));
    assert_eq!(tasks_of(&app, &plan).await, before_tasks, "no task written");
    assert_eq!(changes_cursor(&app).await, before, "nothing in the change feed or the audit trail");

    // The command line refuses it the same way, listing every problem.
    let path = temp_file("ke-hoach.csv");
    std::fs::write(&path, csv).unwrap();
    let (ok, _, err) = directives(&["import", path.to_str().unwrap(), "--document", "139/KH-UBND"], &app.database_url);
    std::fs::remove_file(&path).ok();
    assert!(!ok);
    assert!(err.contains("10 problem(s)") && err.contains("row 11, Thời hạn (E11)"), "{err}");
    assert_eq!(changes_cursor(&app).await, before);
}

/// A new, empty plan of the Hưng Yên Department of Information and Communications, loaded from
/// the example hierarchy file as the README does.
async fn hung_yen_plan(app: &TestApp) -> String {
    let (ok, out, err) =
        directives(&["import", example("import/hung-yen-plan-2026.json").to_str().unwrap()], &app.database_url);
    assert!(ok && out.contains("1 documents"), "{out}{err}");
    id_of(app, "15/KH-STTTT").await
}

async fn the_example_plans_import_and_a_dry_run_writes_nothing(app: TestApp) {
    app.seed_sample().await;
    let plan = hung_yen_plan(&app).await;
    let before = changes_cursor(&app).await;
    let mut previews = Vec::new();
    for name in ["hung-yen-tasks-2026.csv", "hung-yen-tasks-2026.json", "hung-yen-tasks-2026.xlsx"] {
        let bytes = std::fs::read(example(&format!("import/{name}"))).unwrap();
        let r = import(&app, &plan, name, bytes, true).await;
        assert_eq!(r.data("importTasks.dryRun"), true);
        assert_eq!(r.data("importTasks.tasks"), &json!([]));
        let mut rows = r.data("importTasks.rows").clone();
        for row in rows.as_array_mut().unwrap() {
            row.as_object_mut().unwrap().remove("row");
        }
        previews.push((name, rows, r.data("importTasks.createdTaskGroups").clone()));
    }
    assert_eq!(changes_cursor(&app).await, before, "dry runs write nothing");
    let (_, csv_rows, groups) = &previews[0];
    assert_eq!(groups, &json!(["I", "II", "III"]));
    for (name, rows, _) in &previews[1..] {
        assert_eq!(rows, csv_rows, "{name} makes the same tasks as the CSV");
    }
    // Vietnamese dates, years and recurrences; agencies by name and by code.
    let rows = csv_rows.as_array().unwrap();
    assert_eq!(rows[0]["deadline"], json!({ "kind": "DATE", "date": "2026-06-30", "year": null, "recurrence": null }));
    assert_eq!(rows[0]["coordinators"], json!([{ "code": "HY-SNV" }, { "code": "HY-SVHTTDL" }]));
    assert_eq!(rows[1]["lead"], json!({ "code": "HY-STTTT" }));
    assert_eq!(rows[1]["deadline"]["date"], "2026-09-15");
    assert_eq!(rows[2]["deadline"]["year"], 2026);
    assert_eq!(rows[3]["deadline"]["date"], "2026-11-15");
    assert_eq!(rows[4]["deadline"]["kind"], "NONE");
    assert_eq!(rows[5]["deadline"]["recurrence"], "QUARTERLY");

    // The command line imports it for real; the feed and the audit trail see every task.
    let (ok, out, err) = directives(
        &["import", example("import/hung-yen-tasks-2026.csv").to_str().unwrap(), "--document", "15/KH-STTTT"],
        &app.database_url,
    );
    assert!(ok && out.contains("6 tasks and task groups I, II, III added to 15/KH-STTTT"), "{out}{err}");
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Document { tasks { totalCount } } } \
             changes(first: 100, scope: { documentId: $id, entityTypes: [TASK] }) { nodes { operation } } }",
            json!({ "id": plan }),
        )
        .await;
    assert_eq!(r.i64("node.tasks.totalCount"), 6);
    assert_eq!(r.data("changes.nodes").as_array().unwrap().len(), 6, "{:#}", r.0);
    // Again: every code is taken now, and nothing is written.
    let bytes = std::fs::read(example("import/hung-yen-tasks-2026.json")).unwrap();
    let (_, r) = import_as(&app, &app.admin_token, &plan, "again.json", bytes, false).await;
    assert!(r.expect_error("BAD_USER_INPUT").contains("6 problems"), "{:#}", r.0);
}

async fn only_an_editor_of_the_issuer_imports(app: TestApp) {
    app.seed_sample().await;
    let plan = hung_yen_plan(&app).await;
    let csv = std::fs::read(example("import/hung-yen-tasks-2026.csv")).unwrap();
    let hanoi = app.token("editor@hn", &[api::domain::policy::Role::Editor], Some("HN-UBND"));
    let (_, r) = import_as(&app, &hanoi, &plan, "plan.csv", csv.clone(), true).await;
    r.expect_error("FORBIDDEN");
    let reader = app.token("reader", &[api::domain::policy::Role::Reader], None);
    let (_, r) = import_as(&app, &reader, &plan, "plan.csv", csv.clone(), false).await;
    r.expect_error("FORBIDDEN");
    // The province's editor may: the department is under the People's Committee.
    let hung_yen = app.token("editor@hy", &[api::domain::policy::Role::Editor], Some("HY-UBND"));
    let (status, r) = import_as(&app, &hung_yen, &plan, "plan.csv", csv, false).await;
    assert_eq!(status, 200);
    assert_eq!(r.data("importTasks.tasks").as_array().unwrap().len(), 6);
    let r =
        app.gql("{ auditLog(filter: { sub: \"editor@hy\" }, first: 100) { nodes { operation } } }", json!({})).await;
    let ops: Vec<&Value> = r.data("auditLog.nodes").as_array().unwrap().iter().map(|n| &n["operation"]).collect();
    assert!(!ops.is_empty() && ops.iter().all(|o| *o == "importTasks"), "{ops:?}");
}

async fn an_upload_over_the_cap_is_refused(app: TestApp) {
    app.seed_sample().await;
    let plan = id_of(&app, "139/KH-UBND").await;
    let before = changes_cursor(&app).await;
    let huge = vec![b'x'; api::config::DEFAULT_MAX_UPLOAD_BYTES + 1];
    let (status, _) = import_as(&app, &app.admin_token, &plan, "huge.csv", huge, false).await;
    assert_eq!(status, 413);
    assert_eq!(changes_cursor(&app).await, before);
}

/// Documents with no task and nothing below them draw too (PostgreSQL once refused the empty list
/// of tasks whose status the diagram asks for).
async fn every_document_has_a_diagram(app: TestApp) {
    app.seed_sample().await;
    let issuer = app.create_agency("SO-TEST", "DEPARTMENT", "PROVINCIAL", None).await;
    let empty = app.create_document("01/KH-SOTEST", &issuer, "2026-01-05", &[]).await;
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Document { diagram(format: MERMAID) } } }",
            json!({ "id": empty }),
        )
        .await;
    assert!(r.str("node.diagram").contains("<b>01/KH-SOTEST</b>"), "{:#}", r.0);
    let r = app.gql("{ documents(first: 100) { nodes { symbol diagram(format: MERMAID) } } }", json!({})).await;
    let nodes = r.data("documents.nodes").as_array().unwrap();
    assert_eq!(nodes.len(), 17);
    for n in nodes {
        let symbol = n["symbol"].as_str().unwrap();
        let diagram = n["diagram"].as_str().unwrap();
        assert!(diagram.contains(&format!("<b>{symbol}</b>")), "{symbol} is missing from its own diagram\n{diagram}");
    }
}

async fn the_diagram_of_57_kl_tw_shows_every_document_of_its_cascade(app: TestApp) {
    app.seed_sample().await;
    let root = id_of(&app, "57-KL/TW").await;
    let r = app
        .gql_counted(
            "query($id: ID!, $d: Date) { node(id: $id) { ... on Document { diagram(format: MERMAID, asOf: $d) \
             descendants { nodes { document { symbol } } } } } }",
            json!({ "id": root, "d": AS_OF }),
        )
        .await;
    let diagram = r.str("node.diagram");
    assert!(diagram.contains("flowchart TD"), "{diagram}");
    let mut symbols = vec!["57-KL/TW".to_owned()];
    symbols.extend(
        r.data("node.descendants.nodes")
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["document"]["symbol"].as_str().unwrap().to_owned()),
    );
    assert_eq!(symbols.len(), 6);
    for symbol in &symbols {
        assert!(diagram.contains(&format!("<b>{symbol}</b>")), "{symbol} is missing from\n{diagram}");
    }
    // One arrow per IMPLEMENTS link inside the cascade: 211, 111, 139 (twice), 47 and 48.
    assert_eq!(diagram.matches(" --> ").count(), 6, "{diagram}");
    assert_eq!(diagram.matches("style d").count(), 6);
    // 47/NQ-CP has tasks with deadlines: its box says how many are done and is not grey.
    let line = diagram.lines().find(|l| l.contains("<b>47/NQ-CP</b>")).unwrap();
    let node = line.trim().split('[').next().unwrap().to_owned();
    assert!(line.contains("hoàn thành "), "{line}");
    let style = diagram.lines().find(|l| l.trim().starts_with(&format!("style {node} "))).unwrap();
    assert!(!style.contains("#e0e0e0"), "{style}");
    let english = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Document { diagram(lang: \"en\", maxDepth: 1) } } }",
            json!({ "id": root }),
        )
        .await
        .str("node.diagram");
    assert!(english.contains("Politburo") && !english.contains("48/KH-UBND"), "{english}");
    // The statements depend on the query's shape, not on how many cascades it draws (counted where
    // nothing is remembered between requests, so that what came before does not count).
    let cold = app.second_instance_with(|s| s.cascade_cache = 0).await;
    let one = cold
        .gql_counted(
            "query($d: Date) { documents(filter: { symbol: \"57-KL/TW\" }) { nodes { diagram(asOf: $d) } } }",
            json!({ "d": AS_OF }),
        )
        .await;
    let all = cold
        .gql_counted("query($d: Date) { documents(first: 20) { nodes { diagram(asOf: $d) } } }", json!({ "d": AS_OF }))
        .await;
    assert_eq!(all.data("documents.nodes").as_array().unwrap().len(), 16);
    assert_eq!(all.sql_statements(), one.sql_statements(), "{} statements for one diagram", one.sql_statements());
    let bad = app
        .gql("query($id: ID!) { node(id: $id) { ... on Document { diagram(maxDepth: 99) } } }", json!({ "id": root }))
        .await;
    assert_eq!(bad.error_field().as_deref(), Some("maxDepth"));
}

async fn the_cascade_page_and_mermaid_come_from_the_service(app: TestApp) {
    app.seed_sample().await;
    let root = id_of(&app, "57-KL/TW").await;
    let page = app.get(&format!("/cascade/{root}"), "text/html").await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("var DOCUMENT_ID = \"{root}\";")), "the page asks about this document");
    assert!(html.contains("src=\"/cascade/assets/mermaid.tiny.js\""));
    assert!(!html.contains("http://") && !html.contains("https://"), "no other host in the page");

    let gz = app
        .client
        .get(format!("{}/cascade/assets/mermaid.tiny.js", app.address))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let plain = app
        .client
        .get(format!("{}/cascade/assets/mermaid.tiny.js", app.address))
        .header("Accept-Encoding", "identity")
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let script = plain.text().await.unwrap();
    assert!(script.contains("globalThis[\"mermaid\"]"), "Mermaid's browser build");

    for path in
        ["/cascade/not-an-id", &format!("/cascade/{}", agency_id(&app, "BCT").await), "/cascade/assets/other.js"]
    {
        assert_eq!(app.get(path, "text/html").await.status(), 404, "{path}");
    }
}

async fn the_committed_export_examples_are_what_the_export_writes(app: TestApp) {
    app.seed_sample().await;
    for format in ["json", "csv"] {
        let path = temp_file(&format!("57.{format}"));
        let (ok, _, err) = directives(
            &[
                "export",
                "--document",
                "57-KL/TW",
                "--format",
                format,
                "--as-of",
                AS_OF,
                "--output",
                path.to_str().unwrap(),
            ],
            &app.database_url,
        );
        assert!(ok, "{err}");
        let written = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).ok();
        let committed = std::fs::read(example(&format!("export/57-KL-TW-{AS_OF}.{format}"))).unwrap();
        assert!(
            written == committed,
            "examples/export/57-KL-TW-{AS_OF}.{format} is out of date: regenerate it as the README says"
        );
    }
    // The CSV says what the rollups say: one line per task of the cascade, 8 of them overdue.
    let csv = std::fs::read_to_string(example(&format!("export/57-KL-TW-{AS_OF}.csv"))).unwrap();
    assert_eq!(csv.lines().count(), 1 + 33);
    assert_eq!(csv.matches("Đang thực hiện, quá hạn").count(), 8);
}

db_tests!(
    a_json_export_loads_into_an_empty_service_with_the_same_result,
    an_exported_workbook_reads_back_into_the_import,
    a_file_with_ten_problems_reports_all_ten_and_changes_nothing,
    the_example_plans_import_and_a_dry_run_writes_nothing,
    only_an_editor_of_the_issuer_imports,
    an_upload_over_the_cap_is_refused,
    the_diagram_of_57_kl_tw_shows_every_document_of_its_cascade,
    every_document_has_a_diagram,
    the_cascade_page_and_mermaid_come_from_the_service,
    the_committed_export_examples_are_what_the_export_writes,
);
