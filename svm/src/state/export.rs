//! A state read out whole: every account under a root, with each contract's code, metadata,
//! non-zero pages and collections, every entry checked against its hash on the way — what an independent
//! implementation needs to start from the same state (and recompute its root itself).

use super::{AccountTrie, StateError, StateRoot, load_code, load_meta};
use crate::snapshot::{SnapshotAccount, SnapshotCollection, SnapshotContract};
use crate::storage::collections::CollectionError;
use crate::storage::collections::tree::read_entries;
use crate::storage::kv::KvStore;
use crate::storage::pages::PageTree;
use crate::storage::reach::load_page;
use std::collections::BTreeMap;
use svm_core::collection_state::{CollectionState, STATE_LEN, ValueKind};
use svm_core::layout::SliceKind;

/// Every account of the state under `root`, by address.
pub fn export_state(kv: &dyn KvStore, root: StateRoot) -> Result<Vec<SnapshotAccount>, StateError> {
    let mut accounts = Vec::new();
    AccountTrie::open(kv, super::resolve_parts(kv, root)?.accounts)
        .walk(&mut |_| true, &mut |address, account| accounts.push((*address, account.clone())))?;
    accounts.sort_by_key(|(address, _)| *address);
    let mut exported = Vec::with_capacity(accounts.len());
    for (address, account) in accounts {
        let contract = match account.contract {
            None => None,
            Some(info) => {
                let meta = load_meta(kv, info.meta_hash)?;
                let tree = PageTree::open(meta.layout.page_count(), info.state.0)?;
                let mut named = Vec::new();
                tree.walk_stored(kv, &mut |key, index| {
                    if let Some(index) = index {
                        named.push((index, crate::Hash::from_slice(&key[1..]).unwrap_or_default()));
                    }
                    true
                })?;
                let mut pages = BTreeMap::new();
                for (index, hash) in named {
                    pages.insert(index, load_page(kv, &address, index, hash)?.bytes().to_vec());
                }
                let mut collections = BTreeMap::new();
                for slot in meta.layout.slices().iter().filter(|s| s.kind() == SliceKind::Collection) {
                    let at = slot.offset as usize..slot.offset as usize + STATE_LEN;
                    if let Some(state) = pages.get(&slot.page).map(|page| &page[at]) {
                        export_collection(kv, state, &mut collections)?;
                    }
                }
                Some(SnapshotContract { code: load_code(kv, info.code_hash)?, meta, pages, collections })
            }
        };
        let library = account.library.map(|hash| load_code(kv, hash)).transpose()?;
        exported.push(SnapshotAccount { address, balance: account.balance, nonce: account.nonce, contract, library });
    }
    Ok(exported)
}

/// Every collection the 48-byte collection state `state` reaches (itself and its nested ones), by root.
pub fn export_collections(
    kv: &dyn KvStore,
    state: &[u8],
) -> Result<BTreeMap<crate::Hash, SnapshotCollection>, StateError> {
    let mut out = BTreeMap::new();
    export_collection(kv, state, &mut out)?;
    Ok(out)
}

/// Adds the collection whose state is `state` (nothing for zero), and every child collection its
/// values hold, to `out` by root.
fn export_collection(
    kv: &dyn KvStore,
    state: &[u8],
    out: &mut BTreeMap<crate::Hash, SnapshotCollection>,
) -> Result<(), StateError> {
    let Some(state) = CollectionState::decode(state).map_err(|_| CollectionError::CorruptState)? else {
        return Ok(());
    };
    if state.root.is_zero() || out.contains_key(&state.root) {
        return Ok(());
    }
    let entries = read_entries(kv, state.root, state.shape.key_width.into())?;
    if state.shape.values == ValueKind::Collection {
        for child in entries.values() {
            export_collection(kv, child, out)?;
        }
    }
    out.insert(state.root, SnapshotCollection { key_width: state.shape.key_width, entries });
    Ok(())
}

/// Every entry of the event store under `root` (records, index entries and the counter; empty while no
/// event is live), each tree node checked on the way.
pub fn export_events(kv: &dyn KvStore, root: StateRoot) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, StateError> {
    let parts = super::resolve_parts(kv, root)?;
    Ok(read_entries(kv, parts.events, svm_core::event::keys::KEY_WIDTH)?)
}
