//! Storage gas: what touching a page costs, besides the vmcall's own price. Charged before the work,
//! by page and not by byte: the first access to a page in an execution (loading its tree path and its
//! 4 KiB, checking their hashes) and the first write to it (holding it dirty, hashing it and its tree
//! path and writing both at commit). Both grow with the depth of the contract's page tree.

use crate::layout::tree_depth;

/// The first access (read or write) to a page in an execution: base.
pub const PAGE_LOAD_BASE: u64 = 500;
/// The first access to a page: per level of the contract's page tree.
pub const PAGE_LOAD_PER_LEVEL: u64 = 125;
/// The first write to a page in an execution (the page becomes dirty): base.
pub const PAGE_DIRTY_BASE: u64 = 2_000;
/// The first write to a page: per level of the contract's page tree.
pub const PAGE_DIRTY_PER_LEVEL: u64 = 400;

/// The storage prices by name, for the schedule fingerprint and the docs.
pub const STORAGE_PRICES: [(&str, u64); 4] = [
    ("page_load_base", PAGE_LOAD_BASE),
    ("page_load_per_level", PAGE_LOAD_PER_LEVEL),
    ("page_dirty_base", PAGE_DIRTY_BASE),
    ("page_dirty_per_level", PAGE_DIRTY_PER_LEVEL),
];

/// The gas of the first access to a page of a contract with `page_count` pages.
pub fn page_load(page_count: u32) -> u64 {
    PAGE_LOAD_BASE + PAGE_LOAD_PER_LEVEL * u64::from(tree_depth(page_count))
}

/// The gas of the first write to a page of a contract with `page_count` pages.
pub fn page_dirty(page_count: u32) -> u64 {
    PAGE_DIRTY_BASE + PAGE_DIRTY_PER_LEVEL * u64::from(tree_depth(page_count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_grow_with_the_tree() {
        assert_eq!(page_load(1), 500);
        assert_eq!(page_load(4096), 500 + 125 * 12);
        assert_eq!(page_dirty(3), 2_000 + 400 * 2);
    }
}
