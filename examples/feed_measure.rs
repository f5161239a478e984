//! Measures the change feed on PostgreSQL: how fast a follower catches up by paging, and how soon a
//! change committed through one instance reaches a subscriber of another.
//!
//! ```sh
//! createdb -h 127.0.0.1 -U postgres feed_measure
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/feed_measure cargo run --release --example feed_measure -- 100000 200
//! ```
//! The database must be empty; the arguments are the number of changes to page through and the
//! number of live deliveries to time.

use std::time::{Duration, Instant};

use api::app::Application;
use api::auth::{AuthSettings, Minter};
use api::config::{DatabaseSettings, Settings};
use api::domain::i18n::Translations;
use api::domain::policy::Role;
use api::exposure::ExposureSettings;
use api::limits::LimitSettings;
use api::store::{AuditContext, NewAgency, Store};
use entity::sea_orm_active_enums::{AgencyKind, AgencyLevel};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const SECRET: &str = "feed-measure-secret-feed-measure-secret-0123";

async fn instance(url: &str) -> String {
    let settings = Settings {
        database: DatabaseSettings { database_url: url.to_owned(), max_connections: 10 },
        bind: "127.0.0.1:0".to_owned(),
        migrate: true,
        seed_sample: false,
        public_read: false,
        max_upload_bytes: api::config::DEFAULT_MAX_UPLOAD_BYTES,
        cascade_cache: api::config::DEFAULT_CASCADE_CACHE,
        shutdown_grace: std::time::Duration::from_secs(30),
        auth: AuthSettings { jwt_secret: Some(SECRET.to_owned()), ..Default::default() },
        // A measurement sends as fast as it can: no budget per minute.
        limits: LimitSettings { rate_limit: 0, ..LimitSettings::default() },
        exposure: ExposureSettings::default(),
    };
    let app = Application::build(&settings).await.expect("the instance starts");
    let address = format!("127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names an empty PostgreSQL database");
    let mut args = std::env::args().skip(1);
    let changes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let deliveries: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let a = instance(&url).await;
    let b = instance(&url).await;
    let minter =
        Minter::from_settings(&AuthSettings { jwt_secret: Some(SECRET.to_owned()), ..Default::default() }).unwrap();
    let token = minter.mint("measure", &[Role::Admin], None, Duration::from_secs(3600)).unwrap();
    let client = reqwest::Client::new();

    // The log to catch up on: `changes` agencies created in one transaction.
    let started = Instant::now();
    let store = Store::new(api::store::connect(&url, 2).await.unwrap());
    let tx = store.begin(AuditContext::system("feedMeasure")).await.unwrap();
    for i in 0..changes {
        let new = NewAgency {
            code: format!("M-{i}"),
            name: format!("Đơn vị {i}"),
            translations: Translations::default(),
            kind: AgencyKind::Other,
            level: AgencyLevel::Commune,
            parent: None,
        };
        tx.create_agency(new).await.unwrap();
    }
    tx.commit().await.unwrap();
    println!("wrote {changes} changes in {:.1} s", started.elapsed().as_secs_f64());

    // Catch-up: page through all of them, 100 at a time, with each entity.
    let query = "query($after: String) { changes(after: $after, first: 100) { pageInfo { hasNextPage }
        nodes { cursor sequence entityType entityId version node { id ... on Agency { code } } } } }";
    let started = Instant::now();
    let (mut after, mut seen) = (Value::Null, 0usize);
    loop {
        let body: Value = client
            .post(format!("http://{a}/graphql"))
            .bearer_auth(&token)
            .json(&json!({ "query": query, "variables": { "after": after } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let nodes = body["data"]["changes"]["nodes"].as_array().expect("a page").clone();
        seen += nodes.len();
        if let Some(last) = nodes.last() {
            after = last["cursor"].clone();
        }
        if !body["data"]["changes"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "catch-up: {seen} changes in {seconds:.1} s = {:.0} changes/s (pages of 100, with nodes)",
        seen as f64 / seconds
    );

    // Delivery: a subscriber on instance A, each change committed through instance B.
    let mut request = format!("ws://{a}/graphql").into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket.send(Message::Text(init.to_string().into())).await.unwrap();
    socket.next().await.unwrap().unwrap();
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($after: String) { changes(after: $after) { sequence } }", "variables": { "after": after } } });
    socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut latencies = Vec::with_capacity(deliveries);
    for i in 0..deliveries {
        let started = Instant::now();
        let mutation = json!({ "query": "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id } } }",
            "variables": { "i": { "code": format!("LIVE-{i}"), "name": "Đơn vị", "kind": "OTHER", "level": "COMMUNE" } } });
        client.post(format!("http://{b}/graphql")).bearer_auth(&token).json(&mutation).send().await.unwrap();
        loop {
            if let Message::Text(text) = socket.next().await.unwrap().unwrap() {
                let message: Value = serde_json::from_str(&text).unwrap();
                if message["type"] == "next" {
                    break;
                }
            }
        }
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0;
    println!(
        "delivery across instances (commit through B, subscriber on A; includes the mutation's own time): \
         p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms over {deliveries}",
        at(0.5),
        at(0.95),
        at(1.0)
    );
}
