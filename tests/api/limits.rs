//! Limits on what one request may ask: shape, cost, body size, batch size, time, and each caller's
//! budget per minute. Every refusal names its limit and that limit's value.

use std::time::Duration;

use api::config::Settings;
use api::domain::policy::Role;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::helpers::{Answer, Backend, LARGE_AGENCIES, LARGE_DOCUMENTS, TestApp, spawn_app_configured};

const JSON: &str = "application/json";
const GRAPHQL_JSON: &str = "application/graphql-response+json";

/// Asserts a `QUERY_TOO_COMPLEX` refusal of `limit` at `maximum`, stated in the message too.
fn assert_refused(answer: &Answer, limit: &str, maximum: u64) {
    let (code, error) = answer.error();
    assert_eq!(code, "QUERY_TOO_COMPLEX", "{:#}", answer.body);
    assert_eq!(error["extensions"]["limit"], limit, "{:#}", answer.body);
    assert_eq!(error["extensions"]["maximum"], maximum, "{:#}", answer.body);
    let message = error["message"].as_str().unwrap();
    assert!(message.contains(limit) && message.contains(&maximum.to_string()), "{message}");
    assert!(answer.body.get("data").is_none(), "a refused request has no data: {:#}", answer.body);
}

async fn query(app: &TestApp, accept: &str, query: &str) -> Answer {
    app.post_json(&app.admin_token, accept, &json!({ "query": query })).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_limit_on_the_shape_of_an_operation_names_itself() {
    let app = spawn_app_configured(Backend::Sqlite, |s: &mut Settings| {
        s.limits.max_depth = 4;
        s.limits.max_aliases = 2;
        s.limits.max_root_fields = 2;
        s.limits.max_directives = 1;
    })
    .await;
    // At each limit, the operation runs.
    let at_limits = "{ a: agencies { nodes { parent { code } } } b: documents @include(if: true) { totalCount } }";
    let ok = query(&app, GRAPHQL_JSON, at_limits).await;
    assert_eq!(ok.status, 200, "{:#}", ok.body);
    assert_eq!(ok.body["data"]["b"]["totalCount"], 0);

    for (operation, limit, maximum) in [
        ("{ agencies { nodes { parent { parent { code } } } } }", "max-depth", 4),
        ("{ a: agencies { totalCount } b: agencies { totalCount } c: agencies { totalCount } }", "max-aliases", 2),
        // Fragments count each time they are spread.
        ("{ ...F ...F } fragment F on Query { a: agencies { totalCount } b: tasks { totalCount } }", "max-aliases", 2),
        ("{ agencies { totalCount } documents { totalCount } tasks { totalCount } }", "max-root-fields", 2),
        ("{ agencies @include(if: true) @skip(if: false) { totalCount } }", "max-directives", 1),
    ] {
        // application/json: 200, as for every well-formed request; graphql-response+json: 400.
        let as_json = query(&app, JSON, operation).await;
        assert_eq!(as_json.status, 200, "{operation}");
        assert_refused(&as_json, limit, maximum);
        let as_graphql = query(&app, GRAPHQL_JSON, operation).await;
        assert_eq!(as_graphql.status, 400, "{operation}");
        assert_refused(&as_graphql, limit, maximum);
    }
}

/// Whole minutes of budget: wait out the end of one, so that a test does not straddle two.
async fn at_start_of_a_minute_window() {
    let into_minute = chrono::Utc::now().timestamp().rem_euclid(60);
    if into_minute > 45 {
        tokio::time::sleep(Duration::from_secs((61 - into_minute) as u64)).await;
    }
}

/// 100 documents, each implemented by up to 40 documents, each with a page of tasks:
/// 1 + 100 + 4,000 requests = 41 points; 100 + 4,000 + 4,000 nodes.
const FORTY: &str =
    "{ documents(first: 100) { nodes { implementedBy(first: 40) { nodes { tasks(first: 1) { totalCount } } } } } }";
/// The same with 60 implementing documents: 6,101 requests, 61 points.
const SIXTY: &str =
    "{ documents(first: 100) { nodes { implementedBy(first: 60) { nodes { tasks(first: 1) { totalCount } } } } } }";

async fn cost_is_counted_before_execution_and_reported(backend: Backend) {
    let app = spawn_app_configured(backend, |s| {
        s.limits.max_cost = 50;
        s.limits.rate_limit = 1000;
    })
    .await;
    at_start_of_a_minute_window().await;
    let forty = query(&app, GRAPHQL_JSON, FORTY).await;
    assert_eq!(forty.status, 200, "{:#}", forty.body);
    let cost = &forty.body["extensions"]["cost"];
    assert_eq!(cost["requested"], 41, "{cost}");
    assert_eq!(cost["nodes"], 8_100, "{cost}");
    assert_eq!(cost["limit"], 1000, "{cost}");
    assert_eq!(cost["remaining"], 959, "{cost}");
    let reset = chrono::DateTime::parse_from_rfc3339(cost["resetAt"].as_str().unwrap()).unwrap();
    let until_reset = reset.timestamp() - chrono::Utc::now().timestamp();
    assert!((0..=60).contains(&until_reset), "{cost}");
    assert_eq!(forty.header("x-ratelimit-limit"), Some("1000"));
    assert_eq!(forty.header("x-ratelimit-remaining"), Some("959"));
    assert_eq!(forty.header("x-ratelimit-used"), Some("41"));
    assert_eq!(forty.header("x-ratelimit-reset"), Some(reset.timestamp().to_string().as_str()));

    let sixty = query(&app, GRAPHQL_JSON, SIXTY).await;
    assert_eq!(sixty.status, 400);
    assert_refused(&sixty, "max-cost", 50);
    assert!(sixty.error().1["message"].as_str().unwrap().contains("61 points"), "{:#}", sixty.body);
    assert_eq!(sixty.body["extensions"]["cost"]["requested"], 61, "the refusal reports the cost");

    // Refused requests spend nothing: the budget is where the first request left it.
    let simple = query(&app, JSON, "{ agencies { totalCount } }").await;
    assert_eq!(simple.body["extensions"]["cost"]["requested"], 1);
    assert_eq!(simple.body["extensions"]["cost"]["remaining"], 958);

    // The objects that pages can return are limited too, whatever the points.
    let wide = "{ agencies(first: 100) { nodes { tasks(first: 100) { nodes { progressReports(first: 100) { totalCount } } } } } }";
    assert_refused(&query(&app, JSON, wide).await, "max-nodes", 100_000);
}

async fn the_rate_limit_is_per_sub_and_shared_by_every_instance(backend: Backend) {
    let budget = |s: &mut Settings| s.limits.rate_limit = 5;
    let first = spawn_app_configured(backend, budget).await;
    let second = first.second_instance_with(budget).await;
    at_start_of_a_minute_window().await;
    let reader = first.token("reader@hy", &[Role::Reader], None);
    let other = first.token("reader@hn", &[Role::Reader], None);
    let count = json!({ "query": "{ agencies { totalCount } }" });
    // Five points, through either instance, alternately.
    for (i, app) in [&first, &second, &first, &second, &first].into_iter().enumerate() {
        let answer = app.post_json(&reader, JSON, &count).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.header("x-ratelimit-remaining"), Some((4 - i).to_string().as_str()));
    }
    let refused = second.post_json(&reader, GRAPHQL_JSON, &count).await;
    assert_eq!(refused.status, 429, "{:#}", refused.body);
    let (code, error) = refused.error();
    assert_eq!(code, "RATE_LIMITED");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("5 points per minute"), "{message}");
    let reset = chrono::DateTime::parse_from_rfc3339(error["extensions"]["resetAt"].as_str().unwrap()).unwrap();
    assert!(message.contains(&reset.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)), "{message}");
    let retry_after: i64 = refused.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(error["extensions"]["retryAfter"], retry_after);
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    // With application/json too, throttling is 429.
    assert_eq!(first.post_json(&reader, JSON, &count).await.status, 429);

    // Another caller has a budget of its own.
    let answer = second.post_json(&other, JSON, &count).await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("4"));
}

