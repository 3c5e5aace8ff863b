//! A state as plain data: every account with its balance, nonce and, for a contract, its code,
//! metadata, non-zero pages and collections, for a library, its code — what the runtime reads out of a store and the reference VM starts
//! from, each computing the state root its own way.

use crate::contract_meta::ContractMeta;
use crate::{Address, Hash};
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
    /// Every non-empty collection its slots reach (nested ones included), by root.
    pub collections: BTreeMap<Hash, SnapshotCollection>,
}

/// A collection's contents as stored: its key width and its entries (a child collection's value is
/// its 48-byte state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotCollection {
    /// Bytes per key.
    pub key_width: u8,
    /// The entries, by key.
    pub entries: BTreeMap<Vec<u8>, Vec<u8>>,
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
    /// Its library's code, for a library's account.
    pub library: Option<Vec<u8>>,
}
