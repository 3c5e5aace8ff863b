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

use crate::validation::{ImportAdmission, Rule, ValidatedModule, ValidationError, validate_admitting};
use crate::{Hash, Limits};
pub use svm_core::link_rule::{LinkError, LinkRule, MAX_LIBRARIES, MAX_LIBRARY_DEPTH, library_hash};

/// The import module naming a library's code hash (its lowercase hex, as `Hash` displays).
pub fn library_module_name(hash: &Hash) -> String {
    hash.to_string()
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

/// Checks that `code` can be a library: a module that defines no state of its own and imports only vmcalls,
/// library functions and its caller's memory.
pub fn check_library(code: &[u8]) -> Result<(), LinkError> {
    resolve::code_only(&module_summary::ModuleSummary::read(code.into())?, "being deployed")
}

/// How many of each counted item a linked module has (`docs/consensus.md`, Libraries).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkedCounts {
    /// Types: every module's.
    pub types: u64,
    /// Imports: the deployed module's vmcall imports, then each vmcall a library imports that no module before it
    /// imports under the same name and type.
    pub imports: u64,
    /// Defined functions: every module's.
    pub functions: u64,
    /// Globals: every module's.
    pub globals: u64,
}

/// A contract linked with its libraries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linked {
    /// The code as deployed.
    pub source: std::sync::Arc<[u8]>,
    /// The single module to compile (the contract's own code when it imports no library).
    pub code: std::sync::Arc<[u8]>,
    /// The libraries merged in, in the order their functions follow the contract's.
    pub libraries: Vec<Hash>,
    /// The length that counts for gas and the code-size limit: the contract's code plus each library's, once.
    /// The merged module's own length depends on how it is encoded, which no rule fixes, so it counts for nothing.
    pub code_len: usize,
    /// The linked module's counted items.
    pub counts: LinkedCounts,
}

impl Linked {
    /// Applies the allow-list to a linked module (`library`: under the library rules), in the order
    /// `docs/consensus.md` (Libraries) gives: the code size of [`Linked::code_len`]; every rule to the module as
    /// deployed, its library imports admitted (each library passed the allow-list at its own deploy); then the
    /// counts of the linked module. None of it depends on how the merged module is encoded.
    pub fn validate(&self, limits: &Limits, library: bool) -> Result<ValidatedModule, ValidationError> {
        if self.libraries.is_empty() {
            return validate_admitting(&self.source, limits, ImportAdmission { library, library_imports: false });
        }
        let over = |rule, what: &str, count: u64, max: u64| {
            (count > max).then(|| ValidationError::new(rule, format!("{count} {what} once linked; at most {max}")))
        };
        if let Some(e) = over(Rule::CodeTooLarge, "bytes", self.code_len as u64, limits.max_code_bytes as u64) {
            return Err(e);
        }
        let admission = ImportAdmission { library, library_imports: true };
        let validated =
            validate_admitting(&self.source, &Limits { max_code_bytes: usize::MAX, ..limits.clone() }, admission)?;
        let counts = self.counts;
        let checks = [
            (Rule::TooManyTypes, "types", counts.types, limits.max_types),
            (Rule::TooManyImports, "imports", counts.imports, limits.max_imports),
            (Rule::TooManyFunctions, "functions", counts.functions, limits.max_functions),
            (Rule::TooManyGlobals, "globals", counts.globals, limits.max_globals),
        ];
        match checks.into_iter().find_map(|(rule, what, count, max)| over(rule, what, count, max.into())) {
            Some(e) => Err(e),
            None => Ok(validated),
        }
    }
}

/// Links `contract` with the libraries it imports, found in `source`.
pub fn link(contract: &[u8], source: &dyn LibrarySource) -> Result<Linked, LinkError> {
    let Some(contract_summary) = module_summary::ModuleSummary::read_if_linking(contract) else {
        let code: std::sync::Arc<[u8]> = contract.into();
        return Ok(Linked {
            source: code.clone(),
            code,
            libraries: Vec::new(),
            code_len: contract.len(),
            counts: LinkedCounts::default(),
        });
    };
    let graph = resolve::resolve(contract_summary, source)?;
    let (code, imports) = merge::merge(&graph)?;
    let modules = || std::iter::once(&graph.contract).chain(graph.libraries.iter().map(|l| &l.summary));
    let counts = LinkedCounts {
        types: modules().map(|m| m.types.len() as u64).sum(),
        imports: imports as u64,
        functions: modules().map(|m| m.functions.len() as u64).sum(),
        globals: modules().map(|m| u64::from(m.globals)).sum(),
    };
    let code_len = graph.libraries.iter().fold(contract.len(), |len, l| len.saturating_add(l.summary.code.len()));
    let libraries = graph.libraries.iter().map(|l| l.hash).collect();
    Ok(Linked { source: contract.into(), code: code.into(), libraries, code_len, counts })
}
