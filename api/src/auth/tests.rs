use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Parser;
use jsonwebtoken::jwk::{AlgorithmParameters, CommonParameters, Jwk, OctetKeyParameters, OctetKeyType};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use serde_json::{Value, json};

use super::keys::parse_jwks;
use super::*;

macro_rules! fixture {
    ($name:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/jwt/", $name)
    };
}

const SECRET: &str = "test-only-hs256-secret-for-the-attack-table";
/// The content of `hs256-secret.txt`, without its trailing newline.
const FILE_SECRET: &str = "test-only-hs256-secret-0123456789abcdefghij";
const ISSUER: &str = "https://issuer.test";
const AUDIENCE: &str = "directives-api";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read fixture {path}: {e}"))
}

fn settings() -> AuthSettings {
    AuthSettings {
        jwt_secret: Some(SECRET.to_owned()),
        jwt_public_keys: vec![format!("rsa-1={}", fixture!("rsa-public.pem"))],
        jwt_jwks_file: Some(PathBuf::from(fixture!("ec-jwks.json"))),
        jwt_issuer: Some(ISSUER.to_owned()),
        jwt_audience: Some(AUDIENCE.to_owned()),
        ..AuthSettings::default()
    }
}

fn verifier_for(s: &AuthSettings) -> Verifier {
    match Verifier::from_settings(s) {
        Ok(Some(verifier)) => verifier,
        Ok(None) => panic!("no key configured"),
        Err(e) => panic!("the settings do not load: {e:#}"),
    }
}

fn load_error(s: &AuthSettings) -> String {
    match Verifier::from_settings(s) {
        Ok(_) => panic!("the settings loaded, but should have been refused"),
        Err(e) => format!("{e:#}"),
    }
}

fn now() -> i64 {
    i64::try_from(get_current_timestamp()).expect("a sane clock")
}

fn claims() -> Value {
    let now = now();
    json!({
        "sub": "alice",
        "agency": "MOF",
        "roles": ["EDITOR", "READER"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "extra": {"ignored": true},
    })
}

/// `claims()` with fields replaced; a `null` removes the field.
fn claims_with(changes: Value) -> Value {
    let mut claims = claims();
    if let (Value::Object(claims), Value::Object(changes)) = (&mut claims, changes) {
        for (name, value) in changes {
            if value.is_null() {
                claims.remove(&name);
            } else {
                claims.insert(name, value);
            }
        }
    }
    claims
}

fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).expect("the test token signs")
}

fn hs256(claims: &Value) -> String {
    sign(Algorithm::HS256, None, &EncodingKey::from_secret(SECRET.as_bytes()), claims)
}

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(&read(fixture!("rsa-private.pem"))).expect("the RSA fixture loads")
}

fn ec_key() -> EncodingKey {
    EncodingKey::from_ec_pem(&read(fixture!("ec-p256-private.pem"))).expect("the EC fixture loads")
}

fn b64(json: &Value) -> String {
    URL_SAFE_NO_PAD.encode(json.to_string())
}

/// A token with a hand-written header and no signature.
fn unsigned(header: Value) -> String {
    format!("{}.{}.", b64(&header), b64(&claims()))
}

fn tampered(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let payload = &mut parts[1];
    let middle = payload.len() / 2;
    let replacement = if &payload[middle..=middle] == "A" { "B" } else { "A" };
    payload.replace_range(middle..=middle, replacement);
    parts.join(".")
}

fn alice() -> Identity {
    Identity { sub: "alice".to_owned(), agency: Some("MOF".to_owned()), roles: vec![Role::Editor, Role::Reader] }
}

