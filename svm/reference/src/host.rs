//! The boundary between the interpreter and the chain: the gas meter, what stops a run early, and
//! the trait through which the interpreter calls vmcalls.

use svm_core::Value;
use svm_core::outcome::TrapKind;
use svm_core::vmcalls::HostError;

/// Why a run stopped before its function returned. At most one happens per execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// A metered block, a bulk-memory length, a vmcall price or page gas exceeded the gas left.
    OutOfGas,
    /// Entering a function would exceed the stack budget.
    StackExhausted,
    /// The code trapped.
    Trap(TrapKind),
    /// A vmcall refused its arguments.
    Host(HostError),
    /// Something the rules say cannot happen (a bug in the reference): never an outcome.
    Fault(String),
}

/// The gas left in one execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meter {
    /// Gas still available.
    pub remaining: u64,
}

impl Meter {
    /// Takes `amount` from the gas left, or stops with [`Stop::OutOfGas`] (leaving nothing) when
    /// there is not enough.
    pub fn charge(&mut self, amount: u64) -> Result<(), Stop> {
        if amount > self.remaining {
            self.remaining = 0;
            return Err(Stop::OutOfGas);
        }
        self.remaining -= amount;
        Ok(())
    }
}

/// What the interpreter calls for an imported (vmcall) function.
pub trait Host {
    /// Runs the vmcall `name` with `args` (already of its signature's types). `memory` is the
    /// instance's linear memory when the module exports it under the name `memory`, else `None`.
    /// The vmcall charges its own price and page gas on `meter`.
    fn vmcall(
        &mut self,
        name: &str,
        args: &[Value],
        memory: Option<&mut Vec<u8>>,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop>;

    /// Told before every vmcall: the stack-budget slots the running frame has reserved, where the
    /// stack of a frame the vmcall runs (`contract_call`) starts. Hosts that run no frames ignore it.
    fn stack_used(&mut self, _used: u64) {}
}
