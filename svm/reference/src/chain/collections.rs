//! Collections, from `docs/consensus.md` (Collections (the tree)): a collection is a plain ordered map
//! of fixed-width keys to values, and its root is computed naively from the whole map by the
//! definition — the first bit where the keys disagree splits them, recursively — with no stored nodes
//! and no incremental update.

use crate::chain::hashing::blake3_keyed;
use std::collections::BTreeMap;
use svm_core::Hash;

/// The collection leaf key: `svm/v1/collection/leaf` padded with `.` to 32 bytes.
pub const COLLECTION_LEAF_KEY: [u8; 32] = *b"svm/v1/collection/leaf..........";
/// The collection node key: `svm/v1/collection/node` padded with `.` to 32 bytes.
pub const COLLECTION_NODE_KEY: [u8; 32] = *b"svm/v1/collection/node..........";

/// One collection: its key width and its entries, in key order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collection {
    /// Every key is exactly this many bytes.
    pub width: usize,
    /// The entries.
    pub entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

/// `bit(k, d)`: most significant bit of byte 0 first.
fn bit(key: &[u8], d: usize) -> bool {
    (key[d / 8] >> (7 - d % 8)) & 1 == 1
}

impl Collection {
    /// An empty collection of `width`-byte keys.
    pub fn new(width: usize) -> Collection {
        Collection { width, entries: BTreeMap::new() }
    }

    /// `croot(E)` over every entry.
    pub fn root(&self) -> Hash {
        let entries: Vec<(&Vec<u8>, &Vec<u8>)> = self.entries.iter().collect();
        croot(self.width, &entries)
    }
}

/// `croot` of `entries` (sorted by key, all `width` bytes long).
fn croot(width: usize, entries: &[(&Vec<u8>, &Vec<u8>)]) -> Hash {
    match entries {
        [] => Hash([0; 32]),
        [(key, value)] => {
            let mut bytes = vec![width as u8];
            bytes.extend_from_slice(key);
            bytes.extend_from_slice(value);
            blake3_keyed(&COLLECTION_LEAF_KEY, &bytes)
        }
        _ => {
            // The first bit position at which not all keys agree; keys are sorted, so the entries with
            // a 0 there come first.
            let split = (0..8 * width)
                .find(|&d| entries.iter().any(|(k, _)| bit(k, d)) && entries.iter().any(|(k, _)| !bit(k, d)))
                .unwrap_or(8 * width);
            let ones = entries.iter().position(|(k, _)| bit(k, split)).unwrap_or(entries.len());
            let mut bytes = (split as u16).to_be_bytes().to_vec();
            bytes.extend_from_slice(&croot(width, &entries[..ones]).0);
            bytes.extend_from_slice(&croot(width, &entries[ones..]).0);
            blake3_keyed(&COLLECTION_NODE_KEY, &bytes)
        }
    }
}
