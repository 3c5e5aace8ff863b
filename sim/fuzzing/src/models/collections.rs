//! Collections as the generated contracts' model keeps them: plain ordered maps, one table of open
//! collections per call, and the contents of every state the model has computed, by root — written
//! from `docs/consensus.md` (Collections), never by running the VM. Roots are the reference VM's
//! naive `croot`.

use super::scratch::Memory;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use svm::Hash;
use svm::collection_state::{
    CollectionKind, CollectionState, MAX_COLLECTION_DEPTH, MAX_OPEN_COLLECTIONS, NONE_PTR, Shape, ValueKind,
};
use svm::outcome::Outcome;
use svm::vmcalls::HostError;
use svm_reference::chain::collections::Collection;

/// A collection's entries.
pub type Contents = BTreeMap<Vec<u8>, Vec<u8>>;

/// Every collection's contents the model computed, by root (roots name contents, so this is the same
/// whatever replica the model is checked against).
#[derive(Default)]
pub struct KnownContents(Mutex<BTreeMap<Hash, Contents>>);

impl KnownContents {
    fn get(&self, root: &Hash) -> Option<Contents> {
        if root.is_zero() {
            return Some(Contents::new());
        }
        self.0.lock().ok()?.get(root).cloned()
    }

    fn remember(&self, root: Hash, contents: Contents) {
        if let Ok(mut known) = self.0.lock() {
            known.insert(root, contents);
        }
    }

    /// Learns `contents` of keys `width` bytes wide as what `root` names, if they hash to it: the root names its
    /// contents, so contents read from anywhere (a replica's store after a call the model could not follow) are
    /// certain once their root checks out. Whether they did.
    pub fn learn(&self, root: Hash, width: usize, contents: Contents) -> bool {
        let checks = Collection { width, entries: contents.clone() }.root() == root;
        if checks {
            self.remember(root, contents);
        }
        checks
    }
}

/// Where an open collection's state lives.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Parent {
    Slot(u32),
    Child(u32, Vec<u8>),
}

struct Open {
    shape: Shape,
    contents: Contents,
    parent: Parent,
    depth: u32,
    modified: bool,
    dropped: bool,
}

/// One call's open collections.
#[derive(Default)]
pub struct Table {
    open: Vec<Open>,
}

fn host(error: HostError) -> Outcome {
    Outcome::Host(error)
}

/// What a model step needs from the run around it: memory, slots, and the page rule.
pub trait Surroundings {
    /// The memory.
    fn memory(&mut self) -> &mut Memory;
    /// The slot's page, if `slice` is a slot: `unknown-slice`, `slice-kind`.
    fn slot_page(&self, slice: u32) -> Result<u32, Outcome>;
    /// The 48 bytes the slot holds now.
    fn slot_bytes(&mut self, slot: u32) -> Vec<u8>;
    /// Makes `page` dirty (`too-many-dirty-pages` past the limit).
    fn dirty(&mut self, page: u32) -> Result<(), Outcome>;
}

/// What a model step ends with when a slot holds a collection state whose contents no model call produced — the
/// state a call the model could not follow exactly left behind: the model cannot say what the call does. (An
/// outcome no collection step has, so that the frame around it can tell.)
pub const UNKNOWN_CONTENTS: Outcome = Outcome::Refused(svm::outcome::Refusal::NoSuchFunction);

/// The state of a collection as its bytes say: `None` for zero, `Err` ([`UNKNOWN_CONTENTS`]) for contents the
/// model never computed.
fn read_state(bytes: &[u8], known: &KnownContents) -> Result<Option<(Shape, Contents)>, Outcome> {
    let unknown = || UNKNOWN_CONTENTS;
    match CollectionState::decode(bytes) {
        Ok(None) => Ok(None),
        Ok(Some(state)) => Ok(Some((state.shape, known.get(&state.root).ok_or_else(unknown)?))),
        Err(_) => Err(unknown()),
    }
}

