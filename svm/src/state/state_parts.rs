//! A state root's two halves — the account trie's root and the event store's — and where a node keeps
//! them: under the combined root, in the `STATE_PARTS` namespace, whenever events are live (a root
//! with no live event is the account root itself, `docs/consensus.md`, Events).

use super::StateError;
use crate::storage::kv::{KvStore, WriteBatch, namespace};
use crate::{Hash, StateRoot};

/// What a state root is made of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StateParts {
    /// The account trie's root.
    pub accounts: Hash,
    /// The event store's root (zero: no live event).
    pub events: Hash,
}

impl StateParts {
    /// The parts of a state with no live event.
    pub fn accounts_only(accounts: Hash) -> StateParts {
        StateParts { accounts, events: Hash::ZERO }
    }

    /// The state root they make.
    pub fn root(&self) -> StateRoot {
        StateRoot::of(self.accounts, self.events)
    }

    /// Adds to `batch` the entry that lets [`resolve`] split this root again (none is needed while no
    /// event is live).
    pub fn put_into(&self, batch: &mut WriteBatch) {
        if !self.events.is_zero() {
            let mut value = self.accounts.as_bytes().to_vec();
            value.extend_from_slice(self.events.as_bytes());
            batch.put(key(&self.root()), value);
        }
    }
}

/// The kv key of `root`'s parts.
pub fn key(root: &StateRoot) -> Vec<u8> {
    namespace::key(namespace::STATE_PARTS, root.0.as_bytes())
}

/// The parts of `root`: the stored split, checked against the root, or the root itself as an account
/// root when no split is stored.
pub fn resolve(kv: &dyn KvStore, root: StateRoot) -> Result<StateParts, StateError> {
    let Some(bytes) = kv.get(&key(&root))? else { return Ok(StateParts::accounts_only(root.0)) };
    let halves =
        (Hash::from_slice(bytes.get(..32).unwrap_or_default()), Hash::from_slice(bytes.get(32..).unwrap_or_default()));
    match halves {
        (Some(accounts), Some(events)) if bytes.len() == 64 && StateParts { accounts, events }.root() == root => {
            Ok(StateParts { accounts, events })
        }
        _ => Err(StateError::CorruptParts(root.0)),
    }
}
