//! Collection vmcalls: open a slot's collection or a nested one, and get, insert, remove, push, pop,
//! count and walk — each with its checks in the documented order, page gas when it modifies, and
//! work gas by the collection's length before the work (`docs/consensus.md`, Collections).

use super::HostError;
use super::env::{ExecutionEnv, Fault, VmcallTrap, run};
use super::registry::VmcallSpec;
use crate::storage::collections::{CollectionError, Parent};
use svm_core::collection_state::{CollectionKind, CollectionState, MAX_COLLECTION_DEPTH, NONE_PTR, Shape, ValueKind};
use svm_core::gas::collection_prices::{read_work, write_work};
use wasmer::{FunctionEnvMut, StoreMut};

type Env<'a> = FunctionEnvMut<'a, ExecutionEnv>;

impl From<CollectionError> for Fault {
    fn from(e: CollectionError) -> Fault {
        Fault::Node(e.to_string())
    }
}

/// What a known handle's collection is: its shape, length and depth.
fn known(env: &ExecutionEnv, handle: u32) -> Result<(Shape, u64, u32), Fault> {
    let entry = env
        .collections
        .get(handle)
        .ok_or_else(|| Fault::host(HostError::UnknownCollection, format!("no open collection {handle}")))?;
    Ok((entry.shape, entry.length, entry.depth))
}

fn shape_of(kind: u32, key_width: u32, value_kind: u32) -> Result<Shape, Fault> {
    Shape::from_args(kind, key_width, value_kind).ok_or_else(|| {
        Fault::host(
            HostError::CollectionShape,
            format!("({kind}, {key_width}, {value_kind}) is not a collection shape"),
        )
    })
}

fn same_shape(found: Shape, asked: Shape) -> Result<(), Fault> {
    if found != asked {
        return Err(Fault::host(HostError::CollectionShape, format!("the collection is {found:?}, not {asked:?}")));
    }
    Ok(())
}

fn byte_values(shape: Shape) -> Result<(), Fault> {
    if shape.values != ValueKind::Bytes {
        return Err(Fault::host(HostError::CollectionValueKind, "the collection's values are collections"));
    }
    Ok(())
}

fn list_only(shape: Shape, yes: bool) -> Result<(), Fault> {
    if (shape.kind == CollectionKind::List) != yes {
        return Err(Fault::host(
            HostError::CollectionOperation,
            format!("not an operation of a {}", shape.kind.name()),
        ));
    }
    Ok(())
}

fn value_fits(shape: Shape, len: u32) -> Result<(), Fault> {
    if len > shape.max_value_bytes() {
        let max = shape.max_value_bytes();
        return Err(Fault::host(
            HostError::CollectionValueTooLarge,
            format!("{len} bytes; a {} takes {max}", shape.kind.name()),
        ));
    }
    Ok(())
}

/// A list key's index must be below `end`.
fn index_below(shape: Shape, key: &[u8], end: u64) -> Result<(), Fault> {
    if shape.kind == CollectionKind::List {
        let index = u64::from_be_bytes(key.try_into().map_err(|_| Fault::Node("a list key is not 8 bytes".into()))?);
        if index >= end {
            return Err(Fault::host(HostError::CollectionIndex, format!("index {index} of a list of {end}")));
        }
    }
    Ok(())
}

/// Marks `handle` and its ancestors modified, paying for the top slot's page as a storage write.
fn modify(env: &mut ExecutionEnv, store: &mut StoreMut<'_>, handle: u32) -> Result<(), Fault> {
    let slot = env.collections.top_slot(handle);
    let page = env.storage()?.slot_page(slot)?;
    env.pay_page(store, page, true)?;
    env.collections.mark_modified(handle);
    Ok(())
}

/// Copies the first `cap` bytes of `value` to `ptr` (the range was checked); the value's length.
fn copy_out(env: &mut ExecutionEnv, store: &mut StoreMut<'_>, ptr: u32, cap: u32, value: &[u8]) -> Result<i32, Fault> {
    let n = value.len().min(cap as usize);
    env.note(value);
    env.write_memory(store, ptr, &value[..n])?;
    Ok(value.len() as i32)
}

