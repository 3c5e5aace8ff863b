//! Per-byte gas for bulk memory: before `memory.copy`, `memory.fill` or `memory.init` runs, its
//! run-time length times [`BULK_MEMORY_PER_BYTE`] is taken from the metering middleware's counter; if
//! that is more than is left, the execution runs out of gas before a byte moves. So a huge fill costs
//! what it does, not one operator's gas.
//!
//! Before each such operator (whose length is on top of the operand stack):
//!
//! ```text
//! global.set $len                             ;; take the length off the stack
//! if remaining < len × per_byte { exhausted = 1; unreachable }
//! remaining -= len × per_byte
//! global.get $len                             ;; and put it back
//! ```
//!
//! It must run after the metering middleware, which it reads the counters of (and so costs no gas of
//! its own).

use crate::gas::cost_table::BULK_MEMORY_PER_BYTE;
use crate::gas::meter::{EXHAUSTED_EXPORT, REMAINING_EXPORT};
use std::sync::Mutex;
use wasmer::sys::wasmparser::{BlockType, Operator};
use wasmer::sys::{FunctionMiddleware, MiddlewareError, MiddlewareReaderState, ModuleMiddleware};
use wasmer::{ExportIndex, GlobalInit, GlobalType, LocalFunctionIndex, Mutability, Type};
use wasmer_types::{GlobalIndex, ModuleInfo};

/// The module-level middleware; one instance instruments one module.
#[derive(Debug, Default)]
pub struct BulkGas {
    globals: Mutex<Option<Globals>>,
}

#[derive(Clone, Copy, Debug)]
struct Globals {
    remaining: u32,
    exhausted: u32,
    len: u32,
}

fn error(message: &str) -> MiddlewareError {
    MiddlewareError::new("svm-bulk-gas", message)
}

fn exported_global(info: &ModuleInfo, name: &str) -> Result<GlobalIndex, MiddlewareError> {
    match info.exports.get(name) {
        Some(ExportIndex::Global(index)) => Ok(*index),
        _ => Err(error("the metering middleware must run first")),
    }
}

impl ModuleMiddleware for BulkGas {
    fn generate_function_middleware<'a>(&self, _: LocalFunctionIndex) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        Box::new(FunctionBulkGas { globals: self.globals.lock().ok().and_then(|g| *g) })
    }

    fn transform_module_info(&self, info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        let mut globals = self.globals.lock().map_err(|_| error("state lock poisoned"))?;
        if globals.is_some() {
            return Err(error("one BulkGas instruments one module"));
        }
        let remaining = exported_global(info, REMAINING_EXPORT)?.as_u32();
        let exhausted = exported_global(info, EXHAUSTED_EXPORT)?.as_u32();
        let len = info.globals.push(GlobalType::new(Type::I32, Mutability::Var));
        info.global_initializers.push(GlobalInit::I32Const(0));
        *globals = Some(Globals { remaining, exhausted, len: len.as_u32() });
        Ok(())
    }
}

/// The per-function half: charges before every bulk memory operator.
#[derive(Debug)]
struct FunctionBulkGas {
    globals: Option<Globals>,
}

impl<'a> FunctionMiddleware<'a> for FunctionBulkGas {
    fn feed(&mut self, operator: Operator<'a>, state: &mut MiddlewareReaderState<'a>) -> Result<(), MiddlewareError> {
        if matches!(operator, Operator::MemoryCopy { .. } | Operator::MemoryFill { .. } | Operator::MemoryInit { .. }) {
            let g = self.globals.ok_or_else(|| error("module was not prepared by transform_module_info"))?;
            let cost = [
                Operator::GlobalGet { global_index: g.len },
                Operator::I64ExtendI32U,
                Operator::I64Const { value: BULK_MEMORY_PER_BYTE as i64 },
                Operator::I64Mul,
            ];
            state.push_operator(Operator::GlobalSet { global_index: g.len });
            state.push_operator(Operator::GlobalGet { global_index: g.remaining });
            state.extend(cost.iter().cloned());
            state.extend([
                Operator::I64LtU,
                Operator::If { blockty: BlockType::Empty },
                Operator::I32Const { value: 1 },
                Operator::GlobalSet { global_index: g.exhausted },
                Operator::Unreachable,
                Operator::End,
                Operator::GlobalGet { global_index: g.remaining },
            ]);
            state.extend(cost.iter().cloned());
            state.extend([
                Operator::I64Sub,
                Operator::GlobalSet { global_index: g.remaining },
                Operator::GlobalGet { global_index: g.len },
            ]);
        }
        state.push_operator(operator);
        Ok(())
    }
}
