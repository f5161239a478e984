//! What the service shows of itself, and to whom: introspection and GraphiQL by caller, no field
//! suggestions, and trusted documents.

use api::domain::policy::Role;
use serde_json::json;

use crate::helpers::{Backend, spawn_app, spawn_app_configured};

const JSON: &str = "application/json";
const GRAPHQL_JSON: &str = "application/graphql-response+json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_is_open_only_to_the_callers_configured() {
    let app = spawn_app_configured(Backend::Sqlite, |s| s.exposure.introspection = "ADMIN".parse().unwrap()).await;
    let reader = app.token("reader@hy", &[Role::Reader], None);
    for introspection in ["{ __schema { queryType { name } } }", "{ __type(name: \"Task\") { fields { name } } }"] {
        let body = json!({ "query": introspection });
        let refused = app.post_json(&reader, GRAPHQL_JSON, &body).await;
        assert_eq!(refused.status, 403, "{:#}", refused.body);
        let (code, error) = refused.error();
        assert_eq!(code, "FORBIDDEN");
        assert!(error["message"].as_str().unwrap().contains("open to ADMIN"), "{:#}", refused.body);
        assert!(refused.body.get("data").is_none());
        // application/json: the same refusal, with 200.
        assert_eq!(app.post_json(&reader, JSON, &body).await.status, 200);

        let allowed = app.post_json(&app.admin_token, GRAPHQL_JSON, &body).await;
        assert_eq!(allowed.status, 200, "{:#}", allowed.body);
        assert!(allowed.body.get("errors").is_none(), "{:#}", allowed.body);
    }
    // __typename is not introspection.
    let typename = app.post_json(&reader, GRAPHQL_JSON, &json!({ "query": "{ __typename }" })).await;
    assert_eq!(typename.body["data"]["__typename"], "Query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_never_suggest_names() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = app.gql("{ agencie { totalCount } }", json!({})).await;
    let message = r.expect_error("BAD_USER_INPUT");
    assert!(message.contains("agencie"), "{message}");
    assert!(!message.contains("Did you mean") && !message.contains("\"agencies\""), "{message}");
    let r = app.gql("{ agencies(frist: 5) { totalCount } }", json!({})).await;
    let message = r.expect_error("BAD_USER_INPUT");
    assert!(message.contains("frist") && !message.contains("Did you mean"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_is_served_to_the_callers_configured() {
    let html = "text/html,application/xhtml+xml";
    let page = |app: &crate::helpers::TestApp, token: Option<String>| {
        let mut req = app.client.get(format!("{}/graphql", app.address)).header("accept", html);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        async move { req.send().await.unwrap() }
    };

    let everyone = spawn_app(Backend::Sqlite).await;
    let open = page(&everyone, None).await;
    assert_eq!(open.status(), 200);
    assert!(open.text().await.unwrap().contains("GraphiQL"));

    // Behind a proxy that adds the token: only editors and admins.
    let editors =
        spawn_app_configured(Backend::Sqlite, |s| s.exposure.graphiql = "ADMIN,EDITOR".parse().unwrap()).await;
    assert_eq!(page(&editors, None).await.status(), 401);
    let reader = editors.token("reader@hy", &[Role::Reader], None);
    let refused = page(&editors, Some(reader)).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("ADMIN, EDITOR"));
    let editor = editors.token("editor@hy", &[Role::Editor], Some("HY-UBND"));
    assert_eq!(page(&editors, Some(editor)).await.status(), 200);

    let nobody = spawn_app_configured(Backend::Sqlite, |s| s.exposure.graphiql = "none".parse().unwrap()).await;
    assert_eq!(page(&nobody, Some(nobody.admin_token.clone())).await.status(), 404);
    // The API itself is still there.
    let answer = nobody.get_query(&nobody.admin_token, JSON, &[("query", "{ __typename }")]).await;
    assert_eq!(answer.body["data"]["__typename"], "Query");
}

fn sha256(document: &str) -> String {
    api::exposure::trusted::hash(document)
}

fn persisted(hash: &str) -> serde_json::Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_trusted_documents_run_when_a_list_is_configured() {
    let count = "query Count { agencies { totalCount } }";
    let create = "mutation Make { createAgency(input: {code: \"T1\", name: \"Đơn vị\", kind: OTHER, level: CENTRAL}) { agency { code } } }";
    let file = std::env::temp_dir().join(format!("trusted-{}.json", uuid::Uuid::now_v7()));
    // Apollo's manifest, as a client build writes it.
    let manifest = json!({
        "format": "apollo-persisted-query-manifest", "version": 1,
        "operations": [
            { "id": sha256(count), "name": "Count", "type": "query", "body": count },
            { "id": sha256(create), "name": "Make", "type": "mutation", "body": create },
        ]
    });
    std::fs::write(&file, manifest.to_string()).unwrap();
    let path = file.clone();
    let app = spawn_app_configured(Backend::Sqlite, move |s| s.exposure.trusted_documents = Some(path)).await;
    let token = app.admin_token.clone();

    // By hash alone, by the document itself, and by both.
    for body in [
        json!({ "extensions": persisted(&sha256(count)) }),
        json!({ "query": count }),
        json!({ "query": count, "extensions": persisted(&sha256(count)) }),
    ] {
        let answer = app.post_json(&token, GRAPHQL_JSON, &body).await;
        assert_eq!(answer.status, 200, "{body}: {:#}", answer.body);
        assert_eq!(answer.body["data"]["agencies"]["totalCount"], 0, "{body}");
    }
    // Over GET, by hash, as Apollo Client sends persisted queries.
    let extensions = persisted(&sha256(count)).to_string();
    let answer = app.get_query(&token, GRAPHQL_JSON, &[("extensions", extensions.as_str())]).await;
    assert_eq!(answer.body["data"]["agencies"]["totalCount"], 0, "{:#}", answer.body);
    // A trusted mutation still may not run over GET.
    let extensions = persisted(&sha256(create)).to_string();
    let answer = app.get_query(&token, GRAPHQL_JSON, &[("extensions", extensions.as_str())]).await;
    assert_eq!(answer.status, 405, "{:#}", answer.body);

    // Anything else is refused, and names the document's hash.
    let other = "{ agencies { totalCount } }";
    let refused = app.post_json(&token, GRAPHQL_JSON, &json!({ "query": other })).await;
    assert_eq!(refused.status, 403, "{:#}", refused.body);
    let (code, error) = refused.error();
    assert_eq!(code, "FORBIDDEN");
    assert!(error["message"].as_str().unwrap().contains(&sha256(other)), "{:#}", refused.body);
    let unknown = app.post_json(&token, GRAPHQL_JSON, &json!({ "extensions": persisted(&"0".repeat(64)) })).await;
    assert_eq!(unknown.status, 403, "{:#}", unknown.body);
    // A hash that is not the document's is refused as a mistake.
    let body = json!({ "query": other, "extensions": persisted(&sha256(count)) });
    let mismatch = app.post_json(&token, GRAPHQL_JSON, &body).await;
    assert_eq!((mismatch.status, mismatch.error().0), (400, "BAD_USER_INPUT"), "{:#}", mismatch.body);

    let made = app.post_json(&token, JSON, &json!({ "extensions": persisted(&sha256(create)) })).await;
    assert_eq!(made.body["data"]["createAgency"]["agency"]["code"], "T1", "{:#}", made.body);
    std::fs::remove_file(file).ok();
}

/// A trusted-documents file that cannot be used stops the service at start, saying why; so does a
/// caller list that names no role.
#[test]
fn a_bad_exposure_setting_stops_the_service_at_start() {
    let dir = std::env::temp_dir().join(format!("exposure-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let wrong = dir.join("trusted.json");
    std::fs::write(&wrong, json!({ "0".repeat(64): "{ agencies { totalCount } }" }).to_string()).unwrap();
    let serve = |env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_directives"));
        command
            .arg("serve")
            .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.join("db.sqlite").display()))
            .env("DIRECTIVES_BIND", "127.0.0.1:0")
            .env("DIRECTIVES_JWT_SECRET", crate::helpers::TEST_SECRET)
            .env("RUST_LOG", "error");
        for (name, value) in env {
            command.env(name, value);
        }
        let out = command.output().expect("the command runs");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, err) = serve(&[("DIRECTIVES_TRUSTED_DOCUMENTS", wrong.to_str().unwrap())]);
    assert!(!ok, "the service must not start");
    assert!(err.contains("trusted.json") && err.contains(&sha256("{ agencies { totalCount } }")), "{err}");
    let (ok, err) = serve(&[("DIRECTIVES_TRUSTED_DOCUMENTS", "/nonexistent/trusted.json")]);
    assert!(!ok && err.contains("/nonexistent/trusted.json"), "{err}");
    let (ok, err) = serve(&[("DIRECTIVES_INTROSPECTION", "ADMIN,OWNER")]);
    assert!(!ok && err.contains("OWNER"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}
