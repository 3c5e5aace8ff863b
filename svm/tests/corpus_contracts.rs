//! The corpus contracts do what their comments say, on every compiler and cache mode.

mod common;

use common::*;
use svm::Value;
use svm::outcome::Outcome;

#[test]
fn counter_counts() {
    for config in configs() {
        let mut rt = runtime(config.clone());
        let counter = deployed(&mut rt, &contract("counter"));
        for expected in 1..=3 {
            let receipt = call(&mut rt, counter, "inc", &[]);
            assert_eq!(receipt.outcome, Outcome::Success, "{config:?}: {receipt:?}");
            assert_eq!(receipt.returns, vec![Value::I64(expected)]);
        }
        assert_eq!(call(&mut rt, counter, "add", &[Value::I64(10)]).returns, vec![Value::I64(13)]);
        assert_eq!(call(&mut rt, counter, "get", &[]).returns, vec![Value::I64(13)]);
        assert_eq!(rt.contract_slices(&counter).unwrap().unwrap(), vec![13u64.to_le_bytes().to_vec()]);
    }
}

#[test]
fn token_mints_transfers_logs_and_refuses_bad_holders() {
    for config in configs() {
        let mut rt = runtime(config.clone());
        let token = deployed(&mut rt, &contract("token"));
        assert!(call(&mut rt, token, "mint", &[Value::I32(1), Value::I64(100)]).outcome.is_success());
        let r = call(&mut rt, token, "transfer", &[Value::I32(1), Value::I32(2), Value::I64(30)]);
        assert_eq!(r.returns, vec![Value::I32(1)]);
        let mut log = 1i32.to_le_bytes().to_vec();
        log.extend(2i32.to_le_bytes());
        log.extend(30i64.to_le_bytes());
        assert_eq!(r.logs, vec![log]);
        // Too little: 0, nothing moves, no log.
        let r = call(&mut rt, token, "transfer", &[Value::I32(2), Value::I32(1), Value::I64(31)]);
        assert_eq!((r.returns, r.logs.len()), (vec![Value::I32(0)], 0));
        assert_eq!(call(&mut rt, token, "balance", &[Value::I32(1)]).returns, vec![Value::I64(70)]);
        assert_eq!(call(&mut rt, token, "balance", &[Value::I32(2)]).returns, vec![Value::I64(30)]);
        assert_eq!(call(&mut rt, token, "supply", &[]).returns, vec![Value::I64(100)]);
        let bad = call(&mut rt, token, "mint", &[Value::I32(8), Value::I64(1)]);
        assert_eq!(bad.outcome, Outcome::Trap(svm::outcome::TrapKind::Unreachable), "{config:?}");
        assert_eq!(call(&mut rt, token, "supply", &[]).returns, vec![Value::I64(100)]);
    }
}

#[test]
fn registers_contract_reads_context_balances_and_round_trips_registers() {
    use svm::runtime::BlockContext;
    use svm::transaction::{Execute, Transaction};
    for config in configs() {
        let mut rt = runtime(config);
        let c = deployed(&mut rt, &contract("registers"));
        let exec =
            |rt: &mut svm::runtime::Runtime, function: &str, args: Vec<Value>, value: u64, calldata: &[u8], layer| {
                let nonce = rt.account(&account(3)).unwrap().unwrap().nonce;
                let tx = Transaction::Execute(Execute {
                    contract: c,
                    sender: account(3),
                    nonce,
                    function: function.into(),
                    args,
                    calldata: calldata.to_vec(),
                    gas_limit: GAS,
                    gas_price: PRICE,
                    value,
                });
                rt.apply(&tx, &BlockContext { layer }).unwrap()
            };
        let first = exec(&mut rt, "my_balance", vec![], 40, b"", 0);
        assert_eq!(first.returns, vec![Value::I64(40)]);
        // During a call the sender's balance is after the value moved and before the call's own fee.
        let left = FUNDS - 40 - first.gas_used * PRICE;
        assert_eq!(exec(&mut rt, "sender_balance", vec![], 0, b"", 0).returns, vec![Value::I64(left as i64)]);
        assert_eq!(exec(&mut rt, "remember_sender", vec![], 0, b"", 0).returns, vec![Value::I32(0)]);
        assert_eq!(exec(&mut rt, "remember_sender", vec![], 0, b"", 0).returns, vec![Value::I32(1)]);
        assert_eq!(rt.contract_slices(&c).unwrap().unwrap()[0], account(3).0.to_vec());
        assert_eq!(exec(&mut rt, "layer_plus_value", vec![], 5, b"", 1000).returns, vec![Value::I64(1005)]);
        assert_eq!(exec(&mut rt, "roundtrip", vec![Value::I64(-2)], 0, b"", 0).returns, vec![Value::I64(-2)]);
        let echo = exec(&mut rt, "echo", vec![], 0, b"hi there", 0);
        assert_eq!((echo.returndata.clone(), echo.logs), (b"hi there".to_vec(), vec![b"hi there".to_vec()]));
    }
}
