//! Decoding an admitted binary into a [`Module`]: its types, vmcall imports, compiled function
//! bodies, table, memory, globals, element and data segments and exports. wasmparser only reads
//! the binary; what the sections mean is decided here.

use super::DecodeError;
use super::compile::{Body, Context, compile};
use std::collections::BTreeMap;
use svm_core::contract_meta::FunctionSignature;
use svm_core::link_rule::library_hash;
use svm_core::validation::LIBRARY_MEMORY_IMPORT;
use svm_core::{Hash, Limits, ValueType};
use wasmparser::{
    DataKind, ElementItems, ElementKind, Encoding, ExternalKind, Operator, Parser, Payload, TypeRef, ValType,
};

/// A function type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FuncType {
    pub params: Vec<ValueType>,
    pub results: Vec<ValueType>,
}

impl FuncType {
    pub fn param_count(&self) -> u32 {
        self.params.len() as u32
    }

    pub fn result_count(&self) -> u32 {
        self.results.len() as u32
    }
}

/// An imported function: a vmcall (module `svm`), or a library's function until linking resolves it.
#[derive(Clone, Debug)]
pub(crate) struct Import {
    /// The vmcall's name, or the library export's (the import's field name).
    pub name: String,
    pub type_index: u32,
    /// The library whose export this is (`None`: a vmcall).
    pub library: Option<Hash>,
}

/// A function defined by the module, compiled.
#[derive(Debug)]
pub(crate) struct Function {
    pub type_index: u32,
    pub body: Body,
}

/// A constant expression as admitted: one constant, or the value of an earlier global.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ConstExpr {
    /// A constant's stack word.
    Word(u64),
    /// `global.get` of a global by index.
    Global(u32),
}

/// An active element segment of table 0.
#[derive(Clone, Debug)]
pub(crate) struct ElementSegment {
    pub offset: ConstExpr,
    pub functions: Vec<u32>,
}

/// A data segment.
#[derive(Clone, Debug)]
pub(crate) struct DataSegment {
    /// The offset of an active segment in memory 0; `None` for a passive one.
    pub offset: Option<ConstExpr>,
    pub bytes: Vec<u8>,
}

/// The declared limits of memory 0, in pages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemoryDecl {
    pub initial: u64,
    pub maximum: Option<u64>,
}

/// A decoded module, ready to be instantiated any number of times.
#[derive(Debug)]
pub struct Module {
    pub(crate) types: Vec<FuncType>,
    pub(crate) imports: Vec<Import>,
    pub(crate) functions: Vec<Function>,
    /// The type index of every function index (imports first).
    pub(crate) func_types: Vec<u32>,
    /// The initial size of table 0, if there is a table.
    pub(crate) table: Option<u64>,
    pub(crate) memory: Option<MemoryDecl>,
    /// The defined globals' initializers.
    pub(crate) globals: Vec<ConstExpr>,
    pub(crate) elements: Vec<ElementSegment>,
    pub(crate) data: Vec<DataSegment>,
    /// Function exports: name → function index.
    pub(crate) exports: BTreeMap<String, u32>,
    /// Whether memory 0 is exported under the name `memory` (vmcalls can then reach it).
    pub(crate) memory_exported: bool,
}

fn parse_error(e: wasmparser::BinaryReaderError) -> DecodeError {
    DecodeError(e.to_string())
}

fn value_type(ty: ValType) -> Result<ValueType, DecodeError> {
    match ty {
        ValType::I32 => Ok(ValueType::I32),
        ValType::I64 => Ok(ValueType::I64),
        ValType::F32 => Ok(ValueType::F32),
        ValType::F64 => Ok(ValueType::F64),
        other => Err(DecodeError(format!("value type {other:?} is not admitted"))),
    }
}

