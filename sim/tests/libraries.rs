//! Libraries under the whole harness: a stream that deploys libraries (good and bad), contracts that link them
//! (and some that cannot), calls through them and transactions a library account must refuse, replayed on every
//! default replica — wasmer with both compilers and every cache, restarts, redb, and the reference VM, which links
//! at instantiation on its own interpreter — with every invariant and expected effect checked.

use svm::address::library_address;
use svm::link_rule::LinkRule;
use svm::linking::library_module_name;
use svm::outcome::{InvalidTx, Outcome, Refusal};
use svm::storage::page_slices::PageSlice;
use svm::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};
use svm::validation::Rule;
use svm::{Address, Value};
use svm_fuzzing::stream::{Stream, StreamContract, StreamTx};
use svm_sim::node::default_nodes;
use svm_sim::progress::Progress;
use svm_sim::run::run;

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

fn name_of(code: &[u8]) -> String {
    library_module_name(&svm::code::code_hash(code))
}

const BUMP: &str = r#"(module
  (import "env" "memory" (memory 1))
  (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  (global $calls (mut i64) (i64.const 100))
  (func (export "bump") (param $slice i32) (param $ptr i32) (result i64)
    (local $n i64)
    (global.set $calls (i64.add (global.get $calls) (i64.const 1)))
    (local.set $n (i64.add (call $read (local.get $slice)) (i64.load (local.get $ptr))))
    (call $write (local.get $slice) (local.get $n))
    (i64.store (local.get $ptr) (local.get $n))
    (local.get $n))
  (func (export "calls") (result i64) (global.get $calls)))"#;

fn twice(bump: &str) -> String {
    format!(
        r#"(module
             (import "env" "memory" (memory 1))
             (import "{bump}" "bump" (func $bump (param i32 i32) (result i64)))
             (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
             (func $inner (param $slice i32) (param $ptr i32) (result i64)
               (drop (call $bump (local.get $slice) (local.get $ptr)))
               (call $bump (local.get $slice) (local.get $ptr)))
             (func (export "twice") (param $slice i32) (param $ptr i32) (result i64)
               (i64.add (call $inner (local.get $slice) (local.get $ptr)) (call $read (local.get $slice)))))"#
    )
}

/// A contract linking both libraries, with a table calling through `call_indirect`, data, and its own global.
fn user(bump: &str, twice: &str) -> String {
    format!(
        r#"(module
             (type $bump_t (func (param i32 i32) (result i64)))
             (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
             (import "{twice}" "twice" (func $twice (type $bump_t)))
             (import "{bump}" "bump" (func $bump (type $bump_t)))
             (import "{bump}" "calls" (func $calls (result i64)))
             (memory (export "memory") 1)
             (global $mine (mut i64) (i64.const 7))
             (table 2 funcref)
             (elem (i32.const 0) $twice $bump)
             (data (i32.const 200) "\01\00\00\00\00\00\00\00")
             (func (export "run") (param $d i64) (param $which i32) (result i64)
               (i64.store (i32.const 64) (local.get $d))
               (drop (call_indirect (type $bump_t) (i32.const 0) (i32.const 64) (local.get $which)))
               (i64.add (i64.load (i32.const 64)) (global.get $mine)))
             (func (export "data") (result i64)
               (call $bump (i32.const 1) (i32.const 200)))
             (func (export "calls") (result i64) (call $calls))
             (func (export "get") (param $slice i32) (result i64) (call $read (local.get $slice))))"#
    )
}

const AUTHOR: Address = Address([1; 20]);
const USER: Address = Address([2; 20]);

struct Builder {
    stream: Stream,
    nonces: std::collections::BTreeMap<Address, u64>,
}

impl Builder {
    fn nonce(&mut self, who: Address) -> u64 {
        let nonce = self.nonces.entry(who).or_insert(0);
        *nonce += 1;
        *nonce - 1
    }

    /// The last transaction from `who` was invalid: its nonce is still unused.
    fn unused(&mut self, who: Address) {
        *self.nonces.entry(who).or_insert(1) -= 1;
    }

    fn carry(&mut self, name: &str, code: &[u8]) {
        let contract = StreamContract { name: name.into(), code: code.to_vec(), plan: None };
        self.stream.contracts.insert(svm::code::code_hash(code), contract);
    }

