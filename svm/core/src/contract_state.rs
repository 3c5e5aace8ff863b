//! The contract state: one hash that names a contract's whole storage.

use crate::Hash;

/// The root of a contract's page tree; all zeros for a contract whose storage is all zeros.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ContractState(pub Hash);

impl ContractState {
    /// The state of a freshly deployed contract (32 zero bytes).
    pub const EMPTY: ContractState = ContractState(Hash::ZERO);

    /// The state's 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }
}

impl AsRef<[u8]> for ContractState {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref()
    }
}

crate::hex_newtype!(ContractState);
