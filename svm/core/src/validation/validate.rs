//! The walk over a contract binary that applies every rule of the allow-list.

use super::operators::check_operator;
use super::{Rule, ValidationError};
use crate::codec::bounds::MAX_FUNCTION_NAME_BYTES;
use crate::contract_meta::FunctionSignature;
use crate::limits::{FRAME_OVERHEAD_SLOTS, FloatRule, Limits};
use crate::vmcalls::registry::{NAMESPACE, vmcall};
use crate::{ValueType, vmcalls::registry::VmcallSpec};
use std::collections::BTreeMap;
use wasmparser::{
    CompositeInnerType, DataKind, ElementItems, ElementKind, Encoding, ExternalKind, FuncToValidate, FuncType,
    FuncValidatorAllocations, FunctionBody, Imports, MemoryType, OperatorsReader, Parser, Payload, RefType, TableInit,
    TypeRef, ValType, ValidPayload, Validator, ValidatorResources, WasmFeatures,
};

/// Export-name prefixes the VM's instrumentation uses; a contract may not export them.
pub const RESERVED_EXPORT_PREFIXES: [&str; 2] = ["__svm", "wasmer_"];

/// The features a contract may use under the float rule `floats`: WebAssembly 1.0 (floats only when
/// canonicalized) plus what current compilers emit by default — sign extension, multi-value, bulk
/// memory, the over-long `call_indirect` table encoding and, with floats, non-trapping conversions.
fn allowed_features(floats: FloatRule) -> WasmFeatures {
    let base = WasmFeatures::GC_TYPES
        .union(WasmFeatures::MUTABLE_GLOBAL)
        .union(WasmFeatures::SIGN_EXTENSION)
        .union(WasmFeatures::MULTI_VALUE)
        .union(WasmFeatures::BULK_MEMORY)
        .union(WasmFeatures::CALL_INDIRECT_OVERLONG);
    match floats {
        FloatRule::Refused => base,
        FloatRule::Canonicalized => base.union(WasmFeatures::FLOATS).union(WasmFeatures::SATURATING_FLOAT_TO_INT),
    }
}

/// What validation learned about an accepted module: what the instrumentation needs, and the
/// exported functions that go into the contract's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedModule {
    /// Each defined function's frame weight in stack slots, by local function index.
    pub frame_weights: Vec<u32>,
    /// Exported functions by name, with their signatures.
    pub exports: BTreeMap<String, FunctionSignature>,
}

/// The import through which a library shares its caller's memory.
pub const LIBRARY_MEMORY_IMPORT: (&str, &str) = ("env", "memory");

/// What a module being deployed may import besides vmcalls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportAdmission {
    /// A library: it may import its caller's memory as [`LIBRARY_MEMORY_IMPORT`].
    pub library: bool,
    /// It is judged before linking: it may import functions of libraries (an import module that is a library's
    /// code hash, [`crate::link_rule::library_hash`]), which linking checks.
    pub library_imports: bool,
}

/// Applies every rule of the allow-list to `code`; the first rule broken is the error.
pub fn validate(code: &[u8], limits: &Limits) -> Result<ValidatedModule, ValidationError> {
    validate_admitting(code, limits, ImportAdmission::default())
}

/// Applies the allow-list to `code`, admitting the imports `admission` allows besides vmcalls.
pub fn validate_admitting(
    code: &[u8],
    limits: &Limits,
    admission: ImportAdmission,
) -> Result<ValidatedModule, ValidationError> {
    if code.len() > limits.max_code_bytes {
        return Err(reject(
            Rule::CodeTooLarge,
            format!("{} bytes; at most {} allowed", code.len(), limits.max_code_bytes),
        ));
    }
    let mut walk = Walk {
        limits,
        admission,
        types: Vec::new(),
        function_types: Vec::new(),
        frame_weights: Vec::new(),
        exports: BTreeMap::new(),
    };
    let mut validator = Validator::new_with_features(WasmFeatures::all());
    for payload in Parser::new(0).parse_all(code) {
        let payload = payload.map_err(malformed)?;
        if let ValidPayload::Func(func, body) = validator.payload(&payload).map_err(malformed)? {
            walk.function(func, body)?;
        } else {
            walk.section(&payload)?;
        }
    }
    // Defence in depth: whatever the walk above missed, the restricted validator refuses.
    Validator::new_with_features(allowed_features(limits.floats))
        .validate_all(code)
        .map_err(|e| reject(Rule::OtherProposal, e.message().to_string()))?;
    Ok(ValidatedModule { frame_weights: walk.frame_weights, exports: walk.exports })
}

