//! Contract-to-contract calls in the reference VM, from `docs/consensus.md` (Calls, Execution, The
//! stack budget, Outcomes), end to end with WAT contracts on the reference interpreter. Expectations
//! are computed from the written rules: exact gas for a minimal caller and callee, exact statuses and
//! call records, and the storage, balances and logs every frame leaves or does not leave.

use std::collections::BTreeMap;
use svm_core::call::{CallRecord, value_slot};
use svm_core::layout::PageSlice;
use svm_core::outcome::{Outcome, Refusal, TrapKind};
use svm_core::receipt::Receipt;
use svm_core::transaction::{Deploy, Execute, Transaction};
use svm_core::vmcalls::HostError;
use svm_core::vmcalls::registry::vmcall;
use svm_core::{Address, Limits, Value};
use svm_reference::ReferenceVm;
use svm_reference::chain::hashing;

const A: Address = Address([0xAA; 20]);

/// The universal test contract. Slice 0 (4 bytes) counts the exports that ran `$touch`; slice 1 (20
/// bytes) holds the sender `$touch` last saw; `$touch` also logs "mark".
///
/// - `call(f, fl, a, ac, d, dl, value, gas) -> status` (the relay): touches, copies its calldata to
///   memory 0 and calls the contract at 0 with function `[f, +fl)`, arguments `[a, +9 × ac)` and data
///   `[d, +dl)`; its returndata is the call result `R`;
/// - `call_trap(…)`: the relay, then `unreachable`; `call_twice(…)`: the relay twice (the second
///   status); `call_spam(…, n)`: the relay, then `n` calls to the empty address 0;
/// - `spam(n)`, `spam_trap(n)`: `n` calls to address 0 (then `unreachable`);
/// - `give(x) -> (x + 1, host_value)`: touches and sets returndata "mark";
/// - `rec(n)`: recurses `n` deep; `events(n)`: emits `n` events with data "mark" (neither touches);
/// - `boom`: touches and traps; `burn`: touches and loops forever; `logs(n)`: touches, then logs `n`
///   times.
const UNIVERSAL: &str = r#"(module
  (import "svm" "calldata_len" (func $cd_len (result i32)))
  (import "svm" "calldata_copy" (func $cd_copy (param i32 i32 i32)))
  (import "svm" "contract_call" (func $call (param i32 i32 i32 i32 i32 i32 i32 i64 i64) (result i32)))
  (import "svm" "call_result" (func $result (param i32 i32 i32) (result i32)))
  (import "svm" "returndata_set" (func $ret (param i32 i32)))
  (import "svm" "storage_read_i32" (func $read (param i32) (result i32)))
  (import "svm" "storage_write_i32" (func $write (param i32 i32)))
  (import "svm" "storage_write_from_reg" (func $write_reg (param i32 i32 i32 i32 i32)))
  (import "svm" "host_sender_to_reg" (func $sender (param i32)))
  (import "svm" "host_value" (func $value (result i64)))
  (import "svm" "log" (func $log (param i32 i32)))
  (import "svm" "event_emit" (func $emit (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 60000) "mark")
  (func $touch
    (call $write (i32.const 0) (i32.add (call $read (i32.const 0)) (i32.const 1)))
    (call $sender (i32.const 0))
    (call $write_reg (i32.const 1) (i32.const 0) (i32.const 20) (i32.const 160) (i32.const 0))
    (call $log (i32.const 60000) (i32.const 4)))
  (func $relay (param $f i32) (param $fl i32) (param $a i32) (param $ac i32) (param $d i32) (param $dl i32)
               (param $v i64) (param $g i64) (result i32)
    (local $status i32)
    (call $touch)
    (call $cd_copy (i32.const 0) (call $cd_len) (i32.const 0))
    (local.set $status (call $call (i32.const 0) (local.get $f) (local.get $fl) (local.get $a) (local.get $ac)
                                  (local.get $d) (local.get $dl) (local.get $v) (local.get $g)))
    (call $ret (i32.const 40000) (call $result (i32.const 40000) (i32.const 0) (i32.const 20000)))
    (local.get $status))
  (func $spam (param $n i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (drop (call $call (i32.const 65000) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                          (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again))))
  (func (export "call") (param i32 i32 i32 i32 i32 i32 i64 i64) (result i32)
    (call $relay (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
                 (local.get 6) (local.get 7)))
  (func (export "call_trap") (param i32 i32 i32 i32 i32 i32 i64 i64)
    (drop (call $relay (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
                       (local.get 6) (local.get 7)))
    unreachable)
  (func (export "call_twice") (param i32 i32 i32 i32 i32 i32 i64 i64) (result i32)
    (drop (call $relay (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
                       (local.get 6) (local.get 7)))
    (call $relay (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
                 (local.get 6) (local.get 7)))
  (func (export "call_spam") (param i32 i32 i32 i32 i32 i32 i64 i64 i32) (result i32)
    (call $relay (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
                 (local.get 6) (local.get 7))
    (call $spam (local.get 8)))
  (func (export "spam") (param i32) (call $spam (local.get 0)))
  (func (export "spam_trap") (param i32) (call $spam (local.get 0)) unreachable)
  (func (export "give") (param $x i32) (result i32 i64)
    (call $touch)
    (call $ret (i32.const 60000) (i32.const 4))
    (i32.add (local.get $x) (i32.const 1))
    (call $value))
  (func (export "events") (param $n i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (call $emit (i32.const 0) (i32.const 0) (i32.const 60000) (i32.const 4) (i32.const 0))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again))))
  (func $rec (export "rec") (param $n i32)
    (if (local.get $n) (then (call $rec (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "boom") (call $touch) unreachable)
  (func (export "burn") (call $touch) (loop $again (br $again)))
  (func (export "logs") (param $n i32)
    (call $touch)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (call $log (i32.const 60000) (i32.const 4))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))))"#;

/// The minimal caller, for exact gas: `f(cd_len, name_len, value, gas) -> status` copies its calldata
/// (callee ‖ function name) to 0, calls with no arguments and no data, and sets its returndata to the
/// first 100 bytes of the call result.
///
/// Its segments: 8 before `calldata_copy` (3 operands + call), 14 before `contract_call` (9 operands +
/// call), 10 before `call_result` (`local.set`, 4 constants, call), 5 before `returndata_set` (the
/// call), 1 before the final `end` (`local.get`): 38 in all.
const MINIMAL_CALLER: &str = r#"(module
  (import "svm" "calldata_copy" (func $copy (param i32 i32 i32)))
  (import "svm" "contract_call" (func $call (param i32 i32 i32 i32 i32 i32 i32 i64 i64) (result i32)))
  (import "svm" "call_result" (func $result (param i32 i32 i32) (result i32)))
  (import "svm" "returndata_set" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "f") (param i32 i32 i64 i64) (result i32)
    (local i32)
    (call $copy (i32.const 0) (local.get 0) (i32.const 0))
    (local.set 4 (call $call (i32.const 0) (i32.const 20) (local.get 1) (i32.const 0) (i32.const 0)
                             (i32.const 0) (i32.const 0) (local.get 2) (local.get 3)))
    (call $ret (i32.const 1000) (call $result (i32.const 1000) (i32.const 0) (i32.const 100)))
    (local.get 4)))"#;

/// The minimal callee: `two() -> (7, host_value)` with returndata "abc" (segments: 7 before
/// `returndata_set`, 6 before `host_value`, the final `end` free: 13); `burn` loops forever.
const MINIMAL_CALLEE: &str = r#"(module
  (import "svm" "returndata_set" (func $ret (param i32 i32)))
  (import "svm" "host_value" (func $value (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "abc")
  (func (export "two") (result i32 i64)
    (call $ret (i32.const 0) (i32.const 3))
    (i32.const 7)
    (call $value))
  (func (export "burn") (loop $again (br $again))))"#;

fn price(name: &str, bytes: u64) -> u64 {
    let spec = vmcall(name).unwrap();
    spec.price.base + spec.price.per_byte * bytes
}

fn i(v: i32) -> Value {
    Value::I32(v)
}

/// A chain with `A` rich, deploying and calling test contracts.
struct Chain {
    vm: ReferenceVm,
    nonce: u64,
}

impl Chain {
    fn new() -> Chain {
        let mut vm = ReferenceVm::new(Limits::default());
        vm.genesis(&[(A, u64::MAX / 2)]).unwrap();
        Chain { vm, nonce: 0 }
    }

    fn next_nonce(&mut self) -> u64 {
        self.nonce += 1;
        self.nonce - 1
    }

    /// Deploys `source` (2 slices: 4 bytes, then 20) with `initial_balance`; its address.
    fn deploy(&mut self, source: &str, initial_balance: u64) -> Address {
        let slices = vec![PageSlice { page: 0, offset: 0, len: 4 }, PageSlice { page: 0, offset: 8, len: 20 }];
        self.deploy_with(source, slices, initial_balance)
    }

    /// Deploys `source` with one page and `slices`.
    fn deploy_with(&mut self, source: &str, slices: Vec<PageSlice>, initial_balance: u64) -> Address {
        let code = wat::parse_str(source).unwrap();
        svm_core::validation::validate(&code, &Limits::default()).expect("deploy admits the module");
        let nonce = self.next_nonce();
        let deploy = Deploy {
            author: A,
            nonce,
            code: code.clone(),
            page_count: 1,
            slices,
            initial_balance,
            gas_limit: 1_000_000_000,
            gas_price: 1,
        };
        let receipt = self.vm.apply(&Transaction::Deploy(deploy), 1).unwrap();
        assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
        hashing::contract_address(&A, nonce, &hashing::code_hash(&code))
    }

    fn universal(&mut self, initial_balance: u64) -> Address {
        self.deploy(UNIVERSAL, initial_balance)
    }

    fn execute(&mut self, contract: Address, function: &str, args: Vec<Value>, calldata: Vec<u8>, gas: u64) -> Receipt {
        let execute = Execute {
            contract,
            sender: A,
            nonce: self.next_nonce(),
            function: function.into(),
            args,
            calldata,
            gas_limit: gas,
            gas_price: 1,
            value: 0,
        };
        self.vm.apply(&Transaction::Execute(execute), 1).unwrap()
    }

    /// Runs `relay.export(…)` making the call `hop` (plus `extra` arguments).
    fn relay(&mut self, relay: Address, export: &str, hop: Hop, extra: &[Value]) -> Receipt {
        let (calldata, mut args) = hop.encode();
        args.extend_from_slice(extra);
        self.execute(relay, export, args, calldata, 500_000_000)
    }

    /// (counter, last sender) of a universal contract.
    fn storage(&self, contract: Address) -> (u32, Address) {
        let slices = self.vm.contract_slices(&contract).unwrap();
        (u32::from_le_bytes(slices[0][..].try_into().unwrap()), Address(slices[1][..].try_into().unwrap()))
    }

    fn balance(&self, address: Address) -> u64 {
        self.vm.account(&address).balance
    }
}

/// One call a relay makes: `callee.function(args)` with `data`, moving `value`, forwarding `gas`.
struct Hop {
    callee: Address,
    function: Vec<u8>,
    args: Vec<[u8; 9]>,
    data: Vec<u8>,
    value: i64,
    gas: i64,
}

impl Hop {
    fn new(callee: Address, function: &str, args: &[Value]) -> Hop {
        Hop {
            callee,
            function: function.as_bytes().to_vec(),
            args: args.iter().map(|v| value_slot(*v)).collect(),
            data: Vec::new(),
            value: 0,
            gas: 0,
        }
    }

    /// The callee is itself a relay, which makes `inner` through its export `call`.
    fn via(callee: Address, inner: Hop) -> Hop {
        let (data, args) = inner.encode();
        Hop { data, ..Hop::new(callee, "call", &args) }
    }

    fn value(self, value: i64) -> Hop {
        Hop { value, ..self }
    }

    /// The relay's calldata (callee ‖ function ‖ slots ‖ data) and its eight arguments.
    fn encode(&self) -> (Vec<u8>, Vec<Value>) {
        let mut calldata = self.callee.0.to_vec();
        let f = calldata.len();
        calldata.extend_from_slice(&self.function);
        let a = calldata.len();
        self.args.iter().for_each(|slot| calldata.extend_from_slice(slot));
        let d = calldata.len();
        calldata.extend_from_slice(&self.data);
        let offsets = [f, self.function.len(), a, self.args.len(), d, self.data.len()];
        let mut args: Vec<Value> = offsets.iter().map(|o| i(*o as i32)).collect();
        args.extend([Value::I64(self.value), Value::I64(self.gas)]);
        (calldata, args)
    }
}

fn record(depth: u8, caller: Address, callee: Address, function: &str, outcome: Outcome) -> CallRecord {
    CallRecord { depth, caller, callee, function: function.into(), outcome, gas_used: 0, value: 0 }
}

/// The records without their gas (checked elsewhere exactly).
fn shapes(receipt: &Receipt) -> Vec<CallRecord> {
    receipt.calls.iter().map(|r| CallRecord { gas_used: 0, ..r.clone() }).collect()
}

fn status(outcome: Outcome) -> Value {
    i(svm_core::call::status(outcome))
}

const REENTRY: Outcome = Outcome::Refused(Refusal::Reentry);

#[test]
fn a_call_moves_value_and_returns_values_and_returndata_at_the_gas_the_rules_give() {
    let mut chain = Chain::new();
    let caller = chain.deploy(MINIMAL_CALLER, 1_000);
    let callee = chain.deploy(MINIMAL_CALLEE, 0);
    let (caller_len, callee_len) =
        (wat::parse_str(MINIMAL_CALLER).unwrap().len() as u64, wat::parse_str(MINIMAL_CALLEE).unwrap().len() as u64);
    let mut calldata = callee.0.to_vec();
    calldata.extend_from_slice(b"two");
    let args = vec![i(23), i(3), Value::I64(400), Value::I64(0)];
    let receipt = chain.execute(caller, "f", args, calldata, 1_000_000);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    assert_eq!(receipt.returns, vec![i(0)]);

    // R = u8 2 ‖ (i32 7) ‖ (i64 400) ‖ "abc".
    let mut r = vec![2u8];
    r.extend_from_slice(&value_slot(Value::I32(7)));
    r.extend_from_slice(&value_slot(Value::I64(400)));
    r.extend_from_slice(b"abc");
    assert_eq!(receipt.returndata, r);

    // The callee: intrinsic (no calldata) + 13 of operators + returndata_set(3) + host_value.
    let callee_gas = 20_000 + 10 * callee_len + 13 + price("returndata_set", 3) + price("host_value", 0);
    let expected = CallRecord {
        depth: 2,
        caller,
        callee,
        function: "two".into(),
        outcome: Outcome::Success,
        gas_used: callee_gas,
        value: 400,
    };
    assert_eq!(receipt.calls, vec![expected]);
    // The caller: intrinsic (23 bytes of calldata) + 38 of operators + four vmcall prices + the callee.
    let gas = 20_000
        + 10 * caller_len
        + 10 * 23
        + 38
        + price("calldata_copy", 23)
        + price("contract_call", 3)
        + price("call_result", 100)
        + price("returndata_set", r.len() as u64)
        + callee_gas;
    assert_eq!(receipt.gas_used, gas);
    assert_eq!((chain.balance(caller), chain.balance(callee)), (600, 400));
    // The records are consensus data: the receipt hash covers them.
    let mut without = receipt.clone();
    without.calls.clear();
    assert_ne!(receipt.hash(), without.hash());
}

#[test]
fn out_of_gas_in_the_callee_leaves_the_caller_a_sixty_fourth() {
    let mut chain = Chain::new();
    let caller = chain.deploy(MINIMAL_CALLER, 0);
    let callee = chain.deploy(MINIMAL_CALLEE, 0);
    let caller_len = wat::parse_str(MINIMAL_CALLER).unwrap().len() as u64;
    let mut calldata = callee.0.to_vec();
    calldata.extend_from_slice(b"burn");
    let limit = 1_000_000;
    let receipt = chain.execute(caller, "f", vec![i(24), i(4), Value::I64(0), Value::I64(0)], calldata, limit);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    assert_eq!(receipt.returns, vec![status(Outcome::OutOfGas)]);
    assert_eq!(receipt.returns, vec![i(512)]);
    let avail =
        limit - (20_000 + 10 * caller_len + 10 * 24) - 8 - price("calldata_copy", 24) - 14 - price("contract_call", 4);
    let forwarded = avail - avail / 64;
    assert_eq!(receipt.calls.len(), 1);
    assert_eq!((receipt.calls[0].outcome, receipt.calls[0].gas_used), (Outcome::OutOfGas, forwarded));
    // The caller finishes on its 1/64: 10 + call_result(100) + 5 + returndata_set(0) + 1.
    let after = 10 + price("call_result", 100) + 5 + price("returndata_set", 0) + 1;
    assert_eq!(receipt.gas_used, limit - (avail / 64 - after));
    assert!(receipt.returndata.is_empty(), "a failed call leaves R empty");

    // A smaller request is honoured: gas = 5,000 forwards exactly 5,000.
    let mut calldata = callee.0.to_vec();
    calldata.extend_from_slice(b"burn");
    let receipt = chain.execute(caller, "f", vec![i(24), i(4), Value::I64(0), Value::I64(5_000)], calldata, limit);
    assert_eq!(receipt.calls[0].gas_used, 5_000);
}

#[test]
fn the_callee_sees_its_caller_as_sender_and_the_value_moved() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(1_000), chain.universal(0));
    let receipt = chain.relay(u0, "call", Hop::new(u1, "give", &[i(41)]).value(5), &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    assert_eq!(receipt.returns, vec![i(0)]);
    let mut r = vec![2u8];
    r.extend_from_slice(&value_slot(i(42)));
    r.extend_from_slice(&value_slot(Value::I64(5)));
    r.extend_from_slice(b"mark");
    assert_eq!(receipt.returndata, r);
    assert_eq!(receipt.logs, vec![b"mark".to_vec(), b"mark".to_vec()]);
    assert_eq!(chain.storage(u0), (1, A));
    assert_eq!(chain.storage(u1), (1, u0), "the callee's sender is the calling contract");
    assert_eq!((chain.balance(u0), chain.balance(u1)), (995, 5));
    let give = CallRecord { value: 5, ..record(2, u0, u1, "give", Outcome::Success) };
    assert_eq!(shapes(&receipt), vec![give]);
    assert_ne!(receipt_state_of(&chain, u1), svm_core::ContractState::EMPTY);
}

fn receipt_state_of(chain: &Chain, contract: Address) -> svm_core::ContractState {
    chain.vm.account(&contract).contract.unwrap().state
}

#[test]
fn a_failing_callee_keeps_its_callers_writes_and_none_of_its_own() {
    let mut chain = Chain::new();
    let (u0, u1, u2) = (chain.universal(1_000), chain.universal(0), chain.universal(0));
    let state_u1 = receipt_state_of(&chain, u1);
    let receipt = chain.relay(u0, "call", Hop::new(u1, "boom", &[]).value(5), &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    let trap = Outcome::Trap(TrapKind::Unreachable);
    assert_eq!(receipt.returns, vec![status(trap)]);
    assert_eq!(receipt.returns, vec![i(4 << 8)]);
    assert_eq!(receipt.logs, vec![b"mark".to_vec()], "the callee's log is gone");
    assert!(receipt.returndata.is_empty());
    assert_eq!(chain.storage(u0), (1, A));
    assert_eq!(chain.storage(u1), (0, Address([0; 20])));
    assert_eq!(receipt_state_of(&chain, u1), state_u1);
    assert_eq!((chain.balance(u0), chain.balance(u1)), (1_000, 0), "the value went back");
    assert_eq!(shapes(&receipt), vec![CallRecord { value: 5, ..record(2, u0, u1, "boom", trap) }]);

    // A callee that fails after its own successful call loses that call's effects and record.
    let receipt = chain.relay(u0, "call", Hop::via(u1, Hop::new(u2, "give", &[i(1)]).value(3)).value(7), &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    assert_eq!(receipt.returns, vec![i(0)], "the relay call succeeded");
    let receipt = chain.relay(u0, "call", trap_via(u1, Hop::new(u2, "give", &[i(1)]).value(3)), &[]);
    assert_eq!(receipt.returns, vec![status(trap)]);
    assert_eq!(shapes(&receipt), vec![record(2, u0, u1, "call_trap", trap)]);
    assert_eq!(chain.storage(u2).0, 1, "only the first transaction's give is kept");
    assert_eq!(chain.storage(u1).0, 1);
    assert_eq!((chain.balance(u1), chain.balance(u2)), (4, 3));
    assert_eq!(receipt.logs.len(), 1);
}

/// `callee.call_trap` making `inner`.
fn trap_via(callee: Address, inner: Hop) -> Hop {
    let (data, args) = inner.encode();
    Hop { data, ..Hop::new(callee, "call_trap", &args) }
}

#[test]
fn a_failing_caller_after_a_successful_callee_commits_nothing() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(1_000), chain.universal(0));
    let before = (chain.vm.account(&u0), chain.vm.account(&u1));
    let receipt = chain.relay(u0, "call_trap", Hop::new(u1, "give", &[i(1)]).value(5), &[]);
    assert_eq!(receipt.outcome, Outcome::Trap(TrapKind::Unreachable));
    assert!(receipt.calls.is_empty() && receipt.logs.is_empty() && receipt.returndata.is_empty());
    assert_eq!((chain.vm.account(&u0), chain.vm.account(&u1)), before);
}

#[test]
fn reentry_is_refused_for_the_caller_itself_and_for_any_contract_on_the_stack() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(0), chain.universal(0));
    // A self-call.
    let receipt = chain.relay(u0, "call", Hop::new(u0, "give", &[i(1)]), &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    assert_eq!(receipt.returns, vec![i(6 * 256 + 5)]);
    assert_eq!(receipt.calls, vec![record(2, u0, u0, "give", REENTRY)], "refused: gas 0");
    assert_eq!(chain.storage(u0).0, 1, "give never ran");
    // A → B → A.
    let receipt = chain.relay(u0, "call", Hop::via(u1, Hop::new(u0, "give", &[i(1)])), &[]);
    assert_eq!(receipt.returns, vec![i(0)]);
    let mut r = vec![1u8];
    r.extend_from_slice(&value_slot(i(6 * 256 + 5)));
    assert_eq!(receipt.returndata, r, "B returned A's refusal as its status");
    assert_eq!(shapes(&receipt), vec![record(2, u0, u1, "call", Outcome::Success), record(3, u1, u0, "give", REENTRY)]);
    assert_eq!(receipt.calls[1].gas_used, 0);
    assert_eq!((chain.storage(u0).0, chain.storage(u1).0), (2, 1));
}

#[test]
fn sixteen_frames_fit_and_the_seventeenth_is_refused_call_depth() {
    let mut chain = Chain::new();
    let contracts: Vec<Address> = (0..17).map(|_| chain.universal(0)).collect();
    // Frames 1 … 16: contracts[0] relays down to contracts[15].give.
    let chain_to = |last: usize| {
        let mut hop = Hop::new(contracts[last], "give", &[i(1)]);
        for k in (1..last).rev() {
            hop = Hop::via(contracts[k], hop);
        }
        hop
    };
    let receipt = chain.relay(contracts[0], "call", chain_to(15), &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    let depths: Vec<(u8, Outcome)> = receipt.calls.iter().map(|r| (r.depth, r.outcome)).collect();
    let want: Vec<(u8, Outcome)> = (2..=16).map(|d| (d, Outcome::Success)).collect();
    assert_eq!(depths, want);
    assert_eq!(chain.storage(contracts[15]).0, 1);

    let receipt = chain.relay(contracts[0], "call", chain_to(16), &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    let depths: Vec<(u8, Outcome)> = receipt.calls.iter().map(|r| (r.depth, r.outcome)).collect();
    let mut want: Vec<(u8, Outcome)> = (2..=16).map(|d| (d, Outcome::Success)).collect();
    want.push((17, Outcome::Refused(Refusal::CallDepth)));
    assert_eq!(depths, want);
    assert_eq!(receipt.calls[15].callee, contracts[16]);
    assert_eq!(chain.storage(contracts[16]).0, 0, "the seventeenth frame never ran");
    assert_eq!(receipt.logs.len(), 16, "one log per frame that ran");
}

#[test]
fn the_two_hundred_fifty_seventh_call_ends_the_caller_with_too_many_calls() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(0), chain.universal(0));
    let nobody = Address([0; 20]);
    let no_contract = Outcome::Refused(Refusal::NoSuchContract);
    let trap = Outcome::Trap(TrapKind::Unreachable);
    // 1 call to u1, 200 in its failed frame, 55 more: 256 in all.
    let receipt = chain.relay(u0, "call_spam", Hop::new(u1, "spam_trap", &[i(200)]), &[i(55)]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    let mut want = vec![record(2, u0, u1, "spam_trap", trap)];
    want.extend((0..55).map(|_| record(2, u0, nobody, "", no_contract)));
    assert_eq!(shapes(&receipt), want, "the failed frame's 200 records are dropped");
    assert!(receipt.calls[1..].iter().all(|r| r.gas_used == 0));
    // The 257th: the failed frame's calls still count.
    let receipt = chain.relay(u0, "call_spam", Hop::new(u1, "spam_trap", &[i(200)]), &[i(56)]);
    assert_eq!(receipt.outcome, Outcome::Host(HostError::TooManyCalls));
    assert!(receipt.calls.is_empty());
}

#[test]
fn bad_call_input_ends_the_caller_with_a_host_error() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(0), chain.universal(0));
    let run = |chain: &mut Chain, edit: &dyn Fn(&mut Vec<u8>, &mut Vec<Value>)| {
        let (mut calldata, mut args) = Hop::new(u1, "give", &[i(1)]).encode();
        edit(&mut calldata, &mut args);
        let receipt = chain.execute(u0, "call", args, calldata, 10_000_000);
        assert!(receipt.calls.is_empty());
        receipt.outcome
    };
    let input = Outcome::Host(HostError::CallInput);
    // A name longer than 256 bytes (checked before memory: the range is past the end).
    assert_eq!(run(&mut chain, &|_, a| a[1] = i(257)), input);
    // The function name past the end of memory.
    assert_eq!(run(&mut chain, &|_, a| a[0] = i(65_534)), Outcome::Host(HostError::MemoryOutOfBounds));
    // More than 128 arguments; more than 65,536 bytes of data.
    assert_eq!(run(&mut chain, &|_, a| a[3] = i(129)), input);
    assert_eq!(run(&mut chain, &|_, a| a[5] = i(65_537)), input);
    // A name that is not UTF-8.
    assert_eq!(run(&mut chain, &|c, _| c[20] = 0xFF), input);
    // A slot with an unknown type; an i32 slot with upper bytes set.
    assert_eq!(run(&mut chain, &|c, _| c[24] = 4), input);
    assert_eq!(run(&mut chain, &|c, _| c[24 + 6] = 1), input);
    // The data past the end of memory (a zero-length range may end exactly there).
    assert_eq!(run(&mut chain, &|_, a| a[4] = i(65_537)), Outcome::Host(HostError::MemoryOutOfBounds));
    // The same input, well formed, succeeds.
    assert_eq!(run_ok(&mut chain, u0, u1), Outcome::Success);
}

fn run_ok(chain: &mut Chain, u0: Address, u1: Address) -> Outcome {
    let receipt = chain.relay(u0, "call", Hop::new(u1, "give", &[i(1)]), &[]);
    assert_eq!(receipt.returns, vec![i(0)]);
    receipt.outcome
}

#[test]
fn a_successful_callee_leaves_its_state_to_later_frames_and_calls_are_per_transaction() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(0), chain.universal(0));
    let receipt = chain.relay(u0, "call_twice", Hop::new(u1, "give", &[i(1)]), &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    assert_eq!(chain.storage(u1), (2, u0), "the second give saw the first one's write");
    assert_eq!(chain.storage(u0).0, 2);
    assert_eq!(shapes(&receipt), vec![record(2, u0, u1, "give", Outcome::Success); 2]);
    let receipt = chain.relay(u0, "call", Hop::new(u1, "give", &[i(1)]), &[]);
    assert_eq!(receipt.calls.len(), 1, "a new transaction starts with no records");
    assert_eq!(chain.storage(u1).0, 3);
}

