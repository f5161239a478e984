//! Verifying tokens against the configured keys, and minting HS256 tokens.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail, ensure};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::keys::{self, KeyRing};
use super::verified::{Verified, Window};
use super::{AuthError, AuthSettings, Identity, Role};

const DEFAULT_LEEWAY_SECONDS: u64 = 30;
/// More leeway than this stops meaning clock skew and starts extending every token's life.
const MAX_LEEWAY_SECONDS: u64 = 600;
/// Far above any real token; refusing early bounds the work an anonymous request can cause.
const MAX_TOKEN_BYTES: usize = 16 * 1024;
const DEVELOPMENT_SECRET_BYTES: usize = 32;

/// Checks tokens: signature, algorithm, time window, issuer, audience and the claims this service needs.
#[derive(Clone)]
pub struct Verifier {
    keys: KeyRing,
    /// One entry per accepted algorithm; an algorithm without an entry is refused.
    validations: HashMap<Algorithm, Validation>,
    verified: Verified,
}

impl Verifier {
    /// `Ok(None)` when no key at all is configured (development mode is then the caller's choice).
    pub fn from_settings(s: &AuthSettings) -> anyhow::Result<Option<Verifier>> {
        let Some(keys) = keys::load(s)? else {
            return Ok(None);
        };
        let accepted = accepted_algorithms(&s.jwt_algorithms, &keys)?;
        let leeway = s.jwt_leeway.unwrap_or(DEFAULT_LEEWAY_SECONDS);
        ensure!(
            leeway <= MAX_LEEWAY_SECONDS,
            "--jwt-leeway {leeway} is too generous; at most {MAX_LEEWAY_SECONDS} seconds are allowed"
        );
        let issuer = non_empty(s.jwt_issuer.as_deref());
        let audience = non_empty(s.jwt_audience.as_deref());
        Ok(Some(Verifier::new(keys, &accepted, issuer, audience, leeway)))
    }

    /// A verifier for a fresh random HS256 secret, and the minter for that same secret (development mode).
    ///
    /// # Panics
    ///
    /// When the operating system cannot supply random bytes: there is no safe fallback for a secret.
    pub fn development(issuer: Option<String>, audience: Option<String>) -> (Verifier, Minter) {
        let mut secret = [0u8; DEVELOPMENT_SECRET_BYTES];
        if let Err(e) = getrandom::fill(&mut secret) {
            panic!("the operating system's random number generator failed ({e}); cannot make a development secret");
        }
        let issuer = non_empty(issuer.as_deref());
        let audience = non_empty(audience.as_deref());
        let verifier =
            Verifier::new(KeyRing::with_secret(&secret), &[Algorithm::HS256], issuer, audience, DEFAULT_LEEWAY_SECONDS);
        let minter = Minter {
            key: EncodingKey::from_secret(&secret),
            issuer: issuer.map(str::to_owned),
            audience: audience.map(str::to_owned),
        };
        (verifier, minter)
    }

    fn new(
        keys: KeyRing,
        accepted: &[Algorithm],
        issuer: Option<&str>,
        audience: Option<&str>,
        leeway: u64,
    ) -> Verifier {
        let validations = accepted.iter().map(|&alg| (alg, validation(alg, issuer, audience, leeway))).collect();
        Verifier { keys, validations, verified: Verified::new(leeway) }
    }

    pub fn verify(&self, token: &str) -> Result<Identity, AuthError> {
        self.verify_at(token, jsonwebtoken::get_current_timestamp())
    }

    /// `verify`, where a token verified before is judged at `now` (seconds since the epoch) without
    /// checking its signature again; a token seen for the first time is checked in full, on the
    /// system clock.
    pub(super) fn verify_at(&self, token: &str, now: u64) -> Result<Identity, AuthError> {
        if let Some(remembered) = self.verified.recall(token, now) {
            return remembered;
        }
        let (identity, window) = self.check(token)?;
        if let Some(window) = window {
            self.verified.keep(token, &identity, window);
        }
        Ok(identity)
    }

