//! The page-slice cache: reads and writes of a contract's variables during one execution.

use super::{PageSlice, SliceError, SliceIndex, StorageLayout};
use crate::storage::kv::{KvStore, WriteBatch};
use crate::storage::page_cache::PageCache;
use crate::storage::pages::{PageIndex, PagesError};
use crate::{Address, ContractState};
use std::sync::Arc;
use svm_core::collection_state::STATE_LEN;
use svm_core::layout::SliceKind;

/// One execution's access to a contract's storage, slice by slice, over a page cache.
pub struct PageSliceCache {
    layout: Arc<StorageLayout>,
    pages: PageCache,
}

impl PageSliceCache {
    /// The storage of contract `address`, laid out by `layout`, as of `state`.
    pub fn open(
        kv: Arc<dyn KvStore>,
        address: Address,
        layout: Arc<StorageLayout>,
        state: ContractState,
    ) -> Result<PageSliceCache, PagesError> {
        let pages = PageCache::open(kv, address, layout.page_count(), state)?;
        Ok(PageSliceCache { layout, pages })
    }

    /// Keeps at most `pages` clean pages cached at a time (see [`PageCache::with_capacity`]).
    pub fn with_page_capacity(mut self, pages: usize) -> PageSliceCache {
        self.pages = self.pages.with_capacity(pages);
        self
    }

    /// Shares a cache of verified pages (see [`crate::storage::pages::PagesStorage::with_verified_pages`]).
    pub fn with_verified_pages(
        mut self,
        cache: Arc<crate::storage::content_cache::ContentCache<crate::storage::pages::Page>>,
    ) -> PageSliceCache {
        self.pages = self.pages.with_verified_pages(cache);
        self
    }

    /// The layout the slices come from.
    pub fn layout(&self) -> &StorageLayout {
        &self.layout
    }

    /// The state this execution started from.
    pub fn state(&self) -> ContractState {
        self.pages.state()
    }

    /// The page cache below, for inspection.
    pub fn page_cache(&self) -> &PageCache {
        &self.pages
    }

    /// The declared length of slice `slice` (0 for a collection slot).
    pub fn slice_len(&self, slice: SliceIndex) -> Result<u32, SliceError> {
        Ok(self.slice(slice)?.len)
    }

    /// Checks that `len` bytes at `offset` lie inside slice `slice`, without touching storage.
    pub fn check_range(&self, slice: SliceIndex, offset: u32, len: usize) -> Result<(), SliceError> {
        self.locate(slice, offset, len).map(|_| ())
    }

    /// The page holding `len` bytes at `offset` inside slice `slice`, if they fit the slice.
    pub fn page_of(&self, slice: SliceIndex, offset: u32, len: usize) -> Result<PageIndex, SliceError> {
        self.locate(slice, offset, len).map(|(page, _)| page)
    }

    /// Copies `buf.len()` bytes of slice `slice`, starting `offset` bytes into it, into `buf`.
    pub fn read(&mut self, slice: SliceIndex, offset: u32, buf: &mut [u8]) -> Result<(), SliceError> {
        let (page, at) = self.locate(slice, offset, buf.len())?;
        Ok(self.pages.read(page, at, buf)?)
    }

    /// The whole of slice `slice` (a collection slot: its state's bytes).
    pub fn read_all(&mut self, slice: SliceIndex) -> Result<Vec<u8>, SliceError> {
        if self.slice(slice)?.kind() == SliceKind::Collection {
            return Ok(self.read_slot(slice)?.to_vec());
        }
        let mut buf = vec![0; self.slice_len(slice)? as usize];
        self.read(slice, 0, &mut buf)?;
        Ok(buf)
    }

    /// The page of collection slot `slot`.
    pub fn slot_page(&self, slot: SliceIndex) -> Result<PageIndex, SliceError> {
        let s = self.slice(slot)?;
        if s.kind() != SliceKind::Collection {
            return Err(SliceError::Kind { slice: slot, is_slot: false });
        }
        Ok(s.page)
    }

    /// The state bytes collection slot `slot` holds.
    pub fn read_slot(&mut self, slot: SliceIndex) -> Result<[u8; STATE_LEN], SliceError> {
        let page = self.slot_page(slot)?;
        let mut state = [0; STATE_LEN];
        let at = self.slice(slot)?.offset as usize;
        self.pages.read(page, at, &mut state)?;
        Ok(state)
    }

    /// Writes `state` into collection slot `slot`.
    pub fn write_slot(&mut self, slot: SliceIndex, state: &[u8; STATE_LEN]) -> Result<(), SliceError> {
        let page = self.slot_page(slot)?;
        let at = self.slice(slot)?.offset as usize;
        Ok(self.pages.write(page, at, state)?)
    }

    /// Writes `bytes` into slice `slice`, starting `offset` bytes into it.
    pub fn write(&mut self, slice: SliceIndex, offset: u32, bytes: &[u8]) -> Result<(), SliceError> {
        let (page, at) = self.locate(slice, offset, bytes.len())?;
        Ok(self.pages.write(page, at, bytes)?)
    }

    /// Adds the dirty pages to `batch` and returns the new state (see [`PageCache::commit_into`]).
    pub fn commit_into(self, batch: &mut WriteBatch) -> Result<ContractState, PagesError> {
        self.pages.commit_into(batch)
    }

    /// Writes the dirty pages in one atomic batch and returns the new state.
    pub fn commit(self) -> Result<ContractState, PagesError> {
        self.pages.commit()
    }

    /// Drops every pending change; returns the unchanged state.
    pub fn discard(self) -> ContractState {
        self.pages.discard()
    }

    fn slice(&self, slice: SliceIndex) -> Result<&PageSlice, SliceError> {
        self.layout.slice(slice).ok_or(SliceError::UnknownSlice { slice, count: self.layout.slices().len() })
    }

    /// The page and in-page offset of `len` bytes at `offset` inside `slice`, if they fit the slice.
    fn locate(&self, slice: SliceIndex, offset: u32, len: usize) -> Result<(u32, usize), SliceError> {
        let s = self.slice(slice)?;
        if s.kind() != SliceKind::Bytes {
            return Err(SliceError::Kind { slice, is_slot: true });
        }
        let fits = u64::from(offset).checked_add(len as u64).is_some_and(|end| end <= u64::from(s.len));
        if !fits {
            return Err(SliceError::OutOfRange { slice, offset, len, slice_len: s.len });
        }
        Ok((s.page, s.offset as usize + offset as usize))
    }
}
