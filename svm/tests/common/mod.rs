//! Helpers shared by the runtime's integration tests.
#![allow(dead_code)]

pub mod store_history;

use std::sync::Arc;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, CacheMode, Compiler, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction};
use svm::{Address, Value};
use svm_fuzzing::contract_source::ContractSource;

/// Generous gas for calls that should not run out.
pub const GAS: u64 = 10_000_000;
/// The gas price the helpers pay.
pub const PRICE: u64 = 1;
/// What the helpers' funded accounts start with.
pub const FUNDS: u64 = 1_000_000_000_000;

/// A corpus contract by name (`counter`, `hostile/simd`).
pub fn contract(name: &str) -> ContractSource {
    svm_fuzzing::corpus::contract(name).unwrap_or_else(|| panic!("no corpus contract {name}"))
}

/// A contract from inline WAT, with `pages` pages and `slices` as `(page, offset, len)`.
pub fn inline(wat: &str, pages: u32, slices: &[(u32, u32, u32)]) -> ContractSource {
    let layout: Vec<String> = slices.iter().map(|(p, o, l)| format!("{p}:{o}:{l}")).collect();
    let text = format!(";; svm-layout: pages={pages} slices={}\n{wat}", layout.join(" "));
    ContractSource::from_wat("inline", &text).unwrap()
}

/// An account address from a small number.
pub fn account(n: u8) -> Address {
    Address([n; 20])
}

/// Every compiler with every cache mode.
pub fn configs() -> Vec<RuntimeConfig> {
    let mut configs = Vec::new();
    for compiler in [Compiler::Singlepass, Compiler::Cranelift] {
        for cache in [CacheMode::Off, CacheMode::Memory, CacheMode::Serialized] {
            configs.push(RuntimeConfig { compiler, cache, ..RuntimeConfig::default() });
        }
    }
    configs
}

/// A fresh runtime with accounts 1..=4 funded with [`FUNDS`] each.
pub fn runtime(config: RuntimeConfig) -> Runtime {
    let mut rt = Runtime::new(Arc::new(MemKv::new()), config);
    let allocations: Vec<(Address, u64)> = (1..=4).map(|n| (account(n), FUNDS)).collect();
    rt.genesis(&allocations).unwrap();
    rt
}

/// The transaction deploying `source` from `author` with `nonce`.
pub fn deploy_tx(source: &ContractSource, author: Address, nonce: u64) -> Transaction {
    Transaction::Deploy(Deploy {
        author,
        nonce,
        code: source.code.clone(),
        page_count: source.page_count,
        slices: source.slices.clone(),
        initial_balance: 0,
        gas_limit: GAS,
        gas_price: PRICE,
    })
}

/// Deploys `source` from account 1 (at its current nonce); the receipt.
pub fn deploy(rt: &mut Runtime, source: &ContractSource) -> Receipt {
    let nonce = rt.account(&account(1)).unwrap().map_or(0, |a| a.nonce);
    rt.apply(&deploy_tx(source, account(1), nonce), &BlockContext::default()).unwrap()
}

/// Deploys `source` and returns its address (panics unless the deploy succeeds).
pub fn deployed(rt: &mut Runtime, source: &ContractSource) -> Address {
    let receipt = deploy(rt, source);
    assert!(receipt.outcome.is_success(), "deploy of {} failed: {receipt:?}", source.name);
    receipt.contract.unwrap()
}

/// The execution transaction calling `function(args)` on `contract` from `sender`.
pub fn call_tx(
    rt: &Runtime,
    contract: Address,
    sender: Address,
    function: &str,
    args: &[Value],
    gas: u64,
) -> Transaction {
    let nonce = rt.account(&sender).unwrap().map_or(0, |a| a.nonce);
    Transaction::Execute(Execute {
        contract,
        sender,
        nonce,
        function: function.into(),
        args: args.to_vec(),
        calldata: Vec::new(),
        gas_limit: gas,
        gas_price: PRICE,
        value: 0,
    })
}

/// Calls `function(args)` on `contract` from account 2 with generous gas.
pub fn call(rt: &mut Runtime, contract: Address, function: &str, args: &[Value]) -> Receipt {
    let tx = call_tx(rt, contract, account(2), function, args, GAS);
    rt.apply(&tx, &BlockContext::default()).unwrap()
}
