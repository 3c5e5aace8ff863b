//! The module cache: hits when it should, and never runs a damaged or mismatched artifact.

mod common;

use common::*;
use std::sync::Arc;
use svm::Value;
use svm::code::code_hash;
use svm::module_cache::{ArtifactStore, DirArtifactStore, MemArtifactStore, ModuleKey};
use svm::runtime::{CacheMode, Compiler, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;

/// A way to damage a stored artifact.
type Damage = Box<dyn Fn(&mut Vec<u8>)>;

fn config(cache: CacheMode) -> RuntimeConfig {
    RuntimeConfig { compiler: Compiler::Cranelift, cache, ..RuntimeConfig::default() }
}

fn funded(rt: &mut Runtime) {
    rt.genesis(&[(account(1), FUNDS), (account(2), FUNDS)]).unwrap();
}

#[test]
fn memory_mode_compiles_each_contract_once() {
    let mut rt = runtime(config(CacheMode::Memory));
    let counter = deployed(&mut rt, &contract("counter"));
    for _ in 0..5 {
        assert!(call(&mut rt, counter, "inc", &[]).outcome.is_success());
    }
    let stats = rt.cache_stats();
    assert_eq!((stats.compiles, stats.hits), (1, 5));
}

#[test]
fn off_mode_compiles_at_deploy_and_at_every_call() {
    let mut rt = runtime(config(CacheMode::Off));
    let counter = deployed(&mut rt, &contract("counter"));
    // Every node compiles at deploy, whatever its cache: whether a deploy is accepted never depends on
    // node settings.
    assert_eq!(rt.cache_stats().compiles, 1);
    for _ in 0..3 {
        call(&mut rt, counter, "inc", &[]);
    }
    assert_eq!(rt.cache_stats().compiles, 4);
}

#[test]
fn refused_calls_load_and_compile_nothing() {
    // A call to a missing function or with mismatched arguments is refused from the contract's
    // metadata: on a node without a module cache it costs no compile (and pays its intrinsic gas).
    let mut rt = runtime(config(CacheMode::Off));
    let counter = deployed(&mut rt, &contract("counter"));
    let compiles = rt.cache_stats().compiles;
    for (function, args) in [("missing", vec![]), ("add", vec![Value::I32(1)]), ("inc", vec![Value::I64(1)])] {
        let receipt = call(&mut rt, counter, function, &args);
        assert!(matches!(receipt.outcome, svm::outcome::Outcome::Refused(_)), "{function}: {}", receipt.outcome.name());
        assert_eq!(receipt.gas_used, svm::gas::intrinsic::execute(contract("counter").code.len(), 0));
    }
    assert_eq!(rt.cache_stats().compiles, compiles);
}

#[test]
fn damaged_or_mismatched_artifacts_are_detected_and_recompiled() {
    let store = Arc::new(MemArtifactStore::default());
    let mut rt = Runtime::with_artifact_store(Arc::new(MemKv::new()), config(CacheMode::Serialized), store.clone());
    funded(&mut rt);
    let counter = deployed(&mut rt, &contract("counter"));
    deployed(&mut rt, &contract("token"));
    let counter_key = ModuleKey::new(&code_hash(&contract("counter").code), Compiler::Cranelift, &Default::default());
    let token_key = ModuleKey::new(&code_hash(&contract("token").code), Compiler::Cranelift, &Default::default());
    assert_eq!(store.keys().len(), 2);

    let reference = call(&mut rt, counter, "inc", &[]);
    assert_eq!(rt.cache_stats().rejected_artifacts, 0);
    assert_eq!(rt.cache_stats().compiles, 2);

    let damages: [(&str, Damage); 4] = [
        ("flipped payload byte", Box::new(|b: &mut Vec<u8>| *b.last_mut().unwrap() ^= 0x40)),
        ("flipped header byte", Box::new(|b: &mut Vec<u8>| b[3] ^= 1)),
        ("truncated", Box::new(|b: &mut Vec<u8>| b.truncate(b.len() / 2))),
        ("emptied", Box::new(|b: &mut Vec<u8>| b.clear())),
    ];
    for (n, (what, damage)) in damages.iter().enumerate() {
        store.tamper(&counter_key, damage);
        let receipt = call(&mut rt, counter, "inc", &[]);
        assert_eq!(receipt.returns, vec![Value::I64(n as i64 + 2)], "{what}");
        assert_eq!(receipt.gas_used, reference.gas_used, "{what}");
        assert_eq!(rt.cache_stats().rejected_artifacts, n as u64 + 1, "{what} not detected");
        assert_eq!(rt.cache_stats().compiles, n as u64 + 3, "{what} not recompiled");
    }

    // The token's (intact) artifact stored under the counter's key: sealed for another key.
    let token_artifact = store.get(&token_key).unwrap();
    store.put(&counter_key, token_artifact);
    assert_eq!(call(&mut rt, counter, "get", &[]).returns, vec![Value::I64(5)]);
    assert_eq!(rt.cache_stats().rejected_artifacts, 5);
    // And the recompiled artifact is good again.
    call(&mut rt, counter, "get", &[]);
    assert_eq!(rt.cache_stats().rejected_artifacts, 5);
}

#[test]
fn artifacts_on_disk_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("svm-cache-test-{}", std::process::id()));
    let kv = Arc::new(MemKv::new());
    // SAFETY: a fresh directory of this test process's own; nothing else writes to it.
    let store = Arc::new(unsafe { DirArtifactStore::new(&dir) }.unwrap());
    let mut first = Runtime::with_artifact_store(kv.clone(), config(CacheMode::Serialized), store.clone());
    funded(&mut first);
    let counter = deployed(&mut first, &contract("counter"));
    assert_eq!(first.cache_stats().compiles, 1);

    // A restarted node: same kv, same artifact directory, a new runtime at the same root.
    let mut second = Runtime::with_artifact_store(kv, config(CacheMode::Serialized), store);
    second.reset_to(first.root()).unwrap();
    assert!(call(&mut second, counter, "inc", &[]).outcome.is_success());
    assert_eq!((second.cache_stats().compiles, second.cache_stats().hits), (0, 1));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn one_entry_caches_evict_and_give_identical_results() {
    // Three contracts called in turn: a one-module cache and a one-artifact store evict on nearly
    // every call, yet receipts and roots match an unbounded node's exactly.
    let names = ["counter", "token", "registers"];
    let run = |cache: CacheMode, modules: usize, artifact_bytes: u64| {
        let config =
            RuntimeConfig { module_cache_entries: modules, artifact_cache_bytes: artifact_bytes, ..config(cache) };
        let mut rt = Runtime::new(Arc::new(MemKv::new()), config);
        funded(&mut rt);
        let contracts: Vec<_> = names.iter().map(|n| deployed(&mut rt, &contract(n))).collect();
        let calls: [(&str, Vec<Value>); 3] =
            [("inc", vec![]), ("mint", vec![Value::I32(1), Value::I64(5)]), ("remember_sender", vec![])];
        let mut seen = Vec::new();
        for round in 0..4 {
            for (contract, (function, args)) in contracts.iter().zip(&calls) {
                let receipt = call(&mut rt, *contract, function, args);
                seen.push((round, receipt.hash(), rt.root()));
            }
        }
        (seen, rt.cache_stats())
    };
    let (expected, unbounded) = run(CacheMode::Memory, 256, u64::MAX);
    assert_eq!(unbounded.evictions, 0);
    let (memory, stats) = run(CacheMode::Memory, 1, u64::MAX);
    assert_eq!(memory, expected);
    assert!(stats.evictions >= 11 && stats.compiles >= 12, "{stats:?}");
    let (serialized, stats) = run(CacheMode::Serialized, 1, 1);
    assert_eq!(serialized, expected);
    assert!(stats.compiles >= 12, "a one-byte artifact store keeps only the newest artifact: {stats:?}");
}

/// The number of memory mappings of this process (Linux).
fn mappings() -> usize {
    std::fs::read_to_string("/proc/self/maps").map_or(0, |maps| maps.lines().count())
}

#[test]
fn serialized_reloads_do_not_accumulate_code_mappings() {
    // Regression: every reload into one shared engine kept its code mapped; after ~30k executions
    // mprotect failed and wasmer panicked. Mappings must stay flat however many reloads happen.
    let mut rt = runtime(config(CacheMode::Serialized));
    let counter = deployed(&mut rt, &contract("counter"));
    for _ in 0..200 {
        call(&mut rt, counter, "inc", &[]);
    }
    let before = mappings();
    for _ in 0..3000 {
        call(&mut rt, counter, "inc", &[]);
    }
    let grown = mappings().saturating_sub(before);
    assert!(grown < 300, "3000 reloads left {grown} more memory mappings");
    assert_eq!(rt.cache_stats().compiles, 1);
}
