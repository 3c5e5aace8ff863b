//! Library deploys: admit the fee, check the code is a library, link it with the libraries it imports, apply the
//! allow-list to the result, store the code once and register it in the account trie at its library address.

use super::fees::{self, Payment};
use super::libraries::{DeployFailure, LibraryLoader, link_and_judge, over_limit};
use super::state_update::StateUpdate;
use super::{Runtime, RuntimeError};
use crate::address::library_address;
use crate::gas::intrinsic;
use crate::linking::check_library;
use crate::outcome::{InvalidTx, Outcome, Refusal};
use crate::receipt::Receipt;
use crate::state::{code_hash, store_code};
use crate::transaction::DeployLibrary;

/// Applies a library deploy.
pub(super) fn deploy_library(rt: &mut Runtime, tx: &DeployLibrary) -> Result<Receipt, RuntimeError> {
    let kv = rt.kv.clone();
    let mut update = StateUpdate::new(kv.clone(), rt.state, rt.caches.trie.clone());
    let payment =
        Payment { sender: tx.author, nonce: tx.nonce, gas_limit: tx.gas_limit, price: tx.gas_price, moved: 0 };
    if let Some(reason) = fees::admit(&mut update, &payment, rt.config.limits.max_gas_limit)? {
        return Ok(fees::invalid(reason));
    }
    let hash = code_hash(&tx.code);
    let address = library_address(&hash);
    if update.account(&address)?.library.is_some() {
        return Ok(fees::invalid(InvalidTx::AddressTaken));
    }

    // From here on the author pays for what the node does, whatever the outcome.
    let libraries = LibraryLoader::deployed(kv.as_ref(), &rt.caches, rt.state.accounts);
    let gas = match admissible(tx, &rt.config.limits, &libraries)? {
        Ok(gas) => gas,
        Err(failure) => return fees::fail_deploy(&mut rt.state, update, &payment, failure),
    };
    store_code(&mut update.batch, &tx.code);
    update.account(&address)?.library = Some(hash);
    fees::settle(&mut update, &payment, gas)?;
    rt.state = update.commit()?;
    Ok(Receipt { gas_used: gas, ..Receipt::new(Outcome::Success) })
}

/// The intrinsic gas of a library deploy that passes every check, or the failure it ends in. The checks go in
/// consensus order (`docs/consensus.md`, Libraries): intrinsic gas of the library's own code, the library shape,
/// then [`link_and_judge`].
fn admissible(
    tx: &DeployLibrary,
    limits: &crate::Limits,
    libraries: &LibraryLoader<'_>,
) -> Result<Result<u64, DeployFailure>, RuntimeError> {
    let gas = intrinsic::deploy(tx.code.len(), 0);
    if gas > tx.gas_limit {
        return Ok(Err(over_limit(gas, tx.gas_limit)));
    }
    if let Err(e) = check_library(&tx.code) {
        return Ok(Err((Outcome::Refused(Refusal::Link(e.rule)), gas, e.to_string())));
    }
    Ok(link_and_judge(libraries, &tx.code, (0, tx.gas_limit, gas), limits, true)?.map(|(_, _, gas)| gas))
}
