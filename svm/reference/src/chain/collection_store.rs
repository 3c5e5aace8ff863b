//! Every collection a contract has committed, by root: where the reference finds a collection's
//! contents from the state a slot or a parent's value holds (`docs/consensus.md`, Collections). It is
//! content-addressed and kept whole in memory; nothing is ever removed, so any past state can be
//! opened. An empty collection has the zero root and is never stored.

use crate::chain::collections::Collection;
use crate::chain::state::Page;
use std::collections::BTreeMap;
use svm_core::Hash;
use svm_core::collection_state::{CollectionState, STATE_LEN, ValueKind};
use svm_core::layout::StorageLayout;

/// Why a collection state cannot be followed to its contents.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Bytes in a slot or a collection-of-collections' value that no state encodes to.
    #[error("bytes that are no collection state")]
    BadState,
    /// A non-empty state whose root the store does not hold.
    #[error("collection {0} is not in the store")]
    Missing(Hash),
    /// A stored collection that does not agree with the state naming it (key width or length).
    #[error("collection {0} does not agree with the state that names it")]
    Disagrees(Hash),
}

/// The contents of every collection committed so far, by root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CollectionStore {
    by_root: BTreeMap<Hash, Collection>,
}

impl CollectionStore {
    /// An empty store.
    pub const fn new() -> CollectionStore {
        CollectionStore { by_root: BTreeMap::new() }
    }

    /// Records `collection` under its root (an empty one is not recorded) and returns the root.
    pub fn insert(&mut self, collection: Collection) -> Hash {
        let root = collection.root();
        if !root.is_zero() {
            self.by_root.insert(root, collection);
        }
        root
    }

    /// Records `collection` under `root`, which it was given with; `Err` with the root its entries
    /// hash to when that is another one.
    pub fn insert_checked(&mut self, root: Hash, collection: Collection) -> Result<(), Hash> {
        let computed = collection.root();
        if computed != root {
            return Err(computed);
        }
        if !root.is_zero() {
            self.by_root.insert(root, collection);
        }
        Ok(())
    }

    /// Adds every collection of `other`.
    pub fn extend(&mut self, other: CollectionStore) {
        self.by_root.extend(other.by_root);
    }

    /// Whether a collection is stored under `root`.
    pub fn contains(&self, root: &Hash) -> bool {
        self.by_root.contains_key(root)
    }

    /// How many collections are stored.
    pub fn len(&self) -> usize {
        self.by_root.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.by_root.is_empty()
    }

    /// The entries of the collection `state` names (none for `None`, a slot or value all zero): the
    /// stored contents of its root, checked against its key width and length.
    pub fn entries(&self, state: Option<&CollectionState>) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, StoreError> {
        let Some(state) = state else { return Ok(BTreeMap::new()) };
        if state.root.is_zero() {
            return Ok(BTreeMap::new());
        }
        let collection = self.by_root.get(&state.root).ok_or(StoreError::Missing(state.root))?;
        if collection.width != usize::from(state.shape.key_width) || collection.entries.len() as u64 != state.length {
            return Err(StoreError::Disagrees(state.root));
        }
        Ok(collection.entries.clone())
    }

    /// Every non-empty collection the collection slots of `layout` reach in `pages`, nested ones
    /// included, by root: what a snapshot of the contract carries.
    pub fn reachable(
        &self,
        layout: &StorageLayout,
        pages: &BTreeMap<u32, Page>,
    ) -> Result<BTreeMap<Hash, Collection>, StoreError> {
        let mut found = BTreeMap::new();
        let mut pending = Vec::new();
        for slot in layout.slices().iter().filter(|s| s.len == 0) {
            let Some(page) = pages.get(&slot.page) else { continue };
            let start = slot.offset as usize;
            pending.extend(decode(&page[start..start + STATE_LEN])?);
        }
        while let Some(state) = pending.pop() {
            if state.root.is_zero() || found.contains_key(&state.root) {
                continue;
            }
            let entries = self.entries(Some(&state))?;
            if state.shape.values == ValueKind::Collection {
                for value in entries.values() {
                    pending.push(decode(value)?.ok_or(StoreError::BadState)?);
                }
            }
            found.insert(state.root, Collection { width: state.shape.key_width.into(), entries });
        }
        Ok(found)
    }
}

/// The state in `bytes`: `None` for all zero.
pub fn decode(bytes: &[u8]) -> Result<Option<CollectionState>, StoreError> {
    CollectionState::decode(bytes).map_err(|_| StoreError::BadState)
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm_core::collection_state::Shape;
    use svm_core::layout::{PAGE_SIZE, PageSlice};

    fn collection(width: usize, entries: &[(&[u8], &[u8])]) -> Collection {
        Collection { width, entries: entries.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect() }
    }

    #[test]
    fn contents_are_found_by_root_and_checked_against_the_state() {
        let mut store = CollectionStore::new();
        let c = collection(2, &[(b"ab", b"1"), (b"cd", b"")]);
        let root = store.insert(c.clone());
        assert_eq!(store.insert(Collection::new(2)), Hash::ZERO, "the empty collection is not stored");
        assert_eq!(store.len(), 1);
        let shape = Shape::from_args(1, 2, 0).unwrap();
        let state = CollectionState { shape, length: 2, root };
        assert_eq!(store.entries(Some(&state)), Ok(c.entries.clone()));
        assert_eq!(store.entries(None), Ok(BTreeMap::new()));
        assert_eq!(store.entries(Some(&CollectionState::empty(shape))), Ok(BTreeMap::new()));
        let lying = CollectionState { length: 3, ..state };
        assert_eq!(store.entries(Some(&lying)), Err(StoreError::Disagrees(root)));
        let other = CollectionState { root: Hash([7; 32]), ..state };
        assert_eq!(store.entries(Some(&other)), Err(StoreError::Missing(Hash([7; 32]))));
        assert_eq!(store.insert_checked(Hash([7; 32]), c.clone()), Err(root));
    }

    #[test]
    fn reachable_follows_slots_and_nested_values() {
        let mut store = CollectionStore::new();
        let inner = collection(8, &[(&0u64.to_be_bytes(), b"x")]);
        let inner_root = store.insert(inner.clone());
        let inner_state = CollectionState { shape: Shape::from_args(4, 8, 0).unwrap(), length: 1, root: inner_root };
        let outer = collection(1, &[(b"k", &inner_state.encode())]);
        let outer_root = store.insert(outer.clone());
        store.insert(collection(1, &[(b"z", b"unreached")]));
        let outer_state = CollectionState { shape: Shape::from_args(1, 1, 1).unwrap(), length: 1, root: outer_root };
        let layout = StorageLayout::new(1, vec![PageSlice::collection(0, 100), PageSlice::collection(0, 200)]).unwrap();
        let mut page = Box::new([0u8; PAGE_SIZE]);
        page[100..148].copy_from_slice(&outer_state.encode());
        let pages = [(0, page)].into();
        let found = store.reachable(&layout, &pages).unwrap();
        assert_eq!(found, [(outer_root, outer), (inner_root, inner)].into());
        let mut bad = pages.clone();
        bad.get_mut(&0).unwrap()[200] = 9;
        assert_eq!(store.reachable(&layout, &bad), Err(StoreError::BadState));
    }
}
