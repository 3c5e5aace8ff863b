//! The rules a contract can break at deploy, each with a stable code.

use crate::stable_codes::stable_codes;
use thiserror::Error;

/// One rule of the deploy allow-list. The code of each is consensus data (it goes into receipts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// Not a valid WebAssembly 1.0 module (bad bytes, a component, a failed validation).
    Malformed,
    /// The binary is longer than the limit.
    CodeTooLarge,
    /// A float type or operator, under the `refused` float rule.
    Float,
    /// A SIMD (v128) type or operator.
    Simd,
    /// A threads/atomics operator or a shared memory.
    Threads,
    /// A bulk table operator (`table.copy`, `table.init`, `elem.drop`) or a passive element segment: the
    /// memory half of bulk memory is admitted, the table half is not.
    BulkMemory,
    /// Reference types: ref operators, typed select, several tables, a non-funcref table.
    ReferenceTypes,
    /// A tail call.
    TailCall,
    /// Exception handling.
    Exceptions,
    /// More than one memory, or a memory operator on a memory other than 0.
    MultiMemory,
    /// A 64-bit memory or table.
    Memory64,
    /// Any other post-1.0 proposal.
    OtherProposal,
    /// A declared initial or maximum memory beyond the cap.
    MemoryTooLarge,
    /// A declared initial or maximum table size beyond the cap.
    TableTooLarge,
    /// Too many types.
    TooManyTypes,
    /// Too many functions.
    TooManyFunctions,
    /// Too many imports.
    TooManyImports,
    /// Too many exports.
    TooManyExports,
    /// Too many globals.
    TooManyGlobals,
    /// A function type with too many parameters or results.
    TooManyParams,
    /// A function with too many locals.
    TooManyLocals,
    /// A function whose frame (locals plus deepest operand stack) is heavier than allowed.
    FrameTooLarge,
    /// An import from a module other than `svm`.
    ImportOutsideSvm,
    /// An import from `svm` that names no vmcall.
    UnknownVmcall,
    /// A vmcall imported with the wrong signature.
    VmcallSignature,
    /// An imported memory, table, global or tag.
    NonFunctionImport,
    /// A start function.
    StartFunction,
    /// An export name the VM reserves for its instrumentation.
    ReservedExport,
    /// An exported function's name longer than a transaction can name.
    ExportNameTooLong,
}

stable_codes!(Rule {
    Malformed => "malformed",
    CodeTooLarge => "code-too-large",
    Float => "float",
    Simd => "simd",
    Threads => "threads",
    BulkMemory => "bulk-memory",
    ReferenceTypes => "reference-types",
    TailCall => "tail-call",
    Exceptions => "exceptions",
    MultiMemory => "multi-memory",
    Memory64 => "memory64",
    OtherProposal => "other-proposal",
    MemoryTooLarge => "memory-too-large",
    TableTooLarge => "table-too-large",
    TooManyTypes => "too-many-types",
    TooManyFunctions => "too-many-functions",
    TooManyImports => "too-many-imports",
    TooManyExports => "too-many-exports",
    TooManyGlobals => "too-many-globals",
    TooManyParams => "too-many-params",
    TooManyLocals => "too-many-locals",
    FrameTooLarge => "frame-too-large",
    ImportOutsideSvm => "import-outside-svm",
    UnknownVmcall => "unknown-vmcall",
    VmcallSignature => "vmcall-signature",
    NonFunctionImport => "non-function-import",
    StartFunction => "start-function",
    ReservedExport => "reserved-export",
    ExportNameTooLong => "export-name-too-long",
});

impl Rule {
    /// Whether the rule refuses a feature (a proposal, an import, a start function, malformed bytes),
    /// as opposed to a size or count over a limit.
    pub fn refuses_a_feature(self) -> bool {
        !matches!(
            self,
            Rule::CodeTooLarge
                | Rule::MemoryTooLarge
                | Rule::TableTooLarge
                | Rule::TooManyTypes
                | Rule::TooManyFunctions
                | Rule::TooManyImports
                | Rule::TooManyExports
                | Rule::TooManyGlobals
                | Rule::TooManyParams
                | Rule::TooManyLocals
                | Rule::FrameTooLarge
                | Rule::ExportNameTooLong
        )
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A rejected contract: the rule it breaks and a human-readable detail (not consensus data).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("rejected by rule {rule}: {detail}")]
pub struct ValidationError {
    /// The rule broken (consensus data).
    pub rule: Rule,
    /// Where and how (diagnostics only).
    pub detail: String,
}

impl ValidationError {
    /// A rejection for `rule` with `detail`.
    pub fn new(rule: Rule, detail: impl Into<String>) -> ValidationError {
        ValidationError { rule, detail: detail.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_names_are_unique() {
        for &rule in Rule::ALL {
            assert_eq!(Rule::from_code(rule.code()), Some(rule));
            assert_eq!(Rule::ALL.iter().filter(|r| r.name() == rule.name()).count(), 1);
        }
        assert_eq!(Rule::from_code(Rule::ALL.len() as u8), None);
    }
}
