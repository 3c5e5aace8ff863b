//! The global state root: one hash over every account and every live event.

use crate::Hash;

/// Domain key of a state root that covers live events.
const STATE_KEY: &[u8; 32] = b"svm/v1/state/root...............";

/// A digest of the whole state: the account trie (balance, nonce, code, contract state) and, when
/// any event is live, the event store (`docs/consensus.md`, Events).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StateRoot(pub Hash);

impl StateRoot {
    /// The root of a state with no accounts.
    pub const EMPTY: StateRoot = StateRoot(Hash::ZERO);

    /// The root of a state whose account trie has root `accounts` and whose event store has root
    /// `events`: the account root alone while no event is live, else
    /// `blake3_keyed("svm/v1/state/root...", accounts ‖ events)`.
    pub fn of(accounts: Hash, events: Hash) -> StateRoot {
        if events.is_zero() {
            return StateRoot(accounts);
        }
        let mut hasher = blake3::Hasher::new_keyed(STATE_KEY);
        hasher.update(accounts.as_bytes());
        hasher.update(events.as_bytes());
        StateRoot(hasher.finalize().into())
    }
}

impl AsRef<[u8]> for StateRoot {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref()
    }
}

crate::hex_newtype!(StateRoot);
