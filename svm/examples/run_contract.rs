//! Deploys a compiled contract (its layout read from its `svm-layout` section) on a fresh in-memory node
//! and calls its exported functions, printing each receipt: the shortest path from a `.wasm` the SDK
//! built to a running contract.
//!
//! `cargo run --release -p svm --example run_contract -- corpus/contracts/sdk/token.wasm \
//!     mint i32:3 i64:100 -- balance i32:3`
//!
//! Arguments after the file are calls separated by `--`: a function name, then `i32:N`, `i64:N`,
//! `f32:BITS` or `f64:BITS` (hex bits), `value:N` (balance moved) or `data:HEX` (calldata).

use anyhow::{Context, bail};
use std::sync::Arc;
use svm::layout_section::layout_of;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction};
use svm::{Address, Value};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().context("usage: run_contract FILE.wasm [FUNCTION ARG...] [-- FUNCTION ARG...]...")?;
    let code = std::fs::read(&path).with_context(|| format!("cannot read {path}"))?;
    let layout = layout_of(&code).with_context(|| format!("{path}: no usable layout"))?;
    let (author, sender) = (Address([0xA1; 20]), Address([0x5E; 20]));
    let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
    rt.genesis(&[(author, 1 << 50), (sender, 1 << 50)])?;
    let deploy = Transaction::Deploy(Deploy {
        author,
        nonce: 0,
        code,
        page_count: layout.page_count(),
        slices: layout.slices().to_vec(),
        initial_balance: 0,
        gas_limit: 1_000_000_000,
        gas_price: 1,
    });
    let receipt = rt.apply(&deploy, &BlockContext::default())?;
    println!(
        "deploy: {} gas {} ({} pages, {} slices)",
        receipt.outcome.name(),
        receipt.gas_used,
        layout.page_count(),
        layout.slices().len()
    );
    let Some(contract) = receipt.contract.filter(|_| receipt.outcome.is_success()) else {
        bail!("{}", receipt.diagnostic)
    };
    let rest: Vec<String> = args.collect();
    for call in rest.split(|a| a == "--").filter(|c| !c.is_empty()) {
        let (mut values, mut value, mut calldata) = (Vec::new(), 0, Vec::new());
        for arg in &call[1..] {
            let (kind, text) = arg.split_once(':').with_context(|| format!("argument {arg:?}: expected KIND:VALUE"))?;
            match kind {
                "i32" => values.push(Value::I32(text.parse()?)),
                "i64" => values.push(Value::I64(text.parse()?)),
                "f32" => values.push(Value::F32(u32::from_str_radix(text, 16)?)),
                "f64" => values.push(Value::F64(u64::from_str_radix(text, 16)?)),
                "value" => value = text.parse()?,
                "data" => {
                    calldata = (0..text.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
                        .collect::<Result<_, _>>()?
                }
                other => bail!("argument kind {other:?}: expected i32, i64, f32, f64, value or data"),
            }
        }
        let nonce = rt.account(&sender)?.map_or(0, |a| a.nonce);
        let tx = Transaction::Execute(Execute {
            contract,
            sender,
            nonce,
            function: call[0].clone(),
            args: values,
            calldata,
            gas_limit: 10_000_000,
            gas_price: 1,
            value,
        });
        let r = rt.apply(&tx, &BlockContext::default())?;
        println!(
            "{}: {} gas {} returns {:?} returndata {} logs {:?}",
            call[0],
            r.outcome.name(),
            r.gas_used,
            r.returns,
            hex(&r.returndata),
            r.logs.iter().map(|l| hex(l)).collect::<Vec<_>>()
        );
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