fn shape(kind: u32, width: u32, values: u32) -> Result<Shape, Outcome> {
    Shape::from_args(kind, width, values).ok_or(host(HostError::CollectionShape))
}

fn same(found: Shape, asked: Shape) -> Result<(), Outcome> {
    if found != asked { Err(host(HostError::CollectionShape)) } else { Ok(()) }
}

impl Table {
    fn known(&self, handle: u32) -> Result<&Open, Outcome> {
        self.open.get(handle as usize).filter(|o| !o.dropped).ok_or(host(HostError::UnknownCollection))
    }

    fn find(&self, parent: &Parent) -> Option<u32> {
        self.open.iter().position(|o| !o.dropped && o.parent == *parent).map(|i| i as u32)
    }

    fn room(&self) -> Result<(), Outcome> {
        if self.open.len() >= MAX_OPEN_COLLECTIONS { Err(host(HostError::TooManyCollections)) } else { Ok(()) }
    }

    /// Marks `handle` and its ancestors modified, after making the top slot's page dirty.
    fn modify(&mut self, run: &mut dyn Surroundings, handle: u32) -> Result<(), Outcome> {
        let mut top = handle;
        while let Parent::Child(parent, _) = &self.open[top as usize].parent {
            top = *parent;
        }
        let Parent::Slot(slot) = self.open[top as usize].parent else { unreachable!("the chain ends in a slot") };
        run.dirty(run.slot_page(slot)?)?;
        let mut at = Some(handle);
        while let Some(h) = at {
            self.open[h as usize].modified = true;
            at = match &self.open[h as usize].parent {
                Parent::Child(parent, _) => Some(*parent),
                Parent::Slot(_) => None,
            };
        }
        Ok(())
    }

    fn key(run: &mut dyn Surroundings, ptr: u32, shape: Shape) -> Result<Vec<u8>, Outcome> {
        run.memory().read(ptr, shape.key_width.into()).map_err(host)
    }

    fn index_below(shape: Shape, key: &[u8], end: u64) -> Result<(), Outcome> {
        if shape.kind == CollectionKind::List && u64::from_be_bytes(key.try_into().unwrap_or([0xff; 8])) >= end {
            return Err(host(HostError::CollectionIndex));
        }
        Ok(())
    }

    fn drop_below(&mut self, handle: u32, key: &[u8]) {
        let mut dropped = vec![false; self.open.len()];
        for i in handle as usize + 1..self.open.len() {
            if let Parent::Child(parent, at) = &self.open[i].parent {
                let p = *parent as usize;
                if (p == handle as usize && at.as_slice() == key) || dropped[p] {
                    dropped[i] = true;
                    self.open[i].dropped = true;
                }
            }
        }
    }

    /// `collection_open`.
    pub fn open_slot(
        &mut self,
        run: &mut dyn Surroundings,
        known: &KnownContents,
        slot: u32,
        args: [u32; 3],
    ) -> Result<i32, Outcome> {
        run.slot_page(slot)?;
        let asked = shape(args[0], args[1], args[2])?;
        if let Some(h) = self.find(&Parent::Slot(slot)) {
            same(self.open[h as usize].shape, asked)?;
            return Ok(h as i32);
        }
        self.room()?;
        let bytes = run.slot_bytes(slot);
        let contents = match read_state(&bytes, known)? {
            Some((found, contents)) => {
                same(found, asked)?;
                contents
            }
            None => Contents::new(),
        };
        self.open.push(Open {
            shape: asked,
            contents,
            parent: Parent::Slot(slot),
            depth: 1,
            modified: false,
            dropped: false,
        });
        Ok(self.open.len() as i32 - 1)
    }

