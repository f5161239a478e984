//! The database goes away and comes back: a PostgreSQL cluster of the test's own, stopped and
//! started under a running server.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_at};
use crate::operations::metric;
use crate::pg_cluster::Cluster;

/// Polls `/readyz` until it answers `status`.
async fn until_ready_is(app: &TestApp, status: u16, limit: Duration) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if app.get("/readyz", "*/*").await.status() == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("/readyz never answered {status} within {limit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_fail_fast_while_the_database_is_away_and_succeed_once_it_is_back() {
    let cluster = Cluster::start();
    let app = spawn_app_at(&cluster.url()).await;
    app.create_agency("BTTTT", "MINISTRY", "CENTRAL", None).await;

    cluster.stop_server();
    until_ready_is(&app, 503, Duration::from_secs(30)).await;
    // The pool would wait 10 s for a connection: an answer well within that is the refusal.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    for _ in 0..3 {
        let resp = client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&app.admin_token)
            .json(&json!({ "query": "{ agencies { totalCount } }" }))
            .send()
            .await
            .expect("an answer before the client gives up");
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers()["retry-after"], "2");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("cannot reach its database") && message.contains("retry"), "{message}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    }
    let ready = app.get("/readyz", "*/*").await.json::<Value>().await.unwrap();
    assert_eq!(ready["database"], "unreachable");
    let text = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
    assert_eq!(metric(&text, "directives_ready", &[]), Some(0.0));
    assert_eq!(
        metric(&text, "directives_http_requests_total", &[("route", "/graphql"), ("status", "503")]),
        Some(3.0),
        "{text}"
    );

    cluster.start_server();
    until_ready_is(&app, 200, Duration::from_secs(30)).await;
    let r = app.gql("{ agencies { totalCount nodes { code } } }", json!({})).await;
    assert_eq!(r.data("agencies.nodes.0.code"), "BTTTT", "the data written before the outage is served");
    app.create_agency("BNG", "MINISTRY", "CENTRAL", None).await;
    assert_eq!(app.gql("{ agencies { totalCount } }", json!({})).await.i64("agencies.totalCount"), 2);
}
