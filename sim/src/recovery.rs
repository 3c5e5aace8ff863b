//! The fault-recovery invariant: whatever happens to a replica — a restart, a crash with a torn
//! tail, a join by sync, a kv write that fails, a damaged artifact — it comes back exactly where it
//! was. After each event its root is the one it stood at before; the transactions it applies again
//! give the receipts they gave the first time; and after a halt on an injected failure, the restarted
//! node stands where it stood before the operation that failed (a failed write changes nothing).
//! A replica that breaks it must not go on: it would be continuing on a different state.

use crate::step::StepOutcome;
use svm::receipt::Receipt;

/// Checks one step's recovery against the receipts the replica recorded before it (by index).
pub fn check(outcome: &StepOutcome, receipts: &[Receipt]) -> Result<(), String> {
    for halt in &outcome.halts {
        if halt.after != halt.before {
            return Err(format!(
                "after halting on \"{}\" and restarting, the node stands at {}, not at {} where the failed operation started",
                halt.fault, halt.after, halt.before
            ));
        }
    }
    for event in &outcome.events {
        for (j, receipt) in &event.reapplied {
            if let Some(first) = receipts.get(*j)
                && first != receipt
            {
                return Err(format!(
                    "after {:?}, transaction {j} applied again gave {:?} (gas {}), not {:?} (gas {}) as the first time",
                    event.event, receipt.outcome, receipt.gas_used, first.outcome, first.gas_used
                ));
            }
        }
        if event.after != event.before {
            return Err(format!(
                "after {:?} the node recovered to root {}, not {} where it stood (applied again: {} transactions)",
                event.event,
                event.after,
                event.before,
                event.reapplied.len()
            ));
        }
    }
    Ok(())
}