#[test]
fn the_log_limit_counts_the_whole_chain_of_frames() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(0), chain.universal(0));
    // u0 logs once, u1 once more in $touch: 62 more make 64.
    let receipt = chain.relay(u0, "call", Hop::new(u1, "logs", &[i(62)]), &[]);
    assert_eq!(receipt.returns, vec![i(0)]);
    assert_eq!(receipt.logs.len(), 64);
    let receipt = chain.relay(u0, "call", Hop::new(u1, "logs", &[i(63)]), &[]);
    assert_eq!(receipt.returns, vec![status(Outcome::Host(HostError::TooManyLogs))]);
    assert_eq!(receipt.logs.len(), 1);
}

#[test]
fn calls_to_no_contract_and_with_value_the_caller_lacks_are_refused() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(10), chain.universal(0));
    chain.vm.genesis(&[(u1, u64::MAX - 5)]).unwrap();
    let nobody = Address([7; 20]);
    let receipt = chain.relay(u0, "call", Hop::new(nobody, "give", &[i(1)]), &[]);
    assert_eq!(receipt.returns, vec![status(Outcome::Refused(Refusal::NoSuchContract))]);
    // More than the caller holds; more than the callee can hold.
    let value = Outcome::Refused(Refusal::CallValue);
    let receipt = chain.relay(u0, "call", Hop::new(u1, "give", &[i(1)]).value(11), &[]);
    assert_eq!(receipt.returns, vec![status(value)]);
    let receipt = chain.relay(u0, "call", Hop::new(u1, "give", &[i(1)]).value(10), &[]);
    assert_eq!(receipt.returns, vec![status(value)]);
    assert_eq!(chain.storage(u1).0, 0);
    // A function the callee does not export, and arguments of the wrong types.
    let receipt = chain.relay(u0, "call", Hop::new(u1, "nothing", &[]), &[]);
    assert_eq!(receipt.returns, vec![status(Outcome::Refused(Refusal::NoSuchFunction))]);
    let receipt = chain.relay(u0, "call", Hop::new(u1, "give", &[Value::I64(1)]), &[]);
    assert_eq!(receipt.returns, vec![status(Outcome::Refused(Refusal::ArgumentMismatch))]);
    let balances: BTreeMap<Address, u64> = [(u0, chain.balance(u0)), (u1, chain.balance(u1))].into();
    assert_eq!(balances, [(u0, 10), (u1, u64::MAX - 5)].into());
}

