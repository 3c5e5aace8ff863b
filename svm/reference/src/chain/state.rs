//! Plain state: every stored account in a map, every contract's non-zero pages as byte arrays and its
//! committed collections by root.
//!
//! An address that is not in the map is the default account (balance 0, nonce 0, no contract). The map
//! is exactly the set `S` of `docs/consensus.md` (Account trie: which accounts are in `S`): an account
//! enters it when a committed change leaves it different from what was read, and never leaves it.

use crate::chain::collection_store::CollectionStore;
use crate::chain::hashing;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm_core::account::{Account, ContractInfo};
use svm_core::contract_meta::ContractMeta;
use svm_core::layout::PAGE_SIZE;
use svm_core::{Address, ContractState, Hash};

/// One storage page's 4,096 bytes.
pub type Page = Box<[u8; PAGE_SIZE]>;

/// One account of the global state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountRecord {
    /// Spendable balance.
    pub balance: u64,
    /// Transactions applied from this account.
    pub nonce: u64,
    /// Present for contract accounts.
    pub contract: Option<ContractRecord>,
    /// Present for a library's account.
    pub library: Option<LibraryRecord>,
}

/// What makes an account a library: its code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryRecord {
    /// blake3 of the code.
    pub code_hash: Hash,
    /// The code exactly as deployed.
    pub code: Arc<Vec<u8>>,
}

/// What makes an account a contract: its code, metadata and storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractRecord {
    /// blake3 of the code.
    pub code_hash: Hash,
    /// blake3 of the metadata's canonical encoding.
    pub meta_hash: Hash,
    /// Code length, layout and exports, as recorded at deploy.
    pub meta: ContractMeta,
    /// The code exactly as deployed.
    pub code: Arc<Vec<u8>>,
    /// The libraries it links, in resolution order (`meta.libraries`), with their code.
    pub libraries: Vec<(Hash, Arc<Vec<u8>>)>,
    /// The non-zero pages by index (an absent page is all zeros).
    pub pages: BTreeMap<u32, Page>,
    /// The root of the page tree over `pages`, recomputed from all of them whenever they change.
    pub state: ContractState,
    /// Every collection its executions committed (or a snapshot brought), by root.
    pub collections: CollectionStore,
}

impl AccountRecord {
    /// The account as svm-core's type (what the account trie encodes).
    pub fn to_account(&self) -> Account {
        Account {
            balance: self.balance,
            nonce: self.nonce,
            contract: self.contract.as_ref().map(|c| ContractInfo {
                code_hash: c.code_hash,
                meta_hash: c.meta_hash,
                state: c.state,
            }),
            library: self.library.as_ref().map(|l| l.code_hash),
        }
    }
}

impl ContractRecord {
    /// Writes `written` (this execution's copies of the pages it wrote) into the contract's pages and
    /// recomputes its state from all of them. Zero pages are dropped: absent means zero.
    pub fn commit_pages(&mut self, address: &Address, written: BTreeMap<u32, Page>) {
        if written.is_empty() {
            return;
        }
        for (index, page) in written {
            if page.iter().all(|&b| b == 0) {
                self.pages.remove(&index);
            } else {
                self.pages.insert(index, page);
            }
        }
        self.state = hashing::contract_state(address, self.meta.layout.page_count(), &self.pages);
    }
}

/// The global state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    accounts: BTreeMap<Address, AccountRecord>,
}

impl State {
    /// The stored account at `address`, if it was ever written.
    pub fn get(&self, address: &Address) -> Option<&AccountRecord> {
        self.accounts.get(address)
    }

    /// The balance at `address` (0 for an address never written).
    pub fn balance(&self, address: &Address) -> u64 {
        self.get(address).map_or(0, |a| a.balance)
    }

    /// The nonce at `address` (0 for an address never written).
    pub fn nonce(&self, address: &Address) -> u64 {
        self.get(address).map_or(0, |a| a.nonce)
    }

    /// The contract at `address`, if one lives there.
    pub fn contract(&self, address: &Address) -> Option<&ContractRecord> {
        self.get(address).and_then(|a| a.contract.as_ref())
    }

    /// Whether a library's account is at `address`.
    pub fn is_library(&self, address: &Address) -> bool {
        self.get(address).is_some_and(|a| a.library.is_some())
    }

    /// The contract at `address`, to write.
    pub fn contract_mut(&mut self, address: &Address) -> Option<&mut ContractRecord> {
        self.accounts.get_mut(address).and_then(|a| a.contract.as_mut())
    }

    /// Every stored account, by address.
    pub fn accounts(&self) -> &BTreeMap<Address, AccountRecord> {
        &self.accounts
    }

    /// Writes `balance` and `nonce` at `address` by the commit rule: a stored account takes them; an
    /// absent one is created only if they differ from the default (0, 0).
    pub fn commit_balance_and_nonce(&mut self, address: &Address, balance: u64, nonce: u64) {
        match self.accounts.get_mut(address) {
            Some(account) => {
                account.balance = balance;
                account.nonce = nonce;
            }
            None if balance != 0 || nonce != 0 => {
                self.accounts.insert(*address, AccountRecord { balance, nonce, contract: None, library: None });
            }
            None => {}
        }
    }

    /// Puts `account` at `address` as it is, whatever it holds: a state read from elsewhere, whose
    /// set of stored accounts is what it is.
    pub fn insert(&mut self, address: Address, account: AccountRecord) {
        self.accounts.insert(address, account);
    }

    /// Makes the account at `address` a contract (creating the account if it was absent).
    pub fn install_contract(&mut self, address: &Address, contract: ContractRecord) {
        self.accounts.entry(*address).or_default().contract = Some(contract);
    }

    /// Registers `library` at `address`, its library address.
    pub fn install_library(&mut self, address: &Address, library: LibraryRecord) {
        self.accounts.entry(*address).or_default().library = Some(library);
    }

    /// The code of the library with code hash `hash`, if one is registered.
    pub fn library_code(&self, hash: &Hash) -> Option<Arc<Vec<u8>>> {
        let library = self.get(&crate::chain::hashing::library_address(hash))?.library.as_ref()?;
        (library.code_hash == *hash).then(|| library.code.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commit_rule_never_creates_a_default_account_and_keeps_a_stored_one() {
        let mut state = State::default();
        let a = Address([1; 20]);
        state.commit_balance_and_nonce(&a, 0, 0);
        assert!(state.get(&a).is_none());
        state.commit_balance_and_nonce(&a, 5, 0);
        assert_eq!(state.balance(&a), 5);
        state.commit_balance_and_nonce(&a, 0, 0);
        assert_eq!(state.get(&a), Some(&AccountRecord::default()), "once written, it stays");
    }
}
