//! The call vmcalls `contract_call` and `call_result`, from `docs/consensus.md` (Calls). The price
//! `2,000 + func_len + 9 × args_count + data_len` (or `10 + len`) is already paid ([`super::price`]).
//!
//! `contract_call` first checks the caller's own input — its bounds, memory, decoding, then the
//! transaction's call count — each a host error that ends the caller; then forwards gas and has the
//! transaction's call tree run the callee ([`crate::chain::frames`]), whose outcome comes back as a
//! status. A successful callee's logs, events and call records are appended to the caller's.

use super::{Args, ExecutionContext, memory_range, refuse};
use crate::chain::frames::FrameCall;
use crate::host::{Meter, Stop};
use svm_core::call::{CallRecord, MAX_CALLS, VALUE_SLOT_BYTES, call_result, forwarded_gas, slot_value, status};
use svm_core::codec::bounds::MAX_FUNCTION_NAME_BYTES;
use svm_core::outcome::Outcome;
use svm_core::vmcalls::HostError;
use svm_core::{Address, Value};

impl ExecutionContext<'_> {
    /// `contract_call(callee_ptr, func_ptr, func_len, args_ptr, args_count, data_ptr, data_len, value,
    /// gas) -> status` (its price paid).
    pub(super) fn contract_call(
        &mut self,
        a: &Args<'_>,
        mut memory: Option<&mut Vec<u8>>,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        let (callee_ptr, func_ptr, func_len, args_ptr, args_count, data_ptr, data_len) =
            (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4), a.u32(5), a.u32(6));
        let (value, gas) = (a.i64(7) as u64, a.i64(8) as u64);
        // 1: the bounds of the input.
        if func_len > MAX_FUNCTION_NAME_BYTES
            || args_count > self.limits.max_params
            || data_len > self.limits.max_calldata_bytes
        {
            return refuse(HostError::CallInput);
        }
        // 2: memory, callee, function name, arguments, data, in that order.
        let callee = memory_range(memory.as_deref_mut(), callee_ptr, 20)?.to_vec();
        let name = memory_range(memory.as_deref_mut(), func_ptr, func_len.into())?.to_vec();
        let slots_len = VALUE_SLOT_BYTES as u64 * u64::from(args_count);
        let slots = memory_range(memory.as_deref_mut(), args_ptr, slots_len)?.to_vec();
        let data = memory_range(memory, data_ptr, data_len.into())?.to_vec();
        // 3: decoding: a UTF-8 name and well-formed value slots.
        let callee = Address(callee.try_into().map_err(|_| Stop::Fault("an address is 20 bytes".into()))?);
        let function = String::from_utf8(name).map_err(|_| Stop::Host(HostError::CallInput))?;
        let args = slots
            .chunks_exact(VALUE_SLOT_BYTES)
            .map(slot_value)
            .collect::<Option<Vec<Value>>>()
            .ok_or(Stop::Host(HostError::CallInput))?;
        // 4: the transaction's call count, failed calls included.
        let tree = self.chain.tree();
        if tree.calls_made() >= MAX_CALLS {
            return refuse(HostError::TooManyCalls);
        }
        tree.count_call();
        // Gas forwarding: the callee's limit leaves the caller now; what it does not use comes back.
        let forwarded = forwarded_gas(meter.remaining, gas);
        meter.remaining -= forwarded;
        let depth = self.depth + 1;
        let end = tree
            .call(FrameCall {
                caller: self.env.contract,
                contract: callee,
                function: &function,
                args: &args,
                calldata: &data,
                value,
                gas_limit: forwarded,
                stack_used: self.stack_used,
                depth,
                logs_before: self.logs_before + self.logs.len(),
                events_before: self.events_before + self.events.len(),
            })
            .map_err(Stop::Fault)?;
        let unused = forwarded
            .checked_sub(end.gas_used)
            .ok_or_else(|| Stop::Fault(format!("a callee used {} of {forwarded} gas", end.gas_used)))?;
        meter.remaining += unused;
        self.calls.push(CallRecord {
            depth: u8::try_from(depth).unwrap_or(u8::MAX),
            caller: self.env.contract,
            callee,
            function,
            outcome: end.outcome,
            gas_used: end.gas_used,
            value,
        });
        if end.outcome == Outcome::Success {
            self.call_result = call_result(&end.returns, &end.effects.returndata);
            self.logs.extend(end.effects.logs);
            self.events.extend(end.effects.events);
            self.calls.extend(end.effects.calls);
        } else {
            self.call_result.clear();
        }
        Ok(vec![Value::I32(status(end.outcome))])
    }

    /// `call_result(ptr, offset, len) -> total` (its price paid): copies up to `len` bytes of the call
    /// result from `offset` to `ptr` and returns its length.
    pub(super) fn call_result_copy(&mut self, a: &Args<'_>, memory: Option<&mut Vec<u8>>) -> Result<Vec<Value>, Stop> {
        let (ptr, offset, len) = (a.u32(0), a.u32(1), a.u32(2));
        let target = memory_range(memory, ptr, len.into())?;
        let total = self.call_result.len();
        let start = (offset as usize).min(total);
        let n = (len as usize).min(total - start);
        target[..n].copy_from_slice(&self.call_result[start..start + n]);
        Ok(vec![Value::I32(total as u32 as i32)])
    }
}
