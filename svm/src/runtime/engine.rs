//! Building wasmer engines: compiler, middlewares and tunables, the same way for every module.

use super::config::{Compiler, RuntimeConfig};
use crate::gas::operator_cost;
use crate::instrument::{MemoryCap, StackLimit};
use crate::limits::NATIVE_STACK_BYTES;
use crate::validation::ValidatedModule;
use std::ptr::NonNull;
use std::sync::Arc;
use wasmer::sys::vm::{
    MemoryError, MemoryStyle, TableStyle, VMConfig, VMMemory, VMMemoryDefinition, VMTable, VMTableDefinition,
};
use wasmer::sys::{BaseTunables, CompilerConfig, Cranelift, EngineBuilder, NativeEngineExt, Singlepass, Tunables};
use wasmer::{Engine, MemoryType, Module, TableType};
use wasmer_middlewares::Metering;

/// Compiles validated `code` with metering, the stack limit and the memory cap, on a fresh engine
/// (wasmer's middlewares each instrument exactly one module).
pub fn compile(code: &[u8], validated: &ValidatedModule, config: &RuntimeConfig) -> Result<(Engine, Module), String> {
    let limits = &config.limits;
    let metering = Arc::new(Metering::new(0, |op: &wasmer::sys::wasmparser::Operator<'_>| operator_cost(op)));
    let stack = Arc::new(StackLimit::new(limits.stack_budget, validated.frame_weights.clone()));
    let memory = Arc::new(MemoryCap::new(limits.max_memory_pages));
    let mut engine: Engine = match config.compiler {
        Compiler::Singlepass => {
            let mut compiler = Singlepass::default();
            compiler.canonicalize_nans(true);
            // Metering first, so gas counts the contract's own operators and none of the instrumentation.
            compiler.push_middleware(metering);
            compiler.push_middleware(stack);
            compiler.push_middleware(memory);
            EngineBuilder::new(compiler).engine().into()
        }
        Compiler::Cranelift => {
            let mut compiler = Cranelift::default();
            compiler.canonicalize_nans(true);
            compiler.push_middleware(metering);
            compiler.push_middleware(stack);
            compiler.push_middleware(memory);
            EngineBuilder::new(compiler).engine().into()
        }
    };
    engine.set_tunables(SvmTunables::default());
    let module = Module::new(&engine, code).map_err(|e| e.to_string())?;
    Ok((engine, module))
}

/// An engine that only runs precompiled artifacts, with the VM's tunables.
pub fn headless() -> Engine {
    let mut engine = Engine::headless();
    engine.set_tunables(SvmTunables::default());
    engine
}

/// wasmer's base tunables with the VM's native stack size.
pub struct SvmTunables {
    base: BaseTunables,
    vmconfig: VMConfig,
}

impl Default for SvmTunables {
    fn default() -> SvmTunables {
        SvmTunables { base: BaseTunables::new(), vmconfig: VMConfig { wasm_stack_size: Some(NATIVE_STACK_BYTES) } }
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