    /// `collection_open_nested`.
    pub fn open_nested(
        &mut self,
        run: &mut dyn Surroundings,
        known: &KnownContents,
        handle: u32,
        key_ptr: u32,
        args: [u32; 3],
    ) -> Result<i32, Outcome> {
        let parent = self.known(handle)?;
        let (pshape, length, depth) = (parent.shape, parent.contents.len() as u64, parent.depth);
        if pshape.values != ValueKind::Collection {
            return Err(host(HostError::CollectionValueKind));
        }
        if depth >= MAX_COLLECTION_DEPTH {
            return Err(host(HostError::CollectionDepth));
        }
        let asked = shape(args[0], args[1], args[2])?;
        let key = Self::key(run, key_ptr, pshape)?;
        Self::index_below(pshape, &key, length.saturating_add(1))?;
        let at = Parent::Child(handle, key.clone());
        if let Some(h) = self.find(&at) {
            same(self.open[h as usize].shape, asked)?;
            return Ok(h as i32);
        }
        self.room()?;
        self.modify(run, handle)?;
        let contents = match self.open[handle as usize].contents.get(&key) {
            Some(bytes) => {
                let (found, contents) = read_state(bytes, known)?.ok_or(host(HostError::CollectionShape))?;
                same(found, asked)?;
                contents
            }
            None => {
                let empty = CollectionState::empty(asked).encode().to_vec();
                self.open[handle as usize].contents.insert(key, empty);
                Contents::new()
            }
        };
        self.open.push(Open { shape: asked, contents, parent: at, depth: depth + 1, modified: false, dropped: false });
        Ok(self.open.len() as i32 - 1)
    }

    fn byte_values(shape: Shape) -> Result<(), Outcome> {
        if shape.values != ValueKind::Bytes { Err(host(HostError::CollectionValueKind)) } else { Ok(()) }
    }

    fn list_only(shape: Shape, yes: bool) -> Result<(), Outcome> {
        if (shape.kind == CollectionKind::List) != yes { Err(host(HostError::CollectionOperation)) } else { Ok(()) }
    }

    fn fits(shape: Shape, len: u32) -> Result<(), Outcome> {
        if len > shape.max_value_bytes() { Err(host(HostError::CollectionValueTooLarge)) } else { Ok(()) }
    }

    /// Copies the first `cap` bytes of `value` to `ptr`; its length.
    fn copy_out(run: &mut dyn Surroundings, ptr: u32, cap: u32, value: &[u8]) -> Result<i32, Outcome> {
        let n = value.len().min(cap as usize);
        run.memory().write(ptr, &value[..n]).map_err(host)?;
        Ok(value.len() as i32)
    }

    /// `collection_get`.
    pub fn get(
        &mut self,
        run: &mut dyn Surroundings,
        handle: u32,
        key_ptr: u32,
        ptr: u32,
        cap: u32,
    ) -> Result<i32, Outcome> {
        let shape = self.known(handle)?.shape;
        Self::byte_values(shape)?;
        let key = Self::key(run, key_ptr, shape)?;
        run.memory().read(ptr, cap).map_err(host)?;
        match self.open[handle as usize].contents.get(&key).cloned() {
            None => Ok(-1),
            Some(value) => Self::copy_out(run, ptr, cap, &value),
        }
    }

    /// `collection_insert`.
    pub fn insert(
        &mut self,
        run: &mut dyn Surroundings,
        handle: u32,
        key_ptr: u32,
        ptr: u32,
        len: u32,
    ) -> Result<i32, Outcome> {
        let open = self.known(handle)?;
        let (shape, length) = (open.shape, open.contents.len() as u64);
        Self::byte_values(shape)?;
        Self::fits(shape, len)?;
        let key = Self::key(run, key_ptr, shape)?;
        let value = run.memory().read(ptr, len).map_err(host)?;
        Self::index_below(shape, &key, length)?;
        self.modify(run, handle)?;
        Ok(self.open[handle as usize].contents.insert(key, value).is_some() as i32)
    }

