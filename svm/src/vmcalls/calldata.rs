//! Calldata and returndata vmcalls.

use super::HostError;
use super::env::{ExecutionEnv, Fault, VmcallTrap, run};
use super::registry::VmcallSpec;
use wasmer::FunctionEnvMut;

type Env<'a> = FunctionEnvMut<'a, ExecutionEnv>;

/// `calldata_len() -> len`.
pub fn len(e: &mut Env<'_>, spec: &'static VmcallSpec) -> Result<i32, VmcallTrap> {
    run(e, spec, &[], 0, |env, _| Ok(env.calldata.len() as i32))
}

/// `calldata_copy(offset, len, mem_ptr)`.
pub fn copy(e: &mut Env<'_>, spec: &'static VmcallSpec, offset: i32, len: i32, ptr: i32) -> Result<(), VmcallTrap> {
    let (offset, len, ptr) = (offset as u32, len as u32, ptr as u32);
    run(e, spec, &[offset.into(), len.into(), ptr.into()], len.into(), |env, store| {
        let (start, end) = (offset as usize, offset as usize + len as usize);
        let bytes = env.calldata.get(start..end).ok_or_else(|| {
            Fault::host(HostError::CalldataOutOfRange, format!("{offset}+{len} past {}", env.calldata.len()))
        })?;
        env.write_memory(store, ptr, bytes)?;
        let bytes = bytes.to_vec();
        env.note(&bytes);
        Ok(())
    })
}

/// `returndata_set(mem_ptr, len)`.
pub fn set(e: &mut Env<'_>, spec: &'static VmcallSpec, ptr: i32, len: i32) -> Result<(), VmcallTrap> {
    let (ptr, len) = (ptr as u32, len as u32);
    run(e, spec, &[ptr.into(), len.into()], len.into(), |env, store| {
        if len > env.limits.max_returndata_bytes {
            let max = env.limits.max_returndata_bytes;
            return Err(Fault::host(HostError::ReturndataTooLarge, format!("{len} bytes; at most {max}")));
        }
        env.returndata = env.read_memory(store, ptr, len)?;
        let returndata = std::mem::take(&mut env.returndata);
        env.note(&returndata);
        env.returndata = returndata;
        Ok(())
    })
}
