//! The hostile corpus: each contract ends in its pinned, typed outcome, with identical outcome, gas
//! and root on every compiler and cache mode and on the reference VM, and never a panic.

mod common;

use common::*;
use svm::Limits;
use svm::StateRoot;
use svm::Value;
use svm::outcome::{Outcome, Refusal};
use svm::runtime::Runtime;
use svm::transaction::Transaction;
use svm::validation::Rule;
use svm_fuzzing::oracles::execution::apply_checked;
use svm_reference::ReferenceVm;

/// What one hostile case ended in on one configuration.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    outcome: Outcome,
    returns: Vec<Value>,
    gas_used: u64,
    root: StateRoot,
}

/// Deploys `name`; if that succeeds, calls `function` with `gas`. Returns what happened last, and the
/// transactions applied.
fn run(rt: &mut Runtime, name: &str, function: &str, args: &[Value], gas: u64) -> (Observed, Vec<Transaction>) {
    let source = contract(name);
    let deploy = deploy_tx(&source, account(1), 0);
    let receipt = rt.apply(&deploy, &Default::default()).unwrap();
    let mut applied = vec![deploy];
    let receipt = if receipt.outcome.is_success() {
        let tx = call_tx(rt, receipt.contract.unwrap(), account(2), function, args, gas);
        applied.push(tx.clone());
        apply_checked(rt, &tx, &Default::default())
    } else {
        receipt
    };
    let observed =
        Observed { outcome: receipt.outcome, returns: receipt.returns, gas_used: receipt.gas_used, root: rt.root() };
    (observed, applied)
}

/// The same transactions on the reference VM, from the same genesis.
fn on_reference(applied: &[Transaction]) -> Observed {
    let mut vm = ReferenceVm::new(Limits::default());
    let allocations: Vec<(svm::Address, u64)> = (1..=4).map(|n| (account(n), FUNDS)).collect();
    vm.genesis(&allocations).unwrap();
    let mut last = None;
    for tx in applied {
        last = Some(vm.apply(tx, 0).unwrap_or_else(|e| panic!("the reference VM faulted: {e}")));
    }
    let receipt = last.expect("at least the deploy");
    Observed { outcome: receipt.outcome, returns: receipt.returns, gas_used: receipt.gas_used, root: vm.root() }
}

fn same_everywhere(name: &str, function: &str, args: &[Value], gas: u64) -> Observed {
    let mut observed: Vec<(String, Observed)> = Vec::new();
    let mut applied = Vec::new();
    for config in configs() {
        let mut rt = runtime(config.clone());
        let (seen, txs) = run(&mut rt, name, function, args, gas);
        observed.push((format!("{}/{}", config.compiler.name(), config.cache.name()), seen));
        applied = txs;
    }
    observed.push(("reference".into(), on_reference(&applied)));
    for (config, seen) in &observed[1..] {
        assert_eq!(seen, &observed[0].1, "{name}: {config} differs from {}", observed[0].0);
    }
    observed.remove(0).1
}

#[test]
fn simd_is_refused_at_deploy() {
    let seen = same_everywhere("hostile/simd", "splat", &[], GAS);
    assert_eq!(seen.outcome, Outcome::Refused(Refusal::CodeRejected(Rule::Simd)));
    assert_eq!(seen.gas_used, svm::gas::intrinsic::deploy(contract("hostile/simd").code.len(), 0));
}

#[test]
fn floats_are_refused_or_run_as_the_float_rule_says() {
    let half = same_everywhere("float", "half", &[Value::I32(-7)], GAS);
    assert_eq!((half.outcome, half.returns), (Outcome::Success, vec![Value::I32(-3)]));
    for config in configs() {
        let limits = svm::Limits { floats: svm::limits::FloatRule::Refused, ..svm::Limits::default() };
        let mut rt = runtime(svm::runtime::RuntimeConfig { limits, ..config });
        let receipt = deploy(&mut rt, &contract("float"));
        assert_eq!(receipt.outcome, Outcome::Refused(Refusal::CodeRejected(Rule::Float)));
    }
}

#[test]
fn infinite_loop_runs_out_of_gas() {
    let seen = same_everywhere("hostile/infinite_loop", "spin", &[], 200_000);
    assert_eq!(seen.outcome, Outcome::OutOfGas);
    assert_eq!(seen.gas_used, 200_000);
}

#[test]
fn recursion_bomb_hits_the_vms_own_stack_budget() {
    let seen = same_everywhere("hostile/recursion_bomb", "down", &[Value::I64(0)], GAS);
    assert_eq!(seen.outcome, Outcome::StackExhausted);
    assert!(seen.gas_used < GAS, "stopped by the stack budget, not by gas: {}", seen.gas_used);
}

#[test]
fn memory_grow_bomb_is_refused_at_the_cap() {
    let seen = same_everywhere("hostile/memory_grow_bomb", "grow", &[], GAS);
    assert_eq!(seen.outcome, Outcome::Success);
    let cap = svm::Limits::default().max_memory_pages as i32;
    assert_eq!(seen.returns, vec![Value::I32(cap - 1)]);
    let seen = same_everywhere("hostile/memory_grow_bomb", "grow_huge", &[], GAS);
    assert_eq!((seen.outcome, seen.returns), (Outcome::Success, vec![Value::I32(-1)]));
}

#[test]
fn out_of_bounds_vmcall_pointer_is_a_host_error() {
    let seen = same_everywhere("hostile/oob_pointer", "smash", &[], GAS);
    assert_eq!(seen.outcome, Outcome::Host(svm::vmcalls::HostError::MemoryOutOfBounds));
}

#[test]
fn oversized_memory_is_rejected_at_deploy() {
    let seen = same_everywhere("hostile/oversized_memory", "nothing", &[], GAS);
    assert_eq!(seen.outcome, Outcome::Refused(Refusal::CodeRejected(Rule::MemoryTooLarge)));
}

#[test]
fn unknown_import_is_rejected_at_deploy() {
    let seen = same_everywhere("hostile/unknown_import", "go", &[], GAS);
    assert_eq!(seen.outcome, Outcome::Refused(Refusal::CodeRejected(Rule::UnknownVmcall)));
}
