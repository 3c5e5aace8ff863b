//! The pending writes of one transaction: changed accounts and whatever else it stores, committed as
//! one atomic kv batch, or dropped.

use super::RuntimeError;
use crate::Address;
use crate::Hash;
use crate::state::{Account, AccountTrie, StateParts, TrieNodeCache};
use crate::storage::kv::{KvStore, WriteBatch};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An account as read from the state, and as the transaction has changed it.
#[derive(Clone)]
struct Touched {
    original: Option<Account>,
    current: Account,
}

/// Accounts as the transaction sees them (read from the state, then changed) and its other writes.
pub struct StateUpdate {
    kv: Arc<dyn KvStore>,
    trie_cache: Arc<TrieNodeCache>,
    parts: StateParts,
    accounts: BTreeMap<Address, Touched>,
    /// The event store's new root, when the transaction stored events (their nodes are in `batch`).
    pub events_root: Option<Hash>,
    /// Non-account writes (code, metadata, pages) to commit with the accounts.
    pub batch: WriteBatch,
}

/// The accounts as a transaction saw them at one point, to go back to when a frame fails.
pub struct AccountsCheckpoint(BTreeMap<Address, Touched>);

impl StateUpdate {
    /// An empty update over the state made of `parts`.
    pub fn new(kv: Arc<dyn KvStore>, parts: StateParts, trie_cache: Arc<TrieNodeCache>) -> StateUpdate {
        StateUpdate { kv, trie_cache, parts, accounts: BTreeMap::new(), events_root: None, batch: WriteBatch::new() }
    }

    /// The account at `address` as this transaction sees it (a default one if it does not exist yet).
    pub fn account(&mut self, address: &Address) -> Result<&mut Account, RuntimeError> {
        if !self.accounts.contains_key(address) {
            let original =
                AccountTrie::open(self.kv.as_ref(), self.parts.accounts).with_cache(&self.trie_cache).get(address)?;
            let current = original.clone().unwrap_or_default();
            self.accounts.insert(*address, Touched { original, current });
        }
        self.accounts
            .get_mut(address)
            .map(|t| &mut t.current)
            .ok_or_else(|| RuntimeError::Engine("account vanished".into()))
    }

    /// The accounts as they are now.
    pub fn checkpoint(&self) -> AccountsCheckpoint {
        AccountsCheckpoint(self.accounts.clone())
    }

    /// The accounts back to what they were at `checkpoint`.
    pub fn restore(&mut self, checkpoint: AccountsCheckpoint) {
        self.accounts = checkpoint.0;
    }

    /// Drops every change made so far (accounts back to what was read, no other writes).
    pub fn discard_changes(&mut self) {
        for touched in self.accounts.values_mut() {
            touched.current = touched.original.clone().unwrap_or_default();
        }
        self.batch = WriteBatch::new();
        self.events_root = None;
    }

    /// Writes every change in one atomic batch and returns the new state. An account that ends as it
    /// was read — or absent and still empty — is not written.
    pub fn commit(self) -> Result<StateParts, RuntimeError> {
        let mut trie = AccountTrie::open(self.kv.as_ref(), self.parts.accounts).with_cache(&self.trie_cache);
        for (address, touched) in &self.accounts {
            let unchanged = match &touched.original {
                Some(original) => *original == touched.current,
                None => touched.current == Account::default(),
            };
            if !unchanged {
                trie.set(address, &touched.current)?;
            }
        }
        let mut batch = self.batch;
        let accounts = trie.commit_into(&mut batch);
        let parts = StateParts { accounts, events: self.events_root.unwrap_or(self.parts.events) };
        parts.put_into(&mut batch);
        if !batch.is_empty() {
            self.kv.write(batch)?;
        }
        Ok(parts)
    }
}