    /// `collection_remove`.
    pub fn remove(&mut self, run: &mut dyn Surroundings, handle: u32, key_ptr: u32) -> Result<i32, Outcome> {
        let shape = self.known(handle)?.shape;
        Self::list_only(shape, false)?;
        let key = Self::key(run, key_ptr, shape)?;
        self.modify(run, handle)?;
        let removed = self.open[handle as usize].contents.remove(&key).is_some();
        if removed {
            self.drop_below(handle, &key);
        }
        Ok(removed as i32)
    }

    /// `collection_push`.
    pub fn push(&mut self, run: &mut dyn Surroundings, handle: u32, ptr: u32, len: u32) -> Result<i64, Outcome> {
        let shape = self.known(handle)?.shape;
        Self::list_only(shape, true)?;
        Self::byte_values(shape)?;
        Self::fits(shape, len)?;
        let value = run.memory().read(ptr, len).map_err(host)?;
        self.modify(run, handle)?;
        let contents = &mut self.open[handle as usize].contents;
        let index = contents.len() as u64;
        contents.insert(index.to_be_bytes().to_vec(), value);
        Ok(index as i64)
    }

    /// `collection_pop`.
    pub fn pop(&mut self, run: &mut dyn Surroundings, handle: u32, ptr: u32, cap: u32) -> Result<i32, Outcome> {
        let shape = self.known(handle)?.shape;
        Self::list_only(shape, true)?;
        run.memory().read(ptr, cap).map_err(host)?;
        self.modify(run, handle)?;
        let Some((key, value)) = self.open[handle as usize].contents.pop_last() else { return Ok(-1) };
        if shape.values == ValueKind::Collection {
            self.drop_below(handle, &key);
            return Ok(0);
        }
        Self::copy_out(run, ptr, cap, &value)
    }

    /// `collection_len`.
    pub fn len(&self, handle: u32) -> Result<i64, Outcome> {
        Ok(self.known(handle)?.contents.len() as i64)
    }

    /// `collection_next`.
    pub fn next(
        &mut self,
        run: &mut dyn Surroundings,
        handle: u32,
        after: u32,
        bound: u32,
        out: u32,
    ) -> Result<i32, Outcome> {
        let shape = self.known(handle)?.shape;
        let after = if after == NONE_PTR { None } else { Some(Self::key(run, after, shape)?) };
        let bound = if bound == NONE_PTR { None } else { Some(Self::key(run, bound, shape)?) };
        run.memory().read(out, shape.key_width.into()).map_err(host)?;
        let contents = &self.open[handle as usize].contents;
        let next = match &after {
            None => contents.keys().next(),
            Some(after) => contents
                .range::<Vec<u8>, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
                .next()
                .map(|(k, _)| k),
        };
        match next.filter(|k| bound.as_ref().is_none_or(|b| *k < b)).cloned() {
            None => Ok(0),
            Some(key) => {
                run.memory().write(out, &key).map_err(host)?;
                Ok(1)
            }
        }
    }

    /// Writes every known, modified collection back, innermost first: the new slot bytes by slot.
    pub fn commit(mut self, known: &KnownContents) -> BTreeMap<u32, Vec<u8>> {
        let mut slots = BTreeMap::new();
        while let Some(open) = self.open.pop() {
            if open.dropped || !open.modified {
                continue;
            }
            let width = open.shape.key_width as usize;
            let collection = Collection { width, entries: open.contents.clone() };
            let root = collection.root();
            let state = CollectionState { shape: open.shape, length: open.contents.len() as u64, root };
            known.remember(root, open.contents);
            match open.parent {
                Parent::Slot(slot) => {
                    slots.insert(slot, state.encode().to_vec());
                }
                Parent::Child(parent, key) => {
                    self.open[parent as usize].contents.insert(key, state.encode().to_vec());
                }
            }
        }
        slots
    }

    /// The slots opened in this call.
    pub fn slots(&self) -> BTreeSet<u32> {
        self.open.iter().filter_map(|o| if let Parent::Slot(s) = o.parent { Some(s) } else { None }).collect()
    }
}
