//! Differential oracle: the same module and calls on singlepass and cranelift, with the module cache
//! off and serialized, give identical receipts, gas, roots and vmcall traces; the reference VM (a
//! second implementation sharing none of their execution code) gives the same receipts, gas and
//! roots; and on each of them every execution invariant holds.

use super::agreement::Replicas;
use super::execution::check_receipt;
use crate::generators::calls::CallPlan;
use svm::Address;
use svm::runtime::{BlockContext, CacheMode, Compiler, RuntimeConfig};
use svm::storage::page_slices::PageSlice;
use svm::transaction::{Deploy, Execute, Transaction};

/// The engine configurations compared, by name.
pub fn configs() -> Vec<(String, RuntimeConfig)> {
    let mut configs = Vec::new();
    for compiler in [Compiler::Singlepass, Compiler::Cranelift] {
        for cache in [CacheMode::Off, CacheMode::Serialized] {
            let name = format!("{}/{}", compiler.name(), cache.name());
            configs.push((name, RuntimeConfig { compiler, cache, ..RuntimeConfig::default() }));
        }
    }
    configs
}

/// Deploys `code` and makes `calls` on every configuration; panics with the first difference.
pub fn check(code: &[u8], page_count: u32, slices: &[PageSlice], calls: &[CallPlan]) {
    let author = Address([1; 20]);
    let sender = Address([2; 20]);
    let genesis = [(author, 1 << 40), (sender, 1 << 40)];
    let mut replicas = Replicas::new(configs(), &genesis).with_reference(&genesis);
    let deploy = Transaction::Deploy(Deploy {
        author,
        nonce: 0,
        code: code.to_vec(),
        page_count,
        slices: slices.to_vec(),
        initial_balance: 0,
        gas_limit: 1_000_000_000,
        gas_price: 1,
    });
    let step = |replicas: &mut Replicas, tx: &Transaction, block: &BlockContext, what: &str| {
        replicas.begin_layer(block.layer).unwrap_or_else(|d| panic!("{what}: {d}"));
        let before = replicas.first().root();
        let (receipt, _) = replicas.apply_traced(tx, block).unwrap_or_else(|d| panic!("{what}: {d}"));
        check_receipt(replicas.first(), tx, &receipt, before, block.layer);
        receipt
    };
    let deployed = step(&mut replicas, &deploy, &BlockContext::default(), "the deploy");
    let Some(contract) = deployed.contract.filter(|_| deployed.outcome.is_success()) else { return };
    for (i, plan) in calls.iter().enumerate() {
        let nonce = replicas.first().account(&sender).ok().flatten().map_or(0, |a| a.nonce);
        let tx = Transaction::Execute(Execute {
            contract,
            sender,
            nonce,
            function: plan.function.clone(),
            args: plan.args.clone(),
            calldata: plan.calldata.clone(),
            gas_limit: plan.gas,
            gas_price: plan.gas_price,
            value: plan.value,
        });
        step(&mut replicas, &tx, &BlockContext { layer: i as u64 }, &format!("call {i} ({})", plan.function));
    }
}
