//! The chain side of the reference VM against `corpus/conformance/` and the rules of
//! `docs/consensus.md` and `docs/vmcalls.md`.
//!
//! - every hash and encoding vector;
//! - the transaction vectors, with the reference interpreter when it is there (strict: every vector,
//!   every field) and, for the vectors whose contracts are simple enough, with a scripted engine that
//!   plays the contracts' segments and vmcalls by hand, so the chain rules are checked end to end now;
//! - hand-made streams for validity, the fee rule and the commit rule;
//! - every vmcall over an execution context directly: price first, page gas, error order.

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use svm_core::account::{Account, ContractInfo};
use svm_core::contract_meta::{ContractMeta, FunctionSignature};
use svm_core::fee::FEE_ACCOUNT;
use svm_core::layout::{PAGE_SIZE, PageSlice, StorageLayout};
use svm_core::outcome::{InvalidTx, Outcome, Refusal, TrapKind};
use svm_core::receipt::Receipt;
use svm_core::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};
use svm_core::validation::Rule;
use svm_core::vmcalls::HostError;
use svm_core::vmcalls::registry::VMCALLS;
use svm_core::{Address, ContractState, Hash, Limits, StateRoot, Value, ValueType};
use svm_reference::chain::collections::Collection;
use svm_reference::chain::engine::Engine;
use svm_reference::chain::hashing;
use svm_reference::chain::state::Page;
use svm_reference::chain::trie;
use svm_reference::chain::vmcalls::{ExecutionContext, ExecutionEnv};
use svm_reference::host::{Host, Meter, Stop};
use svm_reference::{ReferenceError, ReferenceVm};

// ---------------------------------------------------------------------------------------------
// JSON and hex
// ---------------------------------------------------------------------------------------------

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus/conformance")
}

