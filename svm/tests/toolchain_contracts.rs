//! Contracts from real toolchains — the Rust SDK's examples (Debian's rustc 1.63), C by clang 14
//! (WebAssembly 1.0) and by zig cc (a current LLVM: bulk memory) — deploy from the layout their code
//! declares and run identically on every compiler and cache mode, every invariant checked after each
//! call. And the checked-in binaries are what their sources build to, where the toolchains exist.

mod common;

use common::*;
use svm::Value;
use svm::outcome::{Outcome, TrapKind};
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Runtime};
use svm::transaction::{Execute, Transaction};
use svm_fuzzing::oracles::execution::apply_checked;

/// One call: function, arguments, calldata, value.
type Call<'a> = (&'a str, Vec<Value>, &'a [u8], u64);

/// Deploys corpus contract `name` on every configuration and makes `calls` from account 2; the receipts,
/// which every configuration agrees on.
fn on_every_replica(name: &str, calls: &[Call<'_>]) -> Vec<Receipt> {
    let source = contract(name);
    on_every_config(name, |rt| {
        let c = deployed(rt, &source);
        calls.iter().map(|(f, args, data, value)| exec(rt, c, f, args, data, *value)).collect()
    })
}

/// Runs `script` on a fresh runtime of every configuration; the receipts it returns, which every configuration
/// agrees on.
fn on_every_config(what: &str, script: impl Fn(&mut Runtime) -> Vec<Receipt>) -> Vec<Receipt> {
    let mut first: Option<Vec<Receipt>> = None;
    for config in configs() {
        let mut rt = runtime(config.clone());
        let receipts = script(&mut rt);
        match &first {
            None => first = Some(receipts),
            Some(expected) => {
                assert_eq!(expected.len(), receipts.len());
                for (i, (a, b)) in expected.iter().zip(&receipts).enumerate() {
                    assert_eq!(a.hash(), b.hash(), "{what} call {i} on {config:?}: {a:?} vs {b:?}");
                }
            }
        }
    }
    first.unwrap_or_default()
}

fn exec(
    rt: &mut Runtime,
    contract: svm::Address,
    function: &str,
    args: &[Value],
    calldata: &[u8],
    value: u64,
) -> Receipt {
    let nonce = rt.account(&account(2)).unwrap().map_or(0, |a| a.nonce);
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
    apply_checked(rt, &tx, &BlockContext::default())
}

fn returns(receipts: &[Receipt]) -> Vec<Vec<Value>> {
    receipts.iter().map(|r| r.returns.clone()).collect()
}

#[test]
fn the_sdk_token_mints_transfers_and_logs() {
    let r = on_every_replica(
        "sdk/token",
        &[
            ("mint", vec![Value::I32(3), Value::I64(100)], b"", 0),
            ("transfer", vec![Value::I32(3), Value::I32(5), Value::I64(40)], b"", 0),
            ("transfer", vec![Value::I32(3), Value::I32(5), Value::I64(61)], b"", 0),
            ("balance", vec![Value::I32(5)], b"", 0),
            ("supply", vec![], b"", 0),
            ("mint", vec![Value::I32(8), Value::I64(1)], b"", 0),
        ],
    );
    assert_eq!(
        returns(&r),
        vec![vec![], vec![Value::I32(1)], vec![Value::I32(0)], vec![Value::I64(40)], vec![Value::I64(100)], vec![]]
    );
    let mut transfer_log = 3u32.to_le_bytes().to_vec();
    transfer_log.extend(5u32.to_le_bytes());
    transfer_log.extend(40u64.to_le_bytes());
    assert_eq!(r[1].logs, vec![transfer_log]);
    assert!(r[2].logs.is_empty());
    assert_eq!(r[5].outcome, Outcome::Trap(TrapKind::Unreachable), "holder 8 aborts");
}

#[test]
fn the_sdk_vault_keeps_a_record_per_user() {
    let r = on_every_replica(
        "sdk/vault",
        &[
            ("deposit", vec![], b"", 70),
            ("deposit", vec![], b"", 5),
            ("withdraw", vec![Value::I64(30)], b"", 0),
            ("withdraw", vec![Value::I64(1000)], b"", 0),
            ("balance", vec![], b"", 0),
            ("users", vec![], b"", 0),
            ("held", vec![], b"", 0),
            ("user", vec![Value::I32(0)], b"", 0),
        ],
    );
    assert_eq!(
        returns(&r)[..7],
        [
            vec![Value::I64(70)],
            vec![Value::I64(75)],
            vec![Value::I32(1)],
            vec![Value::I32(0)],
            vec![Value::I64(45)],
            vec![Value::I32(1)],
            vec![Value::I64(75)]
        ]
    );
    assert_eq!(r[7].returndata, account(2).0.to_vec());
}

#[test]
fn the_sdk_library_mathlib_links_into_the_sdk_contract_stats_and_runs_as_its_own_code() {
    use svm::transaction::DeployLibrary;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/contracts/sdk/mathlib.wasm");
    let mathlib = std::fs::read(path).unwrap();
    // stats imports mathlib by the hash of exactly this build (corpus/contracts/build.sh checks it).
    let stats_source = contract("sdk/stats");
    let hash = svm::code::code_hash(&mathlib);
    assert!(svm_fuzzing::models::linking::library_imports(&stats_source.code).contains(&hash));
    let r = on_every_config("sdk/stats", |rt| {
        let nonce = rt.account(&account(3)).unwrap().map_or(0, |a| a.nonce);
        let library = Transaction::DeployLibrary(DeployLibrary {
            author: account(3),
            nonce,
            code: mathlib.clone(),
            gas_limit: GAS,
            gas_price: PRICE,
        });
        let deployed_library = rt.apply(&library, &BlockContext::default()).unwrap();
        let stats = deployed(rt, &stats_source);
        vec![
            deployed_library,
            exec(rt, stats, "score", &[Value::I64(1), Value::I64(2), Value::I64(3)], b"", 0),
            exec(rt, stats, "score", &[Value::I64(10), Value::I64(0), Value::I64(5)], b"", 0),
            exec(rt, stats, "total", &[], b"", 0),
            exec(rt, stats, "root", &[], b"", 0),
        ]
    });
    assert_eq!(r[0].outcome, Outcome::Success, "{}", r[0].diagnostic);
    // 3·1 + 2·2 + 3 = 10; then 3·10 + 0 + 5 = 35 more: 45, whose square root is 6.
    assert_eq!(
        returns(&r)[1..],
        [vec![Value::I64(10)], vec![Value::I64(45)], vec![Value::I64(45)], vec![Value::I64(6)]]
    );
}

#[test]
fn the_sdk_router_calls_the_sdk_token_and_goes_on_when_the_token_fails() {
    use svm::call::status;
    use svm::outcome::Refusal;
    let (token_source, router_source) = (contract("sdk/token"), contract("sdk/router"));
    let r = on_every_config("sdk/router", |rt| {
        let token = deployed(rt, &token_source);
        let router = deployed(rt, &router_source);
        let nowhere = svm::Address([0xEE; 20]);
        let forward = |rt: &mut Runtime, from: i32, amount: i64, callee: svm::Address| {
            let args = [Value::I32(from), Value::I32(5), Value::I64(amount)];
            exec(rt, router, "forward", &args, &callee.0, 0)
        };
        vec![
            exec(rt, token, "mint", &[Value::I32(3), Value::I64(100)], b"", 0),
            forward(rt, 3, 40, token),
            forward(rt, 3, 1000, token),
            forward(rt, 8, 1, token),
            forward(rt, 3, 1, router),
            forward(rt, 3, 1, nowhere),
            exec(rt, token, "balance", &[Value::I32(5)], b"", 0),
            exec(rt, token, "supply", &[], b"", 0),
            exec(rt, router, "attempts", &[], b"", 0),
            exec(rt, router, "forwarded", &[], b"", 0),
        ]
    });
    let failed = |outcome: Outcome| vec![Value::I64(-i64::from(status(outcome)))];
    assert_eq!(
        returns(&r)[1..],
        [
            vec![Value::I64(1)],
            vec![Value::I64(0)],
            failed(Outcome::Trap(TrapKind::Unreachable)),
            failed(Outcome::Refused(Refusal::Reentry)),
            failed(Outcome::Refused(Refusal::NoSuchContract)),
            vec![Value::I64(40)],
            vec![Value::I64(100)],
            vec![Value::I64(5)],
            vec![Value::I64(1)],
        ]
    );
    // Every forward succeeds as a transaction, the token's abort included; only the moving one logs.
    assert!(r.iter().all(|receipt| receipt.outcome == Outcome::Success), "{r:?}");
    assert_eq!(r[1].logs.len(), 1);
    assert!(r[3].logs.is_empty(), "the failed token call's writes and logs are gone");
}

#[test]
fn the_sdk_storage_forms_reach_every_storage_vmcall() {
    let r = on_every_replica(
        "sdk/storage_forms",
        &[
            ("set_u64", vec![Value::I64(-2)], b"", 0),
            ("get_u64", vec![], b"", 0),
            ("set_small", vec![Value::I32(0x0102_0304)], b"", 0),
            ("get_small", vec![], b"", 0),
            ("name_fill", vec![Value::I32(2), Value::I32(3), Value::I32(9)], b"", 0),
            ("name_read", vec![Value::I32(1), Value::I32(4)], b"", 0),
            ("name_read_reg", vec![Value::I32(2), Value::I32(3)], b"", 0),
            ("big_fill", vec![Value::I32(4000), Value::I32(96), Value::I32(1)], b"", 0),
            ("big_sum", vec![Value::I32(0), Value::I32(4096)], b"", 0),
            ("claim", vec![], b"", 0),
            ("is_owner", vec![], b"", 0),
            ("echo", vec![], b"abc", 0),
        ],
    );
    assert!(r.iter().all(|r| r.outcome.is_success()), "{:?}", r.iter().map(|r| r.outcome.name()).collect::<Vec<_>>());
    assert_eq!(r[1].returns, vec![Value::I64(-2)]);
    assert_eq!(r[3].returns, vec![Value::I32(0x02_0304)], "a 3-byte slice keeps the low 3 bytes");
    assert_eq!(r[8].returns, vec![Value::I64(96)]);
    assert_eq!(r[10].returns, vec![Value::I32(1)]);
    assert_eq!(r[11].returndata, b"abc".to_vec());
}

#[test]
fn the_sdk_registry_keeps_its_collections_across_calls() {
    let i = |v: i64| Value::I64(v);
    let r = on_every_replica(
        "sdk/registry",
        &[
            ("register", vec![i(5), i(50)], b"", 0),
            ("register", vec![i(2), i(20)], b"", 0),
            ("register", vec![i(9), i(90)], b"", 0),
            ("register", vec![i(5), i(55)], b"", 0),
            ("lookup", vec![i(5)], b"", 0),
            ("lookup", vec![i(3)], b"", 0),
            ("count", vec![], b"", 0),
            ("names_between", vec![i(2), i(9)], b"", 0),
            ("names_between", vec![i(3), i(100)], b"", 0),
            ("forget", vec![i(2)], b"", 0),
            ("names_between", vec![i(0), i(100)], b"", 0),
            ("registrations", vec![], b"", 0),
            ("last_registration", vec![], b"", 0),
            ("registrations", vec![], b"", 0),
            ("history_len", vec![i(5)], b"", 0),
            ("history_len", vec![i(7)], b"", 0),
        ],
    );
    assert!(r.iter().all(|r| r.outcome.is_success()), "{:?}", r.iter().map(|r| r.outcome.name()).collect::<Vec<_>>());
    let returns: Vec<Vec<Value>> = r.iter().map(|r| r.returns.clone()).collect();
    let u = |v: u32| vec![Value::I32(v as i32)];
    assert_eq!(returns[3], u(1), "a second registration of 5 replaces its value");
    assert_eq!(returns[4], vec![i(55)]);
    assert_eq!(returns[5], vec![i(-1)], "an absent name");
    assert_eq!(returns[6], vec![i(3)]);
    assert_eq!(returns[7], vec![i(2)], "names 2 and 5 are in [2, 9)");
    assert_eq!(returns[8], vec![i(2)], "names 5 and 9 are in [3, 100)");
    assert_eq!(returns[9], u(1));
    assert_eq!(returns[10], vec![i(2)]);
    assert_eq!(returns[11], vec![i(4)]);
    assert_eq!(returns[12], vec![i(5)], "the last registration was of 5");
    assert_eq!(returns[13], vec![i(3)], "and it is off the list");
    assert_eq!(returns[14], vec![i(2)], "5 had two values");
    assert_eq!(returns[15], vec![i(0)], "7 never had one: its history opens empty");
    // Every registration emitted its event: topics "register" and the name (big-endian, zero-padded),
    // data the value, live for 16 more layers than the one it ran in (0 here).
    let topic = |bytes: &[u8]| {
        let mut t = [0u8; 32];
        t[..bytes.len()].copy_from_slice(bytes);
        t
    };
    for (call, (name, value)) in [(0, (5u64, 50u64)), (1, (2, 20)), (2, (9, 90)), (3, (5, 55))] {
        let event = &r[call].events;
        assert_eq!(event.len(), 1, "register call {call}");
        assert_eq!(event[0].topics, vec![topic(b"register"), topic(&name.to_be_bytes())]);
        assert_eq!((event[0].data.clone(), event[0].expires), (value.to_le_bytes().to_vec(), 16));
    }
    assert!(r[4..].iter().all(|r| r.events.is_empty()), "only registrations emit");
}

#[test]
fn c_contracts_from_clang_and_from_zig_agree_bulk_memory_and_all() {
    let calls: Vec<Call<'_>> = vec![
        ("fill", vec![Value::I32(7), Value::I32(10)], b"", 0),
        ("copy", vec![Value::I32(0), Value::I32(5), Value::I32(10)], b"", 0),
        ("load", vec![Value::I32(60)], b"wxyz", 0),
        ("byte_at", vec![Value::I32(14)], b"", 0),
        ("sum", vec![], b"", 0),
        ("fill", vec![Value::I32(1), Value::I32(65)], b"", 0),
    ];
    let clang = on_every_replica("c/buffer.clang", &calls);
    let zig = on_every_replica("c/buffer.zig", &calls);
    assert_eq!(returns(&clang), returns(&zig));
    let expected_sum = 7 * 15 + [b'w', b'x', b'y', b'z'].iter().map(|&b| u64::from(b)).sum::<u64>();
    assert_eq!(clang[4].returns, vec![Value::I64(expected_sum as i64)]);
    assert_eq!(clang[5].outcome, Outcome::Trap(TrapKind::Unreachable));
    // zig's build copies and fills with bulk memory; clang 14's with loops.
    let has_bulk = |name: &str| {
        let code = contract(name).code;
        wasmparser::Parser::new(0).parse_all(&code).any(|p| match p {
            Ok(wasmparser::Payload::CodeSectionEntry(body)) => body
                .get_operators_reader()
                .map(|ops| {
                    ops.into_iter().flatten().any(|op| {
                        matches!(op, wasmparser::Operator::MemoryCopy { .. } | wasmparser::Operator::MemoryFill { .. })
                    })
                })
                .unwrap_or(false),
            _ => false,
        })
    };
    assert!(has_bulk("c/buffer.zig") && !has_bulk("c/buffer.clang"));

    let counter = [("inc", vec![], &b""[..], 0), ("add", vec![Value::I64(41)], b"", 0), ("get", vec![], b"", 0)];
    for name in ["c/counter.clang", "c/counter.zig"] {
        assert_eq!(
            returns(&on_every_replica(name, &counter)),
            vec![vec![Value::I64(1)], vec![Value::I64(42)], vec![Value::I64(42)]]
        );
    }
}

#[test]
fn the_checked_in_binaries_are_what_their_sources_build_to() {
    // `build.sh --check` rebuilds every compiled contract and compares bytes: 0 identical, 1 differs,
    // 2 a toolchain is missing here (CI installs them; see .ci/run).
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/contracts/build.sh");
    let out = std::process::Command::new("bash").arg(script).arg("--check").output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    match out.status.code() {
        Some(0) => assert!(text.contains("byte-identical"), "{text}"),
        Some(2) if std::env::var_os("SVM_REQUIRE_TOOLCHAINS").is_none() => {
            eprintln!("toolchains missing here; not checked: {text}");
        }
        code => panic!("build.sh --check exited {code:?}:\n{text}"),
    }
}
