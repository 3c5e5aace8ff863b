//! Register vmcalls: set, get, copy and compare.

use super::env::{ExecutionEnv, VmcallTrap, run};
use super::registry::VmcallSpec;
use crate::registers::RegisterFile;
use wasmer::FunctionEnvMut;

type Env<'a> = FunctionEnvMut<'a, ExecutionEnv>;

/// The width in bytes of a class, or 0 when there is no such class (the vmcall then fails).
fn width(bits: u32) -> u64 {
    RegisterFile::width(bits).map_or(0, |w| w as u64)
}

/// `reg_set_from_mem(bits, reg, mem_ptr)`.
pub fn set_from_mem(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    bits: i32,
    reg: i32,
    ptr: i32,
) -> Result<(), VmcallTrap> {
    let (bits, reg, ptr) = (bits as u32, reg as u32, ptr as u32);
    run(e, spec, &[bits.into(), reg.into(), ptr.into()], width(bits), |env, store| {
        let len = env.registers.get(bits, reg)?.len() as u32;
        let bytes = env.read_memory(store, ptr, len)?;
        Ok(env.registers.set(bits, reg, &bytes)?)
    })
}

/// `reg_get_to_mem(bits, reg, mem_ptr)`.
pub fn get_to_mem(e: &mut Env<'_>, spec: &'static VmcallSpec, bits: i32, reg: i32, ptr: i32) -> Result<(), VmcallTrap> {
    let (bits, reg, ptr) = (bits as u32, reg as u32, ptr as u32);
    run(e, spec, &[bits.into(), reg.into(), ptr.into()], width(bits), |env, store| {
        let bytes = env.registers.read(bits, reg)?.to_vec();
        env.write_memory(store, ptr, &bytes)
    })
}

/// `reg_set_i64(bits, reg, value)`.
pub fn set_i64(e: &mut Env<'_>, spec: &'static VmcallSpec, bits: i32, reg: i32, value: i64) -> Result<(), VmcallTrap> {
    let (bits, reg) = (bits as u32, reg as u32);
    run(e, spec, &[bits.into(), reg.into(), value], 0, |env, _| {
        let n = env.registers.get(bits, reg)?.len().min(8);
        Ok(env.registers.set(bits, reg, &value.to_le_bytes()[..n])?)
    })
}

/// `reg_get_i64(bits, reg) -> value`.
pub fn get_i64(e: &mut Env<'_>, spec: &'static VmcallSpec, bits: i32, reg: i32) -> Result<i64, VmcallTrap> {
    let (bits, reg) = (bits as u32, reg as u32);
    run(e, spec, &[bits.into(), reg.into()], 0, |env, _| {
        let bytes = env.registers.read(bits, reg)?;
        let mut low = [0u8; 8];
        let n = bytes.len().min(8);
        low[..n].copy_from_slice(&bytes[..n]);
        Ok(i64::from_le_bytes(low))
    })
}

/// `reg_copy(bits, src, dst)`.
pub fn copy(e: &mut Env<'_>, spec: &'static VmcallSpec, bits: i32, src: i32, dst: i32) -> Result<(), VmcallTrap> {
    let (bits, src, dst) = (bits as u32, src as u32, dst as u32);
    run(e, spec, &[bits.into(), src.into(), dst.into()], width(bits), |env, _| {
        let value = env.registers.read(bits, src)?.to_vec();
        Ok(env.registers.set(bits, dst, &value)?)
    })
}

/// `reg_cmp(bits, a, b) -> -1|0|1`.
pub fn cmp(e: &mut Env<'_>, spec: &'static VmcallSpec, bits: i32, a: i32, b: i32) -> Result<i32, VmcallTrap> {
    let (bits, a, b) = (bits as u32, a as u32, b as u32);
    run(e, spec, &[bits.into(), a.into(), b.into()], width(bits), |env, _| {
        let x = env.registers.read(bits, a)?.to_vec();
        let y = env.registers.read(bits, b)?;
        // Unsigned little-endian integers: the most significant byte is the last.
        Ok(match x.iter().rev().cmp(y.iter().rev()) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        })
    })
}
