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
//!
//! A function with several results wraps its body in a block of the function's own type instead (so no
//! type needs adding): its parameters are pushed as the block's parameters and dropped at once.

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
    /// The wrapping block for each defined function.
    wrappers: Vec<Wrapper>,
}

/// How a function's body is wrapped: the block's type, and how many parameters the block takes (and
/// the prologue pushes and drops) when it borrows the function's own type.
#[derive(Clone, Copy, Debug)]
struct Wrapper {
    block_type: BlockType,
    params: u32,
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
            wrapper: facts.as_ref().and_then(|f| f.wrappers.get(index.as_u32() as usize).copied()),
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
        let mut wrappers = Vec::new();
        for (_, signature) in info.functions.iter().skip(info.num_imported_functions) {
            let function = &info.signatures[*signature];
            let single = |ty: ValType| Wrapper { block_type: BlockType::Type(ty), params: 0 };
            wrappers.push(match function.results() {
                [] => Wrapper { block_type: BlockType::Empty, params: 0 },
                [Type::I32] => single(ValType::I32),
                [Type::I64] => single(ValType::I64),
                [Type::F32] => single(ValType::F32),
                [Type::F64] => single(ValType::F64),
                results if results.iter().all(|t| matches!(t, Type::I32 | Type::I64 | Type::F32 | Type::F64)) => {
                    Wrapper {
                        block_type: BlockType::FuncType(signature.as_u32()),
                        params: function.params().len() as u32,
                    }
                }
                _ => return Err(error("function result types outside the allow-list")),
            });
        }
        if wrappers.len() != self.weights.len() {
            return Err(error("frame weights do not match the module's functions"));
        }
        let used = info.globals.push(GlobalType::new(Type::I32, Mutability::Var));
        info.global_initializers.push(GlobalInit::I32Const(0));
        info.exports.insert(STACK_USED_EXPORT.to_string(), ExportIndex::Global(used));
        let exhausted = info.globals.push(GlobalType::new(Type::I32, Mutability::Var));
        info.global_initializers.push(GlobalInit::I32Const(0));
        info.exports.insert(STACK_EXHAUSTED_EXPORT.to_string(), ExportIndex::Global(exhausted));
        *module = Some(ModuleFacts { used, exhausted, wrappers });
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
    wrapper: Option<Wrapper>,
    globals: Option<(GlobalIndex, GlobalIndex)>,
    started: bool,
    /// Nesting depth of blocks inside the original body.
    depth: u32,
}

impl<'a> FunctionMiddleware<'a> for FunctionStackLimit {
    fn feed(&mut self, operator: Operator<'a>, state: &mut MiddlewareReaderState<'a>) -> Result<(), MiddlewareError> {
        let (Some(weight), Some(wrapper), Some((used, exhausted))) = (self.weight, self.wrapper, self.globals) else {
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
            ]);
            // A block of the function's own type takes its parameters: hand them over, then drop them.
            state.extend((0..wrapper.params).map(|local_index| Operator::LocalGet { local_index }));
            state.push_operator(Operator::Block { blockty: wrapper.block_type });
            state.extend((0..wrapper.params).map(|_| Operator::Drop));
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
