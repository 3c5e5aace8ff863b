//! Pages storage: loads a contract's pages at a given state and commits changed pages.

use super::{Page, PageIndex, PageTree, PagesError, page_hash};
use crate::storage::content_cache::ContentCache;
use crate::storage::kv::{KvStore, WriteBatch, namespace};
use crate::{Address, ContractState, Hash};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One contract's pages as of one contract state, over a shared kv store.
pub struct PagesStorage {
    kv: Arc<dyn KvStore>,
    address: Address,
    tree: PageTree,
    verified: Option<Arc<ContentCache<Page>>>,
}

impl PagesStorage {
    /// The pages of contract `address` (with `page_count` pages) as of `state`.
    pub fn open(
        kv: Arc<dyn KvStore>,
        address: Address,
        page_count: u32,
        state: ContractState,
    ) -> Result<PagesStorage, PagesError> {
        Ok(PagesStorage { kv, address, tree: PageTree::open(page_count, state.0)?, verified: None })
    }

    /// Shares a cache of pages already checked against their hash (content-addressed, so never stale):
    /// a page found there is neither read from the kv store nor hashed again.
    pub fn with_verified_pages(mut self, cache: Arc<ContentCache<Page>>) -> PagesStorage {
        self.verified = Some(cache);
        self
    }

    /// The contract's address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The number of pages the contract has.
    pub fn page_count(&self) -> u32 {
        self.tree.page_count()
    }

    /// The state these pages are read from (after a commit, the state it produced).
    pub fn state(&self) -> ContractState {
        ContractState(self.tree.root())
    }

    /// Reads page `index` from the kv store and checks it against its page hash.
    pub fn load(&mut self, index: PageIndex) -> Result<Page, PagesError> {
        let hash = self.tree.leaf(self.kv.as_ref(), index)?;
        if hash.is_zero() {
            return Ok(Page::zeroed());
        }
        if let Some(page) = self.verified.as_ref().and_then(|cache| cache.get(&hash)) {
            return Ok((*page).clone());
        }
        let bytes = self
            .kv
            .get(&namespace::key(namespace::PAGE, hash.as_bytes()))?
            .ok_or(PagesError::MissingPage { index, hash })?;
        match Page::from_slice(&bytes) {
            Some(page) if page_hash(&self.address, index, &page) == hash => {
                if let Some(cache) = &self.verified {
                    cache.insert(hash, Arc::new(page.clone()));
                }
                Ok(page)
            }
            _ => Err(PagesError::CorruptPage { index, hash }),
        }
    }

    /// Adds the given pages and the tree nodes above them to `batch`; returns the resulting state.
    /// Nothing reaches the kv store until the caller writes `batch`.
    pub fn commit_into(
        &mut self,
        pages: &BTreeMap<PageIndex, Page>,
        batch: &mut WriteBatch,
    ) -> Result<ContractState, PagesError> {
        let mut leaves: BTreeMap<PageIndex, Hash> = BTreeMap::new();
        for (&index, page) in pages {
            if index >= self.page_count() {
                return Err(PagesError::PageOutOfRange { index, page_count: self.page_count() });
            }
            let hash = page_hash(&self.address, index, page);
            if !hash.is_zero() {
                batch.put(namespace::key(namespace::PAGE, hash.as_bytes()), page.bytes().to_vec());
                if let Some(cache) = &self.verified {
                    cache.insert(hash, Arc::new(page.clone()));
                }
            }
            leaves.insert(index, hash);
        }
        Ok(ContractState(self.tree.update(self.kv.as_ref(), &leaves, batch)?))
    }

    /// The kv store the pages live in.
    pub fn kv(&self) -> &Arc<dyn KvStore> {
        &self.kv
    }
}
