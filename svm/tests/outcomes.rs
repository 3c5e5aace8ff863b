//! Every outcome a transaction can have, on every configuration; and a failed transaction never
//! changes the state.

mod common;

use common::*;
use std::sync::Arc;
use svm::Value;
use svm::outcome::{InvalidTx, Outcome, TrapKind};
use svm::runtime::{BlockContext, Runtime};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction, Transfer};

const TRAPS: &str = r#"(module
  (type $i (func (result i32)))
  (type $v (func))
  (table 3 funcref)
  (elem (i32.const 0) $one $nothing)
  (memory 1)
  (func $one (type $i) (i32.const 1))
  (func $nothing (type $v))
  (func (export "unreachable") unreachable)
  (func (export "load_oob") (result i32) (i32.load (i32.const 65534)))
  (func (export "table_oob") (result i32) (call_indirect (type $i) (i32.const 7)))
  (func (export "null_entry") (result i32) (call_indirect (type $i) (i32.const 2)))
  (func (export "bad_signature") (result i32) (call_indirect (type $i) (i32.const 1)))
  (func (export "overflow") (param i32) (result i32) (i32.div_s (i32.const 0x80000000) (local.get 0)))
  (func (export "div_zero") (param i64) (result i64) (i64.rem_u (i64.const 5) (local.get 0)))
  (func (export "ok") (param i32 i64) (result i64) (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
  (func (export "burn") (param i32) (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get 0))))))"#;

/// Applies `tx` on every configuration, checks the failure left state and nonces alone, and returns
/// the one outcome and gas every configuration agreed on.
fn everywhere(setup: impl Fn(&mut Runtime) -> Transaction) -> (Outcome, u64) {
    let mut seen = Vec::new();
    for config in configs() {
        let mut rt = runtime(config.clone());
        let tx = setup(&mut rt);
        let before = rt.root();
        let receipt = rt.apply(&tx, &BlockContext::default()).unwrap();
        if !receipt.outcome.is_success() {
            assert_eq!(rt.root(), before, "{config:?}: failed {:?} changed the state", receipt.outcome);
            assert!(receipt.logs.is_empty() && receipt.returns.is_empty() && receipt.state.is_none());
        }
        seen.push((receipt.outcome, receipt.gas_used));
    }
    assert!(seen.iter().all(|s| *s == seen[0]), "configurations disagree: {seen:?}");
    seen[0]
}

/// An edit that makes a valid execution invalid.
type ChangeExecute = fn(&mut Execute);
/// An edit that makes a valid deploy invalid.
type ChangeDeploy = fn(&mut Deploy);

fn traps(rt: &mut Runtime) -> svm::Address {
    deployed(rt, &inline(TRAPS, 0, &[]))
}

fn exec(rt: &Runtime, contract: svm::Address, function: &str, args: &[Value]) -> Transaction {
    call_tx(rt, contract, account(2), function, args, GAS)
}

#[test]
fn each_trap_has_its_engine_independent_kind() {
    let cases: [(&str, Vec<Value>, TrapKind); 7] = [
        ("unreachable", vec![], TrapKind::Unreachable),
        ("load_oob", vec![], TrapKind::MemoryOutOfBounds),
        ("table_oob", vec![], TrapKind::TableOutOfBounds),
        ("null_entry", vec![], TrapKind::IndirectCallToNull),
        ("bad_signature", vec![], TrapKind::BadSignature),
        ("overflow", vec![Value::I32(-1)], TrapKind::IntegerOverflow),
        ("div_zero", vec![Value::I64(0)], TrapKind::IntegerDivisionByZero),
    ];
    for (function, args, kind) in cases {
        let (outcome, gas) = everywhere(|rt| {
            let c = traps(rt);
            exec(rt, c, function, &args)
        });
        assert_eq!(outcome, Outcome::Trap(kind), "{function}");
        assert!(gas > 0 && gas < GAS);
    }
}

