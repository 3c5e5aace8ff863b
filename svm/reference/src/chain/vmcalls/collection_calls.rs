//! The nine collection vmcalls, from `docs/consensus.md` (Collections: the per-vmcall table). The price
//! is already paid ([`super::price`]); each call runs its checks in the table's order, then pays what
//! the table says where it says it — the slot's page load when a slot's collection is first opened,
//! the page a write operation makes dirty when it marks its collections modified ([`Self::mark`]), the
//! work gas from the length before the operation — and only then does the work.

use super::{Args, ExecutionContext, memory_range, refuse};
use crate::chain::collection_store::{self, StoreError};
use crate::chain::open_collections::{OpenCollection, Parent};
use crate::host::{Meter, Stop};
use std::collections::BTreeMap;
use std::ops::Bound;
use svm_core::Value;
use svm_core::collection_state::{
    CollectionKind, CollectionState, MAX_COLLECTION_DEPTH, NONE_PTR, STATE_LEN, Shape, ValueKind,
};
use svm_core::gas::collection_prices::{read_work, write_work};
use svm_core::layout::SliceKind;
use svm_core::vmcalls::HostError;

/// A store inconsistency is a node fault: the rules say every state the VM reads it wrote itself.
fn fault(e: StoreError) -> Stop {
    Stop::Fault(format!("collection store: {e}"))
}

/// `len` bytes of memory at `ptr` (`no-memory`, `memory-out-of-bounds`), copied out.
fn read_memory(memory: &mut Option<&mut Vec<u8>>, ptr: u32, len: u64) -> Result<Vec<u8>, Stop> {
    memory_range(memory.as_deref_mut(), ptr, len).map(|bytes| bytes.to_vec())
}

/// The memory check of `[ptr, ptr + len)` alone (`no-memory`, `memory-out-of-bounds`).
fn check_memory(memory: &mut Option<&mut Vec<u8>>, ptr: u32, len: u64) -> Result<(), Stop> {
    memory_range(memory.as_deref_mut(), ptr, len).map(|_| ())
}

/// Copies the first `min(value.len(), cap)` bytes of `value` to `ptr` (already checked for `cap` bytes).
fn copy_out(memory: &mut Option<&mut Vec<u8>>, ptr: u32, cap: u32, value: &[u8]) -> Result<(), Stop> {
    let n = value.len().min(cap as usize);
    memory_range(memory.as_deref_mut(), ptr, n as u64)?.copy_from_slice(&value[..n]);
    Ok(())
}

/// A list key's index: the 8 key bytes as u64 big-endian.
fn index_of(key: &[u8]) -> u64 {
    let mut be = [0u8; 8];
    be.copy_from_slice(&key[..8]);
    u64::from_be_bytes(be)
}

/// A result of type i32.
fn answer(v: i64) -> Result<Vec<Value>, Stop> {
    Ok(vec![Value::I32(v as i32)])
}

