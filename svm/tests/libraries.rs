//! Libraries on chain: deployed once by code hash, linked into the contracts that import them at deploy, run as
//! each contract's own code (its memory, storage and gas), and every bad library or link refused by its rule.

mod common;

use common::{FUNDS, GAS, PRICE, account, call, configs, deploy, inline, runtime};
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::address::library_address;
use svm::gas::intrinsic;
use svm::link_rule::LinkRule;
use svm::linking::{library_module_name, link};
use svm::outcome::{InvalidTx, Outcome, Refusal};
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::state::code_hash;
use svm::transaction::{DeployLibrary, Transaction, Transfer};
use svm::validation::Rule;
use svm::{Address, Hash, Value};

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

/// A library that adds the u64 in its caller's memory at `ptr` to the caller's slice `slice`, writes the sum back
/// to both and returns it: it reaches the caller's memory, storage and gas meter.
const BUMP: &str = r#"(module
  (import "env" "memory" (memory 1))
  (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  (func (export "bump") (param $slice i32) (param $ptr i32) (result i64)
    (local $n i64)
    (local.set $n (i64.add (call $read (local.get $slice)) (i64.load (local.get $ptr))))
    (call $write (local.get $slice) (local.get $n))
    (i64.store (local.get $ptr) (local.get $n))
    (local.get $n)))"#;

/// The body of a contract's `run(delta)`: puts `delta` in memory at 64, bumps slice `slice` through `bump` (a
/// function index or name), and returns what is at 64 afterwards (the library wrote it there).
fn run_body(slice: u32, bump: &str) -> String {
    format!(
        "(func (export \"run\") (param $d i64) (result i64)
           (i64.store (i32.const 64) (local.get $d))
           (drop (call {bump} (i32.const {slice}) (i32.const 64)))
           (i64.load (i32.const 64)))"
    )
}

/// Contract A: one slice, the library's only function imported.
fn contract_a(library: &str) -> String {
    format!(
        r#"(module
             (import "{library}" "bump" (func $bump (param i32 i32) (result i64)))
             (memory 1)
             {})"#,
        run_body(0, "$bump")
    )
}

/// Contract B: a different layout and memory, a vmcall of its own besides, and `get` reading its slice 1.
fn contract_b(library: &str) -> String {
    format!(
        r#"(module
             (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
             (import "{library}" "bump" (func $bump (param i32 i32) (result i64)))
             (memory 2)
             {}
             (func (export "get") (result i64) (call $read (i32.const 1))))"#,
        run_body(1, "$bump")
    )
}

/// Contract A with the library's function written inline by hand.
const INLINE_A: &str = r#"(module
  (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  (memory 1)
  (func (export "run") (param $d i64) (result i64)
    (i64.store (i32.const 64) (local.get $d))
    (drop (call $bump (i32.const 0) (i32.const 64)))
    (i64.load (i32.const 64)))
  (func $bump (param $slice i32) (param $ptr i32) (result i64)
    (local $n i64)
    (local.set $n (i64.add (call $read (local.get $slice)) (i64.load (local.get $ptr))))
    (call $write (local.get $slice) (local.get $n))
    (i64.store (local.get $ptr) (local.get $n))
    (local.get $n)))"#;

fn apply(rt: &mut Runtime, tx: &Transaction) -> Receipt {
    rt.apply(tx, &BlockContext::default()).unwrap()
}

fn nonce(rt: &Runtime, address: &Address) -> u64 {
    rt.account(address).unwrap().map_or(0, |a| a.nonce)
}

fn library_tx(rt: &Runtime, code: &[u8], gas_limit: u64) -> Transaction {
    Transaction::DeployLibrary(DeployLibrary {
        author: account(3),
        nonce: nonce(rt, &account(3)),
        code: code.to_vec(),
        gas_limit,
        gas_price: PRICE,
    })
}

/// Deploys library `text` from account 3; its receipt.
fn deploy_library(rt: &mut Runtime, text: &str) -> Receipt {
    let tx = library_tx(rt, &wasm(text), GAS);
    apply(rt, &tx)
}

/// Deploys library `text` (which must succeed); its import module name.
fn library(rt: &mut Runtime, text: &str) -> String {
    let receipt = deploy_library(rt, text);
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    library_module_name(&code_hash(&wasm(text)))
}

