//! The VM's own stack limit: each call reserves its frame's weight from a budget, and a call past the
//! budget traps with a flag the host reads. Native stack depth differs between compilers; this limit
//! does not, so a recursion bomb stops at the same call, with the same gas, everywhere.
//!
//! Every defined function becomes:
//!
//! ```text
//! if used > budget - weight { exhausted = 1; unreachable }
//! used += weight
//! block (result T)        ;; branches to the function's own label now land here
//!   <original body>       ;; each `return` is preceded by `used -= weight`
//! end
//! used -= weight
//! ```

use std::sync::Mutex;
use wasmer::sys::wasmparser::{BlockType, Operator, ValType};
use wasmer::sys::{FunctionMiddleware, MiddlewareError, MiddlewareReaderState, ModuleMiddleware};
use wasmer::{ExportIndex, GlobalInit, GlobalType, LocalFunctionIndex, Mutability, Type};
use wasmer_types::{GlobalIndex, ModuleInfo};

/// Export name of the global holding the stack slots in use.
pub const STACK_USED_EXPORT: &str = "__svm_stack_used";
/// Export name of the flag set when a call would exceed the budget.
pub const STACK_EXHAUSTED_EXPORT: &str = "__svm_stack_exhausted";

/// The module-level middleware; like wasmer's `Metering`, one instance instruments one module.
#[derive(Debug)]
pub struct StackLimit {
    budget: u32,
    /// Each defined function's frame weight, by local function index (from deploy validation).
    weights: Vec<u32>,
    module: Mutex<Option<ModuleFacts>>,
}

#[derive(Clone, Debug)]
struct ModuleFacts {
    used: GlobalIndex,
    exhausted: GlobalIndex,
    /// The wrapping block's type for each defined function.
    block_types: Vec<BlockType>,
}

impl StackLimit {
    /// A limit of `budget` slots over functions of the given frame weights.
    pub fn new(budget: u32, weights: Vec<u32>) -> StackLimit {
        StackLimit { budget, weights, module: Mutex::new(None) }
    }
}

impl ModuleMiddleware for StackLimit {
    fn generate_function_middleware<'a>(&self, index: LocalFunctionIndex) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        let facts = self.module.lock().ok().and_then(|m| m.clone());
        let weight = self.weights.get(index.as_u32() as usize).copied();
        Box::new(FunctionStackLimit {
            budget: self.budget,
            weight,
            block_type: facts.as_ref().and_then(|f| f.block_types.get(index.as_u32() as usize).copied()),
            globals: facts.map(|f| (f.used, f.exhausted)),
            started: false,
            depth: 0,
        })
    }

    fn transform_module_info(&self, info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        let mut module = self.module.lock().map_err(|_| error("state lock poisoned"))?;
        if module.is_some() {
            return Err(error("one StackLimit instruments one module"));
        }
        let mut block_types = Vec::new();
        for (_, signature) in info.functions.iter().skip(info.num_imported_functions) {
            let results = info.signatures[*signature].results();
            block_types.push(match results {
                [] => BlockType::Empty,
                [Type::I32] => BlockType::Type(ValType::I32),
                [Type::I64] => BlockType::Type(ValType::I64),
                _ => return Err(error("function result types outside the allow-list")),
            });
        }
        if block_types.len() != self.weights.len() {
            return Err(error("frame weights do not match the module's functions"));
        }
        let used = info.globals.push(GlobalType::new(Type::I32, Mutability::Var));
        info.global_initializers.push(GlobalInit::I32Const(0));
        info.exports.insert(STACK_USED_EXPORT.to_string(), ExportIndex::Global(used));
        let exhausted = info.globals.push(GlobalType::new(Type::I32, Mutability::Var));
        info.global_initializers.push(GlobalInit::I32Const(0));
        info.exports.insert(STACK_EXHAUSTED_EXPORT.to_string(), ExportIndex::Global(exhausted));
        *module = Some(ModuleFacts { used, exhausted, block_types });
        Ok(())
    }
}

fn error(message: &str) -> MiddlewareError {
    MiddlewareError::new("svm-stack-limit", message)
}

/// The per-function half: injects the prologue, the wrapping block and the epilogues.
#[derive(Debug)]
struct FunctionStackLimit {
    budget: u32,
    weight: Option<u32>,
    block_type: Option<BlockType>,
    globals: Option<(GlobalIndex, GlobalIndex)>,
    started: bool,
    /// Nesting depth of blocks inside the original body.
    depth: u32,
}

impl<'a> FunctionMiddleware<'a> for FunctionStackLimit {
    fn feed(&mut self, operator: Operator<'a>, state: &mut MiddlewareReaderState<'a>) -> Result<(), MiddlewareError> {
        let (Some(weight), Some(block_type), Some((used, exhausted))) = (self.weight, self.block_type, self.globals)
        else {
            return Err(error("module was not prepared by transform_module_info"));
        };
        let (used, exhausted) = (used.as_u32(), exhausted.as_u32());
        let weight = weight as i32;
        let release = [
            Operator::GlobalGet { global_index: used },
            Operator::I32Const { value: weight },
            Operator::I32Sub,
            Operator::GlobalSet { global_index: used },
        ];
        if !self.started {
            self.started = true;
            state.extend([
                Operator::GlobalGet { global_index: used },
                Operator::I32Const { value: self.budget as i32 - weight },
                Operator::I32GtS,
                Operator::If { blockty: BlockType::Empty },
                Operator::I32Const { value: 1 },
                Operator::GlobalSet { global_index: exhausted },
                Operator::Unreachable,
                Operator::End,
                Operator::GlobalGet { global_index: used },
                Operator::I32Const { value: weight },
                Operator::I32Add,
                Operator::GlobalSet { global_index: used },
                Operator::Block { blockty: block_type },
            ]);
        }
        match operator {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => self.depth += 1,
            Operator::End if self.depth == 0 => {
                // The function's own end: close the wrapping block, release the frame, then end.
                state.push_operator(Operator::End);
                state.extend(release.iter().cloned());
            }
            Operator::End => self.depth -= 1,
            Operator::Return => state.extend(release.iter().cloned()),
            _ => {}
        }
        state.push_operator(operator);
        Ok(())
    }
}
