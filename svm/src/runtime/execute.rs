//! Executions: call an exported function of a contract, with metering, limits and vmcalls.

#[cfg(feature = "canaries")]
use super::canary::CanaryContext;
use super::classify::{Stop, classify};
use super::fees::{self, Payment};
use super::state_update::StateUpdate;
use super::{BlockContext, ExecutionStats, Runtime, RuntimeError};
use crate::Value;
use crate::gas::intrinsic;
use crate::gas::meter::GasMeter;
use crate::instrument::STACK_EXHAUSTED_EXPORT;
use crate::module_cache::ModuleKey;
use crate::outcome::{InvalidTx, Outcome, Refusal};
use crate::receipt::Receipt;
use crate::registers::RegisterFile;
use crate::state::{ContractInfo, StateError};
use crate::storage::collections::OpenCollections;
use crate::storage::events::EventStore;
use crate::storage::page_slices::PageSliceCache;
use crate::trace::TraceEntry;
use crate::transaction::Execute;
use crate::vmcalls::bind::imports_for;
use crate::vmcalls::context::{BalanceView, CallContext};
use crate::vmcalls::env::{ExecutionEnv, Fault};
use crate::vmcalls::page_charges::PageCharges;
use wasmer::{FunctionEnv, Instance, InstantiationError, Store, Value as WasmValue};

/// Applies an execution; returns its receipt and, when `trace` is on, its vmcall trace.
pub(super) fn execute(
    rt: &mut Runtime,
    tx: &Execute,
    block: &BlockContext,
    trace: bool,
) -> Result<(Receipt, Vec<TraceEntry>), RuntimeError> {
    let (kv, trie) = (rt.kv.clone(), rt.caches.trie.clone());
    let mut update = StateUpdate::new(kv.as_ref(), rt.state, &trie);
    let payment =
        Payment { sender: tx.sender, nonce: tx.nonce, gas_limit: tx.gas_limit, price: tx.gas_price, moved: tx.value };
    let invalid = |reason| Ok((Receipt { contract: Some(tx.contract), ..fees::invalid(reason) }, Vec::new()));
    if tx.calldata.len() > rt.config.limits.max_calldata_bytes as usize {
        return invalid(InvalidTx::CalldataTooLarge);
    }
    if let Some(reason) = fees::admit(&mut update, &payment, rt.config.limits.max_gas_limit)? {
        return invalid(reason);
    }
    let contract = update.account(&tx.contract)?;
    let Some(info) = contract.contract.clone() else {
        return invalid(InvalidTx::UnknownContract);
    };
    if tx.contract != tx.sender && contract.balance.checked_add(tx.value).is_none() {
        return invalid(InvalidTx::BalanceOverflow);
    }
    update.account(&tx.sender)?.balance -= tx.value;
    update.account(&tx.contract)?.balance += tx.value;

    // From here on the sender pays for what the node does, whatever the outcome.
    match run(rt, tx, block, trace, &info, &mut update)? {
        Ran::Success(receipt, entries) => {
            fees::settle(&mut update, &payment, receipt.gas_used)?;
            if !receipt.events.is_empty() {
                let mut events = EventStore::open(kv.clone(), rt.state.events).map_err(StateError::from)?;
                events.add(block.layer, &receipt.events).map_err(StateError::from)?;
                update.events_root = Some(events.commit_into(&mut update.batch));
            }
            rt.state = update.commit()?;
            Ok((receipt, entries))
        }
        Ran::Failed(receipt, entries) => {
            let (receipt, root) = fees::fail(update, &payment, receipt)?;
            rt.state = root;
            Ok((receipt, entries))
        }
    }
}

/// How the call went: a receipt to commit with the call's writes, or a failure to commit without them.
enum Ran {
    Success(Receipt, Vec<TraceEntry>),
    Failed(Receipt, Vec<TraceEntry>),
}

