//! The global state: every account, rolled up into one root that replicas compare.

mod account;
mod account_trie;
mod contract_store;
mod error;

pub use account::{Account, ContractInfo};
pub use account_trie::{AccountTrie, TrieNode, TrieNodeCache};
pub use contract_store::{code_hash, load_code, load_layout, store_code, store_layout};
pub use error::StateError;

use crate::Hash;
use std::fmt;

/// The root of the account trie: a digest of every account (balance, nonce, code, contract state).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StateRoot(pub Hash);

impl StateRoot {
    /// The root of a state with no accounts.
    pub const EMPTY: StateRoot = StateRoot(Hash::ZERO);
}

impl fmt::Display for StateRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for StateRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateRoot({})", self.0)
    }
}