fn load(name: &str) -> Json {
    let path = conformance_dir().join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn vector_files(prefixes: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(conformance_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json") && prefixes.iter().any(|p| n.starts_with(p)))
        .collect();
    names.sort();
    names
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn addr(j: &Json) -> Address {
    Address(unhex(j.as_str().unwrap()).try_into().unwrap())
}

fn hash(j: &Json) -> Hash {
    Hash(unhex(j.as_str().unwrap()).try_into().unwrap())
}

fn u64_of(j: &Json) -> u64 {
    j.as_u64().unwrap_or_else(|| panic!("not a u64: {j}"))
}

fn value(j: &Json) -> Value {
    let (ty, v) = j.as_object().unwrap().iter().next().unwrap();
    let bits = |v: &Json| u64::from_str_radix(v.as_str().unwrap(), 16).unwrap();
    match ty.as_str() {
        "i32" => Value::I32(v.as_i64().unwrap() as i32),
        "i64" => Value::I64(v.as_i64().unwrap()),
        "f32" => Value::F32(bits(v) as u32),
        "f64" => Value::F64(bits(v)),
        other => panic!("value type {other}"),
    }
}

fn value_type(j: &Json) -> ValueType {
    match j.as_str().unwrap() {
        "i32" => ValueType::I32,
        "i64" => ValueType::I64,
        "f32" => ValueType::F32,
        "f64" => ValueType::F64,
        other => panic!("value type {other}"),
    }
}

fn every_outcome() -> Vec<Outcome> {
    let mut all = vec![Outcome::Success, Outcome::OutOfGas, Outcome::StackExhausted];
    all.extend(InvalidTx::ALL.iter().copied().map(Outcome::Invalid));
    all.extend(TrapKind::ALL.iter().copied().map(Outcome::Trap));
    all.extend(HostError::ALL.iter().copied().map(Outcome::Host));
    all.extend((0..=255).filter_map(Refusal::from_code).map(Outcome::Refused));
    all
}

fn outcome_named(name: &str) -> Outcome {
    every_outcome().into_iter().find(|o| o.name() == name).unwrap_or_else(|| panic!("outcome {name}"))
}

fn receipt_of(j: &Json) -> Receipt {
    Receipt {
        outcome: outcome_named(j["outcome"].as_str().unwrap()),
        gas_used: u64_of(&j["gas_used"]),
        contract: (!j["contract"].is_null()).then(|| addr(&j["contract"])),
        state: (!j["state"].is_null()).then(|| ContractState(hash(&j["state"]))),
        returns: j["returns"].as_array().unwrap().iter().map(value).collect(),
        returndata: unhex(j["returndata"].as_str().unwrap()),
        logs: j["logs"].as_array().unwrap().iter().map(|l| unhex(l.as_str().unwrap())).collect(),
        events: j
            .get("events")
            .and_then(Json::as_array)
            .map_or_else(Vec::new, |events| events.iter().map(event_of).collect()),
        calls: j
            .get("calls")
            .and_then(Json::as_array)
            .map_or_else(Vec::new, |calls| calls.iter().map(call_of).collect()),
        diagnostic: j.get("diagnostic").and_then(Json::as_str).unwrap_or("").to_string(),
    }
}

fn call_of(j: &Json) -> svm_core::call::CallRecord {
    svm_core::call::CallRecord {
        depth: u64_of(&j["depth"]) as u8,
        caller: addr(&j["caller"]),
        callee: addr(&j["callee"]),
        function: j["function"].as_str().unwrap().to_string(),
        outcome: outcome_named(j["outcome"].as_str().unwrap()),
        gas_used: u64_of(&j["gas_used"]),
        value: u64_of(&j["value"]),
    }
}

fn event_of(j: &Json) -> svm_core::event::Event {
    svm_core::event::Event {
        contract: addr(&j["contract"]),
        topics: j["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| unhex(t.as_str().unwrap()).try_into().unwrap())
            .collect(),
        data: unhex(j["data"].as_str().unwrap()),
        expires: u64_of(&j["expires"]),
    }
}

fn slices_of(j: &Json) -> Vec<PageSlice> {
    j.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let s: Vec<u32> = s.as_array().unwrap().iter().map(|n| n.as_u64().unwrap() as u32).collect();
            PageSlice { page: s[0], offset: s[1], len: s[2] }
        })
        .collect()
}

/// A transaction from its JSON; a deploy's `code` names a contract of the stream header by code hash.
fn transaction_of(j: &Json, contracts: &BTreeMap<String, Vec<u8>>) -> Transaction {
    if let Some(d) = j.get("deploy") {
        let code = d["code"].as_str().unwrap();
        Transaction::Deploy(Deploy {
            author: addr(&d["author"]),
            nonce: u64_of(&d["nonce"]),
            code: contracts.get(code).cloned().unwrap_or_else(|| unhex(code)),
            page_count: u64_of(&d["page_count"]) as u32,
            slices: slices_of(&d["slices"]),
            initial_balance: u64_of(&d["initial_balance"]),
            gas_limit: u64_of(&d["gas_limit"]),
            gas_price: u64_of(&d["gas_price"]),
        })
    } else if let Some(e) = j.get("execute") {
        Transaction::Execute(Execute {
            contract: addr(&e["contract"]),
            sender: addr(&e["sender"]),
            nonce: u64_of(&e["nonce"]),
            function: e["function"].as_str().unwrap().to_string(),
            args: e["args"].as_array().unwrap().iter().map(value).collect(),
            calldata: unhex(e["calldata"].as_str().unwrap()),
            gas_limit: u64_of(&e["gas_limit"]),
            gas_price: u64_of(&e["gas_price"]),
            value: u64_of(&e["value"]),
        })
    } else if let Some(l) = j.get("deploy_library") {
        let code = l["code"].as_str().unwrap();
        Transaction::DeployLibrary(DeployLibrary {
            author: addr(&l["author"]),
            nonce: u64_of(&l["nonce"]),
            code: contracts.get(code).cloned().unwrap_or_else(|| unhex(code)),
            gas_limit: u64_of(&l["gas_limit"]),
            gas_price: u64_of(&l["gas_price"]),
        })
    } else if let Some(t) = j.get("transfer") {
        Transaction::Transfer(Transfer {
            from: addr(&t["from"]),
            to: addr(&t["to"]),
            nonce: u64_of(&t["nonce"]),
            amount: u64_of(&t["amount"]),
            gas_price: u64_of(&t["gas_price"]),
        })
    } else {
        panic!("transaction kind of {j}")
    }
}

// ---------------------------------------------------------------------------------------------
// Hash and encoding vectors
// ---------------------------------------------------------------------------------------------

fn account_of(j: &Json) -> Account {
    let contract = &j["contract"];
    Account {
        balance: u64_of(&j["balance"]),
        nonce: u64_of(&j["nonce"]),
        contract: (!contract.is_null()).then(|| ContractInfo {
            code_hash: hash(&contract["code_hash"]),
            meta_hash: hash(&contract["meta_hash"]),
            state: ContractState(hash(&contract["state"])),
        }),
        library: j.get("library").filter(|l| !l.is_null()).map(hash),
    }
}

/// What the reference computes for a hash or encoding vector, as hex.
fn compute(function: &str, inputs: &Json) -> String {
    match function {
        "code_hash" => hashing::code_hash(&unhex(inputs["code"].as_str().unwrap())).to_string(),
        "contract_address" => {
            hashing::contract_address(&addr(&inputs["author"]), u64_of(&inputs["nonce"]), &hash(&inputs["code_hash"]))
                .to_string()
        }
        "fee_account" => hashing::fee_account().to_string(),
        "library_address" => hashing::library_address(&hash(&inputs["code_hash"])).to_string(),
        "page_hash" => {
            let page: [u8; PAGE_SIZE] = unhex(inputs["page"].as_str().unwrap()).try_into().unwrap();
            hashing::page_hash(&addr(&inputs["address"]), u64_of(&inputs["index"]) as u32, &page).to_string()
        }
        "page_tree_node" => hashing::page_tree_node(&hash(&inputs["left"]), &hash(&inputs["right"])).to_string(),
        "contract_state" => {
            let pages: BTreeMap<u32, Page> = inputs["pages"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(i, p)| (i.parse().unwrap(), Box::new(unhex(p.as_str().unwrap()).try_into().unwrap())))
                .collect();
            hashing::contract_state(&addr(&inputs["address"]), u64_of(&inputs["page_count"]) as u32, &pages).to_string()
        }
        "state_root" => {
            let accounts: Vec<(Address, Account)> =
                inputs["accounts"].as_array().unwrap().iter().map(|a| (addr(&a["address"]), account_of(a))).collect();
            trie::state_root_of(accounts.iter().map(|(a, acct)| (a, acct.clone()))).unwrap().to_string()
        }
        "collection_root" => {
            let mut collection = Collection::new(u64_of(&inputs["width"]) as usize);
            for entry in inputs["entries"].as_array().unwrap() {
                let (key, value) = (unhex(entry[0].as_str().unwrap()), unhex(entry[1].as_str().unwrap()));
                collection.entries.insert(key, value);
            }
            collection.root().to_string()
        }
        "account_encoding" => hex(&trie::encode_account(&account_of(inputs))),
        "contract_meta_hash" => {
            let layout =
                StorageLayout::new(u64_of(&inputs["page_count"]) as u32, slices_of(&inputs["slices"])).unwrap();
            let exports = inputs["exports"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(name, s)| {
                    let types = |k: &str| s[k].as_array().unwrap().iter().map(value_type).collect();
                    (name.clone(), FunctionSignature { params: types("params"), results: types("results") })
                })
                .collect();
            let libraries =
                inputs.get("libraries").and_then(Json::as_array).map_or(Vec::new(), |l| l.iter().map(hash).collect());
            let meta = ContractMeta {
                code_len: u64_of(&inputs["code_len"]) as u32,
                layout: layout.into(),
                exports,
                libraries,
            };
            hashing::meta_hash(&meta).to_string()
        }
        "receipt_encoding" => hex(&receipt_of(inputs).to_bytes()),
        "receipt_hash" => receipt_of(inputs).hash().to_string(),
        "transaction_encoding" => hex(&transaction_of(inputs, &BTreeMap::new()).to_bytes()),
        "state_root_with_events" => StateRoot::of(hash(&inputs["accounts"]), hash(&inputs["events"])).to_string(),
        other => panic!("unknown vector function {other}"),
    }
}

#[test]
fn every_hash_and_encoding_vector() {
    let files = vector_files(&["hash.", "encoding."]);
    assert_eq!(files.len(), 29, "docs/consensus.md promises 29 hash and encoding vectors: {files:?}");
    for file in files {
        let v = load(&file);
        assert_eq!(v["kind"], "hash", "{file}");
        let function = v["function"].as_str().unwrap();
        assert_eq!(compute(function, &v["inputs"]), v["output"].as_str().unwrap(), "{file} ({function})");
    }
}

// ---------------------------------------------------------------------------------------------
// Transaction vectors
// ---------------------------------------------------------------------------------------------

/// How far a transaction vector got.
#[derive(Debug)]
enum Run {
    /// Every transaction matched its expectation.
    Passed,
    /// Transaction `index` was a node fault (`error`); every one before it matched.
    Faulted { index: usize, error: String },
}

/// Replays the transaction vector `file` on `vm`; a mismatch panics with the field that differs.
fn replay(file: &str, vm: &mut ReferenceVm) -> Run {
    let v = load(file);
    assert_eq!(v["kind"], "transactions", "{file}");
    let header = &v["stream"]["header"];
    let genesis: Vec<(Address, u64)> =
        header["genesis"].as_array().unwrap().iter().map(|g| (addr(&g[0]), u64_of(&g[1]))).collect();
    vm.genesis(&genesis).unwrap();
    let contracts: BTreeMap<String, Vec<u8>> = header["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["hash"].as_str().unwrap().to_string(), unhex(c["wasm"].as_str().unwrap())))
        .collect();
    let txs = v["stream"]["txs"].as_array().unwrap();
    let expect = v["expect"].as_array().unwrap();
    assert_eq!(txs.len(), expect.len(), "{file}");
    for (index, (tx, want)) in txs.iter().zip(expect).enumerate() {
        let transaction = transaction_of(&tx["tx"], &contracts);
        let root_before = vm.root();
        let receipt = match vm.apply(&transaction, u64_of(&tx["layer"])) {
            Ok(receipt) => receipt,
            Err(e) => {
                assert_eq!(vm.root(), root_before, "{file} #{index}: a node fault changed the state");
                return Run::Faulted { index, error: e.to_string() };
            }
        };
        let at = format!("{file} #{index} ({})", receipt.diagnostic);
        let expected = receipt_of(want);
        assert_eq!(receipt.outcome.name(), want["outcome"].as_str().unwrap(), "{at}: outcome");
        assert_eq!(receipt.gas_used, expected.gas_used, "{at}: gas_used");
        assert_eq!(receipt.returns, expected.returns, "{at}: returns");
        assert_eq!(receipt.returndata, expected.returndata, "{at}: returndata");
        assert_eq!(receipt.logs, expected.logs, "{at}: logs");
        assert_eq!(receipt.contract, expected.contract, "{at}: contract");
        assert_eq!(receipt.state, expected.state, "{at}: state");
        assert_eq!(receipt.hash().to_string(), want["receipt_hash"].as_str().unwrap(), "{at}: receipt hash");
        assert_eq!(vm.root().to_string(), want["root"].as_str().unwrap(), "{at}: root");
        if receipt.outcome.is_invalid() {
            assert_eq!(vm.root(), root_before, "{at}: an invalid transaction changed the root");
        }
    }
    Run::Passed
}

/// Whether the reference interpreter is there (in a worktree where `wasm` is still a placeholder,
/// every decode fails).
fn interpreter_present() -> bool {
    let empty_module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    svm_reference::wasm::Module::decode(&empty_module, &Limits::default()).is_ok()
}

#[test]
fn every_transaction_vector_with_the_interpreter() {
    let files: Vec<String> =
        vector_files(&[""]).into_iter().filter(|f| !f.starts_with("hash.") && !f.starts_with("encoding.")).collect();
    assert_eq!(files.len(), 22, "docs/consensus.md promises 22 transaction vectors: {files:?}");
    let present = interpreter_present();
    let mut faulted = Vec::new();
    for file in &files {
        match replay(file, &mut ReferenceVm::default()) {
            Run::Passed => {}
            Run::Faulted { index, error } => {
                assert!(!present, "{file} #{index}: node fault with the interpreter present: {error}");
                faulted.push((file.clone(), index));
            }
        }
    }
    if !present {
        // Without the interpreter, each vector must get exactly as far as its first successful deploy
        // (which decodes the code) with every earlier transaction matching.
        let expected_stop = |f: &str| if f == "outcome.deploy-order.json" { 3 } else { 0 };
        for (file, index) in &faulted {
            assert_eq!(*index, expected_stop(file), "{file}");
        }
        assert_eq!(faulted.len(), files.len());
        eprintln!("interpreter absent: {} transaction vectors stop at their first decode", faulted.len());
    }
}

// ---------------------------------------------------------------------------------------------
// A scripted engine: the vector contracts played by hand, segment by segment
// ---------------------------------------------------------------------------------------------

type Script = fn(&[Value], &mut dyn Host, &mut Meter) -> Result<Vec<Value>, Stop>;

/// One contract: its exports (as written in its WebAssembly text) and a script per export.
struct Contract {
    exports: Vec<(&'static str, Vec<ValueType>, Vec<ValueType>, Script)>,
}

/// An engine that knows contracts by code hash.
struct Scripted {
    contracts: BTreeMap<Hash, Contract>,
}

impl Engine for Scripted {
    fn exports(&self, code: &[u8], _: &Limits) -> Result<BTreeMap<String, FunctionSignature>, String> {
        let contract = self.contracts.get(&hashing::code_hash(code)).ok_or("no script for this code")?;
        Ok(contract
            .exports
            .iter()
            .map(|(name, params, results, _)| {
                (name.to_string(), FunctionSignature { params: params.clone(), results: results.clone() })
            })
            .collect())
    }

    fn invoke(
        &self,
        code: &[u8],
        _: &[(Hash, std::sync::Arc<Vec<u8>>)],
        function: &str,
        args: &[Value],
        _: &Limits,
        _: u64,
        host: &mut dyn Host,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        let contract = self.contracts.get(&hashing::code_hash(code)).ok_or(Stop::Fault("no script".into()))?;
        let (_, _, _, script) =
            contract.exports.iter().find(|e| e.0 == function).ok_or(Stop::Fault("no export".into()))?;
        script(args, host, meter)
    }
}

use ValueType::{I32, I64};

fn segment(meter: &mut Meter, cost: u64) -> Result<(), Stop> {
    meter.charge(cost)
}

fn call(host: &mut dyn Host, meter: &mut Meter, name: &str, args: &[Value]) -> Result<Vec<Value>, Stop> {
    host.vmcall(name, args, None, meter)
}

fn nothing(_: &[Value], _: &mut dyn Host, _: &mut Meter) -> Result<Vec<Value>, Stop> {
    Ok(vec![])
}

/// `counter.inc`: read slice 0, add 1, write it back, return it (segments 6, 10, 1).
fn counter_inc(_: &[Value], host: &mut dyn Host, meter: &mut Meter) -> Result<Vec<Value>, Stop> {
    segment(meter, 6)?;
    let [Value::I64(n)] = call(host, meter, "storage_read_i64", &[Value::I32(0)])?[..] else { unreachable!() };
    segment(meter, 10)?;
    call(host, meter, "storage_write_i64", &[Value::I32(0), Value::I64(n + 1)])?;
    segment(meter, 1)?;
    Ok(vec![Value::I64(n + 1)])
}

/// The page-gas contract's `read`: two reads of slice 0 (segments 6, 7; the final `end` costs 0).
fn pages_read(_: &[Value], host: &mut dyn Host, meter: &mut Meter) -> Result<Vec<Value>, Stop> {
    segment(meter, 6)?;
    call(host, meter, "storage_read_i64", &[Value::I32(0)])?;
    segment(meter, 7)?;
    call(host, meter, "storage_read_i64", &[Value::I32(0)])
}

fn pages_writes(host: &mut dyn Host, meter: &mut Meter, slices: [i32; 2]) -> Result<Vec<Value>, Stop> {
    for (value, slice) in slices.into_iter().enumerate() {
        segment(meter, 7)?;
        call(host, meter, "storage_write_i64", &[Value::I32(slice), Value::I64(value as i64 + 1)])?;
    }
    Ok(vec![])
}

fn scripted() -> Scripted {
    let by_name: BTreeMap<&str, Contract> = [
        ("add-f", Contract { exports: vec![("f", vec![], vec![], nothing as Script)] }),
        ("add-f-i64", Contract { exports: vec![("f", vec![I64], vec![], nothing as Script)] }),
        ("traps", Contract { exports: vec![("f", vec![], vec![], |_, _, _| Err(Stop::Trap(TrapKind::Unreachable)))] }),
        (
            "counter",
            Contract {
                exports: vec![
                    ("inc", vec![], vec![I64], counter_inc as Script),
                    ("add", vec![I64], vec![I64], |_, _, _| Err(Stop::Fault("not scripted".into()))),
                    ("get", vec![], vec![I64], |_, _, _| Err(Stop::Fault("not scripted".into()))),
                ],
            },
        ),
        (
            "calls",
            Contract {
                exports: vec![
                    ("huge", vec![], vec![], |_, host, meter| {
                        segment(meter, 9)?;
                        let args = [Value::I32(9), Value::I32(0), Value::I32(-1), Value::I32(0)];
                        call(host, meter, "storage_read_to_mem", &args)
                    }),
                    ("bad_slice", vec![], vec![], |_, host, meter| {
                        segment(meter, 9)?;
                        let args = [Value::I32(9), Value::I32(0), Value::I32(4), Value::I32(0)];
                        call(host, meter, "storage_read_to_mem", &args)
                    }),
                    ("bad_both", vec![], vec![], |_, host, meter| {
                        segment(meter, 10)?;
                        let args = [Value::I32(9), Value::I32(0), Value::I32(4), Value::I32(7), Value::I32(0)];
                        call(host, meter, "storage_read_to_reg", &args)
                    }),
                ],
            },
        ),
        (
            "pages",
            Contract {
                exports: vec![
                    ("read", vec![], vec![I64], pages_read as Script),
                    ("write", vec![], vec![], |_, host, meter| pages_writes(host, meter, [0, 0])),
                    ("both", vec![], vec![], |_, host, meter| pages_writes(host, meter, [0, 1])),
                ],
            },
        ),
        (
            "reexport",
            Contract {
                exports: vec![
                    ("layer", vec![], vec![I64], |args, host, meter| call(host, meter, "host_layer", args)),
                    ("read", vec![I32], vec![I64], |args, host, meter| call(host, meter, "storage_read_i64", args)),
                ],
            },
        ),
    ]
    .into_iter()
    .collect();
    // Which script plays which vector contract (by the vector's contract name).
    let mut contracts = BTreeMap::new();
    for file in SCRIPTED_VECTORS {
        for c in load(file)["stream"]["header"]["contracts"].as_array().unwrap() {
            let script = plays(file, c["name"].as_str().unwrap());
            if let Some(contract) = by_name.get(script) {
                contracts.insert(hash(&c["hash"]), Contract { exports: contract.exports.clone() });
            }
        }
    }
    Scripted { contracts }
}

/// Which script plays which vector contract (by the vector's contract name).
fn plays<'a>(vector: &str, contract: &'a str) -> &'a str {
    match (vector, contract) {
        ("outcome.execution-order.json", "add") => "add-f-i64",
        (_, "add" | "ok") => "add-f",
        (_, "deep" | "two-pages") => "pages",
        (_, name) => name,
    }
}

/// The vectors whose contracts the scripted engine plays.
const SCRIPTED_VECTORS: [&str; 9] = [
    "walkthrough.counter-increment.json",
    "outcome.admission-order.json",
    "outcome.execution-order.json",
    "outcome.deploy-order.json",
    "outcome.vmcall-price-first.json",
    "fee.failure-pays-invalid-does-not.json",
    "gas.intrinsic.json",
    "gas.page-gas.json",
    "gas.exported-vmcall.json",
];

#[test]
fn scripted_contracts_reproduce_their_vectors_field_for_field() {
    for file in SCRIPTED_VECTORS {
        let mut vm = ReferenceVm::with_engine(Limits::default(), Box::new(scripted()));
        match replay(file, &mut vm) {
            Run::Passed => {}
            Run::Faulted { index, error } => panic!("{file} #{index}: {error}"),
        }
    }
}

#[test]
fn the_walkthrough_leaves_the_documented_accounts_and_storage() {
    let mut vm = ReferenceVm::with_engine(Limits::default(), Box::new(scripted()));
    assert!(matches!(replay("walkthrough.counter-increment.json", &mut vm), Run::Passed));
    let user = Address([0x11; 20]);
    let counter = addr(&Json::from("f24209fd3f176d7a94400b8307deac7851152b22"));
    assert_eq!(vm.account(&user).balance, 1_000_000_000_000 - 458_100 - 2 * 24_697);
    assert_eq!(vm.account(&user).nonce, 3);
    assert_eq!(vm.account(&FEE_ACCOUNT).balance, 458_100 + 2 * 24_697);
    assert_eq!(vm.contract_slices(&counter), Some(vec![2u64.to_le_bytes().to_vec()]));
    let (balance, nonce, contract) = vm.account_parts(&counter);
    assert_eq!((balance, nonce), (0, 0));
    let contract = contract.unwrap();
    assert_eq!(contract.code_hash.to_string(), "61d27233c17757ce7541c04f92cc231ac14855ca850aeea85989fb086008ad2a");
    assert_eq!(contract.meta_hash.to_string(), "04c77bb0d458ca7f1d6e8b9e6a6fc4bf62a2e08a3958d4d4c2da44f3cc12eecb");
    assert_eq!(vm.contract_meta(&counter).unwrap().code_len, 204);
    let mut page = vec![0u8; PAGE_SIZE];
    page[0] = 2;
    assert_eq!(vm.contract_page(&counter, 0), Some(page));
    assert_eq!(vm.contract_page(&counter, 1), None);
    assert_eq!(vm.accounts().len(), 4, "user, other, fee account, contract");
}

// ---------------------------------------------------------------------------------------------
// Hand-made streams: validity, the fee rule, the commit rule
// ---------------------------------------------------------------------------------------------

const A: Address = Address([0xAA; 20]);
const B: Address = Address([0xBB; 20]);
const C: Address = Address([0xCC; 20]);

fn transfer(from: Address, to: Address, nonce: u64, amount: u64, gas_price: u64) -> Transaction {
    Transaction::Transfer(Transfer { from, to, nonce, amount, gas_price })
}

fn execute(contract: Address, sender: Address, nonce: u64, function: &str, gas_limit: u64, price: u64) -> Execute {
    Execute {
        contract,
        sender,
        nonce,
        function: function.into(),
        args: vec![],
        calldata: vec![],
        gas_limit,
        gas_price: price,
        value: 0,
    }
}

fn deploy(author: Address, nonce: u64, code: &[u8], page_count: u32, slices: Vec<PageSlice>, limit: u64) -> Deploy {
    Deploy {
        author,
        nonce,
        code: code.to_vec(),
        page_count,
        slices,
        initial_balance: 0,
        gas_limit: limit,
        gas_price: 1,
    }
}

/// The root the trie gives for exactly these accounts.
fn root_of(accounts: &[(Address, u64, u64)]) -> StateRoot {
    trie::state_root_of(
        accounts.iter().map(|(a, balance, nonce)| {
            (a, Account { balance: *balance, nonce: *nonce, contract: None, library: None })
        }),
    )
    .unwrap()
}

fn vm_with(limits: Limits, genesis: &[(Address, u64)]) -> ReferenceVm {
    let mut vm = ReferenceVm::new(limits);
    vm.genesis(genesis).unwrap();
    vm
}

#[test]
fn a_transfer_moves_pays_and_names_no_contract() {
    let mut vm = vm_with(Limits::default(), &[(A, 1_000_000)]);
    assert_eq!(vm.root(), root_of(&[(A, 1_000_000, 0)]));
    let receipt = vm.apply(&transfer(A, B, 0, 5, 3), 9).unwrap();
    assert_eq!(
        (receipt.outcome, receipt.gas_used, receipt.contract, receipt.state),
        (Outcome::Success, 20_000, None, None)
    );
    let mut expected = Receipt::new(Outcome::Success);
    expected.gas_used = 20_000;
    assert_eq!(receipt.hash(), expected.hash());
    assert_eq!(vm.root(), root_of(&[(A, 1_000_000 - 5 - 60_000, 1), (B, 5, 0), (FEE_ACCOUNT, 60_000, 0)]));
    // To itself: only the nonce and the fee.
    vm.apply(&transfer(A, A, 1, 7, 1), 9).unwrap();
    assert_eq!(vm.root(), root_of(&[(A, 1_000_000 - 5 - 80_000, 2), (B, 5, 0), (FEE_ACCOUNT, 80_000, 0)]));
}

#[test]
fn a_zero_transfer_at_price_zero_creates_no_account() {
    let mut vm = vm_with(Limits::default(), &[(A, 10), (C, 0)]);
    assert_eq!(vm.accounts().len(), 1, "a zero genesis credit creates nothing");
    let receipt = vm.apply(&transfer(A, B, 0, 0, 0), 1).unwrap();
    assert_eq!(receipt.outcome, Outcome::Success);
    assert_eq!(vm.root(), root_of(&[(A, 10, 1)]), "neither B nor the fee account enters the state");
}

#[test]
fn genesis_adds_and_an_overflow_changes_nothing() {
    let mut vm = ReferenceVm::default();
    assert_eq!(vm.root(), StateRoot::EMPTY);
    vm.genesis(&[(A, 5), (A, 6)]).unwrap();
    assert_eq!(vm.account(&A).balance, 11);
    let before = vm.root();
    let err = vm.genesis(&[(B, 1), (A, u64::MAX)]).unwrap_err();
    assert!(matches!(err, ReferenceError::GenesisOverflow { address } if address == A), "{err}");
    assert_eq!((vm.root(), vm.account(&B).balance), (before, 0));
}

/// Applies `tx` and checks it is invalid for `reason`: gas 0, nothing changed.
fn assert_invalid(vm: &mut ReferenceVm, tx: &Transaction, reason: InvalidTx) {
    let before = (vm.root(), vm.accounts());
    let receipt = vm.apply(tx, 1).unwrap();
    assert_eq!(receipt.outcome, Outcome::Invalid(reason), "{tx:?}: {}", receipt.diagnostic);
    assert_eq!(receipt.gas_used, 0);
    let contract = match tx {
        Transaction::Execute(e) => Some(e.contract),
        _ => None,
    };
    let mut expected = Receipt::new(Outcome::Invalid(reason));
    expected.contract = contract;
    assert_eq!(receipt.hash(), expected.hash());
    assert_eq!((vm.root(), vm.accounts()), before, "an invalid transaction changes nothing");
}

#[test]
fn transfer_validity_checks_in_their_order() {
    use InvalidTx::*;
    let limits = Limits { max_gas_limit: 20_000, ..Limits::default() };
    let mut vm = vm_with(limits.clone(), &[(A, 1_000_000), (C, u64::MAX), (FEE_ACCOUNT, 1)]);
    // 1 beats 3.
    assert_invalid(&mut vm, &transfer(FEE_ACCOUNT, B, 9, 0, 0), FeeAccount);
    // 3 beats 4, 5.
    assert_invalid(&mut vm, &transfer(A, B, 1, 0, u64::MAX), NonceMismatch);
    // 4: the fee, then fee + amount.
    assert_invalid(&mut vm, &transfer(A, B, 0, 0, u64::MAX / 10_000), FeeOverflow);
    assert_invalid(&mut vm, &transfer(A, B, 0, u64::MAX - 19_999, 1), FeeOverflow);
    // 5: exactly one short.
    assert_invalid(&mut vm, &transfer(A, B, 0, 1_000_000 - 20_000 + 1, 1), InsufficientBalance);
    // 5 beats 7 (the recipient is the fee account).
    assert_invalid(&mut vm, &transfer(A, FEE_ACCOUNT, 0, 2_000_000, 1), InsufficientBalance);
    assert_invalid(&mut vm, &transfer(A, FEE_ACCOUNT, 0, 1, 1), FeeAccount);
    // 8: the recipient would overflow, unless it is the sender.
    assert_invalid(&mut vm, &transfer(A, C, 0, 1, 1), BalanceOverflow);
    assert_eq!(vm.apply(&transfer(C, C, 0, 1, 0), 1).unwrap().outcome, Outcome::Success);
    // 2: a limit above max_gas_limit (the transfer's fixed 20,000 against 19,999).
    let mut tight = vm_with(Limits { max_gas_limit: 19_999, ..Limits::default() }, &[(A, 1_000_000)]);
    assert_invalid(&mut tight, &transfer(A, B, 7, 0, 1), GasLimitTooHigh);
    // 6: the fee account would overflow with the most this could pay.
    let mut full = vm_with(Limits::default(), &[(A, 1_000_000), (FEE_ACCOUNT, u64::MAX - 19_999)]);
    assert_invalid(&mut full, &transfer(A, B, 0, 0, 1), BalanceOverflow);
    // Exactly affordable and exactly fitting: admitted.
    let mut edge = vm_with(Limits::default(), &[(A, 20_005), (FEE_ACCOUNT, u64::MAX - 20_000)]);
    assert_eq!(edge.apply(&transfer(A, B, 0, 5, 1), 1).unwrap().outcome, Outcome::Success);
    assert_eq!((edge.account(&A).balance, edge.account(&FEE_ACCOUNT).balance), (0, u64::MAX));
}

#[test]
fn execute_validity_checks_in_their_order() {
    use InvalidTx::*;
    let mut vm = vm_with(Limits::default(), &[(A, 1_000_000)]);
    let mut e = execute(C, A, 5, "f", 1_000, 1);
    e.calldata = vec![0; 65_537];
    // 0 beats the stale nonce.
    assert_invalid(&mut vm, &Transaction::Execute(e.clone()), CalldataTooLarge);
    e.calldata = vec![0; 65_536];
    assert_invalid(&mut vm, &Transaction::Execute(e.clone()), NonceMismatch);
    e.gas_limit = 10_000_000_001;
    assert_invalid(&mut vm, &Transaction::Execute(e.clone()), GasLimitTooHigh);
    e.sender = FEE_ACCOUNT;
    assert_invalid(&mut vm, &Transaction::Execute(e.clone()), FeeAccount);
    let mut e = execute(C, A, 0, "f", 1_000, 1);
    e.value = 999_001;
    assert_invalid(&mut vm, &Transaction::Execute(e.clone()), InsufficientBalance);
    e.value = 0;
    assert_invalid(&mut vm, &Transaction::Execute(e), UnknownContract);
}

/// A module that deploy validation admits: one exported function `f` with an empty body.
fn tiny_module() -> Vec<u8> {
    unhex("0061736d0100000001040160000003020100070501016600000a040102000b")
}

#[test]
fn deploy_failures_pay_the_documented_gas_and_create_nothing() {
    let limits = Limits { max_pages: 4, ..Limits::default() };
    let mut vm = vm_with(limits, &[(A, 10_000_000)]);
    let code = tiny_module();
    let intrinsic = 50_000 + 2_000 * code.len() as u64 + 100;
    let s = |page, offset, len| PageSlice { page, offset, len };
    let cases: Vec<(Deploy, Outcome, u64)> = vec![
        (deploy(A, 0, &code, 1, vec![s(0, 0, 8)], intrinsic - 1), Outcome::OutOfGas, intrinsic - 1),
        (deploy(A, 1, &code, 1, vec![s(1, 0, 8)], intrinsic), Outcome::Refused(Refusal::InvalidLayout), intrinsic),
        (deploy(A, 2, &code, 1, vec![s(0, 4090, 8)], intrinsic), Outcome::Refused(Refusal::InvalidLayout), intrinsic),
        (deploy(A, 3, &code, 5, vec![s(0, 0, 8)], intrinsic), Outcome::Refused(Refusal::InvalidLayout), intrinsic),
        // A collection slot spans 48 bytes: at 4049 it would end past the page.
        (deploy(A, 4, &code, 1, vec![s(0, 4049, 0)], intrinsic), Outcome::Refused(Refusal::InvalidLayout), intrinsic),
        (
            deploy(A, 5, &[0xde, 0xad, 0xbe, 0xef], 1, vec![s(0, 0, 8)], 60_000),
            Outcome::Refused(Refusal::CodeRejected(Rule::Malformed)),
            50_000 + 8_000 + 100,
        ),
    ];
    let mut spent = 0;
    for (nonce, (d, outcome, gas)) in cases.into_iter().enumerate() {
        let receipt = vm.apply(&Transaction::Deploy(d), 1).unwrap();
        assert_eq!((receipt.outcome, receipt.gas_used), (outcome, gas), "deploy {nonce}: {}", receipt.diagnostic);
        assert_eq!((receipt.contract, receipt.state), (None, None));
        spent += gas;
        assert_eq!(vm.root(), root_of(&[(A, 10_000_000 - spent, nonce as u64 + 1), (FEE_ACCOUNT, spent, 0)]));
    }
    // Two overlapping slices; and the code too large for a smaller max_code_bytes, checked after the layout.
    let mut small = vm_with(Limits { max_code_bytes: 10, ..Limits::default() }, &[(A, 10_000_000)]);
    let overlap = deploy(A, 0, &code, 1, vec![s(0, 0, 8), s(0, 7, 1)], intrinsic + 100);
    let receipt = small.apply(&Transaction::Deploy(overlap), 1).unwrap();
    assert_eq!(receipt.outcome, Outcome::Refused(Refusal::InvalidLayout));
    let too_large = deploy(A, 1, &code, 1, vec![s(0, 0, 8)], intrinsic);
    let receipt = small.apply(&Transaction::Deploy(too_large), 1).unwrap();
    assert_eq!(receipt.outcome.name(), "refused:code-rejected:code-too-large");
    assert_eq!(receipt.gas_used, intrinsic);
}

#[test]
fn a_deploy_moves_its_initial_balance_and_a_failed_one_does_not() {
    let code = tiny_module();
    let mut engine = scripted();
    engine.contracts.insert(
        hashing::code_hash(&code),
        Contract { exports: vec![("f", vec![], vec![], |_, _, _| Err(Stop::Trap(TrapKind::Unreachable)))] },
    );
    let mut vm = ReferenceVm::with_engine(Limits::default(), Box::new(engine));
    vm.genesis(&[(A, 10_000_000)]).unwrap();
    let intrinsic = 50_000 + 2_000 * code.len() as u64;
    let mut d = deploy(A, 0, &code, 0, vec![], intrinsic);
    d.initial_balance = 1_000;
    d.gas_price = 2;
    let receipt = vm.apply(&Transaction::Deploy(d.clone()), 1).unwrap();
    let contract = hashing::contract_address(&A, 0, &hashing::code_hash(&code));
    assert_eq!((receipt.outcome, receipt.gas_used), (Outcome::Success, intrinsic));
    assert_eq!((receipt.contract, receipt.state), (Some(contract), Some(ContractState::EMPTY)));
    assert_eq!(vm.account(&contract).balance, 1_000);
    assert_eq!(vm.account(&A).balance, 10_000_000 - 1_000 - 2 * intrinsic);
    // A refused deploy keeps its initial balance with the author.
    d.nonce = 1;
    d.page_count = 1;
    d.slices = vec![PageSlice { page: 3, offset: 0, len: 1 }];
    d.gas_limit = intrinsic + 100;
    let before = vm.account(&A).balance;
    let receipt = vm.apply(&Transaction::Deploy(d), 1).unwrap();
    assert_eq!(receipt.outcome, Outcome::Refused(Refusal::InvalidLayout));
    assert_eq!(vm.account(&A).balance, before - 2 * (intrinsic + 100), "one slice more");
    // A trapping call with value: the value goes back, nonce and fee stay.
    let mut e = execute(contract, A, 2, "f", 100_000, 3);
    e.value = 500;
    let before = vm.account(&A).balance;
    let receipt = vm.apply(&Transaction::Execute(e), 1).unwrap();
    let gas = 20_000 + 10 * code.len() as u64;
    assert_eq!((receipt.outcome, receipt.gas_used), (Outcome::Trap(TrapKind::Unreachable), gas));
    assert_eq!((receipt.contract, receipt.state), (Some(contract), None));
    assert_eq!(vm.account(&A).balance, before - 3 * gas);
    assert_eq!(vm.account(&A).nonce, 3);
    assert_eq!(vm.account(&contract).balance, 1_000);
}

/// An engine whose one contract runs `script` for every function; exports `f() -> i64`.
struct OneScript(Script);

impl Engine for OneScript {
    fn exports(&self, _: &[u8], _: &Limits) -> Result<BTreeMap<String, FunctionSignature>, String> {
        Ok([("f".to_string(), FunctionSignature { params: vec![], results: vec![I64] })].into())
    }

    fn invoke(
        &self,
        _: &[u8],
        _: &[(Hash, std::sync::Arc<Vec<u8>>)],
        _: &str,
        args: &[Value],
        _: &Limits,
        _: u64,
        host: &mut dyn Host,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        (self.0)(args, host, meter)
    }
}

/// Deploys the tiny module (one page, slice 0 = 8 bytes at page 0) under `script`, funded A.
fn deployed(script: Script) -> (ReferenceVm, Address) {
    let code = tiny_module();
    let mut vm = ReferenceVm::with_engine(Limits::default(), Box::new(OneScript(script)));
    vm.genesis(&[(A, 1_000_000_000), (B, 77)]).unwrap();
    let d = deploy(A, 0, &code, 1, vec![PageSlice { page: 0, offset: 0, len: 8 }], 1_000_000);
    assert_eq!(vm.apply(&Transaction::Deploy(d), 1).unwrap().outcome, Outcome::Success);
    (vm, hashing::contract_address(&A, 0, &hashing::code_hash(&code)))
}

/// Stores the sender's balance as the contract sees it in slice 0 and returns its own.
fn balances_script(_: &[Value], host: &mut dyn Host, meter: &mut Meter) -> Result<Vec<Value>, Stop> {
    call(host, meter, "host_sender_to_reg", &[Value::I32(1)])?;
    let [Value::I64(sender)] = call(host, meter, "get_balance_from_reg", &[Value::I32(160), Value::I32(1)])?[..] else {
        unreachable!()
    };
    call(host, meter, "host_contract_to_reg", &[Value::I32(2)])?;
    let [Value::I64(contract)] = call(host, meter, "get_balance_from_reg", &[Value::I32(160), Value::I32(2)])?[..]
    else {
        unreachable!()
    };
    call(host, meter, "storage_write_i64", &[Value::I32(0), Value::I64(sender)])?;
    Ok(vec![Value::I64(contract)])
}

#[test]
fn get_balance_from_reg_sees_the_value_moved_and_not_the_fee() {
    let (mut vm, contract) = deployed(balances_script);
    let before = vm.account(&A).balance;
    let mut e = execute(contract, A, 1, "f", 1_000_000, 5);
    e.value = 123;
    let receipt = vm.apply(&Transaction::Execute(e), 4).unwrap();
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    assert_eq!(receipt.returns, vec![Value::I64(123)], "the contract holds the value during the call");
    let stored = vm.contract_slices(&contract).unwrap()[0].clone();
    assert_eq!(stored, (before - 123).to_le_bytes().to_vec(), "the sender's balance before the fee");
    assert_eq!(vm.account(&A).balance, before - 123 - 5 * receipt.gas_used);
    // 20,000 + 10 × 31 intrinsic; 5 + 100 + 5 + 100 in vmcalls; write: 100 + 500 + 2000.
    assert_eq!(receipt.gas_used, 20_310 + 210 + 2_600);
    let (_, _, view) = vm.account_parts(&contract);
    assert_eq!(receipt.state, Some(view.unwrap().state));
}

#[test]
fn a_failed_execute_drops_writes_logs_and_returndata() {
    fn write_then_fail(_: &[Value], host: &mut dyn Host, meter: &mut Meter) -> Result<Vec<Value>, Stop> {
        call(host, meter, "storage_write_i64", &[Value::I32(0), Value::I64(9)])?;
        call(host, meter, "storage_read_i64", &[Value::I32(1)])
    }
    let (mut vm, contract) = deployed(write_then_fail);
    let state_before = vm.account_parts(&contract).2.unwrap().state;
    let receipt = vm.apply(&Transaction::Execute(execute(contract, A, 1, "f", 1_000_000, 1)), 1).unwrap();
    assert_eq!(receipt.outcome, Outcome::Host(HostError::UnknownSlice));
    assert_eq!(receipt.gas_used, 20_310 + 100 + 2_500 + 40, "the price of the failing call is paid");
    assert_eq!(receipt.state, None);
    assert_eq!(vm.contract_slices(&contract).unwrap(), vec![vec![0; 8]]);
    assert_eq!(vm.account_parts(&contract).2.unwrap().state, state_before);
}

#[test]
fn stops_map_to_outcomes_with_their_gas_and_a_fault_is_no_receipt() {
    let cases: [(Script, Outcome, u64); 3] = [
        (|_, _, m| m.charge(u64::MAX).map(|_| vec![]), Outcome::OutOfGas, 50_000),
        (|_, _, m| m.charge(7).and(Err(Stop::StackExhausted)), Outcome::StackExhausted, 20_310 + 7),
        (
            |_, _, m| m.charge(8).and(Err(Stop::Trap(TrapKind::BadSignature))),
            Outcome::Trap(TrapKind::BadSignature),
            20_318,
        ),
    ];
    for (script, outcome, gas) in cases {
        let (mut vm, contract) = deployed(script);
        let receipt = vm.apply(&Transaction::Execute(execute(contract, A, 1, "f", 50_000, 1)), 1).unwrap();
        assert_eq!((receipt.outcome, receipt.gas_used), (outcome, gas));
    }
    let faults: [Script; 2] = [|_, _, _| Err(Stop::Fault("bug".into())), |_, _, _| Ok(vec![Value::I32(1)])];
    for script in faults {
        let (mut vm, contract) = deployed(script);
        let before = (vm.root(), vm.accounts());
        let err = vm.apply(&Transaction::Execute(execute(contract, A, 1, "f", 50_000, 1)), 1).unwrap_err();
        assert!(matches!(err, ReferenceError::Fault(_)), "{err}");
        assert_eq!((vm.root(), vm.accounts()), before);
    }
}

#[test]
fn returns_returndata_and_logs_reach_a_success_receipt_only() {
    fn with_memory(_: &[Value], host: &mut dyn Host, meter: &mut Meter) -> Result<Vec<Value>, Stop> {
        let mut memory: Vec<u8> = (0..16).collect();
        host.vmcall("log", &[Value::I32(1), Value::I32(2)], Some(&mut memory), meter)?;
        host.vmcall("log", &[Value::I32(0), Value::I32(0)], Some(&mut memory), meter)?;
        host.vmcall("returndata_set", &[Value::I32(5), Value::I32(3)], Some(&mut memory), meter)?;
        Ok(vec![Value::I64(-9)])
    }
    let (mut vm, contract) = deployed(with_memory);
    let receipt = vm.apply(&Transaction::Execute(execute(contract, A, 1, "f", 50_000, 1)), 1).unwrap();
    assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
    assert_eq!(receipt.returns, vec![Value::I64(-9)]);
    assert_eq!(receipt.logs, vec![vec![1, 2], vec![]]);
    assert_eq!(receipt.returndata, vec![5, 6, 7]);
    assert_eq!(receipt.gas_used, 20_310 + 54 + 50 + 13);
    assert_eq!(receipt.state, Some(ContractState::EMPTY), "no write: the state stays");
    // Without an exported memory the same calls fail with no-memory, and the receipt has none of them.
    fn without_memory(_: &[Value], host: &mut dyn Host, meter: &mut Meter) -> Result<Vec<Value>, Stop> {
        host.vmcall("log", &[Value::I32(0), Value::I32(0)], None, meter)?;
        Ok(vec![Value::I64(1)])
    }
    let (mut vm, contract) = deployed(without_memory);
    let receipt = vm.apply(&Transaction::Execute(execute(contract, A, 1, "f", 50_000, 1)), 1).unwrap();
    assert_eq!(receipt.outcome, Outcome::Host(HostError::NoMemory));
    assert_eq!((receipt.returns.len(), receipt.logs.len(), receipt.contract), (0, 0, Some(contract)));
    assert_eq!(receipt.gas_used, 20_310 + 50);
}

// ---------------------------------------------------------------------------------------------
// Vmcalls over a context
// ---------------------------------------------------------------------------------------------

const SENDER: Address = Address([0x51; 20]);
const CONTRACT: Address = Address([0xC0; 20]);

/// Owns what a context borrows.
struct Fixture {
    layout: StorageLayout,
    pages: BTreeMap<u32, Page>,
    balances: BTreeMap<Address, u64>,
    calldata: Vec<u8>,
    limits: Limits,
}

fn fixture(page_count: u32, slices: &[(u32, u32, u32)]) -> Fixture {
    let slices = slices.iter().map(|&(page, offset, len)| PageSlice { page, offset, len }).collect();
    Fixture {
        layout: StorageLayout::new(page_count, slices).unwrap(),
        pages: BTreeMap::new(),
        balances: [(SENDER, 1_000), (CONTRACT, 5)].into(),
        calldata: (0..10).collect(),
        limits: Limits::default(),
    }
}

impl Fixture {
    fn context(&self) -> ExecutionContext<'_> {
        let env = ExecutionEnv { sender: SENDER, contract: CONTRACT, layer: 42, value: 7, calldata: &self.calldata };
        ExecutionContext::new(env, &self.layout, &self.pages, &self.balances, &self.limits)
    }
}

fn i(v: i32) -> Value {
    Value::I32(v)
}

/// Calls `name` with i32 arguments; returns the result and the gas it took.
fn vc(
    cx: &mut ExecutionContext<'_>,
    mem: Option<&mut Vec<u8>>,
    name: &str,
    args: &[Value],
) -> (Result<Vec<Value>, Stop>, u64) {
    let mut meter = Meter { remaining: 1_000_000 };
    let r = cx.vmcall(name, args, mem, &mut meter);
    (r, 1_000_000 - meter.remaining)
}

fn host_err(e: HostError) -> Result<Vec<Value>, Stop> {
    Err(Stop::Host(e))
}

#[test]
fn storage_read_i64_pays_page_load_once_per_page() {
    // 3 pages: depth 2, page load 750, page dirty 2,800.
    let mut f = fixture(3, &[(0, 0, 8), (0, 8, 4), (2, 100, 8)]);
    let mut page = Box::new([0u8; PAGE_SIZE]);
    page[..8].copy_from_slice(&0x0102_0304_0506_0708u64.to_le_bytes());
    page[8..12].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    f.pages.insert(0, page);
    let mut cx = f.context();
    assert_eq!(vc(&mut cx, None, "storage_read_i64", &[i(0)]), (Ok(vec![Value::I64(0x0102_0304_0506_0708)]), 40 + 750));
    assert_eq!(vc(&mut cx, None, "storage_read_i64", &[i(1)]), (Ok(vec![Value::I64(0xffff_ffff)]), 40), "same page");
    assert_eq!(vc(&mut cx, None, "storage_read_i32", &[i(1)]), (Ok(vec![Value::I32(-1)]), 40));
    assert_eq!(vc(&mut cx, None, "storage_read_i32", &[i(0)]), (host_err(HostError::SliceTooWide), 40));
    assert_eq!(vc(&mut cx, None, "storage_read_i64", &[i(2)]), (Ok(vec![Value::I64(0)]), 40 + 750));
    assert_eq!(cx.loaded_pages().iter().copied().collect::<Vec<_>>(), vec![0, 2]);
    // Writing a loaded page pays the dirty price only; again, nothing.
    assert_eq!(vc(&mut cx, None, "storage_write_i64", &[i(2), Value::I64(-2)]), (Ok(vec![]), 100 + 2_800));
    assert_eq!(vc(&mut cx, None, "storage_write_i64", &[i(2), Value::I64(3)]), (Ok(vec![]), 100));
    assert_eq!(vc(&mut cx, None, "storage_read_i64", &[i(2)]), (Ok(vec![Value::I64(3)]), 40));
    // The unknown slice is refused before any page gas.
    assert_eq!(vc(&mut cx, None, "storage_read_i64", &[i(-1)]), (host_err(HostError::UnknownSlice), 40));
    let effects = cx.into_effects();
    assert_eq!(effects.written.keys().copied().collect::<Vec<_>>(), vec![2]);
    assert_eq!(effects.written[&2][100..108], 3u64.to_le_bytes());
    assert!(!f.pages.contains_key(&2), "committed pages are untouched (copy on write)");
}

#[test]
fn a_first_write_to_an_unloaded_page_pays_both_and_a_zero_byte_write_dirties() {
    let f = fixture(1, &[(0, 0, 8), (0, 8, 2)]);
    let mut cx = f.context();
    let mut mem = vec![0u8; 64];
    // depth 0: load 500 + dirty 2,000; price 100 + 3 × 0.
    assert_eq!(vc(&mut cx, Some(&mut mem), "storage_write_from_mem", &[i(1), i(2), i(0), i(0)]), (Ok(vec![]), 2_600));
    assert_eq!(cx.dirty_pages().len(), 1);
    assert_eq!(vc(&mut cx, None, "storage_write_i32", &[i(1), i(0x1234_5678)]), (Ok(vec![]), 100));
    assert_eq!(cx.page(0)[8..10], [0x78, 0x56], "the low bytes fill the slice");
}

#[test]
fn the_dirty_page_limit_is_checked_before_the_page_is_charged() {
    let mut f = fixture(4, &[(0, 0, 4), (1, 0, 4), (2, 0, 4)]);
    f.limits.max_dirty_pages = 2;
    let mut cx = f.context();
    // depth 2: load 750, dirty 2,800.
    assert_eq!(vc(&mut cx, None, "storage_write_i32", &[i(0), i(1)]).1, 100 + 750 + 2_800);
    assert_eq!(vc(&mut cx, None, "storage_read_i32", &[i(2)]).1, 40 + 750);
    assert_eq!(vc(&mut cx, None, "storage_write_i32", &[i(1), i(1)]).1, 100 + 750 + 2_800);
    // A third page: refused after the price, with no page gas, although the page is loaded.
    assert_eq!(vc(&mut cx, None, "storage_write_i32", &[i(2), i(1)]), (host_err(HostError::TooManyDirtyPages), 100));
    // A dirty page can still be written.
    assert_eq!(vc(&mut cx, None, "storage_write_i32", &[i(1), i(2)]), (Ok(vec![]), 100));
}

#[test]
fn page_gas_past_the_gas_left_is_out_of_gas() {
    let f = fixture(1, &[(0, 0, 8)]);
    let mut cx = f.context();
    let mut meter = Meter { remaining: 40 + 499 };
    assert_eq!(cx.vmcall("storage_read_i64", &[i(0)], None, &mut meter), Err(Stop::OutOfGas));
    assert_eq!(meter.remaining, 0);
    let mut meter = Meter { remaining: 40 + 500 };
    assert!(cx.vmcall("storage_read_i64", &[i(0)], None, &mut meter).is_ok());
    assert_eq!(meter.remaining, 0);
}

#[test]
fn the_price_comes_before_any_check_and_is_saturating() {
    let f = fixture(1, &[(0, 0, 8)]);
    let mut cx = f.context();
    // len = 2^32 − 1 read as unsigned: 40 + 4,294,967,295 > any gas left; the slice does not exist.
    let mut meter = Meter { remaining: 4_294_967_334 };
    let r = cx.vmcall("storage_read_to_mem", &[i(9), i(0), i(-1), i(0)], None, &mut meter);
    assert_eq!((r, meter.remaining), (Err(Stop::OutOfGas), 0));
    let mut meter = Meter { remaining: 4_294_967_335 };
    let r = cx.vmcall("storage_read_to_mem", &[i(9), i(0), i(-1), i(0)], None, &mut meter);
    assert_eq!((r, meter.remaining), (host_err(HostError::UnknownSlice), 0));
    // Register calls pay the class width (0 for a class that does not exist).
    assert_eq!(vc(&mut cx, None, "reg_cmp", &[i(512), i(0), i(1)]), (Ok(vec![i(0)]), 5 + 64));
    assert_eq!(vc(&mut cx, None, "reg_copy", &[i(7), i(0), i(1)]), (host_err(HostError::UnknownRegister), 5));
    // Every vmcall's price is its registry price at these arguments.
    for spec in VMCALLS {
        let args: Vec<Value> =
            spec.params.iter().map(|t| if *t == I32 { Value::I32(3) } else { Value::I64(3) }).collect();
        // contract_call pays func_len + 9 × args_count + data_len = 3 + 27 + 3.
        let bytes = if spec.name == "contract_call" { 33 } else { 3 };
        let expected = spec.price.base + spec.price.per_byte * bytes;
        let price = svm_reference::chain::vmcalls::price(spec, &args);
        let register_width = matches!(spec.name, "reg_set_from_mem" | "reg_get_to_mem" | "reg_copy" | "reg_cmp");
        assert_eq!(price, if register_width { spec.price.base } else { expected }, "{}", spec.name);
    }
}

/// Each row of docs/vmcalls.md's "Which error wins": arguments that break several checks at once,
/// and the error the first check gives.
#[test]
fn which_error_wins() {
    use HostError::*;
    let f = fixture(1, &[(0, 0, 8)]);
    let small = || vec![0u8; 16];
    let rows: Vec<(&str, Vec<Value>, bool, HostError)> = vec![
        // storage_read_to_mem: slice, range, page, memory exists, memory range.
        ("storage_read_to_mem", vec![i(1), i(9), i(4), i(100)], false, UnknownSlice),
        ("storage_read_to_mem", vec![i(0), i(5), i(4), i(100)], false, SliceOutOfRange),
        ("storage_read_to_mem", vec![i(0), i(4), i(4), i(100)], false, NoMemory),
        ("storage_read_to_mem", vec![i(0), i(4), i(4), i(13)], true, MemoryOutOfBounds),
        // storage_write_from_mem: slice, range, memory exists, memory range, page.
        ("storage_write_from_mem", vec![i(1), i(9), i(4), i(100)], false, UnknownSlice),
        ("storage_write_from_mem", vec![i(0), i(5), i(4), i(100)], false, SliceOutOfRange),
        ("storage_write_from_mem", vec![i(0), i(4), i(4), i(100)], false, NoMemory),
        ("storage_write_from_mem", vec![i(0), i(4), i(4), i(13)], true, MemoryOutOfBounds),
        // storage_read_to_reg: register (class and index), len ≤ width, slice, range.
        ("storage_read_to_reg", vec![i(1), i(9), i(9), i(32), i(16)], false, UnknownRegister),
        ("storage_read_to_reg", vec![i(1), i(9), i(9), i(48), i(0)], false, UnknownRegister),
        ("storage_read_to_reg", vec![i(1), i(9), i(9), i(32), i(15)], false, RegisterWidth),
        ("storage_read_to_reg", vec![i(1), i(9), i(4), i(32), i(15)], false, UnknownSlice),
        ("storage_read_to_reg", vec![i(0), i(5), i(4), i(32), i(15)], false, SliceOutOfRange),
        // storage_write_from_reg: class, len ≤ width, index, slice, range.
        ("storage_write_from_reg", vec![i(1), i(9), i(9), i(48), i(99)], false, UnknownRegister),
        ("storage_write_from_reg", vec![i(1), i(9), i(9), i(32), i(99)], false, RegisterWidth),
        ("storage_write_from_reg", vec![i(1), i(9), i(4), i(32), i(99)], false, UnknownRegister),
        ("storage_write_from_reg", vec![i(1), i(9), i(4), i(32), i(0)], false, UnknownSlice),
        ("storage_write_from_reg", vec![i(0), i(5), i(4), i(32), i(0)], false, SliceOutOfRange),
        // storage_read_i32/i64, storage_write_i32/i64: slice, width.
        ("storage_read_i32", vec![i(1)], false, UnknownSlice),
        ("storage_read_i32", vec![i(0)], false, SliceTooWide),
        ("storage_write_i32", vec![i(1), i(0)], false, UnknownSlice),
        ("storage_write_i32", vec![i(0), i(0)], false, SliceTooWide),
        ("storage_read_i64", vec![i(-1)], false, UnknownSlice),
        ("storage_write_i64", vec![i(1), Value::I64(0)], false, UnknownSlice),
        ("storage_slice_len", vec![i(1)], false, UnknownSlice),
        // reg_set_from_mem, reg_get_to_mem: register, memory exists, memory range.
        ("reg_set_from_mem", vec![i(64), i(16), i(100)], false, UnknownRegister),
        ("reg_set_from_mem", vec![i(64), i(15), i(100)], false, NoMemory),
        ("reg_set_from_mem", vec![i(64), i(15), i(9)], true, MemoryOutOfBounds),
        ("reg_get_to_mem", vec![i(65), i(0), i(100)], false, UnknownRegister),
        ("reg_get_to_mem", vec![i(64), i(0), i(100)], false, NoMemory),
        ("reg_get_to_mem", vec![i(64), i(0), i(-1)], true, MemoryOutOfBounds),
        // reg_copy: source, destination; reg_cmp: a, b.
        ("reg_copy", vec![i(160), i(8), i(9)], false, UnknownRegister),
        ("reg_copy", vec![i(160), i(7), i(8)], false, UnknownRegister),
        ("reg_cmp", vec![i(256), i(4), i(0)], false, UnknownRegister),
        ("reg_cmp", vec![i(256), i(0), i(4)], false, UnknownRegister),
        ("reg_set_i64", vec![i(512), i(4), Value::I64(0)], false, UnknownRegister),
        ("reg_get_i64", vec![i(0), i(0)], false, UnknownRegister),
        ("host_sender_to_reg", vec![i(8)], false, UnknownRegister),
        ("host_contract_to_reg", vec![i(-1)], false, UnknownRegister),
        // calldata_copy: calldata range, memory exists, memory range.
        ("calldata_copy", vec![i(5), i(6), i(100)], false, CalldataOutOfRange),
        ("calldata_copy", vec![i(-1), i(1), i(100)], false, CalldataOutOfRange),
        ("calldata_copy", vec![i(5), i(5), i(100)], false, NoMemory),
        ("calldata_copy", vec![i(5), i(5), i(12)], true, MemoryOutOfBounds),
        // returndata_set: len ≤ 64 KiB, memory exists, memory range.
        ("returndata_set", vec![i(100), i(65_537)], true, ReturndataTooLarge),
        ("returndata_set", vec![i(100), i(65_536)], false, NoMemory),
        ("returndata_set", vec![i(100), i(65_536)], true, MemoryOutOfBounds),
        // get_balance_from_reg: bits = 160, register index.
        ("get_balance_from_reg", vec![i(64), i(99)], false, RegisterWidth),
        ("get_balance_from_reg", vec![i(7), i(0)], false, RegisterWidth),
        ("get_balance_from_reg", vec![i(160), i(8)], false, UnknownRegister),
        // log: count, len ≤ 1 KiB, memory exists, memory range.
        ("log", vec![i(100), i(1_025)], false, LogTooLarge),
        ("log", vec![i(100), i(1_024)], false, NoMemory),
        ("log", vec![i(100), i(1_024)], true, MemoryOutOfBounds),
    ];
    for (name, args, with_memory, error) in rows {
        let mut cx = f.context();
        let mut mem = small();
        let memory = if with_memory { Some(&mut mem) } else { None };
        let (result, _) = vc(&mut cx, memory, name, &args);
        assert_eq!(result, host_err(error), "{name}{args:?} memory={with_memory}");
        assert_eq!(mem, small(), "{name}: a refused vmcall writes nothing");
    }
}

#[test]
fn read_to_mem_pays_the_page_before_the_memory_checks_and_write_from_mem_after() {
    let f = fixture(1, &[(0, 0, 8)]);
    let mut cx = f.context();
    assert_eq!(
        vc(&mut cx, None, "storage_read_to_mem", &[i(0), i(0), i(8), i(0)]),
        (host_err(HostError::NoMemory), 48 + 500)
    );
    let mut cx = f.context();
    let args = [i(0), i(0), i(8), i(0)];
    assert_eq!(vc(&mut cx, None, "storage_write_from_mem", &args), (host_err(HostError::NoMemory), 100 + 24));
    assert!(cx.loaded_pages().is_empty() && cx.dirty_pages().is_empty());
    let mut cx = f.context();
    let args = [i(0), i(0), i(4), i(32), i(0)];
    assert_eq!(vc(&mut cx, None, "storage_read_to_reg", &args), (Ok(vec![]), 44 + 500));
}

#[test]
fn the_too_many_logs_check_comes_first() {
    let mut f = fixture(0, &[]);
    f.limits.max_logs = 2;
    let mut cx = f.context();
    let mut mem = vec![7u8; 8];
    for _ in 0..2 {
        assert_eq!(vc(&mut cx, Some(&mut mem), "log", &[i(0), i(3)]), (Ok(vec![]), 50 + 6));
    }
    // The third fails even with a length over the limit and no memory.
    assert_eq!(vc(&mut cx, None, "log", &[i(0), i(5_000)]), (host_err(HostError::TooManyLogs), 50 + 10_000));
    assert_eq!(cx.logs(), &[vec![7u8; 3], vec![7u8; 3]]);
}

#[test]
fn storage_moves_bytes_between_memory_registers_and_slices() {
    let f = fixture(2, &[(0, 0, 8), (1, 4000, 96)]);
    let mut cx = f.context();
    let mut mem: Vec<u8> = (0..200).map(|b| b as u8).collect();
    // memory[10..20] → slice 1 at 3; then back to memory at 100.
    assert_eq!(vc(&mut cx, Some(&mut mem), "storage_write_from_mem", &[i(1), i(3), i(10), i(10)]).1, 130 + 625 + 2_400);
    assert_eq!(cx.page(1)[4003..4013], (10..20).collect::<Vec<u8>>()[..]);
    assert_eq!(vc(&mut cx, Some(&mut mem), "storage_read_to_mem", &[i(1), i(3), i(10), i(100)]), (Ok(vec![]), 50));
    assert_eq!(mem[100..110], (10..20).collect::<Vec<u8>>()[..]);
    // slice 1 bytes 3..13 → 256-bit register 2 (zero-filled), then its first 5 bytes → slice 0.
    assert_eq!(vc(&mut cx, None, "storage_read_to_reg", &[i(1), i(3), i(10), i(256), i(2)]), (Ok(vec![]), 50));
    let mut expected = (10..20).collect::<Vec<u8>>();
    expected.resize(32, 0);
    assert_eq!(cx.registers().get(256, 2).unwrap(), expected.as_slice());
    let r = vc(&mut cx, None, "storage_write_from_reg", &[i(0), i(1), i(5), i(256), i(2)]);
    assert_eq!(r, (Ok(vec![]), 115 + 625 + 2_400));
    assert_eq!(cx.page(0)[..8], [0, 10, 11, 12, 13, 14, 0, 0]);
    assert_eq!(vc(&mut cx, None, "storage_slice_len", &[i(1)]), (Ok(vec![i(96)]), 5));
    let effects = cx.into_effects();
    assert_eq!(effects.written.len(), 2);
}

#[test]
fn registers_through_memory_and_integers() {
    let f = fixture(0, &[]);
    let mut cx = f.context();
    let mut mem: Vec<u8> = (0..100).map(|b| b as u8).collect();
    assert_eq!(vc(&mut cx, Some(&mut mem), "reg_set_from_mem", &[i(160), i(0), i(50)]), (Ok(vec![]), 25));
    assert_eq!(cx.registers().get(160, 0).unwrap(), (50..70).collect::<Vec<u8>>().as_slice());
    assert_eq!(vc(&mut cx, None, "reg_copy", &[i(160), i(0), i(7)]), (Ok(vec![]), 25));
    assert_eq!(vc(&mut cx, Some(&mut mem), "reg_get_to_mem", &[i(160), i(7), i(0)]), (Ok(vec![]), 25));
    assert_eq!(mem[..20], (50..70).collect::<Vec<u8>>()[..]);
    // reg_set_i64 writes 4 bytes into a 32-bit register, 8 into wider ones, zero-filling the rest.
    assert_eq!(vc(&mut cx, None, "reg_set_i64", &[i(32), i(3), Value::I64(-1)]), (Ok(vec![]), 5));
    assert_eq!(vc(&mut cx, None, "reg_get_i64", &[i(32), i(3)]), (Ok(vec![Value::I64(0xffff_ffff)]), 5));
    assert_eq!(vc(&mut cx, None, "reg_set_i64", &[i(160), i(0), Value::I64(-1)]).0, Ok(vec![]));
    assert_eq!(cx.registers().get(160, 0).unwrap(), [[0xff; 8].as_slice(), &[0; 12]].concat().as_slice());
    assert_eq!(vc(&mut cx, None, "reg_get_i64", &[i(160), i(0)]).0, Ok(vec![Value::I64(-1)]));
    // reg_cmp: unsigned little-endian, so the last byte weighs most.
    cx.registers_mut().set(64, 0, &[0xff, 0, 0, 0, 0, 0, 0, 1]).unwrap();
    cx.registers_mut().set(64, 1, &[0, 0, 0, 0, 0, 0, 0, 2]).unwrap();
    assert_eq!(vc(&mut cx, None, "reg_cmp", &[i(64), i(0), i(1)]), (Ok(vec![i(-1)]), 13));
    assert_eq!(vc(&mut cx, None, "reg_cmp", &[i(64), i(1), i(0)]).0, Ok(vec![i(1)]));
    assert_eq!(vc(&mut cx, None, "reg_cmp", &[i(64), i(1), i(1)]).0, Ok(vec![i(0)]));
}

#[test]
fn context_calls_read_the_transaction() {
    let f = fixture(0, &[]);
    let mut cx = f.context();
    let mut mem = vec![0u8; 32];
    assert_eq!(vc(&mut cx, None, "calldata_len", &[]), (Ok(vec![i(10)]), 2));
    assert_eq!(vc(&mut cx, Some(&mut mem), "calldata_copy", &[i(4), i(6), i(1)]), (Ok(vec![]), 16));
    assert_eq!(mem[..8], [0, 4, 5, 6, 7, 8, 9, 0]);
    assert_eq!(vc(&mut cx, Some(&mut mem), "calldata_copy", &[i(10), i(0), i(32)]).0, Ok(vec![]), "empty at the ends");
    assert_eq!(vc(&mut cx, None, "host_layer", &[]), (Ok(vec![Value::I64(42)]), 2));
    assert_eq!(vc(&mut cx, None, "host_value", &[]), (Ok(vec![Value::I64(7)]), 2));
    assert_eq!(vc(&mut cx, None, "host_sender_to_reg", &[i(3)]), (Ok(vec![]), 5));
    assert_eq!(cx.registers().get(160, 3).unwrap(), SENDER.as_bytes());
    assert_eq!(vc(&mut cx, None, "get_balance_from_reg", &[i(160), i(3)]), (Ok(vec![Value::I64(1_000)]), 100));
    assert_eq!(vc(&mut cx, None, "host_contract_to_reg", &[i(3)]).0, Ok(vec![]));
    assert_eq!(vc(&mut cx, None, "get_balance_from_reg", &[i(160), i(3)]).0, Ok(vec![Value::I64(5)]));
    assert_eq!(vc(&mut cx, None, "get_balance_from_reg", &[i(160), i(4)]).0, Ok(vec![Value::I64(0)]), "a zero address");
    assert_eq!(vc(&mut cx, Some(&mut mem), "returndata_set", &[i(1), i(3)]), (Ok(vec![]), 13));
    assert_eq!(vc(&mut cx, Some(&mut mem), "returndata_set", &[i(2), i(2)]).0, Ok(vec![]));
    assert_eq!(cx.returndata(), &[5, 6], "the last call wins");
}

#[test]
fn every_registry_vmcall_is_implemented_and_a_bad_call_is_a_fault() {
    // Slice 1 is a collection slot.
    let f = fixture(1, &[(0, 0, 4), (0, 64, 0)]);
    for spec in VMCALLS {
        let mut cx = f.context();
        let mut mem = vec![0u8; 128];
        let args: Vec<Value> =
            spec.params.iter().map(|t| if *t == I32 { Value::I32(0) } else { Value::I64(0) }).collect();
        let mut args = args;
        if spec.name.starts_with("reg_") || spec.name == "get_balance_from_reg" {
            args[0] = Value::I32(160);
        }
        if spec.name == "storage_read_to_reg" || spec.name == "storage_write_from_reg" {
            args[3] = Value::I32(160);
        }
        // The collection calls work on handle 0: slot 1 opened as a list of collections for
        // open_nested (which opens an 8-byte map at index 0), a list for push and pop, else a map.
        if let Some(call) = spec.name.strip_prefix("collection_") {
            let shape = match call {
                "open_nested" => [4, 8, 1],
                "push" | "pop" => [4, 8, 0],
                _ => [1, 8, 0],
            };
            let open = [i(1), i(shape[0]), i(shape[1]), i(shape[2])];
            if call == "open" {
                args = open.to_vec();
            } else {
                assert_eq!(vc(&mut cx, None, "collection_open", &open).0, Ok(vec![i(0)]));
            }
            if call == "open_nested" {
                args = vec![i(0), i(0), i(1), i(8), i(0)];
            }
        }
        let (result, _) = vc(&mut cx, Some(&mut mem), spec.name, &args);
        let results = result.unwrap_or_else(|e| panic!("{}: {e:?}", spec.name));
        assert_eq!(results.iter().map(Value::ty).collect::<Vec<_>>(), spec.results, "{}", spec.name);
        // The wrong argument types, or a name that is no vmcall, are node faults, not outcomes.
        let mut cx = f.context();
        let wrong: Vec<Value> = spec.params.iter().map(|_| Value::F32(0)).chain([Value::F64(0)]).collect();
        assert!(matches!(vc(&mut cx, None, spec.name, &wrong).0, Err(Stop::Fault(_))), "{}", spec.name);
    }
    let mut cx = f.context();
    assert!(matches!(vc(&mut cx, None, "abort", &[]).0, Err(Stop::Fault(_))));
}

// ---------------------------------------------------------------------------------------------
// The golden seed streams
// ---------------------------------------------------------------------------------------------

/// An engine that only reads exports (with wasmparser's validator for the function types) and runs
/// nothing: enough for deploys.
struct ExportReader;

fn value_type_of(t: &wasmparser::ValType) -> Result<ValueType, String> {
    Ok(match t {
        wasmparser::ValType::I32 => I32,
        wasmparser::ValType::I64 => I64,
        wasmparser::ValType::F32 => ValueType::F32,
        wasmparser::ValType::F64 => ValueType::F64,
        other => return Err(format!("value type {other:?}")),
    })
}

impl Engine for ExportReader {
    fn exports(&self, code: &[u8], _: &Limits) -> Result<BTreeMap<String, FunctionSignature>, String> {
        let types = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(code)
            .map_err(|e| e.to_string())?;
        let mut exports = BTreeMap::new();
        for payload in wasmparser::Parser::new(0).parse_all(code) {
            if let wasmparser::Payload::ExportSection(reader) = payload.map_err(|e| e.to_string())? {
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        let func = types[types.as_ref().core_function_at(export.index)].unwrap_func();
                        let params = func.params().iter().map(value_type_of).collect::<Result<_, _>>()?;
                        let results = func.results().iter().map(value_type_of).collect::<Result<_, _>>()?;
                        exports.insert(export.name.to_string(), FunctionSignature { params, results });
                    }
                }
            }
        }
        Ok(exports)
    }

    fn invoke(
        &self,
        _: &[u8],
        _: &[(Hash, std::sync::Arc<Vec<u8>>)],
        _: &str,
        _: &[Value],
        _: &Limits,
        _: u64,
        _: &mut dyn Host,
        _: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        Err(Stop::Fault("the export reader runs no code".into()))
    }
}

