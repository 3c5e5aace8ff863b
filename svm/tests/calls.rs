//! Contract-to-contract calls on the runtime: a successful call moves value, returns values and returndata
//! and keeps every write; a failing callee keeps its caller's earlier writes and none of its own; a failing
//! caller after a successful callee commits nothing; re-entry, depth, value, missing contracts and functions
//! are the callee's typed outcomes; bad input and too many calls trap the caller; a callee out of gas leaves
//! its caller 1/64; and the whole call tree gives the same receipt on both compilers and every cache mode,
//! at the smallest native stack the VM promises.

mod common;

use common::*;
use svm::Address;
use svm::Value;
use svm::call::{MAX_CALL_DEPTH, MAX_CALLS, status};
use svm::outcome::{Outcome, Refusal, TrapKind};
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::transaction::{Execute, Transaction};
use svm::vmcalls::HostError;
use svm_fuzzing::contract_source::ContractSource;
use svm_reference::ReferenceVm;

/// A runtime and the reference VM side by side: every transaction goes to both, and their receipts and
/// roots must agree.
struct Twin {
    rt: Runtime,
    vm: ReferenceVm,
}

impl Twin {
    fn new(config: RuntimeConfig) -> Twin {
        let mut vm = ReferenceVm::new(config.limits.clone());
        let allocations: Vec<(Address, u64)> = (1..=4).map(|n| (account(n), FUNDS)).collect();
        vm.genesis(&allocations).unwrap();
        Twin { rt: runtime(config), vm }
    }

    fn apply(&mut self, tx: &Transaction) -> Receipt {
        let receipt = self.rt.apply(tx, &BlockContext::default()).unwrap();
        let reference = self.vm.apply(tx, 0).unwrap_or_else(|e| panic!("the reference VM faulted: {e}"));
        assert_eq!(receipt.hash(), reference.hash(), "receipts differ:\n{receipt:?}\n{reference:?}");
        assert_eq!(self.rt.root(), self.vm.root(), "roots differ after {receipt:?}");
        receipt
    }

    fn account(&self, address: &Address) -> Option<svm::account::Account> {
        self.rt.account(address).unwrap()
    }

    fn root(&self) -> svm::StateRoot {
        self.rt.root()
    }

    fn deployed(&mut self, source: &ContractSource) -> Address {
        let nonce = self.account(&account(1)).map_or(0, |a| a.nonce);
        let receipt = self.apply(&deploy_tx(source, account(1), nonce));
        assert!(receipt.outcome.is_success(), "{receipt:?}");
        receipt.contract.unwrap()
    }

    fn call(&mut self, contract: Address, function: &str, args: &[Value]) -> Receipt {
        let tx = call_tx(&self.rt, contract, account(2), function, args, GAS);
        self.apply(&tx)
    }
}

const PROXY: &str = include_str!("../../corpus/contracts/calls/proxy.wat");

const LEAF: &str = include_str!("../../corpus/contracts/calls/leaf.wat");

fn proxy(rt: &mut Twin) -> Address {
    rt.deployed(&ContractSource::from_wat("calls/proxy", PROXY).unwrap())
}

fn leaf(rt: &mut Twin) -> Address {
    rt.deployed(&ContractSource::from_wat("calls/leaf", LEAF).unwrap())
}

