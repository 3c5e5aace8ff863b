//! End-to-end tests of every vmcall: what it does, what it costs, and each way it refuses.

mod common;

use common::*;
use svm::Value;
use svm::outcome::Outcome;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Runtime};
use svm::transaction::{Execute, Transaction};
use svm::vmcalls::HostError;
use svm::vmcalls::registry::{VMCALLS, vmcall};

/// One contract importing every vmcall, with a function per scenario.
/// Layout: slice 0 = 8 bytes, slice 1 = 4 bytes, slice 2 = 20 bytes, slice 3 = 100 bytes (page 1).
const WAT: &str = r#"(module
  (import "svm" "storage_read_to_mem" (func $s_read_mem (param i32 i32 i32 i32)))
  (import "svm" "storage_write_from_mem" (func $s_write_mem (param i32 i32 i32 i32)))
  (import "svm" "storage_read_to_reg" (func $s_read_reg (param i32 i32 i32 i32 i32)))
  (import "svm" "storage_write_from_reg" (func $s_write_reg (param i32 i32 i32 i32 i32)))
  (import "svm" "storage_read_i32" (func $s_read32 (param i32) (result i32)))
  (import "svm" "storage_read_i64" (func $s_read64 (param i32) (result i64)))
  (import "svm" "storage_write_i32" (func $s_write32 (param i32 i32)))
  (import "svm" "storage_write_i64" (func $s_write64 (param i32 i64)))
  (import "svm" "storage_slice_len" (func $s_len (param i32) (result i32)))
  (import "svm" "reg_set_from_mem" (func $r_set_mem (param i32 i32 i32)))
  (import "svm" "reg_get_to_mem" (func $r_get_mem (param i32 i32 i32)))
  (import "svm" "reg_set_i64" (func $r_set64 (param i32 i32 i64)))
  (import "svm" "reg_get_i64" (func $r_get64 (param i32 i32) (result i64)))
  (import "svm" "reg_copy" (func $r_copy (param i32 i32 i32)))
  (import "svm" "reg_cmp" (func $r_cmp (param i32 i32 i32) (result i32)))
  (import "svm" "calldata_len" (func $cd_len (result i32)))
  (import "svm" "calldata_copy" (func $cd_copy (param i32 i32 i32)))
  (import "svm" "returndata_set" (func $rd_set (param i32 i32)))
  (import "svm" "host_sender_to_reg" (func $sender (param i32)))
  (import "svm" "host_contract_to_reg" (func $self (param i32)))
  (import "svm" "host_layer" (func $layer (result i64)))
  (import "svm" "host_value" (func $value (result i64)))
  (import "svm" "get_balance_from_reg" (func $balance (param i32 i32) (result i64)))
  (import "svm" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "hello, storage!")

  ;; Memory <-> storage: writes 15 bytes of memory into slice 3 at offset 5, reads them back elsewhere.
  (func (export "mem_roundtrip") (result i32)
    (call $s_write_mem (i32.const 3) (i32.const 5) (i32.const 15) (i32.const 100))
    (call $s_read_mem (i32.const 3) (i32.const 5) (i32.const 15) (i32.const 200))
    (call $returndata_of (i32.const 200) (i32.const 15))
    (i32.load8_u (i32.const 200)))
  (func $returndata_of (param i32 i32) (call $rd_set (local.get 0) (local.get 1)))
  ;; Integers: slice 1 holds 4 bytes, slice 0 holds 8.
  (func (export "integers") (param $a i32) (param $b i64) (result i64)
    (call $s_write32 (i32.const 1) (local.get $a))
    (call $s_write64 (i32.const 0) (local.get $b))
    (i64.add (i64.extend_i32_u (call $s_read32 (i32.const 1))) (call $s_read64 (i32.const 0))))
  (func (export "slice_len") (param i32) (result i32) (call $s_len (local.get 0)))
  ;; Registers: set/get through memory and integers, copy, compare.
  (func (export "registers") (result i32)
    (call $r_set64 (i32.const 64) (i32.const 3) (i64.const 0x1122334455667788))
    (call $r_get_mem (i32.const 64) (i32.const 3) (i32.const 300))
    (call $r_set_mem (i32.const 512) (i32.const 0) (i32.const 300))
    (call $r_copy (i32.const 512) (i32.const 0) (i32.const 1))
    ;; equal -> 0; then make register 1 bigger -> cmp(0, 1) = -1
    (if (i32.ne (call $r_cmp (i32.const 512) (i32.const 0) (i32.const 1)) (i32.const 0)) (then unreachable))
    (call $r_set64 (i32.const 512) (i32.const 1) (i64.const -1))
    (call $r_cmp (i32.const 512) (i32.const 0) (i32.const 1)))
  (func (export "reg_get") (param i32 i32) (result i64) (call $r_get64 (local.get 0) (local.get 1)))
  (func (export "reg_set") (param i32 i32 i64) (call $r_set64 (local.get 0) (local.get 1) (local.get 2)))
  ;; Storage <-> registers: store the sender in slice 2 via register 160/4, read it into 160/5, compare.
  (func (export "sender_roundtrip") (result i32)
    (call $sender (i32.const 4))
    (call $s_write_reg (i32.const 2) (i32.const 0) (i32.const 20) (i32.const 160) (i32.const 4))
    (call $s_read_reg (i32.const 2) (i32.const 0) (i32.const 20) (i32.const 160) (i32.const 5))
    (call $r_cmp (i32.const 160) (i32.const 4) (i32.const 5)))
  ;; Calldata -> memory -> returndata and log.
  (func (export "echo") (result i32)
    (call $cd_copy (i32.const 0) (call $cd_len) (i32.const 400))
    (call $rd_set (i32.const 400) (call $cd_len))
    (call $log (i32.const 400) (call $cd_len))
    (call $log (i32.const 100) (i32.const 5))
    (call $cd_len))
  (func (export "context") (result i64)
    (i64.add (i64.mul (call $layer) (i64.const 1000)) (call $value)))
  (func (export "balances") (result i64)
    (call $self (i32.const 0))
    (call $sender (i32.const 1))
    (i64.add (i64.mul (call $balance (i32.const 160) (i32.const 0)) (i64.const 1000000000))
             (call $balance (i32.const 160) (i32.const 1))))
  ;; Failure scenarios: each calls one vmcall with a bad argument.
  (func (export "bad_slice") (drop (call $s_read64 (i32.const 9))))
  (func (export "bad_slice_range") (call $s_read_mem (i32.const 0) (i32.const 4) (i32.const 5) (i32.const 0)))
  (func (export "negative_len") (call $s_read_mem (i32.const 3) (i32.const 0) (i32.const -1) (i32.const 0)))
  (func (export "too_wide") (drop (call $s_read32 (i32.const 0))))
  (func (export "bad_register_class") (call $r_set64 (i32.const 128) (i32.const 0) (i64.const 1)))
  (func (export "bad_register_index") (drop (call $r_get64 (i32.const 256) (i32.const 4))))
  (func (export "reg_too_narrow") (call $s_read_reg (i32.const 3) (i32.const 0) (i32.const 5) (i32.const 32) (i32.const 0)))
  (func (export "balance_needs_160") (drop (call $balance (i32.const 256) (i32.const 0))))
  (func (export "memory_oob") (call $r_get_mem (i32.const 512) (i32.const 0) (i32.const 65500)))
  (func (export "calldata_oob") (call $cd_copy (i32.const 1) (call $cd_len) (i32.const 0)))
  (func (export "returndata_too_large") (call $rd_set (i32.const 0) (i32.const 65537)))
  (func (export "log_too_large") (call $log (i32.const 0) (i32.const 1025)))
  (func (export "too_many_logs") (local $i i32)
    (loop $more
      (call $log (i32.const 0) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $more (i32.le_u (local.get $i) (i32.const 64)))))
  ;; Writes storage, then traps: the write must not survive.
  (func (export "write_then_trap") (call $s_write64 (i32.const 0) (i64.const 42)) unreachable)
)"#;

