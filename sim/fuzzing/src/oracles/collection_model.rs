//! Collection-model oracle: operation sequences run on the runtime's open-collection table (tree
//! views over a kv store, nested collections, commit into a batch and into page slots) and on plain
//! nested maps; every lookup and cursor step must agree, and after every commit each slot must hold
//! exactly the state the model computes, its root recomputed by the reference VM's naive `croot`.

use crate::generators::collection_ops::{CollectionOp, child_shape, slot_shape};
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::collection_state::{CollectionKind, CollectionState, MAX_COLLECTION_DEPTH, Shape, ValueKind};
use svm::layout::{PageSlice, StorageLayout};
use svm::storage::collections::{OpenCollections, Parent};
use svm::storage::kv::{KvStore, MemKv, WriteBatch};
use svm::storage::page_slices::PageSliceCache;
use svm::{Address, ContractState};
use svm_reference::chain::collections::Collection;

const CONTRACT: Address = Address([0xC0; 20]);
const SLOTS: u32 = 4;

/// A collection as the model keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Node {
    shape: Shape,
    entries: BTreeMap<Vec<u8>, Value>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Bytes(Vec<u8>),
    Child(Node),
}

impl Node {
    fn new(shape: Shape) -> Node {
        Node { shape, entries: BTreeMap::new() }
    }

    /// The 48-byte state: its shape, length and `croot` of its entries (children as their states).
    fn state(&self) -> [u8; 48] {
        let mut collection = Collection::new(self.shape.key_width.into());
        for (key, value) in &self.entries {
            let bytes = match value {
                Value::Bytes(bytes) => bytes.clone(),
                Value::Child(child) => child.state().to_vec(),
            };
            collection.entries.insert(key.clone(), bytes);
        }
        CollectionState { shape: self.shape, length: self.entries.len() as u64, root: collection.root() }.encode()
    }
}

/// One open collection in the model: its slot, the keys down to it, and whether it was dropped.
struct ModelHandle {
    slot: u32,
    path: Vec<Vec<u8>>,
    dropped: bool,
}

/// The model's view of one execution.
struct ModelRun {
    slots: Vec<Option<Node>>,
    modified: Vec<bool>,
    handles: Vec<ModelHandle>,
}

impl ModelRun {
    fn node(&mut self, handle: usize) -> &mut Node {
        let h = &self.handles[handle];
        let mut node = self.slots[h.slot as usize].as_mut().unwrap_or_else(|| unreachable!("opened"));
        for key in &h.path {
            node = match node.entries.get_mut(key) {
                Some(Value::Child(child)) => child,
                _ => unreachable!("a known handle's path exists"),
            };
        }
        node
    }

    fn drop_below(&mut self, handle: usize, key: &[u8]) {
        let (slot, mut prefix) = (self.handles[handle].slot, self.handles[handle].path.clone());
        prefix.push(key.to_vec());
        for h in &mut self.handles {
            if h.slot == slot && h.path.starts_with(&prefix) {
                h.dropped = true;
            }
        }
    }
}

fn key_bytes(shape: Shape, key: u64) -> Vec<u8> {
    if shape.kind == CollectionKind::List {
        key.to_be_bytes().to_vec()
    } else {
        key.to_le_bytes()[..shape.key_width as usize].to_vec()
    }
}

