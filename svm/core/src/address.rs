//! Account and contract addresses.

use crate::Hash;

/// A 20-byte (160-bit) account or contract address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Address(pub [u8; 20]);

impl Address {
    /// The number of bytes in an address.
    pub const LEN: usize = 20;

    /// The address's bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }
}

impl AsRef<[u8]> for Address {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

crate::hex_newtype!(Address);

/// The address of a contract deployed by `author` with `nonce` and code hash `code_hash`:
/// blake3(author ‖ nonce (little-endian u64) ‖ code hash), first 20 bytes.
pub fn contract_address(author: &Address, nonce: u64, code_hash: &Hash) -> Address {
    let mut hasher = blake3::Hasher::new();
    hasher.update(author.as_bytes());
    hasher.update(&nonce.to_le_bytes());
    hasher.update(code_hash.as_bytes());
    let mut address = [0u8; 20];
    address.copy_from_slice(&hasher.finalize().as_bytes()[..20]);
    Address(address)
}

/// The account of the library whose code hash is `code_hash`: blake3("svm-library" ‖ code hash), first 20
/// bytes. No contract address can equal it but by a blake3 collision.
pub fn library_address(code_hash: &Hash) -> Address {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"svm-library");
    hasher.update(code_hash.as_bytes());
    let mut address = [0u8; 20];
    address.copy_from_slice(&hasher.finalize().as_bytes()[..20]);
    Address(address)
}