/// The golden seed streams under `corpus/streams/` (`seed-31` pins calls between contracts, `seed-23` libraries).
const SEEDS: [u32; 6] = [1, 2, 3, 4, 23, 31];

/// A seed stream: its genesis, contracts, transactions (with layers) and golden pins
/// `[root, receipt hash, gas used, outcome]`.
struct Seed {
    genesis: Vec<(Address, u64)>,
    txs: Vec<(u64, Transaction)>,
    golden: Vec<Json>,
}

fn seed(n: u32) -> Seed {
    let dir = conformance_dir().join("../streams");
    let text = std::fs::read_to_string(dir.join(format!("seed-{n}.jsonl"))).unwrap();
    let mut lines = text.lines();
    let header: Json = serde_json::from_str(lines.next().unwrap()).unwrap();
    let contracts: BTreeMap<String, Vec<u8>> = header["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["hash"].as_str().unwrap().to_string(), unhex(c["wasm"].as_str().unwrap())))
        .collect();
    let txs = lines
        .map(|l| {
            let t: Json = serde_json::from_str(l).unwrap();
            (u64_of(&t["layer"]), transaction_of(&t["tx"], &contracts))
        })
        .collect();
    let golden: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("seed-{n}.golden.json"))).unwrap()).unwrap();
    Seed {
        genesis: header["genesis"].as_array().unwrap().iter().map(|g| (addr(&g[0]), u64_of(&g[1]))).collect(),
        txs,
        golden: golden["txs"].as_array().unwrap().clone(),
    }
}

