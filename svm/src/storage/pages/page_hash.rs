//! How pages and page-tree nodes are hashed. Changing anything here is a consensus change.

use super::{Page, PageIndex};
use crate::{Address, Hash};

/// Domain key for page hashes (blake3 keyed mode).
const PAGE_KEY: &[u8; 32] = b"svm/v1/page-hash/...............";
/// Domain key for page-tree node hashes (blake3 keyed mode).
const NODE_KEY: &[u8; 32] = b"svm/v1/page-tree-node/..........";

/// The page hash: keyed blake3 over the content, the page index (little-endian u32) and the contract
/// address. Content comes first so that blake3 hashes its four whole chunks in parallel.
/// An all-zero page hashes to [`Hash::ZERO`], so it needs no stored bytes.
pub fn page_hash(address: &Address, index: PageIndex, page: &Page) -> Hash {
    if page.is_zero() {
        return Hash::ZERO;
    }
    let mut hasher = blake3::Hasher::new_keyed(PAGE_KEY);
    hasher.update(page.bytes());
    hasher.update(&index.to_le_bytes());
    hasher.update(address.as_bytes());
    hasher.finalize().into()
}

/// The hash of a tree node from its two children; two zero children give [`Hash::ZERO`].
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    if left.is_zero() && right.is_zero() {
        return Hash::ZERO;
    }
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(left.as_bytes());
    bytes[32..].copy_from_slice(right.as_bytes());
    blake3::keyed_hash(NODE_KEY, &bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_with(byte: u8) -> Page {
        let mut page = Page::zeroed();
        page.bytes_mut()[17] = byte;
        page
    }

    #[test]
    fn zero_page_hashes_to_zero_and_others_do_not() {
        let address = Address([7; 20]);
        assert_eq!(page_hash(&address, 3, &Page::zeroed()), Hash::ZERO);
        assert!(!page_hash(&address, 3, &page_with(1)).is_zero());
    }

    #[test]
    fn page_hash_depends_on_address_index_and_content() {
        let base = page_hash(&Address([1; 20]), 0, &page_with(1));
        assert_ne!(base, page_hash(&Address([2; 20]), 0, &page_with(1)));
        assert_ne!(base, page_hash(&Address([1; 20]), 1, &page_with(1)));
        assert_ne!(base, page_hash(&Address([1; 20]), 0, &page_with(2)));
    }

    #[test]
    fn node_hash_is_ordered_and_zero_only_for_zero_children() {
        let a = Hash([1; 32]);
        assert_eq!(node_hash(&Hash::ZERO, &Hash::ZERO), Hash::ZERO);
        assert_ne!(node_hash(&a, &Hash::ZERO), node_hash(&Hash::ZERO, &a));
        assert!(!node_hash(&a, &Hash::ZERO).is_zero());
    }

    #[test]
    fn page_and_node_hashes_are_pinned() {
        // A change here is a consensus change: it must be deliberate.
        let mut page = Page::zeroed();
        page.bytes_mut()[0] = 0xAB;
        assert_eq!(
            page_hash(&Address([0x11; 20]), 5, &page).to_string(),
            "83f1e6c7b50a9b33a41d2d7d5e1b82c09ab32209fd4853725a3eb121baaa6e6f"
        );
        assert_eq!(
            node_hash(&Hash([1; 32]), &Hash::ZERO).to_string(),
            "60eb8e23c2fe00907d12c5626fced2d196fbaab17ca66e64a7ac41203e7f86fd"
        );
    }
}
