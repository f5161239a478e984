//! The HTTP surface beyond GraphQL itself: GraphiQL, probes, GET rules, and the published schema.

use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

async fn graphiql_is_served_from_the_binary_alone(app: TestApp) {
    let resp = app.get("/graphql", "text/html,application/xhtml+xml").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = resp.text().await.unwrap();
    assert!(page.contains("GraphiQL"));
    assert!(page.contains("57-KL/TW"), "the default query shows the cascade");
    // Every script and stylesheet the page loads is one of ours.
    let mut sources = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in page.split(attr).skip(1) {
            sources.push(part.split('"').next().unwrap().to_owned());
        }
    }
    assert!(sources.len() >= 5, "{sources:?}");
    for src in &sources {
        assert!(src.starts_with("/graphiql/assets/"), "the page loads {src} from elsewhere");
        let asset = app.get(src, "*/*").await;
        assert_eq!(asset.status(), 200, "{src}");
        assert!(!asset.bytes().await.unwrap().is_empty());
    }
    for host in ["unpkg", "jsdelivr", "esm.sh", "cdnjs", "googleapis"] {
        assert!(!page.contains(host), "the page names {host}");
    }
    assert_eq!(app.get("/graphiql/assets/nope.js", "*/*").await.status(), 404);
}

async fn queries_work_over_get_but_mutations_do_not(app: TestApp) {
    let resp = app.get("/graphql?query=%7B%20agencies%20%7B%20totalCount%20%7D%20%7D", "application/json").await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["agencies"]["totalCount"], 0);

    let mutation =
        "mutation { createAgency(input: {code: \"X\", name: \"x\", kind: OTHER, level: CENTRAL}) { agency { id } } }";
    let resp = app
        .client
        .get(format!("{}/graphql", app.address))
        .bearer_auth(&app.admin_token)
        .query(&[("query", mutation)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let r = app.gql("{ agencies { totalCount } }", json!({})).await;
    assert_eq!(r.i64("agencies.totalCount"), 0, "the GET changed nothing");
}

async fn probes_report_health_and_readiness(app: TestApp) {
    assert_eq!(app.get("/healthz", "*/*").await.status(), 200);
    let ready = app.get("/readyz", "*/*").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap()["status"], "ok");
}

async fn a_bad_date_says_what_was_expected(app: TestApp) {
    let r = app.gql("{ documents(filter: { issuedFrom: \"15/06/2023\" }) { totalCount } }", json!({})).await;
    let message = r.expect_error("BAD_USER_INPUT");
    assert!(message.contains("YYYY-MM-DD"), "{message}");
    assert!(!message.to_lowercase().contains("sql") && !message.contains("sea_orm"), "{message}");
}

/// GraphQL's response maps are ordered as their selection sets: a client that reads the text (or
/// a person reading it in GraphiQL) sees the fields in the order it asked for them. Each level asks
/// first for a field that waits for the database and then for one that does not, so that fields
/// answered in the order they finish would come out the other way round.
async fn answers_keep_the_order_of_the_selection_set(app: TestApp) {
    let province = app.create_agency("HY", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    app.create_agency("HY-STC", "DEPARTMENT", "PROVINCIAL", Some(&province)).await;
    let query = r#"{ zeta: agency(code: "HY-STC") { parent { code } name kind code level }
                     typename: __typename alpha: agencies { totalCount } }"#;
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("no {key} in {text}"));
    let order = ["zeta", "parent", "name", "kind", "level", "typename", "alpha", "totalCount"].map(at);
    assert!(order.is_sorted(), "the answer's keys are out of the query's order: {text}");
}

db_tests!(
    answers_keep_the_order_of_the_selection_set,
    graphiql_is_served_from_the_binary_alone,
    queries_work_over_get_but_mutations_do_not,
    probes_report_health_and_readiness,
    a_bad_date_says_what_was_expected,
);

