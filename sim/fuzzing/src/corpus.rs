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

/// The corpus contracts that deploy and have functions worth calling: the ordinary ones and the
/// hostile ones the allow-list accepts.
pub const CALLABLE: [&str; 7] = [
    "counter",
    "token",
    "registers",
    "hostile/recursion_bomb",
    "hostile/infinite_loop",
    "hostile/memory_grow_bomb",
    "hostile/oob_pointer",
];

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
    fn every_corpus_contract_parses() {
        for name in super::names() {
            assert!(super::contract(name).is_some(), "{name}");
        }
    }
}