fn returned(receipt: &Receipt) -> i64 {
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    match receipt.returns.as_slice() {
        [Value::I64(v)] => *v,
        other => panic!("returned {other:?}"),
    }
}

/// The gas an execution used beyond its intrinsic cost (which depends on the code's length alone).
fn metered_gas(receipt: &Receipt, code_len: usize) -> u64 {
    receipt.gas_used - intrinsic::execute(code_len, 0)
}

fn slice(rt: &Runtime, contract: &Address, index: usize) -> Vec<u8> {
    rt.contract_slices(contract).unwrap().unwrap()[index].clone()
}

#[test]
fn one_library_linked_into_two_contracts_runs_as_each_ones_own_code() {
    for config in configs() {
        let name = format!("{config:?}");
        let mut rt = runtime(config);
        let bump = library(&mut rt, BUMP);
        let linked_a = inline(&contract_a(&bump), 1, &[(0, 0, 8)]);
        let linked_b = inline(&contract_b(&bump), 1, &[(0, 0, 8), (0, 8, 8)]);
        let a = common::deployed(&mut rt, &linked_a);
        let b = common::deployed(&mut rt, &linked_b);
        // The same contract with the library's code inline: written by hand, and as the linker writes it.
        let by_hand = common::deployed(&mut rt, &inline(INLINE_A, 1, &[(0, 0, 8)]));
        let libraries = BTreeMap::from([(code_hash(&wasm(BUMP)), Arc::<[u8]>::from(wasm(BUMP)))]);
        let linked_code = link(&linked_a.code, &libraries).unwrap().code.to_vec();
        let mut as_linked = linked_a.clone();
        as_linked.code = linked_code.clone();
        let by_linker = common::deployed(&mut rt, &as_linked);

        for delta in [5, 7, 1 << 40] {
            let via_library = call(&mut rt, a, "run", &[Value::I64(delta)]);
            let hand = call(&mut rt, by_hand, "run", &[Value::I64(delta)]);
            let inlined = call(&mut rt, by_linker, "run", &[Value::I64(delta)]);
            // Memory: the library wrote the sum into the caller's memory, which `run` then read.
            assert_eq!(returned(&via_library), returned(&hand), "{name}");
            // Storage: the library wrote the caller's slice.
            assert_eq!(slice(&rt, &a, 0), slice(&rt, &by_hand, 0), "{name}");
            // Gas: every metered unit is the inline copies'; the intrinsic part counts the contract's code and the
            // library's, as sent.
            assert_eq!(via_library.returns, inlined.returns, "{name}");
            let metered = metered_gas(&via_library, linked_a.code.len() + wasm(BUMP).len());
            assert_eq!(metered, metered_gas(&inlined, linked_code.len()), "{name}");
            assert_eq!(metered, metered_gas(&hand, wasm(INLINE_A).len()), "{name}");
        }
        // The other contract: its own slice 1, its own memory; A's storage untouched by B's calls.
        let before = slice(&rt, &a, 0);
        assert_eq!(returned(&call(&mut rt, b, "run", &[Value::I64(3)])), 3, "{name}");
        assert_eq!(returned(&call(&mut rt, b, "run", &[Value::I64(4)])), 7, "{name}");
        assert_eq!(returned(&call(&mut rt, b, "get", &[])), 7, "{name}");
        assert_eq!(slice(&rt, &b, 0), vec![0; 8], "{name}");
        assert_eq!(slice(&rt, &a, 0), before, "{name}");
    }
}

#[test]
fn a_library_is_stored_once_and_registered_at_its_library_address() {
    let mut rt = runtime(RuntimeConfig::default());
    let code = wasm(BUMP);
    let receipt = deploy_library(&mut rt, BUMP);
    assert_eq!(receipt.outcome, Outcome::Success);
    assert_eq!(receipt.gas_used, intrinsic::deploy(code.len(), 0));
    assert_eq!(receipt.contract, None);
    let registered = rt.account(&library_address(&code_hash(&code))).unwrap().unwrap();
    assert_eq!((registered.balance, registered.nonce, registered.contract), (0, 0, None));
    assert_eq!(registered.library, Some(code_hash(&code)));
    // The author paid for it and used a nonce; deploying the same code again is invalid.
    let author = rt.account(&account(3)).unwrap().unwrap();
    assert_eq!((author.nonce, author.balance), (1, FUNDS - receipt.gas_used * PRICE));
    let root = rt.root();
    assert_eq!(deploy_library(&mut rt, BUMP).outcome, Outcome::Invalid(InvalidTx::AddressTaken));
    assert_eq!(rt.root(), root);
    // A state export carries the library's code with its account.
    let exported = svm::state::export_state(rt.kv().as_ref(), rt.root()).unwrap();
    let account = exported.iter().find(|a| a.address == library_address(&code_hash(&code))).unwrap();
    assert_eq!(account.library.as_deref(), Some(&code[..]));
}

