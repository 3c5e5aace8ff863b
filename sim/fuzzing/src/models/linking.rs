//! The linking model: the libraries a module imports, and what linking must make of a deploy given the libraries
//! registered before it — restated from `docs/consensus.md` (Libraries), never taken from the runtime's linker.
//! It says exactly what it can: an unknown first library, or the linked length when every library is registered;
//! anything else it leaves to agreement.

use svm::Hash;
use svm::link_rule::{LinkRule, library_hash};
use wasmparser::{Parser, Payload, TypeRef, Validator, WasmFeatures};

/// What linking must make of a module being deployed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkExpectation {
    /// It imports no library (or is not a valid module, which the allow-list judges as it is).
    NoLibraries,
    /// The first library it imports is not registered: `refused:link:unknown-library`.
    UnknownFirst,
    /// Every library it needs is registered: it links, and its linked length is this.
    Linked {
        /// Its code's length plus every library's, once each.
        code_len: usize,
    },
    /// A library further down is not registered, or its code is not known: no exact expectation.
    Unknown,
}

/// The libraries `code` imports from, in first-import order; empty for a module that does not validate.
pub fn library_imports(code: &[u8]) -> Vec<Hash> {
    if Validator::new_with_features(WasmFeatures::all()).validate_all(code).is_err() {
        return Vec::new();
    }
    let mut hashes = Vec::new();
    for payload in Parser::new(0).parse_all(code) {
        let Ok(Payload::ImportSection(reader)) = payload else { continue };
        for import in reader.into_imports().flatten() {
            if let Some(hash) = library_hash(import.module)
                && !hashes.contains(&hash)
            {
                hashes.push(hash);
            }
        }
    }
    hashes
}

/// What linking must make of `code`, given the code of each registered library (`None`: not registered).
pub fn expect_link(code: &[u8], registered: &dyn Fn(&Hash) -> Option<Vec<u8>>) -> LinkExpectation {
    let imports = library_imports(code);
    let Some(first) = imports.first() else { return LinkExpectation::NoLibraries };
    if registered(first).is_none() {
        return LinkExpectation::UnknownFirst;
    }
    // Every library once, however many modules import it.
    let (mut seen, mut pending, mut code_len) = (Vec::new(), imports, code.len());
    while let Some(hash) = pending.pop() {
        if seen.contains(&hash) {
            continue;
        }
        let Some(library) = registered(&hash) else { return LinkExpectation::Unknown };
        code_len += library.len();
        pending.extend(library_imports(&library));
        seen.push(hash);
    }
    LinkExpectation::Linked { code_len }
}

/// Whether `code` may be a library, and if not the rule it breaks: a valid module; no memory, table, data or
/// element segment or start function of its own (`library-not-code-only`); then, import by import, vmcalls and
/// library functions, the caller's plain memory as `env.memory`, a global (`library-not-code-only`) or anything
/// else (`library-import`).
pub fn library_shape(code: &[u8]) -> Result<(), LinkRule> {
    if Validator::new_with_features(WasmFeatures::all()).validate_all(code).is_err() {
        return Err(LinkRule::Malformed);
    }
    let mut imports = Vec::new();
    for payload in Parser::new(0).parse_all(code) {
        match payload.map_err(|_| LinkRule::Malformed)? {
            Payload::MemorySection(_)
            | Payload::TableSection(_)
            | Payload::DataSection(_)
            | Payload::ElementSection(_)
            | Payload::StartSection { .. } => return Err(LinkRule::LibraryNotCodeOnly),
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|_| LinkRule::Malformed)?;
                    imports.push((import.module.to_string(), import.name.to_string(), import.ty));
                }
            }
            _ => {}
        }
    }
    for (module, name, ty) in imports {
        match ty {
            TypeRef::Func(_) if module == "svm" || library_hash(&module).is_some() => {}
            TypeRef::Memory(m) if module == "env" && name == "memory" && !m.memory64 && !m.shared => {}
            TypeRef::Global(_) => return Err(LinkRule::LibraryNotCodeOnly),
            _ => return Err(LinkRule::LibraryImport),
        }
    }
    Ok(())
}
