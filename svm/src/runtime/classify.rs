//! Turning how an instance stopped into an engine-independent outcome, or a node fault.

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
    let code = error.clone().to_trap();
    match trap_kind(code) {
        Some(kind) => Stop::Outcome(Outcome::Trap(kind)),
        // A native stack overflow means the VM's stack budget failed to stop a recursion first; any
        // other trap code is one no admitted operator can raise. Either is the VM's failure, and
        // may differ between compilers: never a consensus outcome.
        None => Stop::Node(format!("engine trap outside the VM's outcomes: {code:?}: {}", error.message())),
    }
}

/// The engine-independent kind of a wasmer trap code, if it is one an admitted contract can raise.
pub fn trap_kind(code: Option<TrapCode>) -> Option<TrapKind> {
    Some(match code? {
        TrapCode::UnreachableCodeReached => TrapKind::Unreachable,
        TrapCode::HeapAccessOutOfBounds => TrapKind::MemoryOutOfBounds,
        TrapCode::TableAccessOutOfBounds => TrapKind::TableOutOfBounds,
        TrapCode::IndirectCallToNull => TrapKind::IndirectCallToNull,
        TrapCode::BadSignature => TrapKind::BadSignature,
        TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        TrapCode::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        TrapCode::BadConversionToInteger => TrapKind::InvalidConversionToInteger,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vmcalls::HostError;
    use wasmer::sys::vm::Trap;

    fn engine_trap(code: TrapCode) -> WasmerError {
        WasmerError::from(Trap::lib(code))
    }

    #[test]
    fn a_native_stack_overflow_and_an_unknown_trap_are_node_faults() {
        assert!(matches!(classify(None, false, false, &engine_trap(TrapCode::StackOverflow)), Stop::Node(_)));
        assert!(matches!(classify(None, false, false, &engine_trap(TrapCode::UnalignedAtomic)), Stop::Node(_)));
        assert!(matches!(classify(None, false, false, &WasmerError::new("no trap code at all")), Stop::Node(_)));
    }

    #[test]
    fn outcomes_come_in_priority_order() {
        let trap = engine_trap(TrapCode::UnreachableCodeReached);
        let host = Fault::Host(HostError::UnknownSlice, String::new());
        assert!(matches!(classify(None, false, false, &trap), Stop::Outcome(Outcome::Trap(TrapKind::Unreachable))));
        assert!(matches!(classify(Some(&host), false, false, &trap), Stop::Outcome(Outcome::Host(_))));
        assert!(matches!(classify(Some(&host), false, true, &trap), Stop::Outcome(Outcome::StackExhausted)));
        assert!(matches!(classify(Some(&host), true, true, &trap), Stop::Outcome(Outcome::OutOfGas)));
        let node = Fault::Node("kv".into());
        assert!(matches!(classify(Some(&node), true, true, &trap), Stop::Node(_)));
    }
}
