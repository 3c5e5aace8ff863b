//! Libraries (docs/consensus.md, *Libraries*): what a library may be, resolving the libraries a module imports —
//! the walk and its rules, in their order — and the linked length and counts the allow-list judges. Read from
//! the bytes with the reference's own reading of each module.

use std::sync::Arc;
use svm_core::link_rule::{LinkRule, MAX_LIBRARIES, MAX_LIBRARY_DEPTH, library_hash};
use svm_core::validation::LIBRARY_MEMORY_IMPORT;
use svm_core::{Hash, Limits};
use wasmparser::{
    CompositeInnerType, ExternalKind, FuncType, MemoryType, Parser, Payload, TypeRef, Validator, WasmFeatures,
};

/// A link rule broken, with what broke it.
pub type Broken = (LinkRule, String);

/// What linking reads of one module.
#[derive(Clone, Debug)]
pub struct View {
    code_len: usize,
    types: Vec<Option<FuncType>>,
    /// Imports: (module, name, what).
    imports: Vec<(String, String, TypeRef)>,
    /// The type index of every function, imports first.
    func_types: Vec<u32>,
    defined_functions: u64,
    globals: u64,
    /// Function exports by name (the first of a name).
    exports: Vec<(String, u32)>,
    /// Memories, the imported one first.
    memories: Vec<MemoryType>,
    /// Whether it defines a memory, table, data or element segment or a start function.
    defines_state: bool,
}

impl View {
    /// Reads `code`, which must validate as WebAssembly (any feature).
    pub fn read(code: &[u8]) -> Result<View, String> {
        Validator::new_with_features(WasmFeatures::all()).validate_all(code).map_err(|e| e.message().to_string())?;
        let mut view = View {
            code_len: code.len(),
            types: Vec::new(),
            imports: Vec::new(),
            func_types: Vec::new(),
            defined_functions: 0,
            globals: 0,
            exports: Vec::new(),
            memories: Vec::new(),
            defines_state: false,
        };
        for payload in Parser::new(0).parse_all(code) {
            match payload.map_err(|e| e.message().to_string())? {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group.map_err(|e| e.message().to_string())?.types() {
                            view.types.push(match &sub.composite_type.inner {
                                CompositeInnerType::Func(ty) => Some(ty.clone()),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(|e| e.message().to_string())?;
                        match import.ty {
                            TypeRef::Func(ty) => view.func_types.push(ty),
                            TypeRef::Memory(memory) => view.memories.push(memory),
                            TypeRef::Global(_) => view.globals += 1,
                            _ => {}
                        }
                        view.imports.push((import.module.to_string(), import.name.to_string(), import.ty));
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        view.func_types.push(ty.map_err(|e| e.message().to_string())?);
                        view.defined_functions += 1;
                    }
                }
                Payload::GlobalSection(reader) => view.globals += u64::from(reader.count()),
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(|e| e.message().to_string())?;
                        if export.kind == ExternalKind::Func {
                            view.exports.push((export.name.to_string(), export.index));
                        }
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        view.memories.push(memory.map_err(|e| e.message().to_string())?);
                    }
                    view.defines_state = true;
                }
                Payload::TableSection(_)
                | Payload::DataSection(_)
                | Payload::ElementSection(_)
                | Payload::StartSection { .. } => view.defines_state = true,
                _ => {}
            }
        }
        Ok(view)
    }

    /// Whether it imports from at least one library.
    pub fn imports_a_library(&self) -> bool {
        self.imports.iter().any(|(module, _, _)| library_hash(module).is_some())
    }

    /// The libraries it imports from, in first-import order.
    fn library_imports(&self) -> Vec<Hash> {
        let mut hashes: Vec<Hash> = Vec::new();
        for hash in self.imports.iter().filter_map(|(module, _, _)| library_hash(module)) {
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        }
        hashes
    }

    fn function_type(&self, index: u32) -> Option<&FuncType> {
        self.types.get(*self.func_types.get(index as usize)? as usize)?.as_ref()
    }

    /// Checks that it may be a library: no state of its own; vmcalls, library functions and the caller's plain
    /// memory as its only imports (a global import is state of its caller).
    pub fn may_be_a_library(&self) -> Result<(), Broken> {
        if self.defines_state {
            return Err((LinkRule::LibraryNotCodeOnly, "the library defines state".into()));
        }
        for (module, name, ty) in &self.imports {
            let allowed = match ty {
                TypeRef::Func(_) => module == "svm" || library_hash(module).is_some(),
                TypeRef::Memory(m) => {
                    (module.as_str(), name.as_str()) == LIBRARY_MEMORY_IMPORT && !m.memory64 && !m.shared
                }
                TypeRef::Global(_) => {
                    return Err((LinkRule::LibraryNotCodeOnly, format!("the library imports global {module}.{name}")));
                }
                _ => false,
            };
            if !allowed {
                return Err((LinkRule::LibraryImport, format!("the library imports {module}.{name}")));
            }
        }
        Ok(())
    }
}

/// A module resolved with every library it needs.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The libraries, dependencies first, with their code.
    pub libraries: Vec<(Hash, Arc<Vec<u8>>)>,
    /// The linked length: the module's code and every library's.
    pub code_len: u64,
    /// The linked module's counts: types, function imports, defined functions, globals.
    pub counts: [u64; 4],
}