const NO_MEMORY_WAT: &str = r#"(module
  (import "svm" "log" (func $log (param i32 i32)))
  (func (export "log_without_memory") (call $log (i32.const 0) (i32.const 1))))"#;

fn setup(config: svm::runtime::RuntimeConfig) -> (Runtime, svm::Address) {
    let mut rt = runtime(config);
    let source = inline(WAT, 2, &[(0, 0, 8), (0, 8, 4), (0, 12, 20), (1, 0, 100)]);
    let address = deployed(&mut rt, &source);
    (rt, address)
}

fn exec(
    rt: &mut Runtime,
    contract: svm::Address,
    function: &str,
    args: &[Value],
    calldata: &[u8],
    value: u64,
    layer: u64,
) -> Receipt {
    let nonce = rt.account(&account(2)).unwrap().unwrap().nonce;
    let tx = Transaction::Execute(Execute {
        contract,
        sender: account(2),
        nonce,
        function: function.into(),
        args: args.to_vec(),
        calldata: calldata.to_vec(),
        gas_limit: GAS,
        gas_price: PRICE,
        value,
    });
    rt.apply(&tx, &BlockContext { layer }).unwrap()
}

#[test]
fn storage_vmcalls_move_bytes_between_memory_registers_integers_and_slices() {
    for config in configs() {
        let (mut rt, c) = setup(config);
        let r = exec(&mut rt, c, "mem_roundtrip", &[], &[], 0, 0);
        assert_eq!(
            (r.outcome, r.returns.clone(), r.returndata.clone()),
            (Outcome::Success, vec![Value::I32(b'h' as i32)], b"hello, storage!".to_vec())
        );
        let slices = rt.contract_slices(&c).unwrap().unwrap();
        assert_eq!(&slices[3][5..20], b"hello, storage!");
        assert_eq!(&slices[3][..5], &[0; 5]);

        let r = exec(&mut rt, c, "integers", &[Value::I32(-1), Value::I64(5)], &[], 0, 0);
        assert_eq!(r.returns, vec![Value::I64(u32::MAX as i64 + 5)]);
        assert_eq!(rt.contract_slices(&c).unwrap().unwrap()[1], vec![0xFF; 4]);
        assert_eq!(exec(&mut rt, c, "slice_len", &[Value::I32(3)], &[], 0, 0).returns, vec![Value::I32(100)]);

        let r = exec(&mut rt, c, "sender_roundtrip", &[], &[], 0, 0);
        assert_eq!(r.returns, vec![Value::I32(0)]);
        assert_eq!(rt.contract_slices(&c).unwrap().unwrap()[2], account(2).0.to_vec());
    }
}