#[test]
fn instantiation_traps_are_outcomes_too() {
    // Validation cannot know the data segment will not fit (offset 70000 > one page): instantiation traps.
    let source = inline(r#"(module (memory 1) (data (i32.const 70000) "x") (func (export "f")))"#, 0, &[]);
    let (outcome, gas) = everywhere(|rt| {
        let c = deployed(rt, &source);
        exec(rt, c, "f", &[])
    });
    assert_eq!(outcome, Outcome::Trap(TrapKind::MemoryOutOfBounds));
    assert_eq!(gas, svm::gas::intrinsic::execute(source.code.len(), 0));
}

#[test]
fn out_of_gas_in_wasm_in_intrinsics_and_the_exact_boundary() {
    let (outcome, gas) = everywhere(|rt| {
        let c = traps(rt);
        call_tx(rt, c, account(2), "burn", &[Value::I32(1_000_000)], 50_000)
    });
    assert_eq!((outcome, gas), (Outcome::OutOfGas, 50_000));

    // Intrinsic gas beyond the limit: no code runs.
    let (outcome, gas) = everywhere(|rt| {
        let c = traps(rt);
        call_tx(rt, c, account(2), "ok", &[Value::I32(1), Value::I64(2)], 10)
    });
    assert_eq!((outcome, gas), (Outcome::OutOfGas, 10));

    // With exactly the gas a call needs it succeeds; with one less it runs out.
    let mut rt = runtime(configs()[0].clone());
    let c = traps(&mut rt);
    let needed = rt.apply(&exec(&rt, c, "burn", &[Value::I32(100)]), &BlockContext::default()).unwrap().gas_used;
    for config in configs() {
        let mut rt = runtime(config);
        let c = traps(&mut rt);
        let enough = call_tx(&rt, c, account(2), "burn", &[Value::I32(100)], needed);
        assert_eq!(rt.apply(&enough, &BlockContext::default()).unwrap().outcome, Outcome::Success);
        let short = call_tx(&rt, c, account(2), "burn", &[Value::I32(100)], needed - 1);
        assert_eq!(rt.apply(&short, &BlockContext::default()).unwrap().outcome, Outcome::OutOfGas);
    }

    let (outcome, gas) = everywhere(|_| {
        let mut tx = deploy_tx(&inline(TRAPS, 0, &[]), account(1), 0);
        if let Transaction::Deploy(d) = &mut tx {
            d.gas_limit = 100;
        }
        tx
    });
    assert_eq!((outcome, gas), (Outcome::OutOfGas, 100));
}

#[test]
fn invalid_executions_are_refused_before_any_code_runs() {
    let with = |f: fn(&mut Execute)| {
        move |rt: &mut Runtime| {
            let c = traps(rt);
            let mut tx = exec(rt, c, "ok", &[Value::I32(1), Value::I64(2)]);
            if let Transaction::Execute(e) = &mut tx {
                f(e);
            }
            tx
        }
    };
    let cases: [(ChangeExecute, InvalidTx); 7] = [
        (|e| e.nonce += 1, InvalidTx::NonceMismatch),
        (|e| e.value = 2_000_000, InvalidTx::InsufficientBalance),
        (|e| e.contract = account(3), InvalidTx::UnknownContract),
        (|e| e.function = "missing".into(), InvalidTx::NoSuchFunction),
        (|e| e.function = "load_oob".into(), InvalidTx::ArgumentMismatch),
        (|e| e.args = vec![Value::I64(1), Value::I64(2)], InvalidTx::ArgumentMismatch),
        (|e| e.calldata = vec![0; 65 * 1024], InvalidTx::CalldataTooLarge),
    ];
    for (change, reason) in cases {
        let (outcome, gas) = everywhere(with(change));
        assert_eq!((outcome, gas), (Outcome::Invalid(reason), 0));
    }
}

#[test]
fn invalid_deploys_and_transfers_are_refused() {
    let deploy_with = |f: fn(&mut Deploy)| {
        move |_: &mut Runtime| {
            let mut tx = deploy_tx(&inline(TRAPS, 1, &[(0, 0, 8)]), account(1), 0);
            if let Transaction::Deploy(d) = &mut tx {
                f(d);
            }
            tx
        }
    };
    let cases: [(ChangeDeploy, InvalidTx); 4] = [
        (|d| d.nonce = 5, InvalidTx::NonceMismatch),
        (|d| d.initial_balance = 5_000_000, InvalidTx::InsufficientBalance),
        (|d| d.page_count = 0, InvalidTx::InvalidLayout),
        (|d| d.slices[0].len = 5000, InvalidTx::InvalidLayout),
    ];
    for (change, reason) in cases {
        assert_eq!(everywhere(deploy_with(change)), (Outcome::Invalid(reason), 0));
    }

    let transfer = |nonce, amount, to| {
        move |_: &mut Runtime| Transaction::Transfer(Transfer { from: account(1), to, nonce, amount })
    };
    assert_eq!(everywhere(transfer(1, 5, account(2))), (Outcome::Invalid(InvalidTx::NonceMismatch), 0));
    assert_eq!(everywhere(transfer(0, 1_000_001, account(2))), (Outcome::Invalid(InvalidTx::InsufficientBalance), 0));

    // A recipient at the top of the range cannot receive more.
    let mut rt = Runtime::new(Arc::new(MemKv::new()), configs()[0].clone());
    rt.genesis(&[(account(1), 10), (account(9), u64::MAX)]).unwrap();
    let before = rt.root();
    let tx = Transaction::Transfer(Transfer { from: account(1), to: account(9), nonce: 0, amount: 1 });
    assert_eq!(rt.apply(&tx, &BlockContext::default()).unwrap().outcome, Outcome::Invalid(InvalidTx::BalanceOverflow));
    assert_eq!(rt.root(), before);
}

#[test]
fn successful_deploys_transfers_and_values_move_balances_and_nonces() {
    for config in configs() {
        let mut rt = runtime(config);
        let mut tx = deploy_tx(&inline(TRAPS, 0, &[]), account(1), 0);
        if let Transaction::Deploy(d) = &mut tx {
            d.initial_balance = 1000;
        }
        let receipt = rt.apply(&tx, &BlockContext::default()).unwrap();
        let c = receipt.contract.unwrap();
        assert_eq!(receipt.gas_used, svm::gas::intrinsic::deploy(inline(TRAPS, 0, &[]).code.len(), 0));
        assert_eq!(rt.account(&c).unwrap().unwrap().balance, 1000);
        let author = rt.account(&account(1)).unwrap().unwrap();
        assert_eq!((author.balance, author.nonce), (999_000, 1));

        let tx = Transaction::Transfer(Transfer { from: account(2), to: account(7), nonce: 0, amount: 250 });
        let receipt = rt.apply(&tx, &BlockContext::default()).unwrap();
        assert_eq!((receipt.outcome, receipt.gas_used), (Outcome::Success, svm::gas::intrinsic::TRANSFER));
        assert_eq!(rt.account(&account(7)).unwrap().unwrap().balance, 250);

        // A failed call returns the value; a successful one keeps it.
        let mut failing = exec(&rt, c, "unreachable", &[]);
        if let Transaction::Execute(e) = &mut failing {
            e.value = 100;
        }
        assert!(!rt.apply(&failing, &BlockContext::default()).unwrap().outcome.is_success());
        assert_eq!(rt.account(&c).unwrap().unwrap().balance, 1000);
        let mut paying = exec(&rt, c, "ok", &[Value::I32(-3), Value::I64(10)]);
        if let Transaction::Execute(e) = &mut paying {
            e.value = 100;
        }
        let receipt = rt.apply(&paying, &BlockContext::default()).unwrap();
        assert_eq!(receipt.returns, vec![Value::I64(7)]);
        assert_eq!(rt.account(&c).unwrap().unwrap().balance, 1100);
        assert_eq!(rt.account(&account(2)).unwrap().unwrap().balance, 1_000_000 - 250 - 100);
    }
}

#[test]
fn the_runtime_reopens_at_any_earlier_root() {
    let kv = Arc::new(MemKv::new());
    let mut rt = Runtime::new(kv.clone(), configs()[0].clone());
    rt.genesis(&[(account(2), 100)]).unwrap();
    let counter = {
        let tx = deploy_tx(&contract("counter"), account(2), 0);
        rt.apply(&tx, &BlockContext::default()).unwrap().contract.unwrap()
    };
    let mut roots = vec![rt.root()];
    for _ in 0..3 {
        assert!(call(&mut rt, counter, "inc", &[]).outcome.is_success());
        roots.push(rt.root());
    }
    for (count, root) in roots.iter().enumerate() {
        let mut past = Runtime::open(kv.clone(), configs()[3].clone(), *root).unwrap();
        assert_eq!(past.contract_slices(&counter).unwrap().unwrap()[0], (count as u64).to_le_bytes());
        // Replaying from a past root reaches the same future.
        if count == 0 {
            for next in &roots[1..] {
                call(&mut past, counter, "inc", &[]);
                assert_eq!(past.root(), *next);
            }
        }
    }
    let unknown = svm::StateRoot(svm::Hash([9; 32]));
    assert!(Runtime::open(kv, configs()[0].clone(), unknown).is_err());
}