#[test]
fn a_library_account_neither_sends_nor_receives_nor_runs() {
    let mut rt = runtime(RuntimeConfig::default());
    library(&mut rt, BUMP);
    let at = library_address(&code_hash(&wasm(BUMP)));
    let root = rt.root();
    let transfer = |from: Address, to: Address, nonce: u64| {
        Transaction::Transfer(Transfer { from, to, nonce, amount: 1, gas_price: PRICE })
    };
    let to_library = transfer(account(2), at, 0);
    assert_eq!(apply(&mut rt, &to_library).outcome, Outcome::Invalid(InvalidTx::LibraryAccount));
    let from_library = transfer(at, account(2), 0);
    assert_eq!(apply(&mut rt, &from_library).outcome, Outcome::Invalid(InvalidTx::LibraryAccount));
    let execute = common::call_tx(&rt, at, account(2), "bump", &[Value::I32(0), Value::I32(0)], GAS);
    assert_eq!(apply(&mut rt, &execute).outcome, Outcome::Invalid(InvalidTx::UnknownContract));
    assert_eq!(rt.root(), root, "an invalid transaction changes nothing");
}

#[test]
fn a_linked_contract_runs_the_same_after_a_restart_with_cold_caches() {
    let mut rt = runtime(RuntimeConfig::default());
    let bump = library(&mut rt, BUMP);
    let a = common::deployed(&mut rt, &inline(&contract_a(&bump), 1, &[(0, 0, 8)]));
    let warm = call(&mut rt, a, "run", &[Value::I64(9)]);
    let mut reopened = Runtime::open(rt.kv().clone(), RuntimeConfig::default(), rt.root()).unwrap();
    let cold = call(&mut reopened, a, "run", &[Value::I64(9)]);
    let again = call(&mut rt, a, "run", &[Value::I64(9)]);
    assert_eq!(returned(&cold), 18);
    assert_eq!((cold.gas_used, cold.returns.clone()), (again.gas_used, again.returns.clone()));
    assert_eq!(reopened.root(), rt.root());
    assert_eq!(warm.gas_used, again.gas_used);
}

#[test]
fn libraries_import_libraries_and_each_is_linked_once() {
    let mut rt = runtime(RuntimeConfig::default());
    let bump = library(&mut rt, BUMP);
    // `twice` bumps the same slice twice through `bump`; the contract imports both libraries.
    let twice = library(
        &mut rt,
        &format!(
            r#"(module
                 (import "env" "memory" (memory 1))
                 (import "{bump}" "bump" (func $bump (param i32 i32) (result i64)))
                 (func (export "twice") (param $slice i32) (param $ptr i32) (result i64)
                   (drop (call $bump (local.get $slice) (local.get $ptr)))
                   (call $bump (local.get $slice) (local.get $ptr))))"#
        ),
    );
    let contract = inline(
        &format!(
            r#"(module
                 (import "{twice}" "twice" (func $twice (param i32 i32) (result i64)))
                 (import "{bump}" "bump" (func $bump (param i32 i32) (result i64)))
                 (memory 1)
                 {}
                 (func (export "run_twice") (param $d i64) (result i64)
                   (i64.store (i32.const 64) (local.get $d))
                   (call $twice (i32.const 0) (i32.const 64))))"#,
            run_body(0, "$bump")
        ),
        1,
        &[(0, 0, 8)],
    );
    let address = common::deployed(&mut rt, &contract);
    // Slice 0 starts at 0: run_twice(2) stores 2, bumps to 2, then to 4; run(1) bumps to 5.
    assert_eq!(returned(&call(&mut rt, address, "run_twice", &[Value::I64(2)])), 4);
    assert_eq!(returned(&call(&mut rt, address, "run", &[Value::I64(1)])), 5);
}

