//! The global state root: one hash over every account.

use crate::Hash;

/// The root of the account trie: a digest of every account (balance, nonce, code, contract state).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StateRoot(pub Hash);

impl StateRoot {
    /// The root of a state with no accounts.
    pub const EMPTY: StateRoot = StateRoot(Hash::ZERO);
}

impl AsRef<[u8]> for StateRoot {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref()
    }
}

crate::hex_newtype!(StateRoot);
