//! Bad input over HTTP, against a server with the sample loaded: thousands of random but
//! schema-valid queries and mutations (generated from the SDL with a fixed seed; set
//! `DIRECTIVES_GEN_SEED` to try another, and the failure message names the seed), then malformed
//! bodies. The server must never answer 5xx (503 aside), never drop a connection, never report an
//! internal error, and a refused request must leave the database as it was.

use std::collections::BTreeMap;

use api::domain::policy::Role;
use api::ids::{GlobalId, NodeType};
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};

use crate::db_tests;
use crate::generator::{Generator, Pools, Schema};
use crate::helpers::TestApp;

const SEED: u64 = 0x0007_5EED;
const QUERIES: usize = 1500;
const MUTATIONS: usize = 600;
const MUTATED_BODIES: usize = 400;

const CODES: &[&str] = &[
    "BAD_USER_INPUT",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "QUERY_TOO_COMPLEX",
    "RATE_LIMITED",
    "INTERNAL",
];

/// What the responses were, to show that the generator reached past the first checks.
#[derive(Default, Debug)]
struct Tally {
    clean: usize,
    with_errors: usize,
    codes: BTreeMap<String, usize>,
    statuses: BTreeMap<u16, usize>,
}

struct Run<'a> {
    app: &'a TestApp,
    seed: u64,
    tally: Tally,
}

impl Run<'_> {
    /// Sends a body; a dropped connection or a 5xx other than 503 fails the test with the input.
    async fn send(&mut self, token: Option<&str>, content_type: &str, body: Vec<u8>, what: &str) -> (u16, Value) {
        let mut request = self
            .app
            .client
            .post(format!("{}/graphql", self.app.address))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let seed = self.seed;
        let response = request.send().await.unwrap_or_else(|e| panic!("seed {seed:#x}: no answer to {what}: {e}"));
        let status = response.status().as_u16();
        *self.tally.statuses.entry(status).or_default() += 1;
        assert!(status < 500 || status == 503, "seed {seed:#x}: {status} for {what}");
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Sends a generated operation and checks its answer.
    async fn operation(&mut self, token: Option<&str>, query: &str) -> Value {
        let body = serde_json::to_vec(&json!({ "query": query })).unwrap();
        let (status, body) = self.send(token, "application/json", body, query).await;
        let seed = self.seed;
        assert!(
            body.get("data").is_some() || body.get("errors").is_some(),
            "seed {seed:#x}: {status} {body} for {query}"
        );
        let errors = body["errors"].as_array().cloned().unwrap_or_default();
        if errors.is_empty() {
            self.tally.clean += 1;
        } else {
            self.tally.with_errors += 1;
        }
        for error in &errors {
            let code = error["extensions"]["code"].as_str().unwrap_or("<none>");
            *self.tally.codes.entry(code.to_owned()).or_default() += 1;
            assert!(CODES.contains(&code), "seed {seed:#x}: code {code} outside the catalogue in {body} for {query}");
            assert_ne!(code, "INTERNAL", "seed {seed:#x}: an internal error for {query}: {body}");
            let message = error["message"].as_str().unwrap_or("");
            for leak in ["sqlx", "SQL", "sea_orm", "panicked", "SELECT "] {
                assert!(!message.contains(leak), "seed {seed:#x}: {message:?} leaks {leak} for {query}");
            }
            // An error outside any field is the request's own fault: a valid operation only
            // meets one for a missing token, a NUL character (refused in any string) or a limit.
            if error.get("path").is_none_or(Value::is_null) && code == "BAD_USER_INPUT" {
                let nul = query.contains("\\u0000") && message.contains("NUL character");
                assert!(nul, "seed {seed:#x}: the generator wrote an invalid operation: {query}\n{body}");
            }
        }
        body
    }
}

/// Every table's row count and the change feed's position, read directly from the database.
async fn snapshot(app: &TestApp, db: &DatabaseConnection, tables: &[String]) -> (String, Vec<i64>) {
    let cursor = app.gql("{ changesCursor }", json!({})).await.str("changesCursor");
    let counts =
        tables.iter().enumerate().map(|(i, t)| format!("(SELECT COUNT(*) FROM \"{t}\") AS c{i}")).collect::<Vec<_>>();
    let sql = format!("SELECT {}", counts.join(", "));
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    let counts = (0..tables.len()).map(|i| row.try_get::<i64>("", &format!("c{i}")).unwrap()).collect();
    (cursor, counts)
}

