//! One execution's table of open collections (`docs/consensus.md`, Collections: Handles,
//! Modification, Commit): a handle is an index into it, in the order the collections were first
//! opened; an entry holds the collection's shape, its current contents as a plain map, where its state
//! goes back (a slot, or a parent's key), its depth and whether it was modified or dropped.

use crate::chain::collections::Collection;
use std::collections::BTreeMap;
use svm_core::collection_state::{CollectionState, MAX_OPEN_COLLECTIONS, Shape};
use svm_core::vmcalls::HostError;

/// Where an open collection's state is written back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parent {
    /// A collection slot.
    Slot {
        /// The slot's slice index.
        slice: u32,
        /// The slot's page.
        page: u32,
        /// The slot's offset in its page.
        offset: u32,
    },
    /// A key of another open collection (whose values are collections).
    Key {
        /// The parent's handle.
        handle: u32,
        /// The key, `key_width` bytes of the parent.
        key: Vec<u8>,
    },
}

/// One entry of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenCollection {
    /// Its shape.
    pub shape: Shape,
    /// Its current contents.
    pub entries: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Where its state goes back at commit.
    pub parent: Parent,
    /// 1 for a slot's collection, the parent's + 1 for a child.
    pub depth: u32,
    /// Whether a write operation marked it (itself or through a descendant).
    pub modified: bool,
    /// Whether a key on its parent chain was removed: its handle is no longer known.
    pub dropped: bool,
}

impl OpenCollection {
    /// Its number of entries.
    pub fn length(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Its contents as a collection (key width and entries).
    pub fn contents(&self) -> Collection {
        Collection { width: self.shape.key_width.into(), entries: self.entries.clone() }
    }

    /// Its state now: shape, length and the root of its entries.
    pub fn state(&self) -> CollectionState {
        CollectionState { shape: self.shape, length: self.length(), root: self.contents().root() }
    }
}

/// What commit writes: the states that go into slots, and the contents of every collection written.
#[derive(Debug, Default)]
pub struct Written {
    /// (page, offset, state) for each modified slot collection.
    pub slots: Vec<(u32, u32, CollectionState)>,
    /// The contents of every collection whose state was written.
    pub collections: Vec<Collection>,
}

/// The table of one execution.
#[derive(Clone, Debug, Default)]
pub struct OpenCollections {
    table: Vec<OpenCollection>,
}

impl OpenCollections {
    /// An empty table.
    pub fn new() -> OpenCollections {
        OpenCollections::default()
    }

    /// The number of entries, dropped ones included.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether nothing was opened.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The entry of a known handle (`unknown-collection` past the table or dropped).
    pub fn known(&self, handle: u32) -> Result<&OpenCollection, HostError> {
        match self.table.get(handle as usize) {
            Some(entry) if !entry.dropped => Ok(entry),
            _ => Err(HostError::UnknownCollection),
        }
    }

    /// The entry of a known handle, to change.
    pub fn known_mut(&mut self, handle: u32) -> Result<&mut OpenCollection, HostError> {
        match self.table.get_mut(handle as usize) {
            Some(entry) if !entry.dropped => Ok(entry),
            _ => Err(HostError::UnknownCollection),
        }
    }

    /// The handle of the slot `slice`'s collection, if it is open.
    pub fn slot_handle(&self, slice: u32) -> Option<u32> {
        self.position(|p| matches!(p, Parent::Slot { slice: s, .. } if *s == slice))
    }

    /// The handle of the child at `key` of `parent`, if it is open (and not dropped).
    pub fn child_handle(&self, parent: u32, key: &[u8]) -> Option<u32> {
        self.position(|p| matches!(p, Parent::Key { handle, key: k } if *handle == parent && k == key))
    }

    fn position(&self, matches: impl Fn(&Parent) -> bool) -> Option<u32> {
        self.table.iter().position(|e| !e.dropped && matches(&e.parent)).map(|i| i as u32)
    }

    /// Whether one more entry fits (`MAX_OPEN_COLLECTIONS`, dropped entries included).
    pub fn has_room(&self) -> bool {
        self.table.len() < MAX_OPEN_COLLECTIONS
    }

    /// Adds `entry` and returns its handle.
    pub fn open(&mut self, entry: OpenCollection) -> u32 {
        self.table.push(entry);
        (self.table.len() - 1) as u32
    }

    /// Marks `handle` and every ancestor modified; returns the page of the top ancestor's slot.
    pub fn mark_modified(&mut self, handle: u32) -> Option<u32> {
        let mut current = handle;
        loop {
            let entry = self.table.get_mut(current as usize)?;
            entry.modified = true;
            match entry.parent {
                Parent::Slot { page, .. } => return Some(page),
                Parent::Key { handle, .. } => current = handle,
            }
        }
    }

