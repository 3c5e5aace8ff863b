//! What happened to a transaction: the consensus part of a receipt.

use crate::link_rule::LinkRule;
use crate::stable_codes::stable_codes;
use crate::validation::Rule;
use crate::vmcalls::HostError;

/// The result of a transaction.
///
/// [`Outcome::Success`] applies the transaction. [`Outcome::Invalid`] changes nothing at all: the
/// sender could not pay, or the transaction cannot apply to this state. Every other outcome is a
/// *failed* transaction: it consumes the sender's nonce and pays `gas_used × gas_price` to the fee
/// account, and changes nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Applied; the state changed.
    Success,
    /// Refused before anything was charged: nothing changed, not even the nonce.
    Invalid(InvalidTx),
    /// The gas limit was reached (in wasm, in a vmcall, or by intrinsic costs).
    OutOfGas,
    /// A call went past the VM's stack budget.
    StackExhausted,
    /// The contract trapped.
    Trap(TrapKind),
    /// A vmcall refused its arguments.
    Host(HostError),
    /// Refused before any code ran, after the intrinsic gas was charged (the call names no export or
    /// mismatches its signature; the deploy's layout or code breaks a rule).
    Refused(Refusal),
}

/// Why a transaction was invalid: it changes nothing and pays nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvalidTx {
    /// The nonce is not the sender's account nonce.
    NonceMismatch,
    /// The sender cannot pay the most the transaction can cost (gas limit × gas price) plus the value
    /// or initial balance it moves.
    InsufficientBalance,
    /// A balance would overflow (the recipient's, the new contract's, or the fee account's).
    BalanceOverflow,
    /// No contract lives at the address.
    UnknownContract,
    /// A contract already lives at the deploy address.
    AddressTaken,
    /// More calldata than the limit.
    CalldataTooLarge,
    /// Gas limit × gas price plus the value moved does not fit in a `u64`.
    FeeOverflow,
    /// The fee account is the sender or the recipient.
    FeeAccount,
    /// A gas limit above the VM's maximum.
    GasLimitTooHigh,
    /// A library's account is the sender or the recipient (a library holds no balance and sends nothing).
    LibraryAccount,
}

/// Why a transaction was refused before any code ran; it pays its intrinsic gas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The contract exports no function of that name.
    NoSuchFunction,
    /// The arguments do not match the function's parameters.
    ArgumentMismatch,
    /// The deploy's storage layout breaks a layout rule or limit.
    InvalidLayout,
    /// The deploy's code breaks a rule of the allow-list.
    CodeRejected(Rule),
    /// The deploy's code cannot be linked with the libraries it imports.
    Link(LinkRule),
    /// A call's callee address holds no contract (a callee outcome only).
    NoSuchContract,
    /// A call past the call-depth limit (a callee outcome only).
    CallDepth,
    /// A call to a contract that already has a frame on the call stack (a callee outcome only).
    Reentry,
    /// A call moving more than the caller contract holds, or overflowing the callee's balance (a callee
    /// outcome only).
    CallValue,
}

/// Why a contract trapped, in engine-independent terms. A trap the engine reports that is none of
/// these (a native stack overflow, say) is a node fault, not an outcome.
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
    /// A trapping float-to-int conversion of a NaN (`trunc` of NaN; out-of-range values are
    /// `integer-overflow`).
    InvalidConversionToInteger,
}

stable_codes!(InvalidTx {
    NonceMismatch => "nonce-mismatch",
    InsufficientBalance => "insufficient-balance",
    BalanceOverflow => "balance-overflow",
    UnknownContract => "unknown-contract",
    AddressTaken => "address-taken",
    CalldataTooLarge => "calldata-too-large",
    FeeOverflow => "fee-overflow",
    FeeAccount => "fee-account",
    GasLimitTooHigh => "gas-limit-too-high",
    LibraryAccount => "library-account",
});

impl Refusal {
    /// The reason's stable code; `Link` codes start at 32 and `CodeRejected` codes at 64, one per rule.
    pub fn code(self) -> u8 {
        match self {
            Refusal::NoSuchFunction => 0,
            Refusal::ArgumentMismatch => 1,
            Refusal::InvalidLayout => 2,
            Refusal::NoSuchContract => 3,
            Refusal::CallDepth => 4,
            Refusal::Reentry => 5,
            Refusal::CallValue => 6,
            Refusal::Link(rule) => 32 + rule.code(),
            Refusal::CodeRejected(rule) => 64 + rule.code(),
        }
    }

