//! What a state root reaches: every content entry the state under a root is made of — the root's split
//! into account and event roots (when events are live), the event store's nodes, account-trie
//! nodes; for each library's account its code; for each contract account its code, its metadata, its page tree's chunks and non-zero pages,
//! and the nodes of every collection its slots hold (nested collections included) — walked from the
//! root, each named with what is needed to check it. Garbage collection keeps exactly these entries;
//! sync copies exactly these.
//!
//! The walk checks every trie node, chunk, metadata and collection node it reads against its hash. It
//! never reads code, and reads (and checks) only the pages that hold collection slots, for the roots in
//! them (the other pages' keys are enough to keep them; a sync reads and checks them itself).

use crate::state::{Account, AccountTrie, StateError, StateRoot, code_key, load_meta, meta_key, resolve_parts};
use crate::storage::collections::CollectionError;
use crate::storage::collections::tree::walk_tree;
use crate::storage::kv::{KvStore, namespace};
use crate::storage::pages::{Page, PageIndex, PageTree, PagesError, page_hash};
use crate::{Address, Hash};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use svm_core::collection_state::{CollectionState, STATE_LEN, ValueKind};
use svm_core::layout::{SliceKind, StorageLayout};
use thiserror::Error;

/// One content entry a root reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reached {
    /// A state root's split into account and event roots (read and checked by the walk).
    StateParts(StateRoot),
    /// An account-trie node (read and checked by the walk).
    AccountNode(Hash),
    /// Contract or library code (not read by the walk).
    Code(Hash),
    /// Contract metadata (read and checked by the walk).
    Meta(Hash),
    /// A page-tree chunk (read and checked by the walk).
    PageTreeNode(Hash),
    /// A collection-tree node (read and checked by the walk).
    CollectionNode(Hash),
    /// A non-zero page of the contract at `address` (read by the walk only if it holds a slot).
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
            Reached::StateParts(root) => return crate::state::parts_key(root),
            Reached::AccountNode(h) => (namespace::ACCOUNT_NODE, h),
            Reached::Code(h) => return code_key(*h),
            Reached::Meta(h) => return meta_key(*h),
            Reached::PageTreeNode(h) => (namespace::PAGE_TREE_NODE, h),
            Reached::CollectionNode(h) => (namespace::COLLECTION_NODE, h),
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
    // Layouts by metadata hash: every contract of the same code and layout shares one.
    let mut layouts: BTreeMap<Hash, Arc<StorageLayout>> = BTreeMap::new();
    for &root in roots {
        let unreadable = |source: StateError| WalkError { root, source };
        // The contract accounts first seen under this root: (address, code, metadata, contract state).
        let mut contracts: BTreeSet<(Address, Hash, Hash, Hash)> = BTreeSet::new();
        // The libraries registered under this root: their code.
        let mut libraries: BTreeSet<Hash> = BTreeSet::new();
        let parts = resolve_parts(kv, root).map_err(unreadable)?;
        if !parts.events.is_zero() && visit(Reached::StateParts(root)) {
            let width = svm_core::event::keys::KEY_WIDTH;
            walk_tree(kv, parts.events, width, &mut |hash| visit(Reached::CollectionNode(hash)), &mut |_, _| {})
                .map_err(|e| unreadable(e.into()))?;
        }
        AccountTrie::open(kv, parts.accounts)
            .walk(
                &mut |key| visit(Reached::AccountNode(Hash::from_slice(&key[1..]).unwrap_or_default())),
                &mut |address: &Address, account: &Account| {
                    if let Some(info) = &account.contract {
                        contracts.insert((*address, info.code_hash, info.meta_hash, info.state.0));
                    }
                    libraries.extend(account.library);
                },
            )
            .map_err(unreadable)?;
        for library in libraries {
            visit(Reached::Code(library));
        }
        for (address, code, meta, state) in contracts {
            visit(Reached::Code(code));
            let layout = match layouts.get(&meta) {
                Some(layout) => layout.clone(),
                None => {
                    // Read (and checked) only the first time a walk meets it.
                    visit(Reached::Meta(meta));
                    let layout = load_meta(kv, meta).map_err(unreadable)?.layout.clone();
                    layouts.insert(meta, layout.clone());
                    layout
                }
            };
            let slot_pages: BTreeSet<PageIndex> =
                layout.slices().iter().filter(|s| s.kind() == SliceKind::Collection).map(|s| s.page).collect();
            // The slot pages met for the first time: only their collections may be new to `visit`.
            let mut new_slot_pages: BTreeMap<PageIndex, Hash> = BTreeMap::new();
            let tree = PageTree::open(layout.page_count(), state).map_err(|e| unreadable(e.into()))?;
            tree.walk_stored(kv, &mut |key, index| {
                let hash = Hash::from_slice(&key[1..]).unwrap_or_default();
                match index {
                    Some(index) => {
                        let new = visit(Reached::Page { hash, address, index });
                        if new && slot_pages.contains(&index) {
                            new_slot_pages.insert(index, hash);
                        }
                        new
                    }
                    None => visit(Reached::PageTreeNode(hash)),
                }
            })
            .map_err(|e| unreadable(e.into()))?;
            for (index, hash) in new_slot_pages {
                let page = load_page(kv, &address, index, hash).map_err(unreadable)?;
                for slot in layout.slices().iter().filter(|s| s.kind() == SliceKind::Collection && s.page == index) {
                    let bytes = &page.bytes()[slot.offset as usize..slot.offset as usize + STATE_LEN];
                    walk_collection(kv, bytes, visit).map_err(unreadable)?;
                }
            }
        }
    }
    Ok(())
}

/// Page `index` of the contract at `address`, read and checked against `hash`.
pub(crate) fn load_page(kv: &dyn KvStore, address: &Address, index: PageIndex, hash: Hash) -> Result<Page, StateError> {
    let corrupt = || StateError::Pages(PagesError::CorruptPage { index, hash });
    let missing = || StateError::Pages(PagesError::MissingPage { index, hash });
    let bytes = kv.get(&namespace::key(namespace::PAGE, hash.as_bytes()))?.ok_or_else(missing)?;
    let page = Page::from_slice(&bytes).ok_or_else(corrupt)?;
    if page_hash(address, index, &page) != hash {
        return Err(corrupt());
    }
    Ok(page)
}

/// Visits the nodes of the collection whose state is `state` (nothing for zero), and of every child
/// collection its values hold.
fn walk_collection(kv: &dyn KvStore, state: &[u8], visit: &mut dyn FnMut(Reached) -> bool) -> Result<(), StateError> {
    let state = CollectionState::decode(state).map_err(|_| StateError::Collection(CollectionError::CorruptState))?;
    let Some(state) = state else { return Ok(()) };
    let nested = state.shape.values == ValueKind::Collection;
    let mut children: Vec<Vec<u8>> = Vec::new();
    walk_tree(
        kv,
        state.root,
        state.shape.key_width.into(),
        &mut |hash| visit(Reached::CollectionNode(hash)),
        &mut |_, value| {
            if nested {
                children.push(value.to_vec());
            }
        },
    )?;
    for child in children {
        walk_collection(kv, &child, visit)?;
    }
    Ok(())
}
