//! Hashing for in-memory maps whose keys are cryptographic digests, or a namespace byte and a digest:
//! the key's bytes are already uniform, so eight of them, mixed with a per-process random seed, make a
//! good table hash at the cost of one multiply, where a general hasher reads every byte (and rereads
//! every key whenever a table grows). The seed keeps bucket positions unpredictable to whoever chooses
//! the content. Map internals only: nothing here reaches a consensus result.

use std::hash::{BuildHasher, Hasher};

/// Builds [`DigestHasher`]s with one random seed per map.
#[derive(Clone, Debug)]
pub struct DigestState {
    seed: u64,
}

impl Default for DigestState {
    fn default() -> DigestState {
        // std's RandomState is seeded from the OS once per thread and then stepped: borrow one draw.
        let seed = std::collections::hash_map::RandomState::new().hash_one(0x0053_564D_u64);
        DigestState { seed: seed | 1 }
    }
}

impl BuildHasher for DigestState {
    type Hasher = DigestHasher;

    fn build_hasher(&self) -> DigestHasher {
        DigestHasher { state: self.seed }
    }
}

/// A hasher for digest keys: folds in eight bytes of a 32-byte write (a digest) or of a 33-byte one after
/// its first byte (a namespace byte and a digest), and any other write whole.
#[derive(Clone, Debug)]
pub struct DigestHasher {
    state: u64,
}

/// An odd constant with well-spread bits (from the golden ratio), for multiplicative mixing.
const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

impl DigestHasher {
    fn fold(&mut self, word: u64) {
        let product = u128::from(self.state ^ word) * u128::from(MIX);
        self.state = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        // A 32-byte digest, or a namespace byte before one: eight bytes of the digest; else every byte.
        let digest = match bytes.len() {
            32 => &bytes[..8],
            33 => &bytes[1..9],
            _ => bytes,
        };
        for chunk in digest.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.fold(u64::from_le_bytes(word));
        }
    }

    fn write_usize(&mut self, length: usize) {
        self.fold(length as u64);
    }

    fn finish(&self) -> u64 {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn digests_spread_over_the_buckets_and_other_keys_are_hashed_whole() {
        let state = DigestState::default();
        // 4,096 digests into 256 buckets by the low bits, as a table indexes them: no bucket is crowded.
        let mut buckets = [0u32; 256];
        for i in 0u32..4096 {
            let digest = blake3::hash(&i.to_le_bytes());
            let mut key = vec![b'a'];
            key.extend_from_slice(digest.as_bytes());
            buckets[(state.hash_one(&key) & 0xFF) as usize] += 1;
        }
        assert!(buckets.iter().all(|&n| n < 48), "crowded bucket: {:?}", buckets.iter().max());
        // Keys of other lengths that differ anywhere hash apart, the last byte of a long one included.
        let short: HashSet<u64> = (0u8..=255).map(|b| state.hash_one([1, 2, 3, b, 5])).collect();
        assert_eq!(short.len(), 256);
        let long: HashSet<u64> = (0u8..=255).map(|b| state.hash_one([[7u8; 39].as_slice(), &[b]].concat())).collect();
        assert_eq!(long.len(), 256);
        // Two maps draw different seeds.
        assert_ne!(DigestState::default().seed, DigestState::default().seed);
    }
}
