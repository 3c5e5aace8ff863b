//! The per-call cost of the C API, measured from Rust: the same counter and token workloads as the
//! Go benchmarks (`svm/go/bench_test.go`), applied through `svm::Runtime` directly and through the
//! extern "C" entry points, with the numbers the Go figures compare against.
//!
//! `cargo run --release -p svm-ffi --example boundary [iterations]`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction};
use svm::{Address, Value};
use svm_ffi::*;

const AUTHOR: Address = Address([1; 20]);
const USER: Address = Address([2; 20]);
/// Each path runs this many times, alternating; the best run counts (the machine may be shared).
const ROUNDS: usize = 3;

fn source(name: &str) -> svm_fuzzing::contract_source::ContractSource {
    let path = format!("{}/../../corpus/contracts/{name}.wat", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("corpus contract");
    svm_fuzzing::contract_source::ContractSource::from_wat(name, &text).expect("corpus contract parses")
}

fn deploy(name: &str) -> Transaction {
    let source = source(name);
    Transaction::Deploy(Deploy {
        author: AUTHOR,
        nonce: 0,
        code: source.code,
        page_count: source.page_count,
        slices: source.slices,
        initial_balance: 0,
        gas_limit: 10_000_000,
        gas_price: 1,
    })
}

fn call(contract: Address, nonce: u64, function: &str, args: Vec<Value>) -> Transaction {
    Transaction::Execute(Execute {
        contract,
        sender: USER,
        nonce,
        function: function.into(),
        args,
        calldata: vec![],
        gas_limit: 1_000_000,
        gas_price: 1,
        value: 0,
    })
}

/// A workload: the contract, a setup call (if any), and the n-th measured call.
struct Workload {
    name: &'static str,
    contract: &'static str,
    setup: Option<(&'static str, Vec<Value>)>,
    call: fn(Address, u64) -> Transaction,
}

/// ns per call of `run` over `txs`, after the first tenth as a warm-up.
fn time(txs: &[Vec<u8>], mut run: impl FnMut(&[u8])) -> f64 {
    let warm = txs.len() / 10;
    txs[..warm].iter().for_each(|tx| run(tx));
    let start = Instant::now();
    txs[warm..].iter().for_each(|tx| run(tx));
    start.elapsed().as_nanos() as f64 / (txs.len() - warm) as f64
}

fn direct(w: &Workload, n: usize) -> f64 {
    let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
    rt.genesis(&[(AUTHOR, 1 << 60), (USER, 1 << 60)]).expect("genesis");
    let block = BlockContext { layer: 1 };
    let contract = rt.apply(&deploy(w.contract), &block).expect("deploy").contract.expect("deployed");
    let first = u64::from(w.setup.is_some());
    if let Some((function, args)) = &w.setup {
        rt.apply(&call(contract, 0, function, args.clone()), &block).expect("setup");
    }
    let txs: Vec<Vec<u8>> = (0..n as u64).map(|i| (w.call)(contract, first + i).to_bytes()).collect();
    // The direct path decodes the message too, so that both paths do the same work but the boundary.
    time(&txs, |tx| {
        let tx = Transaction::from_bytes(tx).expect("decodes");
        let receipt = rt.apply(&tx, &block).expect("applies");
        assert!(receipt.outcome.is_success());
        black_box(receipt.to_bytes());
    })
}

fn through_c_api(w: &Workload, n: usize) -> f64 {
    let mut rt = 0;
    let mut records = Vec::new();
    for address in [AUTHOR, USER] {
        records.extend_from_slice(&address.0);
        records.extend_from_slice(&(1u64 << 60).to_le_bytes());
    }
    let mut receipt = SvmBuffer::EMPTY;
    let null = std::ptr::null_mut();
    let deployed = unsafe {
        assert_eq!(svm_runtime_new_memory(SVM_COMPILER_SINGLEPASS, &mut rt, null), SVM_OK);
        assert_eq!(svm_genesis(rt, records.as_ptr(), records.len(), null), SVM_OK);
        assert_eq!(svm_layer_begin(rt, 1, null), SVM_OK);
        let tx = deploy(w.contract).to_bytes();
        assert_eq!(svm_apply(rt, tx.as_ptr(), tx.len(), &mut receipt, null), SVM_OK);
        svm::receipt::Receipt::from_bytes(&receipt.into_vec()).expect("receipt")
    };
    let contract = deployed.contract.expect("deployed");
    let first = u64::from(w.setup.is_some());
    if let Some((function, args)) = &w.setup {
        let tx = call(contract, 0, function, args.clone()).to_bytes();
        let mut receipt = SvmBuffer::EMPTY;
        unsafe {
            assert_eq!(svm_apply(rt, tx.as_ptr(), tx.len(), &mut receipt, null), SVM_OK);
            svm_buffer_free(receipt);
        }
    }
    let txs: Vec<Vec<u8>> = (0..n as u64).map(|i| (w.call)(contract, first + i).to_bytes()).collect();
    let ns = time(&txs, |tx| unsafe {
        let mut receipt = SvmBuffer::EMPTY;
        assert_eq!(svm_apply(rt, tx.as_ptr(), tx.len(), &mut receipt, null), SVM_OK);
        svm_buffer_free(black_box(receipt));
    });
    unsafe { svm_runtime_close(rt, null) };
    ns
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let workloads = [
        Workload {
            name: "counter.inc",
            contract: "counter",
            setup: None,
            call: |c, nonce| call(c, nonce, "inc", vec![]),
        },
        Workload {
            name: "token.transfer",
            contract: "token",
            setup: Some(("mint", vec![Value::I32(0), Value::I64(1 << 40)])),
            call: |c, nonce| call(c, nonce, "transfer", vec![Value::I32(0), Value::I32(1), Value::I64(1)]),
        },
    ];
    println!("{n} calls each (the first tenth warm up), the best of {ROUNDS} alternating rounds; ns per call");
    for w in &workloads {
        let (mut direct_ns, mut ffi_ns) = (f64::MAX, f64::MAX);
        for _ in 0..ROUNDS {
            direct_ns = direct_ns.min(direct(w, n));
            ffi_ns = ffi_ns.min(through_c_api(w, n));
        }
        let (direct, ffi) = (direct_ns, ffi_ns);
        println!(
            "{:<16} svm::Runtime {:>10.0}   C API (svm_apply) {:>10.0}   C API overhead {:>+8.0}",
            w.name,
            direct,
            ffi,
            ffi - direct
        );
    }
    // One call that does almost nothing: the handle lookup, the lock, the error protocol, 32 bytes out.
    let mut rt = 0;
    let null = std::ptr::null_mut();
    unsafe { assert_eq!(svm_runtime_new_memory(SVM_COMPILER_SINGLEPASS, &mut rt, null), SVM_OK) };
    let calls = 1_000_000;
    let mut root = [0u8; 32];
    let start = Instant::now();
    for _ in 0..calls {
        unsafe { assert_eq!(svm_state_root(black_box(rt), root.as_mut_ptr(), null), SVM_OK) };
    }
    let ns = start.elapsed().as_nanos() as f64 / calls as f64;
    unsafe { svm_runtime_close(rt, null) };
    println!("{:<16} svm_state_root from Rust {ns:>6.0} ns per call", "state root");
}