/// Runs the call: intrinsic gas, the export check from the contract's metadata (before any code is
/// loaded), the module, the instance, the call; on success the contract's new state is in `update`.
fn run(
    rt: &mut Runtime,
    tx: &Execute,
    block: &BlockContext,
    trace: bool,
    info: &ContractInfo,
    update: &mut StateUpdate<'_>,
) -> Result<Ran, RuntimeError> {
    let kv = rt.kv.clone();
    let limits = rt.config.limits.clone();
    let meta = rt.caches.meta(kv.as_ref(), info.meta_hash)?;
    let intrinsic = intrinsic::execute(meta.code_len as usize, tx.calldata.len());
    let failed = |outcome: Outcome, gas_used: u64, diagnostic: String, entries: Vec<TraceEntry>| {
        Ok(Ran::Failed(Receipt { gas_used, contract: Some(tx.contract), diagnostic, ..Receipt::new(outcome) }, entries))
    };
    if intrinsic > tx.gas_limit {
        let why = format!("execution costs {intrinsic} gas before any code runs; the limit is {}", tx.gas_limit);
        return failed(Outcome::OutOfGas, tx.gas_limit, why, Vec::new());
    }
    let Some(signature) = meta.exports.get(&tx.function) else {
        return failed(Outcome::Refused(Refusal::NoSuchFunction), intrinsic, String::new(), Vec::new());
    };
    if !signature.params.iter().copied().eq(tx.args.iter().map(Value::ty)) {
        return failed(Outcome::Refused(Refusal::ArgumentMismatch), intrinsic, String::new(), Vec::new());
    }

    let code = rt.caches.code(kv.as_ref(), info.code_hash)?;
    let key = ModuleKey::new(&info.code_hash, rt.config.compiler, &limits);
    #[cfg_attr(not(feature = "canaries"), allow(unused_variables))]
    let (cached, from_cache) = rt.cache.get_with_origin(key, &code, &rt.config)?;
    let storage = PageSliceCache::open(kv.clone(), tx.contract, meta.layout.clone(), info.state)?
        .with_page_capacity(rt.config.page_cache_capacity)
        .with_verified_pages(rt.caches.pages.clone());
    let mut store = Store::new(cached.engine.clone());
    let env = FunctionEnv::new(
        &mut store,
        ExecutionEnv {
            page_charges: PageCharges::new(meta.layout.page_count(), limits.max_dirty_pages),
            storage: Some(storage),
            registers: RegisterFile::new(),
            calldata: tx.calldata.clone(),
            returndata: Vec::new(),
            logs: Vec::new(),
            events: Vec::new(),
            context: CallContext { sender: tx.sender, contract: tx.contract, layer: block.layer, value: tx.value },
            balances: BalanceView::new(kv.clone(), rt.state.accounts, update.balances(), rt.caches.trie.clone()),
            memory: None,
            meter: None,
            fault: None,
            trace: trace.then(Vec::new),
            limits: limits.clone(),
            #[cfg(feature = "canaries")]
            canary: rt.config.canary.map(|canary| CanaryContext {
                canary,
                module_from_cache: from_cache,
                compiler: rt.config.compiler.name(),
                page_cache_capacity: rt.config.page_cache_capacity,
                first_since_start: rt.instantiated == 0,
            }),
            moved: None,
            calls: vec![0; crate::vmcalls::registry::VMCALLS.len()],
            collections: OpenCollections::new(kv.clone()),
        },
    );
    rt.instantiated += 1;
    let imports = imports_for(&cached.module, &mut store, &env).map_err(RuntimeError::Engine)?;
    let instance = match Instance::new(&mut store, &cached.module, &imports) {
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
    meter.set(&mut store, tx.gas_limit - intrinsic);
    {
        let env = env.as_mut(&mut store);
        env.memory = instance.exports.get_memory("memory").ok().cloned();
        env.meter = Some(meter.clone());
    }
    let function =
        instance.exports.get_function(&tx.function).map_err(|e| RuntimeError::Engine(e.to_string()))?.clone();
    let args: Vec<WasmValue> = tx.args.iter().map(|v| wasm_value(*v)).collect();
    let result = function.call(&mut store, &args);

    // The meter started at the limit minus the intrinsic gas: what is gone is the total used.
    let gas_used = tx.gas_limit - meter.remaining(&mut store);
    let out_of_gas = meter.exhausted(&mut store);
    let stack_exhausted = instance
        .exports
        .get_global(STACK_EXHAUSTED_EXPORT)
        .map(|g| matches!(g.get(&mut store), WasmValue::I32(v) if v != 0))
        .unwrap_or(false);
    let data = env.as_mut(&mut store);
    rt.last_execution = Some(ExecutionStats {
        vmcalls: data.calls.clone(),
        unwritten_register_reads: data.registers.unwritten_reads(),
        logs: data.logs.len(),
        pages_accessed: data.page_charges.accessed_pages(),
        pages_dirty: data.page_charges.dirty_pages(),
        page_count: meta.layout.page_count(),
        page_cache_evictions: data.storage.as_ref().map_or(0, |s| s.page_cache().evictions()),
    });
    let entries = data.trace.take().unwrap_or_default();
    let values = match result {
        Ok(values) => match &data.fault {
            None => values,
            Some(fault) => return Err(RuntimeError::Engine(format!("vmcall fault without a trap: {fault:?}"))),
        },
        Err(error) => {
            return match classify(data.fault.as_ref(), out_of_gas, stack_exhausted, &error) {
                Stop::Node(why) => Err(RuntimeError::Engine(why)),
                Stop::Outcome(outcome) => {
                    let gas_used = if outcome == Outcome::OutOfGas { tx.gas_limit } else { gas_used };
                    let detail = match &data.fault {
                        Some(Fault::Host(_, detail)) => format!("{}: {detail}", error.message()),
                        _ => error.message(),
                    };
                    failed(outcome, gas_used, detail, entries)
                }
            };
        }
    };

    let returns = values.iter().map(our_value).collect::<Option<Vec<_>>>();
    let returns = returns
        .ok_or_else(|| RuntimeError::Engine("a function returned a value of a type no export may have".into()))?;
    let mut storage = data.storage.take().ok_or_else(|| RuntimeError::Engine("storage already taken".into()))?;
    let collections = std::mem::replace(&mut data.collections, OpenCollections::new(kv.clone()));
    collections.commit_into(&mut update.batch, &mut storage).map_err(|e| RuntimeError::Engine(e.to_string()))?;
    let state = storage.commit_into(&mut update.batch)?;
    if let Some(contract) = update.account(&tx.contract)?.contract.as_mut() {
        contract.state = state;
    }
    let receipt = Receipt {
        outcome: Outcome::Success,
        gas_used,
        contract: Some(tx.contract),
        state: Some(state),
        returns,
        returndata: std::mem::take(&mut data.returndata),
        logs: std::mem::take(&mut data.logs),
        events: std::mem::take(&mut data.events),
        diagnostic: String::new(),
    };
    Ok(Ran::Success(receipt, entries))
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
