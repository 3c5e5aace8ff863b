//! Every outcome a transaction can have, on every configuration, with every invariant checked after
//! each: an invalid transaction changes nothing; a failed one consumes its nonce and pays its fee.

mod common;

use common::*;
use std::sync::Arc;
use svm::Limits;
use svm::Value;
use svm::fee::FEE_ACCOUNT;
use svm::outcome::{InvalidTx, Outcome, Refusal, TrapKind};
use svm::runtime::{BlockContext, Runtime};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction, Transfer};
use svm::validation::Rule;
use svm_fuzzing::invariants::{self, Step};

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

/// Applies `tx` on every configuration, checks every invariant (the fee rule among them: an invalid
/// transaction changes nothing, a failed one only its nonce and fee), and returns the one outcome and
/// gas every configuration agreed on.
fn everywhere(setup: impl Fn(&mut Runtime) -> Transaction) -> (Outcome, u64) {
    let mut seen = Vec::new();
    for config in configs() {
        let mut rt = runtime(config.clone());
        let tx = setup(&mut rt);
        let before = rt.root();
        let receipt = rt.apply(&tx, &BlockContext::default()).unwrap();
        let step = Step { runtime: &rt, tx: &tx, receipt: &receipt, before, after: rt.root(), layer: 0, nodes: None };
        let violations = invariants::check(&step, true);
        assert!(violations.is_empty(), "{config:?}: {}: {violations:?}", receipt.outcome.name());
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
fn invalid_executions_change_nothing_and_pay_nothing() {
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
    let cases: [(ChangeExecute, InvalidTx); 8] = [
        (|e| e.nonce += 1, InvalidTx::NonceMismatch),
        // A zero price would buy unbounded work for free without a ceiling on the gas limit.
        (|e| (e.gas_price, e.gas_limit) = (0, u64::MAX), InvalidTx::GasLimitTooHigh),
        (|e| e.value = FUNDS, InvalidTx::InsufficientBalance),
        (|e| e.gas_price = FUNDS / GAS + 1, InvalidTx::InsufficientBalance),
        (|e| e.gas_price = u64::MAX / 2, InvalidTx::FeeOverflow),
        (|e| e.sender = FEE_ACCOUNT, InvalidTx::FeeAccount),
        (|e| e.contract = account(3), InvalidTx::UnknownContract),
        (|e| e.calldata = vec![0; 65 * 1024], InvalidTx::CalldataTooLarge),
    ];
    for (change, reason) in cases {
        let (outcome, gas) = everywhere(with(change));
        assert_eq!((outcome, gas), (Outcome::Invalid(reason), 0));
    }
}

#[test]
fn calls_to_missing_or_mismatched_functions_are_refused_for_their_intrinsic_gas() {
    let with = |function: &'static str, args: Vec<Value>| {
        move |rt: &mut Runtime| {
            let c = traps(rt);
            exec(rt, c, function, &args)
        }
    };
    let intrinsic = svm::gas::intrinsic::execute(inline(TRAPS, 0, &[]).code.len(), 0);
    let cases = [
        ("missing", vec![], Refusal::NoSuchFunction),
        ("load_oob", vec![Value::I32(1)], Refusal::ArgumentMismatch),
        ("ok", vec![Value::I64(1), Value::I64(2)], Refusal::ArgumentMismatch),
    ];
    for (function, args, reason) in cases {
        assert_eq!(everywhere(with(function, args)), (Outcome::Refused(reason), intrinsic), "{function}");
    }
}

#[test]
fn deploys_are_invalid_when_unpaid_and_refused_when_their_layout_or_code_breaks_a_rule() {
    let deploy_with = |f: fn(&mut Deploy)| {
        move |_: &mut Runtime| {
            let mut tx = deploy_tx(&inline(TRAPS, 1, &[(0, 0, 8)]), account(1), 0);
            if let Transaction::Deploy(d) = &mut tx {
                f(d);
            }
            tx
        }
    };
    let invalid: [(ChangeDeploy, InvalidTx); 4] = [
        (|d| d.nonce = 5, InvalidTx::NonceMismatch),
        (|d| d.initial_balance = FUNDS, InvalidTx::InsufficientBalance),
        (|d| d.gas_price = u64::MAX, InvalidTx::FeeOverflow),
        (|d| d.author = FEE_ACCOUNT, InvalidTx::FeeAccount),
    ];
    for (change, reason) in invalid {
        assert_eq!(everywhere(deploy_with(change)), (Outcome::Invalid(reason), 0));
    }
    let intrinsic = svm::gas::intrinsic::deploy(inline(TRAPS, 1, &[(0, 0, 8)]).code.len(), 1);
    let refused: [(ChangeDeploy, Refusal); 4] = [
        (|d| d.page_count = 0, Refusal::InvalidLayout),
        (|d| d.slices[0].len = 5000, Refusal::InvalidLayout),
        (|d| d.page_count = Limits::default().max_pages + 1, Refusal::InvalidLayout),
        (
            |d| d.code = inline("(module (func (export \"f\") (drop (v128.const i32x4 1 2 3 4))))", 0, &[]).code,
            Refusal::CodeRejected(Rule::Simd),
        ),
    ];
    for (change, reason) in refused {
        let (outcome, gas) = everywhere(deploy_with(change));
        assert_eq!(outcome, Outcome::Refused(reason));
        // The SIMD module is shorter, so its intrinsic gas differs; the rest pay the original's.
        if !matches!(reason, Refusal::CodeRejected(_)) {
            assert_eq!(gas, intrinsic);
        }
    }
}

#[test]
fn transfers_either_apply_or_are_invalid() {
    let transfer = |nonce, amount, to| {
        move |_: &mut Runtime| Transaction::Transfer(Transfer { from: account(1), to, nonce, amount, gas_price: PRICE })
    };
    let invalid = |reason| (Outcome::Invalid(reason), 0);
    assert_eq!(everywhere(transfer(1, 5, account(2))), invalid(InvalidTx::NonceMismatch));
    // The whole balance moved leaves nothing for the fee.
    assert_eq!(everywhere(transfer(0, FUNDS, account(2))), invalid(InvalidTx::InsufficientBalance));
    assert_eq!(everywhere(transfer(0, 5, FEE_ACCOUNT)), invalid(InvalidTx::FeeAccount));
    assert_eq!(everywhere(transfer(0, 5, account(2))), (Outcome::Success, svm::gas::intrinsic::TRANSFER));

    // A recipient at the top of the range cannot receive more.
    let mut rt = Runtime::new(Arc::new(MemKv::new()), configs()[0].clone());
    rt.genesis(&[(account(1), FUNDS), (account(9), u64::MAX)]).unwrap();
    let before = rt.root();
    let tx =
        Transaction::Transfer(Transfer { from: account(1), to: account(9), nonce: 0, amount: 1, gas_price: PRICE });
    assert_eq!(rt.apply(&tx, &BlockContext::default()).unwrap().outcome, Outcome::Invalid(InvalidTx::BalanceOverflow));
    assert_eq!(rt.root(), before);
}

#[test]
fn successful_deploys_transfers_and_values_move_balances_nonces_and_fees() {
    for config in configs() {
        let mut rt = runtime(config);
        let mut tx = deploy_tx(&inline(TRAPS, 0, &[]), account(1), 0);
        if let Transaction::Deploy(d) = &mut tx {
            d.initial_balance = 1000;
        }
        let receipt = rt.apply(&tx, &BlockContext::default()).unwrap();
        let c = receipt.contract.unwrap();
        let deploy_gas = svm::gas::intrinsic::deploy(inline(TRAPS, 0, &[]).code.len(), 0);
        assert_eq!(receipt.gas_used, deploy_gas);
        assert_eq!(rt.account(&c).unwrap().unwrap().balance, 1000);
        let author = rt.account(&account(1)).unwrap().unwrap();
        assert_eq!((author.balance, author.nonce), (FUNDS - 1000 - deploy_gas * PRICE, 1));

        let tx =
            Transaction::Transfer(Transfer { from: account(2), to: account(7), nonce: 0, amount: 250, gas_price: 3 });
        let receipt = rt.apply(&tx, &BlockContext::default()).unwrap();
        assert_eq!((receipt.outcome, receipt.gas_used), (Outcome::Success, svm::gas::intrinsic::TRANSFER));
        assert_eq!(rt.account(&account(7)).unwrap().unwrap().balance, 250);
        let mut fees = deploy_gas * PRICE + svm::gas::intrinsic::TRANSFER * 3;

        // A failed call returns the value and pays its fee; a successful one keeps the value.
        let mut failing = exec(&rt, c, "unreachable", &[]);
        if let Transaction::Execute(e) = &mut failing {
            e.value = 100;
        }
        let failed = rt.apply(&failing, &BlockContext::default()).unwrap();
        assert!(failed.outcome.is_failure());
        fees += failed.gas_used * PRICE;
        assert_eq!(rt.account(&c).unwrap().unwrap().balance, 1000);
        let mut paying = exec(&rt, c, "ok", &[Value::I32(-3), Value::I64(10)]);
        if let Transaction::Execute(e) = &mut paying {
            e.value = 100;
        }
        let receipt = rt.apply(&paying, &BlockContext::default()).unwrap();
        fees += receipt.gas_used * PRICE;
        assert_eq!(receipt.returns, vec![Value::I64(7)]);
        assert_eq!(rt.account(&c).unwrap().unwrap().balance, 1100);
        let sender = rt.account(&account(2)).unwrap().unwrap();
        let spent = 250 + svm::gas::intrinsic::TRANSFER * 3 + (failed.gas_used + receipt.gas_used) * PRICE + 100;
        assert_eq!((sender.balance, sender.nonce), (FUNDS - spent, 3));
        assert_eq!(rt.account(&FEE_ACCOUNT).unwrap().unwrap().balance, fees);
    }
}

#[test]
fn the_runtime_reopens_at_any_earlier_root() {
    let kv = Arc::new(MemKv::new());
    let mut rt = Runtime::new(kv.clone(), configs()[0].clone());
    rt.genesis(&[(account(2), FUNDS)]).unwrap();
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