/// The rule a value type breaks under the float rule `floats`, if any.
pub(super) fn value_type_rule(ty: ValType, floats: FloatRule) -> Option<Rule> {
    match ty {
        ValType::I32 | ValType::I64 => None,
        ValType::F32 | ValType::F64 if floats == FloatRule::Canonicalized => None,
        ValType::F32 | ValType::F64 => Some(Rule::Float),
        ValType::V128 => Some(Rule::Simd),
        ValType::Ref(_) => Some(Rule::ReferenceTypes),
    }
}

fn reject(rule: Rule, detail: impl Into<String>) -> ValidationError {
    ValidationError::new(rule, detail)
}

fn malformed(e: wasmparser::BinaryReaderError) -> ValidationError {
    reject(Rule::Malformed, format!("{} (at byte {})", e.message(), e.offset()))
}

fn check_count(rule: Rule, what: &str, count: u64, max: u32) -> Result<(), ValidationError> {
    if count > u64::from(max) {
        return Err(reject(rule, format!("{count} {what}; at most {max} allowed")));
    }
    Ok(())
}

fn check_value_type(ty: ValType, floats: FloatRule, context: &str) -> Result<(), ValidationError> {
    value_type_rule(ty, floats).map_or(Ok(()), |rule| Err(reject(rule, format!("{ty} in {context}"))))
}

fn check_const_expr(ops: OperatorsReader<'_>, floats: FloatRule, context: &str) -> Result<(), ValidationError> {
    for op in ops {
        let op = op.map_err(malformed)?;
        check_operator(&op, floats).map_err(|(rule, name)| reject(rule, format!("{name} in {context}")))?;
    }
    Ok(())
}

/// Applies the memory rules to a memory a module defines (or, a library, imports).
fn check_memory(memory: &MemoryType, limits: &Limits) -> Result<(), ValidationError> {
    if memory.memory64 {
        return Err(reject(Rule::Memory64, "64-bit memory"));
    }
    if memory.shared {
        return Err(reject(Rule::Threads, "shared memory"));
    }
    if memory.page_size_log2.is_some() {
        return Err(reject(Rule::OtherProposal, "custom page size"));
    }
    let max = u64::from(limits.max_memory_pages);
    if memory.initial > max || memory.maximum.is_some_and(|m| m > max) {
        return Err(reject(
            Rule::MemoryTooLarge,
            format!("memory of {} pages (maximum {:?}); at most {max}", memory.initial, memory.maximum),
        ));
    }
    Ok(())
}

/// The state of one walk: the types and function signatures seen so far.
struct Walk<'l> {
    limits: &'l Limits,
    /// What it may import besides vmcalls.
    admission: ImportAdmission,
    /// Function types by type index (`None` for a non-function type, which the walk rejects).
    types: Vec<Option<FuncType>>,
    /// Type index of every function, imported ones first.
    function_types: Vec<u32>,
    frame_weights: Vec<u32>,
    exports: BTreeMap<String, FunctionSignature>,
}