    /// Every check of a token, and the window it is good for when its claims state it plainly.
    fn check(&self, token: &str) -> Result<(Identity, Option<Window>), AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::Malformed);
        }
        let header = peek_header(token)?;
        let Some((name, alg)) = keys::algorithm_named(&header.alg) else {
            return Err(if header.alg.eq_ignore_ascii_case("none") {
                AuthError::Unsigned
            } else {
                AuthError::UnsupportedAlgorithm
            });
        };
        // RFC 7515 §4.1.11: a recipient that does not understand a listed extension must refuse the token.
        if header.crit.is_some() {
            return Err(AuthError::CriticalExtension);
        }
        let validation = self.validations.get(&alg).ok_or(AuthError::AlgorithmNotAccepted(name))?;
        let key = self.keys.lookup(header.kid.as_deref())?;
        // The key decides the algorithm; the header only has to agree with it.
        if key.alg != alg {
            return Err(AuthError::AlgorithmMismatch(name));
        }
        let data = jsonwebtoken::decode::<RawClaims>(token, &key.key, validation).map_err(|e| auth_error(&e))?;
        let window = data.claims.window();
        Ok((data.claims.into_identity()?, window))
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut accepted: Vec<&str> = self.validations.keys().map(|&alg| keys::name_of(alg)).collect();
        accepted.sort_unstable();
        f.debug_struct("Verifier").field("keys", &self.keys).field("accepted", &accepted).finish()
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

fn accepted_algorithms(names: &[String], keys: &KeyRing) -> anyhow::Result<Vec<Algorithm>> {
    let configured = keys.algorithms();
    let names: Vec<&str> = names.iter().map(|name| name.trim()).filter(|name| !name.is_empty()).collect();
    if names.is_empty() {
        return Ok(configured);
    }
    let mut accepted = Vec::new();
    for name in names {
        let alg = keys::algorithm_setting(name).context("--jwt-algorithms")?;
        // Most likely a typo; an accepted algorithm without a key would only ever refuse tokens.
        ensure!(
            configured.contains(&alg),
            "--jwt-algorithms names {}, but no configured key is bound to it",
            keys::name_of(alg)
        );
        if !accepted.contains(&alg) {
            accepted.push(alg);
        }
    }
    Ok(accepted)
}

fn validation(alg: Algorithm, issuer: Option<&str>, audience: Option<&str>, leeway: u64) -> Validation {
    let mut validation = Validation::new(alg);
    validation.leeway = leeway;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    let mut required = vec!["exp"];
    if let Some(issuer) = issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    match audience {
        Some(audience) => {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        // jsonwebtoken refuses any token with an `aud` when none is configured; without a configured
        // audience this service does not check it, as documented on the setting.
        None => validation.validate_aud = false,
    }
    validation.set_required_spec_claims(&required);
    validation
}

/// The header fields needed to pick the key, read before any verification (they decide nothing alone).
#[derive(Deserialize)]
struct PeekedHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<Value>,
}

fn peek_header(token: &str) -> Result<PeekedHeader, AuthError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(AuthError::Malformed);
    };
    let json = URL_SAFE_NO_PAD.decode(header).map_err(|_| AuthError::Malformed)?;
    serde_json::from_slice(&json).map_err(|_| AuthError::Malformed)
}

fn auth_error(e: &jsonwebtoken::errors::Error) -> AuthError {
    match e.kind() {
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidIssuer => AuthError::IssuerNotAccepted,
        ErrorKind::InvalidAudience => AuthError::AudienceNotAccepted,
        ErrorKind::InvalidSubject => AuthError::InvalidClaim("sub"),
        ErrorKind::MissingRequiredClaim(claim) => {
            registered_claim(claim).map_or(AuthError::Malformed, AuthError::MissingClaim)
        }
        ErrorKind::InvalidClaimFormat(claim) => {
            registered_claim(claim).map_or(AuthError::Malformed, AuthError::InvalidClaim)
        }
        ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
            AuthError::Malformed
        }
        // The key and algorithm were matched before decoding, so these mean a key that loaded but cannot verify.
        ErrorKind::InvalidAlgorithm
        | ErrorKind::MissingAlgorithm
        | ErrorKind::UnsupportedAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::InvalidKeyFormat
        | ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidEddsaKey
        | ErrorKind::InvalidRsaKey(_)
        | ErrorKind::RsaFailedSigning
        | ErrorKind::Signing(_)
        | ErrorKind::Provider(_) => AuthError::KeyUnusable,
        // A kind added in a later jsonwebtoken: still a refusal.
        _ => AuthError::Malformed,
    }
}

/// Maps jsonwebtoken's claim names (owned strings) onto the static names `AuthError` carries.
fn registered_claim(claim: &str) -> Option<&'static str> {
    ["exp", "nbf", "iss", "aud", "sub"].into_iter().find(|known| *known == claim)
}