#[test]
fn the_callee_starts_on_the_stack_its_callers_left() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(0), chain.universal(0));
    // The deepest recursion that fits when u1's frame is the transaction's own.
    let fits = |chain: &mut Chain, n: i32| {
        let receipt = chain.execute(u1, "rec", vec![i(n)], Vec::new(), 500_000_000);
        match receipt.outcome {
            Outcome::Success => true,
            Outcome::StackExhausted => false,
            other => panic!("rec({n}): {other:?}"),
        }
    };
    let (mut low, mut high) = (0, 65_536);
    assert!(fits(&mut chain, low) && !fits(&mut chain, high));
    while high - low > 1 {
        let mid = (low + high) / 2;
        if fits(&mut chain, mid) { low = mid } else { high = mid }
    }
    // Called from u0, whose two frames (the export and the relay) stay reserved, the same depth
    // exhausts the shared budget: the callee's outcome, a status to its caller.
    let receipt = chain.relay(u0, "call", Hop::new(u1, "rec", &[i(low)]), &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    assert_eq!(receipt.returns, vec![status(Outcome::StackExhausted)]);
    assert_eq!(receipt.returns, vec![i(3 << 8)]);
    let receipt = chain.relay(u0, "call", Hop::new(u1, "rec", &[i(low - 20)]), &[]);
    assert_eq!(receipt.returns, vec![i(0)]);
}

