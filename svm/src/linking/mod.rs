//! Static linking of on-chain libraries into a contract: the seed's "one executable unit of code".
//!
//! A contract imports a library's function as `(import "<library code hash, 64 lowercase hex>" "<export>"
//! (func …))`. [`link`] resolves those imports, transitively, against deployed library code and merges every
//! library's functions and globals into the contract's module, so that library code runs as the contract's own:
//! one linear memory (a library imports it as `("env", "memory")`), one gas meter, one stack budget. A
//! library is code only: it defines no memory, table, data or element segment and no start function. Its
//! vmcall imports join the contract's (one import per vmcall); its own library imports are linked the same
//! way, each library once however many modules import it. The allow-list then applies to the linked result.
//!
//! A contract that imports no library links to itself, byte for byte.

mod merge;
mod module_summary;
mod resolve;

use crate::Hash;
pub use svm_core::link_rule::{LinkError, LinkRule, MAX_LIBRARIES, MAX_LIBRARY_DEPTH};

/// The import module naming a library's code hash (its lowercase hex, as `Hash` displays).
pub fn library_module_name(hash: &Hash) -> String {
    hash.to_string()
}

/// The library code hash an import module names, if it names one (64 lowercase hex digits).
pub fn library_hash(module: &str) -> Option<Hash> {
    let digits = module.as_bytes();
    if digits.len() != 64 || !digits.iter().all(|d| matches!(d, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut hash = [0u8; 32];
    for (byte, pair) in hash.iter_mut().zip(digits.chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(Hash(hash))
}

/// Where linking finds deployed libraries: their code by code hash.
pub trait LibrarySource {
    /// The code of the library whose code hash is `hash`, if one is deployed.
    fn library(&self, hash: &Hash) -> Option<std::sync::Arc<[u8]>>;
}

impl LibrarySource for std::collections::BTreeMap<Hash, std::sync::Arc<[u8]>> {
    fn library(&self, hash: &Hash) -> Option<std::sync::Arc<[u8]>> {
        self.get(hash).cloned()
    }
}

/// A contract linked with its libraries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linked {
    /// The single module to validate and compile (the contract's own code when it imports no library).
    pub code: std::sync::Arc<[u8]>,
    /// The libraries merged in, in the order their functions follow the contract's.
    pub libraries: Vec<Hash>,
}

/// Links `contract` with the libraries it imports, found in `source`.
pub fn link(contract: &[u8], source: &dyn LibrarySource) -> Result<Linked, LinkError> {
    let Some(contract_summary) = module_summary::ModuleSummary::read_if_linking(contract) else {
        return Ok(Linked { code: contract.into(), libraries: Vec::new() });
    };
    let graph = resolve::resolve(contract_summary, source)?;
    let code = merge::merge(&graph)?;
    Ok(Linked { code: code.into(), libraries: graph.libraries.iter().map(|l| l.hash).collect() })
}
