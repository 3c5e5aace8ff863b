//! Contract code identity.

use crate::Hash;

/// The hash contract code is stored, addressed and cached under: blake3 of the binary.
pub fn code_hash(code: &[u8]) -> Hash {
    blake3::hash(code).into()
}
