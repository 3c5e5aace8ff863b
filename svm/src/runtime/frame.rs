//! One frame: a fresh instance of one contract running one exported function, with its own memory,
//! registers, storage and page charges, under the gas and stack budget it was given. The transaction's own
//! execution is the frame at depth 1; `contract_call` runs the others (see [`super::calls`]).

#[cfg(feature = "canaries")]
use super::canary::CanaryContext;
use super::classify::{Stop, classify};
use super::tx_host::{SharedHost, lock};
use super::{ExecutionStats, RuntimeError};
use crate::gas::intrinsic;
use crate::gas::meter::GasMeter;
use crate::instrument::{STACK_EXHAUSTED_EXPORT, STACK_USED_EXPORT};
use crate::outcome::{Outcome, Refusal};
use crate::receipt::Receipt;
use crate::registers::RegisterFile;
use crate::state::ContractInfo;
use crate::storage::collections::OpenCollections;
use crate::storage::kv::{KvStore, WriteBatch};
use crate::storage::page_slices::PageSliceCache;
use crate::trace::TraceEntry;
use crate::vmcalls::bind::imports_for;
use crate::vmcalls::context::CallContext;
use crate::vmcalls::env::{CallFrame, ExecutionEnv, Fault};
use crate::vmcalls::page_charges::PageCharges;
use crate::{Address, Value};
use std::sync::Arc;
use wasmer::{FunctionEnv, Instance, InstantiationError, Store, Value as WasmValue};

/// One frame to run: who calls which function of which contract, with what, and within which budgets.
pub(crate) struct FrameCall {
    /// The caller: the transaction's sender at depth 1, else the calling contract.
    pub sender: Address,
    /// The contract that runs.
    pub contract: Address,
    /// Its code, metadata and state as the transaction sees them.
    pub info: ContractInfo,
    /// The exported function.
    pub function: String,
    /// Its arguments.
    pub args: Vec<Value>,
    /// The calldata.
    pub calldata: Vec<u8>,
    /// The value moved to the contract.
    pub value: u64,
    /// The gas the frame may use, intrinsic gas included.
    pub gas_limit: u64,
    /// 1 for the transaction's own frame.
    pub depth: u32,
    /// Stack slots already reserved by the frames below.
    pub stack_used: u32,
    /// Logs and events the frames below have kept so far (limits count the whole chain).
    pub inherited: (usize, usize),
}

/// How a frame ended: its receipt (the outcome, gas, and on success what it produced and its contract's
/// new state), its vmcall trace (when tracing) and its statistics (when code ran).
pub(crate) struct FrameEnd {
    pub receipt: Receipt,
    pub trace: Vec<TraceEntry>,
    pub stats: Option<ExecutionStats>,
}

impl FrameEnd {
    fn failed(call: &FrameCall, outcome: Outcome, gas_used: u64, diagnostic: String, trace: Vec<TraceEntry>) -> Self {
        let receipt = Receipt { gas_used, contract: Some(call.contract), diagnostic, ..Receipt::new(outcome) };
        FrameEnd { receipt, trace, stats: None }
    }
}

