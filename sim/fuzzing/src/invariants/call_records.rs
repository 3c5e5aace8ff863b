//! A receipt's call records describe a call tree the transaction could have made.

use super::Checker;
use svm::Address;
use svm::receipt::Receipt;
use svm::transaction::Transaction;
use svm_core::call::{MAX_CALL_DEPTH, MAX_CALLS};

/// A failed transaction lists no calls; the records form a call tree in the order the calls were made,
/// rooted at the transaction's contract, at most `MAX_CALLS` of them, paid out of the transaction's gas.
pub const CHECKER: Checker = Checker {
    name: "call-records",
    holds: "a receipt's call records are a call tree from the transaction's contract, within the limits and its gas",
    check: |step, _| {
        let contract = match step.tx {
            Transaction::Execute(tx) => tx.contract,
            _ if step.receipt.calls.is_empty() => return Ok(()),
            _ => return Err("a transaction that runs no code lists calls".into()),
        };
        check(step.receipt, contract)
    },
};

/// The call records of `receipt`, a receipt of a transaction to `contract`, against the rules.
pub fn check(receipt: &Receipt, contract: Address) -> Result<(), String> {
    let calls = &receipt.calls;
    if !receipt.outcome.is_success() && !calls.is_empty() {
        return Err(format!("a transaction that ended {} lists {} calls", receipt.outcome.name(), calls.len()));
    }
    if calls.len() > MAX_CALLS as usize {
        return Err(format!("{} call records, more than {MAX_CALLS}", calls.len()));
    }
    // The callee of the latest record at each depth (index d − 2 holds depth d).
    let mut open: Vec<Address> = Vec::new();
    let mut previous = 1u32;
    let mut top_gas = 0u64;
    for (i, record) in calls.iter().enumerate() {
        let depth = u32::from(record.depth);
        if !(2..=MAX_CALL_DEPTH + 1).contains(&depth) || depth > previous + 1 {
            return Err(format!("record {i} has depth {depth} after a record of depth {previous}"));
        }
        let caller = if depth == 2 { contract } else { open[depth as usize - 3] };
        if record.caller != caller {
            return Err(format!("record {i} (depth {depth}) has caller {}, expected {caller}", record.caller));
        }
        open.truncate(depth as usize - 2);
        open.push(record.callee);
        previous = depth;
        if depth == 2 {
            top_gas = top_gas.saturating_add(record.gas_used);
        }
    }
    if !calls.is_empty() && top_gas >= receipt.gas_used {
        return Err(format!("the calls made at depth 2 used {top_gas} gas of the transaction's {}", receipt.gas_used));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm::outcome::Outcome;
    use svm_core::call::CallRecord;

    const TX: Address = Address([1; 20]);
    const B: Address = Address([2; 20]);
    const C: Address = Address([3; 20]);

    fn record(depth: u8, caller: Address, callee: Address, gas_used: u64) -> CallRecord {
        CallRecord { depth, caller, callee, function: "f0".into(), outcome: Outcome::Success, gas_used, value: 0 }
    }

    fn receipt(calls: Vec<CallRecord>) -> Receipt {
        Receipt { gas_used: 100_000, calls, ..Receipt::new(Outcome::Success) }
    }

    #[test]
    fn a_well_formed_call_tree_holds() {
        let calls = vec![record(2, TX, B, 10), record(3, B, C, 5), record(2, TX, C, 10)];
        assert_eq!(check(&receipt(calls), TX), Ok(()));
    }

    #[test]
    fn every_broken_rule_is_caught() {
        let bad = [
            ("calls in a failed receipt", Receipt { outcome: Outcome::OutOfGas, ..receipt(vec![record(2, TX, B, 1)]) }),
            ("first at depth 3", receipt(vec![record(3, TX, B, 1)])),
            ("a depth skipped", receipt(vec![record(2, TX, B, 1), record(4, B, C, 1)])),
            ("a wrong top caller", receipt(vec![record(2, B, C, 1)])),
            ("a wrong nested caller", receipt(vec![record(2, TX, B, 1), record(3, TX, C, 1)])),
            ("depth past the limit", receipt((0..18).map(|d| record(d + 2, TX, B, 1)).collect())),
            ("more gas than the transaction", receipt(vec![record(2, TX, B, 60_000), record(2, TX, C, 40_000)])),
            ("too many records", receipt((0..=MAX_CALLS).map(|_| record(2, TX, B, 0)).collect())),
        ];
        for (what, receipt) in bad {
            assert!(check(&receipt, TX).is_err(), "{what} passed");
        }
    }
}