    /// Drops every handle whose parent chain passes through `key` of `handle`.
    pub fn drop_through(&mut self, handle: u32, key: &[u8]) {
        for index in 0..self.table.len() {
            if self.passes_through(index, handle, key) {
                self.table[index].dropped = true;
            }
        }
    }

    fn passes_through(&self, index: usize, handle: u32, key: &[u8]) -> bool {
        let mut current = index;
        loop {
            match &self.table[current].parent {
                Parent::Slot { .. } => return false,
                Parent::Key { handle: h, key: k } if *h == handle && k.as_slice() == key => return true,
                // A parent always has a smaller handle, so the walk ends.
                Parent::Key { handle: h, .. } => current = *h as usize,
            }
        }
    }

    /// Writes the open collections back, innermost first: every known, modified handle in decreasing
    /// handle order, its state into its parent's entries or, for a slot's collection, into what is
    /// returned.
    pub fn commit(mut self) -> Written {
        let mut written = Written::default();
        for index in (0..self.table.len()).rev() {
            let entry = &self.table[index];
            if entry.dropped || !entry.modified {
                continue;
            }
            let contents = entry.contents();
            let state = CollectionState { shape: entry.shape, length: entry.length(), root: contents.root() };
            match entry.parent.clone() {
                Parent::Slot { page, offset, .. } => written.slots.push((page, offset, state)),
                Parent::Key { handle, key } => {
                    self.table[handle as usize].entries.insert(key, state.encode().to_vec());
                }
            }
            written.collections.push(contents);
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(parent: Parent, depth: u32) -> OpenCollection {
        OpenCollection {
            shape: Shape::from_args(1, 1, 1).unwrap(),
            entries: BTreeMap::new(),
            parent,
            depth,
            modified: false,
            dropped: false,
        }
    }

    fn child(handle: u32, key: u8) -> Parent {
        Parent::Key { handle, key: vec![key] }
    }

    #[test]
    fn removing_a_key_drops_the_handles_below_it_only() {
        let mut t = OpenCollections::new();
        let root = t.open(entry(Parent::Slot { slice: 3, page: 0, offset: 0 }, 1));
        let a = t.open(entry(child(root, 1), 2));
        let b = t.open(entry(child(root, 2), 2));
        let a_x = t.open(entry(child(a, 9), 3));
        let b_x = t.open(entry(child(b, 9), 3));
        assert_eq!(
            (t.slot_handle(3), t.child_handle(root, &[2]), t.child_handle(a, &[9])),
            (Some(0), Some(b), Some(a_x))
        );
        t.drop_through(root, &[1]);
        assert_eq!(t.known(a), Err(HostError::UnknownCollection));
        assert_eq!(t.known(a_x), Err(HostError::UnknownCollection));
        assert!(t.known(b).is_ok() && t.known(b_x).is_ok() && t.known(root).is_ok());
        assert_eq!(t.child_handle(root, &[1]), None, "a dropped child is not open");
        assert_eq!(t.known(99), Err(HostError::UnknownCollection));
        assert_eq!(t.len(), 5, "dropped entries keep their place");
    }

    #[test]
    fn commit_writes_children_into_parents_then_slots() {
        let mut t = OpenCollections::new();
        let root = t.open(entry(Parent::Slot { slice: 0, page: 2, offset: 96 }, 1));
        let mut leaf = entry(child(root, 7), 2);
        leaf.shape = Shape::from_args(2, 4, 0).unwrap();
        let leaf = t.open(leaf);
        let untouched = t.open(entry(child(root, 8), 2));
        t.known_mut(leaf).unwrap().entries.insert(b"abcd".to_vec(), vec![]);
        assert_eq!(t.mark_modified(leaf), Some(2));
        assert!(t.known(root).unwrap().modified && !t.known(untouched).unwrap().modified);
        let leaf_state = t.known(leaf).unwrap().state();
        let written = t.commit();
        let mut root_entries = BTreeMap::new();
        root_entries.insert(vec![7], leaf_state.encode().to_vec());
        let root_contents = Collection { width: 1, entries: root_entries };
        let root_state =
            CollectionState { shape: Shape::from_args(1, 1, 1).unwrap(), length: 1, root: root_contents.root() };
        assert_eq!(written.slots, vec![(2, 96, root_state)]);
        assert_eq!(written.collections.len(), 2);
        assert_eq!(written.collections[1], root_contents);
    }
}
