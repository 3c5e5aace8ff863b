//! The call vmcalls: `contract_call` runs another contract's export in a frame of its own and returns the
//! callee's outcome as a status; `call_result` reads what the last successful call returned.

use super::HostError;
use super::env::{ExecutionEnv, Fault, VmcallTrap, run};
use super::registry::VmcallSpec;
use crate::Address;
use crate::call::{self, CallRecord, MAX_CALLS, VALUE_SLOT_BYTES};
use crate::codec::bounds::MAX_FUNCTION_NAME_BYTES;
use crate::runtime::calls::{CallRequest, call};
use wasmer::{FunctionEnvMut, Value as WasmValue};

type Env<'a> = FunctionEnvMut<'a, ExecutionEnv>;

fn input(detail: impl Into<String>) -> Fault {
    Fault::host(HostError::CallInput, detail)
}

/// `contract_call(callee_ptr, func_ptr, func_len, args_ptr, args_count, data_ptr, data_len, value, gas) -> status`.
#[allow(clippy::too_many_arguments)]
pub fn contract_call(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    callee_ptr: i32,
    func_ptr: i32,
    func_len: i32,
    args_ptr: i32,
    args_count: i32,
    data_ptr: i32,
    data_len: i32,
    value: i64,
    gas: i64,
) -> Result<i32, VmcallTrap> {
    let [callee_ptr, func_ptr, func_len, args_ptr, args_count, data_ptr, data_len] =
        [callee_ptr, func_ptr, func_len, args_ptr, args_count, data_ptr, data_len].map(|a| a as u32);
    let traced = [callee_ptr, func_ptr, func_len, args_ptr, args_count, data_ptr, data_len].map(i64::from);
    let mut args_traced = traced.to_vec();
    args_traced.extend([value, gas]);
    let (value, gas) = (value as u64, gas as u64);
    let bytes = call::priced_bytes(func_len, args_count, data_len);
    run(e, spec, &args_traced, bytes, |env, store| {
        if func_len > MAX_FUNCTION_NAME_BYTES {
            return Err(input(format!("function name of {func_len} bytes; at most {MAX_FUNCTION_NAME_BYTES}")));
        }
        if args_count > env.limits.max_params {
            return Err(input(format!("{args_count} arguments; at most {}", env.limits.max_params)));
        }
        if data_len > env.limits.max_calldata_bytes {
            return Err(input(format!("{data_len} calldata bytes; at most {}", env.limits.max_calldata_bytes)));
        }
        let callee = env.read_memory(store, callee_ptr, 20)?;
        let name = env.read_memory(store, func_ptr, func_len)?;
        let slots = env.read_memory(store, args_ptr, args_count * VALUE_SLOT_BYTES as u32)?;
        let calldata = env.read_memory(store, data_ptr, data_len)?;
        let function = String::from_utf8(name).map_err(|_| input("the function name is not UTF-8"))?;
        let args = slots
            .chunks(VALUE_SLOT_BYTES)
            .map(call::slot_value)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| input("an argument slot with an unknown type or dirty upper bytes"))?;
        let callee = Address(callee.try_into().map_err(|_| Fault::Node("callee address is not 20 bytes".into()))?);
        let frame = env.frame.as_ref().ok_or_else(|| Fault::Node("no transaction to call from".into()))?;
        let host = frame.host.clone();
        {
            let mut h = host.lock().map_err(|_| Fault::Node("transaction state lock poisoned".into()))?;
            if h.calls_made >= MAX_CALLS {
                return Err(Fault::host(HostError::TooManyCalls, format!("at most {MAX_CALLS} calls a transaction")));
            }
            h.calls_made += 1;
        }
        let stack_used = match frame.stack_used.as_ref().map(|g| g.get(store)) {
            Some(WasmValue::I32(used)) => used as u32,
            _ => 0,
        };
        let meter = env.meter.clone().ok_or_else(|| Fault::Node("instance has no gas meter".into()))?;
        let avail = meter.remaining(store);
        let forwarded = call::forwarded_gas(avail, gas);
        meter.set(store, avail - forwarded);
        let depth = frame.depth + 1;
        let request = CallRequest {
            caller: env.context.contract,
            callee,
            function: function.clone(),
            args,
            calldata,
            value,
            forwarded,
            depth,
            stack_used,
            inherited: (env.logs_so_far(), env.events_so_far()),
        };
        let end = call(&host, request).map_err(|e| Fault::Node(format!("call: {e}")))?;
        let receipt = end.receipt;
        let used = receipt.gas_used.min(forwarded);
        let left = meter.remaining(store);
        meter.set(store, left + (forwarded - used));
        if let Some(stats) = &end.stats {
            for (mine, theirs) in env.calls.iter_mut().zip(&stats.vmcalls) {
                *mine = mine.saturating_add(*theirs);
            }
        }
        if let Some(trace) = env.trace.as_mut() {
            trace.extend(end.trace);
        }
        let record = CallRecord {
            depth: depth as u8,
            caller: env.context.contract,
            callee,
            function,
            outcome: receipt.outcome,
            gas_used: used,
            value,
        };
        let status = call::status(receipt.outcome);
        let frame = env.frame.as_mut().ok_or_else(|| Fault::Node("no transaction to call from".into()))?;
        frame.records.push(record);
        if receipt.outcome.is_success() {
            frame.records.extend(receipt.calls);
            frame.last_result = call::call_result(&receipt.returns, &receipt.returndata);
            env.logs.extend(receipt.logs);
            env.events.extend(receipt.events);
        } else {
            frame.last_result.clear();
        }
        Ok(status)
    })
}

/// `call_result(ptr, offset, len) -> total`.
pub fn call_result(
    e: &mut Env<'_>,
    spec: &'static VmcallSpec,
    ptr: i32,
    offset: i32,
    len: i32,
) -> Result<i32, VmcallTrap> {
    let (ptr, offset, len) = (ptr as u32, offset as u32, len as u32);
    run(e, spec, &[ptr.into(), offset.into(), len.into()], len.into(), |env, store| {
        env.check_memory(store, ptr, len)?;
        let result = env.frame.as_ref().map(|f| f.last_result.clone()).unwrap_or_default();
        let start = (offset as usize).min(result.len());
        let end = start + (len as usize).min(result.len() - start);
        env.write_memory(store, ptr, &result[start..end])?;
        env.note(&result[start..end]);
        Ok(result.len() as i32)
    })
}
