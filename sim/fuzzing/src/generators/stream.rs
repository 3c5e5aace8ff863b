//! Arbitrary transaction streams over the corpus contracts, generated modules and libraries. The generator runs
//! each transaction on a reference runtime as it goes, so most nonces are right and addresses real.

use super::calls::{calls, exported_functions, gas_price};
use super::contract::plan::helper_library;
use super::module::module;
use crate::contract_source::ContractSource;
use crate::corpus;
use crate::stream::{Stream, StreamContract, StreamTx};
use arbitrary::{Result, Unstructured};
use std::sync::Arc;
use svm::Address;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};

fn address(kind: &str, i: usize) -> Address {
    let hash = blake3::hash(format!("svm-fuzz/{kind}/{i}").as_bytes());
    Address(hash.as_bytes()[..20].try_into().unwrap_or([0; 20]))
}

/// A stream of at most `max_txs` transactions from fuzzer bytes.
pub fn stream(u: &mut Unstructured<'_>, max_txs: usize) -> Result<Stream> {
    let users: Vec<Address> = (0..u.int_in_range(2..=5)?).map(|i| address("user", i)).collect();
    let mut genesis: Vec<(Address, u64)> = Vec::new();
    for user in &users {
        genesis.push((*user, if u.ratio(1, 8)? { u.int_in_range(0..=1_000_000)? } else { 1 << 40 }));
    }
    let deploys = u.int_in_range(1..=4)?;
    genesis.extend((0..deploys).map(|i| (address("deployer", i), 1 << 40)));
    let mut reference = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
    if reference.genesis(&genesis).is_err() {
        return Err(arbitrary::Error::IncorrectFormat);
    }
    let mut stream = Stream { seed: 0, genesis, ..Stream::default() };
    let mut instances: Vec<(Address, Vec<super::calls::ExportedFunction>)> = Vec::new();
    let push = |reference: &mut Runtime, stream: &mut Stream, tx: Transaction, layer: u64| {
        let receipt = reference.apply(&tx, &BlockContext { layer }).ok();
        stream.txs.push(StreamTx { layer, tx });
        receipt
    };

    let mut libraries: Vec<Address> = Vec::new();
    for i in 0..deploys {
        // Now and then a library: the generated contracts' shared helper, or an arbitrary module (most of which
        // may not be libraries and are refused by a link rule).
        if u.ratio(1, 5)? {
            let code = if u.ratio(1, 2)? { helper_library() } else { module(u)? };
            let hash = svm::code::code_hash(&code);
            stream.contracts.insert(hash, StreamContract { name: "library".into(), code: code.clone(), plan: None });
            let tx = Transaction::DeployLibrary(DeployLibrary {
                author: address("deployer", i),
                nonce: 0,
                code,
                gas_limit: 100_000_000,
                gas_price: u.int_in_range(0..=3)?,
            });
            push(&mut reference, &mut stream, tx, 0);
            libraries.push(svm::address::library_address(&hash));
            continue;
        }
        let (name, code, page_count, slices) = if u.ratio(1, 4)? {
            ("generated".to_string(), module(u)?, u.int_in_range(0..=2)?, Vec::new())
        } else {
            // The callable contracts, and one the allow-list rejects.
            let pick = u.int_in_range(0..=corpus::CALLABLE.len())?;
            let name = corpus::CALLABLE.get(pick).map_or("hostile/simd", |c| c.name);
            let ContractSource { code, page_count, slices, .. } =
                corpus::contract(name).ok_or(arbitrary::Error::IncorrectFormat)?;
            (name.to_string(), code, page_count, slices)
        };
        stream.contracts.insert(svm::code::code_hash(&code), StreamContract { name, code: code.clone(), plan: None });
        let exports = exported_functions(&code);
        let tx = Transaction::Deploy(Deploy {
            author: address("deployer", i),
            nonce: 0,
            code,
            page_count,
            slices,
            initial_balance: u.int_in_range(0..=100)?,
            gas_limit: 100_000_000,
            gas_price: u.int_in_range(0..=3)?,
        });
        let receipt = push(&mut reference, &mut stream, tx, 0);
        if let Some(contract) = receipt.and_then(|r| r.contract) {
            instances.push((contract, exports));
        }
    }

    while stream.txs.len() < max_txs && !u.is_empty() {
        // Layers never go back (a node refuses a transaction of a layer before its events' layer).
        let previous = stream.txs.last().map_or(0, |t| t.layer);
        let layer = previous.max(u.int_in_range(0..=5)? + stream.txs.len() as u64 / 4);
        let sender = users[u.int_in_range(0..=users.len() - 1)?];
        let mut nonce = reference.account(&sender).ok().flatten().map_or(0, |a| a.nonce);
        if u.ratio(1, 16)? {
            nonce = nonce.wrapping_add(u.int_in_range(1..=2)?);
        }
        let tx = if instances.is_empty() || u.ratio(1, 6)? {
            let to = if !libraries.is_empty() && u.ratio(1, 10)? {
                libraries[u.int_in_range(0..=libraries.len() - 1)?]
            } else if u.ratio(1, 4)? {
                address("outsider", u.int_in_range(0..=3)?)
            } else {
                users[u.int_in_range(0..=users.len() - 1)?]
            };
            let gas_price = gas_price(u)?;
            Transaction::Transfer(Transfer {
                from: sender,
                to,
                nonce,
                amount: u.int_in_range(0..=2_000_000)?,
                gas_price,
            })
        } else {
            let (contract, exports) = &instances[u.int_in_range(0..=instances.len() - 1)?];
            let Some(plan) = calls(u, exports, 1)?.pop() else { break };
            Transaction::Execute(Execute {
                contract: *contract,
                sender,
                nonce,
                function: plan.function,
                args: plan.args,
                calldata: plan.calldata,
                gas_limit: plan.gas,
                gas_price: plan.gas_price,
                value: plan.value,
            })
        };
        push(&mut reference, &mut stream, tx, layer);
    }
    Ok(stream)
}