/// Runs `ops`; panics on the first disagreement.
pub fn check(ops: &[CollectionOp]) {
    let kv: Arc<MemKv> = Arc::new(MemKv::new());
    let layout = Arc::new(
        StorageLayout::new(1, (0..SLOTS).map(|i| PageSlice::collection(0, i * 48)).collect())
            .unwrap_or_else(|e| unreachable!("four slots fit a page: {e}")),
    );
    let mut state = ContractState::default();
    let mut committed: Vec<Option<Node>> = vec![None; SLOTS as usize];
    let open = |state: ContractState| {
        let storage = PageSliceCache::open(kv.clone(), CONTRACT, layout.clone(), state).expect("the state opens");
        (storage, OpenCollections::new(kv.clone()))
    };
    let (mut storage, mut table) = open(state);
    let mut model = ModelRun { slots: committed.clone(), modified: vec![false; SLOTS as usize], handles: Vec::new() };
    for (i, op) in ops.iter().enumerate() {
        let at = || format!("op {i}: {op:?}");
        let known = |table: &OpenCollections, model: &ModelRun, h: u32| {
            let runtime = table.get(h).is_some();
            let modelled = model.handles.get(h as usize).is_some_and(|m| !m.dropped);
            assert_eq!(runtime, modelled, "{}: handle {h} known", at());
            runtime
        };
        match op {
            &CollectionOp::Open { slot } => {
                let shape = slot_shape(slot);
                if let Some(h) = table.find(&Parent::Slot(slot)) {
                    assert!(model.handles.iter().any(|m| m.slot == slot && m.path.is_empty()), "{}", at());
                    assert_eq!(table.get(h).map(|e| e.shape), Some(shape));
                    continue;
                }
                if !table.has_room() {
                    continue;
                }
                let bytes = storage.read_slot(slot).expect("a slot reads");
                let stored = CollectionState::decode(&bytes).expect("a slot holds a state");
                assert_eq!(stored.map(|s| s.shape).unwrap_or(shape), shape, "{}", at());
                table.open(shape, Parent::Slot(slot), 1, stored).expect("the slot's collection opens");
                model.slots[slot as usize].get_or_insert_with(|| Node::new(shape));
                model.handles.push(ModelHandle { slot, path: Vec::new(), dropped: false });
            }
            &CollectionOp::OpenChild { handle, key } => {
                if !known(&table, &model, handle) {
                    continue;
                }
                let entry = table.get(handle).unwrap_or_else(|| unreachable!("known"));
                let (parent, length, depth) = (entry.shape, entry.length, entry.depth);
                if parent.values != ValueKind::Collection || depth >= MAX_COLLECTION_DEPTH || !table.has_room() {
                    continue;
                }
                let key = key_bytes(parent, if parent.kind == CollectionKind::List { key.min(length) } else { key });
                let at_key = Parent::Child { handle, key: key.clone() };
                if table.find(&at_key).is_some() {
                    continue;
                }
                let shape = child_shape(parent);
                table.mark_modified(handle);
                let state = match table.lookup(handle, &key).expect("a lookup") {
                    Some(bytes) => Some(CollectionState::decode(&bytes).ok().flatten().expect("a child state")),
                    None => {
                        table.insert(handle, &key, &CollectionState::empty(shape).encode()).expect("an insert");
                        None
                    }
                };
                table.open(shape, at_key, depth + 1, state).expect("the child opens");
                let slot = model.handles[handle as usize].slot;
                model.modified[slot as usize] = true;
                let node = model.node(handle as usize);
                let child = node.entries.entry(key.clone()).or_insert_with(|| Value::Child(Node::new(shape)));
                assert!(matches!(child, Value::Child(c) if c.shape == shape), "{}", at());
                let mut path = model.handles[handle as usize].path.clone();
                path.push(key);
                model.handles.push(ModelHandle { slot, path, dropped: false });
            }
            CollectionOp::Insert { handle, key, value } => {
                let handle = *handle;
                if !known(&table, &model, handle) {
                    continue;
                }
                let entry = table.get(handle).unwrap_or_else(|| unreachable!("known"));
                let (shape, length) = (entry.shape, entry.length);
                if shape.values != ValueKind::Bytes || (shape.kind == CollectionKind::List && *key >= length) {
                    continue;
                }
                let value: &[u8] = if shape.max_value_bytes() == 0 { &[] } else { value };
                let key = key_bytes(shape, *key);
                table.mark_modified(handle);
                let replaced = table.insert(handle, &key, value).expect("an insert");
                let slot = model.handles[handle as usize].slot;
                model.modified[slot as usize] = true;
                let was = model.node(handle as usize).entries.insert(key, Value::Bytes(value.to_vec()));
                assert_eq!(replaced, was.is_some(), "{}", at());
            }
            &CollectionOp::Remove { handle, key } => {
                if !known(&table, &model, handle) {
                    continue;
                }
                let shape = table.get(handle).map(|e| e.shape).unwrap_or_else(|| unreachable!("known"));
                if shape.kind == CollectionKind::List {
                    continue;
                }
                let key = key_bytes(shape, key);
                table.mark_modified(handle);
                let removed = table.remove(handle, &key).expect("a remove").is_some();
                let slot = model.handles[handle as usize].slot;
                model.modified[slot as usize] = true;
                let was = model.node(handle as usize).entries.remove(&key);
                assert_eq!(removed, was.is_some(), "{}", at());
                if removed {
                    model.drop_below(handle as usize, &key);
                }
            }
            CollectionOp::Push { handle, value } => {
                let handle = *handle;
                if !known(&table, &model, handle) {
                    continue;
                }
                let shape = table.get(handle).map(|e| e.shape).unwrap_or_else(|| unreachable!("known"));
                if shape.kind != CollectionKind::List || shape.values != ValueKind::Bytes {
                    continue;
                }
                table.mark_modified(handle);
                let index = table.push(handle, value).expect("a push");
                let slot = model.handles[handle as usize].slot;
                model.modified[slot as usize] = true;
                let node = model.node(handle as usize);
                assert_eq!(index, node.entries.len() as u64, "{}", at());
                node.entries.insert(index.to_be_bytes().to_vec(), Value::Bytes(value.clone()));
            }
            &CollectionOp::Pop { handle } => {
                if !known(&table, &model, handle) {
                    continue;
                }
                let shape = table.get(handle).map(|e| e.shape).unwrap_or_else(|| unreachable!("known"));
                if shape.kind != CollectionKind::List {
                    continue;
                }
                table.mark_modified(handle);
                let popped = table.pop(handle).expect("a pop");
                let slot = model.handles[handle as usize].slot;
                model.modified[slot as usize] = true;
                let was = model.node(handle as usize).entries.pop_last();
                assert_eq!(popped.is_some(), was.is_some(), "{}", at());
                if let Some((key, Value::Bytes(bytes))) = &was {
                    assert_eq!(popped.as_deref(), Some(bytes.as_slice()), "{}", at());
                    let _ = key;
                } else if let Some((key, Value::Child(_))) = &was {
                    model.drop_below(handle as usize, key);
                }
            }
            &CollectionOp::Get { handle, key } => {
                if !known(&table, &model, handle) {
                    continue;
                }
                let shape = table.get(handle).map(|e| e.shape).unwrap_or_else(|| unreachable!("known"));
                if shape.values != ValueKind::Bytes {
                    continue;
                }
                let key = key_bytes(shape, key);
                let found = table.lookup(handle, &key).expect("a lookup");
                let expected = match model.node(handle as usize).entries.get(&key) {
                    Some(Value::Bytes(bytes)) => Some(bytes.clone()),
                    _ => None,
                };
                assert_eq!(found, expected, "{}", at());
            }
            &CollectionOp::Next { handle, after, bound } => {
                if !known(&table, &model, handle) {
                    continue;
                }
                let shape = table.get(handle).map(|e| e.shape).unwrap_or_else(|| unreachable!("known"));
                let (after, bound) = (after.map(|k| key_bytes(shape, k)), bound.map(|k| key_bytes(shape, k)));
                let found = table.next(handle, after.as_deref(), bound.as_deref()).expect("a cursor step");
                let node = model.node(handle as usize);
                let expected = node
                    .entries
                    .keys()
                    .find(|k| after.as_ref().is_none_or(|a| *k > a) && bound.as_ref().is_none_or(|b| *k < b))
                    .cloned();
                assert_eq!(found, expected, "{}", at());
            }
            CollectionOp::Commit => {
                let mut batch = WriteBatch::new();
                table.commit_into(&mut batch, &mut storage).expect("collections commit");
                state = storage.commit_into(&mut batch).expect("pages commit");
                kv.write(batch).expect("the batch writes");
                for ((kept, now), modified) in committed.iter_mut().zip(&model.slots).zip(&model.modified) {
                    if *modified {
                        kept.clone_from(now);
                    }
                }
                (storage, table) = open(state);
                for (slot, node) in committed.iter().enumerate() {
                    let stored = storage.read_slot(slot as u32).expect("a slot reads");
                    let expected = node.as_ref().map_or([0; 48], Node::state);
                    assert_eq!(stored, expected, "{}: slot {slot} after the commit", at());
                }
                model =
                    ModelRun { slots: committed.clone(), modified: vec![false; SLOTS as usize], handles: Vec::new() };
            }
            CollectionOp::Discard => {
                (storage, table) = open(state);
                model =
                    ModelRun { slots: committed.clone(), modified: vec![false; SLOTS as usize], handles: Vec::new() };
            }
        }
    }
}
