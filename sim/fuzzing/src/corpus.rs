//! The corpus contracts, built into the binary so that the simulator runs from any directory.

use crate::contract_source::ContractSource;

/// (name, WAT source with its layout line) of every corpus contract.
const SOURCES: [(&str, &str); 12] = [
    ("counter", include_str!("../../../corpus/contracts/counter.wat")),
    ("lists", include_str!("../../../corpus/contracts/lists.wat")),
    ("token", include_str!("../../../corpus/contracts/token.wat")),
    ("registers", include_str!("../../../corpus/contracts/registers.wat")),
    ("hostile/recursion_bomb", include_str!("../../../corpus/contracts/hostile/recursion_bomb.wat")),
    ("hostile/infinite_loop", include_str!("../../../corpus/contracts/hostile/infinite_loop.wat")),
    ("hostile/memory_grow_bomb", include_str!("../../../corpus/contracts/hostile/memory_grow_bomb.wat")),
    ("hostile/oob_pointer", include_str!("../../../corpus/contracts/hostile/oob_pointer.wat")),
    ("float", include_str!("../../../corpus/contracts/float.wat")),
    ("hostile/simd", include_str!("../../../corpus/contracts/hostile/simd.wat")),
    ("hostile/oversized_memory", include_str!("../../../corpus/contracts/hostile/oversized_memory.wat")),
    ("hostile/unknown_import", include_str!("../../../corpus/contracts/hostile/unknown_import.wat")),
];

/// A parameter of a corpus function and the range of values worth passing to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// An `i32` in `min..=max`.
    I32 {
        /// Smallest value worth passing.
        min: i32,
        /// Largest value worth passing.
        max: i32,
    },
    /// An `i64` in `min..=max`.
    I64 {
        /// Smallest value worth passing.
        min: i64,
        /// Largest value worth passing.
        max: i64,
    },
    /// Any `f64`, NaNs with payloads, infinities and signed zeros among them.
    F64,
}

/// An exported function of a corpus contract worth calling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorpusFunction {
    /// The export's name.
    pub name: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    /// Whether it reads the value moved with the call.
    pub uses_value: bool,
    /// Whether it reads calldata.
    pub uses_calldata: bool,
}

/// A corpus contract that deploys, and the functions worth calling on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallableContract {
    /// The corpus name.
    pub name: &'static str,
    /// Whether it is one of the hostile contracts (each call is a deliberate failure).
    pub hostile: bool,
    /// Its functions.
    pub functions: &'static [CorpusFunction],
}

const fn f(name: &'static str, params: &'static [Param]) -> CorpusFunction {
    CorpusFunction { name, params, uses_value: false, uses_calldata: false }
}

/// A token holder index: the token contracts have 8.
const HOLDER: Param = Param::I32 { min: 0, max: 7 };

/// The functions of the C buffer contract, built by either compiler.
const BUFFER: &[CorpusFunction] = &[
    f("fill", &[Param::I32 { min: 0, max: 255 }, Param::I32 { min: 0, max: 64 }]),
    f("copy", &[Param::I32 { min: 0, max: 63 }, Param::I32 { min: 0, max: 63 }, Param::I32 { min: 0, max: 64 }]),
    CorpusFunction { uses_calldata: true, ..f("load", &[Param::I32 { min: 0, max: 63 }]) },
    f("byte_at", &[Param::I32 { min: 0, max: 63 }]),
    f("sum", &[]),
];