    /// The reason with code `code`.
    pub fn from_code(code: u8) -> Option<Refusal> {
        Some(match code {
            0 => Refusal::NoSuchFunction,
            1 => Refusal::ArgumentMismatch,
            2 => Refusal::InvalidLayout,
            3 => Refusal::NoSuchContract,
            4 => Refusal::CallDepth,
            5 => Refusal::Reentry,
            6 => Refusal::CallValue,
            32..64 => Refusal::Link(LinkRule::from_code(code - 32)?),
            64.. => Refusal::CodeRejected(Rule::from_code(code - 64)?),
            _ => return None,
        })
    }

    /// The reason's name as reports spell it (`no-such-function`, `code-rejected:float` …).
    pub fn name(self) -> String {
        match self {
            Refusal::NoSuchFunction => "no-such-function".into(),
            Refusal::ArgumentMismatch => "argument-mismatch".into(),
            Refusal::InvalidLayout => "invalid-layout".into(),
            Refusal::NoSuchContract => "no-such-contract".into(),
            Refusal::CallDepth => "call-depth".into(),
            Refusal::Reentry => "reentry".into(),
            Refusal::CallValue => "call-value".into(),
            Refusal::Link(rule) => format!("link:{rule}"),
            Refusal::CodeRejected(rule) => format!("code-rejected:{rule}"),
        }
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
    InvalidConversionToInteger => "invalid-conversion-to-integer",
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
            Outcome::Refused(reason) => (6, reason.code()),
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
            (6, d) => Outcome::Refused(Refusal::from_code(d)?),
            _ => return None,
        })
    }

    /// Whether the transaction was applied.
    pub fn is_success(self) -> bool {
        self == Outcome::Success
    }

    /// Whether the transaction was invalid (it changed nothing, not even the nonce).
    pub fn is_invalid(self) -> bool {
        matches!(self, Outcome::Invalid(_))
    }

    /// Whether the transaction failed: it consumed its nonce and paid its fee, and changed nothing else.
    pub fn is_failure(self) -> bool {
        !self.is_success() && !self.is_invalid()
    }

    /// A short stable name, as reports print it (`invalid:nonce-mismatch`, `trap:unreachable` …).
    pub fn name(self) -> String {
        match self {
            Outcome::Success => "success".into(),
            Outcome::Invalid(reason) => format!("invalid:{}", reason.name()),
            Outcome::OutOfGas => "out-of-gas".into(),
            Outcome::StackExhausted => "stack-exhausted".into(),
            Outcome::Trap(kind) => format!("trap:{}", kind.name()),
            Outcome::Host(kind) => format!("host:{}", kind.name()),
            Outcome::Refused(reason) => format!("refused:{}", reason.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_round_trips_its_codes_and_names_are_distinct() {
        let mut all = vec![Outcome::Success, Outcome::OutOfGas, Outcome::StackExhausted];
        all.extend(InvalidTx::ALL.iter().copied().map(Outcome::Invalid));
        all.extend((0..=255).filter_map(Refusal::from_code).map(Outcome::Refused));
        all.extend(TrapKind::ALL.iter().copied().map(Outcome::Trap));
        all.extend(HostError::ALL.iter().copied().map(Outcome::Host));
        assert_eq!(
            all.len(),
            3 + InvalidTx::ALL.len()
                + 7
                + LinkRule::ALL.len()
                + Rule::ALL.len()
                + TrapKind::ALL.len()
                + HostError::ALL.len()
        );
        for (i, outcome) in all.iter().enumerate() {
            let (class, detail) = outcome.codes();
            assert_eq!(Outcome::from_codes(class, detail), Some(*outcome));
            assert!(all[i + 1..].iter().all(|o| o.name() != outcome.name()), "{}", outcome.name());
        }
        assert_eq!(Outcome::Invalid(InvalidTx::NonceMismatch).name(), "invalid:nonce-mismatch");
        assert_eq!(Outcome::from_codes(2, 1), None);
        assert_eq!(Outcome::Refused(Refusal::CodeRejected(Rule::Float)).name(), "refused:code-rejected:float");
        assert_eq!(Outcome::Refused(Refusal::Link(LinkRule::UnknownLibrary)).name(), "refused:link:unknown-library");
        assert_eq!(Refusal::Link(LinkRule::Malformed).code(), 32);
        assert!(Outcome::Refused(Refusal::NoSuchFunction).is_failure());
        assert!(!Outcome::Invalid(InvalidTx::FeeAccount).is_failure());
    }
}