/// The claims this service reads. They are taken as raw JSON so that a wrong type gets its own message
/// rather than failing the whole payload.
#[derive(Deserialize)]
struct RawClaims {
    #[serde(default)]
    sub: Option<Value>,
    #[serde(default)]
    agency: Option<Value>,
    #[serde(default)]
    roles: Option<Value>,
    #[serde(default)]
    exp: Option<Value>,
    #[serde(default)]
    nbf: Option<Value>,
}

impl RawClaims {
    /// The window of a token that passed validation, when `exp` and any `nbf` are whole seconds; a
    /// token whose times are written otherwise is not remembered, and so is checked at every use.
    fn window(&self) -> Option<Window> {
        let expires = self.exp.as_ref()?.as_u64()?;
        let not_before = match &self.nbf {
            None => None,
            Some(nbf) => Some(nbf.as_u64()?),
        };
        Some(Window { expires, not_before })
    }

    fn into_identity(self) -> Result<Identity, AuthError> {
        let sub = match self.sub {
            None => return Err(AuthError::MissingClaim("sub")),
            Some(Value::String(sub)) if !sub.trim().is_empty() => sub,
            Some(_) => return Err(AuthError::InvalidClaim("sub")),
        };
        let agency = match self.agency {
            None => None,
            Some(Value::String(agency)) if !agency.trim().is_empty() => Some(agency),
            Some(_) => return Err(AuthError::InvalidClaim("agency")),
        };
        let Some(roles) = self.roles else {
            return Err(AuthError::MissingClaim("roles"));
        };
        let Value::Array(names) = roles else {
            return Err(AuthError::InvalidClaim("roles"));
        };
        if names.is_empty() {
            return Err(AuthError::NoRoles);
        }
        let mut roles = Vec::with_capacity(names.len());
        for name in names {
            let Value::String(name) = name else {
                return Err(AuthError::InvalidClaim("roles"));
            };
            let role: Role = name.parse().map_err(|_| AuthError::UnknownRole(printable(&name)))?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        Ok(Identity { sub, agency, roles })
    }
}

/// A short, inert rendering of a claim value for an error message (no control characters or markup).
fn printable(value: &str) -> String {
    const LIMIT: usize = 32;
    let mut shown: String = value
        .chars()
        .take(LIMIT)
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' { c } else { '?' })
        .collect();
    if value.chars().count() > LIMIT {
        shown.push('…');
    }
    shown
}

/// Mints HS256 tokens (for `directives token issue`, development mode, and tests).
#[derive(Clone)]
pub struct Minter {
    key: EncodingKey,
    issuer: Option<String>,
    audience: Option<String>,
}

#[derive(Serialize)]
struct MintedClaims<'a> {
    sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    agency: Option<&'a str>,
    roles: &'a [Role],
    iat: u64,
    nbf: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

impl Minter {
    /// Needs an HS256 secret in the settings; error otherwise.
    pub fn from_settings(s: &AuthSettings) -> anyhow::Result<Minter> {
        let Some(secret) = keys::load_secret(s)? else {
            bail!("minting a token needs the HS256 secret: give --jwt-secret or --jwt-secret-file");
        };
        Ok(Minter {
            key: EncodingKey::from_secret(&secret),
            issuer: non_empty(s.jwt_issuer.as_deref()).map(str::to_owned),
            audience: non_empty(s.jwt_audience.as_deref()).map(str::to_owned),
        })
    }

    /// The token carries no `kid`, which the verifier resolves to the HS256 secret.
    pub fn mint(&self, sub: &str, roles: &[Role], agency: Option<&str>, ttl: Duration) -> anyhow::Result<String> {
        // Refuse what the verifier would refuse, so a minted token is never dead on arrival.
        ensure!(!sub.trim().is_empty(), "a token needs a subject (sub)");
        ensure!(!roles.is_empty(), "a token needs at least one role");
        ensure!(agency.is_none_or(|agency| !agency.trim().is_empty()), "the agency, when given, must not be empty");
        ensure!(ttl.as_secs() > 0, "a token must live for at least one second");
        let iat =
            SystemTime::now().duration_since(UNIX_EPOCH).context("the system clock is set before 1970")?.as_secs();
        let exp = iat.checked_add(ttl.as_secs()).context("the token's lifetime is too long")?;
        let claims = MintedClaims {
            sub,
            agency,
            roles,
            iat,
            nbf: iat,
            exp,
            iss: self.issuer.as_deref(),
            aud: self.audience.as_deref(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.key).context("cannot sign the token")
    }
}

impl fmt::Debug for Minter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Minter")
            .field("key", &"[redacted HS256 secret]")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}
