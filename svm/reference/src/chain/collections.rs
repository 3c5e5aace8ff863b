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
            // The first bit position at which not all keys agree. The keys are sorted, so every key
            // agrees on a bit exactly when the smallest and the largest do (they bound the common
            // prefix), and the entries with a 0 there come first.
            let (first, last) = (entries[0].0, entries[entries.len() - 1].0);
            let split = (0..8 * width).find(|&d| bit(first, d) != bit(last, d)).unwrap_or(8 * width);
            let ones = entries.iter().position(|(k, _)| bit(k, split)).unwrap_or(entries.len());
            let mut bytes = (split as u16).to_be_bytes().to_vec();
            bytes.extend_from_slice(&croot(width, &entries[..ones]).0);
            bytes.extend_from_slice(&croot(width, &entries[ones..]).0);
            blake3_keyed(&COLLECTION_NODE_KEY, &bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `croot` with the split found literally by the definition: the first bit at which some key has a
    /// 0 and some key a 1, asked of every key.
    fn croot_by_definition(width: usize, entries: &[(&Vec<u8>, &Vec<u8>)]) -> Hash {
        if entries.len() < 2 {
            return croot(width, entries);
        }
        let split = (0..8 * width)
            .find(|&d| entries.iter().any(|(k, _)| bit(k, d)) && entries.iter().any(|(k, _)| !bit(k, d)))
            .unwrap_or(8 * width);
        let ones = entries.iter().position(|(k, _)| bit(k, split)).unwrap_or(entries.len());
        let mut bytes = (split as u16).to_be_bytes().to_vec();
        bytes.extend_from_slice(&croot_by_definition(width, &entries[..ones]).0);
        bytes.extend_from_slice(&croot_by_definition(width, &entries[ones..]).0);
        blake3_keyed(&COLLECTION_NODE_KEY, &bytes)
    }

    #[test]
    fn the_split_from_the_smallest_and_largest_key_is_the_definitions() {
        // Keys from a small generator, clustered on long shared prefixes as the event store's are.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for width in [1usize, 3, 65] {
            for round in 0..40 {
                let mut collection = Collection::new(width);
                for _ in 0..(next() % 40) {
                    let mut key = vec![0u8; width];
                    let varied = (next() as usize % width).max(width.saturating_sub(2 + round % 4));
                    for byte in key.iter_mut().skip(varied) {
                        *byte = next() as u8 & 0x0F;
                    }
                    collection.entries.insert(key, vec![round as u8]);
                }
                let entries: Vec<(&Vec<u8>, &Vec<u8>)> = collection.entries.iter().collect();
                assert_eq!(collection.root(), croot_by_definition(width, &entries), "width {width}, round {round}");
            }
        }
    }
}