/// `collection_open(slot, kind, key_width, value_kind) -> handle`.
pub fn open(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    slot: i32,
    kind: i32,
    width: i32,
    values: i32,
) -> Result<i32, VmcallTrap> {
    let (slot, kind, width, values) = (slot as u32, kind as u32, width as u32, values as u32);
    run(e, spec, &[slot.into(), kind.into(), width.into(), values.into()], 0, |env, store| {
        let page = env.storage()?.slot_page(slot)?;
        let shape = shape_of(kind, width, values)?;
        if let Some(handle) = env.collections.find(&Parent::Slot(slot)) {
            same_shape(known(env, handle)?.0, shape)?;
            return Ok(handle as i32);
        }
        room(env)?;
        env.pay_page(store, page, false)?;
        let bytes = env.storage()?.read_slot(slot)?;
        let state = CollectionState::decode(&bytes).map_err(|_| Fault::Node(format!("slot {slot} holds no state")))?;
        if let Some(state) = state {
            same_shape(state.shape, shape)?;
        }
        Ok(env.collections.open(shape, Parent::Slot(slot), 1, state)? as i32)
    })
}

fn room(env: &ExecutionEnv) -> Result<(), Fault> {
    if !env.collections.has_room() {
        return Err(Fault::host(HostError::TooManyCollections, format!("{} collections open", env.collections.len())));
    }
    Ok(())
}

/// `collection_open_nested(handle, key_ptr, kind, key_width, value_kind) -> handle`.
pub fn open_nested(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    handle: i32,
    key_ptr: i32,
    kind: i32,
    width: i32,
    values: i32,
) -> Result<i32, VmcallTrap> {
    let (handle, key_ptr, kind, width, values) =
        (handle as u32, key_ptr as u32, kind as u32, width as u32, values as u32);
    run(e, spec, &[handle.into(), key_ptr.into(), kind.into(), width.into(), values.into()], 0, |env, store| {
        let (parent, length, depth) = known(env, handle)?;
        if parent.values != ValueKind::Collection {
            return Err(Fault::host(HostError::CollectionValueKind, "the collection's values are bytes"));
        }
        if depth >= MAX_COLLECTION_DEPTH {
            return Err(Fault::host(
                HostError::CollectionDepth,
                format!("a collection at depth {depth} has no children"),
            ));
        }
        let shape = shape_of(kind, width, values)?;
        let key = env.read_memory(store, key_ptr, parent.key_width.into())?;
        index_below(parent, &key, length.saturating_add(1))?;
        let at = Parent::Child { handle, key: key.clone() };
        if let Some(child) = env.collections.find(&at) {
            same_shape(known(env, child)?.0, shape)?;
            return Ok(child as i32);
        }
        room(env)?;
        modify(env, store, handle)?;
        env.charge(store, read_work(length).saturating_add(write_work(length)))?;
        let state = match env.collections.lookup(handle, &key)? {
            Some(bytes) => {
                let state = CollectionState::decode(&bytes).ok().flatten().ok_or(CollectionError::CorruptState)?;
                same_shape(state.shape, shape)?;
                Some(state)
            }
            None => {
                env.collections.insert(handle, &key, &CollectionState::empty(shape).encode())?;
                None
            }
        };
        Ok(env.collections.open(shape, at, depth + 1, state)? as i32)
    })
}

/// `collection_get(handle, key_ptr, value_ptr, value_cap) -> len or -1`.
pub fn get(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    handle: i32,
    key_ptr: i32,
    ptr: i32,
    cap: i32,
) -> Result<i32, VmcallTrap> {
    let (handle, key_ptr, ptr, cap) = (handle as u32, key_ptr as u32, ptr as u32, cap as u32);
    run(e, spec, &[handle.into(), key_ptr.into(), ptr.into(), cap.into()], cap.into(), |env, store| {
        let (shape, length, _) = known(env, handle)?;
        byte_values(shape)?;
        let key = env.read_memory(store, key_ptr, shape.key_width.into())?;
        env.check_memory(store, ptr, cap)?;
        env.charge(store, read_work(length))?;
        match env.collections.lookup(handle, &key)? {
            None => Ok(-1),
            Some(value) => copy_out(env, store, ptr, cap, &value),
        }
    })
}

