//! Warm `counter.inc` through the full runtime against bare wasmer doing the same work, and module
//! loading from the cache against a cold compile.
//!
//! `cargo bench -p svm --bench runtime`. Targets: warm execution ≤ 1.25 × bare wasmer; a cached module
//! ≤ 0.1 × a cold compile.

mod common;

use common::{AUTHOR, apply_ok, bare_engine, bare_inc, config, execute, source, svm_counter};
use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::BTreeMap;
use std::hint::black_box;
use svm::code::code_hash;
use svm::module_cache::{ModuleCache, ModuleKey};
use svm::runtime::{CacheMode, Compiler};
use wasmer::Module;

fn warm_execution(c: &mut Criterion) {
    for compiler in [Compiler::Singlepass, Compiler::Cranelift] {
        let mut group = c.benchmark_group(format!("counter_inc_{}", compiler.name()));
        let (mut rt, counter) = svm_counter(compiler);
        // The counter's author pays: an unfunded sender would measure a refusal, not an execution.
        let mut nonce = 1;
        group.bench_function("svm_runtime", |b| {
            b.iter(|| {
                let tx = execute(counter, AUTHOR, nonce, "inc", vec![]);
                nonce += 1;
                black_box(apply_ok(&mut rt, &tx))
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
