//! The corpus contracts, built into the binary so that the simulator runs from any directory.

use crate::contract_source::ContractSource;

/// (name, WAT source with its layout line) of every corpus contract.
const SOURCES: [(&str, &str); 10] = [
    ("counter", include_str!("../../../corpus/contracts/counter.wat")),
    ("token", include_str!("../../../corpus/contracts/token.wat")),
    ("registers", include_str!("../../../corpus/contracts/registers.wat")),
    ("hostile/recursion_bomb", include_str!("../../../corpus/contracts/hostile/recursion_bomb.wat")),
    ("hostile/infinite_loop", include_str!("../../../corpus/contracts/hostile/infinite_loop.wat")),
    ("hostile/memory_grow_bomb", include_str!("../../../corpus/contracts/hostile/memory_grow_bomb.wat")),
    ("hostile/oob_pointer", include_str!("../../../corpus/contracts/hostile/oob_pointer.wat")),
    ("hostile/float", include_str!("../../../corpus/contracts/hostile/float.wat")),
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

/// A token holder index: the token contract has 8.
const HOLDER: Param = Param::I32 { min: 0, max: 7 };

/// The corpus contracts that deploy and have functions worth calling — the ordinary ones and the
/// hostile ones the allow-list accepts — with their functions. The one list every workload, test and
/// seed corpus draws calls from.
pub const CALLABLE: [CallableContract; 7] = [
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

/// The corpus contract called `name` (`counter`, `hostile/float` …).
pub fn contract(name: &str) -> Option<ContractSource> {
    let (name, text) = SOURCES.iter().find(|(n, _)| *n == name)?;
    // The corpus is part of this build and tested to parse: a failure here is a build defect.
    ContractSource::from_wat(name, text).ok()
}

/// Every corpus contract's name.
pub fn names() -> impl Iterator<Item = &'static str> {
    SOURCES.iter().map(|(name, _)| *name)
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
