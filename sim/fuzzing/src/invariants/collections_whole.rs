//! Every collection a contract holds is whole after a successful execution: each state in its slots
//! (and in its collections' values, nested ones) decodes, every node it reaches is in the store and
//! hashes right, its length is its number of entries, and its root is the root of those entries as
//! the reference VM's naive `croot` recomputes it.

use super::{Checker, Step};
use svm::Address;
use svm::collection_state::{CollectionState, ValueKind};
use svm::state::StateRoot;
use svm::storage::collections::tree::read_entries;
use svm::transaction::Transaction;
use svm_reference::chain::collections::Collection;

/// A successful execution leaves every collection of its contract whole and rooted right.
pub const CHECKER: Checker = Checker {
    name: "collections-whole",
    holds: "after a successful execution every collection its contract holds reads whole, with its length and its independently recomputed root",
    check: |step, _| {
        let Transaction::Execute(tx) = step.tx else { return Ok(()) };
        if !step.receipt.outcome.is_success() {
            return Ok(());
        }
        check_contract(step, step.after, &tx.contract)
    },
};

fn check_contract(step: &Step<'_>, root: StateRoot, contract: &Address) -> Result<(), String> {
    let runtime = step.runtime;
    let Some(account) = step.account_at(root, contract)? else { return Ok(()) };
    let Some(info) = account.contract else { return Ok(()) };
    let layout = svm::state::load_meta(runtime.kv().as_ref(), info.meta_hash).map_err(|e| e.to_string())?.layout;
    let slots: Vec<u32> = (0..layout.slices().len() as u32).filter(|&i| layout.slices()[i as usize].len == 0).collect();
    if slots.is_empty() {
        return Ok(());
    }
    let states =
        runtime.contract_slices_at(root, contract, Some(&slots)).map_err(|e| e.to_string())?.unwrap_or_default();
    for (slot, state) in slots.iter().zip(states) {
        check_state(runtime, &state).map_err(|e| format!("contract {contract} slot {slot}: {e}"))?;
    }
    Ok(())
}

/// Checks the collection whose state is `bytes`, and every child collection it holds.
fn check_state(runtime: &svm::runtime::Runtime, bytes: &[u8]) -> Result<(), String> {
    let state =
        CollectionState::decode(bytes).map_err(|_| format!("{} bytes that are no collection state", bytes.len()))?;
    let Some(state) = state else { return Ok(()) };
    let width = usize::from(state.shape.key_width);
    let entries =
        read_entries(runtime.kv().as_ref(), state.root, width).map_err(|e| format!("root {}: {e}", state.root))?;
    let collection = Collection { width, entries };
    if collection.entries.len() as u64 != state.length {
        return Err(format!("its state says {} entries; its tree holds {}", state.length, collection.entries.len()));
    }
    let recomputed = collection.root();
    if recomputed != state.root {
        return Err(format!("its state names root {}; its entries hash to {recomputed}", state.root));
    }
    if state.shape.values == ValueKind::Collection {
        for child in collection.entries.values() {
            check_state(runtime, child)?;
        }
    }
    Ok(())
}
