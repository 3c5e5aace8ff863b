//! Writes the seed corpora under `corpus/fuzz/<target>/`: encoded transactions and receipts for
//! `codec`, every corpus contract (the hostile set included) as a literal module for `vmcalls` and
//! `differential`, and fixed pseudo-random inputs for every target (for `contracts`, each one a
//! generated contract and its calls).
//!
//! `cargo run --release -p svm-fuzzing --example fuzz_seeds` (from the repository root).

use std::path::Path;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm_fuzzing::corpus;
use svm_fuzzing::stream::Stream;
use svm_fuzzing::targets::literal_module_input;

fn pseudo_random(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new("corpus/fuzz").join(target);
    std::fs::create_dir_all(&dir).expect("create corpus folder");
    std::fs::write(dir.join(name), bytes).expect("write seed");
}

fn main() {
    let stream = Stream::read(Path::new("corpus/streams/seed-1.jsonl")).expect("run from the repository root");
    let mut rt = Runtime::new(std::sync::Arc::new(svm::storage::kv::MemKv::new()), RuntimeConfig::default());
    rt.genesis(&stream.genesis).expect("genesis");
    for (i, stx) in stream.txs.iter().take(24).enumerate() {
        write("codec", &format!("tx-{i:02}"), &stx.tx.to_bytes());
        let receipt = rt.apply(&stx.tx, &BlockContext { layer: stx.layer }).expect("apply");
        write("codec", &format!("receipt-{i:02}"), &receipt.to_bytes());
    }
    for (i, seed) in (0..8).enumerate() {
        for target in ["codec", "storage", "events", "vmcalls", "differential", "stream", "contracts"] {
            let len = if target == "codec" { 64 } else { 1024 };
            write(target, &format!("random-{i}"), &pseudo_random(seed * 31 + target.len() as u64, len));
        }
    }
    for name in corpus::names() {
        let contract = corpus::contract(name).expect("corpus contract");
        let file = format!("contract-{}", name.replace('/', "-"));
        for (target, tail) in [("vmcalls", 1u64), ("differential", 2)] {
            write(target, &file, &literal_module_input(&contract.code, &pseudo_random(tail, 256)));
        }
    }
    println!("seed corpora written under corpus/fuzz/");
}
