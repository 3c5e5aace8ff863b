//! The transaction vectors: one rule each. Each recipe states the rule's arithmetic where there is
//! some and asserts that the runtime gives exactly that, so a vector is both pinned by the runtime
//! and derived from `docs/consensus.md`.

use super::Vector;
use super::build::{Builder, OTHER, call};
use svm::Value;
use svm::fee::FEE_ACCOUNT;
use svm::gas::intrinsic;

/// Every transaction vector.
pub fn all() -> Vec<Vector> {
    vec![
        counter_increment(),
        straight_line_block(),
        trap_midway(),
        out_of_gas_at_the_boundary(),
        loop_iterations(),
        bulk_memory(),
        intrinsic_gas(),
        page_gas(),
        collection_work_gas(),
        events_expire(),
        calls_all_or_nothing(),
        stack_budget(),
        memory_cap(),
        canonical_nan(),
        admission_order(),
        execution_order(),
        vmcall_price_before_checks(),
        deploy_order(),
        trap_kinds(),
        fee_rule(),
        exported_vmcall(),
        libraries_link_and_call(),
    ]
}

/// `counter` from the corpus.
const COUNTER: &str = include_str!("../../../corpus/contracts/counter.wat");

fn expect_gas(what: &str, got: u64, want: u64) {
    assert_eq!(got, want, "{what}: the runtime disagrees with the rule's arithmetic");
}

/// The worked example of `docs/consensus.md`: `counter.inc` on a fresh counter.
fn counter_increment() -> Vector {
    let mut b = Builder::new();
    let deploy = b.deploy("counter", COUNTER, None);
    let code_len = b.contract("counter").1;
    expect_gas("deploy", deploy.gas_used, 50_000 + 2_000 * code_len as u64 + 100);
    let first = b.execute(call("counter", "inc", vec![]));
    let second = b.execute(call("counter", "inc", vec![]));
    // inc: local.set(call read(i32.const 0)) …: see the document's worked example for the operator sum.
    let intrinsic = 20_000 + 10 * code_len as u64;
    assert_eq!(first.gas_used, second.gas_used);
    assert_eq!(first.returns, vec![Value::I64(1)]);
    assert_eq!(second.returns, vec![Value::I64(2)]);
    b.finish(
        "walkthrough/counter-increment",
        "docs/consensus.md#worked-example-counterinc",
        &format!(
            "Deploy counter ({code_len} code bytes, 1 slice: 50,000 + 2,000 × {code_len} + 100 = {} gas), then inc twice \
             ({} gas each = {intrinsic} intrinsic + {} in code, vmcalls and pages); the document computes both by hand.",
            deploy.gas_used,
            first.gas_used,
            first.gas_used - intrinsic
        ),
    )
}

/// A straight-line function: its whole cost is charged at its `end`.
fn straight_line_block() -> Vector {
    let mut b = Builder::new();
    b.deploy(
        "add",
        ";; svm-layout: pages=0 slices=\n(module (func (export \"f\") (result i64) (i64.add (i64.const 1) (i64.const 2))))",
        None,
    );
    let receipt = b.execute(call("add", "f", vec![]));
    let intrinsic = b.intrinsic("add", 0);
    expect_gas("straight line", receipt.gas_used, intrinsic + 3);
    b.finish(
        "gas/straight-line-block",
        "docs/consensus.md#metered-blocks",
        &format!(
            "i64.const (1) + i64.const (1) + i64.add (1) + end (0) = 3 gas, charged before the end: {intrinsic} intrinsic + 3 = {}.",
            receipt.gas_used
        ),
    )
}