/// The test holds the table's write lock, so the mutation waits past the time limit.
async fn an_operation_over_the_time_limit_is_stopped_and_leaves_nothing(backend: Backend) {
    use sea_orm::{ConnectionTrait, SqliteTransactionMode, TransactionOptions, TransactionTrait};

    let app = spawn_app_configured(backend, |s| s.limits.execution_timeout = Duration::from_secs(1)).await;
    let create = |code: &str| {
        json!({ "query": "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { code } } }",
                "variables": { "i": { "code": code, "name": "Đơn vị", "kind": "OTHER", "level": "CENTRAL" } } })
    };
    let db = api::store::connect(&app.database_url, 1).await.unwrap();
    let options =
        TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    let lock = db.begin_with_options(options).await.unwrap();
    if backend == Backend::Postgres {
        lock.execute_unprepared("LOCK TABLE agency IN EXCLUSIVE MODE").await.unwrap();
    }
    let answer = app.post_json(&app.admin_token, GRAPHQL_JSON, &create("LATE")).await;
    lock.rollback().await.unwrap();
    assert_eq!(answer.status, 400, "{:#}", answer.body);
    let (code, error) = answer.error();
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    assert_eq!(error["extensions"]["limit"], "execution-timeout");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("1 s") && message.contains("idempotencyKey"), "{message}");

    // Nothing of the stopped mutation remains, and nothing it held is left locked.
    let after = app.post_json(&app.admin_token, JSON, &create("ON-TIME")).await;
    assert_eq!(after.body["data"]["createAgency"]["agency"]["code"], "ON-TIME", "{:#}", after.body);
    let codes = app.gql("{ agencies { nodes { code } } }", json!({})).await;
    assert_eq!(codes.data("agencies.nodes"), &json!([{ "code": "ON-TIME" }]));
}

