//! Accounts: balance, nonce and, for contracts, code, layout and storage state; for libraries, code.

use crate::{ContractState, Hash};

/// One account of the global state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// Spendable balance.
    pub balance: u64,
    /// Transactions applied from this account.
    pub nonce: u64,
    /// Present for contract accounts.
    pub contract: Option<ContractInfo>,
    /// For a library's account (at [`crate::address::library_address`]): the library's code hash.
    pub library: Option<Hash>,
}

/// What makes an account a contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractInfo {
    /// blake3 of the contract's code, under which the code is stored.
    pub code_hash: Hash,
    /// The hash of the contract's metadata (code size, layout, exports), under which it is stored.
    pub meta_hash: Hash,
    /// The root of the contract's page tree.
    pub state: ContractState,
}
