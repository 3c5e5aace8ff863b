//! A call from one contract to another (`docs/consensus.md`, Calls): the checks that refuse it before any
//! frame runs, the provisional value move, the callee's frame, and all-or-nothing: a callee that succeeds
//! keeps its writes as part of its caller's, one that fails leaves none of them (nor its value move).

use super::RuntimeError;
use super::frame::{FrameCall, FrameEnd, run_frame};
use super::tx_host::{SharedHost, lock};
use crate::outcome::{Outcome, Refusal};
use crate::receipt::Receipt;
use crate::{Address, Value};

/// A call as the caller made it, after its own checks and gas forwarding.
pub(crate) struct CallRequest {
    /// The calling contract.
    pub caller: Address,
    /// The called contract.
    pub callee: Address,
    /// The exported function.
    pub function: String,
    /// Its arguments.
    pub args: Vec<Value>,
    /// The calldata.
    pub calldata: Vec<u8>,
    /// The value to move from the caller to the callee.
    pub value: u64,
    /// The gas the callee gets.
    pub forwarded: u64,
    /// The callee frame's depth.
    pub depth: u32,
    /// Stack slots the frames below hold.
    pub stack_used: u32,
    /// Logs and events the frames below have kept so far.
    pub inherited: (usize, usize),
}

/// Makes the call: the callee's frame ends as its receipt says; on failure nothing it did remains.
pub(crate) fn call(host: &SharedHost, request: CallRequest) -> Result<FrameEnd, RuntimeError> {
    let refused = |reason| FrameEnd {
        receipt: Receipt { contract: Some(request.callee), ..Receipt::new(Outcome::Refused(reason)) },
        trace: Vec::new(),
        stats: None,
    };
    let (info, checkpoint) = {
        let mut h = lock(host)?;
        if request.depth > h.config.limits.max_call_depth {
            return Ok(refused(Refusal::CallDepth));
        }
        if h.stack.contains(&request.callee) {
            return Ok(refused(Refusal::Reentry));
        }
        let Some(info) = h.update.account(&request.callee)?.contract.clone() else {
            return Ok(refused(Refusal::NoSuchContract));
        };
        let caller_balance = h.update.account(&request.caller)?.balance;
        let callee_balance = h.update.account(&request.callee)?.balance;
        if request.value > caller_balance || callee_balance.checked_add(request.value).is_none() {
            return Ok(refused(Refusal::CallValue));
        }
        let checkpoint = h.update.checkpoint();
        h.kv.push()?;
        h.update.account(&request.caller)?.balance -= request.value;
        h.update.account(&request.callee)?.balance += request.value;
        h.stack.push(request.callee);
        (info, checkpoint)
    };
    let frame = FrameCall {
        sender: request.caller,
        contract: request.callee,
        info,
        function: request.function,
        args: request.args,
        calldata: request.calldata,
        value: request.value,
        gas_limit: request.forwarded,
        depth: request.depth,
        stack_used: request.stack_used,
        inherited: request.inherited,
    };
    let end = run_frame(host, &frame);
    let mut h = lock(host)?;
    h.stack.pop();
    match &end {
        Ok(end) if end.receipt.outcome.is_success() => h.kv.fold_layer()?,
        _ => {
            h.kv.drop_layer()?;
            h.update.restore(checkpoint);
        }
    }
    end
}
