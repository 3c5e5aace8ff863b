//! The `vmcalls` fuzz target's executions per second against bare wasmer doing the same work on the
//! same generated modules: compile (same compiler, wasmer's own metering so that loops end),
//! instantiate with stub imports, and make the same calls. One run, figures printed.
//!
//! `cargo bench -p svm-sim --bench fuzz_throughput [inputs]` (target: vmcalls ≥ 0.7 × bare).

use std::sync::Arc;
use std::time::Instant;
use svm::Value;
use svm::runtime::Compiler;
use svm_fuzzing::targets::{vmcalls, vmcalls_plan};
use wasmer::sys::{Cranelift, EngineBuilder, Singlepass};
use wasmer::{Engine, Function, Imports, Instance, Module, Store, Value as WasmValue};
use wasmer_middlewares::Metering;
use wasmer_middlewares::metering::set_remaining_points;

fn input(seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..2048)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn engine(compiler: Compiler) -> Engine {
    let metering = Arc::new(Metering::new(0, |op: &wasmparser::Operator<'_>| svm::gas::operator_cost(op)));
    match compiler {
        Compiler::Singlepass => {
            let mut c = Singlepass::default();
            c.canonicalize_nans(true);
            wasmer::sys::CompilerConfig::push_middleware(&mut c, metering);
            EngineBuilder::new(c).engine().into()
        }
        Compiler::Cranelift => {
            let mut c = Cranelift::default();
            c.canonicalize_nans(true);
            wasmer::sys::CompilerConfig::push_middleware(&mut c, metering);
            EngineBuilder::new(c).engine().into()
        }
    }
}

/// Bare wasmer on one input: compile, then per call a fresh instance (as SVM does) and the call.
fn bare(data: &[u8]) {
    let Some(plan) = vmcalls_plan(data) else { return };
    if svm::validation::validate(&plan.code, &Default::default()).is_err() {
        return; // SVM rejects these at deploy without compiling; bare wasmer would not run them either.
    }
    let engine = engine(plan.compiler);
    let Ok(module) = Module::new(&engine, &plan.code) else { return };
    for call in &plan.calls {
        let mut store = Store::new(engine.clone());
        let mut imports = Imports::new();
        for import in module.imports() {
            if let wasmer::ExternType::Function(ty) = import.ty() {
                let results: Vec<WasmValue> = ty
                    .results()
                    .iter()
                    .map(|t| if *t == wasmer::Type::I32 { WasmValue::I32(0) } else { WasmValue::I64(0) })
                    .collect();
                imports.define(
                    import.module(),
                    import.name(),
                    Function::new(&mut store, ty, move |_| Ok(results.clone())),
                );
            }
        }
        let Ok(instance) = Instance::new(&mut store, &module, &imports) else { continue };
        set_remaining_points(&mut store, &instance, call.gas);
        let Ok(function) = instance.exports.get_function(&call.function) else { continue };
        let args: Vec<WasmValue> = call
            .args
            .iter()
            .map(|v| match v {
                Value::I32(x) => WasmValue::I32(*x),
                Value::I64(x) => WasmValue::I64(*x),
                Value::F32(bits) => WasmValue::F32(f32::from_bits(*bits)),
                Value::F64(bits) => WasmValue::F64(f64::from_bits(*bits)),
            })
            .collect();
        let _ = function.call(&mut store, &args);
    }
}

fn main() {
    let count = std::env::args().filter_map(|a| a.parse::<u64>().ok()).next().unwrap_or(400);
    let inputs: Vec<Vec<u8>> = (0..count).map(input).collect();
    let started = Instant::now();
    for data in &inputs {
        vmcalls(data);
    }
    let ours = count as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    for data in &inputs {
        bare(data);
    }
    let baseline = count as f64 / started.elapsed().as_secs_f64();
    let accepted = inputs
        .iter()
        .filter_map(|d| vmcalls_plan(d))
        .filter(|p| svm::validation::validate(&p.code, &Default::default()).is_ok())
        .count();
    println!("{count} generated inputs, {accepted} with modules the allow-list accepts");
    println!("vmcalls target: {ours:.0} execs/s");
    println!("bare wasmer:    {baseline:.0} execs/s");
    println!("ratio:          {:.2}", ours / baseline);
}