/// Runs `call`: intrinsic gas, the export check from the contract's metadata (before any code is loaded),
/// the module, the instance, the call. On success the contract's storage writes are in the transaction's
/// pending writes and its new state in the transaction's accounts.
pub(crate) fn run_frame(host: &SharedHost, call: &FrameCall) -> Result<FrameEnd, RuntimeError> {
    let (kv, config, meta, intrinsic, cached, from_cache, pages, trace, instantiated, layer) = {
        let mut h = lock(host)?;
        let kv: Arc<dyn KvStore> = h.kv.clone();
        let meta = h.caches.meta(kv.as_ref(), call.info.meta_hash)?;
        let intrinsic = intrinsic::execute(meta.code_len as usize, call.calldata.len());
        if intrinsic > call.gas_limit {
            let why = format!("execution costs {intrinsic} gas before any code runs; the limit is {}", call.gas_limit);
            return Ok(FrameEnd::failed(call, Outcome::OutOfGas, call.gas_limit, why, Vec::new()));
        }
        let Some(signature) = meta.exports.get(&call.function) else {
            return Ok(FrameEnd::failed(
                call,
                Outcome::Refused(Refusal::NoSuchFunction),
                intrinsic,
                String::new(),
                vec![],
            ));
        };
        if !signature.params.iter().copied().eq(call.args.iter().map(Value::ty)) {
            let refused = Outcome::Refused(Refusal::ArgumentMismatch);
            return Ok(FrameEnd::failed(call, refused, intrinsic, String::new(), Vec::new()));
        }
        let executable = h.caches.executable(kv.as_ref(), call.info.code_hash, &meta.libraries)?;
        let key = executable.module_key(&h.config);
        let config = h.config.clone();
        let (cached, from_cache) = h
            .cache
            .lock()
            .map_err(|_| RuntimeError::Engine("module cache lock poisoned".into()))?
            .get_with_origin(key, &executable.code, &config)?;
        let instantiated = h.instantiated;
        h.instantiated += 1;
        let pages = h.caches.pages.clone();
        (kv, config, meta, intrinsic, cached, from_cache, pages, h.trace, instantiated, h.block.layer)
    };
    let (limits, page_capacity) = (config.limits.clone(), config.page_cache_capacity);
    let failed =
        |outcome, gas_used, diagnostic, trace| Ok(FrameEnd::failed(call, outcome, gas_used, diagnostic, trace));
    let storage = PageSliceCache::open(kv.clone(), call.contract, meta.layout.clone(), call.info.state)?
        .with_page_capacity(page_capacity)
        .with_verified_pages(pages);
    let mut store = Store::new(cached.engine.clone());
    #[cfg(feature = "canaries")]
    let canary = config.canary.map(|canary| CanaryContext {
        canary,
        module_from_cache: from_cache,
        compiler: config.compiler.name(),
        page_cache_capacity: page_capacity,
        first_since_start: instantiated == 0,
    });
    #[cfg(not(feature = "canaries"))]
    let _ = (from_cache, instantiated);
    let env = FunctionEnv::new(
        &mut store,
        ExecutionEnv {
            page_charges: PageCharges::new(meta.layout.page_count(), limits.max_dirty_pages),
            storage: Some(storage),
            registers: RegisterFile::new(),
            calldata: call.calldata.clone(),
            returndata: Vec::new(),
            logs: Vec::new(),
            events: Vec::new(),
            context: CallContext { sender: call.sender, contract: call.contract, layer, value: call.value },
            frame: Some(CallFrame::new(host.clone(), call.depth, call.inherited)),
            memory: None,
            meter: None,
            fault: None,
            trace: trace.then(Vec::new),
            limits: limits.clone(),
            #[cfg(feature = "canaries")]
            canary,
            moved: None,
            calls: vec![0; crate::vmcalls::registry::VMCALLS.len()],
            collections: OpenCollections::new(kv.clone()),
        },
    );
    let imports = imports_for(&cached.module, &mut store, &env).map_err(RuntimeError::Engine)?;
    let instance = match Instance::new_by_index(&mut store, &cached.module, &imports) {
        Ok(instance) => instance,
        Err(InstantiationError::Start(error)) => {
            // Instantiation trapped (a data or element segment out of bounds): the contract's doing.
            let outcome = match classify(None, false, false, &error) {
                Stop::Outcome(outcome) => outcome,
                Stop::Node(why) => return Err(RuntimeError::Engine(why)),
            };
            return failed(outcome, intrinsic, error.message(), Vec::new());
        }
        Err(error) => return Err(RuntimeError::Engine(error.to_string())),
    };
    let meter = GasMeter::of(&instance).ok_or_else(|| RuntimeError::Engine("module is not metered".into()))?;
    meter.set(&mut store, call.gas_limit - intrinsic);
    let stack_used = instance.exports.get_global(STACK_USED_EXPORT).ok().cloned();
    if let Some(global) = &stack_used {
        global
            .set(&mut store, WasmValue::I32(call.stack_used as i32))
            .map_err(|e| RuntimeError::Engine(format!("stack counter: {e}")))?;
    }
    {
        let env = env.as_mut(&mut store);
        env.memory = instance.exports.get_memory("memory").ok().cloned();
        env.meter = Some(meter.clone());
        if let Some(frame) = env.frame.as_mut() {
            frame.stack_used = stack_used;
        }
    }
    let function =
        instance.exports.get_function(&call.function).map_err(|e| RuntimeError::Engine(e.to_string()))?.clone();
    let args: Vec<WasmValue> = call.args.iter().map(|v| wasm_value(*v)).collect();
    let result = function.call(&mut store, &args);

    // The meter started at the limit minus the intrinsic gas: what is gone is the total used.
    let gas_used = call.gas_limit - meter.remaining(&mut store);
    let out_of_gas = meter.exhausted(&mut store);
    let stack_exhausted = instance
        .exports
        .get_global(STACK_EXHAUSTED_EXPORT)
        .map(|g| matches!(g.get(&mut store), WasmValue::I32(v) if v != 0))
        .unwrap_or(false);
    let data = env.as_mut(&mut store);
    let stats = Some(ExecutionStats {
        vmcalls: data.calls.clone(),
        unwritten_register_reads: data.registers.unwritten_reads(),
        logs: data.logs.len(),
        pages_accessed: data.page_charges.accessed_pages(),
        pages_dirty: data.page_charges.dirty_pages(),
        page_count: meta.layout.page_count(),
        page_cache_evictions: data.storage.as_ref().map_or(0, |s| s.page_cache().evictions()),
    });
    let trace = data.trace.take().unwrap_or_default();
    let values = match result {
        Ok(values) => match &data.fault {
            None => values,
            Some(fault) => return Err(RuntimeError::Engine(format!("vmcall fault without a trap: {fault:?}"))),
        },
        Err(error) => {
            return match classify(data.fault.as_ref(), out_of_gas, stack_exhausted, &error) {
                Stop::Node(why) => Err(RuntimeError::Engine(why)),
                Stop::Outcome(outcome) => {
                    let gas_used = if outcome == Outcome::OutOfGas { call.gas_limit } else { gas_used };
                    let detail = match &data.fault {
                        Some(Fault::Host(_, detail)) => format!("{}: {detail}", error.message()),
                        _ => error.message(),
                    };
                    let mut end = FrameEnd::failed(call, outcome, gas_used, detail, trace);
                    end.stats = stats;
                    Ok(end)
                }
            };
        }
    };

    let returns = values.iter().map(our_value).collect::<Option<Vec<_>>>();
    let returns = returns
        .ok_or_else(|| RuntimeError::Engine("a function returned a value of a type no export may have".into()))?;
    let mut storage = data.storage.take().ok_or_else(|| RuntimeError::Engine("storage already taken".into()))?;
    let collections = std::mem::replace(&mut data.collections, OpenCollections::new(kv.clone()));
    let mut batch = WriteBatch::new();
    collections.commit_into(&mut batch, &mut storage).map_err(|e| RuntimeError::Engine(e.to_string()))?;
    let state = storage.commit_into(&mut batch)?;
    let calls = data.frame.as_mut().map(|f| std::mem::take(&mut f.records)).unwrap_or_default();
    {
        let mut h = lock(host)?;
        kv.write(batch)?;
        if let Some(contract) = h.update.account(&call.contract)?.contract.as_mut() {
            contract.state = state;
        }
    }
    let receipt = Receipt {
        outcome: Outcome::Success,
        gas_used,
        contract: Some(call.contract),
        state: Some(state),
        returns,
        returndata: std::mem::take(&mut data.returndata),
        logs: std::mem::take(&mut data.logs),
        events: std::mem::take(&mut data.events),
        calls,
        diagnostic: String::new(),
    };
    Ok(FrameEnd { receipt, trace, stats })
}

fn wasm_value(value: Value) -> WasmValue {
    match value {
        Value::I32(v) => WasmValue::I32(v),
        Value::I64(v) => WasmValue::I64(v),
        Value::F32(bits) => WasmValue::F32(f32::from_bits(bits)),
        Value::F64(bits) => WasmValue::F64(f64::from_bits(bits)),
    }
}

fn our_value(value: &WasmValue) -> Option<Value> {
    match value {
        WasmValue::I32(v) => Some(Value::I32(*v)),
        WasmValue::I64(v) => Some(Value::I64(*v)),
        WasmValue::F32(v) => Some(Value::F32(v.to_bits())),
        WasmValue::F64(v) => Some(Value::F64(v.to_bits())),
        _ => None,
    }
}