/// Operations too large to run all at once share a budget of objects in flight; past it they wait
/// their turn, and every one of them is answered.
async fn large_operations_past_the_budget_take_turns(backend: Backend) {
    let app = spawn_app_configured(backend, |s| s.limits.nodes_in_flight = 300).await;
    let large = [LARGE_AGENCIES, LARGE_DOCUMENTS];
    let answers = futures_util::future::join_all((0..6).map(|i| query(&app, JSON, large[i % 2]))).await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert!(answer.body.get("errors").is_none(), "{:#}", answer.body);
    }
}

/// While a large read waits for a locked table, holding the whole budget, another large read waits
/// for it to end; a small one does not.
#[cfg(test_pg)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_operation_waits_for_room_and_a_small_one_does_not() {
    use tokio::time::Instant;

    use crate::helpers::lock_against_reads;

    let app = spawn_app_configured(Backend::Postgres, |s| {
        s.limits.nodes_in_flight = 300;
        s.limits.execution_timeout = Duration::from_secs(2);
    })
    .await;
    let lock = lock_against_reads(&app, "agency").await;
    let started = Instant::now();
    let blocked = async {
        let answer = query(&app, JSON, LARGE_AGENCIES).await;
        (answer, started.elapsed())
    };
    let waiting = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let small = query(&app, JSON, "{ documents(first: 10) { nodes { symbol } } }").await;
        let small_at = started.elapsed();
        let large = query(&app, JSON, LARGE_DOCUMENTS).await;
        (small, small_at, large, started.elapsed())
    };
    let ((blocked, blocked_at), (small, small_at, large, large_at)) = tokio::join!(blocked, waiting);
    lock.rollback().await.unwrap();

    assert_eq!(blocked.error().0, "QUERY_TOO_COMPLEX", "the locked read ran out of time: {:#}", blocked.body);
    assert!(small.body.get("errors").is_none(), "{:#}", small.body);
    assert!(small_at < blocked_at, "the small read did not wait: {small_at:?}, the locked one ended at {blocked_at:?}");
    assert!(large.body.get("errors").is_none(), "{:#}", large.body);
    assert!(large_at >= blocked_at, "the large read waited for room: {large_at:?}, room at {blocked_at:?}");
}

