//! Each invariant checker catches a violation planted in what it is shown — a receipt, a root, the
//! effects — built from a real transaction on a real runtime, with nothing test-only in the runtime.
//! And on the real, untouched step, every checker is silent.

use std::sync::Arc;
use svm::fee::FEE_ACCOUNT;
use svm::outcome::Outcome;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction, Transfer};
use svm::{Address, StateRoot, Value};
use svm_fuzzing::corpus;
use svm_fuzzing::invariants::effects::Effects;
use svm_fuzzing::invariants::{
    CHECKERS, Checker, Step, codec_roundtrip, collections_whole, conservation, effects, failed_changes_nothing,
    fee_rule, gas_within_limit, receipt_state, root_reloads,
};

const ALICE: Address = Address([0xA1; 20]);
const BOB: Address = Address([0xB0; 20]);
const CAROL: Address = Address([0xC0; 20]);

/// A runtime with counter deployed, and the three transactions the tests plant violations in.
struct World {
    rt: Runtime,
    counter: Address,
}

impl World {
    fn new() -> World {
        let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
        rt.genesis(&[(ALICE, 1 << 40), (BOB, 1 << 40)]).unwrap();
        let mut world = World { rt, counter: Address::default() };
        world.counter = world.deploy("counter");
        world
    }

    /// Deploys the corpus contract `name` from ALICE; its address.
    fn deploy(&mut self, name: &str) -> Address {
        let source = corpus::contract(name).unwrap();
        let deploy = Transaction::Deploy(Deploy {
            author: ALICE,
            nonce: self.nonce(&ALICE),
            code: source.code,
            page_count: source.page_count,
            slices: source.slices,
            initial_balance: 0,
            gas_limit: 10_000_000,
            gas_price: 1,
        });
        self.rt.apply(&deploy, &BlockContext::default()).unwrap().contract.unwrap()
    }

    fn nonce(&self, who: &Address) -> u64 {
        self.rt.account(who).unwrap().map_or(0, |a| a.nonce)
    }

    fn transfer(&self) -> Transaction {
        Transaction::Transfer(Transfer { from: ALICE, to: BOB, nonce: self.nonce(&ALICE), amount: 1000, gas_price: 3 })
    }

    fn call(&self, function: &str, args: Vec<Value>, gas_limit: u64) -> Transaction {
        Transaction::Execute(Execute {
            contract: self.counter,
            sender: BOB,
            nonce: self.nonce(&BOB),
            function: function.into(),
            args,
            calldata: Vec::new(),
            gas_limit,
            gas_price: 2,
            value: 0,
        })
    }

    /// Applies `tx`: (root before, receipt, root after).
    fn apply(&mut self, tx: &Transaction) -> (StateRoot, Receipt, StateRoot) {
        let before = self.rt.root();
        let receipt = self.rt.apply(tx, &BlockContext { layer: 1 }).unwrap();
        (before, receipt, self.rt.root())
    }
}

fn step<'a>(
    rt: &'a Runtime,
    tx: &'a Transaction,
    receipt: &'a Receipt,
    before: StateRoot,
    after: StateRoot,
) -> Step<'a> {
    Step { runtime: rt, tx, receipt, before, after, layer: 1, nodes: None }
}

/// What `checker` says of `step`, with effects read from it.
fn verdict(checker: &Checker, step: &Step<'_>) -> Result<(), String> {
    (checker.check)(step, &Effects::of(step).unwrap())
}

/// Every checker, root-reloads included, is silent on `step`.
fn all_silent(step: &Step<'_>) {
    for checker in CHECKERS.iter().chain([&root_reloads::CHECKER]) {
        assert_eq!(verdict(checker, step), Ok(()), "{} on an honest step", checker.name);
    }
}

#[test]
fn honest_steps_pass_every_checker() {
    let mut w = World::new();
    for tx in [w.transfer(), w.call("inc", vec![], 1_000_000), w.call("inc", vec![], 21_000)] {
        let (before, receipt, after) = w.apply(&tx);
        all_silent(&step(&w.rt, &tx, &receipt, before, after));
    }
}

#[test]
fn only_its_accounts_catches_a_change_to_an_account_the_transaction_does_not_name() {
    let mut w = World::new();
    let tx = w.transfer();
    let (before, receipt, _) = w.apply(&tx);
    let after = w.rt.genesis(&[(CAROL, 5)]).unwrap();
    let error = verdict(&effects::CHECKER, &step(&w.rt, &tx, &receipt, before, after)).unwrap_err();
    assert!(error.contains("another account changed"), "{error}");
}

#[test]
fn conservation_catches_balance_created_from_nothing() {
    let mut w = World::new();
    let tx = w.transfer();
    let (before, receipt, _) = w.apply(&tx);
    let after = w.rt.genesis(&[(ALICE, 7)]).unwrap();
    let planted = step(&w.rt, &tx, &receipt, before, after);
    assert_eq!(verdict(&effects::CHECKER, &planted), Ok(()), "only the sender changed");
    assert!(verdict(&conservation::CHECKER, &planted).unwrap_err().contains("summed to"));
}

