//! Deploys: admit the fee, validate the layout, link the code with the libraries it imports, validate the
//! linked code, compile it (on every node, whatever its
//! cache), store code and metadata, create the contract account.

use super::fees::{self, Payment};
use super::libraries::{DeployFailure, LibraryLoader, link_and_judge, over_limit};
use super::state_update::StateUpdate;
use super::{Runtime, RuntimeError};
use crate::ContractState;
use crate::address::contract_address;
use crate::contract_meta::ContractMeta;
use crate::fee::FEE_ACCOUNT;
use crate::gas::intrinsic;
use crate::linking::Linked;
use crate::module_cache::{ModuleError, ModuleKey};
use crate::outcome::{InvalidTx, Outcome, Refusal};
use crate::receipt::Receipt;
use crate::state::{ContractInfo, code_hash, store_code, store_meta};
use crate::storage::page_slices::StorageLayout;
use crate::transaction::Deploy;
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
    let own_hash = code_hash(&tx.code);
    let address = contract_address(&tx.author, tx.nonce, &own_hash);
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
    let libraries = LibraryLoader::deployed(kv.as_ref(), &rt.caches, rt.state.accounts);
    let (layout, linked, validated, gas) = match admissible(tx, &rt.config.limits, &libraries)? {
        Ok(checked) => checked,
        Err(failure) => return fees::fail_deploy(&mut rt.state, update, &payment, failure),
    };
    // Every node compiles at deploy, whatever its cache mode, so that whether a deploy is accepted never
    // depends on node settings. A validated module that does not compile is a VM bug: a node fault.
    let module_hash = if linked.libraries.is_empty() { own_hash } else { code_hash(&linked.code) };
    let key = ModuleKey::new(&module_hash, rt.config.compiler, &rt.config.limits);
    let mut cache = rt.cache.lock().map_err(|_| RuntimeError::Engine("module cache lock poisoned".into()))?;
    let compiled = cache.get(key, &linked.code, &rt.config);
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
    let meta = ContractMeta {
        code_len: linked.code_len as u32,
        layout: Arc::new(layout),
        exports: validated.exports,
        libraries: linked.libraries,
    };
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

/// What a deploy that passes every check deploys: its layout, its linked code, what validation learned of that
/// code and the deploy's intrinsic gas.
type Admitted = (StorageLayout, Linked, crate::validation::ValidatedModule, u64);

/// What a deploy deploys, or the failure it ends in. The checks go in consensus order (`docs/consensus.md`,
/// Deploy admission): intrinsic gas of the deploy's own code, the layout, then [`link_and_judge`].
fn admissible(
    tx: &Deploy,
    limits: &crate::Limits,
    libraries: &LibraryLoader<'_>,
) -> Result<Result<Admitted, DeployFailure>, RuntimeError> {
    let gas = intrinsic::deploy(tx.code.len(), tx.slices.len());
    if gas > tx.gas_limit {
        return Ok(Err(over_limit(gas, tx.gas_limit)));
    }
    let refused = Outcome::Refused(Refusal::InvalidLayout);
    let layout = match StorageLayout::new(tx.page_count, tx.slices.clone()) {
        Ok(layout) => layout,
        Err(e) => return Ok(Err((refused, gas, e.to_string()))),
    };
    if tx.page_count > limits.max_pages {
        return Ok(Err((refused, gas, format!("{} pages; at most {} allowed", tx.page_count, limits.max_pages))));
    }
    let checks = (tx.slices.len(), tx.gas_limit, gas);
    Ok(link_and_judge(libraries, &tx.code, checks, limits, false)?
        .map(|(linked, validated, gas)| (layout, linked, validated, gas)))
}