backend_tests!(
    cost_is_counted_before_execution_and_reported,
    the_rate_limit_is_per_sub_and_shared_by_every_instance,
    an_operation_over_the_time_limit_is_stopped_and_leaves_nothing,
    large_operations_past_the_budget_take_turns,
);

/// Sends a body in chunks with no Content-Length, as a streaming client does; the status line.
async fn post_chunked(app: &TestApp, content_type: &str, body: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nContent-Type: {content_type}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.admin_token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(512) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if stream.write_all(&framed).await.is_err() {
            break; // the server may answer and close before the body ends
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_with_413() {
    let app = spawn_app_configured(Backend::Sqlite, |s| s.limits.max_body_bytes = 1000).await;
    let padded =
        |size: usize| json!({ "query": format!("{{ agencies {{ totalCount }} }}#{}", "x".repeat(size)) }).to_string();
    let fits = app.post_raw(Some(&app.admin_token), &[("content-type", JSON)], padded(900)).await;
    assert_eq!(fits.status, 200, "{:#}", fits.body);
    assert_eq!(fits.body["data"]["agencies"]["totalCount"], 0);

    let over = app.post_raw(Some(&app.admin_token), &[("content-type", JSON)], padded(1000)).await;
    assert_eq!(over.status, 413);
    assert_refused(&over, "max-body-bytes", 1000);

    // Without a Content-Length the body is counted as it arrives: JSON and multipart alike.
    assert!(post_chunked(&app, JSON, padded(5000).as_bytes()).await.contains("413"));
    assert!(post_chunked(&app, JSON, padded(800).as_bytes()).await.contains("200"));
    let (content_type, body) = multipart(&padded(5000));
    assert!(post_chunked(&app, &content_type, &body).await.contains("413"));
}

/// A GraphQL multipart request (the form file uploads use) with these operations and no file.
pub fn multipart(operations: &str) -> (String, Vec<u8>) {
    let boundary = "----directives-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{}}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body.into_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_runs_in_order_up_to_its_limit() {
    let app = spawn_app_configured(Backend::Sqlite, |s| s.limits.max_batch = 2).await;
    let two = json!([{ "query": "{ agencies { totalCount } }" }, { "query": "{ nope }" }]);
    let answer = app.post_json(&app.admin_token, JSON, &two).await;
    assert_eq!(answer.status, 200);
    let results = answer.body.as_array().expect("an array, one answer per request");
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["data"]["agencies"]["totalCount"], 0);
    assert_eq!(results[1]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let three = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }, { "query": "{ __typename }" }]);
    let answer = app.post_json(&app.admin_token, JSON, &three).await;
    assert_eq!(answer.status, 400);
    assert_refused(&answer, "max-batch", 2);
    assert_eq!(answer.error().1["extensions"]["actual"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_defaults_hold_a_query_too_wide_to_answer() {
    let app = crate::helpers::spawn_app(Backend::Sqlite).await;
    // 100 × 100 × 100 pages: a million objects, 101 points.
    let wide: Value = json!({ "query":
        "{ documents(first: 100) { nodes { implementedBy(first: 100) { nodes { tasks(first: 100) { nodes { code } } } } } } }" });
    let answer = app.post_json(&app.admin_token, JSON, &wide).await;
    assert_refused(&answer, "max-nodes", 100_000);
    let deep = format!("{{ agencies {{ nodes {{ {}code{} }} }} }}", "parent { ".repeat(14), " }".repeat(14));
    assert_refused(&query(&app, JSON, &deep).await, "max-depth", 15);
}