/// Applies the seed's transactions while `keep_going` says so; each must match its golden pin.
/// Returns how many matched, and the node fault that stopped the run, if any.
fn replay_seed(n: u32, vm: &mut ReferenceVm, keep_going: impl Fn(&Transaction) -> bool) -> (usize, Option<String>) {
    let s = seed(n);
    assert_eq!(s.txs.len(), s.golden.len(), "seed {n}");
    vm.genesis(&s.genesis).unwrap();
    let mut matched = 0;
    for (index, ((layer, tx), pin)) in s.txs.iter().zip(&s.golden).enumerate() {
        if !keep_going(tx) {
            break;
        }
        let receipt = match vm.apply(tx, *layer) {
            Ok(receipt) => receipt,
            Err(e) => return (matched, Some(format!("seed {n} #{index}: {e}"))),
        };
        let got = (vm.root().to_string(), receipt.hash().to_string(), receipt.gas_used, receipt.outcome.name());
        let want = (
            pin[0].as_str().unwrap().to_string(),
            pin[1].as_str().unwrap().to_string(),
            u64_of(&pin[2]),
            pin[3].as_str().unwrap().to_string(),
        );
        assert_eq!(got, want, "seed {n} #{index} ({})", receipt.diagnostic);
        matched += 1;
    }
    (matched, None)
}

