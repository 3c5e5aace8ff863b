//! Warm `counter.inc` through the full runtime against bare wasmer doing the same work, and module
//! loading from the cache against a cold compile.
//!
//! `cargo bench -p svm --bench runtime`. Targets: warm execution ≤ 1.25 × bare wasmer; a cached module
//! ≤ 0.1 × a cold compile.

use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use svm::Address;
use svm::code::code_hash;
use svm::module_cache::{ModuleCache, ModuleKey};
use svm::runtime::{BlockContext, CacheMode, Compiler, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction};
use svm_fuzzing::contract_source::ContractSource;
use wasmer::sys::{Cranelift, EngineBuilder, Singlepass};
use wasmer::{Engine, Function, FunctionEnv, FunctionEnvMut, Instance, Module, Store, TypedFunction, imports};

fn source(name: &str) -> ContractSource {
    let path = format!("{}/../corpus/contracts/{name}.wat", env!("CARGO_MANIFEST_DIR"));
    ContractSource::from_wat(name, &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn config(compiler: Compiler, cache: CacheMode) -> RuntimeConfig {
    RuntimeConfig { compiler, cache, ..RuntimeConfig::default() }
}

/// A runtime with the counter deployed; returns it and the counter's address.
fn svm_counter(compiler: Compiler) -> (Runtime, Address) {
    let mut rt = Runtime::new(Arc::new(MemKv::new()), config(compiler, CacheMode::Memory));
    let author = Address([1; 20]);
    rt.genesis(&[(author, 1_000_000)]).unwrap();
    let counter = source("counter");
    let deploy = Transaction::Deploy(Deploy {
        author,
        nonce: 0,
        code: counter.code,
        page_count: counter.page_count,
        slices: counter.slices,
        initial_balance: 0,
        gas_limit: 10_000_000,
        gas_price: 1,
    });
    let address = rt.apply(&deploy, &BlockContext::default()).unwrap().contract.unwrap();
    (rt, address)
}

/// The counter's logic for bare wasmer: the same module, with host reads and writes into a map.
struct BareEnv {
    slots: BTreeMap<i32, i64>,
}

fn bare_engine(compiler: Compiler) -> Engine {
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

fn bare_inc(engine: &Engine, module: &Module, slots: &mut BTreeMap<i32, i64>) -> i64 {
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

fn warm_execution(c: &mut Criterion) {
    for compiler in [Compiler::Singlepass, Compiler::Cranelift] {
        let mut group = c.benchmark_group(format!("counter_inc_{}", compiler.name()));
        let (mut rt, counter) = svm_counter(compiler);
        let sender = Address([2; 20]);
        let mut nonce = 0;
        group.bench_function("svm_runtime", |b| {
            b.iter(|| {
                let tx = Transaction::Execute(Execute {
                    contract: counter,
                    sender,
                    nonce,
                    function: "inc".into(),
                    args: vec![],
                    calldata: vec![],
                    gas_limit: 1_000_000,
                    gas_price: 1,
                    value: 0,
                });
                nonce += 1;
                black_box(rt.apply(&tx, &BlockContext::default()).unwrap())
            })
        });
        let engine = bare_engine(compiler);
        let module = Module::new(&engine, source("counter").code).unwrap();
        let mut slots = BTreeMap::new();
        group.bench_function("bare_wasmer", |b| b.iter(|| black_box(bare_inc(&engine, &module, &mut slots))));
        group.finish();
    }
}

fn module_loading(c: &mut Criterion) {
    let token = source("token");
    let hash = code_hash(&token.code);
    for compiler in [Compiler::Singlepass, Compiler::Cranelift] {
        let mut group = c.benchmark_group(format!("module_{}", compiler.name()));
        let key = ModuleKey::new(&hash, compiler, &Default::default());
        for cache in [CacheMode::Off, CacheMode::Memory, CacheMode::Serialized] {
            let config = config(compiler, cache);
            let mut modules = ModuleCache::new(cache, 256, svm::module_cache::DEFAULT_ARTIFACT_BYTES);
            modules.get(key, &token.code, &config).unwrap();
            let name = match cache {
                CacheMode::Off => "cold_compile",
                CacheMode::Memory => "cached_in_memory",
                CacheMode::Serialized => "cached_serialized",
            };
            group.bench_function(name, |b| b.iter(|| black_box(modules.get(key, &token.code, &config).unwrap())));
        }
        group.finish();
    }
}

criterion_group!(benches, warm_execution, module_loading);
criterion_main!(benches);