#[test]
fn register_vmcalls_set_get_copy_and_compare() {
    for config in configs() {
        let (mut rt, c) = setup(config);
        assert_eq!(exec(&mut rt, c, "registers", &[], &[], 0, 0).returns, vec![Value::I32(-1)]);
        // reg_set_i64 on a 32-bit register keeps the low 4 bytes; reg_get_i64 zero-extends.
        let r = exec(&mut rt, c, "reg_set", &[Value::I32(32), Value::I32(0), Value::I64(-1)], &[], 0, 0);
        assert_eq!(r.outcome, Outcome::Success);
        assert_eq!(
            exec(&mut rt, c, "reg_get", &[Value::I32(160), Value::I32(7)], &[], 0, 0).returns,
            vec![Value::I64(0)]
        );
    }
}

#[test]
fn calldata_returndata_log_and_context_vmcalls() {
    for config in configs() {
        let (mut rt, c) = setup(config);
        let r = exec(&mut rt, c, "echo", &[], b"ping", 0, 0);
        assert_eq!((r.returns.clone(), r.returndata.clone()), (vec![Value::I32(4)], b"ping".to_vec()));
        assert_eq!(r.logs, vec![b"ping".to_vec(), b"hello".to_vec()]);

        let r = exec(&mut rt, c, "context", &[], &[], 77, 12);
        assert_eq!(r.returns, vec![Value::I64(12_077)]);

        // The contract holds the 77 moved to it; the sender's balance already excludes this call's value
        // (and not yet its fee).
        let sender_before = rt.account(&account(2)).unwrap().unwrap().balance;
        let r = exec(&mut rt, c, "balances", &[], &[], 3, 0);
        assert_eq!(r.returns, vec![Value::I64(80 * 1_000_000_000 + (sender_before - 3) as i64)]);
        assert_eq!(rt.account(&c).unwrap().unwrap().balance, 80);
    }
}