/// A contract importing `function` of type `ty` from `module`, with a memory of `memory` pages.
fn importer(module: &str, function: &str, ty: &str, memory: u32) -> String {
    format!(
        r#"(module (import "{module}" "{function}" (func {ty})) (memory {memory})
             (func (export "run") (param i64) (result i64) local.get 0))"#
    )
}

fn refused_deploy(rt: &mut Runtime, text: &str) -> Receipt {
    let root_before = rt.root();
    let receipt = deploy(rt, &inline(text, 1, &[(0, 0, 8)]));
    assert!(receipt.outcome.is_failure(), "{receipt:?}");
    assert_ne!(rt.root(), root_before, "a failed deploy pays its fee");
    assert_eq!(receipt.contract, None);
    receipt
}

#[test]
fn a_contract_that_cannot_be_linked_is_refused_by_the_rule_it_breaks() {
    let mut rt = runtime(RuntimeConfig::default());
    let bump = library(&mut rt, BUMP);
    let unknown = library_module_name(&Hash([7; 32]));
    let bump_type = "(param i32 i32) (result i64)";
    let cases = [
        (importer(&unknown, "bump", bump_type, 1), LinkRule::UnknownLibrary),
        (importer(&bump, "missing", bump_type, 1), LinkRule::MissingExport),
        (importer(&bump, "bump", "(param i32) (result i64)", 1), LinkRule::SignatureMismatch),
        (
            format!(
                r#"(module (import "{bump}" "bump" (func {bump_type}))
                     (func (export "run") (param i64) (result i64) local.get 0))"#
            ),
            LinkRule::MemoryMismatch,
        ),
    ];
    for (text, rule) in cases {
        let code_len = wasm(&text).len();
        let receipt = refused_deploy(&mut rt, &text);
        assert_eq!(receipt.outcome, Outcome::Refused(Refusal::Link(rule)), "{}", receipt.diagnostic);
        assert_eq!(
            receipt.gas_used,
            intrinsic::deploy(code_len, 1),
            "a refusal pays the intrinsic gas of the code sent"
        );
    }
}

#[test]
fn a_linked_result_over_a_limit_is_refused_and_its_length_is_what_gas_is_charged_for() {
    let libraries = BTreeMap::from([(code_hash(&wasm(BUMP)), Arc::<[u8]>::from(wasm(BUMP)))]);
    let source = inline(&contract_a(&library_module_name(&code_hash(&wasm(BUMP)))), 1, &[(0, 0, 8)]);
    let linked = link(&source.code, &libraries).unwrap();
    let linked_len = source.code.len() + wasm(BUMP).len();
    assert_eq!(linked.code_len, linked_len, "the contract's and the library's code, as sent");
    // A code-size limit the contract and the library each meet and the two together do not.
    let mut config = RuntimeConfig::default();
    config.limits.max_code_bytes = linked_len - 1;
    let mut rt = runtime(config);
    library(&mut rt, BUMP);
    let receipt = common::deploy(&mut rt, &source);
    assert_eq!(receipt.outcome, Outcome::Refused(Refusal::CodeRejected(Rule::CodeTooLarge)), "{}", receipt.diagnostic);
    assert_eq!(receipt.gas_used, intrinsic::deploy(linked_len, 1));

    // A function limit each module meets on its own and the linked module does not (A's one function and BUMP's).
    let mut config = RuntimeConfig::default();
    config.limits.max_functions = 1;
    let mut rt = runtime(config);
    library(&mut rt, BUMP);
    let receipt = common::deploy(&mut rt, &source);
    let too_many = Outcome::Refused(Refusal::CodeRejected(Rule::TooManyFunctions));
    assert_eq!(receipt.outcome, too_many, "{}", receipt.diagnostic);

    // Gas for the deploy's own code but not for the linked code: out of gas, at the limit.
    let mut rt = runtime(RuntimeConfig::default());
    library(&mut rt, BUMP);
    let mut tx = common::deploy_tx(&source, account(1), 0);
    let Transaction::Deploy(deploy) = &mut tx else { unreachable!() };
    deploy.gas_limit = intrinsic::deploy(source.code.len(), 1) + 1;
    let receipt = apply(&mut rt, &tx);
    assert_eq!(receipt.outcome, Outcome::OutOfGas, "{}", receipt.diagnostic);
    assert_eq!(receipt.gas_used, intrinsic::deploy(source.code.len(), 1) + 1);
    // With gas for the linked code it deploys, and its executions pay for the linked length.
    let receipt = common::deploy(&mut rt, &source);
    assert_eq!(receipt.gas_used, intrinsic::deploy(linked_len, 1));
    let contract = receipt.contract.unwrap();
    let run = call(&mut rt, contract, "run", &[Value::I64(2)]);
    assert_eq!(returned(&run), 2);
    assert!(run.gas_used > intrinsic::execute(linked_len, 0));
}