/// The corpus contracts that deploy and have functions worth calling — the ordinary ones and the
/// hostile ones the allow-list accepts — with their functions. The one list every workload, test and
/// seed corpus draws calls from.
pub const CALLABLE: [CallableContract; 16] = [
    CallableContract {
        name: "counter",
        hostile: false,
        functions: &[f("inc", &[]), f("add", &[Param::I64 { min: -5, max: 100 }]), f("get", &[])],
    },
    CallableContract {
        name: "token",
        hostile: false,
        functions: &[
            f("mint", &[HOLDER, Param::I64 { min: 1, max: 500 }]),
            f("transfer", &[HOLDER, HOLDER, Param::I64 { min: 0, max: 300 }]),
            f("balance", &[HOLDER]),
            f("supply", &[]),
        ],
    },
    CallableContract {
        name: "registers",
        hostile: false,
        functions: &[
            f("my_balance", &[]),
            f("sender_balance", &[]),
            f("remember_sender", &[]),
            CorpusFunction { uses_value: true, ..f("layer_plus_value", &[]) },
            f("roundtrip", &[Param::I64 { min: i64::MIN, max: i64::MAX }]),
            CorpusFunction { uses_calldata: true, ..f("echo", &[]) },
        ],
    },
    CallableContract {
        name: "float",
        hostile: false,
        functions: &[
            f("half", &[Param::I32 { min: -1000, max: 1000 }]),
            f("sqrt_bits", &[Param::F64]),
            f("scale", &[Param::F64]),
        ],
    },
    CallableContract {
        name: "sdk/token",
        hostile: false,
        functions: &[
            f("mint", &[HOLDER, Param::I64 { min: 1, max: 500 }]),
            f("transfer", &[HOLDER, HOLDER, Param::I64 { min: 0, max: 300 }]),
            f("balance", &[HOLDER]),
            f("supply", &[]),
        ],
    },
    CallableContract {
        name: "sdk/vault",
        hostile: false,
        functions: &[
            CorpusFunction { uses_value: true, ..f("deposit", &[]) },
            f("withdraw", &[Param::I64 { min: 0, max: 60 }]),
            f("balance", &[]),
            f("balance_at", &[Param::I32 { min: 0, max: 63 }]),
            f("user", &[Param::I32 { min: 0, max: 63 }]),
            f("users", &[]),
            f("total", &[]),
            f("held", &[]),
        ],
    },
    CallableContract {
        name: "sdk/registry",
        hostile: false,
        functions: &[
            f("register", &[Param::I64 { min: 0, max: 24 }, Param::I64 { min: i64::MIN, max: i64::MAX }]),
            f("lookup", &[Param::I64 { min: 0, max: 24 }]),
            f("forget", &[Param::I64 { min: 0, max: 24 }]),
            f("count", &[]),
            f("names_between", &[Param::I64 { min: 0, max: 24 }, Param::I64 { min: 0, max: 24 }]),
            f("registrations", &[]),
            f("last_registration", &[]),
            f("history_len", &[Param::I64 { min: 0, max: 24 }]),
        ],
    },
    CallableContract {
        name: "sdk/storage_forms",
        hostile: false,
        functions: &[
            f("set_u64", &[Param::I64 { min: i64::MIN, max: i64::MAX }]),
            f("get_u64", &[]),
            f("set_small", &[Param::I32 { min: i32::MIN, max: i32::MAX }]),
            f("get_small_wide", &[]),
            f(
                "name_fill",
                &[Param::I32 { min: 0, max: 40 }, Param::I32 { min: 0, max: 40 }, Param::I32 { min: 0, max: 255 }],
            ),
            f("name_read_reg", &[Param::I32 { min: 0, max: 40 }, Param::I32 { min: 0, max: 40 }]),
            f(
                "big_fill",
                &[Param::I32 { min: 0, max: 4000 }, Param::I32 { min: 0, max: 200 }, Param::I32 { min: 0, max: 255 }],
            ),
            f("big_sum", &[Param::I32 { min: 0, max: 4000 }, Param::I32 { min: 0, max: 200 }]),
            f("copy_to_tail", &[]),
            f("claim", &[]),
            f("is_owner", &[]),
            CorpusFunction { uses_calldata: true, ..f("echo", &[]) },
        ],
    },
    CallableContract {
        name: "c/counter.clang",
        hostile: false,
        functions: &[f("inc", &[]), f("add", &[Param::I64 { min: -5, max: 100 }]), f("get", &[])],
    },
    CallableContract {
        name: "c/counter.zig",
        hostile: false,
        functions: &[f("inc", &[]), f("add", &[Param::I64 { min: -5, max: 100 }]), f("get", &[])],
    },
    CallableContract { name: "c/buffer.clang", hostile: false, functions: BUFFER },
    CallableContract { name: "c/buffer.zig", hostile: false, functions: BUFFER },
    CallableContract {
        name: "hostile/recursion_bomb",
        hostile: true,
        functions: &[f("down", &[Param::I64 { min: 0, max: 0 }])],
    },
    CallableContract { name: "hostile/infinite_loop", hostile: true, functions: &[f("spin", &[])] },
    CallableContract {
        name: "hostile/memory_grow_bomb",
        hostile: true,
        functions: &[f("grow", &[]), f("grow_huge", &[])],
    },
    CallableContract { name: "hostile/oob_pointer", hostile: true, functions: &[f("smash", &[])] },
];

