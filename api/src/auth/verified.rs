//! Tokens already verified, remembered by their text. A client sends the same token with every
//! request until it expires, and checking its signature and claims again each time was an eighth of
//! the instructions of an agency looked up by code. What a check found depends on nothing but the
//! text and the keys, which do not change while the service runs; except the time window, which is
//! checked again at every use.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;

use super::{AuthError, Identity};

/// Distinct tokens remembered: more than the systems and people calling one instance at once.
const REMEMBERED: usize = 2048;
/// Longer tokens are verified every time, so that what is remembered stays under 8 MiB.
const LONGEST: usize = 4 * 1024;

/// When a verified token may be used, in seconds since the epoch, as its `exp` and `nbf` say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub expires: u64,
    pub not_before: Option<u64>,
}

impl Window {
    /// The checks of jsonwebtoken's validation, with the same leeway.
    fn admits(self, now: u64, leeway: u64) -> Result<(), AuthError> {
        if self.expires.saturating_add(leeway) < now {
            return Err(AuthError::Expired);
        }
        if self.not_before.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
            return Err(AuthError::NotYetValid);
        }
        Ok(())
    }
}

#[derive(Clone)]
struct Entry {
    identity: Identity,
    window: Window,
}

/// Shared by every clone of a verifier.
#[derive(Clone)]
pub struct Verified {
    tokens: Arc<Mutex<LruCache<String, Entry>>>,
    leeway: u64,
}

impl Verified {
    pub fn new(leeway: u64) -> Self {
        let capacity = NonZeroUsize::new(REMEMBERED).expect("a positive capacity");
        Self { tokens: Arc::new(Mutex::new(LruCache::new(capacity))), leeway }
    }

    /// What an earlier check of `token` found, if it is remembered: its bearer, when the token is
    /// still within its window at `now`. An expired token is forgotten.
    pub fn recall(&self, token: &str, now: u64) -> Option<Result<Identity, AuthError>> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = tokens.get(token)?;
        Some(match entry.window.admits(now, self.leeway) {
            Ok(()) => Ok(entry.identity.clone()),
            Err(refused) => {
                if refused == AuthError::Expired {
                    tokens.pop(token);
                }
                Err(refused)
            }
        })
    }

    /// Remembers that `token` verified, naming `identity`, for `window`.
    pub fn keep(&self, token: &str, identity: &Identity, window: Window) {
        if token.len() > LONGEST {
            return;
        }
        let mut tokens = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        tokens.put(token.to_owned(), Entry { identity: identity.clone(), window });
    }
}
