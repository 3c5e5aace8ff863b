//! The page cache: one execution's view of a contract's pages.
//!
//! Each page is read from pages storage at most once per execution; writes mark pages dirty;
//! `commit` writes only the dirty pages (and the tree nodes above them) in one atomic batch and
//! returns the new contract state; `discard` drops every pending change.

use crate::storage::kv::{KvStore, WriteBatch};
use crate::storage::pages::{PAGE_SIZE, Page, PageIndex, PagesError, PagesStorage};
use crate::{Address, ContractState};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A per-execution cache of a contract's pages with a dirty set.
///
/// Dirty pages stay until commit or discard. Clean pages beyond the capacity are evicted, lowest
/// index first, and read again if touched again; with the capacity at least the number of pages an
/// execution touches, each page is read at most once. Consensus data never depends on the capacity.
pub struct PageCache {
    storage: PagesStorage,
    pages: BTreeMap<PageIndex, CachedPage>,
    capacity: usize,
    clean: usize,
    evictions: u64,
}

struct CachedPage {
    page: Page,
    dirty: bool,
}

impl PageCache {
    /// A cache over `storage`, empty and clean.
    pub fn new(storage: PagesStorage) -> PageCache {
        PageCache { storage, pages: BTreeMap::new(), capacity: usize::MAX, clean: 0, evictions: 0 }
    }

    /// Keeps at most `capacity` clean pages (at least one) cached at a time.
    pub fn with_capacity(mut self, capacity: usize) -> PageCache {
        self.capacity = capacity.max(1);
        self
    }

    /// A cache over the pages of contract `address` as of `state`.
    pub fn open(
        kv: Arc<dyn KvStore>,
        address: Address,
        page_count: u32,
        state: ContractState,
    ) -> Result<PageCache, PagesError> {
        Ok(PageCache::new(PagesStorage::open(kv, address, page_count, state)?))
    }

    /// Shares a cache of verified pages (see [`PagesStorage::with_verified_pages`]).
    pub fn with_verified_pages(
        mut self,
        cache: std::sync::Arc<crate::storage::content_cache::ContentCache<Page>>,
    ) -> PageCache {
        self.storage = self.storage.with_verified_pages(cache);
        self
    }

    /// The state this execution started from.
    pub fn state(&self) -> ContractState {
        self.storage.state()
    }

    /// The number of pages the contract has.
    pub fn page_count(&self) -> u32 {
        self.storage.page_count()
    }

    /// The indices of the pages written so far, in order.
    pub fn dirty_pages(&self) -> impl Iterator<Item = PageIndex> + '_ {
        self.pages.iter().filter(|(_, cached)| cached.dirty).map(|(&index, _)| index)
    }

    /// Copies `buf.len()` bytes of page `index` starting at `offset` into `buf`.
    pub fn read(&mut self, index: PageIndex, offset: usize, buf: &mut [u8]) -> Result<(), PagesError> {
        let end = range_end(offset, buf.len())?;
        buf.copy_from_slice(&self.cached(index)?.page.bytes()[offset..end]);
        Ok(())
    }

    /// Writes `bytes` into page `index` at `offset` and marks the page dirty.
    pub fn write(&mut self, index: PageIndex, offset: usize, bytes: &[u8]) -> Result<(), PagesError> {
        let end = range_end(offset, bytes.len())?;
        let cached = self.cached(index)?;
        cached.page.bytes_mut()[offset..end].copy_from_slice(bytes);
        if !cached.dirty {
            cached.dirty = true;
            self.clean -= 1;
        }
        Ok(())
    }

    /// Adds the dirty pages to `batch` (for a caller that commits more than this contract atomically)
    /// and returns the new state. On error nothing has been written anywhere.
    pub fn commit_into(mut self, batch: &mut WriteBatch) -> Result<ContractState, PagesError> {
        let dirty: BTreeMap<PageIndex, Page> = std::mem::take(&mut self.pages)
            .into_iter()
            .filter(|(_, cached)| cached.dirty)
            .map(|(index, cached)| (index, cached.page))
            .collect();
        if dirty.is_empty() {
            return Ok(self.storage.state());
        }
        self.storage.commit_into(&dirty, batch)
    }

    /// Writes the dirty pages to the kv store in one atomic batch and returns the new state.
    pub fn commit(self) -> Result<ContractState, PagesError> {
        let kv = Arc::clone(self.storage.kv());
        let mut batch = WriteBatch::new();
        let state = self.commit_into(&mut batch)?;
        if !batch.is_empty() {
            kv.write(batch)?;
        }
        Ok(state)
    }

    /// How many clean pages this cache has evicted to stay within its capacity (node-local: consensus
    /// never depends on it).
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Drops every pending change; returns the unchanged state.
    pub fn discard(self) -> ContractState {
        self.storage.state()
    }

    fn cached(&mut self, index: PageIndex) -> Result<&mut CachedPage, PagesError> {
        if !self.pages.contains_key(&index) {
            let page = self.storage.load(index)?;
            if self.clean >= self.capacity {
                let evict = self.pages.iter().find(|(_, cached)| !cached.dirty).map(|(&i, _)| i);
                if let Some(evict) = evict {
                    self.pages.remove(&evict);
                    self.clean -= 1;
                    self.evictions += 1;
                }
            }
            self.clean += 1;
            self.pages.insert(index, CachedPage { page, dirty: false });
        }
        // Present: found above or just inserted; the error arm is unreachable.
        let page_count = self.page_count();
        self.pages.get_mut(&index).ok_or(PagesError::PageOutOfRange { index, page_count })
    }
}

