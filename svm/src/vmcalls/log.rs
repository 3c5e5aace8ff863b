//! The log vmcall.

use super::HostError;
use super::env::{ExecutionEnv, Fault, VmcallTrap, run};
use super::registry::VmcallSpec;
use wasmer::FunctionEnvMut;

/// `log(mem_ptr, len)`.
pub fn log(
    e: &mut FunctionEnvMut<'_, ExecutionEnv>,
    spec: &'static VmcallSpec,
    ptr: i32,
    len: i32,
) -> Result<(), VmcallTrap> {
    let (ptr, len) = (ptr as u32, len as u32);
    run(e, spec, &[ptr.into(), len.into()], len.into(), |env, store| {
        if env.logs_so_far() >= env.limits.max_logs as usize {
            return Err(Fault::host(HostError::TooManyLogs, format!("at most {} entries", env.limits.max_logs)));
        }
        if len > env.limits.max_log_bytes {
            let max = env.limits.max_log_bytes;
            return Err(Fault::host(HostError::LogTooLarge, format!("{len} bytes; at most {max}")));
        }
        let entry = env.planted_log(env.read_memory(store, ptr, len)?);
        env.note(&entry);
        env.logs.push(entry);
        Ok(())
    })
}
