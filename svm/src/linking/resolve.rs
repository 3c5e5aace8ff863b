//! Resolving a contract's library imports: every library it needs, transitively, each once, dependencies first,
//! with each import checked against the export it names.

use super::module_summary::{ImportEntry, ModuleSummary};
use super::{LibrarySource, LinkError, LinkRule, MAX_LIBRARIES, MAX_LIBRARY_DEPTH, library_module_name};
use crate::Hash;
use link_parser::TypeRef;
use svm_core::vmcalls::registry::NAMESPACE;

use svm_core::validation::LIBRARY_MEMORY_IMPORT as MEMORY_IMPORT;

/// A library in a linked result.
#[derive(Clone, Debug)]
pub(super) struct Library {
    /// Its code hash.
    pub hash: Hash,
    /// Its module.
    pub summary: ModuleSummary,
}

/// A contract and every library it links, dependencies before the modules that import them.
#[derive(Clone, Debug)]
pub(super) struct LinkGraph {
    /// The contract.
    pub contract: ModuleSummary,
    /// The libraries.
    pub libraries: Vec<Library>,
}

impl LinkGraph {
    /// The library whose code hash is `hash`, with its position.
    pub fn library(&self, hash: &Hash) -> Option<(usize, &Library)> {
        self.libraries.iter().enumerate().find(|(_, l)| l.hash == *hash)
    }
}

/// Resolves every library `contract` needs from `source`.
pub(super) fn resolve(contract: ModuleSummary, source: &dyn LibrarySource) -> Result<LinkGraph, LinkError> {
    let mut walk = Walk { source, stack: Vec::new(), done: Vec::new() };
    for hash in library_imports(&contract) {
        walk.visit(hash)?;
    }
    let graph = LinkGraph { contract, libraries: walk.done };
    check_imports(&graph, &graph.contract, "the contract")?;
    for library in &graph.libraries {
        let who = format!("library {}", library_module_name(&library.hash));
        check_imports(&graph, &library.summary, &who)?;
        check_memory(&graph, &library.summary, &who)?;
    }
    Ok(graph)
}

/// The libraries a module imports from, in first-import order.
fn library_imports(module: &ModuleSummary) -> Vec<Hash> {
    let mut hashes = Vec::new();
    for hash in module.imports.iter().filter_map(ImportEntry::library) {
        if !hashes.contains(&hash) {
            hashes.push(hash);
        }
    }
    hashes
}

/// The depth-first walk over library imports.
struct Walk<'a> {
    source: &'a dyn LibrarySource,
    stack: Vec<Hash>,
    done: Vec<Library>,
}

impl Walk<'_> {
    fn visit(&mut self, hash: Hash) -> Result<(), LinkError> {
        let name = library_module_name(&hash);
        if self.stack.contains(&hash) {
            return Err(LinkError::new(LinkRule::LibraryCycle, format!("library {name} imports itself")));
        }
        if self.done.iter().any(|l| l.hash == hash) {
            return Ok(());
        }
        if self.stack.len() == MAX_LIBRARY_DEPTH {
            return Err(LinkError::new(
                LinkRule::LibraryDepth,
                format!("library {name} is {} imports deep; at most {MAX_LIBRARY_DEPTH}", self.stack.len() + 1),
            ));
        }
        let code = self
            .source
            .library(&hash)
            .ok_or_else(|| LinkError::new(LinkRule::UnknownLibrary, format!("no library {name} is deployed")))?;
        let summary =
            ModuleSummary::read(code).map_err(|e| LinkError::new(e.rule, format!("library {name}: {}", e.detail)))?;
        code_only(&summary, &name)?;
        self.stack.push(hash);
        for dependency in library_imports(&summary) {
            self.visit(dependency)?;
        }
        self.stack.pop();
        if self.done.len() == MAX_LIBRARIES {
            return Err(LinkError::new(
                LinkRule::TooManyLibraries,
                format!("more than {MAX_LIBRARIES} libraries in one linked result"),
            ));
        }
        self.done.push(Library { hash, summary });
        Ok(())
    }
}

/// Refuses a library that defines state or imports what it may not.
pub(super) fn code_only(library: &ModuleSummary, name: &str) -> Result<(), LinkError> {
    if let Some(state) = library.state.first() {
        return Err(LinkError::new(LinkRule::LibraryNotCodeOnly, format!("library {name} defines {state}")));
    }
    for import in &library.imports {
        let what = format!("library {name} imports `{}`.`{}`", import.module, import.name);
        match import.ty {
            TypeRef::Func(_) if import.module == NAMESPACE || import.library().is_some() => {}
            TypeRef::Memory(m) if (import.module.as_str(), import.name.as_str()) == MEMORY_IMPORT => {
                if m.memory64 || m.shared {
                    return Err(LinkError::new(LinkRule::LibraryImport, format!("{what}: a 64-bit or shared memory")));
                }
            }
            TypeRef::Global(_) => {
                return Err(LinkError::new(LinkRule::LibraryNotCodeOnly, format!("{what}: a global of its caller")));
            }
            _ => {
                return Err(LinkError::new(
                    LinkRule::LibraryImport,
                    format!("{what}; a library imports vmcalls, library functions and `env`.`memory` only"),
                ));
            }
        }
    }
    Ok(())
}

/// Checks every library import of `module` against the export it names.
fn check_imports(graph: &LinkGraph, module: &ModuleSummary, who: &str) -> Result<(), LinkError> {
    for import in &module.imports {
        let Some(hash) = import.library() else { continue };
        let name = library_module_name(&hash);
        let missing = || {
            LinkError::new(
                LinkRule::MissingExport,
                format!("{who} imports `{}` from library {name}, which exports no such function", import.name),
            )
        };
        let Some((_, library)) = graph.library(&hash) else { return Err(missing()) };
        let index = library.summary.exported_function(&import.name).ok_or_else(missing)?;
        let (Some(wanted), Some(exported)) = (module.import_type(import), library.summary.function_type(index)) else {
            return Err(missing());
        };
        if wanted != exported {
            return Err(LinkError::new(
                LinkRule::SignatureMismatch,
                format!(
                    "{who} imports `{}` from library {name} as {wanted:?}; the library exports {exported:?}",
                    import.name
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that the contract has a memory that satisfies `library`'s import of it, if it imports one (its only
/// memory: see [`code_only`]).
fn check_memory(graph: &LinkGraph, library: &ModuleSummary, who: &str) -> Result<(), LinkError> {
    let Some(wanted) = library.memories.first() else { return Ok(()) };
    let Some(memory) = graph.contract.memories.first() else {
        return Err(LinkError::new(LinkRule::MemoryMismatch, format!("{who} imports memory; the contract has none")));
    };
    let fits = memory.initial >= wanted.initial
        && match wanted.maximum {
            None => true,
            Some(max) => memory.maximum.is_some_and(|m| m <= max),
        };
    if !fits {
        return Err(LinkError::new(
            LinkRule::MemoryMismatch,
            format!(
                "{who} imports a memory of {} to {:?} pages; the contract's is {} to {:?}",
                wanted.initial, wanted.maximum, memory.initial, memory.maximum
            ),
        ));
    }
    Ok(())
}
