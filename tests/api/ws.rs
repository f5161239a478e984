//! GraphQL over a WebSocket: the token travels in `connection_init`, as browsers cannot set headers.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::db_tests;
use crate::helpers::TestApp;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(app: &TestApp, init: Value) -> Socket {
    open_at(&app.address, init).await
}

/// A graphql-transport-ws connection to the server at `address`, `connection_init` sent.
pub async fn open_at(address: &str, init: Value) -> Socket {
    let mut request = format!("{}/graphql", address.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("the upgrade succeeds");
    socket.send(Message::Text(json!({ "type": "connection_init", "payload": init }).to_string().into())).await.unwrap();
    socket
}

/// The next message: a JSON text, or the close frame's code and reason.
pub async fn next(socket: &mut Socket) -> Result<Value, (u16, String)> {
    loop {
        match socket.next().await.expect("a message").expect("a readable message") {
            Message::Text(text) => return Ok(serde_json::from_str(&text).unwrap()),
            Message::Close(frame) => {
                return Err(frame.map_or((1005, String::new()), |f| (u16::from(f.code), f.reason.to_string())));
            }
            _ => continue,
        }
    }
}

async fn operations_run_as_the_caller_of_connection_init(app: TestApp) {
    let mut socket = open(&app, json!({ "Authorization": format!("Bearer {}", app.admin_token) })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ agencies { totalCount } }" } });
    socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    let reply = next(&mut socket).await.unwrap();
    assert_eq!(reply["type"], "next");
    assert_eq!(reply["payload"]["data"]["agencies"]["totalCount"], 0);
    assert_eq!(next(&mut socket).await.unwrap()["type"], "complete");

    for init in [json!({}), json!({ "Authorization": "Bearer not-a-token" })] {
        let mut socket = open(&app, init.clone()).await;
        let (code, reason) = next(&mut socket).await.expect_err("the connection is refused");
        assert_eq!(code, 4403, "{init}: {reason}");
        assert!(reason.contains("token"), "{init}: the reason says why: {reason}");
    }
}

/// The protocol's close codes for what async-graphql lets pass.
async fn the_protocol_is_followed_to_the_letter(app: TestApp) {
    let url = format!("{}/graphql", app.address.replace("http://", "ws://"));
    let connect = || async {
        let mut request = url.as_str().into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
        tokio_tungstenite::connect_async(request).await.unwrap().0
    };
    let subscribe = |id: &str| {
        Message::Text(json!({ "id": id, "type": "subscribe", "payload": { "query": LIVE } }).to_string().into())
    };

    // A subscribe before the connection is acknowledged: 4401.
    let mut socket = connect().await;
    socket.send(subscribe("1")).await.unwrap();
    assert_eq!(next(&mut socket).await.expect_err("closed").0, 4401);

    // No connection_init in time: 4408.
    let mut socket = connect().await;
    let (code, _) =
        tokio::time::timeout(std::time::Duration::from_secs(6), next(&mut socket)).await.unwrap().expect_err("closed");
    assert_eq!(code, 4408);

    // A second subscription under an id still in use: 4409.
    let mut socket = open(&app, json!({ "Authorization": format!("Bearer {}", app.admin_token) })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    socket.send(subscribe("same")).await.unwrap();
    socket.send(subscribe("same")).await.unwrap();
    let closed = loop {
        match next(&mut socket).await {
            Ok(_) => continue,
            Err(close) => break close,
        }
    };
    assert_eq!(closed.0, 4409, "{closed:?}");

    // A second connection_init: 4429.
    let mut socket = open(&app, json!({ "Authorization": format!("Bearer {}", app.admin_token) })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    socket.send(Message::Text(json!({ "type": "connection_init" }).to_string().into())).await.unwrap();
    assert_eq!(next(&mut socket).await.expect_err("closed").0, 4429);
}

const LIVE: &str = "subscription($after: String) { changes(after: $after) { cursor sequence entityType } }";

async fn subscribe(socket: &mut Socket, after: Option<&str>) {
    let message =
        json!({ "id": "live", "type": "subscribe", "payload": { "query": LIVE, "variables": { "after": after } } });
    socket.send(Message::Text(message.to_string().into())).await.unwrap();
}

/// The next change a subscription delivers, within `seconds`.
async fn next_change(socket: &mut Socket, seconds: u64) -> Value {
    let message = tokio::time::timeout(std::time::Duration::from_secs(seconds), next(socket))
        .await
        .expect("a change arrives in time")
        .expect("the subscription stays open");
    assert_eq!(message["type"], "next", "{message}");
    message["payload"]["data"]["changes"].clone()
}

async fn create_agency(app: &TestApp, code: &str) {
    app.gql(
        "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id } } }",
        json!({ "i": { "code": code, "name": "Đơn vị", "kind": "OTHER", "level": "CENTRAL" } }),
    )
    .await
    .data("createAgency");
}

async fn subscribers_replay_then_follow_live(app: TestApp) {
    create_agency(&app, "A1").await;
    create_agency(&app, "A2").await;
    let mut socket = open(&app, json!({ "Authorization": format!("Bearer {}", app.admin_token) })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    subscribe(&mut socket, None).await;
    assert_eq!(next_change(&mut socket, 5).await["sequence"], 1, "the log first");
    let second = next_change(&mut socket, 5).await;
    assert_eq!(second["sequence"], 2);

    create_agency(&app, "A3").await;
    assert_eq!(next_change(&mut socket, 2).await["sequence"], 3, "then each change as it commits");

    // A subscriber that goes away resumes from its last cursor and misses nothing.
    let cursor = second["cursor"].as_str().unwrap().to_owned();
    drop(socket);
    create_agency(&app, "A4").await;
    let mut socket = open(&app, json!({ "Authorization": format!("Bearer {}", app.admin_token) })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    subscribe(&mut socket, Some(&cursor)).await;
    assert_eq!(next_change(&mut socket, 5).await["sequence"], 3);
    assert_eq!(next_change(&mut socket, 5).await["sequence"], 4);
}

/// A connection whose `connection_init` was acknowledged.
async fn acknowledged(app: &TestApp) -> Socket {
    let mut socket = open(app, json!({ "Authorization": format!("Bearer {}", app.admin_token) })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.unwrap();
}

/// A ping answered by the next message: nothing else was queued before it.
async fn assert_nothing_pending(socket: &mut Socket) {
    send(socket, json!({ "type": "ping" })).await;
    let reply = next(socket).await.unwrap();
    assert_eq!(reply["type"], "pong", "{reply}");
}

async fn messages_of_no_known_form_close_with_4400(app: TestApp) {
    for message in [
        "not json".to_owned(),
        json!({ "id": "1", "type": "next", "payload": {} }).to_string(),
        json!({ "id": "1", "type": "subscribe" }).to_string(),
        json!({ "type": "subscribe", "payload": { "query": "{ __typename }" } }).to_string(),
        json!({ "id": "1", "type": "subscribe", "payload": { "query": 5 } }).to_string(),
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ __typename }", "variables": [] } })
            .to_string(),
        json!({ "type": "ping", "payload": "x" }).to_string(),
        json!({ "kind": "subscribe" }).to_string(),
    ] {
        let mut socket = acknowledged(&app).await;
        socket.send(Message::Text(message.clone().into())).await.unwrap();
        assert_eq!(next(&mut socket).await.expect_err("closed").0, 4400, "{message}");
    }
    let mut request = format!("{}/graphql", app.address.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    send(&mut socket, json!({ "type": "connection_init", "payload": "Bearer x" })).await;
    assert_eq!(next(&mut socket).await.expect_err("closed").0, 4400);
}

async fn an_operation_refused_before_it_runs_ends_with_one_error(app: TestApp) {
    let mut socket = acknowledged(&app).await;
    send(&mut socket, json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ nope }" } })).await;
    let reply = next(&mut socket).await.unwrap();
    assert_eq!((reply["type"].as_str(), reply["id"].as_str()), (Some("error"), Some("q")), "{reply}");
    assert_eq!(reply["payload"][0]["extensions"]["code"], "BAD_USER_INPUT", "{reply}");
    assert_nothing_pending(&mut socket).await;
    // The operation is over: its id may be used again.
    send(&mut socket, json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ agencies { totalCount } }" } }))
        .await;
    let reply = next(&mut socket).await.unwrap();
    assert_eq!(reply["type"], "next", "{reply}");
    assert_eq!(reply["payload"]["data"]["agencies"]["totalCount"], 0);
    assert_eq!(next(&mut socket).await.unwrap()["type"], "complete");
}

async fn an_operation_the_client_completed_gets_nothing_more(app: TestApp) {
    let mut socket = acknowledged(&app).await;
    subscribe(&mut socket, None).await;
    send(&mut socket, json!({ "id": "live", "type": "complete" })).await;
    // Answered in order: once the pong is here, the complete was handled, and no `complete` came back.
    assert_nothing_pending(&mut socket).await;
    create_agency(&app, "A1").await;
    assert_nothing_pending(&mut socket).await;
}

/// The operations of one connection each read the database afresh: a status that a filter found
/// in one query is not taken for the status in the next, after a write.
async fn each_operation_of_a_connection_reads_afresh(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    let task = app.create_task(&doc, "1", &lead, &[]).await;
    let mut socket = acknowledged(&app).await;
    let query = format!(
        "{{ tasks(first: 10, filter: {{ status: [ONGOING] }}) {{ nodes {{ status }} }} node(id: \"{task}\") {{ ... on Task {{ status }} }} }}"
    );
    let mut statuses = Vec::new();
    for id in ["1", "2"] {
        send(&mut socket, json!({ "id": id, "type": "subscribe", "payload": { "query": query } })).await;
        let reply = next(&mut socket).await.unwrap();
        assert_eq!(reply["type"], "next", "{reply}");
        statuses.push(reply["payload"]["data"]["node"]["status"].clone());
        assert_eq!(next(&mut socket).await.unwrap()["type"], "complete");
        if id == "1" {
            let set = "mutation($i: SetTaskProgressInput!) { setTaskProgress(input: $i) { task { version } } }";
            let done = json!({ "i": { "id": task, "expectedVersion": 1, "progressState": "COMPLETED", "completedOn": "2024-12-20" } });
            app.gql(set, done).await.data("setTaskProgress.task.version");
        }
    }
    assert_eq!(statuses, [json!("ONGOING"), json!("COMPLETED_ON_TIME")]);
}

db_tests!(
    each_operation_of_a_connection_reads_afresh,
    operations_run_as_the_caller_of_connection_init,
    subscribers_replay_then_follow_live,
    the_protocol_is_followed_to_the_letter,
    messages_of_no_known_form_close_with_4400,
    an_operation_refused_before_it_runs_ends_with_one_error,
    an_operation_the_client_completed_gets_nothing_more,
);

/// The limits hold over a WebSocket as over HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_hold_over_a_websocket() {
    let app = crate::helpers::spawn_app_configured(crate::helpers::Backend::Sqlite, |s| s.limits.max_depth = 2).await;
    let mut socket = acknowledged(&app).await;
    let deep = "subscription { changes { node { id } } }";
    send(&mut socket, json!({ "id": "deep", "type": "subscribe", "payload": { "query": deep } })).await;
    let reply = next(&mut socket).await.unwrap();
    assert_eq!(reply["type"], "error", "{reply}");
    assert_eq!(reply["payload"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{reply}");
    assert_eq!(reply["payload"][0]["extensions"]["limit"], "max-depth", "{reply}");
    assert_nothing_pending(&mut socket).await;
}

/// Queries over a WebSocket wait for room in the budget of objects in flight as over HTTP: while a
/// large read waits for a locked table holding the whole budget, a small one is answered, and a
/// large one only after the locked one ends.
#[cfg(test_pg)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_queries_over_a_websocket_wait_for_room() {
    use crate::helpers::{LARGE_AGENCIES, LARGE_DOCUMENTS, lock_against_reads};

    let app = crate::helpers::spawn_app_configured(crate::helpers::Backend::Postgres, |s| {
        s.limits.nodes_in_flight = 300;
        s.limits.execution_timeout = std::time::Duration::from_secs(2);
    })
    .await;
    let lock = lock_against_reads(&app, "agency").await;
    let mut socket = acknowledged(&app).await;
    let subscribe = |id: &str, query: &str| json!({ "id": id, "type": "subscribe", "payload": { "query": query } });
    send(&mut socket, subscribe("locked", LARGE_AGENCIES)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    send(&mut socket, subscribe("large", LARGE_DOCUMENTS)).await;
    send(&mut socket, subscribe("small", "{ documents(first: 10) { nodes { symbol } } }")).await;
    let mut answered = Vec::new();
    while answered.len() < 3 {
        let reply = tokio::time::timeout(std::time::Duration::from_secs(10), next(&mut socket)).await.unwrap().unwrap();
        if reply["type"] != "complete" {
            answered.push(reply["id"].as_str().unwrap().to_owned());
        }
    }
    lock.rollback().await.unwrap();
    assert_eq!(answered, ["small", "locked", "large"]);
}

/// A change committed through one instance reaches a subscriber of another within a second.
#[cfg(test_pg)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_reach_subscribers_of_other_instances() {
    let a = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await;
    let b = a.second_instance().await;
    let mut socket = open(&a, json!({ "Authorization": format!("Bearer {}", a.admin_token) })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    subscribe(&mut socket, None).await;
    // Let the subscription reach the live part: it has read the (empty) log and waits.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for (i, code) in ["B1", "B2", "B3"].into_iter().enumerate() {
        let started = std::time::Instant::now();
        create_agency(&b, code).await;
        let change = next_change(&mut socket, 1).await;
        assert_eq!(change["sequence"], i as i64 + 1);
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "took {:?}", started.elapsed());
    }
}

/// The same across two server processes: the subscriber on this one, the writes through a child
/// `directives serve` process on the same PostgreSQL.
#[cfg(test_pg)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_reach_subscribers_across_processes() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let a = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await;
    /// Stops the child however the test ends.
    struct Child(std::process::Child);
    impl Drop for Child {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_directives"))
            .arg("serve")
            .env("DATABASE_URL", &a.database_url)
            .env("DIRECTIVES_BIND", "127.0.0.1:0")
            .env("DIRECTIVES_JWT_SECRET", crate::helpers::TEST_SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the second process starts"),
    );
    // Kept open to the end: the child must be able to go on printing.
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("directives is listening on ").map(|a| format!("http://{a}")))
        .expect("the second process says where it listens");
    let b = a.client_of(address);

    let mut socket = open(&a, json!({ "Authorization": format!("Bearer {}", a.admin_token) })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    subscribe(&mut socket, None).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    create_agency(&b, "P1").await;
    let change = next_change(&mut socket, 1).await;
    assert_eq!(change["sequence"], 1);
    let latency = started.elapsed();
    drop(child);
    drop(lines);
    assert!(latency < std::time::Duration::from_secs(1), "took {latency:?}");
}
