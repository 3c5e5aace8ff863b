//! A state as plain data: every account with its balance, nonce and, for a contract, its code,
//! metadata and non-zero pages — what the runtime reads out of a store and the reference VM starts
//! from, each computing the state root its own way.

use crate::Address;
use crate::contract_meta::ContractMeta;
use std::collections::BTreeMap;

/// A contract as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotContract {
    /// The code exactly as deployed.
    pub code: Vec<u8>,
    /// Its metadata (code size, layout, exports).
    pub meta: ContractMeta,
    /// Its non-zero pages, by index.
    pub pages: BTreeMap<u32, Vec<u8>>,
}

/// An account as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotAccount {
    /// Its address.
    pub address: Address,
    /// Its balance.
    pub balance: u64,
    /// Its nonce.
    pub nonce: u64,
    /// Its contract, for a contract account.
    pub contract: Option<SnapshotContract>,
}
