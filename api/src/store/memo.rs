//! Answers remembered until the next commit. Every write appends to the change feed in its own
//! transaction, numbered in commit order, so an answer computed after reading feed sequence `s` is
//! still true for any reader who reads `s` again: nothing has been committed since, by this
//! instance or any other. The memo holds the answers of one sequence only; a newer one empties it.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;

use uuid::Uuid;

use super::Store;
use super::lineage::{Lineage, LineageSpec};
use super::page::Page;
use super::rollups::{RollupOf, RollupValue};
use super::search::{Hits, SearchKind};
use crate::error::Result;

/// The answers that a serving process remembers, shared by its requests: over a national
/// dataset each costs a walk of thousands of documents, a scan of a hundred thousand tasks or the
/// ranking of thousands of search matches, and they are asked far more often than anything is
/// written.
pub struct ReadMemo {
    pub rollups: Memo<RollupOf, RollupValue>,
    pub lineage: Memo<(Uuid, LineageSpec), Page<Lineage>>,
    pub search: Memo<SearchQuery, Hits>,
}

/// A page of a search, as [`Store::search`] is asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    pub text: String,
    pub kinds: Vec<SearchKind>,
    pub offset: u64,
    pub limit: u64,
}

impl ReadMemo {
    /// At most `capacity` answers of each kind; 0 remembers nothing.
    pub fn new(capacity: usize) -> Self {
        Self { rollups: Memo::new(capacity), lineage: Memo::new(capacity), search: Memo::new(capacity) }
    }
}

pub struct Memo<K, V> {
    capacity: usize,
    state: Mutex<State<K, V>>,
}

struct State<K, V> {
    sequence: i64,
    entries: HashMap<K, V>,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    /// A memo of at most `capacity` answers; 0 remembers nothing.
    pub fn new(capacity: usize) -> Self {
        Self { capacity, state: Mutex::new(State { sequence: i64::MIN, entries: HashMap::new() }) }
    }

    pub fn is_enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The answer to `key` computed when the feed stood at `sequence`.
    pub fn get(&self, sequence: i64, key: &K) -> Option<V> {
        let state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        (state.sequence == sequence).then(|| state.entries.get(key).cloned()).flatten()
    }

    /// Remembers the answer to `key`, computed after the feed was read at `sequence`. An answer
    /// older than what the memo holds is dropped; a full memo takes nothing more until the next commit.
    pub fn put(&self, sequence: i64, key: K, value: V) {
        if !self.is_enabled() {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if sequence > state.sequence {
            state.sequence = sequence;
            state.entries.clear();
        }
        if sequence == state.sequence && state.entries.len() < self.capacity {
            state.entries.insert(key, value);
        }
    }
}

impl Store {
    /// The answers to `keys`: from `memo` (when there is one and it is on) those computed since the
    /// last commit, the others from `compute`, given the keys it must answer, and then remembered.
    pub(super) async fn remembered<K, V, F, Fut>(
        &self,
        memo: Option<&Memo<K, V>>,
        keys: Vec<K>,
        compute: F,
    ) -> Result<HashMap<K, V>>
    where
        K: Hash + Eq + Clone,
        V: Clone,
        F: FnOnce(Vec<K>) -> Fut,
        Fut: Future<Output = Result<HashMap<K, V>>>,
    {
        let Some(memo) = memo.filter(|m| m.is_enabled()) else {
            return compute(keys).await;
        };
        // Read before computing: an answer may then be newer than its sequence, never older.
        let sequence = self.last_sequence().await?;
        let mut out = HashMap::new();
        let mut missing = Vec::new();
        for key in keys {
            match memo.get(sequence, &key) {
                Some(value) => {
                    out.insert(key, value);
                }
                None => missing.push(key),
            }
        }
        if !missing.is_empty() {
            for (key, value) in compute(missing).await? {
                memo.put(sequence, key.clone(), value.clone());
                out.insert(key, value);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn an_answer_lasts_until_the_next_commit() {
        let memo = Memo::new(2);
        memo.put(7, "a", 1);
        assert_eq!(memo.get(7, &"a"), Some(1));
        assert_eq!(memo.get(8, &"a"), None, "a commit since makes it stale");
        memo.put(8, "b", 2);
        assert_eq!(memo.get(8, &"a"), None, "a newer sequence empties the memo");
        assert_eq!(memo.get(8, &"b"), Some(2));
        memo.put(7, "a", 1);
        assert_eq!(memo.get(7, &"a"), None, "an answer older than the memo is not kept");
    }

    #[test]
    fn it_holds_no_more_than_its_capacity() {
        let memo = Memo::new(2);
        for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
            memo.put(1, key, i);
        }
        assert_eq!((memo.get(1, &"a"), memo.get(1, &"b"), memo.get(1, &"c")), (Some(0), Some(1), None));
        let off = Memo::new(0);
        off.put(1, "a", 1);
        assert_eq!(off.get(1, &"a"), None);
        assert!(!off.is_enabled());
    }
}
