//! One execute transaction's call tree, from `docs/consensus.md` (Execution, Calls, The stack budget):
//! what every frame shares — the committed state, balances as the transaction has them so far, what
//! the successful frames wrote, the contracts with a frame on the stack and the call count — and the
//! run of one frame, the transaction's own or a callee's.
//!
//! Every frame is all-or-nothing: [`Frames::run`] notes the balances and the written contracts before
//! the frame and puts them back when it fails, so a failed frame leaves nothing of its own or of its
//! callees. A successful frame's pages and collections become its contract's state for every later
//! frame; the transaction commits them all at once ([`Frames::into_parts`]) if its own frame succeeds.

use crate::chain::collection_store::CollectionStore;
use crate::chain::engine::Engine;
use crate::chain::ledger::{BalanceView, Ledger};
use crate::chain::state::{Page, State};
use crate::chain::vmcalls::{Effects, ExecutionContext, ExecutionEnv, FrameStart};
use crate::host::{Meter, Stop};
use std::collections::BTreeMap;
use svm_core::gas::intrinsic::{EXECUTE_BASE, EXECUTE_PER_CALLDATA_BYTE, EXECUTE_PER_CODE_BYTE};
use svm_core::outcome::{Outcome, Refusal};
use svm_core::{Address, Limits, Value};

/// `20,000 + 10 × code_len + 10 × len(calldata)`, saturating.
pub fn execute_intrinsic(code_len: u32, calldata_len: usize) -> u64 {
    EXECUTE_BASE
        .saturating_add(EXECUTE_PER_CODE_BYTE.saturating_mul(code_len.into()))
        .saturating_add(EXECUTE_PER_CALLDATA_BYTE.saturating_mul(calldata_len as u64))
}

/// What a frame's `contract_call` asks of its transaction: balances as they are so far, the call
/// count, and running a callee.
pub trait CallTree: BalanceView {
    /// The calls the transaction has made so far, in all its frames, failed ones included.
    fn calls_made(&self) -> u32;

    /// Counts one more call.
    fn count_call(&mut self);

    /// Runs a call's steps 1–19: the refusals (depth, re-entry, no contract, value), then the callee's
    /// frame. `Err` is a node fault.
    fn call(&mut self, call: FrameCall<'_>) -> Result<FrameEnd, String>;
}

/// One frame to run: who runs what, with what, and where in the transaction.
#[derive(Clone, Copy, Debug)]
pub struct FrameCall<'c> {
    /// The transaction's sender (depth 1) or the calling contract.
    pub caller: Address,
    /// The contract to run.
    pub contract: Address,
    /// The export to call.
    pub function: &'c str,
    /// Its arguments.
    pub args: &'c [Value],
    /// The calldata (the call's data bytes for a callee).
    pub calldata: &'c [u8],
    /// The value moved from the caller to the contract.
    pub value: u64,
    /// The frame's gas limit (the forwarded gas for a callee).
    pub gas_limit: u64,
    /// Stack-budget slots already reserved when the frame starts.
    pub stack_used: u64,
    /// The frame's depth (1 for the transaction's own).
    pub depth: u32,
    /// Logs the frame's callers made so far.
    pub logs_before: usize,
    /// Events the frame's callers emitted so far.
    pub events_before: usize,
}

/// How a frame ended.
#[derive(Debug)]
pub struct FrameEnd {
    /// Its outcome.
    pub outcome: Outcome,
    /// The gas it used, by the rules of its outcome.
    pub gas_used: u64,
    /// Its return values (success only).
    pub returns: Vec<Value>,
    /// Its returndata, logs, events and call records (success only; its storage is in the tree).
    pub effects: Effects,
    /// Not consensus: why it failed.
    pub diagnostic: String,
}

impl FrameEnd {
    fn failed(outcome: Outcome, gas_used: u64, diagnostic: String) -> FrameEnd {
        FrameEnd { outcome, gas_used, returns: Vec::new(), effects: Effects::default(), diagnostic }
    }
}

/// What the successful frames of a transaction left in one contract.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// Every page they wrote, as they left it.
    pub pages: BTreeMap<u32, Page>,
    /// Every collection they committed.
    pub collections: CollectionStore,
}

