//! Setup the benches share: corpus contracts, runtimes with a contract deployed, the bare-wasmer
//! counter, and contracts whose every page is written. Each bench uses part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use svm::runtime::{BlockContext, CacheMode, Compiler, Runtime, RuntimeConfig};
use svm::storage::kv::{KvStore, MemKv};
use svm::storage::page_cache::PageCache;
use svm::transaction::{Deploy, Execute, Transaction};
use svm::{Address, ContractState, Value};
use svm_fuzzing::contract_source::ContractSource;
use wasmer::sys::{Cranelift, EngineBuilder, Singlepass};
use wasmer::{Engine, Function, FunctionEnv, FunctionEnvMut, Instance, Module, Store, TypedFunction, imports};

/// A corpus contract by name.
pub fn source(name: &str) -> ContractSource {
    let path = format!("{}/../corpus/contracts/{name}.wat", env!("CARGO_MANIFEST_DIR"));
    ContractSource::from_wat(name, &std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The default runtime configuration with `compiler` and `cache`.
pub fn config(compiler: Compiler, cache: CacheMode) -> RuntimeConfig {
    RuntimeConfig { compiler, cache, ..RuntimeConfig::default() }
}

/// A deploy of `contract` by `author` at `nonce`.
pub fn deploy(author: Address, nonce: u64, contract: &ContractSource) -> Transaction {
    Transaction::Deploy(Deploy {
        author,
        nonce,
        code: contract.code.clone(),
        page_count: contract.page_count,
        slices: contract.slices.clone(),
        initial_balance: 0,
        gas_limit: 10_000_000,
        gas_price: 1,
    })
}

/// An execution of `function` on `contract` by `sender` at `nonce`.
pub fn execute(contract: Address, sender: Address, nonce: u64, function: &str, args: Vec<Value>) -> Transaction {
    Transaction::Execute(Execute {
        contract,
        sender,
        nonce,
        function: function.into(),
        args,
        calldata: vec![],
        gas_limit: 1_000_000,
        gas_price: 1,
        value: 0,
    })
}

/// The funded account of [`runtime`].
pub const AUTHOR: Address = Address([1; 20]);

/// A runtime on an in-memory store with a memory module cache and a funded author.
pub fn runtime(compiler: Compiler) -> (Runtime, Address) {
    let mut rt = Runtime::new(Arc::new(MemKv::new()), config(compiler, CacheMode::Memory));
    let author = AUTHOR;
    rt.genesis(&[(author, 1_000_000_000_000)]).unwrap();
    (rt, author)
}

/// Applies `tx` and returns its receipt's contract, panicking unless it succeeded.
pub fn apply_ok(rt: &mut Runtime, tx: &Transaction) -> Option<Address> {
    let receipt = rt.apply(tx, &BlockContext::default()).unwrap();
    assert_eq!(receipt.outcome, svm::outcome::Outcome::Success, "{}", receipt.diagnostic);
    receipt.contract
}

/// A runtime with the counter deployed; returns it and the counter's address.
pub fn svm_counter(compiler: Compiler) -> (Runtime, Address) {
    let (mut rt, author) = runtime(compiler);
    let address = apply_ok(&mut rt, &deploy(author, 0, &source("counter"))).unwrap();
    (rt, address)
}

/// The counter's logic for bare wasmer: the same module, with host reads and writes into a map.
struct BareEnv {
    slots: BTreeMap<i32, i64>,
}

/// A bare wasmer engine for `compiler`, configured as SVM's.
pub fn bare_engine(compiler: Compiler) -> Engine {
    match compiler {
        Compiler::Singlepass => {
            let mut c = Singlepass::default();
            c.canonicalize_nans(true);
            EngineBuilder::new(c).engine().into()
        }
        Compiler::Cranelift => {
            let mut c = Cranelift::default();
            c.canonicalize_nans(true);
            EngineBuilder::new(c).engine().into()
        }
    }
}

/// Instantiates the counter on bare wasmer and calls `inc` over `slots`.
pub fn bare_inc(engine: &Engine, module: &Module, slots: &mut BTreeMap<i32, i64>) -> i64 {
    let mut store = Store::new(engine.clone());
    let env = FunctionEnv::new(&mut store, BareEnv { slots: std::mem::take(slots) });
    let imports = imports! { "svm" => {
        "storage_read_i64" => Function::new_typed_with_env(&mut store, &env, |e: FunctionEnvMut<BareEnv>, slot: i32| -> i64 {
            e.data().slots.get(&slot).copied().unwrap_or(0)
        }),
        "storage_write_i64" => Function::new_typed_with_env(&mut store, &env, |mut e: FunctionEnvMut<BareEnv>, slot: i32, v: i64| {
            e.data_mut().slots.insert(slot, v);
        }),
    }};
    let instance = Instance::new(&mut store, module, &imports).unwrap();
    let inc: TypedFunction<(), i64> = instance.exports.get_typed_function(&store, "inc").unwrap();
    let value = inc.call(&mut store).unwrap();
    *slots = std::mem::take(&mut env.as_mut(&mut store).slots);
    value
}

/// Writes one non-zero byte into every page of a new contract, in chunks, and returns its state.
pub fn populate(kv: &Arc<dyn KvStore>, address: Address, page_count: u32) -> ContractState {
    let mut state = ContractState::EMPTY;
    for chunk in (0..page_count).collect::<Vec<_>>().chunks(10_000) {
        let mut cache = PageCache::open(kv.clone(), address, page_count, state).unwrap();
        for &index in chunk {
            cache.write(index, 0, &index.to_le_bytes()).unwrap();
            cache.write(index, 4, &[1]).unwrap();
        }
        state = cache.commit().unwrap();
    }
    state
}

/// How many pages a commit dirties.
pub const DIRTY_PAGES: u32 = 4;

/// Where the dirty pages lie.
#[derive(Clone, Copy)]
pub enum Placement {
    /// Next to each other, as a contract's few variables usually are.
    Clustered,
    /// As far apart as possible: the worst case for shared tree paths.
    Spread,
}

/// The dirty set: `DIRTY_PAGES` pages of the contract.
pub fn dirty_set(page_count: u32, placement: Placement) -> Vec<u32> {
    match placement {
        Placement::Clustered => (0..DIRTY_PAGES).map(|i| page_count / 2 - 2 + i).collect(),
        Placement::Spread => (0..DIRTY_PAGES).map(|i| i * (page_count - 1) / (DIRTY_PAGES - 1)).collect(),
    }
}

/// Opens the contract's pages and writes into each page of the dirty set.
pub fn open_and_dirty(
    kv: &Arc<dyn KvStore>,
    address: Address,
    page_count: u32,
    state: ContractState,
    placement: Placement,
) -> PageCache {
    let mut cache = PageCache::open(kv.clone(), address, page_count, state).unwrap();
    for index in dirty_set(page_count, placement) {
        cache.write(index, 100, &[0xAB; 8]).unwrap();
    }
    cache
}
