//! Deploys: validate the code and layout, store them, create the contract account.

use super::state_update::StateUpdate;
use super::{Runtime, RuntimeError};
use crate::ContractState;
use crate::address::contract_address;
use crate::gas::intrinsic;
use crate::module_cache::ModuleKey;
use crate::outcome::{InvalidTx, Outcome};
use crate::receipt::Receipt;
use crate::runtime::config::CacheMode;
use crate::state::{ContractInfo, code_hash, store_code, store_layout};
use crate::storage::page_slices::StorageLayout;
use crate::transaction::Deploy;
use crate::validation::validate;

/// Applies a deploy.
pub(super) fn deploy(rt: &mut Runtime, tx: &Deploy) -> Result<Receipt, RuntimeError> {
    let kv = rt.kv.clone();
    let mut update = StateUpdate::new(kv.as_ref(), rt.root, &rt.caches.trie);
    let author = update.account(&tx.author)?;
    if author.nonce != tx.nonce {
        return Ok(Receipt::new(Outcome::Invalid(InvalidTx::NonceMismatch)));
    }
    if author.balance < tx.initial_balance {
        return Ok(Receipt::new(Outcome::Invalid(InvalidTx::InsufficientBalance)));
    }
    let gas = intrinsic::deploy(tx.code.len(), tx.slices.len());
    if gas > tx.gas_limit {
        let diagnostic = format!("deploy costs {gas} gas; the limit is {}", tx.gas_limit);
        return Ok(Receipt { gas_used: tx.gas_limit, diagnostic, ..Receipt::new(Outcome::OutOfGas) });
    }
    let layout = match StorageLayout::new(tx.page_count, tx.slices.clone()) {
        Ok(layout) => layout,
        Err(e) => {
            return Ok(Receipt {
                diagnostic: e.to_string(),
                ..Receipt::new(Outcome::Invalid(InvalidTx::InvalidLayout))
            });
        }
    };
    if let Err(e) = validate(&tx.code, &rt.config.limits) {
        let outcome = Outcome::Invalid(InvalidTx::CodeRejected(e.rule));
        return Ok(Receipt { diagnostic: e.to_string(), ..Receipt::new(outcome) });
    }
    let code_hash = code_hash(&tx.code);
    let address = contract_address(&tx.author, tx.nonce, &code_hash);

    let author = update.account(&tx.author)?;
    author.balance -= tx.initial_balance;
    author.nonce += 1;
    let contract = update.account(&address)?;
    if contract.contract.is_some() {
        return Ok(Receipt::new(Outcome::Invalid(InvalidTx::AddressTaken)));
    }
    contract.balance = match contract.balance.checked_add(tx.initial_balance) {
        Some(balance) => balance,
        None => return Ok(Receipt::new(Outcome::Invalid(InvalidTx::BalanceOverflow))),
    };
    let stored_code = store_code(&mut update.batch, &tx.code);
    let layout_hash = store_layout(&mut update.batch, &layout);
    update.account(&address)?.contract =
        Some(ContractInfo { code_hash: stored_code, layout_hash, state: ContractState::EMPTY });

    if rt.config.cache != CacheMode::Off {
        // Warm the cache now; a validated module that fails to compile is a VM bug, not an outcome.
        let key = ModuleKey::new(&code_hash, rt.config.compiler, &rt.config.limits);
        rt.cache.get(key, &tx.code, &rt.config)?;
    }
    rt.root = update.commit()?;
    Ok(Receipt {
        gas_used: gas,
        contract: Some(address),
        state: Some(ContractState::EMPTY),
        ..Receipt::new(Outcome::Success)
    })
}