/// Reads a constant expression: one admitted constant operator (or `global.get`), then `end`.
fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, DecodeError> {
    let mut reader = expr.get_operators_reader();
    let value = match reader.read().map_err(parse_error)? {
        Operator::I32Const { value } => ConstExpr::Word(u64::from(value as u32)),
        Operator::I64Const { value } => ConstExpr::Word(value as u64),
        Operator::F32Const { value } => ConstExpr::Word(u64::from(value.bits())),
        Operator::F64Const { value } => ConstExpr::Word(value.bits()),
        Operator::GlobalGet { global_index } => ConstExpr::Global(global_index),
        other => return Err(DecodeError(format!("constant expression {other:?} is not admitted"))),
    };
    match reader.read().map_err(parse_error)? {
        Operator::End => {}
        _ => return Err(DecodeError("constant expression longer than one operator".into())),
    }
    if !reader.eof() {
        return Err(DecodeError("bytes after a constant expression".into()));
    }
    Ok(value)
}

impl Module {
    /// Decodes `code`, which deploy validation has admitted under `limits`.
    pub fn decode(code: &[u8], limits: &Limits) -> Result<Module, DecodeError> {
        let mut module = Module {
            types: Vec::new(),
            imports: Vec::new(),
            functions: Vec::new(),
            func_types: Vec::new(),
            table: None,
            memory: None,
            globals: Vec::new(),
            elements: Vec::new(),
            data: Vec::new(),
            exports: BTreeMap::new(),
            memory_exported: false,
        };
        // Type indices of the defined functions, in order, waiting for their bodies.
        let mut defined_types: Vec<u32> = Vec::new();
        for payload in Parser::new(0).parse_all(code) {
            match payload.map_err(parse_error)? {
                Payload::Version { encoding, .. } => {
                    if encoding != Encoding::Module {
                        return Err(DecodeError("not a core module".into()));
                    }
                }
                Payload::TypeSection(reader) => {
                    for ty in reader.into_iter_err_on_gc_types() {
                        let ty = ty.map_err(parse_error)?;
                        module.types.push(FuncType {
                            params: ty.params().iter().map(|t| value_type(*t)).collect::<Result<_, _>>()?,
                            results: ty.results().iter().map(|t| value_type(*t)).collect::<Result<_, _>>()?,
                        });
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(parse_error)?;
                        // A library shares its caller's memory, which linking gives it.
                        if let TypeRef::Memory(_) = import.ty
                            && (import.module, import.name) == LIBRARY_MEMORY_IMPORT
                        {
                            continue;
                        }
                        let TypeRef::Func(type_index) = import.ty else {
                            return Err(DecodeError("an import that is not a function".into()));
                        };
                        let library = library_hash(import.module);
                        if import.module != "svm" && library.is_none() {
                            return Err(DecodeError("an import from outside svm and every library".into()));
                        }
                        module.type_at(type_index)?;
                        module.imports.push(Import { name: import.name.to_string(), type_index, library });
                        module.func_types.push(type_index);
                    }
                }
                Payload::FunctionSection(reader) => {
                    for type_index in reader {
                        let type_index = type_index.map_err(parse_error)?;
                        module.type_at(type_index)?;
                        defined_types.push(type_index);
                        module.func_types.push(type_index);
                    }
                }
                Payload::TableSection(reader) => {
                    for table in reader {
                        let table = table.map_err(parse_error)?;
                        if module.table.is_some() {
                            return Err(DecodeError("more than one table".into()));
                        }
                        if !matches!(table.init, wasmparser::TableInit::RefNull) {
                            return Err(DecodeError("a table initializer expression".into()));
                        }
                        module.table = Some(table.ty.initial);
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        let memory = memory.map_err(parse_error)?;
                        if module.memory.is_some() {
                            return Err(DecodeError("more than one memory".into()));
                        }
                        if memory.memory64 || memory.shared || memory.page_size_log2.is_some() {
                            return Err(DecodeError("a memory that is not plain 32-bit".into()));
                        }
                        module.memory = Some(MemoryDecl { initial: memory.initial, maximum: memory.maximum });
                    }
                }
                Payload::GlobalSection(reader) => {
                    for global in reader {
                        let global = global.map_err(parse_error)?;
                        value_type(global.ty.content_type)?;
                        let init = const_expr(&global.init_expr)?;
                        if let ConstExpr::Global(index) = init
                            && index as usize >= module.globals.len()
                        {
                            return Err(DecodeError("a global initializer reads a later global".into()));
                        }
                        module.globals.push(init);
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(parse_error)?;
                        match export.kind {
                            ExternalKind::Func => {
                                if export.index as usize >= module.func_types.len() {
                                    return Err(DecodeError("export of an unknown function".into()));
                                }
                                module.exports.insert(export.name.to_string(), export.index);
                            }
                            ExternalKind::Memory if export.name == "memory" => module.memory_exported = true,
                            _ => {}
                        }
                    }
                }
                Payload::StartSection { .. } => return Err(DecodeError("a start function".into())),
                Payload::ElementSection(reader) => {
                    for element in reader {
                        let element = element.map_err(parse_error)?;
                        let ElementKind::Active { table_index, offset_expr } = element.kind else {
                            return Err(DecodeError("an element segment that is not active".into()));
                        };
                        if table_index.unwrap_or(0) != 0 {
                            return Err(DecodeError("an element segment of a table other than 0".into()));
                        }
                        let ElementItems::Functions(items) = element.items else {
                            return Err(DecodeError("element items given as expressions".into()));
                        };
                        let mut functions = Vec::new();
                        for index in items {
                            let index = index.map_err(parse_error)?;
                            if index as usize >= module.func_types.len() {
                                return Err(DecodeError("element of an unknown function".into()));
                            }
                            functions.push(index);
                        }
                        module.elements.push(ElementSegment { offset: const_expr(&offset_expr)?, functions });
                    }
                }
                Payload::DataCountSection { .. } => {}
                Payload::DataSection(reader) => {
                    for data in reader {
                        let data = data.map_err(parse_error)?;
                        let offset = match data.kind {
                            DataKind::Passive => None,
                            DataKind::Active { memory_index: 0, offset_expr } => Some(const_expr(&offset_expr)?),
                            DataKind::Active { .. } => {
                                return Err(DecodeError("a data segment of a memory other than 0".into()));
                            }
                        };
                        module.data.push(DataSegment { offset, bytes: data.data.to_vec() });
                    }
                }
                Payload::CodeSectionStart { .. } => {}
                Payload::CodeSectionEntry(body) => {
                    let index = module.functions.len();
                    let type_index =
                        *defined_types.get(index).ok_or_else(|| DecodeError("more bodies than functions".into()))?;
                    let ty = module.type_at(type_index)?;
                    let context = Context { types: &module.types, func_types: &module.func_types };
                    let body = compile(&body, ty, &context)
                        .map_err(|e| DecodeError(format!("function {}: {}", module.imports.len() + index, e.0)))?;
                    if body.weight > u64::from(limits.max_frame_weight()) {
                        return Err(DecodeError(format!(
                            "function {} weighs {} slots, more than deploy admits",
                            module.imports.len() + index,
                            body.weight
                        )));
                    }
                    module.functions.push(Function { type_index, body });
                }
                Payload::CustomSection(_) => {}
                Payload::End(_) => {}
                other => {
                    return Err(DecodeError(format!(
                        "a section deploy does not admit: {:?}",
                        other.as_section().map(|(id, _)| id)
                    )));
                }
            }
        }
        if module.functions.len() != defined_types.len() {
            return Err(DecodeError("fewer bodies than functions".into()));
        }
        Ok(module)
    }

    /// The type at `type_index`.
    pub(crate) fn type_at(&self, type_index: u32) -> Result<&FuncType, DecodeError> {
        self.types.get(type_index as usize).ok_or_else(|| DecodeError(format!("type index {type_index} out of range")))
    }

    /// The type of function `index` (imports first).
    pub(crate) fn function_type(&self, index: u32) -> Option<&FuncType> {
        let type_index = *self.func_types.get(index as usize)?;
        self.types.get(type_index as usize)
    }

    /// Every exported function (vmcall re-exports included) with its signature: the metadata's exports.
    pub fn exported_functions(&self) -> BTreeMap<String, FunctionSignature> {
        self.exports
            .iter()
            .filter_map(|(name, index)| {
                let ty = self.function_type(*index)?;
                Some((name.clone(), FunctionSignature { params: ty.params.clone(), results: ty.results.clone() }))
            })
            .collect()
    }

    /// Each defined function's frame weight, by the reference's own operand-stack count.
    pub fn frame_weights(&self) -> Vec<u32> {
        self.functions.iter().map(|f| u32::try_from(f.body.weight).unwrap_or(u32::MAX)).collect()
    }
}