impl ExecutionContext<'_> {
    /// Runs the collection vmcall `name` (its price paid).
    pub(super) fn run_collection(
        &mut self,
        name: &str,
        a: &Args<'_>,
        mut memory: Option<&mut Vec<u8>>,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        let memory = &mut memory;
        match name {
            "collection_open" => self.open_slot(a.u32(0), (a.u32(1), a.u32(2), a.u32(3)), meter),
            "collection_open_nested" => {
                self.open_nested(a.u32(0), a.u32(1), (a.u32(2), a.u32(3), a.u32(4)), memory, meter)
            }
            "collection_get" => {
                let (handle, key_ptr, value_ptr, value_cap) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
                let c = self.known(handle)?;
                if c.shape.values != ValueKind::Bytes {
                    return refuse(HostError::CollectionValueKind);
                }
                let (width, n) = (c.shape.key_width, c.length());
                let key = read_memory(memory, key_ptr, width.into())?;
                check_memory(memory, value_ptr, value_cap.into())?;
                meter.charge(read_work(n))?;
                match self.known(handle)?.entries.get(&key) {
                    None => answer(-1),
                    Some(value) => {
                        copy_out(memory, value_ptr, value_cap, value)?;
                        answer(value.len() as i64)
                    }
                }
            }
            "collection_insert" => {
                let (handle, key_ptr, value_ptr, value_len) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
                let c = self.known(handle)?;
                if c.shape.values != ValueKind::Bytes {
                    return refuse(HostError::CollectionValueKind);
                }
                if value_len > c.shape.max_value_bytes() {
                    return refuse(HostError::CollectionValueTooLarge);
                }
                let (shape, n) = (c.shape, c.length());
                let key = read_memory(memory, key_ptr, shape.key_width.into())?;
                let value = read_memory(memory, value_ptr, value_len.into())?;
                if shape.kind == CollectionKind::List && index_of(&key) >= n {
                    return refuse(HostError::CollectionIndex);
                }
                self.mark(handle, meter)?;
                meter.charge(write_work(n))?;
                let replaced = self.known_mut(handle)?.entries.insert(key, value).is_some();
                answer(replaced.into())
            }
            "collection_remove" => {
                let (handle, key_ptr) = (a.u32(0), a.u32(1));
                let c = self.known(handle)?;
                if c.shape.kind == CollectionKind::List {
                    return refuse(HostError::CollectionOperation);
                }
                let (shape, n) = (c.shape, c.length());
                let key = read_memory(memory, key_ptr, shape.key_width.into())?;
                self.mark(handle, meter)?;
                meter.charge(write_work(n))?;
                let removed = self.known_mut(handle)?.entries.remove(&key).is_some();
                if removed && shape.values == ValueKind::Collection {
                    self.open.drop_through(handle, &key);
                }
                answer(removed.into())
            }
            "collection_push" => {
                let (handle, value_ptr, value_len) = (a.u32(0), a.u32(1), a.u32(2));
                let c = self.known(handle)?;
                if c.shape.kind != CollectionKind::List {
                    return refuse(HostError::CollectionOperation);
                }
                if c.shape.values != ValueKind::Bytes {
                    return refuse(HostError::CollectionValueKind);
                }
                if value_len > c.shape.max_value_bytes() {
                    return refuse(HostError::CollectionValueTooLarge);
                }
                let n = c.length();
                let value = read_memory(memory, value_ptr, value_len.into())?;
                self.mark(handle, meter)?;
                meter.charge(write_work(n))?;
                self.known_mut(handle)?.entries.insert(n.to_be_bytes().to_vec(), value);
                Ok(vec![Value::I64(n as i64)])
            }
            "collection_pop" => {
                let (handle, value_ptr, value_cap) = (a.u32(0), a.u32(1), a.u32(2));
                let c = self.known(handle)?;
                if c.shape.kind != CollectionKind::List {
                    return refuse(HostError::CollectionOperation);
                }
                let (values, n) = (c.shape.values, c.length());
                check_memory(memory, value_ptr, value_cap.into())?;
                self.mark(handle, meter)?;
                meter.charge(write_work(n))?;
                if n == 0 {
                    return answer(-1);
                }
                let key = (n - 1).to_be_bytes().to_vec();
                let value = self.known_mut(handle)?.entries.remove(&key).unwrap_or_default();
                if values == ValueKind::Collection {
                    self.open.drop_through(handle, &key);
                    return answer(0);
                }
                copy_out(memory, value_ptr, value_cap, &value)?;
                answer(value.len() as i64)
            }
            "collection_len" => Ok(vec![Value::I64(self.known(a.u32(0))?.length() as i64)]),
            "collection_next" => {
                let (handle, after_ptr, bound_ptr, key_out_ptr) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
                let c = self.known(handle)?;
                let (width, n) = (u64::from(c.shape.key_width), c.length());
                let after = if after_ptr == NONE_PTR { None } else { Some(read_memory(memory, after_ptr, width)?) };
                let bound = if bound_ptr == NONE_PTR { None } else { Some(read_memory(memory, bound_ptr, width)?) };
                check_memory(memory, key_out_ptr, width)?;
                meter.charge(read_work(n).saturating_mul(2))?;
                let entries = &self.known(handle)?.entries;
                let from = after.as_ref().map_or(Bound::Unbounded, Bound::Excluded);
                let next = entries.range::<Vec<u8>, _>((from, Bound::Unbounded)).map(|(k, _)| k).next();
                match next {
                    Some(key) if bound.as_ref().is_none_or(|b| key < b) => {
                        let key = key.clone();
                        memory_range(memory.as_deref_mut(), key_out_ptr, width)?.copy_from_slice(&key);
                        answer(1)
                    }
                    _ => answer(0),
                }
            }
            other => Err(Stop::Fault(format!("vmcall `{other}` is in the registry but not in the reference"))),
        }
    }

    /// The entry of a known handle (`unknown-collection`).
    fn known(&self, handle: u32) -> Result<&OpenCollection, Stop> {
        self.open.known(handle).map_err(Stop::Host)
    }

    /// The entry of a known handle, to change.
    fn known_mut(&mut self, handle: u32) -> Result<&mut OpenCollection, Stop> {
        self.open.known_mut(handle).map_err(Stop::Host)
    }

    /// Marks `handle` and every ancestor modified and pays the top ancestor's slot page as a storage
    /// write to it would (the dirty-page limit, then load and dirty on their first time).
    fn mark(&mut self, handle: u32, meter: &mut Meter) -> Result<(), Stop> {
        let page = self.open.mark_modified(handle).ok_or_else(|| Stop::Fault("marking an unknown handle".into()))?;
        self.pay_write(page, meter)
    }

    /// The contents of the collection `state` names (empty for none).
    fn entries_of(&self, state: Option<&CollectionState>) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, Stop> {
        // What an earlier frame of this transaction committed, else what the contract had.
        match state {
            Some(s) if self.pending_collections.contains(&s.root) => self.pending_collections.entries(state),
            _ => self.collections.entries(state),
        }
        .map_err(fault)
    }

    /// `collection_open(slice, kind, key_width, value_kind) → handle`.
    fn open_slot(
        &mut self,
        slice: u32,
        (kind, width, values): (u32, u32, u32),
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        let slot = self.slice_of_kind(slice, SliceKind::Collection)?;
        let shape = Shape::from_args(kind, width, values).ok_or(Stop::Host(HostError::CollectionShape))?;
        if let Some(handle) = self.open.slot_handle(slice) {
            if self.known(handle)?.shape != shape {
                return refuse(HostError::CollectionShape);
            }
            return answer(handle.into());
        }
        if !self.open.has_room() {
            return refuse(HostError::TooManyCollections);
        }
        self.pay_read(slot.page, meter)?;
        let start = slot.offset as usize;
        let state = collection_store::decode(&self.page(slot.page)[start..start + STATE_LEN]).map_err(fault)?;
        if state.is_some_and(|s| s.shape != shape) {
            return refuse(HostError::CollectionShape);
        }
        let entries = self.entries_of(state.as_ref())?;
        let parent = Parent::Slot { slice, page: slot.page, offset: slot.offset };
        let handle =
            self.open.open(OpenCollection { shape, entries, parent, depth: 1, modified: false, dropped: false });
        answer(handle.into())
    }

    /// `collection_open_nested(handle, key_ptr, kind, key_width, value_kind) → handle`.
    fn open_nested(
        &mut self,
        handle: u32,
        key_ptr: u32,
        (kind, width, values): (u32, u32, u32),
        memory: &mut Option<&mut Vec<u8>>,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        let parent = self.known(handle)?;
        if parent.shape.values != ValueKind::Collection {
            return refuse(HostError::CollectionValueKind);
        }
        if parent.depth >= MAX_COLLECTION_DEPTH {
            return refuse(HostError::CollectionDepth);
        }
        let shape = Shape::from_args(kind, width, values).ok_or(Stop::Host(HostError::CollectionShape))?;
        let (parent_shape, depth, n) = (parent.shape, parent.depth, parent.length());
        let key = read_memory(memory, key_ptr, parent_shape.key_width.into())?;
        if parent_shape.kind == CollectionKind::List && index_of(&key) > n {
            return refuse(HostError::CollectionIndex);
        }
        if let Some(child) = self.open.child_handle(handle, &key) {
            if self.known(child)?.shape != shape {
                return refuse(HostError::CollectionShape);
            }
            return answer(child.into());
        }
        if !self.open.has_room() {
            return refuse(HostError::TooManyCollections);
        }
        self.mark(handle, meter)?;
        meter.charge(read_work(n).saturating_add(write_work(n)))?;
        let existing = self.known(handle)?.entries.get(&key).cloned();
        let entries = match existing {
            Some(value) => {
                let state =
                    collection_store::decode(&value).map_err(fault)?.ok_or_else(|| fault(StoreError::BadState))?;
                if state.shape != shape {
                    return refuse(HostError::CollectionShape);
                }
                self.entries_of(Some(&state))?
            }
            None => {
                let empty = CollectionState::empty(shape).encode().to_vec();
                self.known_mut(handle)?.entries.insert(key.clone(), empty);
                BTreeMap::new()
            }
        };
        let parent = Parent::Key { handle, key };
        let child = self.open.open(OpenCollection {
            shape,
            entries,
            parent,
            depth: depth + 1,
            modified: false,
            dropped: false,
        });
        answer(child.into())
    }
}