/// The callable contract called `name`.
pub fn callable(name: &str) -> Option<&'static CallableContract> {
    CALLABLE.iter().find(|c| c.name == name)
}

/// Contracts built by real toolchains (`corpus/contracts/build.sh`): the Rust SDK's examples (Debian's
/// rustc 1.63), and C contracts by clang 14 (WebAssembly 1.0) and by zig cc (a current LLVM: bulk memory).
const COMPILED: [(&str, &[u8]); 10] = [
    ("sdk/token", include_bytes!("../../../corpus/contracts/sdk/token.wasm")),
    ("sdk/vault", include_bytes!("../../../corpus/contracts/sdk/vault.wasm")),
    ("sdk/storage_forms", include_bytes!("../../../corpus/contracts/sdk/storage_forms.wasm")),
    ("sdk/registry", include_bytes!("../../../corpus/contracts/sdk/registry.wasm")),
    ("sdk/router", include_bytes!("../../../corpus/contracts/sdk/router.wasm")),
    // It links the library sdk/mathlib (`corpus/contracts/sdk/mathlib.wasm`), deployed before it.
    ("sdk/stats", include_bytes!("../../../corpus/contracts/sdk/stats.wasm")),
    ("c/counter.clang", include_bytes!("../../../corpus/contracts/c/counter.clang.wasm")),
    ("c/counter.zig", include_bytes!("../../../corpus/contracts/c/counter.zig.wasm")),
    ("c/buffer.clang", include_bytes!("../../../corpus/contracts/c/buffer.clang.wasm")),
    ("c/buffer.zig", include_bytes!("../../../corpus/contracts/c/buffer.zig.wasm")),
];

/// The corpus contract called `name` (`counter`, `hostile/simd`, `sdk/token`, `c/buffer.zig` …).
pub fn contract(name: &str) -> Option<ContractSource> {
    // The corpus is part of this build and tested to parse: a failure here is a build defect.
    if let Some((name, text)) = SOURCES.iter().find(|(n, _)| *n == name) {
        return ContractSource::from_wat(name, text).ok();
    }
    let (name, code) = COMPILED.iter().find(|(n, _)| *n == name)?;
    ContractSource::from_wasm(name, code).ok()
}

/// Every corpus contract's name.
pub fn names() -> impl Iterator<Item = &'static str> {
    SOURCES.iter().map(|(name, _)| *name).chain(COMPILED.iter().map(|(name, _)| *name))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_callable_function_is_exported_with_its_parameters() {
        use crate::generators::calls::exported_functions;
        for callable in super::CALLABLE {
            let code = super::contract(callable.name).unwrap().code;
            let exports = exported_functions(&code);
            for function in callable.functions {
                let export = exports.iter().find(|e| e.name == function.name);
                let export = export.unwrap_or_else(|| panic!("{}.{} is not exported", callable.name, function.name));
                let types: Vec<Option<svm::ValueType>> = function
                    .params
                    .iter()
                    .map(|p| match p {
                        super::Param::I32 { .. } => Some(svm::ValueType::I32),
                        super::Param::I64 { .. } => Some(svm::ValueType::I64),
                        super::Param::F64 => Some(svm::ValueType::F64),
                    })
                    .collect();
                assert_eq!(export.params, types, "{}.{}", callable.name, function.name);
            }
        }
    }

    #[test]
    fn every_corpus_contract_parses() {
        for name in super::names() {
            assert!(super::contract(name).is_some(), "{name}");
        }
    }
}
