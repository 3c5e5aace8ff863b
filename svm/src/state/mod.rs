//! The global state: every account, rolled up into one root that replicas compare. The account and
//! root types come from `svm-core`; the trie and the contract store are the runtime's.

mod account_trie;
mod contract_store;
mod error;
mod export;
mod state_parts;

pub use account_trie::{AccountTrie, TrieNode, TrieNodeCache};
pub(crate) use contract_store::{code_key, meta_key};
pub use contract_store::{load_code, load_meta, store_code, store_meta};
pub use error::StateError;
pub use export::{export_collections, export_events, export_state};
pub use state_parts::{StateParts, key as parts_key, resolve as resolve_parts};
pub use svm_core::StateRoot;
pub use svm_core::account::{Account, ContractInfo};
pub use svm_core::code::code_hash;
