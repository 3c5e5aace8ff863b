//! Building wasmer engines: compiler, middlewares and tunables, the same way for every module.

use super::config::{Compiler, RuntimeConfig};
use crate::gas::operator_cost;
use crate::instrument::{BulkGas, MemoryCap, NanCanonicalize, StackLimit};
use crate::validation::ValidatedModule;
use std::ptr::NonNull;
use std::sync::Arc;
use wasmer::sys::vm::{
    MemoryError, MemoryStyle, TableStyle, VMConfig, VMMemory, VMMemoryDefinition, VMTable, VMTableDefinition,
};
use wasmer::sys::{
    BaseTunables, CompilerConfig, Cranelift, EngineBuilder, ModuleMiddleware, NativeEngineExt, Singlepass, Tunables,
};
use wasmer::{Engine, MemoryType, Module, TableType};
use wasmer_middlewares::Metering;

/// Compiles validated `code` with metering, the stack limit and the memory cap, on a fresh engine
/// (wasmer's middlewares each instrument exactly one module).
pub fn compile(code: &[u8], validated: &ValidatedModule, config: &RuntimeConfig) -> Result<(Engine, Module), String> {
    let limits = &config.limits;
    #[cfg(not(feature = "canaries"))]
    let (cost, frame_weights) = (operator_cost, validated.frame_weights.clone());
    #[cfg(feature = "canaries")]
    let (cost, frame_weights) = {
        let canary = config.canary;
        let cost = move |op: &wasmer::sys::wasmparser::Operator<'_>| {
            super::canary::metered_cost(canary, crate::validation::operators::operator_name(op), operator_cost(op))
        };
        (cost, super::canary::frame_weights(canary, &validated.frame_weights))
    };
    let metering = Arc::new(Metering::new(0, cost));
    let stack = Arc::new(StackLimit::new(limits.stack_budget, frame_weights));
    let memory = Arc::new(MemoryCap::new(limits.max_memory_pages));
    // Metering first, so gas counts the contract's own operators and none of the instrumentation; the
    // per-byte bulk-memory charge right after it, on its counters.
    let bulk = Arc::new(BulkGas::default());
    let nans = Arc::new(NanCanonicalize::default());
    let middlewares: [Arc<dyn ModuleMiddleware>; 5] = [metering, bulk, nans, stack, memory];
    let mut engine = match config.compiler {
        Compiler::Singlepass => instrumented_engine(Singlepass::default(), middlewares),
        Compiler::Cranelift => instrumented_engine(Cranelift::default(), middlewares),
    };
    engine.set_tunables(SvmTunables::with_stack(config.native_stack()));
    let stripped = without_custom_sections(code);
    // A panic inside a compiler is a compiler bug reachable by contract input: report it as a
    // compile failure (a node fault the fuzzers flag) instead of taking the process down.
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Module::new(&engine, &stripped)))
        .map_err(|panic| format!("the {} compiler panicked: {}", config.compiler.name(), panic_text(&panic)))?;
    let module = compiled.map_err(|e| e.to_string())?;
    Ok((engine, module))
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// An engine over `compiler` with NaN canonicalization on and `middlewares` in order.
fn instrumented_engine(
    mut compiler: impl CompilerConfig + 'static,
    middlewares: [Arc<dyn ModuleMiddleware>; 5],
) -> Engine {
    compiler.canonicalize_nans(true);
    for middleware in middlewares {
        compiler.push_middleware(middleware);
    }
    EngineBuilder::new(compiler).engine().into()
}