    fn push(&mut self, tx: Transaction) {
        let layer = self.stream.txs.len() as u64 / 4;
        self.stream.txs.push(StreamTx { layer, tx });
    }

    fn library(&mut self, name: &str, code: &[u8], gas_limit: u64) {
        self.carry(name, code);
        let nonce = self.nonce(AUTHOR);
        self.push(Transaction::DeployLibrary(DeployLibrary {
            author: AUTHOR,
            nonce,
            code: code.to_vec(),
            gas_limit,
            gas_price: 2,
        }));
    }

    fn contract(&mut self, name: &str, code: &[u8], gas_limit: u64) -> Address {
        self.carry(name, code);
        let nonce = self.nonce(AUTHOR);
        self.push(Transaction::Deploy(Deploy {
            author: AUTHOR,
            nonce,
            code: code.to_vec(),
            page_count: 1,
            slices: vec![PageSlice { page: 0, offset: 0, len: 8 }, PageSlice { page: 0, offset: 8, len: 8 }],
            initial_balance: 0,
            gas_limit,
            gas_price: 1,
        }));
        svm::runtime::contract_address(&AUTHOR, nonce, &svm::code::code_hash(code))
    }

    fn call(&mut self, contract: Address, function: &str, args: Vec<Value>) {
        let nonce = self.nonce(USER);
        self.push(Transaction::Execute(Execute {
            contract,
            sender: USER,
            nonce,
            function: function.into(),
            args,
            calldata: Vec::new(),
            gas_limit: 1_000_000,
            gas_price: 1,
            value: 0,
        }));
    }

    fn transfer(&mut self, from: Address, to: Address) {
        let nonce = *self.nonces.get(&from).unwrap_or(&0);
        self.push(Transaction::Transfer(Transfer { from, to, nonce, amount: 5, gas_price: 1 }));
    }
}

