//! What the models know of calls between contracts: the other contracts a frame may call ([`World`]),
//! and the state one transaction's frames share and hand on ([`Shared`], [`Frame`]): the call stack,
//! other contracts' slices and balances as committed frames left them, and the call records so far.

use super::ContractModel;
use std::cell::Cell;
use std::collections::BTreeMap;
use svm::Address;
use svm_core::call::CallRecord;

/// A deployed contract as a calling frame sees it before the transaction.
pub struct WorldContract<'a> {
    /// Its model, if it has one.
    pub model: Option<&'a dyn ContractModel>,
    /// Its code's length (a callee's intrinsic gas depends on it).
    pub code_len: usize,
    /// Its slices before the transaction.
    pub slices: &'a [Vec<u8>],
}

/// The contracts deployed before a transaction.
pub trait World {
    /// The contract at `address`, if one lives there.
    fn contract(&self, address: &Address) -> Option<WorldContract<'_>>;
}

impl std::fmt::Debug for dyn World + '_ {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("World")
    }
}

/// What every frame of one transaction shares, failed frames included.
#[derive(Default)]
pub struct Shared {
    /// Calls made so far (`too-many-calls` past `MAX_CALLS`).
    pub made: Cell<u32>,
    /// Whether the model cannot say exactly what the transaction does (a callee no model knows, a gas
    /// cap a callee may or may not exhaust, a callee run under a transaction without ample gas or after
    /// one that burnt the gas).
    pub uncertain: Cell<bool>,
    /// Whether a callee frame ran code (then the transaction may run out of gas under ample gas).
    pub ran: Cell<bool>,
    /// Whether a callee burnt all the gas it was forwarded with no cap (later callees get little).
    pub starved: Cell<bool>,
}

/// One frame's view of the transaction so far: what its caller handed it, and what it hands back when
/// it succeeds.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    /// Its depth (1: the transaction's own).
    pub depth: u32,
    /// The contracts with a frame on the stack, this one last.
    pub stack: Vec<Address>,
    /// Other contracts' slices as committed frames left them.
    pub pending: BTreeMap<Address, Vec<Vec<u8>>>,
    /// Balance moves by committed frames (and this one's callers), on top of the transaction's.
    pub moved: BTreeMap<Address, i128>,
    /// The call records of this frame and its committed callees, in order (gas not modelled: 0).
    pub records: Vec<CallRecord>,
}

impl Frame {
    /// The transaction's own frame, in `contract`.
    pub fn top(contract: Address) -> Frame {
        Frame { depth: 1, stack: vec![contract], ..Frame::default() }
    }

    /// `base` shifted by the moves so far.
    pub fn balance(&self, base: u64, address: &Address) -> u64 {
        let moved = self.moved.get(address).copied().unwrap_or(0);
        (i128::from(base) + moved).clamp(0, i128::from(u64::MAX)) as u64
    }
}
