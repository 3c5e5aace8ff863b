//! Turning how an instance stopped into an engine-independent outcome.

use crate::outcome::{Outcome, TrapKind};
use crate::vmcalls::env::Fault;
use wasmer::RuntimeError as WasmerError;
use wasmer_types::TrapCode;

/// What stopped a failed call, in priority order: node faults first (they void the receipt), then the
/// meter, the stack budget, a vmcall's refusal, and last the engine's own trap code.
pub enum Stop {
    /// A consensus outcome.
    Outcome(Outcome),
    /// A node fault: no receipt.
    Node(String),
}

/// Classifies a failed call from the instance's flags, the recorded vmcall fault and wasmer's error.
pub fn classify(fault: Option<&Fault>, out_of_gas: bool, stack_exhausted: bool, error: &WasmerError) -> Stop {
    if let Some(Fault::Node(why)) = fault {
        return Stop::Node(why.clone());
    }
    if out_of_gas || matches!(fault, Some(Fault::OutOfGas)) {
        return Stop::Outcome(Outcome::OutOfGas);
    }
    if stack_exhausted {
        return Stop::Outcome(Outcome::StackExhausted);
    }
    if let Some(Fault::Host(kind, _)) = fault {
        return Stop::Outcome(Outcome::Host(*kind));
    }
    Stop::Outcome(Outcome::Trap(trap_kind(error.clone().to_trap())))
}

/// The engine-independent kind of a wasmer trap code.
pub fn trap_kind(code: Option<TrapCode>) -> TrapKind {
    match code {
        Some(TrapCode::UnreachableCodeReached) => TrapKind::Unreachable,
        Some(TrapCode::HeapAccessOutOfBounds) | Some(TrapCode::HeapMisaligned) => TrapKind::MemoryOutOfBounds,
        Some(TrapCode::TableAccessOutOfBounds) => TrapKind::TableOutOfBounds,
        Some(TrapCode::IndirectCallToNull) => TrapKind::IndirectCallToNull,
        Some(TrapCode::BadSignature) => TrapKind::BadSignature,
        Some(TrapCode::IntegerOverflow) => TrapKind::IntegerOverflow,
        Some(TrapCode::IntegerDivisionByZero) => TrapKind::IntegerDivisionByZero,
        Some(TrapCode::StackOverflow) => TrapKind::NativeStackOverflow,
        _ => TrapKind::Other,
    }
}