#[test]
fn every_replica_and_the_reference_vm_agree_on_libraries_and_every_check_holds() {
    let mut b = Builder {
        stream: Stream { genesis: vec![(AUTHOR, 1 << 50), (USER, 1 << 50)], ..Stream::default() },
        nonces: Default::default(),
    };
    let bump = wasm(BUMP);
    let twice = wasm(&twice(&name_of(&bump)));
    let user = wasm(&user(&name_of(&bump), &name_of(&twice)));
    let gas = 100_000_000;

    // Libraries: one the other imports, deployed in order; then each refusal of a library's own deploy.
    b.library("lib/bump", &bump, gas);
    b.library("lib/twice", &twice, gas);
    b.library("lib/bump-again", &bump, gas);
    b.unused(AUTHOR);
    b.library("lib/has-memory", &wasm(r#"(module (memory 1) (func (export "f")))"#), gas);
    b.library("lib/imports-env", &wasm(r#"(module (import "env" "f" (func)) (func (export "g")))"#), gas);
    b.library("lib/simd", &wasm(r#"(module (func (export "f") (drop (i32x4.splat (i32.const 1)))))"#), gas);
    let unknown = library_module_name(&svm::Hash([5; 32]));
    b.library("lib/unknown-dependency", &wasm(&format!(r#"(module (import "{unknown}" "f" (func)))"#)), gas);
    b.library("lib/short-of-gas", &wasm(r#"(module (func (export "h")))"#), 1_000);

    // Contracts: one linking both libraries; one out of gas for its linked length; refusals by link rule.
    let linked = b.contract("user", &user, gas);
    let short = svm::gas::intrinsic::deploy(user.len(), 2) + 1;
    b.contract("user-short-of-gas", &user, short);
    let importer = |module: &str, name: &str, ty: &str, memory: &str| {
        wasm(&format!(r#"(module (import "{module}" "{name}" (func {ty})) {memory} (func (export "f")))"#))
    };
    let bump_ty = "(param i32 i32) (result i64)";
    b.contract("imports-unknown", &importer(&unknown, "bump", bump_ty, "(memory 1)"), gas);
    b.contract("imports-missing", &importer(&name_of(&bump), "nope", bump_ty, "(memory 1)"), gas);
    b.contract("imports-mistyped", &importer(&name_of(&bump), "bump", "(param i32)", "(memory 1)"), gas);
    b.contract("imports-without-memory", &importer(&name_of(&bump), "bump", bump_ty, ""), gas);

    // Calls through the libraries: direct, indirect through the table, from data, the library's own global.
    for (d, which) in [(3, 0), (4, 1), (5, 0), (-9, 1)] {
        b.call(linked, "run", vec![Value::I64(d), Value::I32(which)]);
    }
    b.call(linked, "run", vec![Value::I64(1), Value::I32(2)]);
    b.call(linked, "data", vec![]);
    b.call(linked, "calls", vec![]);
    b.call(linked, "get", vec![Value::I32(0)]);
    b.call(linked, "get", vec![Value::I32(1)]);

    // A library's account neither receives, nor sends, nor runs.
    let at = library_address(&svm::code::code_hash(&bump));
    b.transfer(USER, at);
    b.transfer(at, USER);
    b.call(at, "bump", vec![Value::I32(0), Value::I32(0)]);

    let stream = b.stream;
    let nodes = default_nodes();
    assert!(nodes.iter().any(|n| n.is_reference()));
    let result = run(&stream, &nodes, None, 2, &Progress::hidden());
    let reference = result.replicas.iter().find(|r| r.node.config.is_reference()).unwrap();
    assert_eq!(reference.fault, None, "the reference VM runs every transaction");
    assert_eq!(reference.receipts.len(), stream.txs.len());
    assert!(result.mismatch.is_none(), "replicas disagree: {:?}", result.mismatch);
    assert_eq!(result.finding_count(), 0, "{:?}", result.first_finding());

    // What they agreed on is what the rules say, not a shared failure.
    let outcomes: Vec<Outcome> = reference.receipts.iter().map(|r| r.outcome).collect();
    let expected = [
        Outcome::Success,
        Outcome::Success,
        Outcome::Invalid(InvalidTx::AddressTaken),
        Outcome::Refused(Refusal::Link(LinkRule::LibraryNotCodeOnly)),
        Outcome::Refused(Refusal::Link(LinkRule::LibraryImport)),
        Outcome::Refused(Refusal::CodeRejected(Rule::Simd)),
        Outcome::Refused(Refusal::Link(LinkRule::UnknownLibrary)),
        Outcome::OutOfGas,
        Outcome::Success,
        Outcome::OutOfGas,
        Outcome::Refused(Refusal::Link(LinkRule::UnknownLibrary)),
        Outcome::Refused(Refusal::Link(LinkRule::MissingExport)),
        Outcome::Refused(Refusal::Link(LinkRule::SignatureMismatch)),
        Outcome::Refused(Refusal::Link(LinkRule::MemoryMismatch)),
    ];
    assert_eq!(outcomes[..expected.len()], expected);
    let returns: Vec<Vec<Value>> = reference.receipts[expected.len()..].iter().map(|r| r.returns.clone()).collect();
    // run(d, which) puts d in memory, bumps slice 0 through `twice` (0) or `bump` (1) and returns what memory holds
    // then plus the contract's own global 7: 0+3=3, 3+3=6 → 13; 6+4=10 → 17; 10+5=15, 15+15=30 → 37; 30-9=21 → 28.
    let i64s = |v: &[i64]| v.iter().map(|x| vec![Value::I64(*x)]).collect::<Vec<_>>();
    assert_eq!(returns[..4], i64s(&[13, 17, 37, 28]));
    assert_eq!(reference.receipts[expected.len() + 4].outcome, Outcome::Trap(svm::outcome::TrapKind::TableOutOfBounds));
    // data: slice 1 gets the data segment's 1; calls: the library's global counts this execution's bumps only
    // (globals start afresh with every execution); get: the slices.
    assert_eq!(returns[5..9], i64s(&[1, 100, 21, 1]));
    let tail: Vec<Outcome> = reference.receipts[expected.len() + 9..].iter().map(|r| r.outcome).collect();
    let invalid = |reason| Outcome::Invalid(reason);
    assert_eq!(tail, [InvalidTx::LibraryAccount, InvalidTx::LibraryAccount, InvalidTx::UnknownContract].map(invalid));
}