impl Walk<'_> {
    fn section(&mut self, payload: &Payload<'_>) -> Result<(), ValidationError> {
        let limits = self.limits;
        match payload {
            Payload::Version { encoding: Encoding::Component, .. } => {
                return Err(reject(Rule::Malformed, "a component, not a core module"));
            }
            Payload::TypeSection(reader) => {
                check_count(Rule::TooManyTypes, "types", reader.count().into(), limits.max_types)?;
                for group in reader.clone() {
                    let group = group.map_err(malformed)?;
                    if group.is_explicit_rec_group() {
                        return Err(reject(Rule::OtherProposal, "explicit recursion group (GC proposal)"));
                    }
                    for sub in group.types() {
                        if !sub.is_final || sub.supertype_idx.is_some() {
                            return Err(reject(Rule::OtherProposal, "subtyping (GC proposal)"));
                        }
                        let CompositeInnerType::Func(func) = &sub.composite_type.inner else {
                            return Err(reject(Rule::OtherProposal, "non-function type (GC proposal)"));
                        };
                        self.check_func_type(func)?;
                        self.types.push(Some(func.clone()));
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for group in reader.clone() {
                    match group.map_err(malformed)? {
                        Imports::Single(_, import) => self.import(import.module, import.name, import.ty)?,
                        _ => return Err(reject(Rule::OtherProposal, "compact import encoding")),
                    }
                }
                check_count(Rule::TooManyImports, "imports", self.function_types.len() as u64, limits.max_imports)?;
            }
            Payload::FunctionSection(reader) => {
                check_count(Rule::TooManyFunctions, "functions", reader.count().into(), limits.max_functions)?;
                for ty in reader.clone() {
                    self.function_types.push(ty.map_err(malformed)?);
                }
            }
            Payload::TableSection(reader) => {
                if reader.count() > 1 {
                    return Err(reject(Rule::ReferenceTypes, "more than one table"));
                }
                for table in reader.clone() {
                    let table = table.map_err(malformed)?;
                    let ty = table.ty;
                    if ty.table64 {
                        return Err(reject(Rule::Memory64, "64-bit table"));
                    }
                    if ty.shared {
                        return Err(reject(Rule::Threads, "shared table"));
                    }
                    if ty.element_type != RefType::FUNCREF || matches!(table.init, TableInit::Expr(_)) {
                        return Err(reject(Rule::ReferenceTypes, format!("table of {}", ty.element_type)));
                    }
                    let max = u64::from(limits.max_table_elements);
                    if ty.initial > max || ty.maximum.is_some_and(|m| m > max) {
                        return Err(reject(
                            Rule::TableTooLarge,
                            format!("table {:?}..{:?}; at most {max}", ty.initial, ty.maximum),
                        ));
                    }
                }
            }
            Payload::MemorySection(reader) => {
                if reader.count() > 1 {
                    return Err(reject(Rule::MultiMemory, format!("{} memories", reader.count())));
                }
                for memory in reader.clone() {
                    check_memory(&memory.map_err(malformed)?, limits)?;
                }
            }
            Payload::TagSection(_) => return Err(reject(Rule::Exceptions, "tag section")),
            Payload::GlobalSection(reader) => {
                check_count(Rule::TooManyGlobals, "globals", reader.count().into(), limits.max_globals)?;
                for global in reader.clone() {
                    let global = global.map_err(malformed)?;
                    check_value_type(global.ty.content_type, limits.floats, "a global")?;
                    if global.ty.shared {
                        return Err(reject(Rule::Threads, "shared global"));
                    }
                    check_const_expr(global.init_expr.get_operators_reader(), limits.floats, "a global initializer")?;
                }
            }
            Payload::ExportSection(reader) => {
                check_count(Rule::TooManyExports, "exports", reader.count().into(), limits.max_exports)?;
                for export in reader.clone() {
                    let export = export.map_err(malformed)?;
                    if RESERVED_EXPORT_PREFIXES.iter().any(|prefix| export.name.starts_with(prefix)) {
                        return Err(reject(Rule::ReservedExport, format!("export {:?}", export.name)));
                    }
                    if export.kind == ExternalKind::Func && export.name.len() > MAX_FUNCTION_NAME_BYTES as usize {
                        return Err(reject(
                            Rule::ExportNameTooLong,
                            format!("export name of {} bytes; at most {MAX_FUNCTION_NAME_BYTES}", export.name.len()),
                        ));
                    }
                    if export.kind == ExternalKind::Func {
                        let signature = self
                            .function_types
                            .get(export.index as usize)
                            .and_then(|&t| self.types.get(t as usize).cloned().flatten())
                            .map(|ty| FunctionSignature {
                                params: value_types(ty.params()),
                                results: value_types(ty.results()),
                            });
                        // The validator checks the index; a miss is a module it will refuse anyway.
                        if let Some(signature) = signature {
                            self.exports.insert(export.name.to_string(), signature);
                        }
                    }
                }
            }
            Payload::StartSection { func, .. } => {
                return Err(reject(Rule::StartFunction, format!("start function {func}")));
            }
            Payload::ElementSection(reader) => {
                for element in reader.clone() {
                    let element = element.map_err(malformed)?;
                    match element.kind {
                        ElementKind::Passive => return Err(reject(Rule::BulkMemory, "passive element segment")),
                        ElementKind::Declared => return Err(reject(Rule::ReferenceTypes, "declared element segment")),
                        ElementKind::Active { table_index, offset_expr } => {
                            if table_index.is_some_and(|t| t != 0) {
                                return Err(reject(Rule::ReferenceTypes, "element segment for table other than 0"));
                            }
                            check_const_expr(offset_expr.get_operators_reader(), limits.floats, "an element offset")?;
                        }
                    }
                    if let ElementItems::Expressions(..) = element.items {
                        return Err(reject(Rule::ReferenceTypes, "element segment of expressions"));
                    }
                }
            }
            Payload::DataSection(reader) => {
                for data in reader.clone() {
                    match data.map_err(malformed)?.kind {
                        DataKind::Passive => {}
                        DataKind::Active { memory_index, offset_expr } => {
                            if memory_index != 0 {
                                return Err(reject(Rule::MultiMemory, "data segment for memory other than 0"));
                            }
                            check_const_expr(offset_expr.get_operators_reader(), limits.floats, "a data offset")?;
                        }
                    }
                }
            }
            Payload::Version { .. }
            | Payload::DataCountSection { .. }
            | Payload::CodeSectionStart { .. }
            | Payload::CustomSection(_)
            | Payload::End(_) => {}
            _ => return Err(reject(Rule::Malformed, "a section a core module cannot hold")),
        }
        Ok(())
    }

    fn check_func_type(&self, func: &FuncType) -> Result<(), ValidationError> {
        for &ty in func.params().iter().chain(func.results()) {
            check_value_type(ty, self.limits.floats, "a function type")?;
        }
        check_count(Rule::TooManyParams, "parameters", func.params().len() as u64, self.limits.max_params)?;
        check_count(Rule::TooManyParams, "results", func.results().len() as u64, self.limits.max_params)
    }

    fn import(&mut self, module: &str, name: &str, ty: TypeRef) -> Result<(), ValidationError> {
        if let (true, TypeRef::Memory(memory)) = (self.admission.library, ty)
            && (module, name) == LIBRARY_MEMORY_IMPORT
        {
            return check_memory(&memory, self.limits);
        }
        if let (true, TypeRef::Func(type_index)) = (self.admission.library_imports, ty)
            && crate::link_rule::library_hash(module).is_some()
        {
            if !self.types.get(type_index as usize).is_some_and(Option::is_some) {
                return Err(reject(Rule::Malformed, format!("library import {name:?} of no function type")));
            }
            self.function_types.push(type_index);
            return Ok(());
        }
        if module != NAMESPACE {
            return Err(reject(Rule::ImportOutsideSvm, format!("import {module:?}.{name:?}")));
        }
        let type_index = match ty {
            TypeRef::Func(index) => index,
            TypeRef::FuncExact(_) => {
                return Err(reject(Rule::OtherProposal, format!("exact function import {name:?}")));
            }
            _ => return Err(reject(Rule::NonFunctionImport, format!("import {name:?} is not a function"))),
        };
        let spec = vmcall(name).ok_or_else(|| reject(Rule::UnknownVmcall, format!("no vmcall is called {name:?}")))?;
        let declared = self.types.get(type_index as usize).cloned().flatten();
        if !declared.is_some_and(|func| signature_matches(&func, spec)) {
            return Err(reject(Rule::VmcallSignature, format!("vmcall {name:?} imported with another signature")));
        }
        self.function_types.push(type_index);
        Ok(())
    }

    fn function(
        &mut self,
        func: FuncToValidate<ValidatorResources>,
        body: FunctionBody<'_>,
    ) -> Result<(), ValidationError> {
        let index = func.index;
        let mut validator = func.into_validator(FuncValidatorAllocations::default());
        let params = self
            .function_types
            .get(index as usize)
            .and_then(|&t| self.types.get(t as usize).cloned().flatten())
            .map_or(0, |ty| ty.params().len() as u64);
        let mut locals = params;
        let mut locals_reader = body.get_locals_reader().map_err(malformed)?;
        for _ in 0..locals_reader.get_count() {
            let offset = locals_reader.original_position();
            let (count, ty) = locals_reader.read().map_err(malformed)?;
            check_value_type(ty, self.limits.floats, &format!("a local of function {index}"))?;
            locals = locals.saturating_add(count.into());
            check_count(Rule::TooManyLocals, &format!("locals in function {index}"), locals, self.limits.max_locals)?;
            validator.define_locals(offset, count, ty).map_err(malformed)?;
        }
        let mut ops = body.get_operators_reader().map_err(malformed)?;
        let mut deepest = 0u64;
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset().map_err(malformed)?;
            check_operator(&op, self.limits.floats)
                .map_err(|(rule, name)| reject(rule, format!("{name} in function {index} at byte {offset}")))?;
            validator.op(offset, &op).map_err(malformed)?;
            deepest = deepest.max(validator.operand_stack_height().into());
        }
        ops.finish().map_err(malformed)?;
        let weight = u64::from(FRAME_OVERHEAD_SLOTS) + locals + deepest;
        let max = self.limits.max_frame_weight();
        if weight > u64::from(max) {
            return Err(reject(
                Rule::FrameTooLarge,
                format!("function {index} needs {weight} stack slots; at most {max}"),
            ));
        }
        self.frame_weights.push(weight as u32);
        Ok(())
    }
}

/// The integer value types of a checked function type (every type passed `check_func_type`).
fn value_types(types: &[ValType]) -> Vec<ValueType> {
    types.iter().filter_map(|ty| value_type(*ty)).collect()
}

/// The VM's value type for a wasm value type, if it has one.
fn value_type(ty: ValType) -> Option<ValueType> {
    match ty {
        ValType::I32 => Some(ValueType::I32),
        ValType::I64 => Some(ValueType::I64),
        ValType::F32 => Some(ValueType::F32),
        ValType::F64 => Some(ValueType::F64),
        _ => None,
    }
}

fn signature_matches(func: &FuncType, spec: &VmcallSpec) -> bool {
    func.params().iter().map(|t| value_type(*t)).eq(spec.params.iter().map(|t| Some(*t)))
        && func.results().iter().map(|t| value_type(*t)).eq(spec.results.iter().map(|t| Some(*t)))
}
