//! Merging a resolved [`LinkGraph`] into one module: the contract's sections with every library's types,
//! functions and globals appended, each module's indices moved to where its items land.
//!
//! Index spaces of the result: types — the contract's, then each library's; functions — the kept imports (the
//! contract's non-library imports, then each vmcall a library imports that the contract does not), the
//! contract's functions, then each library's; globals — the contract's, then each library's; memory 0 is the
//! contract's, which every library's `env`.`memory` names. Exports, tables, elements, data and the start
//! function are the contract's alone. Custom sections are dropped (the VM strips them before compiling anyway).

use super::module_summary::ModuleSummary;
use super::resolve::LinkGraph;
use super::{LinkError, LinkRule};
use link_parser::{Parser, Payload, TypeRef};
use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{
    CodeSection, DataCountSection, DataSection, ElementSection, EntityType, ExportSection, FunctionSection,
    GlobalSection, ImportSection, MemorySection, Module, StartSection, TableSection, TypeSection,
};

/// Where one module's items land in the result.
#[derive(Clone, Debug, Default)]
struct Placement {
    /// Its first type's index.
    type_base: u32,
    /// Each of its function indices' index in the result.
    functions: Vec<u32>,
    /// Its first defined global's index (libraries import no globals).
    global_base: u32,
    /// Whether its memory index 0 is the contract's (a library's always is).
    library: bool,
}

impl Reencode for Placement {
    type Error = LinkError;

    fn type_index(&mut self, ty: u32) -> Result<u32, reencode::Error<LinkError>> {
        Ok(self.type_base + ty)
    }

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<LinkError>> {
        self.functions.get(func as usize).copied().ok_or_else(|| {
            reencode::Error::UserError(LinkError::new(LinkRule::Malformed, format!("function {func} out of range")))
        })
    }

    fn global_index(&mut self, global: u32) -> Result<u32, reencode::Error<LinkError>> {
        Ok(self.global_base + global)
    }

    fn memory_index(&mut self, memory: u32) -> Result<u32, reencode::Error<LinkError>> {
        Ok(if self.library { 0 } else { memory })
    }
}

/// The sections of the result, filled module by module.
#[derive(Default)]
struct Sections {
    types: TypeSection,
    imports: ImportSection,
    functions: FunctionSection,
    tables: TableSection,
    memories: MemorySection,
    globals: GlobalSection,
    exports: ExportSection,
    start: Option<u32>,
    elements: ElementSection,
    data_count: Option<u32>,
    code: CodeSection,
    data: DataSection,
}

/// The one module `graph` links to, and how many functions it imports.
pub(super) fn merge(graph: &LinkGraph) -> Result<(Vec<u8>, usize), LinkError> {
    let modules: Vec<&ModuleSummary> =
        std::iter::once(&graph.contract).chain(graph.libraries.iter().map(|l| &l.summary)).collect();
    let (mut placements, added) = place(graph, &modules)?;
    let imports = graph.contract.function_imports().filter(|i| i.library().is_none()).count() + added.len();
    let mut sections = Sections::default();
    // The contract's imports as they are, its library imports resolved away; then the vmcalls libraries add.
    for import in graph.contract.imports.iter().filter(|i| i.library().is_none()) {
        let ty = placements[0].entity_type(import.ty).map_err(reencoded)?;
        sections.imports.import(&import.module, &import.name, ty);
    }
    for (module, name, ty) in added {
        sections.imports.import(module, name, EntityType::Function(ty));
    }
    for (index, (module, placement)) in modules.iter().zip(&mut placements).enumerate() {
        append(&mut sections, module, placement, index == 0)?;
    }
    let mut out = Module::new();
    nonempty(&mut out, &sections.types, sections.types.is_empty());
    nonempty(&mut out, &sections.imports, sections.imports.is_empty());
    nonempty(&mut out, &sections.functions, sections.functions.is_empty());
    nonempty(&mut out, &sections.tables, sections.tables.is_empty());
    nonempty(&mut out, &sections.memories, sections.memories.is_empty());
    nonempty(&mut out, &sections.globals, sections.globals.is_empty());
    nonempty(&mut out, &sections.exports, sections.exports.is_empty());
    if let Some(start) = sections.start {
        out.section(&StartSection { function_index: start });
    }
    nonempty(&mut out, &sections.elements, sections.elements.is_empty());
    if let Some(count) = sections.data_count {
        out.section(&DataCountSection { count });
    }
    nonempty(&mut out, &sections.code, sections.code.is_empty());
    nonempty(&mut out, &sections.data, sections.data.is_empty());
    Ok((out.finish(), imports))
}

/// Adds `section` to `out` unless it is empty.
fn nonempty(out: &mut Module, section: &impl wasm_encoder::Section, empty: bool) {
    if !empty {
        out.section(section);
    }
}

/// A vmcall import a library adds: module, name and its type index in the result.
type AddedImport<'a> = (&'a str, &'a str, u32);

