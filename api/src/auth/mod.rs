//! JWT authentication: which keys verify which tokens, and what a verified token says about its bearer.
//!
//! # How a token finds its key
//!
//! Every configured key is bound to exactly one algorithm when it is loaded, and the token's header only
//! *names* a key, by `kid`; it never chooses how the signature is checked. A token is accepted when its
//! `alg` equals the algorithm bound to that key and is also in the accepted set (`--jwt-algorithms`, by
//! default the algorithms of the configured keys). This is what shuts out `alg: none` and the HS256/RS256
//! confusion, where a public key's PEM bytes are used as an HMAC secret.
//!
//! - The HS256 secret answers tokens with no `kid` and tokens with `kid: "hs256"`; the second form lets
//!   an issuer be explicit. `hs256` is therefore reserved and no public key may use it.
//! - A public key given as `KID=PATH`, or found in the JWKS file, answers tokens with that `kid`.
//! - A public key given as a bare `PATH` answers tokens with no `kid`, so it cannot be combined with the
//!   HS256 secret (two keys would claim the same tokens, and picking one by `alg` is exactly what the
//!   rule above forbids).
//!
//! Several keys can be configured at once, so an issuer can rotate keys without downtime: publish the
//! new `kid`, move signing to it, retire the old one once its tokens have expired.

mod keys;
mod token;
mod verified;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use token::{Minter, Verifier};

/// What a bearer may do, carried in the token's `roles` claim. The domain's access rules own the type;
/// it is re-exported here so that the two can never disagree about the role names.
pub use crate::domain::policy::Role;

fn known_roles() -> String {
    Role::ALL.map(Role::as_str).join(", ")
}

/// Verified claims of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub sub: String,
    pub agency: Option<String>,
    pub roles: Vec<Role>,
}

/// How tokens are verified (and, with an HS256 secret, minted).
///
/// With none of the key settings given, `Verifier::from_settings` returns `None` and the caller decides
/// whether that means development mode.
#[derive(Clone, Default, clap::Args)]
#[command(next_help_heading = "Authentication (JWT)")]
pub struct AuthSettings {
    /// HS256 shared secret (at least 32 bytes). Verifies tokens with no `kid` or with `kid: "hs256"`.
    #[arg(long, env = "DIRECTIVES_JWT_SECRET", value_name = "SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// File holding the HS256 secret; a trailing newline is ignored.
    #[arg(long, env = "DIRECTIVES_JWT_SECRET_FILE", value_name = "PATH", conflicts_with = "jwt_secret")]
    pub jwt_secret_file: Option<PathBuf>,

    /// Public key as `KID=PATH` (PEM; RSA → RS256, EC P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA).
    /// Repeatable or comma-separated. One key may be a bare `PATH`: it then verifies tokens with no `kid`.
    #[arg(long = "jwt-public-key", env = "DIRECTIVES_JWT_PUBLIC_KEYS", value_name = "KID=PATH", value_delimiter = ',')]
    pub jwt_public_keys: Vec<String>,

    /// JWKS file; each key needs a `kid`, and its `alg` if present binds it (else inferred from the key).
    #[arg(long, env = "DIRECTIVES_JWT_JWKS_FILE", value_name = "PATH")]
    pub jwt_jwks_file: Option<PathBuf>,

    /// Accepted algorithms, comma-separated [default: those of the configured keys].
    #[arg(long, env = "DIRECTIVES_JWT_ALGORITHMS", value_name = "ALG", value_delimiter = ',')]
    pub jwt_algorithms: Vec<String>,

    /// Required issuer (`iss`); when unset, `iss` is not checked.
    #[arg(long, env = "DIRECTIVES_JWT_ISSUER", value_name = "ISSUER")]
    pub jwt_issuer: Option<String>,

    /// Required audience (`aud`); when unset, `aud` is not checked.
    #[arg(long, env = "DIRECTIVES_JWT_AUDIENCE", value_name = "AUDIENCE")]
    pub jwt_audience: Option<String>,

    /// Clock leeway for `exp` and `nbf`, in seconds [default: 30].
    #[arg(long, env = "DIRECTIVES_JWT_LEEWAY", value_name = "SECONDS")]
    pub jwt_leeway: Option<u64>,
}

// Written by hand so that logging the settings never prints the secret.
impl fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSettings")
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "[redacted]"))
            .field("jwt_secret_file", &self.jwt_secret_file)
            .field("jwt_public_keys", &self.jwt_public_keys)
            .field("jwt_jwks_file", &self.jwt_jwks_file)
            .field("jwt_algorithms", &self.jwt_algorithms)
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("jwt_leeway", &self.jwt_leeway)
            .finish()
    }
}

/// Why a request's credentials were refused. The message is for the client: it names the check that
/// failed and never repeats the token, which is a credential and may end up in logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the Authorization header must be `Bearer <token>`")]
    BadHeader,
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is unsigned (alg none), which is never accepted")]
    Unsigned,
    #[error("the token's algorithm is not supported")]
    UnsupportedAlgorithm,
    #[error("the token's algorithm {0} is not accepted")]
    AlgorithmNotAccepted(&'static str),
    #[error("the token's algorithm {0} is not the algorithm of its key (kid)")]
    AlgorithmMismatch(&'static str),
    #[error("the token names an unknown key (kid)")]
    UnknownKey,
    #[error("the token names no key (kid), and no key is configured for such tokens")]
    NoKeyId,
    #[error("the token's header lists critical extensions (crit), which are not supported")]
    CriticalExtension,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet (nbf)")]
    NotYetValid,
    #[error("the token's issuer is not accepted")]
    IssuerNotAccepted,
    #[error("the token's audience is not accepted")]
    AudienceNotAccepted,
    #[error("the token has no {0} claim")]
    MissingClaim(&'static str),
    #[error("the token's {0} claim is not valid")]
    InvalidClaim(&'static str),
    #[error("the token's roles claim is empty")]
    NoRoles,
    /// Names the role so that a misconfigured issuer can be fixed; the token is verified by then, and
    /// the name is reduced to a short, printable form.
    #[error("the token's roles claim names an unknown role `{0}`; the roles are {roles}", roles = known_roles())]
    UnknownRole(String),
    #[error("the token's key cannot be used; the server's key configuration is at fault")]
    KeyUnusable,
}

/// Parses an `Authorization` header value: `Bearer <token>` (scheme case-insensitive).
pub fn bearer(header: &str) -> Result<&str, AuthError> {
    let (scheme, token) = header.trim().split_once(|c: char| c.is_ascii_whitespace()).ok_or(AuthError::BadHeader)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(|c: char| c.is_whitespace()) {
        return Err(AuthError::BadHeader);
    }
    Ok(token)
}

/// `ttl` strings for the CLI: `90s`, `15m`, `1h`, `7d`.
pub fn parse_ttl(s: &str) -> Result<Duration, String> {
    let ttl = crate::config::parse_duration(s)?;
    if ttl.is_zero() {
        return Err(format!("`{s}` is no time at all; a token must live for at least one second"));
    }
    Ok(ttl)
}
