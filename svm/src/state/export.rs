//! A state read out whole: every account under a root, with each contract's code, metadata and
//! non-zero pages, every entry checked against its hash on the way — what an independent
//! implementation needs to start from the same state (and recompute its root itself).

use super::{AccountTrie, StateError, StateRoot, load_code, load_meta};
use crate::snapshot::{SnapshotAccount, SnapshotContract};
use crate::storage::kv::KvStore;
use crate::storage::pages::{Page, PageTree, PagesError, page_hash};
use std::collections::BTreeMap;

/// Every account of the state under `root`, by address.
pub fn export_state(kv: &dyn KvStore, root: StateRoot) -> Result<Vec<SnapshotAccount>, StateError> {
    let mut accounts = Vec::new();
    AccountTrie::open(kv, root.0)
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
                    let bytes = kv
                        .get(&crate::storage::kv::namespace::key(crate::storage::kv::namespace::PAGE, hash.as_bytes()))?
                        .ok_or(PagesError::MissingPage { index, hash })?;
                    let page = Page::from_slice(&bytes).ok_or(PagesError::CorruptPage { index, hash })?;
                    if page_hash(&address, index, &page) != hash {
                        return Err(PagesError::CorruptPage { index, hash }.into());
                    }
                    pages.insert(index, bytes);
                }
                Some(SnapshotContract { code: load_code(kv, info.code_hash)?, meta, pages, collections: Default::default() })
            }
        };
        exported.push(SnapshotAccount { address, balance: account.balance, nonce: account.nonce, contract });
    }
    Ok(exported)
}
