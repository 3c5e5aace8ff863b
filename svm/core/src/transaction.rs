//! Transactions: what a node feeds the runtime.

use crate::layout::PageSlice;
use crate::{Address, Value};

/// Deploys a contract: stores its code, creates its account with all-zero storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deploy {
    /// The deploying account; pays the initial balance.
    pub author: Address,
    /// Must equal the author's account nonce.
    pub nonce: u64,
    /// The contract's WebAssembly binary.
    pub code: Vec<u8>,
    /// The number of storage pages the contract has.
    pub page_count: u32,
    /// The contract's storage variables, validated at deploy.
    pub slices: Vec<PageSlice>,
    /// Moved from the author to the new contract.
    pub initial_balance: u64,
    /// The most gas the deploy may use.
    pub gas_limit: u64,
    /// What the author pays per gas used (see [`crate::fee`]).
    pub gas_price: u64,
}

/// Calls an exported function of a deployed contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execute {
    /// The contract to call.
    pub contract: Address,
    /// The calling account.
    pub sender: Address,
    /// Must equal the sender's account nonce.
    pub nonce: u64,
    /// The exported function's name.
    pub function: String,
    /// The function's arguments, which must match its signature.
    pub args: Vec<Value>,
    /// Bytes the contract can read with the calldata vmcalls.
    pub calldata: Vec<u8>,
    /// The most gas the execution may use.
    pub gas_limit: u64,
    /// What the sender pays per gas used (see [`crate::fee`]).
    pub gas_price: u64,
    /// Moved from the sender to the contract before the call (returned if the call fails).
    pub value: u64,
}

/// Moves balance between two accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// The paying account.
    pub from: Address,
    /// The receiving account (created if absent).
    pub to: Address,
    /// Must equal the payer's account nonce.
    pub nonce: u64,
    /// The amount moved.
    pub amount: u64,
    /// What the payer pays per gas (a transfer uses exactly [`crate::gas::intrinsic::TRANSFER`]).
    pub gas_price: u64,
}

/// Deploys a library: code other contracts link (no storage, no balance), addressed by its code hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployLibrary {
    /// The deploying account.
    pub author: Address,
    /// Must equal the author's account nonce.
    pub nonce: u64,
    /// The library's WebAssembly binary.
    pub code: Vec<u8>,
    /// The most gas the deploy may use.
    pub gas_limit: u64,
    /// What the author pays per gas used (see [`crate::fee`]).
    pub gas_price: u64,
}

/// Any transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transaction {
    /// See [`Deploy`].
    Deploy(Deploy),
    /// See [`Execute`].
    Execute(Execute),
    /// See [`Transfer`].
    Transfer(Transfer),
    /// See [`DeployLibrary`].
    DeployLibrary(DeployLibrary),
}

impl Transaction {
    /// The account whose nonce the transaction uses.
    pub fn sender(&self) -> Address {
        match self {
            Transaction::Deploy(d) => d.author,
            Transaction::Execute(e) => e.sender,
            Transaction::Transfer(t) => t.from,
            Transaction::DeployLibrary(l) => l.author,
        }
    }

    /// The account's nonce the transaction must carry.
    pub fn nonce(&self) -> u64 {
        match self {
            Transaction::Deploy(d) => d.nonce,
            Transaction::Execute(e) => e.nonce,
            Transaction::Transfer(t) => t.nonce,
            Transaction::DeployLibrary(l) => l.nonce,
        }
    }

    /// The most gas the transaction may use.
    pub fn gas_limit(&self) -> u64 {
        match self {
            Transaction::Deploy(d) => d.gas_limit,
            Transaction::Execute(e) => e.gas_limit,
            Transaction::Transfer(_) => crate::gas::intrinsic::TRANSFER,
            Transaction::DeployLibrary(l) => l.gas_limit,
        }
    }

    /// What the transaction pays per gas used.
    pub fn gas_price(&self) -> u64 {
        match self {
            Transaction::Deploy(d) => d.gas_price,
            Transaction::Execute(e) => e.gas_price,
            Transaction::Transfer(t) => t.gas_price,
            Transaction::DeployLibrary(l) => l.gas_price,
        }
    }

    /// A short name of the transaction's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Transaction::Deploy(_) => "deploy",
            Transaction::Execute(_) => "execute",
            Transaction::Transfer(_) => "transfer",
            Transaction::DeployLibrary(_) => "deploy-library",
        }
    }
}
