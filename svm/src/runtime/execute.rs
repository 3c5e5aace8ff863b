//! Executions: call an exported function of a contract, with metering, limits and vmcalls.

#[cfg(feature = "canaries")]
use super::canary::CanaryContext;
use super::classify::{Stop, classify};
use super::state_update::StateUpdate;
use super::{BlockContext, Runtime, RuntimeError};
use crate::gas::intrinsic;
use crate::gas::meter::GasMeter;
use crate::instrument::STACK_EXHAUSTED_EXPORT;
use crate::module_cache::ModuleKey;
use crate::outcome::{InvalidTx, Outcome};
use crate::receipt::Receipt;
use crate::registers::RegisterFile;
use crate::storage::page_slices::PageSliceCache;
use crate::trace::TraceEntry;
use crate::transaction::Execute;
use crate::vmcalls::bind::imports_for;
use crate::vmcalls::context::{BalanceView, CallContext};
use crate::vmcalls::env::{ExecutionEnv, Fault};
use crate::{Value, ValueType};
use wasmer::{ExternType, FunctionEnv, Instance, InstantiationError, Store, Type, Value as WasmValue};

/// Applies an execution; returns its receipt and, when `trace` is on, its vmcall trace.
pub(super) fn execute(
    rt: &mut Runtime,
    tx: &Execute,
    block: &BlockContext,
    trace: bool,
) -> Result<(Receipt, Vec<TraceEntry>), RuntimeError> {
    let kv = rt.kv.clone();
    let limits = rt.config.limits.clone();
    let refuse = |reason: InvalidTx| {
        Ok((Receipt { contract: Some(tx.contract), ..Receipt::new(Outcome::Invalid(reason)) }, Vec::new()))
    };

    let mut update = StateUpdate::new(kv.as_ref(), rt.root, &rt.caches.trie);
    let sender = update.account(&tx.sender)?;
    if sender.nonce != tx.nonce {
        return refuse(InvalidTx::NonceMismatch);
    }
    if sender.balance < tx.value {
        return refuse(InvalidTx::InsufficientBalance);
    }
    sender.balance -= tx.value;
    sender.nonce += 1;
    let contract = update.account(&tx.contract)?;
    let Some(info) = contract.contract.clone() else {
        return refuse(InvalidTx::UnknownContract);
    };
    contract.balance = match contract.balance.checked_add(tx.value) {
        Some(balance) => balance,
        None => return refuse(InvalidTx::BalanceOverflow),
    };
    if tx.calldata.len() > limits.max_calldata_bytes as usize {
        return refuse(InvalidTx::CalldataTooLarge);
    }

    let code = rt.caches.code(kv.as_ref(), info.code_hash)?;
    let intrinsic = intrinsic::execute(code.len(), tx.calldata.len());
    let failed = |outcome: Outcome, gas_used: u64, diagnostic: String| Receipt {
        gas_used,
        contract: Some(tx.contract),
        diagnostic,
        ..Receipt::new(outcome)
    };
    if intrinsic > tx.gas_limit {
        let why = format!("execution costs {intrinsic} gas before any code runs; the limit is {}", tx.gas_limit);
        return Ok((failed(Outcome::OutOfGas, tx.gas_limit, why), Vec::new()));
    }

    let key = ModuleKey::new(&info.code_hash, rt.config.compiler, &limits);
    #[cfg_attr(not(feature = "canaries"), allow(unused_variables))]
    let (cached, from_cache) = rt.cache.get_with_origin(key, &code, &rt.config)?;
    let Some(params) = cached.module.exports().find_map(|export| match export.ty() {
        ExternType::Function(ty) if export.name() == tx.function => Some(ty.params().to_vec()),
        _ => None,
    }) else {
        return refuse(InvalidTx::NoSuchFunction);
    };
    let expected: Vec<Type> = tx.args.iter().map(|v| wasm_type(v.ty())).collect();
    if params != expected {
        return refuse(InvalidTx::ArgumentMismatch);
    }

    let layout = rt.caches.layout(kv.as_ref(), info.layout_hash)?;
    let storage = PageSliceCache::open(kv.clone(), tx.contract, layout, info.state)?
        .with_page_capacity(rt.config.page_cache_capacity)
        .with_verified_pages(rt.caches.pages.clone());
    let mut store = Store::new(cached.engine.clone());
    let env = FunctionEnv::new(
        &mut store,
        ExecutionEnv {
            storage: Some(storage),
            registers: RegisterFile::new(),
            calldata: tx.calldata.clone(),
            returndata: Vec::new(),
            logs: Vec::new(),
            context: CallContext { sender: tx.sender, contract: tx.contract, layer: block.layer, value: tx.value },
            balances: BalanceView::new(kv.clone(), rt.root.0, update.balances(), rt.caches.trie.clone()),
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
            }),
            moved: None,
        },
    );
    let imports = imports_for(&cached.module, &mut store, &env).map_err(RuntimeError::Engine)?;
    let instance = match Instance::new(&mut store, &cached.module, &imports) {
        Ok(instance) => instance,
        Err(InstantiationError::Start(error)) => {
            // Instantiation trapped (a data or element segment out of bounds): the contract's doing.
            let outcome = match classify(None, false, false, &error) {
                Stop::Outcome(outcome) => outcome,
                Stop::Node(why) => return Err(RuntimeError::Engine(why)),
            };
            return Ok((failed(outcome, intrinsic, error.message()), Vec::new()));
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
                    Ok((failed(outcome, gas_used, detail), entries))
                }
            };
        }
    };

    let returns = values.iter().map(our_value).collect::<Option<Vec<_>>>();
    let returns = returns.ok_or_else(|| RuntimeError::Engine("a function returned a non-integer value".into()))?;
    let storage = data.storage.take().ok_or_else(|| RuntimeError::Engine("storage already taken".into()))?;
    let state = storage.commit_into(&mut update.batch)?;
    if let Some(contract) = update.account(&tx.contract)?.contract.as_mut() {
        contract.state = state;
    }
    rt.root = update.commit()?;
    let receipt = Receipt {
        outcome: Outcome::Success,
        gas_used,
        contract: Some(tx.contract),
        state: Some(state),
        returns,
        returndata: std::mem::take(&mut data.returndata),
        logs: std::mem::take(&mut data.logs),
        diagnostic: String::new(),
    };
    Ok((receipt, entries))
}

fn wasm_type(ty: ValueType) -> Type {
    match ty {
        ValueType::I32 => Type::I32,
        ValueType::I64 => Type::I64,
    }
}

fn wasm_value(value: Value) -> WasmValue {
    match value {
        Value::I32(v) => WasmValue::I32(v),
        Value::I64(v) => WasmValue::I64(v),
    }
}

fn our_value(value: &WasmValue) -> Option<Value> {
    match value {
        WasmValue::I32(v) => Some(Value::I32(*v)),
        WasmValue::I64(v) => Some(Value::I64(*v)),
        _ => None,
    }
}
