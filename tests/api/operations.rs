//! What an operator sees: `/metrics` for Prometheus, and one structured log line per request.

use std::time::Duration;

use api::domain::policy::Role;
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::db_tests;
use crate::helpers::{TEST_SECRET, TestApp};
use crate::process::Process;
use crate::ws;

/// The value of the series `name` whose labels include `labels`, from a text exposition.
pub fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().filter(|line| !line.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (series_name, series_labels) = match series.split_once('{') {
            Some((n, rest)) => (n, rest.trim_end_matches('}')),
            None => (series, ""),
        };
        let wanted = labels.iter().all(|(k, v)| series_labels.split(',').any(|pair| pair == format!("{k}=\"{v}\"")));
        (series_name == name && wanted).then(|| value.parse().ok()).flatten()
    })
}

async fn scrape(app: &TestApp) -> String {
    let resp = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    resp.text().await.unwrap()
}

/// Polls `/metrics` until `series` reaches `value` (gauges follow connections that close on their own time).
async fn until_metric(app: &TestApp, name: &str, labels: &[(&str, &str)], value: f64) -> String {
    for _ in 0..100 {
        let text = scrape(app).await;
        if metric(&text, name, labels) == Some(value) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{name}{labels:?} never reached {value}:\n{}", scrape(app).await);
}

async fn metrics_count_operations_errors_statements_connections_and_the_feed(app: TestApp) {
    let counted = |query: &'static str| app.gql_counted(query, json!({}));
    let mut statements = 0;
    for _ in 0..2 {
        statements += counted("query CountAgencies { agencies { totalCount } }").await.sql_statements();
    }
    let missing = counted("query FindNothing { agency(code: \"NOPE\") { code } }").await;
    statements += missing.sql_statements();
    let bad = app.gql("query Broken { agencies { nope } }", json!({})).await;
    assert_eq!(bad.error_code(), "BAD_USER_INPUT");
    let (status, _) = app.gql_with(None, "query NoToken { agencies { totalCount } }", json!({})).await;
    assert_eq!(status, 401);

    // A live subscriber, then a change it receives.
    let mut socket = ws::open_at(&app.address, json!({ "Authorization": format!("Bearer {}", app.admin_token) })).await;
    assert_eq!(ws::next(&mut socket).await.unwrap()["type"], "connection_ack");
    let subscribe = json!({ "id": "live", "type": "subscribe",
                            "payload": { "query": "subscription { changes { sequence } }" } });
    socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    let text = until_metric(&app, "directives_subscriptions_active", &[], 1.0).await;
    assert_eq!(metric(&text, "directives_websocket_connections", &[]), Some(1.0));
    app.create_agency("BTTTT", "MINISTRY", "CENTRAL", None).await;
    let event = ws::next(&mut socket).await.unwrap();
    assert_eq!(event["payload"]["data"]["changes"]["sequence"], 1, "{event}");

    let text = scrape(&app).await;
    let ops = |operation: &str, outcome: &str| {
        metric(
            &text,
            "directives_graphql_requests_total",
            &[("operation", operation), ("type", "query"), ("outcome", outcome)],
        )
    };
    assert_eq!(ops("CountAgencies", "ok"), Some(2.0), "{text}");
    assert_eq!(ops("FindNothing", "ok"), Some(1.0), "a null answer is not an error");
    assert_eq!(ops("Broken", "error"), Some(1.0));
    assert_eq!(ops("NoToken", "ok").or(ops("NoToken", "error")), None, "refused before GraphQL ran");
    assert_eq!(
        metric(
            &text,
            "directives_graphql_request_duration_seconds_count",
            &[("operation", "CountAgencies"), ("outcome", "ok")]
        ),
        Some(2.0)
    );
    assert_eq!(metric(&text, "directives_graphql_errors_total", &[("code", "BAD_USER_INPUT")]), Some(1.0));
    assert_eq!(metric(&text, "directives_graphql_errors_total", &[("code", "UNAUTHENTICATED")]), Some(1.0));
    // The statements counted are the ones the requests reported.
    let counted_sum = ["CountAgencies", "FindNothing"]
        .iter()
        .map(|op| metric(&text, "directives_graphql_sql_statements_sum", &[("operation", op)]).unwrap())
        .sum::<f64>();
    assert_eq!(counted_sum, statements as f64);
    assert_eq!(
        metric(
            &text,
            "directives_http_requests_total",
            &[("route", "/graphql"), ("method", "POST"), ("status", "401")]
        ),
        Some(1.0)
    );
    assert_eq!(metric(&text, "directives_db_pool_max_connections", &[]), Some(5.0));
    let open = metric(&text, "directives_db_pool_connections", &[("state", "idle")]).unwrap()
        + metric(&text, "directives_db_pool_connections", &[("state", "in_use")]).unwrap();
    assert!((1.0..=5.0).contains(&open), "{open} connections open");
    assert_eq!(metric(&text, "directives_change_feed_head_sequence", &[]), Some(1.0));
    assert_eq!(metric(&text, "directives_change_feed_notified_sequence", &[]), Some(1.0));
    assert_eq!(metric(&text, "directives_change_feed_delivery_lag_seconds_count", &[]), Some(1.0));
    assert_eq!(metric(&text, "directives_ready", &[]), Some(1.0));
    // The scrape itself is in flight while it renders.
    assert_eq!(metric(&text, "directives_http_requests_in_flight", &[]), Some(1.0));

    drop(socket);
    let text = until_metric(&app, "directives_websocket_connections", &[], 0.0).await;
    assert_eq!(metric(&text, "directives_subscriptions_active", &[]), Some(0.0));
}

db_tests!(metrics_count_operations_errors_statements_connections_and_the_feed);

/// The log line of the request with this id.
fn line_of<'a>(log: &'a [Value], request_id: &str) -> &'a Value {
    log.iter()
        .find(|line| line["message"] == "request" && line["request_id"] == request_id)
        .unwrap_or_else(|| panic!("no log line for request {request_id} in {log:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_has_one_json_log_line_without_secrets() {
    // On PostgreSQL the URL carries a password (trust authentication ignores it) that must not leak.
    const PASSWORD: &str = "pw-that-must-not-leak";
    #[cfg(test_pg)]
    let (database_url, _db) = {
        let (url, guard) = crate::helpers::fresh_postgres_database().await;
        (url.replacen("postgres://postgres@", &format!("postgres://postgres:{PASSWORD}@"), 1), guard)
    };
    #[cfg(not(test_pg))]
    let (database_url, _db) = crate::process::sqlite_database("logs");
    let server = Process::serve(&[
        ("DATABASE_URL", &database_url),
        ("DIRECTIVES_MIGRATE", "true"),
        ("DIRECTIVES_SEED_SAMPLE", "true"),
        ("DIRECTIVES_LOG_FORMAT", "json"),
        ("RUST_LOG", "info,directives=debug"),
    ]);
    let minter = api::auth::Minter::from_settings(&crate::helpers::test_auth()).unwrap();
    let token = minter.mint("editor@hy", &[Role::Editor], Some("HY-UBND"), Duration::from_secs(600)).unwrap();
    let client = reqwest::Client::new();
    let post = |body: Value, token: &str, request_id: Option<&str>| {
        let mut request = client.post(format!("{}/graphql", server.address)).json(&body).bearer_auth(token);
        if let Some(id) = request_id {
            request = request.header("X-Request-Id", id);
        }
        request.send()
    };

    let query = json!({ "query": "query CountTasks { tasks { totalCount } }" });
    let resp = post(query, &token, Some("ops-test-1")).await.unwrap();
    assert_eq!(resp.headers()["x-request-id"], "ops-test-1");
    // A mutation whose input looks like a secret, refused by the policy.
    let secret_input = "mật khẩu: hunter2-in-a-variable";
    let mutation = json!({
        "query": "mutation Rename($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id } } }",
        "variables": { "i": { "code": "X", "name": secret_input, "kind": "OTHER", "level": "CENTRAL" } }
    });
    let resp = post(mutation, &token, None).await.unwrap();
    let generated_id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    // A forged token.
    let forged = format!("{token}x");
    let resp = post(json!({ "query": "{ tasks { totalCount } }" }), &forged, Some("ops-test-3")).await.unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(client.get(format!("{}/healthz", server.address)).send().await.unwrap().status(), 200);

    // Lines reach the pipe a moment after the response: wait for all four.
    let mut log = server.json_log();
    for _ in 0..100 {
        if log.iter().filter(|l| l["message"] == "request").count() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        log = server.json_log();
    }
    let ok = line_of(&log, "ops-test-1");
    assert_eq!(ok["level"], "INFO");
    assert_eq!(ok["method"], "POST");
    assert_eq!(ok["path"], "/graphql");
    assert_eq!(ok["status"], 200);
    assert_eq!(ok["operation"], "CountTasks");
    assert_eq!(ok["operation_type"], "query");
    assert_eq!(ok["outcome"], "ok");
    assert!(ok["duration_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{ok}");
    assert!(ok["sql_statements"].as_u64().is_some_and(|n| n >= 1), "{ok}");
    assert!(ok["timestamp"].is_string() && ok["error_codes"].is_null(), "{ok}");

    let refused = line_of(&log, &generated_id);
    assert!(uuid::Uuid::parse_str(&generated_id).is_ok(), "a generated id: {generated_id}");
    assert_eq!(refused["operation"], "Rename");
    assert_eq!(refused["operation_type"], "mutation");
    assert_eq!(refused["outcome"], "error");
    assert_eq!(refused["error_codes"], "FORBIDDEN");

    let unauthenticated = line_of(&log, "ops-test-3");
    assert_eq!(unauthenticated["status"], 401);
    assert_eq!(unauthenticated["outcome"], "error");
    assert_eq!(unauthenticated["error_codes"], "UNAUTHENTICATED");
    assert!(unauthenticated["operation"].is_null(), "refused before GraphQL ran: {unauthenticated}");

    let probe = log.iter().find(|l| l["path"] == "/healthz").expect("the probe's line, at debug level");
    assert_eq!(probe["level"], "DEBUG", "probes log at debug level only: {probe}");
    let every_line = server.log().join("\n");
    for secret in [token.as_str(), &token[token.rfind('.').unwrap() + 1..], TEST_SECRET, PASSWORD, "hunter2"] {
        assert!(!every_line.contains(secret), "the log holds {secret:?}:\n{every_line}");
    }
    assert!(server.log().iter().all(|line| serde_json::from_str::<Value>(line).is_ok()), "{every_line}");
}
