//! Loading the configured keys and binding each to the one algorithm it may verify.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::path::Path;

use anyhow::{Context, anyhow, bail, ensure};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};

use super::{AuthError, AuthSettings};

/// The `kid` that names the HS256 secret explicitly (tokens without a `kid` reach it too).
pub(crate) const SECRET_KID: &str = "hs256";

/// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
pub(crate) const MIN_SECRET_BYTES: usize = 32;

const MIN_RSA_BITS: usize = 2048;
/// The RustCrypto `rsa` crate refuses larger moduli when verifying; refusing them at load time turns
/// "every token fails its signature check" into a clear startup error.
const MAX_RSA_BITS: usize = 4096;

/// The JOSE names, which are what tokens and `--jwt-algorithms` use.
const ALGORITHMS: [(&str, Algorithm); 12] = [
    ("HS256", Algorithm::HS256),
    ("HS384", Algorithm::HS384),
    ("HS512", Algorithm::HS512),
    ("RS256", Algorithm::RS256),
    ("RS384", Algorithm::RS384),
    ("RS512", Algorithm::RS512),
    ("PS256", Algorithm::PS256),
    ("PS384", Algorithm::PS384),
    ("PS512", Algorithm::PS512),
    ("ES256", Algorithm::ES256),
    ("ES384", Algorithm::ES384),
    ("EdDSA", Algorithm::EdDSA),
];

/// Looks up a token header's `alg`, which is case-sensitive (RFC 7515 §4.1.1).
pub(crate) fn algorithm_named(name: &str) -> Option<(&'static str, Algorithm)> {
    ALGORITHMS.into_iter().find(|(known, _)| *known == name)
}

/// Looks up an operator-supplied algorithm name, forgiving case.
pub(crate) fn algorithm_setting(name: &str) -> anyhow::Result<Algorithm> {
    ALGORITHMS.into_iter().find(|(known, _)| known.eq_ignore_ascii_case(name)).map(|(_, alg)| alg).ok_or_else(|| {
        let names: Vec<&str> = ALGORITHMS.iter().map(|(known, _)| *known).collect();
        anyhow!("`{name}` is not a supported JWT algorithm; the supported ones are {}", names.join(", "))
    })
}

pub(crate) fn name_of(alg: Algorithm) -> &'static str {
    ALGORITHMS.into_iter().find(|(_, known)| *known == alg).map_or("an unsupported algorithm", |(name, _)| name)
}

/// A verification key and the single algorithm it is allowed to verify.
#[derive(Clone)]
pub(crate) struct BoundKey {
    pub(crate) alg: Algorithm,
    pub(crate) key: DecodingKey,
    /// Where the key came from, for operator-facing messages; never shown to clients.
    label: String,
}

/// The configured keys, found by the token header's `kid`.
#[derive(Clone, Default)]
pub(crate) struct KeyRing {
    keys: Vec<BoundKey>,
    /// The key for tokens without a `kid`.
    default: Option<usize>,
    by_kid: HashMap<String, usize>,
}

impl KeyRing {
    pub(crate) fn with_secret(secret: &[u8]) -> KeyRing {
        let mut ring = KeyRing::default();
        ring.keys.push(BoundKey {
            alg: Algorithm::HS256,
            key: DecodingKey::from_secret(secret),
            label: "the HS256 secret".to_owned(),
        });
        ring.default = Some(0);
        ring.by_kid.insert(SECRET_KID.to_owned(), 0);
        ring
    }

    pub(crate) fn lookup(&self, kid: Option<&str>) -> Result<&BoundKey, AuthError> {
        let index = match kid {
            None => self.default.ok_or(AuthError::NoKeyId)?,
            Some(kid) => *self.by_kid.get(kid).ok_or(AuthError::UnknownKey)?,
        };
        self.keys.get(index).ok_or(AuthError::UnknownKey)
    }