#[test]
fn the_event_limit_counts_the_whole_chain_and_a_successful_callees_events_are_the_transactions() {
    let mut chain = Chain::new();
    let (u0, u1) = (chain.universal(0), chain.universal(0));
    // Two calls of 8 events: 16, the limit.
    let receipt = chain.relay(u0, "call_twice", Hop::new(u1, "events", &[i(8)]), &[]);
    assert_eq!(receipt.returns, vec![i(0)]);
    assert_eq!(receipt.events.len(), 16);
    assert!(receipt.events.iter().all(|e| e.contract == u1 && e.data == b"mark"));
    assert_eq!(chain.vm.events(&u1, None, 0, u64::MAX).len(), 16);
    // Two calls of 9: the second fails at the 17th event of the transaction, and only the first's stay.
    let receipt = chain.relay(u0, "call_twice", Hop::new(u1, "events", &[i(9)]), &[]);
    assert_eq!(receipt.returns, vec![status(Outcome::Host(HostError::TooManyEvents))]);
    assert_eq!(receipt.events.len(), 9);
    let outcomes: Vec<Outcome> = receipt.calls.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, vec![Outcome::Success, Outcome::Host(HostError::TooManyEvents)]);
}

/// A list in slot 0: `push() -> length` appends "item".
const LIST: &str = r#"(module
  (import "svm" "collection_open" (func $open (param i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_push" (func $push (param i32 i32 i32) (result i64)))
  (import "svm" "collection_len" (func $len (param i32) (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "item")
  (func (export "push") (result i64)
    (local $h i32)
    (local.set $h (call $open (i32.const 0) (i32.const 4) (i32.const 8) (i32.const 0)))
    (drop (call $push (local.get $h) (i32.const 0) (i32.const 4)))
    (call $len (local.get $h))))"#;

#[test]
fn a_later_frame_reads_the_collections_an_earlier_callee_committed() {
    let mut chain = Chain::new();
    let u0 = chain.universal(0);
    let list = chain.deploy_with(LIST, vec![PageSlice { page: 0, offset: 0, len: 0 }], 0);
    let receipt = chain.relay(u0, "call_twice", Hop::new(list, "push", &[]), &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    let mut r = vec![1u8];
    r.extend_from_slice(&value_slot(Value::I64(2)));
    assert_eq!(receipt.returndata, r, "the second push saw the first one's list");
    let receipt = chain.relay(u0, "call", Hop::new(list, "push", &[]), &[]);
    r[2] = 3;
    assert_eq!(receipt.returndata, r);
}
