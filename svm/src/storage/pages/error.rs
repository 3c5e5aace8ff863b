//! Errors of the pages layer.

use super::PageIndex;
use crate::Hash;
use crate::storage::kv::KvError;
use thiserror::Error;

/// Why a page could not be loaded, written or committed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PagesError {
    /// The kv store failed.
    #[error(transparent)]
    Kv(#[from] KvError),
    /// A contract asked for more pages than the VM allows.
    #[error("contract has {page_count} pages; at most {max} are allowed")]
    TooManyPages {
        /// The requested page count.
        page_count: u32,
        /// The VM's limit.
        max: u32,
    },
    /// A page index at or past the contract's page count.
    #[error("page {index} is out of range: the contract has {page_count} pages")]
    PageOutOfRange {
        /// The requested page.
        index: PageIndex,
        /// The contract's page count.
        page_count: u32,
    },
    /// A byte range that does not fit inside one page.
    #[error("bytes {offset}..{offset}+{len} do not fit in a page")]
    RangeOutsidePage {
        /// Offset inside the page.
        offset: usize,
        /// Length of the access.
        len: usize,
    },
    /// The state names a tree node the kv store does not hold (unknown state, or a damaged store).
    #[error("page-tree node {0} is missing from the kv store")]
    MissingNode(Hash),
    /// A stored tree node does not hash to its key.
    #[error("page-tree node {0} is corrupt")]
    CorruptNode(Hash),
    /// The state names a page the kv store does not hold.
    #[error("page {index} ({hash}) is missing from the kv store")]
    MissingPage {
        /// The page index.
        index: PageIndex,
        /// The page hash the tree names.
        hash: Hash,
    },
    /// A stored page does not hash to the page hash the tree names.
    #[error("page {index} ({hash}) is corrupt")]
    CorruptPage {
        /// The page index.
        index: PageIndex,
        /// The page hash the tree names.
        hash: Hash,
    },
}