/// Where every module's items land, and the vmcall imports the libraries add (a library's vmcall import that
/// the contract or an earlier library already makes, with the same type, is shared).
fn place<'a>(
    graph: &LinkGraph,
    modules: &[&'a ModuleSummary],
) -> Result<(Vec<Placement>, Vec<AddedImport<'a>>), LinkError> {
    let mut type_bases = Vec::new();
    let mut next_type = 0u32;
    for module in modules {
        type_bases.push(next_type);
        next_type += module.types.len() as u32;
    }
    // Kept function imports, in result order: (module, name, type, type index in the result).
    let mut kept: Vec<(&str, &str, &link_parser::FuncType, u32)> = Vec::new();
    let mut contract_kept = 0;
    // For each module, for each of its function imports, the kept import it becomes (None: a library import).
    let mut import_slots: Vec<Vec<Option<u32>>> = Vec::new();
    for (index, module) in modules.iter().enumerate() {
        let mut slots = Vec::new();
        for import in module.function_imports() {
            let TypeRef::Func(type_index) = import.ty else { continue };
            if import.library().is_some() {
                slots.push(None);
                continue;
            }
            let ty = module.import_type(import).ok_or_else(|| malformed("an import of a type that is no function"))?;
            let shared = (index > 0)
                .then(|| kept.iter().position(|&(m, n, t, _)| m == import.module && n == import.name && t == ty))
                .flatten();
            slots.push(Some(match shared {
                Some(at) => at as u32,
                None => {
                    kept.push((&import.module, &import.name, ty, type_bases[index] + type_index));
                    (kept.len() - 1) as u32
                }
            }));
        }
        if index == 0 {
            contract_kept = kept.len();
        }
        import_slots.push(slots);
    }
    let imported = kept.len() as u32;
    // Defined functions and globals, module after module.
    let (mut next_function, mut global_base) = (imported, 0u32);
    let mut placements = Vec::new();
    for (index, module) in modules.iter().enumerate() {
        let mut functions: Vec<u32> = import_slots[index].iter().map(|slot| slot.unwrap_or(u32::MAX)).collect();
        functions.extend((0..module.functions.len() as u32).map(|i| next_function + i));
        next_function += module.functions.len() as u32;
        placements.push(Placement { type_base: type_bases[index], global_base, library: index > 0, functions });
        global_base += module.globals;
    }
    // Library imports resolve to where the exported function landed. Libraries come before their importers, so
    // a library's placement is final before any module after it reads it; the contract resolves last.
    let order: Vec<usize> = (1..modules.len()).chain(std::iter::once(0)).collect();
    for &index in &order {
        for (slot, import) in modules[index].function_imports().enumerate() {
            let Some(hash) = import.library() else { continue };
            let (at, library) = graph.library(&hash).ok_or_else(|| malformed("an unresolved library"))?;
            let export = library.summary.exported_function(&import.name).ok_or_else(|| malformed("no such export"))?;
            let target = placements[at + 1].functions.get(export as usize).copied();
            placements[index].functions[slot] =
                target.filter(|&t| t != u32::MAX).ok_or_else(|| malformed("a cycle"))?;
        }
    }
    let added = kept[contract_kept..].iter().map(|&(m, n, _, t)| (m, n, t)).collect();
    Ok((placements, added))
}

/// Appends `module`'s sections, as `placement` moves them.
fn append(
    sections: &mut Sections,
    module: &ModuleSummary,
    placement: &mut Placement,
    contract: bool,
) -> Result<(), LinkError> {
    for payload in Parser::new(0).parse_all(&module.code) {
        match payload.map_err(parse)? {
            Payload::TypeSection(reader) => {
                placement.parse_type_section(&mut sections.types, reader).map_err(reencoded)?
            }
            Payload::FunctionSection(reader) => {
                placement.parse_function_section(&mut sections.functions, reader).map_err(reencoded)?
            }
            Payload::GlobalSection(reader) => {
                placement.parse_global_section(&mut sections.globals, reader).map_err(reencoded)?
            }
            Payload::CodeSectionEntry(body) => {
                placement.parse_function_body(&mut sections.code, body).map_err(reencoded)?
            }
            // The rest is the contract's alone (a library defines none of it: see `resolve`).
            Payload::TableSection(reader) if contract => {
                placement.parse_table_section(&mut sections.tables, reader).map_err(reencoded)?
            }
            Payload::MemorySection(reader) if contract => {
                placement.parse_memory_section(&mut sections.memories, reader).map_err(reencoded)?
            }
            Payload::ExportSection(reader) if contract => {
                placement.parse_export_section(&mut sections.exports, reader).map_err(reencoded)?
            }
            Payload::StartSection { func, .. } if contract => {
                sections.start = Some(placement.function_index(func).map_err(reencoded)?)
            }
            Payload::ElementSection(reader) if contract => {
                placement.parse_element_section(&mut sections.elements, reader).map_err(reencoded)?
            }
            Payload::DataCountSection { count, .. } if contract => sections.data_count = Some(count),
            Payload::DataSection(reader) if contract => {
                placement.parse_data_section(&mut sections.data, reader).map_err(reencoded)?
            }
            _ => {}
        }
    }
    Ok(())
}

fn malformed(what: &str) -> LinkError {
    LinkError::new(LinkRule::Malformed, format!("linking met {what}"))
}

fn parse(e: link_parser::BinaryReaderError) -> LinkError {
    LinkError::new(LinkRule::Malformed, e.message().to_string())
}

fn reencoded(e: reencode::Error<LinkError>) -> LinkError {
    match e {
        reencode::Error::UserError(e) => e,
        other => LinkError::new(LinkRule::Malformed, other.to_string()),
    }
}