/// Resolves every library `root` needs from `registered` (the code of a registered library).
pub fn resolve(root: &View, registered: &dyn Fn(&Hash) -> Option<Arc<Vec<u8>>>) -> Result<Resolved, Broken> {
    let mut walk = Walk { registered, path: Vec::new(), done: Vec::new() };
    for hash in root.library_imports() {
        walk.visit(hash)?;
    }
    let done = walk.done;
    check_imports(root, &done)?;
    for (_, _, view) in &done {
        check_imports(view, &done)?;
        check_memory(root, view)?;
    }
    let views = || std::iter::once(root).chain(done.iter().map(|(_, _, v)| v));
    // The root's vmcall imports, then each library vmcall no module before imports under that name and type.
    let mut kept: Vec<(&str, &FuncType)> = Vec::new();
    for (index, view) in views().enumerate() {
        for (module, name, ty) in &view.imports {
            let TypeRef::Func(ty) = ty else { continue };
            if library_hash(module).is_some() {
                continue;
            }
            let ty = view.types.get(*ty as usize).and_then(Option::as_ref).ok_or((LinkRule::Malformed, "".into()))?;
            if index == 0 || !kept.iter().any(|(n, t)| n == name && *t == ty) {
                kept.push((name, ty));
            }
        }
    }
    Ok(Resolved {
        code_len: views().map(|v| v.code_len as u64).sum(),
        counts: [
            views().map(|v| v.types.len() as u64).sum(),
            kept.len() as u64,
            views().map(|v| v.defined_functions).sum(),
            views().map(|v| v.globals).sum(),
        ],
        libraries: done.into_iter().map(|(hash, code, _)| (hash, code)).collect(),
    })
}

/// The depth-first walk over library imports.
struct Walk<'r> {
    registered: &'r dyn Fn(&Hash) -> Option<Arc<Vec<u8>>>,
    path: Vec<Hash>,
    done: Vec<(Hash, Arc<Vec<u8>>, View)>,
}

impl Walk<'_> {
    fn visit(&mut self, hash: Hash) -> Result<(), Broken> {
        if self.path.contains(&hash) {
            return Err((LinkRule::LibraryCycle, format!("{hash} imports itself")));
        }
        if self.done.iter().any(|(h, _, _)| *h == hash) {
            return Ok(());
        }
        if self.path.len() == MAX_LIBRARY_DEPTH {
            return Err((LinkRule::LibraryDepth, format!("{hash} is past depth {MAX_LIBRARY_DEPTH}")));
        }
        let code = (self.registered)(&hash).ok_or((LinkRule::UnknownLibrary, format!("no library {hash}")))?;
        let view = View::read(&code).map_err(|e| (LinkRule::Malformed, e))?;
        view.may_be_a_library()?;
        self.path.push(hash);
        for dependency in view.library_imports() {
            self.visit(dependency)?;
        }
        self.path.pop();
        if self.done.len() == MAX_LIBRARIES {
            return Err((LinkRule::TooManyLibraries, format!("more than {MAX_LIBRARIES} libraries")));
        }
        self.done.push((hash, code, view));
        Ok(())
    }
}

/// Checks each library import of `view` against the function the library exports under its name.
fn check_imports(view: &View, done: &[(Hash, Arc<Vec<u8>>, View)]) -> Result<(), Broken> {
    for (module, name, ty) in &view.imports {
        let Some(hash) = library_hash(module) else { continue };
        let missing = || (LinkRule::MissingExport, format!("{hash} exports no {name:?}"));
        let library = done.iter().find(|(h, _, _)| *h == hash).map(|(_, _, v)| v).ok_or_else(missing)?;
        let export = library.exports.iter().find(|(n, _)| n == name).map(|(_, index)| *index).ok_or_else(missing)?;
        let TypeRef::Func(type_index) = ty else { return Err(missing()) };
        let wanted = view.types.get(*type_index as usize).and_then(Option::as_ref);
        let (Some(wanted), Some(exported)) = (wanted, library.function_type(export)) else { return Err(missing()) };
        if wanted != exported {
            return Err((LinkRule::SignatureMismatch, format!("{name:?} of {hash}: {wanted:?} is not {exported:?}")));
        }
    }
    Ok(())
}

/// Checks that the root has a memory satisfying `library`'s import of it, if it imports one.
fn check_memory(root: &View, library: &View) -> Result<(), Broken> {
    let Some(wanted) = library.memories.first() else { return Ok(()) };
    let Some(memory) = root.memories.first() else {
        return Err((LinkRule::MemoryMismatch, "the module has no memory".into()));
    };
    let fits =
        memory.initial >= wanted.initial && wanted.maximum.is_none_or(|max| memory.maximum.is_some_and(|m| m <= max));
    if !fits {
        return Err((LinkRule::MemoryMismatch, format!("{memory:?} does not satisfy {wanted:?}")));
    }
    Ok(())
}

/// The allow-list rule the linked counts break, in their order (types, imports, functions, globals), if any.
pub fn counts_rule(counts: [u64; 4], limits: &Limits) -> Option<svm_core::validation::Rule> {
    use svm_core::validation::Rule;
    let maxima = [limits.max_types, limits.max_imports, limits.max_functions, limits.max_globals];
    let rules = [Rule::TooManyTypes, Rule::TooManyImports, Rule::TooManyFunctions, Rule::TooManyGlobals];
    counts.iter().zip(maxima).zip(rules).find(|((count, max), _)| **count > u64::from(*max)).map(|(_, rule)| rule)
}
