//! Random call sequences over the corpus contracts give identical receipts, gas and roots after every
//! transaction on singlepass and cranelift, with the module cache off, in memory and serialized.

mod common;

use common::*;
use proptest::prelude::*;
use svm::runtime::{BlockContext, Runtime};
use svm::transaction::{Execute, Transaction, Transfer};
use svm::{Address, Value};

const CONTRACTS: [&str; 7] = [
    "counter",
    "token",
    "registers",
    "hostile/recursion_bomb",
    "hostile/infinite_loop",
    "hostile/memory_grow_bomb",
    "hostile/oob_pointer",
];

/// Function names (with argument shapes) worth calling on each contract, plus one that does not exist.
fn calls(contract: usize) -> &'static [(&'static str, &'static [char])] {
    match contract {
        0 => &[("inc", &[]), ("add", &['l']), ("get", &[]), ("add", &['i'])],
        1 => &[("mint", &['i', 'l']), ("transfer", &['i', 'i', 'l']), ("balance", &['i']), ("supply", &[])],
        2 => &[
            ("my_balance", &[]),
            ("sender_balance", &[]),
            ("remember_sender", &[]),
            ("layer_plus_value", &[]),
            ("roundtrip", &['l']),
            ("echo", &[]),
        ],
        3 => &[("down", &['l'])],
        4 => &[("spin", &[])],
        5 => &[("grow", &[]), ("grow_huge", &[])],
        _ => &[("smash", &[]), ("missing", &[])],
    }
}

#[derive(Clone, Debug)]
enum Op {
    Call {
        contract: usize,
        call: usize,
        ints: Vec<i64>,
        sender: u8,
        gas: u64,
        value: u64,
        calldata: Vec<u8>,
        layer: u64,
        stale_nonce: bool,
    },
    Transfer {
        from: u8,
        to: u8,
        amount: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let int = prop_oneof![0i64..10, -3i64..3, Just(i64::MAX), any::<i64>()];
    let gas = prop_oneof![3 => Just(GAS), 1 => 500u64..20_000];
    prop_oneof![
        8 => (0..CONTRACTS.len(), 0usize..8, prop::collection::vec(int, 3), 1u8..=4, gas, prop_oneof![Just(0u64), 0u64..2000], prop::collection::vec(any::<u8>(), 0..24), 0u64..100, prop::bool::weighted(0.05))
            .prop_map(|(contract, call, ints, sender, gas, value, calldata, layer, stale_nonce)| Op::Call { contract, call, ints, sender, gas, value, calldata, layer, stale_nonce }),
        1 => (1u8..=4, 1u8..=6, 0u64..2_000_000).prop_map(|(from, to, amount)| Op::Transfer { from, to, amount }),
    ]
}

fn to_tx(rt: &Runtime, op: &Op, contracts: &[Address]) -> (Transaction, BlockContext) {
    let nonce = |who: u8| rt.account(&account(who)).unwrap().map_or(0, |a| a.nonce);
    match op {
        Op::Call { contract, call, ints, sender, gas, value, calldata, layer, stale_nonce } => {
            let (function, shape) = calls(*contract)[call % calls(*contract).len()];
            let args = shape
                .iter()
                .zip(ints)
                .map(|(kind, v)| if *kind == 'i' { Value::I32(*v as i32 % 10) } else { Value::I64(*v) })
                .collect();
            let tx = Execute {
                contract: contracts[*contract],
                sender: account(*sender),
                nonce: nonce(*sender) + u64::from(*stale_nonce),
                function: function.into(),
                args,
                calldata: calldata.clone(),
                gas_limit: *gas,
                value: *value,
            };
            (Transaction::Execute(tx), BlockContext { layer: *layer })
        }
        Op::Transfer { from, to, amount } => {
            let tx = Transfer { from: account(*from), to: account(*to), nonce: nonce(*from), amount: *amount };
            (Transaction::Transfer(tx), BlockContext::default())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_configuration_agrees_after_every_transaction(ops in prop::collection::vec(op(), 1..40)) {
        let mut nodes: Vec<Runtime> = configs().into_iter().map(runtime).collect();
        let mut contracts = Vec::new();
        for name in CONTRACTS {
            let addresses: Vec<Address> = nodes.iter_mut().map(|rt| deployed(rt, &contract(name))).collect();
            prop_assert!(addresses.iter().all(|a| *a == addresses[0]));
            contracts.push(addresses[0]);
        }
        for (i, op) in ops.iter().enumerate() {
            let (tx, block) = to_tx(&nodes[0], op, &contracts);
            let receipts: Vec<_> = nodes.iter_mut().map(|rt| rt.apply(&tx, &block).unwrap()).collect();
            for (n, (node, receipt)) in nodes.iter().zip(&receipts).enumerate().skip(1) {
                let config = node.config();
                prop_assert_eq!(receipt.hash(), receipts[0].hash(), "tx {} ({:?}): receipt differs on config {} {:?}\n{:?}\n{:?}", i, op, n, config, receipt, receipts[0]);
                prop_assert_eq!(node.root(), nodes[0].root(), "tx {}: root differs on config {}", i, n);
            }
        }
    }
}
