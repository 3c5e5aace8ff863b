//! Pages storage: a contract's storage as fixed-size pages under a content-addressed Merkle root.

mod error;
mod page;
mod page_hash;
mod page_tree;
mod pages_storage;

pub use error::PagesError;
pub use page::{MAX_PAGES, PAGE_SIZE, Page, PageIndex};
pub use page_hash::{node_hash, page_hash};
pub use page_tree::PageTree;
pub use pages_storage::PagesStorage;
