//! NaN canonicalization done by the VM itself: after every float operator that can produce a NaN,
//! a NaN result is replaced by the canonical NaN of its width (`0x7fc00000`, `0x7ff8000000000000`).
//! Both compilers are also told to canonicalize, but singlepass misses some operators (it left
//! `f64.promote_f32` and `f32.demote_f64` of a NaN with its payload, while cranelift canonicalized:
//! found by the spec suite); doing it here makes the rule the VM's own, whatever a compiler does.
//!
//! After each such operator, with its result `x` on the stack:
//!
//! ```text
//! global.set $x; canonical; global.get $x; global.get $x; global.get $x; fNN.ne; select
//! ```
//!
//! (`x != x` only for a NaN.) Sign operations (`abs`, `neg`, `copysign`), loads, constants and
//! reinterpretations move bits and keep a NaN's payload, as the WebAssembly spec requires.

use std::sync::Mutex;
use wasmer::sys::wasmparser::{Ieee32, Ieee64, Operator};
use wasmer::sys::{FunctionMiddleware, MiddlewareError, MiddlewareReaderState, ModuleMiddleware};
use wasmer::{GlobalInit, GlobalType, LocalFunctionIndex, Mutability, Type};
use wasmer_types::ModuleInfo;

/// The canonical 32-bit NaN.
pub const CANONICAL_NAN_32: u32 = 0x7FC0_0000;
/// The canonical 64-bit NaN.
pub const CANONICAL_NAN_64: u64 = 0x7FF8_0000_0000_0000;

/// The width of the NaN an operator named `name` can produce, if it can produce one.
pub fn nan_result(op: &Operator<'_>) -> Option<Type> {
    use Operator::*;
    match op {
        F32Add | F32Sub | F32Mul | F32Div | F32Sqrt | F32Min | F32Max | F32Ceil | F32Floor | F32Trunc | F32Nearest
        | F32DemoteF64 => Some(Type::F32),
        F64Add | F64Sub | F64Mul | F64Div | F64Sqrt | F64Min | F64Max | F64Ceil | F64Floor | F64Trunc | F64Nearest
        | F64PromoteF32 => Some(Type::F64),
        _ => None,
    }
}

/// The module-level middleware; one instance instruments one module.
#[derive(Debug, Default)]
pub struct NanCanonicalize {
    scratch: Mutex<Option<(u32, u32)>>,
}

fn error(message: &str) -> MiddlewareError {
    MiddlewareError::new("svm-nan-canonicalize", message)
}

impl ModuleMiddleware for NanCanonicalize {
    fn generate_function_middleware<'a>(&self, _: LocalFunctionIndex) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        Box::new(FunctionNanCanonicalize { scratch: self.scratch.lock().ok().and_then(|s| *s) })
    }

    fn transform_module_info(&self, info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        let mut scratch = self.scratch.lock().map_err(|_| error("state lock poisoned"))?;
        if scratch.is_some() {
            return Err(error("one NanCanonicalize instruments one module"));
        }
        let f32_scratch = info.globals.push(GlobalType::new(Type::F32, Mutability::Var));
        info.global_initializers.push(GlobalInit::F32Const(0.0));
        let f64_scratch = info.globals.push(GlobalType::new(Type::F64, Mutability::Var));
        info.global_initializers.push(GlobalInit::F64Const(0.0));
        *scratch = Some((f32_scratch.as_u32(), f64_scratch.as_u32()));
        Ok(())
    }
}

/// The per-function half.
#[derive(Debug)]
struct FunctionNanCanonicalize {
    scratch: Option<(u32, u32)>,
}

impl<'a> FunctionMiddleware<'a> for FunctionNanCanonicalize {
    fn feed(&mut self, operator: Operator<'a>, state: &mut MiddlewareReaderState<'a>) -> Result<(), MiddlewareError> {
        let width = nan_result(&operator);
        state.push_operator(operator);
        let Some(width) = width else { return Ok(()) };
        let (f32_scratch, f64_scratch) =
            self.scratch.ok_or_else(|| error("module was not prepared by transform_module_info"))?;
        let (global_index, canonical, ne) = match width {
            Type::F32 => (
                f32_scratch,
                Operator::F32Const { value: Ieee32::from(f32::from_bits(CANONICAL_NAN_32)) },
                Operator::F32Ne,
            ),
            _ => (
                f64_scratch,
                Operator::F64Const { value: Ieee64::from(f64::from_bits(CANONICAL_NAN_64)) },
                Operator::F64Ne,
            ),
        };
        state.extend([
            Operator::GlobalSet { global_index },
            canonical,
            Operator::GlobalGet { global_index },
            Operator::GlobalGet { global_index },
            Operator::GlobalGet { global_index },
            ne,
            Operator::Select,
        ]);
        Ok(())
    }
}
