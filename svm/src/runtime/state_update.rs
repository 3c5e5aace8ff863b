//! The pending writes of one transaction: changed accounts and whatever else it stores, committed as
//! one atomic kv batch, or dropped.

use super::RuntimeError;
use crate::Address;
use crate::state::{Account, AccountTrie, StateRoot, TrieNodeCache};
use crate::storage::kv::{KvStore, WriteBatch};
use std::collections::BTreeMap;

/// Accounts as the transaction sees them (read from the state, then changed) and its other writes.
pub struct StateUpdate<'k> {
    kv: &'k dyn KvStore,
    trie_cache: &'k TrieNodeCache,
    root: StateRoot,
    accounts: BTreeMap<Address, Account>,
    /// Non-account writes (code, layout, pages) to commit with the accounts.
    pub batch: WriteBatch,
}

impl<'k> StateUpdate<'k> {
    /// An empty update over the state at `root`.
    pub fn new(kv: &'k dyn KvStore, root: StateRoot, trie_cache: &'k TrieNodeCache) -> StateUpdate<'k> {
        StateUpdate { kv, trie_cache, root, accounts: BTreeMap::new(), batch: WriteBatch::new() }
    }

    /// The account at `address` as this transaction sees it (a default one if it does not exist yet).
    pub fn account(&mut self, address: &Address) -> Result<&mut Account, RuntimeError> {
        if !self.accounts.contains_key(address) {
            let account =
                AccountTrie::open(self.kv, self.root.0).with_cache(self.trie_cache).get(address)?.unwrap_or_default();
            self.accounts.insert(*address, account);
        }
        self.accounts.get_mut(address).ok_or_else(|| RuntimeError::Engine("account vanished".into()))
    }

    /// Balances of the accounts this update has read or changed.
    pub fn balances(&self) -> BTreeMap<Address, u64> {
        self.accounts.iter().map(|(address, account)| (*address, account.balance)).collect()
    }

    /// Writes every change in one atomic batch and returns the new root.
    pub fn commit(self) -> Result<StateRoot, RuntimeError> {
        let mut trie = AccountTrie::open(self.kv, self.root.0).with_cache(self.trie_cache);
        for (address, account) in &self.accounts {
            trie.set(address, account)?;
        }
        let mut batch = self.batch;
        let root = trie.commit_into(&mut batch);
        self.kv.write(batch)?;
        Ok(StateRoot(root))
    }
}