/// A trap midway through a metered block: the block's operators are never charged.
fn trap_midway() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=0 slices=
(module
  (func $nop)
  (func (export \"trap\") (result i32) (i32.div_u (i32.const 1) (i32.const 0)))
  (func (export \"call_then_trap\") (result i32)
    (drop (i64.const 7))
    (call $nop)
    (i32.div_u (i32.const 1) (i32.const 0))))";
    b.deploy("trap", wat, None);
    let intrinsic = b.intrinsic("trap", 0);
    let first = b.execute(call("trap", "trap", vec![]));
    let second = b.execute(call("trap", "call_then_trap", vec![]));
    expect_gas("trap at once", first.gas_used, intrinsic);
    expect_gas("trap after a call", second.gas_used, intrinsic + 7);
    b.finish(
        "gas/trap-midway",
        "docs/consensus.md#metered-blocks",
        &format!(
            "`trap` divides by zero before its block's accounting operator: nothing of the block is charged, \
             gas used = the intrinsic {intrinsic}. `call_then_trap` pays its first block (i64.const 1 + drop 1 + \
             call 5 = 7) before the call, and $nop's block costs 0; the block after the call traps unpaid: {} gas.",
            second.gas_used
        ),
    )
}

/// A gas limit exactly at a block's cost succeeds with nothing left; one less runs out of gas.
fn out_of_gas_at_the_boundary() -> Vector {
    let mut b = Builder::new();
    b.deploy(
        "add",
        ";; svm-layout: pages=0 slices=\n(module (func (export \"f\") (result i64) (i64.add (i64.const 1) (i64.const 2))))",
        None,
    );
    let intrinsic = b.intrinsic("add", 0);
    let exact = b.execute(crate::vectors::build::Call { gas_limit: intrinsic + 3, ..call("add", "f", vec![]) });
    let short = b.execute(crate::vectors::build::Call { gas_limit: intrinsic + 2, ..call("add", "f", vec![]) });
    let none = b.execute(crate::vectors::build::Call { gas_limit: intrinsic - 1, ..call("add", "f", vec![]) });
    assert!(exact.outcome.is_success());
    expect_gas("one short", short.gas_used, intrinsic + 2);
    expect_gas("below intrinsic", none.gas_used, intrinsic - 1);
    b.finish(
        "gas/out-of-gas-at-the-boundary",
        "docs/consensus.md#metered-blocks",
        &format!(
            "The block costs 3. Limit {} (intrinsic + 3): success, 0 left. Limit {} (one short): out-of-gas, gas used = \
             the limit. Limit {} (below the intrinsic {intrinsic}): out-of-gas before any code, gas used = the limit.",
            intrinsic + 3,
            intrinsic + 2,
            intrinsic - 1
        ),
    )
}

/// A loop pays each iteration at its accounting operators.
fn loop_iterations() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=0 slices=
(module
  (func (export \"count\") (param $n i64) (result i64) (local $i i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $i)))";
    b.deploy("loop", wat, None);
    let intrinsic = b.intrinsic("loop", 0);
    let gas: Vec<u64> = [0, 1, 10]
        .iter()
        .map(|&n| b.execute(call("loop", "count", vec![Value::I64(n)])).gas_used - intrinsic)
        .collect();
    let per_iteration = gas[1] - gas[0];
    assert_eq!(gas[2] - gas[0], 10 * per_iteration, "gas grows linearly with iterations");
    b.finish(
        "gas/loop-iterations",
        "docs/consensus.md#metered-blocks",
        &format!(
            "count(0), count(1), count(10): {} + {per_iteration} per iteration (local.get, local.get, i64.ge_u, br_if; \
             local.get, i64.const, i64.add, local.set, br; loop) above the intrinsic {intrinsic}.",
            gas[0]
        ),
    )
}

/// `memory.fill` pays 1 gas per byte of its run-time length before it runs.
fn bulk_memory() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=0 slices=
(module (memory 1)
  (func (export \"fill\") (param $len i32) (memory.fill (i32.const 0) (i32.const 7) (local.get $len))))";
    b.deploy("fill", wat, None);
    let intrinsic = b.intrinsic("fill", 0);
    let gas: Vec<u64> = [0, 100, 65_536, 65_537]
        .iter()
        .map(|&n| b.execute(call("fill", "fill", vec![Value::I32(n)])).gas_used)
        .collect();
    expect_gas("fill 0", gas[0], intrinsic + 13);
    expect_gas("fill 100", gas[1], intrinsic + 13 + 100);
    b.finish(
        "gas/bulk-memory",
        "docs/consensus.md#bulk-memory",
        &format!(
            "fill(0): {intrinsic} intrinsic + two i32.const and a local.get (1 each) + memory.fill (10) + end (0) = {}; \
             fill(100) adds 100; fill(65,536) adds 65,536; fill(65,537) runs past the memory and traps \
             (memory-out-of-bounds) after paying for its length.",
            gas[0]
        ),
    )
}

/// Intrinsic gas of executions (code and calldata bytes) and transfers.
fn intrinsic_gas() -> Vector {
    let mut b = Builder::new();
    b.deploy("add", ";; svm-layout: pages=0 slices=\n(module (func (export \"f\")))", None);
    let code = b.contract("add").1 as u64;
    let empty = b.execute(call("add", "f", vec![]));
    let with_data = b.execute(crate::vectors::build::Call { calldata: vec![0xAB; 100], ..call("add", "f", vec![]) });
    let transfer = b.transfer(OTHER, 5, 3);
    expect_gas("execute", empty.gas_used, 20_000 + 10 * code);
    expect_gas("execute with calldata", with_data.gas_used, 20_000 + 10 * code + 1_000);
    expect_gas("transfer", transfer.gas_used, intrinsic::TRANSFER);
    b.finish(
        "gas/intrinsic",
        "docs/consensus.md#intrinsic-gas",
        &format!(
            "An empty function of a {code}-byte contract: 20,000 + 10 × {code} = {}; with 100 calldata bytes, 1,000 more; \
             a transfer: 20,000 at any price (here 3: the fee account gains 60,000).",
            empty.gas_used
        ),
    )
}

/// Page gas: the first access to a page and the first write to it, by tree depth.
fn page_gas() -> Vector {
    let mut b = Builder::new();
    let wat = |pages: u32| {
        format!(
            ";; svm-layout: pages={pages} slices=0:0:8 1:0:8
(module
  (import \"svm\" \"storage_read_i64\" (func $read (param i32) (result i64)))
  (import \"svm\" \"storage_write_i64\" (func $write (param i32 i64)))
  (func (export \"read\") (result i64) (drop (call $read (i32.const 0))) (call $read (i32.const 0)))
  (func (export \"write\") (call $write (i32.const 0) (i64.const 1)) (call $write (i32.const 0) (i64.const 2)))
  (func (export \"both\") (call $write (i32.const 0) (i64.const 1)) (call $write (i32.const 1) (i64.const 2))))"
        )
    };
    b.deploy("two-pages", &wat(2), None);
    b.deploy("deep", &wat(65_536), None);
    let mut lines = Vec::new();
    for name in ["two-pages", "deep"] {
        let intrinsic = b.intrinsic(name, 0);
        let read = b.execute(call(name, "read", vec![])).gas_used - intrinsic;
        let write = b.execute(call(name, "write", vec![])).gas_used - intrinsic;
        let both = b.execute(call(name, "both", vec![])).gas_used - intrinsic;
        lines.push(format!("{name}: read twice {read}, write twice {write}, write two pages {both}"));
    }
    b.finish(
        "gas/page-gas",
        "docs/consensus.md#storage-page-gas",
        &format!(
            "page load = 500 + 125 × depth, page dirty = 2,000 + 400 × depth, each once per page per execution; depth 1 \
             for 2 pages, 16 for 65,536. Above the intrinsic: {}.",
            lines.join("; ")
        ),
    )
}

/// Collection work gas: an insert of a new key into a map of n entries pays 250 × levels(n), levels(n) =
/// bit length of n + 1, besides its price and page gas, which do not change from call to call.
fn collection_work_gas() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=1 slices=0:0:0
(module
  (import \"svm\" \"collection_open\" (func $open (param i32 i32 i32 i32) (result i32)))
  (import \"svm\" \"collection_insert\" (func $insert (param i32 i32 i32 i32) (result i32)))
  (memory (export \"memory\") 1)
  (func (export \"put\") (param $key i64) (result i32)
    (i64.store (i32.const 0) (local.get $key))
    (call $insert (call $open (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 0))
      (i32.const 0) (i32.const 0) (i32.const 8))))";
    b.deploy("map", wat, None);
    let gas: Vec<u64> = (0..5i64).map(|key| b.execute(call("map", "put", vec![Value::I64(key)])).gas_used).collect();
    let steps: Vec<i64> = gas.windows(2).map(|w| w[1] as i64 - w[0] as i64).collect();
    // levels: 0 → 1, 1 → 2, 2 → 3, 3 → 3, 4 → 4 entries before the insert.
    for (n, (step, want)) in steps.iter().zip([250, 250, 0, 250]).enumerate() {
        expect_gas(&format!("insert into {} entries vs {n}", n + 1), u64::try_from(*step).unwrap_or(u64::MAX), want);
    }
    b.finish(
        "gas/collection-work",
        "docs/consensus.md#collections",
        &format!(
            "Five inserts of new keys into one map, one per execution: each pays the price (100 + 3 × 8), page load \
             and page dirty of the slot's page, and work gas 250 × levels(n) for the n entries before it (levels = \
             bit length of n + 1: 1, 2, 3, 3, 4), so successive gas_used differ by 250, 250, 0, 250: {gas:?}."
        ),
    )
}

/// Events: the receipt carries them, the store keeps them under the state root, and the layer boundary
/// after each one's last layer prunes it, until the root is the account root again.
fn events_expire() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=1 slices=0:0:8
(module
  (import \"svm\" \"event_emit\" (func $emit (param i32 i32 i32 i32 i32)))
  (memory (export \"memory\") 1)
  (data (i32.const 0) \"topic-one.......................topic-two.......................payload\")
  (func (export \"emit\") (param $topics i32) (param $len i32) (param $expiry i32)
    (call $emit (i32.const 0) (local.get $topics) (i32.const 64) (local.get $len) (local.get $expiry))))";
    b.deploy("emitter", wat, None);
    let emit = |topics: i32, len: i32, expiry: i32| {
        call("emitter", "emit", vec![Value::I32(topics), Value::I32(len), Value::I32(expiry)])
    };
    let bare = b.execute(emit(0, 0, 0)).gas_used;
    let full = b.execute(emit(2, 7, 2)).gas_used;
    // The same code path: only the price's bytes and the retention gas differ.
    let retention = |t: u64, len: u64, expiry: u64| 300 * (3 + t) + (64 + 32 * t + len) * (expiry + 1) / 8;
    expect_gas(
        "two topics, 7 bytes, 2 layers vs a bare event",
        full - bare,
        2 * 7 + retention(2, 7, 2) - retention(0, 0, 0),
    );
    let accounts_only = |b: &Builder| b.runtime().root() == svm::StateRoot(b.runtime().state_parts().accounts);
    assert!(!accounts_only(&b), "live events: the root covers the store");
    b.at_layer(2);
    b.transfer(OTHER, 1, 1);
    b.at_layer(3);
    b.transfer(OTHER, 1, 1);
    assert!(!accounts_only(&b), "the second event is live through layer 3");
    b.at_layer(4);
    b.transfer(OTHER, 1, 1);
    assert!(accounts_only(&b), "every event expired: the root is the account root again");
    b.finish(
        "events/expire",
        "docs/consensus.md#events",
        &format!(
            "At layer 1 two events: none of topics or data, live through layer 1 ({bare} gas), and two topics with \
             7 bytes live through layer 3 ({full} gas: 2 × 7 more price and {} more retention gas). The store is under \
             the state root; the boundary before layer 2 prunes the first, the one before layer 4 the second, and the \
             root after layer 4's transfer is the account root again.",
            retention(2, 7, 2) - retention(0, 0, 0)
        ),
    )
}

/// The calling contract and the callee of the calls vector (also `svm/tests/calls.rs`).
const CALL_PROXY: &str = include_str!("../../../corpus/contracts/calls/proxy.wat");
const CALL_LEAF: &str = include_str!("../../../corpus/contracts/calls/leaf.wat");

/// Calls: a successful callee's writes, value and log are kept; a refused call runs nothing; a trapping callee
/// leaves nothing while its caller's earlier write stays; a callee out of gas uses exactly what it was given; a
/// caller that traps after a successful callee commits nothing; re-entry is refused.
fn calls_all_or_nothing() -> Vector {
    use svm::outcome::{Outcome, Refusal, TrapKind};
    let mut b = Builder::new();
    b.deploy("proxy", CALL_PROXY, None);
    b.deploy("leaf", CALL_LEAF, None);
    let (proxy, _) = b.contract("proxy");
    let (leaf, _) = b.contract("leaf");
    let hop = |callee: svm::Address, name: &str| {
        let mut bytes = callee.0.to_vec();
        bytes.push(name.len() as u8);
        bytes.extend_from_slice(name.as_bytes());
        bytes
    };
    let relay = |function: &str, calldata: Vec<u8>, args: [i64; 3], value: u64| super::build::Call {
        calldata,
        value,
        ..call("proxy", function, args.map(Value::I64).to_vec())
    };
    let kept = b.execute(relay("relay", hop(leaf, "bump"), [5, 40, 0], 100));
    assert!(kept.outcome.is_success() && kept.calls[0].outcome.is_success(), "{kept:?}");
    assert_eq!(kept.logs, vec![b"B".to_vec()]);
    let leaf_intrinsic = b.intrinsic("leaf", 0);
    assert!(kept.calls[0].gas_used > leaf_intrinsic, "the callee pays its own intrinsic gas from what it was given");
    let refused = b.execute(relay("relay", hop(OTHER, "bump"), [5, 0, 0], 0));
    assert_eq!((refused.calls[0].outcome, refused.calls[0].gas_used), (Outcome::Refused(Refusal::NoSuchContract), 0));
    let trapped = b.execute(relay("relay", hop(leaf, "bump_then_trap"), [5, 40, 0], 0));
    assert_eq!(trapped.calls[0].outcome, Outcome::Trap(TrapKind::Unreachable));
    assert!(trapped.outcome.is_success() && trapped.logs.is_empty(), "{trapped:?}");
    let starved = b.execute(relay("relay", hop(leaf, "spin"), [0, 0, 30_000], 0));
    expect_gas("a callee out of gas", starved.calls[0].gas_used, 30_000);
    let undone = b.execute(relay("relay_then_trap", hop(leaf, "bump"), [5, 0, 0], 0));
    assert!(undone.outcome.is_failure() && undone.calls.is_empty(), "{undone:?}");
    let reentry = b.execute(relay("relay", hop(proxy, "relay"), [0, 0, 0], 0));
    assert_eq!(reentry.returns, vec![Value::I32(svm::call::status(Outcome::Refused(Refusal::Reentry)))]);
    b.finish(
        "calls/all-or-nothing",
        "docs/consensus.md#calls",
        &format!(
            "`proxy.relay(argv, value, gas)` calls the hop its calldata names (callee ‖ name length ‖ name) with its \
             three arguments, writing 7 to slice 0 before and the status to slice 1 after. (1) leaf.bump(5) moving 40 \
             of the 100 the transaction moved: kept, with the callee's log, its call record ({} gas, intrinsic \
             {leaf_intrinsic} included); (2) a call to an address without a contract: refused:no-such-contract, 0 gas; \
             (3) leaf.bump_then_trap: status 1024 (trap:unreachable), the leaf's write, log and the 40 are undone, \
             the proxy's writes stay; (4) leaf.spin with gas 30,000: out-of-gas using exactly 30,000; (5) \
             relay_then_trap after a successful bump: the transaction fails and lists no calls; (6) proxy calling \
             itself: status 1541 (refused:reentry).",
            kept.calls[0].gas_used
        ),
    )
}

/// The stack budget at its exact limit: the deepest recursion that fits succeeds; one frame more is
/// stack-exhausted.
fn stack_budget() -> Vector {
    let wat = ";; svm-layout: pages=0 slices=
(module
  (func $down (export \"down\") (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 0))
      (else (i64.add (i64.const 1) (call $down (i64.sub (local.get $n) (i64.const 1))))))))";
    // The deepest depth that fits, found by bisection on the runtime.
    let fits = |depth: i64| {
        let mut b = Builder::new();
        b.deploy("down", wat, None);
        b.execute(crate::vectors::build::Call {
            gas_limit: 100_000_000,
            ..call("down", "down", vec![Value::I64(depth)])
        })
        .outcome
        .is_success()
    };
    let (mut low, mut high) = (0i64, 100_000i64);
    while high - low > 1 {
        let mid = (low + high) / 2;
        if fits(mid) { low = mid } else { high = mid }
    }
    let mut b = Builder::new();
    b.deploy("down", wat, None);
    let ok = b
        .execute(crate::vectors::build::Call { gas_limit: 100_000_000, ..call("down", "down", vec![Value::I64(low)]) });
    let over = b.execute(crate::vectors::build::Call {
        gas_limit: 100_000_000,
        ..call("down", "down", vec![Value::I64(high)])
    });
    assert!(ok.outcome.is_success() && over.outcome == svm::outcome::Outcome::StackExhausted);
    let budget = svm::Limits::default().stack_budget;
    b.finish(
        "stack/exact-limit",
        "docs/consensus.md#the-stack-budget",
        &format!(
            "down(n) recurses n times: n + 1 frames of $down. The budget is {budget} slots; down({low}) fits, down({high}) \
             is stack-exhausted (gas used {}: what ran before the frame that did not fit).",
            over.gas_used
        ),
    )
}

/// `memory.grow` past the cap returns -1.
fn memory_cap() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=0 slices=
(module (memory 1) (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))";
    b.deploy("grow", wat, None);
    let cap = svm::Limits::default().max_memory_pages as i32;
    let fits = b.execute(call("grow", "grow", vec![Value::I32(cap - 1)]));
    let past = b.execute(call("grow", "grow", vec![Value::I32(cap)]));
    assert_eq!(fits.returns, vec![Value::I32(1)]);
    assert_eq!(past.returns, vec![Value::I32(-1)]);
    b.finish(
        "memory/grow-cap",
        "docs/consensus.md#memory",
        &format!("From 1 page, grow({}) reaches the cap of {cap} pages and returns 1; grow({cap}) would pass it and returns -1.", cap - 1),
    )
}

/// Every NaN an operator produces is the canonical NaN.
fn canonical_nan() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=0 slices=
(module
  (func (export \"div\") (result i64) (i64.reinterpret_f64 (f64.div (f64.const 0) (f64.const 0))))
  (func (export \"sqrt\") (result i64) (i64.reinterpret_f64 (f64.sqrt (f64.const -1))))
  (func (export \"promote\") (result i64) (i64.reinterpret_f64 (f64.promote_f32 (f32.reinterpret_i32 (i32.const 0x7fa00001)))))
  (func (export \"demote\") (result i32) (i32.reinterpret_f32 (f32.demote_f64 (f64.reinterpret_i64 (i64.const 0xfff4000000000001)))))
  (func (export \"pass\") (param f64) (result f64) (local.get 0))
  (func (export \"pass32\") (param f32) (result f32) (local.get 0)))";
    b.deploy("nan", wat, None);
    for function in ["div", "sqrt", "promote", "demote"] {
        b.execute(call("nan", function, vec![]));
    }
    for (function, value) in [
        ("pass", Value::F64(0x7FF8_0000_0000_0BAD)),
        ("pass", Value::F64(0xFFF0_0000_0000_0001)),
        ("pass32", Value::F32(0x7F80_0001)),
    ] {
        let passed = b.execute(call("nan", function, vec![value]));
        assert_eq!(passed.returns, vec![value], "{function}");
    }
    b.finish(
        "float/canonical-nan",
        "docs/consensus.md#floats",
        "0/0, sqrt(-1), and the promotion or demotion of NaNs with payloads all give the canonical NaN \
         (f64 7ff8000000000000, f32 7fc00000); a NaN that no operator produced — arguments passed through, a quiet \
         f64 with a payload, a negative signalling f64 and a signalling f32 — keeps its bits.",
    )
}

/// The order of the admission checks: the first that fails is the outcome.
fn admission_order() -> Vector {
    let mut b = Builder::new();
    b.deploy("add", ";; svm-layout: pages=0 slices=\n(module (func (export \"f\")))", None);
    let stale = b.nonce(&super::build::USER) + 5;
    let max = svm::Limits::default();
    let big = crate::vectors::build::Call {
        calldata: vec![0; max.max_calldata_bytes as usize + 1],
        nonce: Some(stale),
        ..call("add", "f", vec![])
    };
    b.execute(big);
    b.execute(crate::vectors::build::Call {
        gas_limit: max.max_gas_limit + 1,
        nonce: Some(stale),
        ..call("add", "f", vec![])
    });
    b.execute(crate::vectors::build::Call { gas_price: u64::MAX, nonce: Some(stale), ..call("add", "f", vec![]) });
    b.execute(crate::vectors::build::Call { gas_price: u64::MAX / 999_999, ..call("add", "f", vec![]) });
    b.execute(crate::vectors::build::Call { gas_price: 2_000_000, ..call("add", "f", vec![]) });
    b.execute(crate::vectors::build::Call { sender: FEE_ACCOUNT, ..call("add", "f", vec![]) });
    b.execute(crate::vectors::build::Call { contract: "nowhere".into(), ..call("add", "f", vec![]) });
    b.transfer(FEE_ACCOUNT, 1, 1);
    let outcomes: Vec<String> = b.outcomes().into_iter().skip(1).collect();
    let expected = [
        "calldata-too-large",
        "gas-limit-too-high",
        "nonce-mismatch",
        "fee-overflow",
        "insufficient-balance",
        "fee-account",
        "unknown-contract",
        "fee-account",
    ];
    assert_eq!(outcomes, expected.map(|r| format!("invalid:{r}")));
    b.finish(
        "outcome/admission-order",
        "docs/consensus.md#transaction-validity",
        "Each transaction breaks the rule checked first and later ones: too much calldata (with a stale nonce) is \
         calldata-too-large; a gas limit past the ceiling (stale nonce) is gas-limit-too-high; a stale nonce with a \
         price whose product overflows is nonce-mismatch; an overflowing product with a good nonce is fee-overflow; a \
         limit × price beyond the balance is insufficient-balance; the fee account as sender is fee-account; a call \
         to no contract is unknown-contract; a transfer to the fee account is fee-account. None changes the root.",
    )
}

/// The order inside an admitted execution: intrinsic gas, then the export, then its arguments.
fn execution_order() -> Vector {
    let mut b = Builder::new();
    b.deploy("add", ";; svm-layout: pages=0 slices=\n(module (func (export \"f\") (param i64)))", None);
    let intrinsic = b.intrinsic("add", 0);
    b.execute(crate::vectors::build::Call { gas_limit: intrinsic - 1, ..call("add", "missing", vec![]) });
    b.execute(call("add", "missing", vec![Value::I32(1)]));
    b.execute(call("add", "f", vec![Value::I32(1)]));
    b.execute(call("add", "f", vec![Value::I64(1)]));
    b.finish(
        "outcome/execution-order",
        "docs/consensus.md#execution",
        &format!(
            "With a limit below the intrinsic {intrinsic}, even a missing export is out-of-gas (the whole limit paid); then \
             no-such-function before argument checks; then argument-mismatch (both pay the intrinsic only); then success."
        ),
    )
}

/// A vmcall's price is charged before any of its checks.
fn vmcall_price_before_checks() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=1 slices=0:0:8
(module
  (import \"svm\" \"storage_read_to_mem\" (func $read (param i32 i32 i32 i32)))
  (import \"svm\" \"storage_read_to_reg\" (func $to_reg (param i32 i32 i32 i32 i32)))
  (memory 1)
  (func (export \"huge\") (call $read (i32.const 9) (i32.const 0) (i32.const -1) (i32.const 0)))
  (func (export \"bad_slice\") (call $read (i32.const 9) (i32.const 0) (i32.const 4) (i32.const 0)))
  (func (export \"bad_both\") (call $to_reg (i32.const 9) (i32.const 0) (i32.const 4) (i32.const 7) (i32.const 0))))";
    b.deploy("calls", wat, None);
    b.execute(call("calls", "huge", vec![]));
    b.execute(call("calls", "bad_slice", vec![]));
    b.execute(call("calls", "bad_both", vec![]));
    b.finish(
        "outcome/vmcall-price-first",
        "docs/consensus.md#vmcalls",
        "storage_read_to_mem with length 2^32 - 1 costs more than any limit: out-of-gas, though its slice does not \
         exist; with length 4 the slice check fails: unknown-slice. storage_read_to_reg with a bad slice and a bad \
         register class reports the register first: unknown-register (docs/vmcalls.md, which error wins).",
    )
}

/// The order of a deploy's checks after admission: intrinsic gas, layout, code.
fn deploy_order() -> Vector {
    let mut b = Builder::new();
    let rejected = ";; svm-layout: pages=1 slices=0:0:8\n(module (func (export \"f\") (drop (v128.const i64x2 0 0))))";
    let bad_layout =
        ";; svm-layout: pages=1 slices=1:0:8\n(module (func (export \"f\") (drop (v128.const i64x2 0 0))))";
    b.deploy("simd-short", rejected, Some(1_000));
    b.deploy("simd-bad-layout", bad_layout, None);
    b.deploy("simd", rejected, None);
    b.deploy("ok", ";; svm-layout: pages=1 slices=0:0:8\n(module (func (export \"f\")))", None);
    b.finish(
        "outcome/deploy-order",
        "docs/consensus.md#deploy-admission",
        "A SIMD contract with a limit below its intrinsic gas: out-of-gas (limit paid). With a slice on a page past the \
         count: refused:invalid-layout (the layout is checked before the code). With a good layout: \
         refused:code-rejected:simd. Each refusal pays the deploy's intrinsic gas. A plain contract deploys.",
    )
}

/// Each trap kind, as its outcome.
fn trap_kinds() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=0 slices=
(module (memory 1)
  (type $v (func))
  (table 2 funcref) (elem (i32.const 0) $nop)
  (func $nop)
  (func (export \"unreachable\") unreachable)
  (func (export \"oob\") (drop (i32.load (i32.const 65535))))
  (func (export \"table\") (call_indirect (type $v) (i32.const 5)))
  (func (export \"null\") (call_indirect (type $v) (i32.const 1)))
  (func (export \"signature\") (drop (call_indirect (result i32) (i32.const 0))))
  (func (export \"overflow\") (drop (i32.div_s (i32.const -2147483648) (i32.const -1))))
  (func (export \"division\") (drop (i64.rem_u (i64.const 1) (i64.const 0))))
  (func (export \"nan_to_int\") (drop (i32.trunc_f32_s (f32.const nan))))
  (func (export \"too_big_to_int\") (drop (i32.trunc_f64_u (f64.const 1e10)))))";
    b.deploy("traps", wat, None);
    for f in
        ["unreachable", "oob", "table", "null", "signature", "overflow", "division", "nan_to_int", "too_big_to_int"]
    {
        b.execute(call("traps", f, vec![]));
    }
    b.finish(
        "outcome/trap-kinds",
        "docs/consensus.md#outcomes",
        "One call per trap: unreachable, memory-out-of-bounds (a 4-byte load at 65,535), table-out-of-bounds, \
         indirect-call-to-null, bad-signature, integer-overflow (i32.div_s of -2^31 by -1), integer-division-by-zero, \
         invalid-conversion-to-integer (trunc of NaN), and integer-overflow again (trunc of an out-of-range value).",
    )
}

/// The fee rule: a failure pays gas used × price and consumes its nonce; an invalid transaction pays nothing.
fn fee_rule() -> Vector {
    let mut b = Builder::new();
    b.deploy("traps", ";; svm-layout: pages=0 slices=\n(module (func (export \"f\") unreachable))", None);
    let failed = b.execute(crate::vectors::build::Call { gas_price: 7, value: 1_000, ..call("traps", "f", vec![]) });
    let stale = b.nonce(&super::build::USER) + 1;
    b.execute(crate::vectors::build::Call { gas_price: 7, nonce: Some(stale), ..call("traps", "f", vec![]) });
    b.finish(
        "fee/failure-pays-invalid-does-not",
        "docs/consensus.md#the-fee-rule",
        &format!(
            "A call that traps at price 7 with value 1,000: the sender's nonce moves, {} × 7 = {} moves to the fee \
             account, the value stays with the sender. The same call with a stale nonce is invalid: the root does not \
             change.",
            failed.gas_used,
            failed.gas_used * 7
        ),
    )
}

/// A contract may export an imported vmcall; calling it runs just the vmcall.
fn exported_vmcall() -> Vector {
    let mut b = Builder::new();
    let wat = ";; svm-layout: pages=1 slices=0:0:8
(module
  (import \"svm\" \"host_layer\" (func $layer (result i64)))
  (import \"svm\" \"storage_read_i64\" (func $read (param i32) (result i64)))
  (export \"layer\" (func $layer))
  (export \"read\" (func $read)))";
    b.deploy("reexport", wat, None);
    let intrinsic = b.intrinsic("reexport", 0);
    let layer = b.execute(call("reexport", "layer", vec![]));
    let read = b.execute(call("reexport", "read", vec![Value::I32(0)]));
    b.execute(call("reexport", "read", vec![Value::I32(5)]));
    expect_gas("exported host_layer", layer.gas_used, intrinsic + 2);
    expect_gas("exported storage_read_i64", read.gas_used, intrinsic + 40 + 500);
    b.finish(
        "gas/exported-vmcall",
        "docs/consensus.md#vmcalls",
        &format!(
            "An export that is an imported vmcall runs the vmcall alone: no operator gas, no stack budget. \
             host_layer: {intrinsic} intrinsic + 2; storage_read_i64(0): + 40 + 500 (page load); \
             storage_read_i64(5): host:unknown-slice."
        ),
    )
}

/// `add_store(slice, ptr)`: adds the two u64s at `ptr` in memory, writes the sum to `slice` and returns it.
const ADD_STORE: &str = "(param $slice i32) (param $ptr i32) (result i64)
    (local $sum i64)
    (local.set $sum (i64.add (i64.load (local.get $ptr)) (i64.load offset=8 (local.get $ptr))))
    (call $write (local.get $slice) (local.get $sum))
    (local.get $sum)";

/// The library exporting [`ADD_STORE`].
fn library_add() -> String {
    format!(
        r#"(module
  (import "env" "memory" (memory 1))
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  (func (export "add_store") {ADD_STORE}))"#
    )
}

/// The contract around a call of `add_store`: `import` declares it (a library import, or nothing when `inline`
/// defines it).
fn library_user(import: &str, inline: &str) -> String {
    format!(
        r#";; svm-layout: pages=1 slices=0:0:8
(module
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  {import}
  (memory 1)
  (func (export "run") (param $a i64) (param $b i64) (result i64)
    (i64.store (i32.const 16) (local.get $a))
    (i64.store (i32.const 24) (local.get $b))
    (call $add_store (i32.const 0) (i32.const 16)))
  {inline})"#
    )
}

/// Libraries: a library deploy pays the intrinsic gas of its code; a contract linking it pays for its code and the
/// library's; a call through it pays the inline copy's metered gas and the intrinsic gas of the linked length; a
/// transfer to the library's account is invalid.
fn libraries_link_and_call() -> Vector {
    let mut b = Builder::new();
    let library = wat::parse_str(library_add()).unwrap_or_default();
    let (library_len, hash) = (library.len() as u64, svm::code::code_hash(&library));
    let deployed = b.deploy_library("library/add", &library_add(), None);
    expect_gas("library deploy", deployed.gas_used, 50_000 + 2_000 * library_len);
    let import = format!(r#"(import "{hash}" "add_store" (func $add_store (param i32 i32) (result i64)))"#);
    let linked = library_user(&import, "");
    let inline = library_user("", &format!("(func $add_store {ADD_STORE})"));
    let contract_len = wat::parse_str(&linked).map(|code| code.len()).unwrap_or_default() as u64;
    let linked_len = contract_len + library_len;
    let deploy = b.deploy("user", &linked, Some(intrinsic::deploy(linked_len as usize, 1)));
    expect_gas("linked deploy", deploy.gas_used, 50_000 + 2_000 * linked_len + 100);
    b.deploy("inline", &inline, None);
    let through_library = b.execute(call("user", "run", vec![Value::I64(40), Value::I64(2)]));
    let written_inline = b.execute(call("inline", "run", vec![Value::I64(40), Value::I64(2)]));
    assert_eq!(through_library.returns, vec![Value::I64(42)]);
    assert_eq!(written_inline.returns, through_library.returns);
    let metered = through_library.gas_used - (20_000 + 10 * linked_len);
    expect_gas("metered gas through the library", metered, written_inline.gas_used - b.intrinsic("inline", 0));
    let refused = b.transfer(svm::address::library_address(&hash), 1, 1);
    assert_eq!(refused.outcome, svm::outcome::Outcome::Invalid(svm::outcome::InvalidTx::LibraryAccount));
    b.finish(
        "libraries/link-and-call",
        "docs/consensus.md#libraries",
        &format!(
            "`library/add` ({library_len} bytes) is deployed for 50,000 + 2,000 × {library_len} gas; `user` \
             ({contract_len} bytes) imports its `add_store` and deploys for 50,000 + 2,000 × {linked_len} + 100 (its \
             code and the library's); `inline` is `user` with the function written in. `run(40, 2)` returns 42 and \
             writes it to slice 0 either way; through the library it costs 20,000 + 10 × {linked_len} intrinsic and \
             {metered} metered, exactly the inline copy's metered gas. A transfer to the library's account is \
             invalid:library-account."
        ),
    )
}
