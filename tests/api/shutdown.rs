//! Stopping the real binary with SIGTERM, as an orchestrator does: no new connections, requests in
//! flight finish within the grace period, WebSockets are closed with 1001 (going away).

use std::time::Duration;

use api::domain::policy::Role;
use futures_util::SinkExt;
use sea_orm::sqlx::{Connection, SqliteConnection};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::test_auth;
use crate::operations::metric;
use crate::process::{Process, sqlite_database};
use crate::ws;

const CREATE: &str = "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { code } } }";

fn admin_token() -> String {
    let minter = api::auth::Minter::from_settings(&test_auth()).unwrap();
    minter.mint("ops@test", &[Role::Admin], None, Duration::from_secs(600)).unwrap()
}

/// Takes SQLite's write lock from outside the server, so that a mutation waits inside it for as
/// long as the test holds the lock.
async fn hold_write_lock(database_url: &str) -> SqliteConnection {
    let mut conn = SqliteConnection::connect(database_url).await.unwrap();
    sea_orm::sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.unwrap();
    conn
}

/// A mutation sent now, answered once the write lock is free.
fn mutation_in_flight(
    server: &Process,
    token: &str,
    code: &str,
) -> tokio::task::JoinHandle<reqwest::Result<(u16, Value)>> {
    let request = reqwest::Client::new()
        .post(format!("{}/graphql", server.address))
        .bearer_auth(token)
        .json(&json!({ "query": CREATE, "variables": { "i": { "code": code, "name": "Cơ quan thử", "kind": "OTHER",
                                                             "level": "CENTRAL" } } }));
    tokio::spawn(async move {
        let resp = request.send().await?;
        let status = resp.status().as_u16();
        Ok((status, resp.json().await?))
    })
}

/// Waits until the server is handling `n` requests besides the scrape that asks.
async fn until_in_flight(server: &Process, n: f64) {
    for _ in 0..200 {
        let text = reqwest::get(format!("{}/metrics", server.address)).await.unwrap().text().await.unwrap();
        if metric(&text, "directives_http_requests_in_flight", &[]) == Some(n + 1.0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server never had {n} requests in flight");
}

async fn agency_count(database_url: &str, code: &str) -> i64 {
    let mut conn = SqliteConnection::connect(database_url).await.unwrap();
    sea_orm::sqlx::query_scalar("SELECT COUNT(*) FROM agency WHERE code = ?")
        .bind(code)
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish_and_closes_websockets_with_1001() {
    let (database_url, _files) = sqlite_database("shutdown");
    // An empty database: the subscriber has nothing to replay, and nothing arrives before the close.
    let mut server = Process::serve(&[
        ("DATABASE_URL", &database_url),
        ("DIRECTIVES_SEED_SAMPLE", "false"),
        ("DIRECTIVES_LOG_FORMAT", "json"),
    ]);
    let token = admin_token();

    let mut socket = ws::open_at(&server.address, json!({ "Authorization": format!("Bearer {token}") })).await;
    assert_eq!(ws::next(&mut socket).await.unwrap()["type"], "connection_ack");
    let subscribe =
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { changes { sequence } }" } });
    socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();

    let lock = hold_write_lock(&database_url).await;
    let in_flight = mutation_in_flight(&server, &token, "IN-FLIGHT");
    until_in_flight(&server, 1.0).await;

    server.terminate();
    // The subscriber is told to go elsewhere at once, while the mutation still waits.
    let closed = tokio::time::timeout(Duration::from_secs(10), ws::next(&mut socket)).await.expect("a close frame");
    let (code, reason) = closed.expect_err("the connection closes");
    assert_eq!(code, 1001, "{reason}");
    // No new connection is accepted.
    let mut refused = false;
    for _ in 0..100 {
        if reqwest::get(format!("{}/healthz", server.address)).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "the server still accepts connections after SIGTERM");
    assert!(!in_flight.is_finished(), "the mutation waits for the write lock");

    drop(lock); // rolls back, freeing the lock
    let (status, body) = in_flight.await.unwrap().expect("the request in flight is answered");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["createAgency"]["agency"]["code"], "IN-FLIGHT", "{body}");
    let exit = server.wait_for_exit(Duration::from_secs(30)).expect("the process exits");
    assert!(exit.success(), "{exit:?}");
    assert_eq!(agency_count(&database_url, "IN-FLIGHT").await, 1);
    let log = server.json_log();
    assert!(log.iter().any(|l| l["signal"] == "SIGTERM"), "{log:#?}");
    assert!(log.iter().any(|l| l["message"] == "stopped"), "{log:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_outlasts_the_grace_period_is_cut_off_without_a_trace() {
    let (database_url, _files) = sqlite_database("grace");
    let mut server = Process::serve(&[("DATABASE_URL", &database_url), ("DIRECTIVES_SHUTDOWN_GRACE", "1s")]);
    let token = admin_token();

    let lock = hold_write_lock(&database_url).await;
    let in_flight = mutation_in_flight(&server, &token, "TOO-LATE");
    until_in_flight(&server, 1.0).await;
    server.terminate();
    // The lock is still held: the process exits because the grace period ran out.
    let exit = server.wait_for_exit(Duration::from_secs(20)).expect("the process exits after its grace period");
    assert!(exit.success(), "{exit:?}");
    assert!(in_flight.await.unwrap().is_err(), "the connection was closed without an answer");
    drop(lock);
    assert_eq!(agency_count(&database_url, "TOO-LATE").await, 0, "nothing half-written");
}