/// The module with every custom section removed. Custom sections carry no semantics, but compilers
/// read some of them: singlepass builds debug info from the `name` section and panics on an empty
/// module name (found by the `vmcalls` fuzzer; corpus/regressions R-0003). Code that is not a
/// well-formed sequence of sections is returned unchanged (validation has already refused it).
pub fn without_custom_sections(code: &[u8]) -> Vec<u8> {
    fn leb_u32(bytes: &[u8]) -> Option<(usize, usize)> {
        let mut value = 0usize;
        for (i, byte) in bytes.iter().take(5).enumerate() {
            value |= usize::from(byte & 0x7F) << (7 * i);
            if byte & 0x80 == 0 {
                return Some((value, i + 1));
            }
        }
        None
    }
    let Some(header) = code.get(..8) else { return code.to_vec() };
    let mut out = header.to_vec();
    let mut at = 8;
    while at < code.len() {
        let id = code[at];
        let Some((size, width)) = code.get(at + 1..).and_then(leb_u32) else { return code.to_vec() };
        let end = at + 1 + width + size;
        let Some(section) = code.get(at..end) else { return code.to_vec() };
        if id != 0 {
            out.extend_from_slice(section);
        }
        at = end;
    }
    out
}

/// An engine that only runs precompiled artifacts, with the VM's tunables and a native stack of
/// `stack_bytes`.
pub fn headless(stack_bytes: usize) -> Engine {
    let mut engine = Engine::headless();
    engine.set_tunables(SvmTunables::with_stack(stack_bytes));
    engine
}

/// wasmer's base tunables with the VM's native stack size.
pub struct SvmTunables {
    base: BaseTunables,
    vmconfig: VMConfig,
}

impl SvmTunables {
    /// The base tunables with a native stack of `stack_bytes`.
    pub fn with_stack(stack_bytes: usize) -> SvmTunables {
        SvmTunables { base: BaseTunables::new(), vmconfig: VMConfig { wasm_stack_size: Some(stack_bytes) } }
    }
}

impl Tunables for SvmTunables {
    fn memory_style(&self, memory: &MemoryType) -> MemoryStyle {
        self.base.memory_style(memory)
    }

    fn table_style(&self, table: &TableType) -> TableStyle {
        self.base.table_style(table)
    }

    fn create_host_memory(&self, ty: &MemoryType, style: &MemoryStyle) -> Result<VMMemory, MemoryError> {
        self.base.create_host_memory(ty, style)
    }

    unsafe fn create_vm_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
        vm_definition_location: NonNull<VMMemoryDefinition>,
    ) -> Result<VMMemory, MemoryError> {
        // SAFETY: forwarded unchanged; the caller upholds the same contract for both.
        unsafe { self.base.create_vm_memory(ty, style, vm_definition_location) }
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        self.base.create_host_table(ty, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        // SAFETY: forwarded unchanged; the caller upholds the same contract for both.
        unsafe { self.base.create_vm_table(ty, style, vm_definition_location) }
    }

    fn vmconfig(&self) -> &VMConfig {
        &self.vmconfig
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_sections_are_dropped_and_everything_else_kept() {
        let code =
            wat::parse_bytes(br#"(module $m (func $f (export "f") (result i32) (i32.const 7)))"#).unwrap().into_owned();
        let stripped = without_custom_sections(&code);
        assert!(stripped.len() < code.len(), "the name section is gone");
        let sections = |bytes: &[u8]| {
            wasmer::sys::wasmparser::Parser::new(0)
                .parse_all(bytes)
                .filter(|p| matches!(p, Ok(wasmer::sys::wasmparser::Payload::CustomSection(_))))
                .count()
        };
        assert_eq!((sections(&code), sections(&stripped)), (1, 0));
        assert!(crate::validation::validate(&stripped, &Default::default()).is_ok());
        assert_eq!(without_custom_sections(b"\0asm"), b"\0asm".to_vec());
    }

    #[test]
    fn an_empty_module_name_compiles_on_both_compilers() {
        // (module $"" ...) gives a name section whose module name is empty: singlepass used to panic.
        let mut code = wat::parse_bytes(br#"(module (func (export "f")))"#).unwrap().into_owned();
        code.extend_from_slice(&[0, 8, 4, b'n', b'a', b'm', b'e', 0, 1, 0]);
        let validated = crate::validation::validate(&code, &Default::default()).unwrap();
        for compiler in [super::super::config::Compiler::Singlepass, super::super::config::Compiler::Cranelift] {
            let config = RuntimeConfig { compiler, ..RuntimeConfig::default() };
            assert!(compile(&code, &validated, &config).is_ok(), "{compiler:?}");
        }
    }
}
