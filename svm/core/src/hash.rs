//! The 32-byte blake3 digest used for page hashes, tree nodes and states.

/// A 32-byte digest; the all-zero value stands for "nothing stored here".
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The all-zero digest: the hash of an all-zero page or of an all-zero subtree.
    pub const ZERO: Hash = Hash([0; 32]);

    /// Whether this is the all-zero digest.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 32]
    }

    /// The digest's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads a digest from exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Hash> {
        bytes.try_into().ok().map(Hash)
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

crate::hex_newtype!(Hash);

impl From<blake3::Hash> for Hash {
    fn from(h: blake3::Hash) -> Hash {
        Hash(*h.as_bytes())
    }
}
