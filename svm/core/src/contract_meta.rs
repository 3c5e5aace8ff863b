//! Contract metadata: what deploy learned about a contract that executions need before any code is
//! loaded — its code size (for intrinsic gas; the linked code's, when it links libraries), the libraries it links, its storage layout, and its exported functions with
//! their signatures (so that a call to a missing function, or with the wrong arguments, is refused
//! without loading or compiling anything). Stored content-addressed; the account names its hash.

use crate::layout::StorageLayout;
use crate::value::ValueType;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The parameter and result types of an exported function.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FunctionSignature {
    /// Parameter types, in order.
    pub params: Vec<ValueType>,
    /// Result types, in order.
    pub results: Vec<ValueType>,
}

/// Everything an execution needs to know about a contract before loading its code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractMeta {
    /// The length of the contract's code in bytes.
    pub code_len: u32,
    /// The storage layout (shared: every execution of the contract reads it).
    pub layout: Arc<StorageLayout>,
    /// Exported functions by name.
    pub exports: BTreeMap<String, FunctionSignature>,
    /// The code hashes of the libraries linked into the contract, in link order (empty: none).
    pub libraries: Vec<crate::Hash>,
}

impl ContractMeta {
    /// The hash the metadata is stored under: blake3 of its canonical encoding.
    pub fn hash(&self) -> crate::Hash {
        blake3::hash(&crate::codec::encode(self)).into()
    }
}