/// `collection_insert(handle, key_ptr, value_ptr, value_len) -> 1 replaced / 0 new`.
pub fn insert(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    handle: i32,
    key_ptr: i32,
    ptr: i32,
    len: i32,
) -> Result<i32, VmcallTrap> {
    let (handle, key_ptr, ptr, len) = (handle as u32, key_ptr as u32, ptr as u32, len as u32);
    run(e, spec, &[handle.into(), key_ptr.into(), ptr.into(), len.into()], len.into(), |env, store| {
        let (shape, length, _) = known(env, handle)?;
        byte_values(shape)?;
        value_fits(shape, len)?;
        let key = env.read_memory(store, key_ptr, shape.key_width.into())?;
        let value = env.read_memory(store, ptr, len)?;
        index_below(shape, &key, length)?;
        modify(env, store, handle)?;
        env.charge(store, write_work(length))?;
        env.note(&value);
        Ok(env.collections.insert(handle, &key, &value)? as i32)
    })
}

/// `collection_remove(handle, key_ptr) -> 1 removed / 0 absent`.
pub fn remove(e: &mut Env<'_>, spec: &'static VmcallSpec, handle: i32, key_ptr: i32) -> Result<i32, VmcallTrap> {
    let (handle, key_ptr) = (handle as u32, key_ptr as u32);
    run(e, spec, &[handle.into(), key_ptr.into()], 0, |env, store| {
        let (shape, length, _) = known(env, handle)?;
        list_only(shape, false)?;
        let key = env.read_memory(store, key_ptr, shape.key_width.into())?;
        modify(env, store, handle)?;
        env.charge(store, write_work(length))?;
        Ok(env.collections.remove(handle, &key)?.is_some() as i32)
    })
}

/// `collection_push(handle, value_ptr, value_len) -> index`.
pub fn push(e: &mut Env<'_>, spec: &'static VmcallSpec, handle: i32, ptr: i32, len: i32) -> Result<i64, VmcallTrap> {
    let (handle, ptr, len) = (handle as u32, ptr as u32, len as u32);
    run(e, spec, &[handle.into(), ptr.into(), len.into()], len.into(), |env, store| {
        let (shape, length, _) = known(env, handle)?;
        list_only(shape, true)?;
        byte_values(shape)?;
        value_fits(shape, len)?;
        let value = env.read_memory(store, ptr, len)?;
        modify(env, store, handle)?;
        env.charge(store, write_work(length))?;
        env.note(&value);
        Ok(env.collections.push(handle, &value)? as i64)
    })
}

/// `collection_pop(handle, value_ptr, value_cap) -> len or -1`.
pub fn pop(e: &mut Env<'_>, spec: &'static VmcallSpec, handle: i32, ptr: i32, cap: i32) -> Result<i32, VmcallTrap> {
    let (handle, ptr, cap) = (handle as u32, ptr as u32, cap as u32);
    run(e, spec, &[handle.into(), ptr.into(), cap.into()], cap.into(), |env, store| {
        let (shape, length, _) = known(env, handle)?;
        list_only(shape, true)?;
        env.check_memory(store, ptr, cap)?;
        modify(env, store, handle)?;
        env.charge(store, write_work(length))?;
        match env.collections.pop(handle)? {
            None => Ok(-1),
            Some(_) if shape.values == ValueKind::Collection => Ok(0),
            Some(value) => copy_out(env, store, ptr, cap, &value),
        }
    })
}

/// `collection_len(handle) -> length`.
pub fn len(e: &mut Env<'_>, spec: &'static VmcallSpec, handle: i32) -> Result<i64, VmcallTrap> {
    let handle = handle as u32;
    run(e, spec, &[handle.into()], 0, |env, _| Ok(known(env, handle)?.1 as i64))
}

/// `collection_next(handle, after_ptr, bound_ptr, key_out_ptr) -> 1 / 0`.
pub fn next(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    handle: i32,
    after: i32,
    bound: i32,
    out: i32,
) -> Result<i32, VmcallTrap> {
    let (handle, after, bound, out) = (handle as u32, after as u32, bound as u32, out as u32);
    run(e, spec, &[handle.into(), after.into(), bound.into(), out.into()], 0, |env, store| {
        let (shape, length, _) = known(env, handle)?;
        let width = u32::from(shape.key_width);
        let after = if after == NONE_PTR { None } else { Some(env.read_memory(store, after, width)?) };
        let bound = if bound == NONE_PTR { None } else { Some(env.read_memory(store, bound, width)?) };
        env.check_memory(store, out, width)?;
        env.charge(store, read_work(length).saturating_mul(2))?;
        match env.collections.next(handle, after.as_deref(), bound.as_deref())? {
            None => Ok(0),
            Some(key) => {
                env.note(&key);
                env.write_memory(store, out, &key)?;
                Ok(1)
            }
        }
    })
}
