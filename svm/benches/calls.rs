//! Figures for contract-to-contract calls, in one run, on both compilers with a memory module cache: the same
//! work (`leaf.bump`: one storage read and write, a log, returndata) done by the transaction's own frame, through
//! one call (`proxy.relay` → `leaf.bump`), and at the end of a 10-frame chain (9 proxies, then the leaf) — µs per
//! transaction and gas, and what one more frame costs. Run: `cargo bench -p svm --bench calls`.

mod common;

use common::{AUTHOR, apply_ok, deploy, runtime, source};
use std::time::Instant;
use svm::runtime::{BlockContext, Compiler, Runtime};
use svm::transaction::{Execute, Transaction};
use svm::{Address, Value};

/// Transactions timed per figure.
const ROUNDS: u64 = 2_000;

fn deployed(rt: &mut Runtime, name: &str, nonce: &mut u64) -> Address {
    let address = apply_ok(rt, &deploy(AUTHOR, *nonce, &source(name)));
    *nonce += 1;
    address.expect("a deploy names its contract")
}

/// Times `ROUNDS` executions of `function` on `contract` with `calldata`; returns (µs each, gas of one, frames).
fn time(rt: &mut Runtime, nonce: &mut u64, contract: Address, function: &str, calldata: &[u8]) -> (f64, u64, usize) {
    let tx = |nonce: u64| {
        Transaction::Execute(Execute {
            contract,
            sender: AUTHOR,
            nonce,
            function: function.into(),
            args: vec![Value::I64(1), Value::I64(0), Value::I64(0)],
            calldata: calldata.to_vec(),
            gas_limit: 10_000_000,
            gas_price: 1,
            value: 0,
        })
    };
    let warm = rt.apply(&tx(*nonce), &BlockContext::default()).expect("apply");
    assert!(warm.outcome.is_success() && warm.calls.iter().all(|c| c.outcome.is_success()), "{warm:?}");
    *nonce += 1;
    let started = Instant::now();
    for _ in 0..ROUNDS {
        rt.apply(&tx(*nonce), &BlockContext::default()).expect("apply");
        *nonce += 1;
    }
    (started.elapsed().as_secs_f64() * 1e6 / ROUNDS as f64, warm.gas_used, warm.calls.len() + 1)
}

fn hops(route: &[(Address, &str)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (callee, name) in route {
        bytes.extend_from_slice(&callee.0);
        bytes.push(name.len() as u8);
        bytes.extend_from_slice(name.as_bytes());
    }
    bytes
}

fn main() {
    println!("{:<11} {:<36} {:>7} {:>9} {:>7}", "compiler", "leaf.bump reached", "frames", "µs/tx", "gas");
    for compiler in [Compiler::Singlepass, Compiler::Cranelift] {
        let (mut rt, _) = runtime(compiler);
        let mut nonce = 0;
        let leaf = deployed(&mut rt, "calls/leaf", &mut nonce);
        let proxies: Vec<Address> = (0..9).map(|_| deployed(&mut rt, "calls/proxy", &mut nonce)).collect();
        let direct = time(&mut rt, &mut nonce, leaf, "bump", &[]);
        let one = time(&mut rt, &mut nonce, proxies[0], "relay", &hops(&[(leaf, "bump")]));
        let mut route: Vec<(Address, &str)> = proxies[1..].iter().map(|p| (*p, "relay")).collect();
        route.push((leaf, "bump"));
        let chain = time(&mut rt, &mut nonce, proxies[0], "relay", &hops(&route));
        let name = format!("{compiler:?}");
        for (what, (micros, gas, frames)) in [
            ("by the transaction itself", direct),
            ("through one call", one),
            ("at the end of a 10-frame chain", chain),
        ] {
            println!("{name:<11} {what:<36} {frames:>7} {micros:>9.1} {gas:>7}");
        }
        let per_frame = (chain.0 - direct.0) / 9.0;
        let per_frame_gas = (chain.1 - direct.1) / 9;
        println!(
            "{name:<11} {:<36} {:>7} {per_frame:>9.1} {per_frame_gas:>7}",
            "each frame more (chain − direct) / 9", ""
        );
    }
}