async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    let tables: Vec<String> = rows.iter().map(|r| r.try_get("", "name").unwrap()).collect();
    assert!(tables.len() >= 10, "{tables:?}");
    tables
}

/// Ids and codes of the sample, and the edge cases mixed in with them.
async fn pools(app: &TestApp) -> Pools {
    let r = app
        .gql(
            "{ agencies(first: 100) { nodes { id code } }
               documents(first: 100) { nodes { id symbol taskGroups { id } } }
               tasks(first: 100) { nodes { id code assignments { id } progressReports(first: 3) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    let mut ids = Vec::new();
    let mut strings: Vec<String> = Vec::new();
    let mut collect = |v: &Value| {
        if let Some(id) = v["id"].as_str() {
            ids.push(id.to_owned());
        }
        for key in ["code", "symbol"] {
            if let Some(s) = v[key].as_str() {
                strings.push(s.to_owned());
            }
        }
    };
    for list in ["agencies.nodes", "documents.nodes", "tasks.nodes"] {
        for node in r.data(list).as_array().unwrap() {
            collect(node);
            for nested in ["taskGroups", "assignments"] {
                node[nested].as_array().into_iter().flatten().for_each(&mut collect);
            }
            node["progressReports"]["nodes"].as_array().into_iter().flatten().for_each(&mut collect);
        }
    }
    assert!(ids.len() > 50, "the sample provides ids: {}", ids.len());
    ids.extend([
        GlobalId::encode(NodeType::Agency, uuid::Uuid::from_u128(7)),
        GlobalId::encode(NodeType::Task, uuid::Uuid::from_u128(7)),
        String::new(),
        "nope".to_owned(),
        "QWdlbmN5Ong".to_owned(),
        "\u{0}".to_owned(),
    ]);
    strings.extend(
        [
            "",
            " ",
            "x",
            "en",
            "vi",
            "57 KL TW",
            "thong tin doi ngoai",
            "Nhiệm vụ chuyển đổi số",
            "'; DROP TABLE agency; --",
            "%",
            "_",
            "\\",
            "\u{0}",
            "😀",
            "Q\u{0301}Đ",
            "hung-yen-egov",
        ]
        .map(str::to_owned),
    );
    strings.push("Đ".repeat(300));
    Pools {
        ids,
        strings,
        ints: vec![0, 1, 2, 3, 5, 10, 20, 100, 101, -1, 1945, 2025, 2101, i32::MAX as i64, i32::MIN as i64],
        dates: ["2023-06-15", "2025-07-01", "2026-11-22", "2024-02-29", "1900-01-01", "9999-12-31"]
            .map(str::to_owned)
            .to_vec(),
    }
}

/// Bodies no client should send, fixed ones first.
fn malformed_bodies(valid: &[String], rng: &mut impl RngCore) -> Vec<(&'static str, Vec<u8>)> {
    let json = "application/json";
    let deep_selection = format!("{{\"query\": \"{}{}\"}}", "{ node(id: \\\"x\\\") ".repeat(3000), "}".repeat(3000));
    let deep_list = format!("{{\"query\": \"{{ nodes(ids: {}{}) {{ id }} }}\"}}", "[".repeat(5000), "]".repeat(5000));
    let aliases = (0..5000).map(|i| format!("a{i}: __typename")).collect::<Vec<_>>().join(" ");
    let mut bodies: Vec<(&'static str, Vec<u8>)> = [
        "",
        "{",
        "}",
        "null",
        "true",
        "42",
        "\"{ agencies { totalCount } }\"",
        "[]",
        "[null]",
        "[1, 2]",
        "{}",
        "{\"query\": 5}",
        "{\"query\": null}",
        "{\"query\": \"\"}",
        "{\"query\": \"{\"}",
        "{\"query\": \"}\"}",
        "{\"query\": \"query A { __typename } query A { __typename }\"}",
        "{\"query\": \"{ agencies { totalCount } }\", \"variables\": \"x\"}",
        "{\"query\": \"{ agencies { totalCount } }\", \"variables\": [1]}",
        "{\"query\": \"{ agencies { totalCount } }\", \"operationName\": 5}",
        "{\"query\": \"{ agencies { totalCount } }\", \"operationName\": \"Missing\"}",
        "{\"query\": \"{ agencies { totalCount } }\", \"extensions\": {\"persistedQuery\": {\"version\": 1, \"sha256Hash\": \"00\"}}}",
        "{\"query\": \"mutation { createAgency(input: {}) { agency { id } } }\"}",
        "{\"query\": \"query($i: CreateAgencyInput!) { __typename }\", \"variables\": {\"i\": {\"code\": []}}}",
        "{\"query\": \"subscription { changes { sequence } }\"}",
        "[{\"query\": \"{ __typename }\"}, {\"query\": \"mutation { deleteAgency(input: {id: \\\"x\\\", expectedVersion: 1}) { deletedId } }\"}]",
    ]
    .iter()
    .map(|b| (json, b.as_bytes().to_vec()))
    .collect();
    bodies.extend([
        (json, "[".repeat(100_000).into_bytes()),
        (
            json,
            format!(
                "{{\"query\": \"{{ __typename }}\", \"variables\": {}{}}}",
                "{\"a\":".repeat(5000),
                "}".repeat(5000)
            )
            .into_bytes(),
        ),
        (json, deep_selection.into_bytes()),
        (json, deep_list.into_bytes()),
        (json, serde_json::to_vec(&json!({ "query": format!("{{ {aliases} }}") })).unwrap()),
        (json, serde_json::to_vec(&json!({ "query": "x".repeat(3_000_000) })).unwrap()),
        (json, vec![0xff, 0xfe, 0x00, 0x7b]),
        ("text/plain", b"{ agencies { totalCount } }".to_vec()),
        ("application/graphql", b"{ agencies { totalCount } }".to_vec()),
        ("application/x-www-form-urlencoded", b"query=%7B%20agencies%20%7B%20totalCount%20%7D%20%7D".to_vec()),
        ("multipart/form-data", b"--x\r\n\r\n".to_vec()),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\r\n--x--".to_vec(),
        ),
        ("application/json; charset=latin1", b"{\"query\": \"{ __typename }\"}".to_vec()),
    ]);
    // Valid bodies with a few bytes flipped, inserted or deleted.
    for _ in 0..MUTATED_BODIES {
        let mut body = serde_json::to_vec(&json!({ "query": valid.choose(rng).unwrap() })).unwrap();
        for _ in 0..rng.random_range(1..=4) {
            let at = rng.random_range(0..body.len());
            match rng.random_range(0..3) {
                0 => body[at] = rng.random(),
                1 => body.insert(at, b"{}[]\"\\:,$@!.(0".choose(rng).copied().unwrap()),
                _ => {
                    body.remove(at);
                }
            }
        }
        bodies.push((json, body));
    }
    bodies
}

async fn generated_and_malformed_requests_never_break_the_server(app: TestApp) {
    app.seed_sample().await;
    let seed = std::env::var("DIRECTIVES_GEN_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(SEED);
    let sdl = api::graphql::schema::sdl();
    let schema = Schema::from_sdl(&sdl);
    let mut generator = Generator::new(&schema, pools(&app).await, seed);
    let tokens = [
        Some(app.admin_token.clone()),
        Some(app.token("editor@hy", &[Role::Editor], Some("HY-UBND"))),
        Some(app.token("reporter@hy", &[Role::Reporter], Some("HY-STTTT"))),
        Some(app.token("reader@x", &[Role::Reader], None)),
        None,
    ];
    let db = Database::connect(&app.database_url).await.unwrap();
    let tables = tables(&db).await;
    let mut run = Run { app: &app, seed, tally: Tally::default() };

    let mut queries = Vec::with_capacity(QUERIES);
    for _ in 0..QUERIES {
        let (query, _) = generator.operation("Query");
        // Mostly as callers with a token; a few without, which must be refused.
        let token = if generator.rng.random_bool(0.05) {
            None
        } else {
            tokens[..4].choose(&mut generator.rng).unwrap().clone()
        };
        run.operation(token.as_deref(), &query).await;
        queries.push(query);
    }
    let query_tally = std::mem::take(&mut run.tally);
    assert!(query_tally.clean * 3 > QUERIES, "seed {seed:#x}: too few queries succeeded: {query_tally:?}");

    let mut before = snapshot(&app, &db, &tables).await;
    let mut applied = 0;
    for _ in 0..MUTATIONS {
        let (mutation, _) = generator.operation("Mutation");
        let token = tokens.choose(&mut generator.rng).unwrap().clone();
        let body = run.operation(token.as_deref(), &mutation).await;
        let after = snapshot(&app, &db, &tables).await;
        if body["data"].is_null() {
            assert_eq!(after, before, "seed {seed:#x}: a refused mutation changed the database: {mutation}\n{body}");
        } else {
            applied += 1;
        }
        before = after;
    }
    let mutation_tally = std::mem::take(&mut run.tally);
    assert!(applied > 0 && applied < MUTATIONS, "seed {seed:#x}: {applied} applied: {mutation_tally:?}");

    for (content_type, body) in malformed_bodies(&queries, &mut generator.rng) {
        let what = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        run.send(Some(&app.admin_token), content_type, body, &what).await;
    }
    for query in ["%ZZ", "%7B", "{", "{ agencies { totalCount } }&variables=%7B", "&&&", "query=%00"] {
        let resp = app.get(&format!("/graphql?query={query}"), "application/json").await;
        assert!(resp.status().as_u16() < 500, "GET ?query={query}: {}", resp.status());
    }
    assert_eq!(snapshot(&app, &db, &tables).await, before, "seed {seed:#x}: a malformed request changed the database");
    assert_eq!(app.get("/readyz", "*/*").await.status(), 200);
    let r = app.gql("{ documents(filter: {symbol: \"57-KL/TW\"}) { totalCount } }", json!({})).await;
    assert_eq!(r.i64("documents.totalCount"), 1);
    println!(
        "seed {seed:#x}\nqueries: {query_tally:?}\nmutations ({applied} applied): {mutation_tally:?}\nmalformed: {:?}",
        run.tally
    );
    db.close().await.unwrap();
}

db_tests!(generated_and_malformed_requests_never_break_the_server);

/// The two inputs the generated requests found: a NUL character failed writes on PostgreSQL with
/// an internal error, and a list literal nested 2,000 deep overflowed a worker's stack, aborting
/// the server.
async fn nul_characters_and_deep_nesting_are_refused_not_fatal(app: TestApp) {
    let (agency, _) = app.document_with_issuer().await;
    let mutation = "mutation($i: UpdateAgencyInput!) { updateAgency(input: $i) { agency { name } } }";
    // The text passes every check (the version is stale, so nothing changes) and is remembered
    // parsed: its variables are still checked every time.
    let stale = json!({ "i": { "id": agency, "expectedVersion": 7, "name": "Bộ" } });
    app.gql(mutation, stale).await.expect_error("CONFLICT");
    for input in [
        json!({ "id": agency, "expectedVersion": 1, "name": "Bộ\u{0}" }),
        json!({ "id": agency, "expectedVersion": 1, "name": "Bộ", "idempotencyKey": "\u{0}" }),
    ] {
        let message = app.gql(mutation, json!({ "i": input })).await.expect_error("BAD_USER_INPUT");
        assert!(message.contains("NUL"), "{message}");
    }
    let literal = format!(
        "mutation {{ updateAgency(input: {{id: \"{agency}\", expectedVersion: 1, name: \"a\\u0000\"}}) {{ agency {{ name }} }} }}"
    );
    for _ in 0..2 {
        assert!(app.gql(&literal, json!({})).await.expect_error("BAD_USER_INPUT").contains("NUL"), "every time");
    }

    let deep = format!("{{ nodes(ids: {}\"x\"{}) {{ id }} }}", "[".repeat(2000), "]".repeat(2000));
    let message = app.gql(&deep, json!({})).await.expect_error("QUERY_TOO_COMPLEX");
    assert!(message.contains("128"), "{message}");
    let over_get =
        app.get(&format!("/graphql?query={}", deep.replace('[', "%5B").replace(']', "%5D")), "application/json").await;
    assert!(over_get.status().as_u16() < 500);
    // The server is still there, and nothing changed.
    let r = app.gql("{ agencies { nodes { name version } } }", json!({})).await;
    assert_eq!(r.data("agencies.nodes.0.version"), 1);
}

db_tests!(nul_characters_and_deep_nesting_are_refused_not_fatal);