#[test]
fn a_library_that_could_never_be_linked_is_refused_at_its_own_deploy() {
    let mut rt = runtime(RuntimeConfig::default());
    let unknown = library_module_name(&Hash([9; 32]));
    let cases: [(String, Refusal); 6] = [
        ("(module (memory 1) (func (export \"f\")))".into(), Refusal::Link(LinkRule::LibraryNotCodeOnly)),
        (
            "(module (global (import \"env\" \"g\") i32) (func (export \"f\")))".into(),
            Refusal::Link(LinkRule::LibraryNotCodeOnly),
        ),
        ("(module (import \"env\" \"f\" (func)) (func (export \"g\")))".into(), Refusal::Link(LinkRule::LibraryImport)),
        (
            format!("(module (import \"{unknown}\" \"f\" (func)) (func (export \"g\")))"),
            Refusal::Link(LinkRule::UnknownLibrary),
        ),
        (
            "(module (import \"svm\" \"no_such_vmcall\" (func)) (func (export \"f\")))".into(),
            Refusal::CodeRejected(Rule::UnknownVmcall),
        ),
        ("(module (func (export \"f\") (drop (i32x4.splat (i32.const 1)))))".into(), Refusal::CodeRejected(Rule::Simd)),
    ];
    for (text, refusal) in cases {
        let root = rt.root();
        let receipt = deploy_library(&mut rt, &text);
        assert_eq!(receipt.outcome, Outcome::Refused(refusal), "{text}: {}", receipt.diagnostic);
        assert_eq!(receipt.gas_used, intrinsic::deploy(wasm(&text).len(), 0));
        assert_ne!(rt.root(), root, "a refused library deploy pays its fee");
        let at = library_address(&code_hash(&wasm(&text)));
        assert_eq!(rt.account(&at).unwrap(), None, "{text}: nothing registered");
    }
    // Not even a module.
    let tx = library_tx(&rt, b"\0asm\x01\0\0\0\x01", GAS);
    let receipt = apply(&mut rt, &tx);
    assert_eq!(receipt.outcome, Outcome::Refused(Refusal::Link(LinkRule::Malformed)), "{}", receipt.diagnostic);
    // Too little gas for its own code.
    let code = wasm(BUMP);
    let tx = library_tx(&rt, &code, intrinsic::deploy(code.len(), 0) - 1);
    let receipt = apply(&mut rt, &tx);
    assert_eq!(receipt.outcome, Outcome::OutOfGas);
    assert_eq!(rt.account(&library_address(&code_hash(&code))).unwrap(), None);
}

#[test]
fn a_root_reaches_every_library_code_so_collection_keeps_it_and_sync_copies_it() {
    use svm::storage::reach::{Reached, walk_reachable};
    let mut rt = runtime(RuntimeConfig::default());
    let bump = library(&mut rt, BUMP);
    common::deployed(&mut rt, &inline(&contract_a(&bump), 1, &[(0, 0, 8)]));
    let mut code = Vec::new();
    walk_reachable(rt.kv().as_ref(), &[rt.root()], &mut |reached| {
        if let Reached::Code(hash) = reached {
            code.push(hash);
        }
        true
    })
    .unwrap();
    assert!(code.contains(&code_hash(&wasm(BUMP))), "the library's code is reached: {code:?}");
    assert!(code.contains(&code_hash(&inline(&contract_a(&bump), 1, &[]).code)), "and the contract's");
}
