//! Deploys: admit the fee, validate the layout and code, compile it (on every node, whatever its
//! cache), store code and metadata, create the contract account.

use super::fees::{self, Payment};
use super::state_update::StateUpdate;
use super::{Runtime, RuntimeError};
use crate::ContractState;
use crate::address::contract_address;
use crate::contract_meta::ContractMeta;
use crate::fee::FEE_ACCOUNT;
use crate::gas::intrinsic;
use crate::module_cache::{ModuleError, ModuleKey};
use crate::outcome::{InvalidTx, Outcome, Refusal};
use crate::receipt::Receipt;
use crate::state::{ContractInfo, code_hash, store_code, store_meta};
use crate::storage::page_slices::StorageLayout;
use crate::transaction::Deploy;
use crate::validation::validate;
use std::sync::Arc;

/// Applies a deploy.
pub(super) fn deploy(rt: &mut Runtime, tx: &Deploy) -> Result<Receipt, RuntimeError> {
    let kv = rt.kv.clone();
    let mut update = StateUpdate::new(kv.clone(), rt.state, rt.caches.trie.clone());
    let payment = Payment {
        sender: tx.author,
        nonce: tx.nonce,
        gas_limit: tx.gas_limit,
        price: tx.gas_price,
        moved: tx.initial_balance,
    };
    if let Some(reason) = fees::admit(&mut update, &payment, rt.config.limits.max_gas_limit)? {
        return Ok(fees::invalid(reason));
    }
    let code_hash = code_hash(&tx.code);
    let address = contract_address(&tx.author, tx.nonce, &code_hash);
    if address == FEE_ACCOUNT {
        return Ok(fees::invalid(InvalidTx::FeeAccount));
    }
    let existing = update.account(&address)?;
    if existing.contract.is_some() {
        return Ok(fees::invalid(InvalidTx::AddressTaken));
    }
    if existing.balance.checked_add(tx.initial_balance).is_none() {
        return Ok(fees::invalid(InvalidTx::BalanceOverflow));
    }

    // From here on the author pays for what the node does, whatever the outcome.
    let gas = intrinsic::deploy(tx.code.len(), tx.slices.len());
    let (layout, validated) = match admissible(tx, &rt.config.limits, gas) {
        Ok(checked) => checked,
        Err((outcome, gas_used, diagnostic)) => {
            let receipt = Receipt { gas_used, diagnostic, ..Receipt::new(outcome) };
            let (receipt, root) = fees::fail(update, &payment, receipt)?;
            rt.state = root;
            return Ok(receipt);
        }
    };
    // Every node compiles at deploy, whatever its cache mode, so that whether a deploy is accepted never
    // depends on node settings. A validated module that does not compile is a VM bug: a node fault.
    let key = ModuleKey::new(&code_hash, rt.config.compiler, &rt.config.limits);
    let mut cache = rt.cache.lock().map_err(|_| RuntimeError::Engine("module cache lock poisoned".into()))?;
    let compiled = cache.get(key, &tx.code, &rt.config);
    drop(cache);
    compiled.map_err(|e| match e {
        ModuleError::Invalid(e) => RuntimeError::Engine(format!("validated code failed validation again: {e}")),
        other => RuntimeError::Module(other),
    })?;

    let author = update.account(&tx.author)?;
    author.balance -= tx.initial_balance;
    let contract = update.account(&address)?;
    contract.balance += tx.initial_balance;
    let stored_code = store_code(&mut update.batch, &tx.code);
    let meta = ContractMeta { code_len: tx.code.len() as u32, layout: Arc::new(layout), exports: validated.exports };
    let meta_hash = store_meta(&mut update.batch, &meta);
    update.account(&address)?.contract =
        Some(ContractInfo { code_hash: stored_code, meta_hash, state: ContractState::EMPTY });
    fees::settle(&mut update, &payment, gas)?;
    rt.state = update.commit()?;
    Ok(Receipt {
        gas_used: gas,
        contract: Some(address),
        state: Some(ContractState::EMPTY),
        ..Receipt::new(Outcome::Success)
    })
}

/// The layout and validated module of a deploy whose intrinsic gas is `gas`, or the failure it ends
/// in: (outcome, gas used, diagnostic).
fn admissible(
    tx: &Deploy,
    limits: &crate::Limits,
    gas: u64,
) -> Result<(StorageLayout, crate::validation::ValidatedModule), (Outcome, u64, String)> {
    if gas > tx.gas_limit {
        return Err((
            Outcome::OutOfGas,
            tx.gas_limit,
            format!("deploy costs {gas} gas; the limit is {}", tx.gas_limit),
        ));
    }
    let refused = Outcome::Refused(Refusal::InvalidLayout);
    let layout = StorageLayout::new(tx.page_count, tx.slices.clone()).map_err(|e| (refused, gas, e.to_string()))?;
    if tx.page_count > limits.max_pages {
        return Err((refused, gas, format!("{} pages; at most {} allowed", tx.page_count, limits.max_pages)));
    }
    let validated = validate(&tx.code, limits)
        .map_err(|e| (Outcome::Refused(Refusal::CodeRejected(e.rule)), gas, e.to_string()))?;
    Ok((layout, validated))
}
