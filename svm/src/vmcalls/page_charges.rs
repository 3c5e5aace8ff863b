//! Storage gas for one execution: the first access to each page and the first write to each page
//! are charged (see `svm_core::gas::storage_prices`), and no execution makes more pages dirty than the
//! limit. Which pages were paid for is consensus state of the execution, independent of the page
//! cache: a page evicted and read again is not charged again.

use super::HostError;
use super::env::Fault;
use crate::gas::storage_prices::{page_dirty, page_load};
use crate::storage::pages::PageIndex;
use std::collections::BTreeSet;

/// The pages one execution has paid to access and to write.
pub struct PageCharges {
    load_price: u64,
    dirty_price: u64,
    max_dirty: u32,
    accessed: BTreeSet<PageIndex>,
    dirty: BTreeSet<PageIndex>,
}

impl PageCharges {
    /// No page paid for yet, in a contract of `page_count` pages that may make `max_dirty` dirty.
    pub fn new(page_count: u32, max_dirty: u32) -> PageCharges {
        PageCharges {
            load_price: page_load(page_count),
            dirty_price: page_dirty(page_count),
            max_dirty,
            accessed: BTreeSet::new(),
            dirty: BTreeSet::new(),
        }
    }

    /// What an access to `page` (a write when `write`) costs now: 0 if already paid for. A write that
    /// would make one page more dirty than the limit is the host error `too-many-dirty-pages`.
    pub fn quote(&self, page: PageIndex, write: bool) -> Result<u64, Fault> {
        let mut price = 0;
        if !self.accessed.contains(&page) {
            price += self.load_price;
        }
        if write && !self.dirty.contains(&page) {
            if self.dirty.len() >= self.max_dirty as usize {
                return Err(Fault::host(
                    HostError::TooManyDirtyPages,
                    format!("page {page} would be dirty page {} of at most {}", self.dirty.len() + 1, self.max_dirty),
                ));
            }
            price += self.dirty_price;
        }
        Ok(price)
    }

    /// Records that the access quoted for `page` was paid.
    pub fn paid(&mut self, page: PageIndex, write: bool) {
        self.accessed.insert(page);
        if write {
            self.dirty.insert(page);
        }
    }

    /// The pages made dirty so far.
    pub fn dirty_pages(&self) -> usize {
        self.dirty.len()
    }

    /// The pages accessed so far.
    pub fn accessed_pages(&self) -> usize {
        self.accessed.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_page_is_charged_once_per_kind_and_the_dirty_limit_holds() {
        let mut charges = PageCharges::new(4, 2);
        let (load, dirty) = (page_load(4), page_dirty(4));
        assert_eq!(charges.quote(0, false), Ok(load));
        charges.paid(0, false);
        assert_eq!(charges.quote(0, false), Ok(0));
        assert_eq!(charges.quote(0, true), Ok(dirty));
        charges.paid(0, true);
        assert_eq!(charges.quote(1, true), Ok(load + dirty));
        charges.paid(1, true);
        assert!(matches!(charges.quote(2, true), Err(Fault::Host(HostError::TooManyDirtyPages, _))));
        assert_eq!(charges.quote(2, false), Ok(load));
        assert_eq!(charges.quote(1, true), Ok(0));
        assert_eq!((charges.dirty_pages(), charges.accessed_pages()), (2, 2));
    }
}