/// The end of `offset..offset+len` if that range lies inside one page.
fn range_end(offset: usize, len: usize) -> Result<usize, PagesError> {
    offset.checked_add(len).filter(|&end| end <= PAGE_SIZE).ok_or(PagesError::RangeOutsidePage { offset, len })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::kv::MemKv;
    use crate::testing::CountingKv;

    fn open(kv: &Arc<CountingKv<MemKv>>, state: ContractState) -> PageCache {
        PageCache::open(kv.clone(), Address([3; 20]), 8, state).unwrap()
    }

    #[test]
    fn fresh_contract_reads_zeros_and_commits_to_the_empty_state() {
        let kv = Arc::new(CountingKv::new(MemKv::new()));
        let mut cache = open(&kv, ContractState::EMPTY);
        let mut buf = [1u8; 16];
        cache.read(7, 100, &mut buf).unwrap();
        assert_eq!(buf, [0; 16]);
        assert_eq!(cache.commit().unwrap(), ContractState::EMPTY);
        assert_eq!(kv.batches_written(), 0);
    }

    #[test]
    fn discard_leaves_the_store_and_state_untouched() {
        let kv = Arc::new(CountingKv::new(MemKv::new()));
        let mut cache = open(&kv, ContractState::EMPTY);
        cache.write(2, 0, b"hello").unwrap();
        assert_eq!(cache.discard(), ContractState::EMPTY);
        assert!(kv.inner().is_empty().unwrap());
    }

    #[test]
    fn commit_writes_one_batch_with_only_the_dirty_pages() {
        let kv = Arc::new(CountingKv::new(MemKv::new()));
        let mut cache = open(&kv, ContractState::EMPTY);
        let mut buf = [0u8; 4];
        cache.read(1, 0, &mut buf).unwrap();
        cache.write(5, 10, b"abc").unwrap();
        assert_eq!(cache.dirty_pages().collect::<Vec<_>>(), vec![5]);
        let state = cache.commit().unwrap();
        assert_ne!(state, ContractState::EMPTY);
        assert_eq!(kv.batches_written(), 1);
        // One page plus one chunk holding the whole 3-level tree of 8 pages.
        let pages = kv.inner().entries().unwrap().iter().filter(|(k, _)| k[0] == b'p').count();
        assert_eq!((pages, kv.inner().len().unwrap()), (1, 2));
    }

    #[test]
    fn a_tiny_capacity_rereads_evicted_clean_pages_but_keeps_dirty_ones() {
        let kv = Arc::new(CountingKv::new(MemKv::new()));
        let mut cache = open(&kv, ContractState::EMPTY);
        for page in 0..8 {
            cache.write(page, 0, &[page as u8 + 1]).unwrap();
        }
        let state = cache.commit().unwrap();

        kv.reset();
        let mut cache = open(&kv, state).with_capacity(2);
        cache.write(7, 1, &[9]).unwrap();
        let mut buf = [0u8; 2];
        for page in [0, 1, 2, 0, 1, 2, 7] {
            cache.read(page, 0, &mut buf).unwrap();
            let expected = if page == 7 { [8, 9] } else { [page as u8 + 1, 0] };
            assert_eq!(buf, expected, "page {page}");
        }
        let page_reads = |kv: &CountingKv<MemKv>| {
            kv.reads_per_key().iter().filter(|(k, _)| k[0] == b'p').map(|(_, n)| *n).sum::<u64>()
        };
        // Lowest clean index goes first: reading 2 evicts 0, reading 0 evicts 1, reading 1 evicts 0,
        // and 2 is still cached. Page 7 is dirty and never evicted: 7, 0, 1, 2, 0, 1 = six reads.
        assert_eq!(page_reads(&kv), 6);
        assert_eq!(cache.evictions(), 3);
        let committed = cache.commit().unwrap();

        let mut unbounded = open(&kv, state);
        unbounded.write(7, 1, &[9]).unwrap();
        assert_eq!(unbounded.commit().unwrap(), committed);
    }

    #[test]
    fn out_of_range_accesses_are_typed_errors() {
        let kv = Arc::new(CountingKv::new(MemKv::new()));
        let mut cache = open(&kv, ContractState::EMPTY);
        assert_eq!(
            cache.write(0, PAGE_SIZE - 2, b"abc"),
            Err(PagesError::RangeOutsidePage { offset: PAGE_SIZE - 2, len: 3 })
        );
        assert_eq!(
            cache.read(0, usize::MAX, &mut [0u8; 2]),
            Err(PagesError::RangeOutsidePage { offset: usize::MAX, len: 2 })
        );
        assert_eq!(cache.write(8, 0, b"a"), Err(PagesError::PageOutOfRange { index: 8, page_count: 8 }));
    }
}
