//! What happened to a transaction: the consensus part of a receipt.

use crate::stable_codes::stable_codes;
use crate::validation::Rule;
use crate::vmcalls::HostError;

/// The result of a transaction. Only [`Outcome::Success`] changes state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Applied; the state changed.
    Success,
    /// Refused before any code ran.
    Invalid(InvalidTx),
    /// The gas limit was reached (in wasm, in a vmcall, or by intrinsic costs).
    OutOfGas,
    /// A call went past the VM's stack budget.
    StackExhausted,
    /// The contract trapped.
    Trap(TrapKind),
    /// A vmcall refused its arguments.
    Host(HostError),
}

/// Why a transaction was refused before execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvalidTx {
    /// The nonce is not the sender's account nonce.
    NonceMismatch,
    /// The sender cannot pay the value or initial balance.
    InsufficientBalance,
    /// The recipient's balance would overflow.
    BalanceOverflow,
    /// No contract lives at the address.
    UnknownContract,
    /// A contract already lives at the deploy address.
    AddressTaken,
    /// The storage layout breaks a layout rule.
    InvalidLayout,
    /// The code breaks a rule of the deploy allow-list.
    CodeRejected(Rule),
    /// The contract exports no function of that name.
    NoSuchFunction,
    /// The arguments do not match the function's parameters.
    ArgumentMismatch,
    /// More calldata than the limit.
    CalldataTooLarge,
}

/// Why a contract trapped, in engine-independent terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapKind {
    /// `unreachable` was executed.
    Unreachable,
    /// A load or store outside linear memory.
    MemoryOutOfBounds,
    /// `call_indirect` outside the table.
    TableOutOfBounds,
    /// `call_indirect` to an empty table slot.
    IndirectCallToNull,
    /// `call_indirect` with the wrong signature.
    BadSignature,
    /// Integer overflow (`INT_MIN / -1`).
    IntegerOverflow,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// The native stack ran out before the VM's budget did. Never expected: the budget is sized to
    /// prevent it, and a test pins that.
    NativeStackOverflow,
    /// Anything else the engine reported.
    Other,
}

impl InvalidTx {
    /// The reason's stable code; `CodeRejected` codes follow after the plain ones, one per rule.
    pub fn code(self) -> u8 {
        match self {
            InvalidTx::NonceMismatch => 0,
            InvalidTx::InsufficientBalance => 1,
            InvalidTx::BalanceOverflow => 2,
            InvalidTx::UnknownContract => 3,
            InvalidTx::AddressTaken => 4,
            InvalidTx::InvalidLayout => 5,
            InvalidTx::NoSuchFunction => 6,
            InvalidTx::ArgumentMismatch => 7,
            InvalidTx::CalldataTooLarge => 8,
            InvalidTx::CodeRejected(rule) => 64 + rule.code(),
        }
    }

    /// The reason with code `code`.
    pub fn from_code(code: u8) -> Option<InvalidTx> {
        Some(match code {
            0 => InvalidTx::NonceMismatch,
            1 => InvalidTx::InsufficientBalance,
            2 => InvalidTx::BalanceOverflow,
            3 => InvalidTx::UnknownContract,
            4 => InvalidTx::AddressTaken,
            5 => InvalidTx::InvalidLayout,
            6 => InvalidTx::NoSuchFunction,
            7 => InvalidTx::ArgumentMismatch,
            8 => InvalidTx::CalldataTooLarge,
            64.. => InvalidTx::CodeRejected(Rule::from_code(code - 64)?),
            _ => return None,
        })
    }
}

stable_codes!(TrapKind {
    Unreachable => "unreachable",
    MemoryOutOfBounds => "memory-out-of-bounds",
    TableOutOfBounds => "table-out-of-bounds",
    IndirectCallToNull => "indirect-call-to-null",
    BadSignature => "bad-signature",
    IntegerOverflow => "integer-overflow",
    IntegerDivisionByZero => "integer-division-by-zero",
    NativeStackOverflow => "native-stack-overflow",
    Other => "other",
});

impl Outcome {
    /// The outcome as (class, detail) codes, as the codec writes it.
    pub fn codes(self) -> (u8, u8) {
        match self {
            Outcome::Success => (0, 0),
            Outcome::Invalid(reason) => (1, reason.code()),
            Outcome::OutOfGas => (2, 0),
            Outcome::StackExhausted => (3, 0),
            Outcome::Trap(kind) => (4, kind.code()),
            Outcome::Host(kind) => (5, kind.code()),
        }
    }

    /// The outcome with codes (`class`, `detail`).
    pub fn from_codes(class: u8, detail: u8) -> Option<Outcome> {
        Some(match (class, detail) {
            (0, 0) => Outcome::Success,
            (1, d) => Outcome::Invalid(InvalidTx::from_code(d)?),
            (2, 0) => Outcome::OutOfGas,
            (3, 0) => Outcome::StackExhausted,
            (4, d) => Outcome::Trap(TrapKind::from_code(d)?),
            (5, d) => Outcome::Host(HostError::from_code(d)?),
            _ => return None,
        })
    }

    /// Whether the transaction was applied.
    pub fn is_success(self) -> bool {
        self == Outcome::Success
    }

    /// A short stable name, as reports print it (`invalid:nonce-mismatch`, `trap:unreachable` …).
    pub fn name(self) -> String {
        match self {
            Outcome::Success => "success".into(),
            Outcome::Invalid(InvalidTx::CodeRejected(rule)) => format!("invalid:code-rejected:{rule}"),
            Outcome::Invalid(reason) => format!("invalid:{}", kebab(&format!("{reason:?}"))),
            Outcome::OutOfGas => "out-of-gas".into(),
            Outcome::StackExhausted => "stack-exhausted".into(),
            Outcome::Trap(kind) => format!("trap:{}", kind.name()),
            Outcome::Host(kind) => format!("host:{}", kind.name()),
        }
    }
}

fn kebab(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_round_trips_its_codes_and_names_are_distinct() {
        let mut all = vec![Outcome::Success, Outcome::OutOfGas, Outcome::StackExhausted];
        all.extend((0..=255).filter_map(InvalidTx::from_code).map(Outcome::Invalid));
        all.extend(TrapKind::ALL.iter().copied().map(Outcome::Trap));
        all.extend(HostError::ALL.iter().copied().map(Outcome::Host));
        assert_eq!(all.len(), 3 + 9 + Rule::ALL.len() + TrapKind::ALL.len() + HostError::ALL.len());
        for (i, outcome) in all.iter().enumerate() {
            let (class, detail) = outcome.codes();
            assert_eq!(Outcome::from_codes(class, detail), Some(*outcome));
            assert!(all[i + 1..].iter().all(|o| o.name() != outcome.name()), "{}", outcome.name());
        }
        assert_eq!(Outcome::Invalid(InvalidTx::NonceMismatch).name(), "invalid:nonce-mismatch");
        assert_eq!(Outcome::from_codes(2, 1), None);
    }
}