#[test]
fn each_bad_argument_is_its_typed_host_error_and_changes_nothing() {
    let cases = [
        ("bad_slice", HostError::UnknownSlice),
        ("bad_slice_range", HostError::SliceOutOfRange),
        ("too_wide", HostError::SliceTooWide),
        ("bad_register_class", HostError::UnknownRegister),
        ("bad_register_index", HostError::UnknownRegister),
        ("reg_too_narrow", HostError::RegisterWidth),
        ("balance_needs_160", HostError::RegisterWidth),
        ("memory_oob", HostError::MemoryOutOfBounds),
        ("calldata_oob", HostError::CalldataOutOfRange),
        ("returndata_too_large", HostError::ReturndataTooLarge),
        ("log_too_large", HostError::LogTooLarge),
        ("too_many_logs", HostError::TooManyLogs),
    ];
    for config in configs() {
        let (mut rt, c) = setup(config.clone());
        for (function, expected) in cases {
            let before = rt.account(&c).unwrap();
            let nonce = rt.account(&account(2)).unwrap().unwrap().nonce;
            let r = exec(&mut rt, c, function, &[], b"abc", 5, 0);
            assert_eq!(r.outcome, Outcome::Host(expected), "{function} on {config:?}: {}", r.diagnostic);
            assert!(r.gas_used > 0 && r.gas_used < GAS, "{function}: gas {}", r.gas_used);
            assert!(r.logs.is_empty() && r.returndata.is_empty());
            // A failure keeps its nonce and fee and nothing else: the contract is as it was.
            assert_eq!(rt.account(&c).unwrap(), before, "{function} changed the contract");
            assert_eq!(rt.account(&account(2)).unwrap().unwrap().nonce, nonce + 1);
        }
        // A length of 2^32 - 1 is priced before anything is checked: out of gas, not a range error.
        let r = exec(&mut rt, c, "negative_len", &[], &[], 0, 0);
        assert_eq!((r.outcome, r.gas_used), (Outcome::OutOfGas, GAS));
        let source = inline(NO_MEMORY_WAT, 0, &[]);
        let address = deployed(&mut rt, &source);
        assert_eq!(call(&mut rt, address, "log_without_memory", &[]).outcome, Outcome::Host(HostError::NoMemory));
    }
}

#[test]
fn a_trap_after_a_storage_write_discards_the_write() {
    for config in configs() {
        let (mut rt, c) = setup(config);
        let before = rt.account(&c).unwrap();
        let r = exec(&mut rt, c, "write_then_trap", &[], &[], 0, 0);
        assert_eq!(r.outcome, Outcome::Trap(svm::outcome::TrapKind::Unreachable));
        assert_eq!(rt.account(&c).unwrap(), before);
        assert_eq!(rt.contract_slices(&c).unwrap().unwrap()[0], vec![0; 8]);
    }
}

#[test]
fn vmcall_prices_are_charged_as_the_registry_says() {
    // Two executions differing only in one vmcall's byte count differ by exactly per_byte × bytes.
    let price = vmcall("log").unwrap().price;
    let mut rt = runtime(configs()[0].clone());
    let source = inline(
        r#"(module (import "svm" "log" (func $log (param i32 i32))) (memory 1)
            (func (export "log") (param i32) (call $log (i32.const 0) (local.get 0))))"#,
        0,
        &[],
    );
    let c = deployed(&mut rt, &source);
    let short = call(&mut rt, c, "log", &[Value::I32(10)]).gas_used;
    let long = call(&mut rt, c, "log", &[Value::I32(110)]).gas_used;
    assert_eq!(long - short, price.per_byte * 100);
    assert!(VMCALLS.iter().all(|spec| spec.price.base > 0));
}

#[test]
fn the_trace_records_every_vmcall_with_gas_before_and_after() {
    let (mut rt, c) = setup(configs()[0].clone());
    let nonce = rt.account(&account(2)).unwrap().unwrap().nonce;
    let tx = Transaction::Execute(Execute {
        contract: c,
        sender: account(2),
        nonce,
        function: "echo".into(),
        args: vec![],
        calldata: b"xy".to_vec(),
        gas_limit: GAS,
        gas_price: PRICE,
        value: 0,
    });
    let (receipt, trace) = rt.apply_traced(&tx, &BlockContext::default()).unwrap();
    assert!(receipt.outcome.is_success());
    let names: Vec<&str> = trace.iter().map(|e| e.vmcall).collect();
    assert_eq!(
        names,
        [
            "calldata_len",
            "calldata_copy",
            "calldata_len",
            "returndata_set",
            "calldata_len",
            "log",
            "log",
            "calldata_len"
        ]
    );
    assert_eq!(trace[1].args, vec![0, 2, 400]);
    let copy = vmcall("calldata_copy").unwrap().price.for_bytes(2);
    assert_eq!(trace[1].gas_before - trace[1].gas_after, copy);
    assert!(trace.windows(2).all(|w| w[1].gas_before <= w[0].gas_after));
    // Tracing changes nothing consensus-relevant: the untraced run gives the same receipt.
    let (mut plain, c2) = setup(configs()[0].clone());
    assert_eq!(c, c2);
    assert_eq!(plain.apply(&tx, &BlockContext::default()).unwrap(), receipt);
}