/// The shared state of one execute transaction's frames.
pub struct Frames<'s> {
    state: &'s State,
    engine: &'s dyn Engine,
    limits: &'s Limits,
    layer: u64,
    ledger: Ledger<'s>,
    written: BTreeMap<Address, Written>,
    stack: Vec<Address>,
    calls: u32,
}

impl<'s> Frames<'s> {
    /// No frame run yet over `state`, in `layer`.
    pub fn new(state: &'s State, engine: &'s dyn Engine, limits: &'s Limits, layer: u64) -> Frames<'s> {
        Frames {
            state,
            engine,
            limits,
            layer,
            ledger: Ledger::new(state),
            written: BTreeMap::new(),
            stack: Vec::new(),
            calls: 0,
        }
    }

    /// The staged balances (the fee is paid on them) and what the successful frames wrote, by contract.
    pub fn into_parts(self) -> (Ledger<'s>, BTreeMap<Address, Written>) {
        (self.ledger, self.written)
    }

    /// Runs a frame: execution steps 10–19 (the value move, intrinsic gas, the export and its
    /// arguments, a fresh instance, the run), all-or-nothing. `Err` is a node fault.
    pub fn run(&mut self, call: FrameCall<'_>) -> Result<FrameEnd, String> {
        let ledger = self.ledger.clone();
        let written = self.written.clone();
        let end = self.run_frame(call)?;
        if end.outcome != Outcome::Success {
            self.ledger = ledger;
            self.written = written;
        }
        Ok(end)
    }

    fn run_frame(&mut self, call: FrameCall<'_>) -> Result<FrameEnd, String> {
        let (state, engine, limits) = (self.state, self.engine, self.limits);
        let contract = state.contract(&call.contract).ok_or("a frame of no contract")?;
        // 10: move the value provisionally.
        self.ledger
            .transfer(&call.caller, &call.contract, call.value)
            .map_err(|e| format!("the value move overflows at {}", e.address))?;
        // 11: intrinsic gas.
        let intrinsic = execute_intrinsic(contract.meta.code_len, call.calldata.len());
        if intrinsic > call.gas_limit {
            let diagnostic = format!("execute intrinsic gas {intrinsic} > limit {}", call.gas_limit);
            return Ok(FrameEnd::failed(Outcome::OutOfGas, call.gas_limit, diagnostic));
        }
        // 12–13: the export and its parameters, from the metadata alone.
        let Some(signature) = contract.meta.exports.get(call.function) else {
            let diagnostic = format!("no export `{}`", call.function);
            return Ok(FrameEnd::failed(Outcome::Refused(Refusal::NoSuchFunction), intrinsic, diagnostic));
        };
        let params = &signature.params;
        if call.args.len() != params.len() || call.args.iter().zip(params).any(|(a, p)| a.ty() != *p) {
            let diagnostic = format!("arguments {:?} for parameters {params:?}", call.args);
            return Ok(FrameEnd::failed(Outcome::Refused(Refusal::ArgumentMismatch), intrinsic, diagnostic));
        }
        // 14–17: a fresh instance over what earlier frames left of the contract; run.
        let Written { pages, collections: before } = self.written.remove(&call.contract).unwrap_or_default();
        let env = ExecutionEnv {
            sender: call.caller,
            contract: call.contract,
            layer: self.layer,
            value: call.value,
            calldata: call.calldata,
        };
        let start = FrameStart {
            depth: call.depth,
            logs_before: call.logs_before,
            events_before: call.events_before,
            pages,
            collections: &before,
        };
        let mut meter = Meter { remaining: call.gas_limit - intrinsic };
        self.stack.push(call.contract);
        let (run, effects) = {
            let mut context = ExecutionContext::in_frame(
                env,
                &contract.meta.layout,
                &contract.pages,
                &contract.collections,
                self,
                limits,
                start,
            );
            let run = engine.invoke(
                &contract.code,
                &contract.libraries,
                call.function,
                call.args,
                limits,
                call.stack_used,
                &mut context,
                &mut meter,
            );
            if run.is_ok() {
                context.commit_collections();
            }
            (run, context.into_effects())
        };
        self.stack.pop();
        let returns = match run {
            Ok(returns) => returns,
            Err(stop) => {
                // 19: classify (run puts back what the frame and its callees did).
                let used = call.gas_limit - meter.remaining;
                let (outcome, gas_used) = match stop {
                    Stop::OutOfGas => (Outcome::OutOfGas, call.gas_limit),
                    Stop::StackExhausted => (Outcome::StackExhausted, used),
                    Stop::Trap(kind) => (Outcome::Trap(kind), used),
                    Stop::Host(error) => (Outcome::Host(error), used),
                    Stop::Fault(fault) => return Err(fault),
                };
                return Ok(FrameEnd::failed(outcome, gas_used, outcome.name()));
            }
        };
        let results = &signature.results;
        if returns.len() != results.len() || returns.iter().zip(results).any(|(v, t)| v.ty() != *t) {
            return Err(format!("`{}` returned {returns:?}, not {results:?}", call.function));
        }
        // 18: success: the frame's pages and collections are the contract's for every later frame.
        let mut collections = before;
        for collection in &effects.collections {
            collections.insert(collection.clone());
        }
        let written = Written { pages: effects.written, collections };
        self.written.insert(call.contract, written);
        let effects = Effects { written: BTreeMap::new(), collections: Vec::new(), ..effects };
        Ok(FrameEnd {
            outcome: Outcome::Success,
            gas_used: call.gas_limit - meter.remaining,
            returns,
            effects,
            diagnostic: String::new(),
        })
    }
}

impl BalanceView for Frames<'_> {
    fn balance_of(&self, address: &Address) -> u64 {
        self.ledger.balance(address)
    }
}