#[test]
fn schema_graphql_is_what_the_code_serves() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        committed == api::graphql::schema::sdl(),
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql` and review the diff"
    );
}

/// GraphQL over HTTP: the media type asked for, and statuses that say what happened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_follow_the_media_type_asked_for() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    let token = app.admin_token.clone();
    let gr = "application/graphql-response+json";
    let ok = json!({ "query": "{ agencies { totalCount } }" });

    for (accept, expected) in [
        (gr, gr),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("application/graphql-response+json, application/json;q=0.9", gr),
    ] {
        let answer = app.post_json(&token, accept, &ok).await;
        assert_eq!(answer.status, 200, "{accept}");
        assert!(answer.header("content-type").unwrap().starts_with(expected), "{accept}: {:?}", answer.headers);
    }
    let none = app.post_raw(Some(&token), &[("content-type", "application/json")], ok.to_string()).await;
    assert!(none.header("content-type").unwrap().starts_with("application/json"));
    assert_eq!(app.post_json(&token, "text/html", &ok).await.status, 406);

    // Requests that never ran: 400 and no data with graphql-response+json, 200 with application/json.
    for (query, code) in [("{", "BAD_USER_INPUT"), ("{ nope }", "BAD_USER_INPUT")] {
        let answer = app.post_json(&token, gr, &json!({ "query": query })).await;
        assert_eq!((answer.status, answer.error().0), (400, code), "{query}");
        assert!(answer.body.get("data").is_none(), "{query}: {:#}", answer.body);
        let answer = app.post_json(&token, "application/json", &json!({ "query": query })).await;
        assert_eq!(answer.status, 200, "{query}");
        assert!(answer.body.get("data").is_none(), "{query}: {:#}", answer.body);
    }
    let coercion = json!({ "query": "query($id: ID!) { node(id: $id) { id } }", "variables": { "id": null } });
    assert_eq!(app.post_json(&token, gr, &coercion).await.status, 400);
    // An error while running is not a request error: there is data, and the status is 200.
    let missing = json!({ "query": "{ node(id: \"bm90LWFuLWlk\") { id } agencies { totalCount } }" });
    let answer = app.post_json(&token, gr, &missing).await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["data"]["agencies"]["totalCount"], 0, "{:#}", answer.body);

    // Requests that cannot be read: 400 whatever is accepted, 415 for a body that is not JSON.
    for body in [
        r#"{ "not a JSON"#,
        r#"{"qeury": "{ __typename }"}"#,
        r#"{"query": 0}"#,
        r#"{"query": "{ __typename }", "variables": "string"}"#,
        r#"{"query": "{ __typename }", "extensions": []}"#,
        r#"{"query": "{ __typename }", "operationName": false}"#,
    ] {
        let answer = app.post_raw(Some(&token), &[("content-type", "application/json")], body).await;
        assert_eq!((answer.status, answer.error().0), (400, "BAD_USER_INPUT"), "{body}: {:#}", answer.body);
    }
    for content_type in
        ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "application/json; charset=latin1"]
    {
        let answer = app.post_raw(Some(&token), &[("content-type", content_type)], ok.to_string()).await;
        assert_eq!(answer.status, 415, "{content_type}");
    }
    let answer = app.post_raw(Some(&token), &[], ok.to_string()).await;
    assert_eq!(answer.status, 415);

    // Without a valid token: 401, in the media type asked for.
    let answer = app.post_json("not-a-token", gr, &ok).await;
    assert_eq!((answer.status, answer.error().0), (401, "UNAUTHENTICATED"));
    assert!(answer.header("content-type").unwrap().starts_with(gr));
    assert_eq!(answer.header("www-authenticate"), Some("Bearer"));

    // GET: variables as JSON in the URL; a mutation is 405 whatever else is asked.
    let answer = app
        .get_query(
            &token,
            gr,
            &[("query", "query($n: Int) { agencies(first: $n) { totalCount } }"), ("variables", "{\"n\": 1}")],
        )
        .await;
    assert_eq!(answer.body["data"]["agencies"]["totalCount"], 0, "{:#}", answer.body);
    let answer = app.get_query(&token, gr, &[("query", "{ __typename }"), ("variables", "[1]")]).await;
    assert_eq!(answer.status, 400);
    let answer = app.get_query(&token, gr, &[("query", "mutation { __typename }")]).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("POST"));
}

/// The form that file uploads use goes through the same handler and checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_requests_run_through_the_same_handler() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    let post = |operations: &str| {
        let (content_type, body) = crate::limits::multipart(operations);
        let headers = [("content-type", content_type), ("accept", "application/graphql-response+json".to_owned())];
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.post_raw(Some(&app.admin_token), &headers, body).await
        }
    };
    let answer = post(r#"{"query": "{ agencies { totalCount } }"}"#).await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["data"]["agencies"]["totalCount"], 0);
    assert_eq!(answer.body["extensions"]["cost"]["requested"], 1, "the guard saw it: {:#}", answer.body);

    let answer = post(r#"{"query": "{ nope }"}"#).await;
    assert_eq!(answer.status, 400, "{:#}", answer.body);
    let (content_type, _) = crate::limits::multipart("");
    let answer = app.post_raw(Some(&app.admin_token), &[("content-type", &content_type)], "garbage").await;
    assert_eq!((answer.status, answer.error().0), (400, "BAD_USER_INPUT"), "{:#}", answer.body);
}