    pub(crate) fn algorithms(&self) -> Vec<Algorithm> {
        let mut algorithms: Vec<Algorithm> = Vec::new();
        for key in &self.keys {
            if !algorithms.contains(&key.alg) {
                algorithms.push(key.alg);
            }
        }
        algorithms
    }

    fn add(&mut self, kid: Option<&str>, key: BoundKey) -> anyhow::Result<()> {
        let index = self.keys.len();
        match kid {
            Some(SECRET_KID) => {
                bail!("{}: the kid `{SECRET_KID}` is reserved for the HS256 secret; choose another kid", key.label)
            }
            Some(kid) => {
                if let Some(&other) = self.by_kid.get(kid) {
                    bail!(
                        "{} and {} have the same kid `{kid}`; a kid must name one key",
                        self.keys[other].label,
                        key.label
                    );
                }
                self.by_kid.insert(kid.to_owned(), index);
            }
            None => {
                if let Some(other) = self.default {
                    let other = &self.keys[other];
                    if other.alg == Algorithm::HS256 {
                        bail!(
                            "{} has no kid, so it would verify the same tokens as the HS256 secret (those without a \
                             kid); give it one with KID=PATH",
                            key.label
                        );
                    }
                    bail!(
                        "{} and {} both have no kid; only one public key may verify tokens without a kid, give the \
                         other one with KID=PATH",
                        other.label,
                        key.label
                    );
                }
                self.default = Some(index);
            }
        }
        self.keys.push(key);
        Ok(())
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kids: Vec<(&String, &usize)> = self.by_kid.iter().collect();
        kids.sort();
        let mut list = f.debug_list();
        if let Some(index) = self.default
            && let Some(key) = self.keys.get(index)
        {
            list.entry(&format_args!("(no kid) → {} ({})", name_of(key.alg), key.label));
        }
        for (kid, &index) in kids {
            if let Some(key) = self.keys.get(index) {
                list.entry(&format_args!("{kid} → {} ({})", name_of(key.alg), key.label));
            }
        }
        list.finish()
    }
}

/// Loads every configured key; `None` when no key is configured at all.
pub(crate) fn load(s: &AuthSettings) -> anyhow::Result<Option<KeyRing>> {
    let secret = load_secret(s)?;
    let specs: Vec<&str> = s.jwt_public_keys.iter().map(|spec| spec.trim()).filter(|spec| !spec.is_empty()).collect();
    if secret.is_none() && specs.is_empty() && s.jwt_jwks_file.is_none() {
        return Ok(None);
    }

    let mut ring = match secret {
        Some(secret) => KeyRing::with_secret(&secret),
        None => KeyRing::default(),
    };
    for spec in specs {
        let (kid, path) = match spec.split_once('=') {
            Some((kid, path)) => (Some(kid.trim()), Path::new(path.trim())),
            None => (None, Path::new(spec)),
        };
        ensure!(kid != Some(""), "--jwt-public-key `{spec}`: the KID before `=` is empty");
        ensure!(!path.as_os_str().is_empty(), "--jwt-public-key `{spec}`: the PATH is empty");
        let label = match kid {
            Some(kid) => format!("public key {kid} ({})", path.display()),
            None => format!("public key {}", path.display()),
        };
        let (alg, key) = load_pem(path).with_context(|| label.clone())?;
        ring.add(kid, BoundKey { alg, key, label })?;
    }
    if let Some(path) = &s.jwt_jwks_file {
        let text = fs::read_to_string(path).with_context(|| format!("cannot read the JWKS file {}", path.display()))?;
        for (kid, alg, key) in parse_jwks(&text).with_context(|| format!("JWKS file {}", path.display()))? {
            let label = format!("JWKS key {kid} ({})", path.display());
            ring.add(Some(&kid), BoundKey { alg, key, label })?;
        }
    }
    Ok(Some(ring))
}