#[test]
fn the_leading_deploys_of_every_seed_stream_match_their_golden_pins() {
    let mut total = 0;
    let mut outcomes = BTreeMap::new();
    let mut slots = 0;
    for n in SEEDS {
        let mut vm = ReferenceVm::with_engine(Limits::default(), Box::new(ExportReader));
        let s = seed(n);
        let leading = s.txs.iter().take_while(|(_, tx)| matches!(tx, Transaction::Deploy(_))).count();
        for (_, tx) in &s.txs[..leading] {
            if let Transaction::Deploy(d) = tx {
                slots += d.slices.iter().filter(|s| s.len == 0).count();
            }
        }
        let (matched, fault) = replay_seed(n, &mut vm, |tx| matches!(tx, Transaction::Deploy(_)));
        assert_eq!((matched, fault), (leading, None), "seed {n}");
        total += matched;
        for pin in &s.golden[..leading] {
            *outcomes.entry(pin[3].as_str().unwrap().to_string()).or_insert(0) += 1;
        }
    }
    // docs/consensus.md: the admission path alone reproduces 111 such pins.
    assert_eq!(total, 111);
    assert!(outcomes.contains_key("success"), "{outcomes:?}");
    // Generated contracts with collection slots are among them (seed 4).
    assert!(slots > 0, "no leading deploy declares a collection slot");
}

#[test]
fn every_seed_stream_with_the_interpreter() {
    let present = interpreter_present();
    for n in SEEDS {
        let (matched, fault) = replay_seed(n, &mut ReferenceVm::default(), |_| true);
        if present {
            assert_eq!(fault, None, "seed {n}");
            assert_eq!(matched, seed(n).golden.len());
        } else {
            // The first transaction is a successful deploy, which needs the interpreter to decode.
            assert_eq!(matched, 0, "seed {n}");
            assert!(fault.is_some());
        }
    }
}
