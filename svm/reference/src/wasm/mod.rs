//! The interpreter for the admitted WebAssembly subset, written from docs/consensus.md and the
//! WebAssembly specification: MVP integers and floats (with canonical NaNs), sign extension,
//! non-trapping float-to-int conversions, multi-value, the memory half of bulk memory, one memory,
//! at most one funcref table, mutable globals and vmcall imports.
//!
//! Its parts, one concept per module:
//! - `module`: decoding a binary into types, imports, compiled bodies, segments and exports;
//! - `compile`: one body into a flat instruction vector (`instr`) with resolved branches;
//! - `metering`: the static segment costs of metering by blocks;
//! - `frame_weight`: the spec's operand-stack heights, D and the frame weight;
//! - `link`: linking a contract's module with its libraries' at instantiation;
//! - `instance`: a fresh instance (globals, table, memory from the segments);
//! - `interpreter`: the run loop, calls, the stack budget and bulk-memory gas;
//! - `numeric` and `floats`: the operators' arithmetic.

mod compile;
mod floats;
mod frame_weight;
mod instance;
mod instr;
mod interpreter;
mod link;
mod metering;
mod module;
mod numeric;
#[cfg(test)]
mod spec_tests;

use crate::host::{Host, Meter, Stop};
use instance::Instance;
use interpreter::{check_types, execute, value_of, word_of};
use svm_core::Limits;
use svm_core::Value;

pub use link::link;
pub use module::Module;

/// Why admitted code could not be decoded (a bug: deploy validation admitted it).
#[derive(Debug, thiserror::Error)]
#[error("cannot decode admitted code: {0}")]
pub struct DecodeError(pub String);

/// Instantiates `module` afresh (element then data segments; a segment out of bounds traps) and
/// calls its export `function` with `args` (already checked against the export's signature),
/// metering on `meter` and calling vmcalls through `host`.
///
/// An export that is a re-exported vmcall runs the vmcall alone: no operator gas, no stack
/// reservation. Calling the entry function costs nothing by itself; its frame is reserved on the
/// stack budget like any other, which starts with `stack_used` slots already reserved (0 for the
/// transaction's own frame, the caller's `used` at the call for a callee frame).
pub fn invoke(
    module: &Module,
    function: &str,
    args: &[Value],
    limits: &Limits,
    stack_used: u64,
    host: &mut dyn Host,
    meter: &mut Meter,
) -> Result<Vec<Value>, Stop> {
    let index =
        *module.exports.get(function).ok_or_else(|| Stop::Fault(format!("no exported function {function:?}")))?;
    let ty = module.function_type(index).ok_or_else(|| Stop::Fault(format!("export {function:?} has no type")))?;
    check_types(args, &ty.params).map_err(|_| Stop::Fault(format!("arguments do not match {function:?}")))?;

    let mut instance = Instance::new(module, limits)?;
    call(module, &mut instance, index, args, limits, stack_used, host, meter)
}

/// Calls function `index` (an export's, its arguments checked) on `instance`, the stack budget
/// starting at `stack_used`.
#[allow(clippy::too_many_arguments)]
fn call(
    module: &Module,
    instance: &mut Instance,
    index: u32,
    args: &[Value],
    limits: &Limits,
    stack_used: u64,
    host: &mut dyn Host,
    meter: &mut Meter,
) -> Result<Vec<Value>, Stop> {
    let ty = module.function_type(index).ok_or_else(|| Stop::Fault(format!("function {index} has no type")))?;
    let imports = module.imports.len();
    let index = index as usize;
    if index < imports {
        let import = &module.imports[index];
        let memory = if module.memory_exported { Some(&mut instance.memory) } else { None };
        host.stack_used(stack_used);
        let results = host.vmcall(&import.name, args, memory, meter)?;
        check_types(&results, &ty.results)?;
        return Ok(results);
    }

    let words: Vec<u64> = args.iter().map(|v| word_of(*v)).collect();
    let results = execute(module, instance, index - imports, &words, stack_used, limits.stack_budget, host, meter)?;
    if results.len() != ty.results.len() {
        return Err(Stop::Fault("wrong number of results".into()));
    }
    Ok(results.iter().zip(&ty.results).map(|(w, t)| value_of(*w, *t)).collect())
}