/// Against a verifier holding the HS256 secret, RSA key `rsa-1` (PEM) and EC key `ec-1` (JWKS), with issuer
/// and audience required. Prints the table (`cargo test attack_table -- --nocapture`) and reports every
/// wrong outcome at once.
#[test]
fn attack_table() {
    let verifier = verifier_for(&settings());
    let now = now();
    let rsa_public_pem = read(fixture!("rsa-public.pem"));
    let attacker_secret = EncodingKey::from_secret(b"an-attacker-chosen-secret-of-32-bytes-or-more");
    let mut embedded_jwk = Header::new(Algorithm::HS256);
    embedded_jwk.jwk = Some(Jwk {
        common: CommonParameters::default(),
        algorithm: AlgorithmParameters::OctetKey(OctetKeyParameters {
            key_type: OctetKeyType::Octet,
            value: URL_SAFE_NO_PAD.encode("an-attacker-chosen-secret-of-32-bytes-or-more"),
        }),
    });
    let valid = hs256(&claims());

    let cases: Vec<(&str, String, Result<Identity, AuthError>)> = vec![
        ("valid HS256 (no kid)", valid.clone(), Ok(alice())),
        (
            "valid HS256 (kid hs256)",
            sign(Algorithm::HS256, Some("hs256"), &EncodingKey::from_secret(SECRET.as_bytes()), &claims()),
            Ok(alice()),
        ),
        ("valid RS256 (kid rsa-1)", sign(Algorithm::RS256, Some("rsa-1"), &rsa_key(), &claims()), Ok(alice())),
        ("valid ES256 (kid ec-1, JWKS)", sign(Algorithm::ES256, Some("ec-1"), &ec_key(), &claims()), Ok(alice())),
        ("exp 10 s ago (within leeway)", hs256(&claims_with(json!({"exp": now - 10}))), Ok(alice())),
        ("alg none", unsigned(json!({"alg": "none", "typ": "JWT"})), Err(AuthError::Unsigned)),
        ("alg none, kid rsa-1", unsigned(json!({"alg": "none", "kid": "rsa-1"})), Err(AuthError::Unsigned)),
        ("alg NONE", unsigned(json!({"alg": "NONE", "typ": "JWT"})), Err(AuthError::Unsigned)),
        ("alg HS257 (made up)", unsigned(json!({"alg": "HS257"})), Err(AuthError::UnsupportedAlgorithm)),
        (
            "HS256 with the RSA public PEM as secret, kid rsa-1",
            sign(Algorithm::HS256, Some("rsa-1"), &EncodingKey::from_secret(&rsa_public_pem), &claims()),
            Err(AuthError::AlgorithmMismatch("HS256")),
        ),
        (
            "HS256 with the RSA public PEM as secret, no kid",
            sign(Algorithm::HS256, None, &EncodingKey::from_secret(&rsa_public_pem), &claims()),
            Err(AuthError::BadSignature),
        ),
        (
            "ES256 token naming kid rsa-1",
            sign(Algorithm::ES256, Some("rsa-1"), &ec_key(), &claims()),
            Err(AuthError::AlgorithmMismatch("ES256")),
        ),
        (
            "RS256 token naming kid ec-1",
            sign(Algorithm::RS256, Some("ec-1"), &rsa_key(), &claims()),
            Err(AuthError::AlgorithmMismatch("RS256")),
        ),
        (
            "RS256 token naming kid hs256",
            sign(Algorithm::RS256, Some("hs256"), &rsa_key(), &claims()),
            Err(AuthError::AlgorithmMismatch("RS256")),
        ),
        (
            "RS512 with the right RSA key",
            sign(Algorithm::RS512, Some("rsa-1"), &rsa_key(), &claims()),
            Err(AuthError::AlgorithmNotAccepted("RS512")),
        ),
        ("wrong secret", sign(Algorithm::HS256, None, &attacker_secret, &claims()), Err(AuthError::BadSignature)),
        (
            "embedded jwk header with the attacker's key",
            encode(&embedded_jwk, &claims(), &attacker_secret).expect("signs"),
            Err(AuthError::BadSignature),
        ),
        ("expired 2 min ago", hs256(&claims_with(json!({"exp": now - 120}))), Err(AuthError::Expired)),
        ("nbf 2 min ahead", hs256(&claims_with(json!({"nbf": now + 120}))), Err(AuthError::NotYetValid)),
        ("wrong iss", hs256(&claims_with(json!({"iss": "https://evil.test"}))), Err(AuthError::IssuerNotAccepted)),
        ("no iss", hs256(&claims_with(json!({"iss": null}))), Err(AuthError::MissingClaim("iss"))),
        ("wrong aud", hs256(&claims_with(json!({"aud": "another-api"}))), Err(AuthError::AudienceNotAccepted)),
        ("no aud", hs256(&claims_with(json!({"aud": null}))), Err(AuthError::MissingClaim("aud"))),
        ("unknown kid", sign(Algorithm::RS256, Some("rsa-2"), &rsa_key(), &claims()), Err(AuthError::UnknownKey)),
        ("tampered payload", tampered(&valid), Err(AuthError::BadSignature)),
        (
            "header not base64",
            format!("%%%.{}", valid.split_once('.').map_or("", |(_, rest)| rest)),
            Err(AuthError::Malformed),
        ),
        (
            "header not JSON",
            format!("{}.{}", URL_SAFE_NO_PAD.encode("not json"), valid.split_once('.').map_or("", |(_, rest)| rest)),
            Err(AuthError::Malformed),
        ),
        (
            "two segments",
            valid.rsplit_once('.').map_or(String::new(), |(rest, _)| rest.to_owned()),
            Err(AuthError::Malformed),
        ),
        ("not a JWT at all", "abc".to_owned(), Err(AuthError::Malformed)),
        ("no exp", hs256(&claims_with(json!({"exp": null}))), Err(AuthError::MissingClaim("exp"))),
        ("exp not a number", hs256(&claims_with(json!({"exp": "tomorrow"}))), Err(AuthError::MissingClaim("exp"))),
        (
            "roles contain SUPERUSER",
            hs256(&claims_with(json!({"roles": ["READER", "SUPERUSER"]}))),
            Err(AuthError::UnknownRole("SUPERUSER".to_owned())),
        ),
        ("no roles", hs256(&claims_with(json!({"roles": null}))), Err(AuthError::MissingClaim("roles"))),
        ("empty roles", hs256(&claims_with(json!({"roles": []}))), Err(AuthError::NoRoles)),
        ("roles not a list", hs256(&claims_with(json!({"roles": "ADMIN"}))), Err(AuthError::InvalidClaim("roles"))),
        ("no sub", hs256(&claims_with(json!({"sub": null}))), Err(AuthError::MissingClaim("sub"))),
        ("empty sub", hs256(&claims_with(json!({"sub": ""}))), Err(AuthError::InvalidClaim("sub"))),
        (
            "crit header",
            {
                let mut header = Header::new(Algorithm::HS256);
                header.crit = Some(vec!["b64".to_owned()]);
                encode(&header, &claims(), &EncodingKey::from_secret(SECRET.as_bytes())).expect("signs")
            },
            Err(AuthError::CriticalExtension),
        ),
    ];

    let mut wrong = Vec::new();
    for (name, token, expected) in &cases {
        let outcome = verifier.verify(token);
        let shown = match &outcome {
            Ok(identity) => format!("accepted: {} {:?}", identity.sub, identity.roles),
            Err(e) => format!("refused: {e}"),
        };
        println!("{name:<52} {shown}");
        if &outcome != expected {
            wrong.push(format!("{name}: expected {expected:?}, got {outcome:?}"));
        }
        if let Err(e) = &outcome {
            let message = e.to_string();
            for segment in token.split('.').filter(|segment| segment.len() >= 8) {
                if message.contains(segment) {
                    wrong.push(format!("{name}: the message repeats part of the token"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "wrong outcomes:\n{}", wrong.join("\n"));
}

#[test]
fn bearer_header() {
    assert_eq!(bearer("Bearer abc.def.ghi"), Ok("abc.def.ghi"));
    assert_eq!(bearer("bearer abc"), Ok("abc"));
    assert_eq!(bearer("  BEARER   abc  "), Ok("abc"));
    for header in ["Token abc", "abc", "Bearer ", "Bearer", "", "Bearer a b", "Basic YWxhZGRpbjpvcGVu"] {
        assert_eq!(bearer(header), Err(AuthError::BadHeader), "{header:?}");
    }
    assert_eq!(AuthError::BadHeader.to_string(), "the Authorization header must be `Bearer <token>`");
}

#[test]
fn nothing_configured_is_none() {
    assert!(matches!(Verifier::from_settings(&AuthSettings::default()), Ok(None)));
    // Issuer and audience alone are not keys.
    let s = AuthSettings { jwt_issuer: Some(ISSUER.to_owned()), ..AuthSettings::default() };
    assert!(matches!(Verifier::from_settings(&s), Ok(None)));
}

#[test]
fn short_secret_is_refused() {
    let s = AuthSettings { jwt_secret: Some("x".repeat(31)), ..AuthSettings::default() };
    assert!(load_error(&s).contains("31 bytes long; it must be at least 32"), "{}", load_error(&s));
    assert!(Minter::from_settings(&s).is_err());
    let s = AuthSettings { jwt_secret: Some(String::new()), ..AuthSettings::default() };
    assert!(load_error(&s).contains("at least 32"));
    let s = AuthSettings { jwt_secret: Some("x".repeat(32)), ..AuthSettings::default() };
    assert!(Verifier::from_settings(&s).is_ok_and(|v| v.is_some()));
}

#[test]
fn a_pem_is_refused_as_secret() {
    let pem = String::from_utf8(read(fixture!("rsa-public.pem"))).expect("PEM is text");
    let s = AuthSettings { jwt_secret: Some(pem), ..AuthSettings::default() };
    assert!(load_error(&s).contains("PEM document"));
}

#[test]
fn secret_file_drops_its_trailing_newline() {
    assert!(read(fixture!("hs256-secret.txt")).ends_with(b"\n"), "the fixture must keep its newline");
    let from_file =
        AuthSettings { jwt_secret_file: Some(PathBuf::from(fixture!("hs256-secret.txt"))), ..AuthSettings::default() };
    let minter =
        Minter::from_settings(&AuthSettings { jwt_secret: Some(FILE_SECRET.to_owned()), ..AuthSettings::default() })
            .expect("minter");
    let token = minter.mint("bob", &[Role::Reader], None, Duration::from_secs(60)).expect("mints");
    let identity = verifier_for(&from_file).verify(&token).expect("the file's secret is the same secret");
    assert_eq!(identity, Identity { sub: "bob".to_owned(), agency: None, roles: vec![Role::Reader] });

    let both = AuthSettings { jwt_secret: Some(FILE_SECRET.to_owned()), ..from_file };
    assert!(load_error(&both).contains("not both"));
}

#[test]
fn jwks_key_without_kid_is_refused() {
    let s =
        AuthSettings { jwt_jwks_file: Some(PathBuf::from(fixture!("ec-jwks-no-kid.json"))), ..AuthSettings::default() };
    let error = load_error(&s);
    assert!(error.contains("has no `kid`"), "{error}");
}

fn ec_jwk(extra: Value) -> Value {
    let jwks: Value = serde_json::from_slice(&read(fixture!("ec-jwks.json"))).expect("JSON");
    let mut key = jwks["keys"][0].clone();
    if let (Value::Object(key), Value::Object(extra)) = (&mut key, extra) {
        key.extend(extra);
    }
    key
}

fn jwks_error(keys: Value) -> String {
    match parse_jwks(&json!({ "keys": keys }).to_string()) {
        Ok(_) => panic!("the JWKS loaded, but should have been refused"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn jwks_keys_are_bound_and_checked() {
    let loaded = parse_jwks(&json!({"keys": [ec_jwk(json!({}))]}).to_string()).expect("loads");
    assert_eq!(loaded.len(), 1);
    assert_eq!((loaded[0].0.as_str(), loaded[0].1), ("ec-1", Algorithm::ES256), "ES256 inferred from P-256");

    assert!(jwks_error(json!([ec_jwk(json!({"alg": "RS256"}))])).contains("declares RS256 but is a key for ES256"));
    assert!(jwks_error(json!([ec_jwk(json!({"alg": "ES384"}))])).contains("declares ES384"));
    assert!(jwks_error(json!([ec_jwk(json!({"crv": "P-384"}))])).contains("cannot verify ES384"));
    assert!(jwks_error(json!([ec_jwk(json!({"kid": ""}))])).contains("has no `kid`"));
    assert!(jwks_error(json!([{"kty": "oct", "kid": "k", "k": URL_SAFE_NO_PAD.encode(SECRET)}])).contains("symmetric"));
    assert!(jwks_error(json!([])).contains("no signing key"));
    assert!(
        jwks_error(json!([{"kty": "RSA", "kid": "weak", "n": URL_SAFE_NO_PAD.encode([0xff; 128]), "e": "AQAB"}]))
            .contains("1024 bits")
    );

    // Encryption keys are published next to signing keys; they are passed over, not refused.
    let with_enc = json!({"keys": [
        {"kty": "RSA", "use": "enc", "alg": "RSA-OAEP", "n": URL_SAFE_NO_PAD.encode([0xff; 256]), "e": "AQAB"},
        ec_jwk(json!({})),
    ]});
    assert_eq!(parse_jwks(&with_enc.to_string()).expect("loads").len(), 1);
}

#[test]
fn duplicate_and_reserved_kids_are_refused() {
    let s = AuthSettings {
        jwt_public_keys: vec![format!("ec-1={}", fixture!("ec-p256-public.pem"))],
        jwt_jwks_file: Some(PathBuf::from(fixture!("ec-jwks.json"))),
        ..AuthSettings::default()
    };
    assert!(load_error(&s).contains("same kid `ec-1`"));
    let s = AuthSettings {
        jwt_public_keys: vec![format!("hs256={}", fixture!("rsa-public.pem"))],
        ..AuthSettings::default()
    };
    assert!(load_error(&s).contains("reserved"));
}

#[test]
fn a_bare_public_key_serves_tokens_without_kid() {
    let s =
        AuthSettings { jwt_public_keys: vec![fixture!("ed25519-public.pem").to_owned()], ..AuthSettings::default() };
    let verifier = verifier_for(&s);
    let key = EncodingKey::from_ed_pem(&read(fixture!("ed25519-private.pem"))).expect("Ed25519 fixture");
    let claims = claims_with(json!({"iss": null, "aud": null}));
    assert!(verifier.verify(&sign(Algorithm::EdDSA, None, &key, &claims)).is_ok());
    assert_eq!(verifier.verify(&sign(Algorithm::EdDSA, Some("ed"), &key, &claims)), Err(AuthError::UnknownKey));
    assert_eq!(verifier.verify(&hs256(&claims)), Err(AuthError::AlgorithmNotAccepted("HS256")));

    // With the secret also configured, two keys would claim tokens without a kid.
    let s = AuthSettings { jwt_secret: Some(SECRET.to_owned()), ..s };
    assert!(load_error(&s).contains("same tokens as the HS256 secret"));
}

#[test]
fn a_token_without_kid_needs_a_default_key() {
    let s = AuthSettings {
        jwt_public_keys: vec![format!("rsa-1={}", fixture!("rsa-public.pem"))],
        ..AuthSettings::default()
    };
    let token = sign(Algorithm::RS256, None, &rsa_key(), &claims());
    assert_eq!(verifier_for(&s).verify(&token), Err(AuthError::NoKeyId));
}

#[test]
fn pem_files_are_recognised() {
    let s = AuthSettings {
        jwt_public_keys: vec![format!("p384={}", fixture!("ec-p384-public.pem"))],
        ..AuthSettings::default()
    };
    let key = EncodingKey::from_ec_pem(&read(fixture!("ec-p384-private.pem"))).expect("P-384 fixture");
    let token = sign(Algorithm::ES384, Some("p384"), &key, &claims());
    assert!(verifier_for(&s).verify(&token).is_ok(), "ES384 inferred from P-384");

    let private =
        AuthSettings { jwt_public_keys: vec![format!("k={}", fixture!("rsa-private.pem"))], ..AuthSettings::default() };
    assert!(load_error(&private).contains("private key"));
    let not_pem =
        AuthSettings { jwt_public_keys: vec![format!("k={}", fixture!("ec-jwks.json"))], ..AuthSettings::default() };
    assert!(load_error(&not_pem).contains("not a PEM public key"));
    let missing =
        AuthSettings { jwt_public_keys: vec!["k=/nonexistent/key.pem".to_owned()], ..AuthSettings::default() };
    assert!(load_error(&missing).contains("cannot read /nonexistent/key.pem"));
    let empty_kid =
        AuthSettings { jwt_public_keys: vec![format!("={}", fixture!("rsa-public.pem"))], ..AuthSettings::default() };
    assert!(load_error(&empty_kid).contains("KID before `=` is empty"));
}

#[test]
fn accepted_algorithms_restrict_the_keys() {
    let s = AuthSettings { jwt_algorithms: vec!["rs256".to_owned(), "ES256".to_owned()], ..settings() };
    let verifier = verifier_for(&s);
    assert_eq!(verifier.verify(&hs256(&claims())), Err(AuthError::AlgorithmNotAccepted("HS256")));
    assert!(verifier.verify(&sign(Algorithm::RS256, Some("rsa-1"), &rsa_key(), &claims())).is_ok());

    let no_key = AuthSettings { jwt_algorithms: vec!["RS512".to_owned()], ..settings() };
    assert!(load_error(&no_key).contains("no configured key is bound to it"));
    let none = AuthSettings { jwt_algorithms: vec!["none".to_owned()], ..settings() };
    assert!(load_error(&none).contains("`none` is not a supported JWT algorithm"));
}

#[test]
fn leeway_is_configurable_and_bounded() {
    let strict = verifier_for(&AuthSettings { jwt_leeway: Some(0), ..settings() });
    assert_eq!(strict.verify(&hs256(&claims_with(json!({"exp": now() - 10})))), Err(AuthError::Expired));
    assert!(load_error(&AuthSettings { jwt_leeway: Some(601), ..settings() }).contains("too generous"));
}

/// A token is verified once, and judged by its window at every later use: remembering it must not
/// lengthen its life, nor let anything through that would not verify.
#[test]
fn a_remembered_token_keeps_its_window() {
    let verifier = verifier_for(&settings());
    let issued = now();
    let token = hs256(&claims_with(json!({"exp": issued + 600, "nbf": issued - 5})));
    let at = |seconds: i64| u64::try_from(seconds).expect("after the epoch");
    assert_eq!(verifier.verify(&token), Ok(alice()));
    // Checked afresh, the token is good on the system clock: only a remembered one is judged at a
    // later time, by a clone as well.
    let other = verifier.clone();
    assert_eq!(other.verify_at(&token, at(issued + 700)), Err(AuthError::Expired));
    assert_eq!(verifier.verify(&token), Ok(alice()), "an expired token was forgotten, and is checked again");
    assert_eq!(verifier.verify_at(&token, at(issued + 600 + 30)), Ok(alice()), "the leeway still applies");
    assert_eq!(verifier.verify_at(&token, at(issued - 36)), Err(AuthError::NotYetValid), "a clock set back");
    assert_eq!(verifier.verify_at(&token, at(issued + 600 + 31)), Err(AuthError::Expired));
    assert_eq!(verifier.verify(&tampered(&token)), Err(AuthError::BadSignature));

    let strict = verifier_for(&AuthSettings { jwt_leeway: Some(0), ..settings() });
    assert_eq!(strict.verify(&token), Ok(alice()));
    assert_eq!(strict.verify_at(&token, at(issued + 601)), Err(AuthError::Expired));
}

#[test]
fn unconfigured_issuer_and_audience_are_not_checked() {
    let verifier = verifier_for(&AuthSettings { jwt_secret: Some(SECRET.to_owned()), ..AuthSettings::default() });
    assert!(verifier.verify(&hs256(&claims_with(json!({"iss": "anyone", "aud": ["x", "y"]})))).is_ok());
    assert!(verifier.verify(&hs256(&claims_with(json!({"iss": null, "aud": null})))).is_ok());
}

#[test]
fn development_mode_mints_what_it_verifies() {
    let (verifier, minter) = Verifier::development(Some(ISSUER.to_owned()), None);
    let token = minter.mint("dev", &[Role::Admin, Role::Admin], Some("MOF"), Duration::from_secs(60)).expect("mints");
    assert_eq!(
        verifier.verify(&token),
        Ok(Identity { sub: "dev".to_owned(), agency: Some("MOF".to_owned()), roles: vec![Role::Admin] })
    );
    let header = jsonwebtoken::decode_header(&token).expect("header");
    assert_eq!((header.alg, header.kid), (Algorithm::HS256, None));

    // Each development verifier has its own secret.
    let (other, _) = Verifier::development(Some(ISSUER.to_owned()), None);
    assert_eq!(other.verify(&token), Err(AuthError::BadSignature));
    let payload = token.split('.').nth(1).expect("payload");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("JSON");
    assert_eq!(claims["iss"], ISSUER);
    assert!(claims.get("aud").is_none());
}

#[test]
fn minted_tokens_carry_the_configured_claims() {
    let minter = Minter::from_settings(&settings()).expect("minter");
    let token = minter.mint("carol", &[Role::Reporter], None, Duration::from_secs(90)).expect("mints");
    let payload = token.split('.').nth(1).expect("payload");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("JSON");
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["roles"], json!(["REPORTER"]));
    assert_eq!(claims["nbf"], claims["iat"]);
    assert_eq!(claims["exp"].as_u64().zip(claims["iat"].as_u64()).map(|(exp, iat)| exp - iat), Some(90));
    assert!(claims.get("agency").is_none());
    assert!(verifier_for(&settings()).verify(&token).is_ok());

    assert!(minter.mint("carol", &[], None, Duration::from_secs(90)).is_err());
    assert!(minter.mint(" ", &[Role::Reader], None, Duration::from_secs(90)).is_err());
    assert!(minter.mint("carol", &[Role::Reader], None, Duration::from_millis(500)).is_err());

    let public_only = AuthSettings { jwt_secret: None, ..settings() };
    let error = Minter::from_settings(&public_only).map(|_| ()).expect_err("no secret");
    assert!(error.to_string().contains("needs the HS256 secret"));
}

#[test]
fn roles_parse_case_insensitively() {
    assert_eq!("admin".parse::<Role>(), Ok(Role::Admin));
    assert_eq!("Reporter".parse::<Role>(), Ok(Role::Reporter));
    assert_eq!("READER".parse::<Role>(), Ok(Role::Reader));
    assert!("root".parse::<Role>().is_err());
    assert_eq!(Role::ALL.map(Role::as_str), ["ADMIN", "EDITOR", "REPORTER", "READER"]);
    assert_eq!(serde_json::to_value(Role::Editor).ok(), Some(json!("EDITOR")));
}

#[test]
fn ttl_strings() {
    assert_eq!(parse_ttl("90s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_ttl("15m"), Ok(Duration::from_secs(15 * 60)));
    assert_eq!(parse_ttl("1h"), Ok(Duration::from_secs(3600)));
    assert_eq!(parse_ttl(" 7d "), Ok(Duration::from_secs(7 * 86_400)));
    for bad in ["", "s", "10", "1.5h", "-1h", "+1h", "5w", "1 h", "1H", "10é", "0s"] {
        assert!(parse_ttl(bad).is_err(), "{bad:?} should be refused");
    }
    assert!(parse_ttl("0m").is_err_and(|e| e.contains("at least one second")));
    assert!(parse_ttl("99999999999999999999d").is_err_and(|e| e.contains("too long")));
    assert!(parse_ttl("999999999999999999d").is_err_and(|e| e.contains("too long")));
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let shown = format!("{:?}", settings());
    assert!(!shown.contains(SECRET) && shown.contains("[redacted]"), "{shown}");
    let (verifier, minter) = Verifier::development(None, None);
    assert!(format!("{verifier:?}").contains("hs256 → HS256"));
    assert!(format!("{minter:?}").contains("redacted"));
    let shown = format!("{:?}", verifier_for(&settings()));
    assert!(shown.contains("rsa-1 → RS256") && shown.contains("ec-1 → ES256"), "{shown}");
}

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    auth: AuthSettings,
}

#[test]
fn command_line() {
    use clap::CommandFactory;
    Cli::command().debug_assert();
    let cli = Cli::try_parse_from([
        "directives",
        "--jwt-public-key",
        "a=a.pem,b=b.pem",
        "--jwt-public-key",
        "c.pem",
        "--jwt-algorithms",
        "RS256,ES256",
        "--jwt-leeway",
        "5",
    ])
    .expect("parses");
    assert_eq!(cli.auth.jwt_public_keys, ["a=a.pem", "b=b.pem", "c.pem"]);
    assert_eq!(cli.auth.jwt_algorithms, ["RS256", "ES256"]);
    assert_eq!(cli.auth.jwt_leeway, Some(5));
    assert!(Cli::try_parse_from(["directives", "--jwt-secret", "s", "--jwt-secret-file", "f"]).is_err());
}
