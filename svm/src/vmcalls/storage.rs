//! Storage vmcalls: page-slice reads and writes, to and from memory, registers and integers.

use super::HostError;
use super::env::{ExecutionEnv, Fault, VmcallTrap, run};
use super::registry::VmcallSpec;
use crate::registers::RegisterFile;
use wasmer::{FunctionEnvMut, StoreMut};

type Env<'a> = FunctionEnvMut<'a, ExecutionEnv>;

/// `storage_read_to_mem(slice, offset, len, mem_ptr)`.
pub fn read_to_mem(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    slice: i32,
    offset: i32,
    len: i32,
    ptr: i32,
) -> Result<(), VmcallTrap> {
    let (slice, offset, len, ptr) = (slice as u32, offset as u32, len as u32, ptr as u32);
    run(e, spec, &[slice.into(), offset.into(), len.into(), ptr.into()], len.into(), |env, store| {
        let bytes = read_slice(env, store, slice, offset, len)?;
        env.write_memory(store, ptr, &bytes)
    })
}

/// `storage_write_from_mem(slice, offset, len, mem_ptr)`.
pub fn write_from_mem(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    slice: i32,
    offset: i32,
    len: i32,
    ptr: i32,
) -> Result<(), VmcallTrap> {
    let (slice, offset, len, ptr) = (slice as u32, offset as u32, len as u32, ptr as u32);
    run(e, spec, &[slice.into(), offset.into(), len.into(), ptr.into()], len.into(), |env, store| {
        env.storage()?.check_range(slice, offset, len as usize)?;
        let bytes = env.read_memory(store, ptr, len)?;
        env.store(store, slice, offset, bytes)
    })
}

/// `storage_read_to_reg(slice, offset, len, bits, reg)`.
pub fn read_to_reg(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    slice: i32,
    offset: i32,
    len: i32,
    bits: i32,
    reg: i32,
) -> Result<(), VmcallTrap> {
    let (slice, offset, len, bits, reg) = (slice as u32, offset as u32, len as u32, bits as u32, reg as u32);
    run(e, spec, &[slice.into(), offset.into(), len.into(), bits.into(), reg.into()], len.into(), |env, store| {
        env.registers.get(bits, reg)?;
        fits_register(bits, len)?;
        let bytes = read_slice(env, store, slice, offset, len)?;
        Ok(env.registers.set(bits, reg, &bytes)?)
    })
}

/// `storage_write_from_reg(slice, offset, len, bits, reg)`.
pub fn write_from_reg(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    slice: i32,
    offset: i32,
    len: i32,
    bits: i32,
    reg: i32,
) -> Result<(), VmcallTrap> {
    let (slice, offset, len, bits, reg) = (slice as u32, offset as u32, len as u32, bits as u32, reg as u32);
    run(e, spec, &[slice.into(), offset.into(), len.into(), bits.into(), reg.into()], len.into(), |env, store| {
        fits_register(bits, len)?;
        let bytes = env.registers.read(bits, reg)?[..len as usize].to_vec();
        env.store(store, slice, offset, bytes)
    })
}

/// `storage_read_i32(slice) -> value`.
pub fn read_i32(e: &mut Env<'_>, spec: &'static VmcallSpec, slice: i32) -> Result<i32, VmcallTrap> {
    let slice = slice as u32;
    run(e, spec, &[slice.into()], 0, |env, store| Ok(read_integer(env, store, slice, 4)? as u32 as i32))
}

/// `storage_read_i64(slice) -> value`.
pub fn read_i64(e: &mut Env<'_>, spec: &'static VmcallSpec, slice: i32) -> Result<i64, VmcallTrap> {
    let slice = slice as u32;
    run(e, spec, &[slice.into()], 0, |env, store| Ok(read_integer(env, store, slice, 8)? as i64))
}

/// `storage_write_i32(slice, value)`.
pub fn write_i32(e: &mut Env<'_>, spec: &'static VmcallSpec, slice: i32, value: i32) -> Result<(), VmcallTrap> {
    let slice = slice as u32;
    run(e, spec, &[slice.into(), value.into()], 0, |env, store| {
        write_integer(env, store, slice, u64::from(value as u32), 4)
    })
}

/// `storage_write_i64(slice, value)`.
pub fn write_i64(e: &mut Env<'_>, spec: &'static VmcallSpec, slice: i32, value: i64) -> Result<(), VmcallTrap> {
    let slice = slice as u32;
    run(e, spec, &[slice.into(), value], 0, |env, store| write_integer(env, store, slice, value as u64, 8))
}

/// `storage_slice_len(slice) -> len`.
pub fn slice_len(e: &mut Env<'_>, spec: &'static VmcallSpec, slice: i32) -> Result<i32, VmcallTrap> {
    let slice = slice as u32;
    run(e, spec, &[slice.into()], 0, |env, _| {
        let len = env.storage()?.slice_len(slice)?;
        Ok(env.planted_slice_len(len) as i32)
    })
}

/// `len` bytes of the slice from `offset`, range-checked before anything is allocated.
fn read_slice(
    env: &mut ExecutionEnv,
    store: &mut StoreMut<'_>,
    slice: u32,
    offset: u32,
    len: u32,
) -> Result<Vec<u8>, Fault> {
    env.storage()?.check_range(slice, offset, len as usize)?;
    let mut bytes = vec![0; len as usize];
    env.load(store, slice, offset, &mut bytes)?;
    Ok(bytes)
}

fn fits_register(bits: u32, len: u32) -> Result<(), Fault> {
    let width = RegisterFile::width(bits)?;
    if len as usize > width {
        return Err(Fault::host(HostError::RegisterWidth, format!("{len} bytes into a {bits}-bit register")));
    }
    Ok(())
}

/// The slice as a little-endian unsigned integer, if it is at most `max_bytes` long.
fn read_integer(env: &mut ExecutionEnv, store: &mut StoreMut<'_>, slice: u32, max_bytes: u32) -> Result<u64, Fault> {
    let len = env.storage()?.slice_len(slice)?;
    if len > max_bytes {
        return Err(Fault::host(
            HostError::SliceTooWide,
            format!("slice {slice} has {len} bytes; at most {max_bytes}"),
        ));
    }
    let mut buf = [0u8; 8];
    env.load(store, slice, 0, &mut buf[..len as usize])?;
    Ok(u64::from_le_bytes(buf))
}

/// Stores the low bytes of `value`, little-endian, filling the slice (at most `max_bytes` long).
fn write_integer(
    env: &mut ExecutionEnv,
    store: &mut StoreMut<'_>,
    slice: u32,
    value: u64,
    max_bytes: u32,
) -> Result<(), Fault> {
    let len = env.storage()?.slice_len(slice)?;
    if len > max_bytes {
        return Err(Fault::host(
            HostError::SliceTooWide,
            format!("slice {slice} has {len} bytes; at most {max_bytes}"),
        ));
    }
    env.store(store, slice, 0, value.to_le_bytes()[..len as usize].to_vec())
}
