//! The collections one execution has open: a table indexed by handle, each entry a tree view with its
//! shape, length, parent (a slot, or a parent handle and key), depth and whether it was modified; and
//! the commit that writes them back innermost first (`docs/consensus.md`, Collections).

use super::{CollectionError, CollectionTree};
use crate::storage::kv::{KvStore, WriteBatch};
use crate::storage::page_slices::PageSliceCache;
use std::sync::Arc;
use svm_core::collection_state::{CollectionState, MAX_OPEN_COLLECTIONS, Shape};
use svm_core::layout::SliceIndex;

/// Where an open collection's state lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parent {
    /// In a collection slot.
    Slot(SliceIndex),
    /// As the value at `key` of the collection with handle `handle`.
    Child {
        /// The parent's handle.
        handle: u32,
        /// The key in the parent.
        key: Vec<u8>,
    },
}

/// One open collection.
pub struct OpenCollection {
    /// Its type.
    pub shape: Shape,
    /// Its entries now.
    pub length: u64,
    /// Where its state lives.
    pub parent: Parent,
    /// 1 for a slot's collection, the parent's plus one for a child.
    pub depth: u32,
    /// Whether a write marked it (only modified collections are written back).
    pub modified: bool,
    dropped: bool,
    tree: CollectionTree,
}

/// The table of one execution's open collections.
pub struct OpenCollections {
    kv: Arc<dyn KvStore>,
    entries: Vec<OpenCollection>,
}

/// The big-endian key of list index `index`.
pub fn list_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

impl OpenCollections {
    /// No collection open yet, over the store `kv`.
    pub fn new(kv: Arc<dyn KvStore>) -> OpenCollections {
        OpenCollections { kv, entries: Vec::new() }
    }

    /// The collection with `handle`, if it is known (opened and not dropped).
    pub fn get(&self, handle: u32) -> Option<&OpenCollection> {
        self.entries.get(handle as usize).filter(|e| !e.dropped)
    }

    /// Whether one more collection may be opened.
    pub fn has_room(&self) -> bool {
        self.entries.len() < MAX_OPEN_COLLECTIONS
    }

    /// How many collections were opened.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The known handle whose parent is `parent`, if one is open.
    pub fn find(&self, parent: &Parent) -> Option<u32> {
        self.entries.iter().position(|e| !e.dropped && e.parent == *parent).map(|i| i as u32)
    }

    /// Opens a collection of `shape` at `parent` from its `state` (`None`: a new, empty one); returns
    /// its handle. The caller checks the room, the depth and the shape.
    pub fn open(
        &mut self,
        shape: Shape,
        parent: Parent,
        depth: u32,
        state: Option<CollectionState>,
    ) -> Result<u32, CollectionError> {
        let state = state.unwrap_or_else(|| CollectionState::empty(shape));
        let tree = CollectionTree::open(self.kv.clone(), state.root, shape.key_width.into())?;
        self.entries.push(OpenCollection {
            shape,
            length: state.length,
            parent,
            depth,
            modified: false,
            dropped: false,
            tree,
        });
        Ok(self.entries.len() as u32 - 1)
    }

    /// The slot of the collection at the top of `handle`'s parent chain.
    pub fn top_slot(&self, mut handle: u32) -> SliceIndex {
        loop {
            match &self.entries[handle as usize].parent {
                Parent::Slot(slot) => return *slot,
                Parent::Child { handle: parent, .. } => handle = *parent,
            }
        }
    }

    /// Marks `handle` and every ancestor modified.
    pub fn mark_modified(&mut self, mut handle: u32) {
        loop {
            let entry = &mut self.entries[handle as usize];
            entry.modified = true;
            match &entry.parent {
                Parent::Slot(_) => return,
                Parent::Child { handle: parent, .. } => handle = *parent,
            }
        }
    }

    fn entry(&mut self, handle: u32) -> &mut OpenCollection {
        &mut self.entries[handle as usize]
    }

    /// The value at `key`.
    pub fn lookup(&mut self, handle: u32, key: &[u8]) -> Result<Option<Vec<u8>>, CollectionError> {
        self.entry(handle).tree.get(key)
    }

    /// Stores `value` at `key`; whether it replaced a value.
    pub fn insert(&mut self, handle: u32, key: &[u8], value: &[u8]) -> Result<bool, CollectionError> {
        let entry = self.entry(handle);
        let replaced = entry.tree.insert(key, value)?.is_some();
        if !replaced {
            entry.length += 1;
        }
        Ok(replaced)
    }

    /// Removes `key`, dropping every open handle below it; the value it held.
    pub fn remove(&mut self, handle: u32, key: &[u8]) -> Result<Option<Vec<u8>>, CollectionError> {
        let entry = self.entry(handle);
        let removed = entry.tree.remove(key)?;
        if removed.is_some() {
            entry.length -= 1;
            self.drop_below(handle, key);
        }
        Ok(removed)
    }

    /// Appends `value` to a list; its index.
    pub fn push(&mut self, handle: u32, value: &[u8]) -> Result<u64, CollectionError> {
        let index = self.entries[handle as usize].length;
        self.insert(handle, &list_key(index), value)?;
        Ok(index)
    }

    /// Removes a list's last value (dropping every open handle below it), if it has one.
    pub fn pop(&mut self, handle: u32) -> Result<Option<Vec<u8>>, CollectionError> {
        let Some(last) = self.entries[handle as usize].length.checked_sub(1) else { return Ok(None) };
        self.remove(handle, &list_key(last))
    }

    /// The smallest key after `after` (from the start for `None`) and below `bound` (no bound for `None`).
    pub fn next(
        &mut self,
        handle: u32,
        after: Option<&[u8]>,
        bound: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, CollectionError> {
        let next = self.entry(handle).tree.next_after(after)?.map(|(key, _)| key);
        Ok(next.filter(|key| bound.is_none_or(|bound| key.as_slice() < bound)))
    }

    /// Drops every open handle whose parent chain passes through `key` of `handle`.
    fn drop_below(&mut self, handle: u32, key: &[u8]) {
        let mut dropped = vec![false; self.entries.len()];
        for i in handle as usize + 1..self.entries.len() {
            if let Parent::Child { handle: parent, key: at } = &self.entries[i].parent {
                let parent = *parent as usize;
                if (parent == handle as usize && at.as_slice() == key) || dropped[parent] {
                    dropped[i] = true;
                    self.entries[i].dropped = true;
                }
            }
        }
    }

    /// Writes every known, modified collection back, innermost first — its new nodes into `batch`, its
    /// state into its parent's tree or into its slot in `storage`.
    pub fn commit_into(self, batch: &mut WriteBatch, storage: &mut PageSliceCache) -> Result<(), CollectionError> {
        let mut entries = self.entries;
        while let Some(entry) = entries.pop() {
            if entry.dropped || !entry.modified {
                continue;
            }
            let (shape, length, parent) = (entry.shape, entry.length, entry.parent);
            let root = entry.tree.commit_into(batch);
            let state = CollectionState { shape, length, root }.encode();
            match parent {
                Parent::Slot(slot) => storage.write_slot(slot, &state).map_err(CollectionError::Storage)?,
                Parent::Child { handle, key } => {
                    let parent = entries.get_mut(handle as usize).ok_or(CollectionError::Orphan { handle })?;
                    parent.tree.insert(&key, &state)?;
                }
            }
        }
        Ok(())
    }
}
