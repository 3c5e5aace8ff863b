//! Differential oracle: the same module and calls on singlepass and cranelift, with the module cache
//! off and serialized, give identical receipts, gas, roots and vmcall traces.

use super::execution::apply_checked;
use crate::generators::calls::CallPlan;
use crate::oracles::trace_diff;
use std::sync::Arc;
use svm::Address;
use svm::runtime::{BlockContext, CacheMode, Compiler, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::storage::page_slices::PageSlice;
use svm::transaction::{Deploy, Execute, Transaction};

/// The engine configurations compared.
pub fn configs() -> Vec<RuntimeConfig> {
    let mut configs = Vec::new();
    for compiler in [Compiler::Singlepass, Compiler::Cranelift] {
        for cache in [CacheMode::Off, CacheMode::Serialized] {
            configs.push(RuntimeConfig { compiler, cache, ..RuntimeConfig::default() });
        }
    }
    configs
}

/// Deploys `code` and makes `calls` on every configuration; panics with the first difference.
pub fn check(code: &[u8], page_count: u32, slices: &[PageSlice], calls: &[CallPlan]) {
    let author = Address([1; 20]);
    let sender = Address([2; 20]);
    let mut observed = Vec::new();
    for config in configs() {
        let name = format!("{}/{}", config.compiler.name(), config.cache.name());
        let mut rt = Runtime::new(Arc::new(MemKv::new()), config);
        rt.genesis(&[(author, 1_000_000), (sender, 1_000_000)]).expect("genesis");
        let deploy = Transaction::Deploy(Deploy {
            author,
            nonce: 0,
            code: code.to_vec(),
            page_count,
            slices: slices.to_vec(),
            initial_balance: 0,
            gas_limit: 50_000_000,
        });
        let deployed = apply_checked(&mut rt, &deploy, &BlockContext::default());
        let mut steps = vec![(deployed.hash(), deployed.gas_used, rt.root(), Vec::new(), deployed.outcome.name())];
        if let Some(contract) = deployed.contract {
            for (i, plan) in calls.iter().enumerate() {
                let nonce = rt.account(&sender).ok().flatten().map_or(0, |a| a.nonce);
                let tx = Transaction::Execute(Execute {
                    contract,
                    sender,
                    nonce,
                    function: plan.function.clone(),
                    args: plan.args.clone(),
                    calldata: plan.calldata.clone(),
                    gas_limit: plan.gas,
                    value: plan.value,
                });
                let block = BlockContext { layer: i as u64 };
                let before = rt.root();
                let (receipt, trace) =
                    rt.apply_traced(&tx, &block).unwrap_or_else(|e| panic!("{name}: node fault: {e}"));
                if !receipt.outcome.is_success() {
                    assert_eq!(rt.root(), before, "{name}: a failed call changed the root");
                }
                steps.push((receipt.hash(), receipt.gas_used, rt.root(), trace, receipt.outcome.name()));
            }
        }
        observed.push((name, steps));
    }
    let (first_name, first) = &observed[0];
    for (name, steps) in &observed[1..] {
        for (i, (a, b)) in first.iter().zip(steps).enumerate() {
            if a.0 != b.0 || a.1 != b.1 || a.2 != b.2 || a.3 != b.3 {
                let trace = trace_diff::diff(&a.3, &b.3, first_name, name)
                    .map(|d| {
                        format!(
                            "first trace difference at vmcall #{}:\n  - {:?}\n  + {:?}",
                            d.index, d.entries[0], d.entries[1]
                        )
                    })
                    .unwrap_or_else(|| "traces agree".into());
                panic!(
                    "{first_name} and {name} disagree at step {i} (0 is the deploy): outcome {} vs {}, gas {} vs {}, root {} vs {}\n{trace}",
                    a.4, b.4, a.1, b.1, a.2, b.2
                );
            }
        }
        assert_eq!(first.len(), steps.len(), "{first_name} and {name} ran different numbers of steps");
    }
}
