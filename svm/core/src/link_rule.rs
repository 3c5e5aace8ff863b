//! The rules linking a contract with its libraries can break, each with a stable code (see `svm::linking`).

use crate::stable_codes::stable_codes;
use thiserror::Error;

/// Libraries importing libraries nest at most this deep (the contract's own imports are depth 1).
pub const MAX_LIBRARY_DEPTH: usize = 8;
/// Distinct libraries in one linked result at most.
pub const MAX_LIBRARIES: usize = 32;

/// The library code hash an import module names, if it names one: 64 lowercase hex digits.
pub fn library_hash(module: &str) -> Option<crate::Hash> {
    let digits = module.as_bytes();
    if digits.len() != 64 || !digits.iter().all(|d| matches!(d, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut hash = [0u8; 32];
    for (byte, pair) in hash.iter_mut().zip(digits.chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(crate::Hash(hash))
}

/// One rule of linking; the code of each is stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkRule {
    /// The contract or a library does not parse as a WebAssembly module.
    Malformed,
    /// An import names a library that is not deployed.
    UnknownLibrary,
    /// An import names a function the library does not export.
    MissingExport,
    /// An import's signature differs from the library export's.
    SignatureMismatch,
    /// A library imports, directly or not, itself.
    LibraryCycle,
    /// Libraries import libraries deeper than [`MAX_LIBRARY_DEPTH`].
    LibraryDepth,
    /// More than [`MAX_LIBRARIES`] distinct libraries in one linked result.
    TooManyLibraries,
    /// A library defines state of its own: a memory, table, global import, data or element segment, or a start
    /// function.
    LibraryNotCodeOnly,
    /// A library imports something other than vmcalls, library functions or the caller's memory.
    LibraryImport,
    /// A library imports the caller's memory and the contract has none that satisfies the import.
    MemoryMismatch,
}

stable_codes!(LinkRule {
    Malformed => "malformed",
    UnknownLibrary => "unknown-library",
    MissingExport => "missing-export",
    SignatureMismatch => "signature-mismatch",
    LibraryCycle => "library-cycle",
    LibraryDepth => "library-depth",
    TooManyLibraries => "too-many-libraries",
    LibraryNotCodeOnly => "library-not-code-only",
    LibraryImport => "library-import",
    MemoryMismatch => "memory-mismatch",
});

/// Why a contract could not be linked: the rule broken and what broke it.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{rule}: {detail}")]
pub struct LinkError {
    /// The rule.
    pub rule: LinkRule,
    /// What broke it, for people.
    pub detail: String,
}

impl LinkError {
    /// An error of `rule`, `detail` saying what broke it.
    pub fn new(rule: LinkRule, detail: impl Into<String>) -> Self {
        Self { rule, detail: detail.into() }
    }
}

impl std::fmt::Display for LinkRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
