//! Executions: admission, the value move, the transaction's own frame (which may call other contracts'
//! frames), then one commit of everything the successful frames wrote, or of nothing but the fee.

use super::fees::{self, Payment};
use super::frame::{FrameCall, run_frame};
use super::state_update::StateUpdate;
use super::tx_host::TxHost;
use super::{BlockContext, Runtime, RuntimeError};
use crate::outcome::InvalidTx;
use crate::receipt::Receipt;
use crate::state::StateError;
use crate::storage::events::EventStore;
use crate::storage::kv::{KvStore, TxOverlay};
use crate::trace::TraceEntry;
use crate::transaction::Execute;
use std::sync::{Arc, Mutex};

/// Applies an execution; returns its receipt and, when `trace` is on, its vmcall trace.
pub(super) fn execute(
    rt: &mut Runtime,
    tx: &Execute,
    block: &BlockContext,
    trace: bool,
) -> Result<(Receipt, Vec<TraceEntry>), RuntimeError> {
    let overlay = Arc::new(TxOverlay::new(rt.kv.clone()));
    let mut update = StateUpdate::new(overlay.clone() as Arc<dyn KvStore>, rt.state, rt.caches.trie.clone());
    let payment =
        Payment { sender: tx.sender, nonce: tx.nonce, gas_limit: tx.gas_limit, price: tx.gas_price, moved: tx.value };
    let invalid = |reason| Ok((Receipt { contract: Some(tx.contract), ..fees::invalid(reason) }, Vec::new()));
    if tx.calldata.len() > rt.config.limits.max_calldata_bytes as usize {
        return invalid(InvalidTx::CalldataTooLarge);
    }
    if let Some(reason) = fees::admit(&mut update, &payment, rt.config.limits.max_gas_limit)? {
        return invalid(reason);
    }
    let contract = update.account(&tx.contract)?;
    let Some(info) = contract.contract.clone() else {
        return invalid(InvalidTx::UnknownContract);
    };
    if tx.contract != tx.sender && contract.balance.checked_add(tx.value).is_none() {
        return invalid(InvalidTx::BalanceOverflow);
    }
    update.account(&tx.sender)?.balance -= tx.value;
    update.account(&tx.contract)?.balance += tx.value;

    // From here on the sender pays for what the node does, whatever the outcome.
    let host = Arc::new(Mutex::new(TxHost {
        kv: overlay.clone(),
        update,
        cache: rt.cache.clone(),
        caches: rt.caches.clone(),
        config: rt.config.clone(),
        block: *block,
        trace,
        stack: vec![tx.contract],
        calls_made: 0,
        instantiated: rt.instantiated,
    }));
    let call = FrameCall {
        sender: tx.sender,
        contract: tx.contract,
        info,
        function: tx.function.clone(),
        args: tx.args.clone(),
        calldata: tx.calldata.clone(),
        value: tx.value,
        gas_limit: tx.gas_limit,
        depth: 1,
        stack_used: 0,
        inherited: (0, 0),
    };
    let end = run_frame(&host, &call)?;
    let host = Arc::try_unwrap(host)
        .map_err(|_| RuntimeError::Engine("a frame outlived its transaction".into()))?
        .into_inner()
        .map_err(|_| RuntimeError::Engine("transaction state lock poisoned".into()))?;
    rt.instantiated = host.instantiated;
    if end.stats.is_some() {
        rt.last_execution = end.stats;
    }
    let mut update = host.update;
    let receipt = end.receipt;
    if receipt.outcome.is_success() {
        fees::settle(&mut update, &payment, receipt.gas_used)?;
        if !receipt.events.is_empty() {
            let mut events = EventStore::open(rt.kv.clone(), rt.state.events).map_err(StateError::from)?;
            events.add(block.layer, &receipt.events).map_err(StateError::from)?;
            update.events_root = Some(events.commit_into(&mut update.batch));
        }
        let parts = update.commit()?;
        overlay.flush()?;
        rt.state = parts;
        Ok((receipt, end.trace))
    } else {
        overlay.clear()?;
        let (receipt, parts) = fees::fail(update, &payment, receipt)?;
        overlay.flush()?;
        rt.state = parts;
        Ok((receipt, end.trace))
    }
}