/// The HS256 secret, from the setting or its file; `None` when neither is given.
pub(crate) fn load_secret(s: &AuthSettings) -> anyhow::Result<Option<Vec<u8>>> {
    let secret = match (&s.jwt_secret, &s.jwt_secret_file) {
        (Some(_), Some(_)) => bail!("give the HS256 secret with --jwt-secret or with --jwt-secret-file, not both"),
        (Some(secret), None) => secret.as_bytes().to_vec(),
        (None, Some(path)) => {
            let mut secret =
                fs::read(path).with_context(|| format!("cannot read the HS256 secret file {}", path.display()))?;
            // Editors and `echo` end files with a newline that is not meant to be part of the secret.
            while secret.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                secret.pop();
            }
            secret
        }
        (None, None) => return Ok(None),
    };
    ensure!(
        secret.len() >= MIN_SECRET_BYTES,
        "the HS256 secret is {} bytes long; it must be at least {MIN_SECRET_BYTES} (try `openssl rand -base64 48`)",
        secret.len()
    );
    // A public key used as the HMAC secret is the algorithm-confusion attack made permanent: anyone
    // holding the public key could mint tokens.
    ensure!(
        !secret.starts_with(b"-----BEGIN"),
        "the HS256 secret is a PEM document; a public key must be given with --jwt-public-key, never as a secret"
    );
    Ok(Some(secret))
}

/// Reads a PEM public key and binds it to the algorithm its type implies.
fn load_pem(path: &Path) -> anyhow::Result<(Algorithm, DecodingKey)> {
    let pem = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    match pem_label(&pem) {
        Some("PUBLIC KEY" | "RSA PUBLIC KEY") => {}
        Some(label) if label.contains("PRIVATE") => {
            bail!("the file holds a private key; configure its public half (`openssl pkey -in KEY -pubout`)")
        }
        Some("CERTIFICATE") => {
            bail!("the file holds a certificate; configure its public key (`openssl x509 -in CERT -pubkey -noout`)")
        }
        _ => bail!("the file is not a PEM public key"),
    }

    let (alg, key) = if let Ok(key) = DecodingKey::from_rsa_pem(&pem) {
        (Algorithm::RS256, key)
    } else if let Ok(key) = DecodingKey::from_ec_pem(&pem) {
        // The uncompressed point's length tells the curve: 1 + 2 × 32 bytes for P-256, 1 + 2 × 48 for P-384.
        let alg = match key.try_get_as_bytes().map(<[u8]>::len) {
            Ok(65) => Algorithm::ES256,
            Ok(97) => Algorithm::ES384,
            _ => bail!("the EC key is not on P-256 or P-384, the supported curves"),
        };
        (alg, key)
    } else if let Ok(key) = DecodingKey::from_ed_pem(&pem) {
        (Algorithm::EdDSA, key)
    } else {
        bail!("the file is not an RSA, EC (P-256, P-384) or Ed25519 public key");
    };
    check_usable(&key, alg)?;
    Ok((alg, key))
}

fn pem_label(pem: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(pem).ok()?;
    text.lines().find_map(|line| line.trim().strip_prefix("-----BEGIN ")?.strip_suffix("-----"))
}

/// Parses a JWKS document into `(kid, algorithm, key)`. Keys meant only for encryption are skipped, since
/// identity providers publish them alongside signing keys; every other key must be usable, or loading fails.
pub(crate) fn parse_jwks(text: &str) -> anyhow::Result<Vec<(String, Algorithm, DecodingKey)>> {
    let set: JwkSet = serde_json::from_str(text).context("not a JWKS document (`{\"keys\": [...]}`)")?;
    let mut keys = Vec::new();
    for (position, jwk) in set.keys.iter().enumerate() {
        if !is_for_signatures(jwk) {
            continue;
        }
        let kid = jwk.common.key_id.as_deref().filter(|kid| !kid.is_empty()).ok_or_else(|| {
            anyhow!("key #{} has no `kid`; every key needs one, since tokens choose their key by kid", position + 1)
        })?;
        let alg = jwk_algorithm(jwk).with_context(|| format!("key {kid}"))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| anyhow!("key {kid}: invalid key material: {e}"))?;
        check_usable(&key, alg).with_context(|| format!("key {kid}"))?;
        keys.push((kid.to_owned(), alg, key));
    }
    ensure!(!keys.is_empty(), "the JWKS document holds no signing key");
    Ok(keys)
}

