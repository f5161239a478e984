//! Authentication over HTTP: every forged, stale or misdirected token is refused with 401.

use std::time::{SystemTime, UNIX_EPOCH};

use api::auth::AuthSettings;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TEST_SECRET, TestApp, spawn_app_with};
use crate::{backend_tests, db_tests};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt");
const QUERY: &str = "{ agencies { totalCount } }";

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A server trusting the test secret and an RSA key `rsa-1`, with issuer and audience checked.
fn strict() -> AuthSettings {
    AuthSettings {
        jwt_secret: Some(TEST_SECRET.to_owned()),
        jwt_public_keys: vec![format!("rsa-1={}", fixture("rsa-public.pem"))],
        jwt_issuer: Some("https://sso.example.gov.vn".to_owned()),
        jwt_audience: Some("directives".to_owned()),
        ..Default::default()
    }
}

fn claims(overrides: Value) -> Value {
    let mut c = json!({ "sub": "ops@bttttt", "roles": ["READER"], "iss": "https://sso.example.gov.vn",
                        "aud": "directives", "iat": now(), "exp": now() + 600 });
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn hs256(secret: &[u8], claims: &Value, kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

fn rs256(claims: &Value, kid: &str) -> String {
    let pem = std::fs::read(fixture("rsa-private.pem")).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    encode(&header, claims, &EncodingKey::from_rsa_pem(&pem).unwrap()).unwrap()
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

async fn send(app: &TestApp, authorization: Option<String>) -> (u16, Value) {
    let mut req = app.client.post(format!("{}/graphql", app.address)).json(&json!({ "query": QUERY }));
    if let Some(value) = authorization {
        req = req.header("Authorization", value);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn forged_and_stale_tokens_are_refused(backend: Backend) {
    let app = spawn_app_with(backend, strict(), false).await;
    let good = claims(json!({}));
    let valid_hs = hs256(TEST_SECRET.as_bytes(), &good, None);
    let valid_rs = rs256(&good, "rsa-1");
    for (name, token) in [("HS256", &valid_hs), ("RS256", &valid_rs)] {
        let (status, body) = send(&app, Some(format!("Bearer {token}"))).await;
        assert_eq!(status, 200, "a valid {name} token is accepted: {body:#}");
        assert_eq!(body["data"]["agencies"]["totalCount"], 0);
    }

    let rsa_public = std::fs::read(fixture("rsa-public.pem")).unwrap();
    let tampered = {
        let mut parts: Vec<String> = valid_hs.split('.').map(str::to_owned).collect();
        parts[1] = b64(&claims(json!({ "roles": ["ADMIN"] })));
        parts.join(".")
    };
    let unsigned = format!("{}.{}.", b64(&json!({ "alg": "none", "typ": "JWT" })), b64(&good));
    let attacks: Vec<(&str, Option<String>, &str)> = vec![
        ("alg none", Some(format!("Bearer {unsigned}")), "unsigned"),
        (
            "HS256 signed with the RSA public key (algorithm confusion)",
            Some(format!("Bearer {}", hs256(&rsa_public, &good, Some("rsa-1")))),
            "algorithm",
        ),
        (
            "HS256 signed with the RSA public key, no kid",
            Some(format!("Bearer {}", hs256(&rsa_public, &good, None))),
            "signature",
        ),
        (
            "wrong secret",
            Some(format!("Bearer {}", hs256(b"another-secret-another-secret-another-secret", &good, None))),
            "signature",
        ),
        (
            "expired",
            Some(format!("Bearer {}", hs256(TEST_SECRET.as_bytes(), &claims(json!({ "exp": now() - 120 })), None))),
            "expired",
        ),
        (
            "nbf in the future",
            Some(format!("Bearer {}", hs256(TEST_SECRET.as_bytes(), &claims(json!({ "nbf": now() + 120 })), None))),
            "not valid yet",
        ),
        (
            "wrong iss",
            Some(format!(
                "Bearer {}",
                hs256(TEST_SECRET.as_bytes(), &claims(json!({ "iss": "https://evil.example" })), None)
            )),
            "issuer",
        ),
        (
            "wrong aud",
            Some(format!("Bearer {}", hs256(TEST_SECRET.as_bytes(), &claims(json!({ "aud": "other" })), None))),
            "audience",
        ),
        ("unknown kid", Some(format!("Bearer {}", rs256(&good, "rsa-9"))), "unknown key"),
        ("tampered payload", Some(format!("Bearer {tampered}")), "signature"),
        ("malformed header", Some("Bearer not-base64!.x.y".to_owned()), "malformed"),
        (
            "no exp",
            Some(format!("Bearer {}", hs256(TEST_SECRET.as_bytes(), &claims(json!({ "exp": null })), None))),
            "exp",
        ),
        (
            "unknown role",
            Some(format!("Bearer {}", hs256(TEST_SECRET.as_bytes(), &claims(json!({ "roles": ["SUPERUSER"] })), None))),
            "role",
        ),
        ("missing Bearer", Some(valid_hs.clone()), "Bearer"),
        ("another scheme", Some(format!("Token {valid_hs}")), "Bearer"),
        ("no Authorization header", None, "bearer token"),
    ];
    for (name, authorization, says) in attacks {
        let (status, body) = send(&app, authorization.clone()).await;
        assert_eq!(status, 401, "{name}: {body:#}");
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "UNAUTHENTICATED", "{name}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(says), "{name}: the message should name the check ({says}): {message}");
        if let Some(value) = authorization {
            let token = value.rsplit(' ').next().unwrap();
            assert!(token.len() < 8 || !message.contains(token), "{name}: the message echoes the token");
        }
    }
}

async fn anonymous_clients_read_only_where_allowed(backend: Backend) {
    let open = spawn_app_with(backend, crate::helpers::test_auth(), true).await;
    let (status, body) = open.gql_with(None, QUERY, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body.i64("agencies.totalCount"), 0);
    let (_, body) = open
        .gql_with(None, "mutation { createAgency(input: {code: \"X\", name: \"x\", kind: OTHER, level: CENTRAL}) { agency { id } } }", json!({}))
        .await;
    body.expect_error("FORBIDDEN");
}

/// With no key configured, the service makes one and hands GraphiQL an ADMIN token for it.
async fn development_mode_prefills_an_admin_token(backend: Backend) {
    let app = spawn_app_with(backend, AuthSettings::default(), false).await;
    let page = app.get("/graphql", "text/html").await.text().await.unwrap();
    assert!(page.contains(&format!("Bearer {}", app.admin_token)), "GraphiQL starts with the development token");
    let r = app.gql("mutation { createAgency(input: {code: \"X\", name: \"x\", kind: OTHER, level: CENTRAL}) { agency { code } } }", json!({})).await;
    assert_eq!(r.str("createAgency.agency.code"), "X");
    // A token minted with any other key is refused.
    let (status, _) = app
        .gql_with(
            Some(
                &app.minter
                    .mint("x", &[api::domain::policy::Role::Admin], None, std::time::Duration::from_secs(60))
                    .unwrap(),
            ),
            QUERY,
            json!({}),
        )
        .await;
    assert_eq!(status, 401);
}

async fn request_ids_are_echoed(app: TestApp) {
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&app.admin_token)
        .header("X-Request-Id", "ministry-42")
        .json(&json!({ "query": QUERY }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "ministry-42");
}

db_tests!(request_ids_are_echoed);
backend_tests!(
    forged_and_stale_tokens_are_refused,
    anonymous_clients_read_only_where_allowed,
    development_mode_prefills_an_admin_token,
);
