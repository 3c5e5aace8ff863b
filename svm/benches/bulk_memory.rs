//! Chooses the per-byte gas of bulk memory: prints the nanoseconds per byte `memory.fill` and
//! `memory.copy` take and the nanoseconds per gas ordinary operators take, on both compilers, through
//! `Runtime::apply` (differences of two sizes, so the per-transaction cost cancels out).
//!
//! `cargo bench -p svm --bench bulk_memory`

use std::sync::Arc;
use std::time::Instant;
use svm::Address;
use svm::gas::cost_table::BULK_MEMORY_PER_BYTE;
use svm::runtime::{BlockContext, CacheMode, Compiler, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction};
use svm::{Value, validation};

const MODULE: &str = r#"(module
  (memory 64)
  (func (export "fill") (param $len i32) (param $times i32)
    (loop $l
      (memory.fill (i32.const 0) (local.get $times) (local.get $len))
      (local.set $times (i32.sub (local.get $times) (i32.const 1)))
      (br_if $l (local.get $times))))
  (func (export "copy") (param $len i32) (param $times i32)
    (loop $l
      (memory.copy (i32.const 0) (i32.const 2097152) (local.get $len))
      (local.set $times (i32.sub (local.get $times) (i32.const 1)))
      (br_if $l (local.get $times))))
  (func (export "spin") (param $n i32) (result i64) (local $acc i64)
    (loop $l
      (local.set $acc (i64.add (i64.xor (local.get $acc) (i64.extend_i32_u (local.get $n))) (i64.const 3)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $acc)))"#;

struct Node {
    rt: Runtime,
    contract: Address,
}

impl Node {
    fn new(compiler: Compiler) -> Node {
        let mut rt = Runtime::new(
            Arc::new(MemKv::new()),
            RuntimeConfig { compiler, cache: CacheMode::Memory, ..RuntimeConfig::default() },
        );
        let (author, sender) = (Address([1; 20]), Address([2; 20]));
        rt.genesis(&[(author, 1 << 60), (sender, 1 << 60)]).expect("genesis");
        let code = wat::parse_str(MODULE).expect("module");
        validation::validate(&code, &rt.config().limits).expect("valid");
        let deploy = Deploy {
            author,
            nonce: 0,
            code,
            page_count: 0,
            slices: vec![],
            initial_balance: 0,
            gas_limit: 1 << 32,
            gas_price: 0,
        };
        let receipt = rt.apply(&Transaction::Deploy(deploy), &BlockContext::default()).expect("deploy");
        Node { rt, contract: receipt.contract.expect("deployed") }
    }

    /// The best of five runs of `function(args)`: (seconds, gas used).
    fn time(&mut self, function: &str, args: &[Value]) -> (f64, u64) {
        let mut best = (f64::MAX, 0);
        for _ in 0..5 {
            let sender = Address([2; 20]);
            let nonce = self.rt.account(&sender).ok().flatten().map_or(0, |a| a.nonce);
            let tx = Execute {
                contract: self.contract,
                sender,
                nonce,
                function: function.into(),
                args: args.to_vec(),
                calldata: vec![],
                gas_limit: 9_000_000_000,
                gas_price: 0,
                value: 0,
            };
            let started = Instant::now();
            let receipt = self.rt.apply(&Transaction::Execute(tx), &BlockContext::default()).expect("apply");
            let seconds = started.elapsed().as_secs_f64();
            assert!(receipt.outcome.is_success(), "{function}: {}", receipt.outcome.name());
            best = if seconds < best.0 { (seconds, receipt.gas_used) } else { best };
        }
        best
    }
}

fn main() {
    println!("compiler     ns/gas (ops)   fill ns/byte   copy ns/byte   (price now: {BULK_MEMORY_PER_BYTE} gas/byte)");
    for compiler in [Compiler::Singlepass, Compiler::Cranelift] {
        let mut node = Node::new(compiler);
        let (t_small, g_small) = node.time("spin", &[Value::I32(1_000)]);
        let (t_big, g_big) = node.time("spin", &[Value::I32(20_000_000)]);
        let ns_per_gas = (t_big - t_small) * 1e9 / (g_big - g_small) as f64;
        let per_byte = |node: &mut Node, function: &str| {
            let (t1, _) = node.time(function, &[Value::I32(1 << 20), Value::I32(1)]);
            let (t2, _) = node.time(function, &[Value::I32(1 << 20), Value::I32(65)]);
            (t2 - t1) * 1e9 / (64.0 * f64::from(1u32 << 20))
        };
        let fill = per_byte(&mut node, "fill");
        let copy = per_byte(&mut node, "copy");
        println!("{:<12} {ns_per_gas:>12.3}   {fill:>12.3}   {copy:>12.3}", compiler.name());
    }
}
