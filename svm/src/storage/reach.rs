//! What a state root reaches: every content entry the state under a root is made of — account-trie
//! nodes; for each contract account its code, its metadata, and its page tree's chunks and non-zero
//! pages — walked from the root, each named with what is needed to check it. Garbage collection keeps
//! exactly these entries; sync copies exactly these.
//!
//! The walk checks every trie node, chunk and metadata it reads against its hash. It never reads code
//! or pages (their keys are enough to keep them; a sync reads and checks them itself).

use crate::state::{Account, AccountTrie, StateError, StateRoot, code_key, load_meta, meta_key};
use crate::storage::kv::{KvStore, namespace};
use crate::storage::pages::{PageIndex, PageTree};
use crate::{Address, Hash};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// One content entry a root reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reached {
    /// An account-trie node (read and checked by the walk).
    AccountNode(Hash),
    /// Contract code (not read by the walk).
    Code(Hash),
    /// Contract metadata (read and checked by the walk).
    Meta(Hash),
    /// A page-tree chunk (read and checked by the walk).
    PageTreeNode(Hash),
    /// A non-zero page of the contract at `address` (not read by the walk).
    Page {
        /// The page hash naming it.
        hash: Hash,
        /// The contract whose page it is (page hashes cover it).
        address: Address,
        /// The page's index (page hashes cover it).
        index: PageIndex,
    },
}

impl Reached {
    /// The entry's kv key.
    pub fn key(&self) -> Vec<u8> {
        let (ns, hash) = match self {
            Reached::AccountNode(h) => (namespace::ACCOUNT_NODE, h),
            Reached::Code(h) => return code_key(*h),
            Reached::Meta(h) => return meta_key(*h),
            Reached::PageTreeNode(h) => (namespace::PAGE_TREE_NODE, h),
            Reached::Page { hash, .. } => (namespace::PAGE, hash),
        };
        namespace::key(ns, hash.as_bytes())
    }
}

/// A root whose state could not be walked.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("root {root} cannot be walked: {source}")]
pub struct WalkError {
    /// The root.
    pub root: StateRoot,
    /// What failed (a missing or corrupt node, chunk or metadata, or the kv store).
    pub source: StateError,
}

/// Walks every content entry the `roots` reach: `visit` gets each one and returns whether it is new
/// to it; nothing below an entry it has seen is walked again (its subtree was seen with it).
pub fn walk_reachable(
    kv: &dyn KvStore,
    roots: &[StateRoot],
    visit: &mut dyn FnMut(Reached) -> bool,
) -> Result<(), WalkError> {
    // Page counts by metadata hash: every contract of the same code and layout shares one.
    let mut page_counts: BTreeMap<Hash, u32> = BTreeMap::new();
    for &root in roots {
        let unreadable = |source: StateError| WalkError { root, source };
        // The contract accounts first seen under this root: (address, code, metadata, contract state).
        let mut contracts: BTreeSet<(Address, Hash, Hash, Hash)> = BTreeSet::new();
        AccountTrie::open(kv, root.0)
            .walk(
                &mut |key| visit(Reached::AccountNode(Hash::from_slice(&key[1..]).unwrap_or_default())),
                &mut |address: &Address, account: &Account| {
                    if let Some(info) = &account.contract {
                        contracts.insert((*address, info.code_hash, info.meta_hash, info.state.0));
                    }
                },
            )
            .map_err(unreadable)?;
        for (address, code, meta, state) in contracts {
            visit(Reached::Code(code));
            let page_count = match page_counts.get(&meta) {
                Some(&count) => count,
                None => {
                    // Read (and checked) only the first time a walk meets it.
                    visit(Reached::Meta(meta));
                    let count = load_meta(kv, meta).map_err(unreadable)?.layout.page_count();
                    page_counts.insert(meta, count);
                    count
                }
            };
            let tree = PageTree::open(page_count, state).map_err(|e| unreadable(e.into()))?;
            tree.walk_stored(kv, &mut |key, index| {
                let hash = Hash::from_slice(&key[1..]).unwrap_or_default();
                match index {
                    Some(index) => visit(Reached::Page { hash, address, index }),
                    None => visit(Reached::PageTreeNode(hash)),
                }
            })
            .map_err(|e| unreadable(e.into()))?;
        }
    }
    Ok(())
}
