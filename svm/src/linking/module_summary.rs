//! What linking needs to know of one module: its types, imports, defined functions, exports and what state it
//! defines, read once from its bytes.

use super::{LinkError, LinkRule, library_hash};
use crate::Hash;
use link_parser::{
    CompositeInnerType, ExternalKind, FuncType, MemoryType, Parser, Payload, TypeRef, Validator, WasmFeatures,
};
use std::sync::Arc;

/// One import of a module.
#[derive(Clone, Debug)]
pub(super) struct ImportEntry {
    /// The module imported from.
    pub module: String,
    /// The name imported.
    pub name: String,
    /// What is imported.
    pub ty: TypeRef,
}

impl ImportEntry {
    /// The library this import names, if it names one.
    pub fn library(&self) -> Option<Hash> {
        library_hash(&self.module)
    }
}

/// A module read for linking.
#[derive(Clone, Debug)]
pub(super) struct ModuleSummary {
    /// The module's bytes.
    pub code: Arc<[u8]>,
    /// Its function types, by type index (`None` for a type that is not a function's).
    pub types: Vec<Option<FuncType>>,
    /// Its imports, in order.
    pub imports: Vec<ImportEntry>,
    /// The type index of each defined function.
    pub functions: Vec<u32>,
    /// Its exports: name, kind and index.
    pub exports: Vec<(String, ExternalKind, u32)>,
    /// How many globals it has, imported and defined.
    pub globals: u32,
    /// Its memories, imported then defined.
    pub memories: Vec<MemoryType>,
    /// What it defines besides functions and globals, by section name (memory, table, data, element, start).
    pub state: Vec<&'static str>,
}

impl ModuleSummary {
    /// The summary of `code` when it imports at least one library; `None` when it imports none or does not parse
    /// (validation then judges it as it is).
    pub fn read_if_linking(code: &[u8]) -> Option<Self> {
        // Most deploys import no library: a look at the import section spares them a second full validation
        // (the allow-list validates them anyway).
        let imports_a_library = Parser::new(0).parse_all(code).map_while(Result::ok).any(|payload| match payload {
            Payload::ImportSection(reader) => {
                reader.into_imports().map_while(Result::ok).any(|import| library_hash(import.module).is_some())
            }
            _ => false,
        });
        if !imports_a_library {
            return None;
        }
        Self::read(code.into()).ok()
    }

    /// Reads `code`, which must be a valid module.
    pub fn read(code: Arc<[u8]>) -> Result<Self, LinkError> {
        let malformed =
            |e: link_parser::BinaryReaderError| LinkError::new(LinkRule::Malformed, e.message().to_string());
        Validator::new_with_features(WasmFeatures::all()).validate_all(&code).map_err(malformed)?;
        let mut summary = ModuleSummary {
            code: code.clone(),
            types: Vec::new(),
            imports: Vec::new(),
            functions: Vec::new(),
            exports: Vec::new(),
            globals: 0,
            memories: Vec::new(),
            state: Vec::new(),
        };
        for payload in Parser::new(0).parse_all(&code) {
            match payload.map_err(malformed)? {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group.map_err(malformed)?.types() {
                            summary.types.push(match &sub.composite_type.inner {
                                CompositeInnerType::Func(ty) => Some(ty.clone()),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(malformed)?;
                        match import.ty {
                            TypeRef::Memory(memory) => summary.memories.push(memory),
                            TypeRef::Global(_) => summary.globals += 1,
                            _ => {}
                        }
                        summary.imports.push(ImportEntry {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                            ty: import.ty,
                        });
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        summary.functions.push(ty.map_err(malformed)?);
                    }
                }
                Payload::GlobalSection(reader) => summary.globals += reader.count(),
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(malformed)?;
                        summary.exports.push((export.name.to_string(), export.kind, export.index));
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        summary.memories.push(memory.map_err(malformed)?);
                    }
                    summary.state.push("a memory");
                }
                Payload::TableSection(_) => summary.state.push("a table"),
                Payload::DataSection(_) => summary.state.push("a data segment"),
                Payload::ElementSection(_) => summary.state.push("an element segment"),
                Payload::StartSection { .. } => summary.state.push("a start function"),
                _ => {}
            }
        }
        Ok(summary)
    }

    /// Function imports, in function-index order.
    pub fn function_imports(&self) -> impl Iterator<Item = &ImportEntry> {
        self.imports.iter().filter(|i| matches!(i.ty, TypeRef::Func(_)))
    }

    /// How many functions it imports.
    pub fn imported_functions(&self) -> u32 {
        self.function_imports().count() as u32
    }

    /// The type of function `index` (imported or defined).
    pub fn function_type(&self, index: u32) -> Option<&FuncType> {
        let imported = self.imported_functions();
        let type_index = if index < imported {
            match self.function_imports().nth(index as usize)?.ty {
                TypeRef::Func(t) => t,
                _ => return None,
            }
        } else {
            *self.functions.get((index - imported) as usize)?
        };
        self.types.get(type_index as usize)?.as_ref()
    }

    /// The function it exports as `name`.
    pub fn exported_function(&self, name: &str) -> Option<u32> {
        self.exports.iter().find(|(n, kind, _)| n == name && *kind == ExternalKind::Func).map(|&(_, _, index)| index)
    }

    /// The type an import of a function declares.
    pub fn import_type(&self, import: &ImportEntry) -> Option<&FuncType> {
        match import.ty {
            TypeRef::Func(t) => self.types.get(t as usize)?.as_ref(),
            _ => None,
        }
    }
}
