//! Random call sequences over the callable corpus contracts give identical receipts, gas and roots
//! after every transaction on singlepass and cranelift, with the module cache off, in memory and
//! serialized (the shared agreement check of `svm-fuzzing`).

mod common;

use common::*;
use proptest::prelude::*;
use svm::runtime::{BlockContext, Runtime};
use svm::transaction::{Execute, Transaction, Transfer};
use svm::{Address, Value};
use svm_fuzzing::corpus::{CALLABLE, Param};
use svm_fuzzing::oracles::agreement::Replicas;

#[derive(Clone, Debug)]
enum Op {
    Call {
        contract: usize,
        call: usize,
        ints: Vec<i64>,
        wrong_arity: bool,
        sender: u8,
        gas: u64,
        gas_price: u64,
        value: u64,
        calldata: Vec<u8>,
        /// Layers it runs after the previous transaction's (layers only go forward).
        advance: u64,
        stale_nonce: bool,
    },
    Transfer {
        from: u8,
        to: u8,
        amount: u64,
        gas_price: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let int = prop_oneof![0i64..10, -3i64..3, Just(i64::MAX), any::<i64>()];
    let gas = prop_oneof![3 => Just(GAS), 1 => 500u64..60_000];
    let price = || prop_oneof![Just(0u64), 1u64..5];
    prop_oneof![
        8 => (0..CALLABLE.len(), 0usize..8, prop::collection::vec(int, 3), prop::bool::weighted(0.05), 1u8..=4, gas, price(), prop_oneof![Just(0u64), 0u64..2000], prop::collection::vec(any::<u8>(), 0..24), prop_oneof![3 => Just(0u64), 1 => 1u64..30], prop::bool::weighted(0.05))
            .prop_map(|(contract, call, ints, wrong_arity, sender, gas, gas_price, value, calldata, advance, stale_nonce)| Op::Call { contract, call, ints, wrong_arity, sender, gas, gas_price, value, calldata, advance, stale_nonce }),
        1 => (1u8..=4, 1u8..=6, 0u64..2_000_000, price()).prop_map(|(from, to, amount, gas_price)| Op::Transfer { from, to, amount, gas_price }),
    ]
}

fn to_tx(rt: &Runtime, op: &Op, contracts: &[Address], layer: &mut u64) -> (Transaction, BlockContext) {
    let nonce = |who: u8| rt.account(&account(who)).unwrap().map_or(0, |a| a.nonce);
    match op {
        Op::Call {
            contract,
            call,
            ints,
            wrong_arity,
            sender,
            gas,
            gas_price,
            value,
            calldata,
            advance,
            stale_nonce,
        } => {
            *layer += advance;
            // One index past the contract's functions calls one it does not export.
            let functions = CALLABLE[*contract].functions;
            let (function, params) =
                functions.get(call % (functions.len() + 1)).map_or(("missing", &[][..]), |f| (f.name, f.params));
            let mut args: Vec<Value> = params
                .iter()
                .zip(ints.iter().cycle())
                .map(|(param, v)| match *param {
                    // A little past the range too: token holders 8 and 9 trap.
                    Param::I32 { min, max } => {
                        let span = i64::from(max) - i64::from(min) + 3;
                        Value::I32((v.rem_euclid(span) + i64::from(min)) as i32)
                    }
                    Param::I64 { .. } => Value::I64(*v),
                    Param::F64 => Value::F64(*v as u64),
                })
                .collect();
            if *wrong_arity {
                args.push(Value::I32(0));
            }
            let tx = Execute {
                contract: contracts[*contract],
                sender: account(*sender),
                nonce: nonce(*sender) + u64::from(*stale_nonce),
                function: function.into(),
                args,
                calldata: calldata.clone(),
                gas_limit: *gas,
                gas_price: *gas_price,
                value: *value,
            };
            (Transaction::Execute(tx), BlockContext { layer: *layer })
        }
        Op::Transfer { from, to, amount, gas_price } => {
            let tx = Transfer {
                from: account(*from),
                to: account(*to),
                nonce: nonce(*from),
                amount: *amount,
                gas_price: *gas_price,
            };
            (Transaction::Transfer(tx), BlockContext { layer: *layer })
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_configuration_agrees_after_every_transaction(ops in prop::collection::vec(op(), 1..40)) {
        let configs = configs().into_iter().map(|c| (format!("{}/{}", c.compiler.name(), c.cache.name()), c));
        let genesis: Vec<(Address, u64)> = (1..=4).map(|n| (account(n), FUNDS)).collect();
        let mut replicas = Replicas::new(configs, &genesis);
        let mut contracts = Vec::new();
        for callable in CALLABLE {
            let tx = deploy_tx(&contract(callable.name), account(1), contracts.len() as u64);
            let receipt = replicas.apply(&tx, &BlockContext::default()).map_err(|d| TestCaseError::fail(d.to_string()))?;
            prop_assert!(receipt.outcome.is_success(), "deploy of {}: {}", callable.name, receipt.outcome.name());
            contracts.push(receipt.contract.unwrap());
        }
        let mut layer = 0;
        for (i, op) in ops.iter().enumerate() {
            let (tx, block) = to_tx(replicas.first(), op, &contracts, &mut layer);
            if let Err(d) = replicas.apply(&tx, &block) {
                return Err(TestCaseError::fail(format!("tx {i} ({op:?}): {d}")));
            }
        }
    }
}
