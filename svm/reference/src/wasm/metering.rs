//! Static metering by blocks (docs/consensus.md, *Metered blocks*).
//!
//! A body splits into segments, each running from just after the previous accounting operator (or
//! the start of the body) up to and including the next one. A segment's cost is the sum of
//! `cost_of` over its operators, and it is paid immediately before its accounting operator runs,
//! when it is above zero. The compiler feeds every operator, reachable or not, to a
//! [`SegmentCost`] and places the cost it returns in an `Instr::Charge` just before the accounting
//! operator's own instructions.

use svm_core::gas::cost_table::cost_of;
use svm_core::validation::operators::operator_name;
use wasmparser::Operator;

/// Whether `op` ends a segment: `loop`, `if`, `else`, `end`, `br`, `br_if`, `br_table`, `return`,
/// `call`, `call_indirect`. (`block`, `unreachable` and `memory.grow` are not.)
pub(crate) fn is_accounting(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Else
            | Operator::End
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
    )
}

/// The running cost of the segment being read.
#[derive(Debug, Default)]
pub(crate) struct SegmentCost {
    cost: u64,
}

impl SegmentCost {
    /// Adds `op` to the segment. Returns the segment's whole cost when `op` is its accounting
    /// operator (and starts the next segment), `None` otherwise.
    pub fn feed(&mut self, op: &Operator<'_>) -> Option<u64> {
        self.cost = self.cost.saturating_add(cost_of(operator_name(op)));
        if is_accounting(op) { Some(std::mem::take(&mut self.cost)) } else { None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_ends_at_its_accounting_operator() {
        let mut s = SegmentCost::default();
        assert_eq!(s.feed(&Operator::I64Const { value: 1 }), None);
        assert_eq!(s.feed(&Operator::I64Const { value: 2 }), None);
        assert_eq!(s.feed(&Operator::I64Add), None);
        assert_eq!(s.feed(&Operator::End), Some(3));
        assert_eq!(s.feed(&Operator::End), Some(0));
        assert_eq!(s.feed(&Operator::MemoryGrow { mem: 0 }), None);
        assert_eq!(s.feed(&Operator::Unreachable), None);
        assert_eq!(s.feed(&Operator::Call { function_index: 0 }), Some(1006));
    }
}