/// Calldata naming `hops` in order.
fn hops(hops: &[(Address, &str)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (callee, name) in hops {
        bytes.extend_from_slice(&callee.0);
        bytes.push(name.len() as u8);
        bytes.extend_from_slice(name.as_bytes());
    }
    bytes
}

/// Runs `function(argv, value, gas)` on `contract` from account 2, moving `tx_value` to it.
fn run(rt: &mut Twin, contract: Address, function: &str, args: [i64; 3], calldata: Vec<u8>, tx_value: u64) -> Receipt {
    let tx = run_tx(rt, contract, function, args, calldata, tx_value);
    rt.apply(&tx)
}

/// The transaction [`run`] applies.
fn run_tx(
    rt: &Twin,
    contract: Address,
    function: &str,
    args: [i64; 3],
    calldata: Vec<u8>,
    tx_value: u64,
) -> Transaction {
    let nonce = rt.account(&account(2)).map_or(0, |a| a.nonce);
    Transaction::Execute(Execute {
        contract,
        sender: account(2),
        nonce,
        function: function.into(),
        args: args.iter().map(|v| Value::I64(*v)).collect(),
        calldata,
        gas_limit: GAS,
        gas_price: PRICE,
        value: tx_value,
    })
}

fn get(rt: &mut Twin, contract: Address, slice: i32) -> i64 {
    let receipt = rt.call(contract, "get", &[Value::I32(slice)]);
    assert!(receipt.outcome.is_success(), "{receipt:?}");
    match receipt.returns[..] {
        [Value::I64(v)] => v,
        _ => panic!("get returned {:?}", receipt.returns),
    }
}

fn balance(rt: &Twin, address: Address) -> u64 {
    rt.account(&address).map_or(0, |a| a.balance)
}

fn ok(receipt: &Receipt) {
    assert!(receipt.outcome.is_success(), "{receipt:?}");
}

#[test]
fn a_successful_call_moves_value_returns_values_and_keeps_every_write() {
    let mut rt = Twin::new(RuntimeConfig::default());
    let (a, b) = (proxy(&mut rt), leaf(&mut rt));
    let receipt = run(&mut rt, a, "relay", [5, 40, 0], hops(&[(b, "bump")]), 100);
    ok(&receipt);
    assert_eq!(receipt.returns, vec![Value::I32(0)]);
    assert_eq!(receipt.logs, vec![b"B".to_vec()], "the callee's log is kept in the transaction's receipt");
    assert_eq!(receipt.calls.len(), 1);
    let record = &receipt.calls[0];
    assert_eq!((record.depth, record.caller, record.callee), (2, a, b));
    assert_eq!((record.function.as_str(), record.outcome, record.value), ("bump", Outcome::Success, 40));
    assert!(record.gas_used > 20_000 && record.gas_used < receipt.gas_used, "{record:?}");
    assert_eq!((balance(&rt, a), balance(&rt, b)), (60, 40));
    assert_eq!(get(&mut rt, b, 0), 5, "the callee's storage write is committed");
    assert_eq!((get(&mut rt, a, 0), get(&mut rt, a, 1), get(&mut rt, a, 2)), (7, 0, 5));
    // A second call sees the first one's write.
    ok(&run(&mut rt, a, "relay", [3, 0, 0], hops(&[(b, "bump")]), 0));
    assert_eq!(get(&mut rt, b, 0), 8);
    assert_eq!(get(&mut rt, a, 2), 8, "call_result gave the callee's return value");
}

#[test]
fn a_traced_call_names_the_frame_and_contract_of_every_vmcall() {
    let mut rt = Twin::new(RuntimeConfig::default());
    let (a, b) = (proxy(&mut rt), leaf(&mut rt));
    let tx = run_tx(&rt, a, "relay", [5, 40, 0], hops(&[(b, "bump")]), 100);
    let (receipt, trace) = rt.rt.apply_traced(&tx, &BlockContext::default()).unwrap();
    ok(&receipt);
    let call = trace.iter().position(|e| e.vmcall == "contract_call").expect("the caller's contract_call");
    let callee = trace.iter().position(|e| e.depth == 2).expect("the callee's vmcalls");
    assert!(callee < call, "a callee's entries come before its caller's contract_call entry");
    for (i, entry) in trace.iter().enumerate() {
        let (depth, contract) = if (callee..call).contains(&i) { (2, b) } else { (1, a) };
        assert_eq!((entry.depth, entry.contract), (depth, contract), "entry {i}: {entry}");
    }
    assert!(trace[callee].to_string().starts_with(&format!("[frame 2 in {b}] ")), "{}", trace[callee]);
    assert!(!trace[call].to_string().starts_with('['), "{}", trace[call]);
}

#[test]
fn a_failing_callee_keeps_the_callers_earlier_writes_and_none_of_its_own() {
    let mut rt = Twin::new(RuntimeConfig::default());
    let (a, b) = (proxy(&mut rt), leaf(&mut rt));
    let receipt = run(&mut rt, a, "relay", [5, 40, 0], hops(&[(b, "bump_then_trap")]), 100);
    ok(&receipt);
    let trapped = Outcome::Trap(TrapKind::Unreachable);
    assert_eq!(receipt.returns, vec![Value::I32(status(trapped))]);
    assert!(receipt.logs.is_empty(), "the failed callee's log is gone");
    assert_eq!(receipt.calls[0].outcome, trapped);
    assert_eq!((balance(&rt, a), balance(&rt, b)), (100, 0), "the value move is undone");
    assert_eq!(get(&mut rt, b, 0), 0, "the callee's write is undone");
    assert_eq!(get(&mut rt, a, 0), 7, "the caller's earlier write stays");
    assert_eq!(get(&mut rt, a, 1), i64::from(status(trapped)));
}

#[test]
fn a_failing_caller_after_a_successful_callee_commits_nothing() {
    let mut rt = Twin::new(RuntimeConfig::default());
    let (a, b) = (proxy(&mut rt), leaf(&mut rt));
    let root = rt.root();
    let receipt = run(&mut rt, a, "relay_then_trap", [5, 40, 0], hops(&[(b, "bump")]), 100);
    assert_eq!(receipt.outcome, Outcome::Trap(TrapKind::Unreachable));
    assert!(receipt.calls.is_empty() && receipt.logs.is_empty(), "{receipt:?}");
    assert_ne!(rt.root(), root, "the fee is paid");
    assert_eq!((balance(&rt, a), balance(&rt, b)), (0, 0));
    assert_eq!((get(&mut rt, b, 0), get(&mut rt, a, 0)), (0, 0), "neither frame's writes are committed");
}

#[test]
fn reentry_is_refused_whether_direct_indirect_or_a_self_call() {
    let mut rt = Twin::new(RuntimeConfig::default());
    let (a, b) = (proxy(&mut rt), proxy(&mut rt));
    let reentry = status(Outcome::Refused(Refusal::Reentry));
    let receipt = run(&mut rt, a, "relay", [0, 0, 0], hops(&[(a, "relay")]), 0);
    ok(&receipt);
    assert_eq!(receipt.returns, vec![Value::I32(reentry)]);
    assert_eq!(receipt.calls[0].gas_used, 0, "a refused call runs nothing");
    let receipt = run(&mut rt, a, "relay", [0, 0, 0], hops(&[(b, "relay"), (a, "relay")]), 0);
    ok(&receipt);
    assert_eq!(receipt.returns, vec![Value::I32(0)], "b succeeded");
    assert_eq!(get(&mut rt, a, 2), i64::from(reentry), "b returned the refusal of its call back into a");
    let outcomes: Vec<_> = receipt.calls.iter().map(|c| (c.depth, c.outcome)).collect();
    assert_eq!(outcomes, vec![(2, Outcome::Success), (3, Outcome::Refused(Refusal::Reentry))]);
}

#[test]
fn missing_contracts_functions_and_value_are_the_callees_typed_outcomes() {
    let mut rt = Twin::new(RuntimeConfig::default());
    let (a, b) = (proxy(&mut rt), leaf(&mut rt));
    let cases = [
        (hops(&[(account(9), "bump")]), 0, Outcome::Refused(Refusal::NoSuchContract)),
        (hops(&[(b, "nothing")]), 0, Outcome::Refused(Refusal::NoSuchFunction)),
        (hops(&[(b, "get")]), 0, Outcome::Refused(Refusal::ArgumentMismatch)),
        (hops(&[(b, "bump")]), 1_000, Outcome::Refused(Refusal::CallValue)),
    ];
    for (calldata, value, outcome) in cases {
        let receipt = run(&mut rt, a, "relay", [1, value, 0], calldata, 0);
        ok(&receipt);
        assert_eq!(receipt.returns, vec![Value::I32(status(outcome))], "{outcome:?}");
        assert_eq!(receipt.calls[0].outcome, outcome);
    }
    assert_eq!(get(&mut rt, b, 0), 0);
}

#[test]
fn bad_input_and_too_many_calls_trap_the_caller() {
    let mut rt = Twin::new(RuntimeConfig::default());
    let (a, b) = (proxy(&mut rt), leaf(&mut rt));
    let receipt = run(&mut rt, a, "bad_slot", [1, 0, 0], hops(&[(b, "bump")]), 0);
    assert_eq!(receipt.outcome, Outcome::Host(HostError::CallInput));
    let missing = hops(&[(account(9), "bump")]);
    let receipt = run(&mut rt, a, "relay_many", [MAX_CALLS.into(), 0, 0], missing.clone(), 0);
    ok(&receipt);
    assert_eq!(receipt.calls.len(), MAX_CALLS as usize);
    let receipt = run(&mut rt, a, "relay_many", [i64::from(MAX_CALLS) + 1, 0, 0], missing, 0);
    assert_eq!(receipt.outcome, Outcome::Host(HostError::TooManyCalls));
}

#[test]
fn a_callee_out_of_gas_uses_what_it_was_forwarded_and_the_caller_goes_on() {
    let mut rt = Twin::new(RuntimeConfig::default());
    let (a, b) = (proxy(&mut rt), leaf(&mut rt));
    let receipt = run(&mut rt, a, "relay", [0, 0, 50_000], hops(&[(b, "spin")]), 0);
    ok(&receipt);
    assert_eq!(receipt.calls[0].outcome, Outcome::OutOfGas);
    assert_eq!(receipt.calls[0].gas_used, 50_000, "a limited callee uses exactly what it was given");
    let receipt = run(&mut rt, a, "relay", [0, 0, 0], hops(&[(b, "spin")]), 0);
    ok(&receipt);
    assert_eq!(receipt.returns, vec![Value::I32(status(Outcome::OutOfGas))]);
    let forwarded = receipt.calls[0].gas_used;
    assert!(forwarded > GAS - GAS / 64 - 100_000 && receipt.gas_used < GAS, "{forwarded} of {}", receipt.gas_used);
}

/// `depth - 1` proxies in a chain ending at the leaf's `function`.
fn chain(rt: &mut Twin, depth: u32, function: &'static str) -> (Address, Vec<u8>) {
    let proxies: Vec<Address> = (0..depth - 1).map(|_| proxy(rt)).collect();
    let end = leaf(rt);
    let mut route: Vec<(Address, &str)> = proxies[1..].iter().map(|p| (*p, "relay")).collect();
    route.push((end, function));
    (proxies[0], hops(&route))
}

#[test]
fn depth_and_stack_exhaustion_stop_at_the_same_frame_on_every_compiler_at_the_smallest_native_stack() {
    let mut receipts = Vec::new();
    for config in configs() {
        let config = RuntimeConfig { native_stack_bytes: svm::limits::MIN_NATIVE_STACK_BYTES, ..config };
        let mut rt = Twin::new(config);
        // The deepest allowed chain bumps; one more frame is refused.
        let (first, route) = chain(&mut rt, MAX_CALL_DEPTH, "bump");
        let deepest = run(&mut rt, first, "relay", [1, 0, 0], route, 0);
        ok(&deepest);
        assert_eq!(deepest.calls.len(), MAX_CALL_DEPTH as usize - 1);
        assert!(deepest.calls.iter().all(|c| c.outcome.is_success()), "{:?}", deepest.calls);
        let (first, route) = chain(&mut rt, MAX_CALL_DEPTH + 1, "bump");
        let too_deep = run(&mut rt, first, "relay", [1, 0, 0], route, 0);
        ok(&too_deep);
        let last = too_deep.calls.last().unwrap();
        assert_eq!((last.depth as u32, last.outcome), (MAX_CALL_DEPTH + 1, Outcome::Refused(Refusal::CallDepth)));
        // The deepest frame recurses until the shared stack budget runs out.
        let (first, route) = chain(&mut rt, MAX_CALL_DEPTH, "recurse");
        let exhausted = run(&mut rt, first, "relay", [1, 0, 0], route, 0);
        ok(&exhausted);
        assert_eq!(exhausted.calls.last().unwrap().outcome, Outcome::StackExhausted);
        receipts.push([deepest.hash(), too_deep.hash(), exhausted.hash(), rt.root().0]);
    }
    assert!(receipts.windows(2).all(|w| w[0] == w[1]), "receipts differ between compilers or cache modes");
}