#[test]
fn the_fee_rule_catches_a_wrong_fee_a_moved_invalid_and_an_unconsumed_nonce() {
    let mut w = World::new();
    let tx = w.transfer();
    let (before, receipt, after) = w.apply(&tx);
    let wrong_gas = Receipt { gas_used: receipt.gas_used + 1, ..receipt.clone() };
    let error = verdict(&fee_rule::CHECKER, &step(&w.rt, &tx, &wrong_gas, before, after)).unwrap_err();
    assert!(error.contains("fee account"), "{error}");
    let invalid = Receipt { outcome: Outcome::Invalid(svm::outcome::InvalidTx::NonceMismatch), ..receipt.clone() };
    let error = verdict(&fee_rule::CHECKER, &step(&w.rt, &tx, &invalid, before, after)).unwrap_err();
    assert!(error.contains("root changed"), "{error}");
    // A success whose root is the root before: the nonce did not move.
    let error = verdict(&fee_rule::CHECKER, &step(&w.rt, &tx, &receipt, before, before)).unwrap_err();
    assert!(error.contains("nonce went"), "{error}");
}

#[test]
fn failed_changes_nothing_catches_a_failure_that_kept_its_writes_or_its_effects() {
    let mut w = World::new();
    let tx = w.call("inc", vec![], 1_000_000);
    let (before, receipt, after) = w.apply(&tx);
    assert!(receipt.outcome.is_success());
    // The runtime says out of gas, but the contract's storage moved on.
    let failed = Receipt { outcome: Outcome::OutOfGas, state: None, returns: vec![], ..receipt.clone() };
    let error = verdict(&failed_changes_nothing::CHECKER, &step(&w.rt, &tx, &failed, before, after)).unwrap_err();
    assert!(error.contains("changed"), "{error}");
    let with_logs = Receipt { logs: vec![vec![1]], ..failed };
    let error = verdict(&failed_changes_nothing::CHECKER, &step(&w.rt, &tx, &with_logs, before, after)).unwrap_err();
    assert!(error.contains("carries effects"), "{error}");
}

#[test]
fn gas_within_limit_catches_gas_above_the_limit() {
    let mut w = World::new();
    let tx = w.call("inc", vec![], 1_000_000);
    let (before, receipt, after) = w.apply(&tx);
    let over = Receipt { gas_used: 1_000_001, ..receipt };
    let error = verdict(&gas_within_limit::CHECKER, &step(&w.rt, &tx, &over, before, after)).unwrap_err();
    assert!(error.contains("1000001"), "{error}");
}

#[test]
fn receipt_state_catches_a_receipt_naming_another_state() {
    let mut w = World::new();
    let tx = w.call("inc", vec![], 1_000_000);
    let (before, receipt, after) = w.apply(&tx);
    let other = Receipt { state: Some(svm::ContractState(svm::Hash([9; 32]))), ..receipt };
    let error = verdict(&receipt_state::CHECKER, &step(&w.rt, &tx, &other, before, after)).unwrap_err();
    assert!(error.contains("holds"), "{error}");
}

#[test]
fn codec_roundtrip_catches_a_receipt_the_codec_cannot_carry() {
    let mut w = World::new();
    let tx = w.call("add", vec![Value::I64(2)], 1_000_000);
    let (before, receipt, after) = w.apply(&tx);
    let too_many = Receipt { returns: vec![Value::I64(0); 1 << 16], ..receipt };
    assert!(verdict(&codec_roundtrip::CHECKER, &step(&w.rt, &tx, &too_many, before, after)).is_err());
}

#[test]
fn root_reloads_catches_effects_the_reopened_state_does_not_hold() {
    let mut w = World::new();
    let tx = w.transfer();
    let (before, receipt, after) = w.apply(&tx);
    let honest = step(&w.rt, &tx, &receipt, before, after);
    let mut effects = Effects::of(&honest).unwrap();
    // What the transaction's own reads said of the fee account is not what a reopened runtime reads.
    let fee = effects.touched.iter_mut().find(|t| t.address == FEE_ACCOUNT).unwrap();
    fee.after.as_mut().unwrap().balance += 1;
    let error = (root_reloads::CHECKER.check)(&honest, &effects).unwrap_err();
    assert!(error.contains("reads differently"), "{error}");
}

#[test]
fn collections_whole_catches_a_collection_node_gone_or_damaged() {
    let mut w = World::new();
    w.counter = w.deploy("lists");
    let mut last = None;
    for (key, value) in [(1, 10), (2, 20), (1, 11)] {
        let tx = w.call("push", vec![Value::I64(key), Value::I64(value)], 1_000_000);
        let (before, receipt, after) = w.apply(&tx);
        assert!(receipt.outcome.is_success(), "{receipt:?}");
        all_silent(&step(&w.rt, &tx, &receipt, before, after));
        last = Some((tx, receipt, before, after));
    }
    let (tx, receipt, before, after) = last.unwrap();
    let kv = w.rt.kv().clone();
    let nodes = kv.keys_with_prefix(&[svm::storage::kv::namespace::COLLECTION_NODE]).unwrap();
    let victim = nodes[nodes.len() / 2].clone();
    let stored = kv.get(&victim).unwrap().unwrap();
    let mut damaged = stored.clone();
    *damaged.last_mut().unwrap() ^= 1;
    for (value, expected) in [(Some(damaged), "corrupt"), (None, "missing")] {
        let mut batch = svm::storage::kv::WriteBatch::new();
        match value {
            Some(bytes) => batch.put(victim.clone(), bytes),
            None => batch.delete(victim.clone()),
        }
        kv.write(batch).unwrap();
        let error = verdict(&collections_whole::CHECKER, &step(&w.rt, &tx, &receipt, before, after)).unwrap_err();
        assert!(error.contains(expected), "{error}");
    }
}