fn is_for_signatures(jwk: &Jwk) -> bool {
    let encryption_use = matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption));
    let encryption_alg = matches!(
        jwk.common.key_algorithm,
        Some(KeyAlgorithm::RSA1_5 | KeyAlgorithm::RSA_OAEP | KeyAlgorithm::RSA_OAEP_256)
    );
    let cannot_verify = jwk.common.key_operations.as_ref().is_some_and(|ops| !ops.contains(&KeyOperations::Verify));
    !(encryption_use || encryption_alg || cannot_verify)
}

/// The key's `alg` when it declares one (and it fits the key), else the usual algorithm for its type.
fn jwk_algorithm(jwk: &Jwk) -> anyhow::Result<Algorithm> {
    let inferred = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(params) => match params.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            _ => bail!("the EC key is not on P-256 or P-384, the supported curves"),
        },
        AlgorithmParameters::OctetKeyPair(params) => match params.curve {
            EllipticCurve::Ed25519 => Algorithm::EdDSA,
            _ => bail!("the OKP key is not an Ed25519 key, the one supported curve"),
        },
        // A JWKS is published, so a symmetric key in it would let anyone mint tokens.
        AlgorithmParameters::OctetKey(_) => {
            bail!("symmetric (`oct`) keys are refused in a JWKS file; give an HS256 secret with --jwt-secret")
        }
        _ => bail!("the key type is not supported (RSA, EC and OKP are)"),
    };
    let Some(declared) = jwk.common.key_algorithm else {
        return Ok(inferred);
    };
    let alg = Algorithm::try_from(declared).map_err(|_| anyhow!("the key declares an unsupported algorithm"))?;
    // An RSA key can serve any RS*/PS* algorithm, but an EC key's curve fixes its algorithm.
    let fits = match inferred.family() {
        AlgorithmFamily::Rsa => alg.family() == AlgorithmFamily::Rsa,
        _ => alg == inferred,
    };
    ensure!(fits, "the key declares {} but is a key for {}", name_of(alg), name_of(inferred));
    Ok(alg)
}

/// Catches keys that parse but cannot verify, so they fail at startup rather than on every request.
fn check_usable(key: &DecodingKey, alg: Algorithm) -> anyhow::Result<()> {
    // Builds the verifier (which decodes EC and Ed points) and checks an empty signature.
    jsonwebtoken::crypto::verify("", b"", key, alg)
        .map_err(|e| anyhow!("the key cannot verify {}: {e}", name_of(alg)))?;
    if alg.family() == AlgorithmFamily::Rsa {
        // RSA keys are decoded lazily, per token; converting to a JWK decodes the DER now.
        let jwk = Jwk::from_decoding_key(key, Some(alg)).map_err(|e| anyhow!("invalid RSA key: {e}"))?;
        let AlgorithmParameters::RSA(params) = &jwk.algorithm else {
            bail!("invalid RSA key");
        };
        let modulus = URL_SAFE_NO_PAD.decode(&params.n).context("invalid RSA modulus")?;
        let bits = bit_length(&modulus);
        ensure!(
            (MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits),
            "the RSA key has {bits} bits; {MIN_RSA_BITS} to {MAX_RSA_BITS} are supported"
        );
    }
    Ok(())
}

fn bit_length(big_endian: &[u8]) -> usize {
    match big_endian.iter().position(|&b| b != 0) {
        Some(first) => (big_endian.len() - first) * 8 - big_endian[first].leading_zeros() as usize,
        None => 0,
    }
}