impl CallTree for Frames<'_> {
    fn calls_made(&self) -> u32 {
        self.calls
    }

    fn count_call(&mut self) {
        self.calls += 1;
    }

    fn call(&mut self, call: FrameCall<'_>) -> Result<FrameEnd, String> {
        let refused =
            |refusal: Refusal, diagnostic: String| Ok(FrameEnd::failed(Outcome::Refused(refusal), 0, diagnostic));
        // 1: depth.
        if call.depth > self.limits.max_call_depth {
            return refused(Refusal::CallDepth, format!("depth {} > {}", call.depth, self.limits.max_call_depth));
        }
        // 2: re-entry (the caller itself included).
        if self.stack.contains(&call.contract) {
            return refused(Refusal::Reentry, format!("{} has a frame on the stack", call.contract));
        }
        // 3: a contract lives there.
        if self.state.contract(&call.contract).is_none() {
            return refused(Refusal::NoSuchContract, format!("no contract at {}", call.contract));
        }
        // 4: the value: the caller has it and the callee can hold it.
        let fits = self.ledger.balance(&call.contract).checked_add(call.value).is_some();
        if call.value > self.ledger.balance(&call.caller) || !fits {
            return refused(Refusal::CallValue, format!("value {} cannot move", call.value));
        }
        // 5–19: the callee's frame.
        self.run(call)
    }
}

/// The call tree of a context built for one frame alone ([`ExecutionContext::new`]): balances from a
/// view, and no contract but the frame's own, so every call is refused (depth, re-entry, else
/// no-such-contract) after the input checks and the call count.
pub struct LoneFrame<'a> {
    balances: &'a dyn BalanceView,
    contract: Address,
    max_call_depth: u32,
    calls: u32,
}

impl<'a> LoneFrame<'a> {
    /// The lone frame of `contract` over `balances`.
    pub fn new(balances: &'a dyn BalanceView, contract: Address, limits: &Limits) -> LoneFrame<'a> {
        LoneFrame { balances, contract, max_call_depth: limits.max_call_depth, calls: 0 }
    }
}

impl BalanceView for LoneFrame<'_> {
    fn balance_of(&self, address: &Address) -> u64 {
        self.balances.balance_of(address)
    }
}

impl CallTree for LoneFrame<'_> {
    fn calls_made(&self) -> u32 {
        self.calls
    }

    fn count_call(&mut self) {
        self.calls += 1;
    }

    fn call(&mut self, call: FrameCall<'_>) -> Result<FrameEnd, String> {
        let refusal = if call.depth > self.max_call_depth {
            Refusal::CallDepth
        } else if call.contract == self.contract {
            Refusal::Reentry
        } else {
            Refusal::NoSuchContract
        };
        Ok(FrameEnd::failed(Outcome::Refused(refusal), 0, refusal.name().to_string()))
    }
}
