//! Generated-contract oracle: deploy a contract the generator plans and call it; every receipt and
//! every touched slice must be exactly what the plan's model says, and every invariant must hold.

use crate::generators::contract::{self, plan::AMPLE_GAS};
use crate::invariants::{self, Step};
use crate::oracles::expected_effects::ExpectedEffects;
use crate::stream::{Stream, StreamContract};
use rand::Rng;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::gas::intrinsic;
use svm::runtime::{BlockContext, Compiler, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction};
use svm::{Address, Value};

const USER: Address = Address([0x11; 20]);
const DEPLOYER: Address = Address([0x22; 20]);

/// Deploys the plan `rng` draws on the compiler it draws and makes `calls` calls to it (one in ten
/// with too little gas); panics on the first receipt, slice or invariant that is not as expected.
/// Returns how many transactions ended in each outcome.
pub fn check<R: Rng>(rng: &mut R, calls: usize) -> BTreeMap<String, usize> {
    let plan = contract::plan(rng);
    let compiler = if rng.random_bool(0.5) { Compiler::Singlepass } else { Compiler::Cranelift };
    let source = plan.source("generated");
    let mut stream = Stream { genesis: vec![(USER, u64::MAX / 4), (DEPLOYER, u64::MAX / 4)], ..Stream::default() };
    stream.contracts.insert(
        svm::code::code_hash(&source.code),
        StreamContract { name: "generated".into(), code: source.code.clone(), plan: Some(plan.clone()) },
    );
    let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig { compiler, ..RuntimeConfig::default() });
    rt.genesis(&stream.genesis).expect("genesis");
    let mut expected = ExpectedEffects::new(&stream);
    let mut outcomes = BTreeMap::new();
    let mut apply = |rt: &mut Runtime, tx: Transaction, layer: u64| {
        rt.begin_layer(layer).unwrap_or_else(|e| panic!("node fault at the layer boundary: {e}"));
        let before = rt.root();
        let receipt =
            rt.apply(&tx, &BlockContext { layer }).unwrap_or_else(|e| panic!("node fault: {e}\nplan: {plan:?}"));
        let step = Step { runtime: rt, tx: &tx, receipt: &receipt, before, after: rt.root(), layer, nodes: None };
        if let Err(finding) = expected.check(&step, layer) {
            panic!("{finding} ({compiler:?})\ntx: {tx:?}\nplan: {plan:?}");
        }
        if let Some(violation) = invariants::check(&step, false).first() {
            panic!("{violation}\ntx: {tx:?}\nplan: {plan:?}");
        }
        *outcomes.entry(receipt.outcome.name()).or_insert(0) += 1;
        receipt
    };
    let deploy = Deploy {
        author: DEPLOYER,
        nonce: 0,
        gas_limit: intrinsic::deploy(source.code.len(), source.slices.len()),
        gas_price: 1,
        initial_balance: 1000,
        code: source.code.clone(),
        page_count: source.page_count,
        slices: source.slices.clone(),
    };
    let Some(address) = apply(&mut rt, Transaction::Deploy(deploy), 0).contract else { return outcomes };
    for i in 0..calls {
        let mut call = contract::call(rng, &plan, usize::MAX);
        // A function that calls names itself as the callee (re-entry): the only contract there is.
        if plan.function(&call.function).is_some_and(|f| f.steps.iter().any(|s| s.calls())) {
            call.calldata.splice(0..0, address.0.iter().copied().chain(*b"f0"));
        }
        let nonce = rt.account(&USER).ok().flatten().map_or(0, |a| a.nonce);
        let ample = AMPLE_GAS + intrinsic::execute(source.code.len(), call.calldata.len());
        let tx = Execute {
            contract: address,
            sender: USER,
            nonce,
            function: call.function,
            args: vec![Value::I64(call.a), Value::I64(call.b)],
            gas_limit: if rng.random_bool(0.1) { rng.random_range(0..200_000) } else { ample },
            calldata: call.calldata,
            gas_price: 1,
            value: call.value,
        };
        apply(&mut rt, Transaction::Execute(tx), 1 + i as u64 / 4);
    }
    outcomes
}
