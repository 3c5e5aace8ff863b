//! Where the runtime finds libraries to link: at deploy, the libraries deployed in the current state (each
//! registered in the account trie at its [`library_address`]); when an execution relinks a contract, the code
//! its metadata names (checked at the contract's deploy). A store that fails to read is a node fault, never an
//! unknown library: [`LibraryLoader::link`] reports it as an error, whatever the linker concluded.

use super::RuntimeError;
use super::caches::Caches;
use crate::Hash;
use crate::address::library_address;
use crate::gas::intrinsic;
use crate::linking::{LibrarySource, LinkError, Linked, link};
use crate::outcome::{Outcome, Refusal};
use crate::state::AccountTrie;
use crate::storage::kv::KvStore;
use crate::validation::ValidatedModule;
use std::cell::RefCell;
use std::sync::Arc;

/// Loads libraries for the linker, remembering the first node fault it hit.
pub(super) struct LibraryLoader<'a> {
    kv: &'a dyn KvStore,
    caches: &'a Caches,
    /// The account trie to check registration in (deploys), or none (relinking a deployed contract).
    registry: Option<AccountTrie<'a>>,
    fault: RefCell<Option<RuntimeError>>,
}

impl<'a> LibraryLoader<'a> {
    /// Libraries deployed in the state whose account root is `accounts`.
    pub fn deployed(kv: &'a dyn KvStore, caches: &'a Caches, accounts: Hash) -> Self {
        let registry = Some(AccountTrie::open(kv, accounts).with_cache(&caches.trie));
        LibraryLoader { kv, caches, registry, fault: RefCell::new(None) }
    }

    /// Libraries by their stored code, for relinking a contract deployed with them.
    pub fn stored(kv: &'a dyn KvStore, caches: &'a Caches) -> Self {
        LibraryLoader { kv, caches, registry: None, fault: RefCell::new(None) }
    }

    /// Links `code`: `Ok(Err(_))` is a contract that breaks a link rule, `Err(_)` a node fault.
    pub fn link(&self, code: &[u8]) -> Result<Result<Linked, LinkError>, RuntimeError> {
        let linked = link(code, self);
        match self.fault.borrow_mut().take() {
            Some(fault) => Err(fault),
            None => Ok(linked),
        }
    }

    fn load(&self, hash: &Hash) -> Result<Option<Arc<[u8]>>, RuntimeError> {
        if let Some(registry) = &self.registry {
            let registered = registry.get(&library_address(hash))?.and_then(|account| account.library);
            if registered != Some(*hash) {
                return Ok(None);
            }
        }
        Ok(Some(self.caches.code(self.kv, *hash)?.as_slice().into()))
    }
}

impl LibrarySource for LibraryLoader<'_> {
    fn library(&self, hash: &Hash) -> Option<Arc<[u8]>> {
        match self.load(hash) {
            Ok(code) => code,
            Err(fault) => {
                self.fault.borrow_mut().get_or_insert(fault);
                None
            }
        }
    }
}

/// How a deploy's checks end when they fail: (outcome, gas used, diagnostic).
pub(super) type DeployFailure = (Outcome, u64, String);

/// A deploy whose intrinsic gas `gas` is over `gas_limit`: out of gas, at the limit.
pub(super) fn over_limit(gas: u64, gas_limit: u64) -> DeployFailure {
    (Outcome::OutOfGas, gas_limit, format!("the deploy costs {gas} gas; the limit is {gas_limit}"))
}

/// The checks a deploy of a contract (`slices` slices) or a library (`library`) ends with, in consensus order
/// (`docs/consensus.md`, Deploy admission and Libraries), after the intrinsic gas `gas` of the code as sent was
/// found within `gas_limit`: link `code` with the libraries it imports; the intrinsic gas of the linked length;
/// the allow-list over the linked module. What passes: the linked code, what validation learned, the gas.
pub(super) fn link_and_judge(
    libraries: &LibraryLoader<'_>,
    code: &[u8],
    (slices, gas_limit, gas): (usize, u64, u64),
    limits: &crate::Limits,
    library: bool,
) -> Result<Result<(Linked, ValidatedModule, u64), DeployFailure>, RuntimeError> {
    let linked = match libraries.link(code)? {
        Ok(linked) => linked,
        Err(e) => return Ok(Err((Outcome::Refused(Refusal::Link(e.rule)), gas, e.to_string()))),
    };
    let gas = intrinsic::deploy(linked.code_len, slices);
    if gas > gas_limit {
        return Ok(Err(over_limit(gas, gas_limit)));
    }
    Ok(match linked.validate(limits, library) {
        Ok(validated) => Ok((linked, validated, gas)),
        Err(e) => Err((Outcome::Refused(Refusal::CodeRejected(e.rule)), gas, e.to_string())),
    })
}
