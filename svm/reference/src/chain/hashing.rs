//! Identifiers and the page tree, from `docs/consensus.md` (Hashes and encodings: Identifiers, Contract
//! metadata, Page hash, Page tree and contract state), computed naively from whole inputs.
//!
//! The account trie and the global state root are in [`super::trie`].

use crate::chain::state::Page;
use std::collections::BTreeMap;
use svm_core::contract_meta::ContractMeta;
use svm_core::layout::{PAGE_SIZE, tree_depth};
use svm_core::{Address, ContractState, Hash};

/// The page-hash key: `svm/v1/page-hash/` padded with `.` to 32 bytes.
pub const PAGE_KEY: [u8; 32] = *b"svm/v1/page-hash/...............";
/// The page-tree node key: `svm/v1/page-tree-node/` padded with `.` to 32 bytes.
pub const PAGE_TREE_NODE_KEY: [u8; 32] = *b"svm/v1/page-tree-node/..........";

/// The preimage of the fee account's address.
pub const FEE_ACCOUNT_PREIMAGE: &[u8] = b"svm/v1/fee-account";

/// `blake3(x)`.
pub fn blake3(bytes: &[u8]) -> Hash {
    Hash(*blake3::hash(bytes).as_bytes())
}

/// `blake3_k(key, x)`: BLAKE3 in keyed mode.
pub fn blake3_keyed(key: &[u8; 32], bytes: &[u8]) -> Hash {
    Hash(*blake3::keyed_hash(key, bytes).as_bytes())
}

/// The first 20 bytes of a hash, as an address.
fn first_20(hash: &Hash) -> Address {
    let mut address = [0u8; 20];
    address.copy_from_slice(&hash.0[..20]);
    Address(address)
}

/// `code_hash = blake3(code)`, over the code exactly as the deploy carries it.
pub fn code_hash(code: &[u8]) -> Hash {
    blake3(code)
}

/// `blake3(author ‖ u64le(nonce) ‖ code_hash)[0..20]`.
pub fn contract_address(author: &Address, nonce: u64, code_hash: &Hash) -> Address {
    let mut preimage = Vec::with_capacity(20 + 8 + 32);
    preimage.extend_from_slice(&author.0);
    preimage.extend_from_slice(&nonce.to_le_bytes());
    preimage.extend_from_slice(&code_hash.0);
    first_20(&blake3(&preimage))
}

/// The account of the library with code hash `code_hash`: `blake3("svm-library" ‖ code hash)[0..20]`.
pub fn library_address(code_hash: &Hash) -> Address {
    let mut preimage = Vec::with_capacity(11 + 32);
    preimage.extend_from_slice(b"svm-library");
    preimage.extend_from_slice(&code_hash.0);
    first_20(&blake3(&preimage))
}

/// `blake3("svm/v1/fee-account")[0..20]`.
pub fn fee_account() -> Address {
    first_20(&blake3(FEE_ACCOUNT_PREIMAGE))
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    let len = u32::try_from(len).expect("a consensus length fits a u32");
    out.extend_from_slice(&len.to_le_bytes());
}

/// `enc(ContractMeta)`: `u32 code_len ‖ u32 page_count ‖ list<(u32 page, u32 offset, u32 len)> ‖ u32 n_exports ‖
/// (str name ‖ u32 n_params ‖ type codes ‖ u32 n_results ‖ type codes)* ‖ (u32 n_libraries ‖ code_hash*)?`, exports
/// ascending by name bytes, the library list only when it is not empty.
pub fn encode_meta(meta: &ContractMeta) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&meta.code_len.to_le_bytes());
    out.extend_from_slice(&meta.layout.page_count().to_le_bytes());
    put_len(&mut out, meta.layout.slices().len());
    for slice in meta.layout.slices() {
        out.extend_from_slice(&slice.page.to_le_bytes());
        out.extend_from_slice(&slice.offset.to_le_bytes());
        out.extend_from_slice(&slice.len.to_le_bytes());
    }
    // A BTreeMap<String, _> iterates in the bytewise order of the UTF-8 names.
    put_len(&mut out, meta.exports.len());
    for (name, signature) in &meta.exports {
        put_len(&mut out, name.len());
        out.extend_from_slice(name.as_bytes());
        for types in [&signature.params, &signature.results] {
            put_len(&mut out, types.len());
            out.extend(types.iter().map(|t| t.code()));
        }
    }
    if !meta.libraries.is_empty() {
        put_len(&mut out, meta.libraries.len());
        meta.libraries.iter().for_each(|hash| out.extend_from_slice(&hash.0));
    }
    out
}

/// `meta_hash = blake3(enc(ContractMeta))`.
pub fn meta_hash(meta: &ContractMeta) -> Hash {
    blake3(&encode_meta(meta))
}

/// `page_hash(address, i, page)`: `ZERO` for an all-zero page, else
/// `blake3_k(PAGE_KEY, page ‖ u32le(i) ‖ address)`.
pub fn page_hash(address: &Address, index: u32, page: &[u8; PAGE_SIZE]) -> Hash {
    if page.iter().all(|&b| b == 0) {
        return Hash::ZERO;
    }
    let mut preimage = Vec::with_capacity(PAGE_SIZE + 4 + 20);
    preimage.extend_from_slice(page);
    preimage.extend_from_slice(&index.to_le_bytes());
    preimage.extend_from_slice(&address.0);
    blake3_keyed(&PAGE_KEY, &preimage)
}

/// `node_hash(L, R)`: `ZERO` when both children are `ZERO`, else `blake3_k(NODE_KEY_pagetree, L ‖ R)`.
pub fn page_tree_node(left: &Hash, right: &Hash) -> Hash {
    if left.is_zero() && right.is_zero() {
        return Hash::ZERO;
    }
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(&left.0);
    preimage[32..].copy_from_slice(&right.0);
    blake3_keyed(&PAGE_TREE_NODE_KEY, &preimage)
}

/// The contract state: the root of the complete binary tree of `2^depth` leaves over the contract's
/// pages (leaf `i` = page `i`'s hash, `ZERO` past `page_count` and for absent, i.e. zero, pages), built
/// level by level from the full page set.
pub fn contract_state(address: &Address, page_count: u32, pages: &BTreeMap<u32, Page>) -> ContractState {
    let depth = tree_depth(page_count);
    let leaves = 1usize << depth;
    let mut level: Vec<Hash> = (0..leaves)
        .map(|i| {
            let i = i as u32;
            match pages.get(&i) {
                Some(page) if i < page_count => page_hash(address, i, page),
                _ => Hash::ZERO,
            }
        })
        .collect();
    while level.len() > 1 {
        level = level.chunks(2).map(|pair| page_tree_node(&pair[0], &pair[1])).collect();
    }
    ContractState(level[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn page_with(first: u8) -> Page {
        let mut page = Box::new([0u8; PAGE_SIZE]);
        page[0] = first;
        page
    }

    #[test]
    fn keys_are_the_documented_bytes() {
        assert_eq!(hex(&PAGE_KEY), "73766d2f76312f706167652d686173682f2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e");
        assert_eq!(hex(&PAGE_TREE_NODE_KEY), "73766d2f76312f706167652d747265652d6e6f64652f2e2e2e2e2e2e2e2e2e2e");
        assert_eq!(fee_account().to_string(), "c2bdd09821a37c2b73747d42f4a5116a984d5a3f");
        assert_eq!(fee_account(), svm_core::fee::FEE_ACCOUNT);
    }

    #[test]
    fn pinned_page_node_and_identifier_values() {
        let a = Address([0x11; 20]);
        assert_eq!(
            page_hash(&a, 5, &page_with(0xAB)).to_string(),
            "83f1e6c7b50a9b33a41d2d7d5e1b82c09ab32209fd4853725a3eb121baaa6e6f"
        );
        assert_eq!(page_hash(&a, 5, &[0; PAGE_SIZE]), Hash::ZERO);
        assert_eq!(
            page_tree_node(&Hash([1; 32]), &Hash::ZERO).to_string(),
            "60eb8e23c2fe00907d12c5626fced2d196fbaab17ca66e64a7ac41203e7f86fd"
        );
        assert_eq!(page_tree_node(&Hash::ZERO, &Hash::ZERO), Hash::ZERO);
        let empty = code_hash(&[0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0]);
        assert_eq!(empty.to_string(), "0d66d411a21e80d93afa1487b002a1867432c04ba1d08dc790d259639f6a69c4");
        assert_eq!(
            contract_address(&Address([0x22; 20]), 7, &empty).to_string(),
            "c84882f1896f0e36c12e24b80c912f47b2522e46"
        );
    }

    #[test]
    fn contract_states_of_the_worked_examples() {
        let a = Address([0x11; 20]);
        let pages = |list: &[(u32, u8)]| list.iter().map(|&(i, b)| (i, page_with(b))).collect::<BTreeMap<_, _>>();
        type Case = (u32, &'static [(u32, u8)], &'static str);
        let cases: [Case; 4] = [
            (1, &[(0, 0xAB)], "203d23e1fd65acb19a8a4496c71651d27341170668727e52c3798105e57bef48"),
            (2, &[(1, 0xAB)], "62dedb880fa2f807f12be0697ba09079c257fb2fed6c884c3cc01754ee3ab792"),
            (5, &[(1, 1), (4, 4)], "fdaba9ae67d44c727a8a116ce44080c9df59ce561f8ff6047d66996cabe8e4d6"),
            (300, &[(0, 1), (299, 2)], "a91a37b162b8c2ebbc3953c34ce62a4eefcbbc104ea40040512a3e95543be6be"),
        ];
        for (page_count, list, expected) in cases {
            assert_eq!(contract_state(&a, page_count, &pages(list)).to_string(), expected, "{page_count} pages");
        }
        // No pages, or only zero pages: ZERO.
        assert_eq!(contract_state(&a, 0, &BTreeMap::new()), ContractState::EMPTY);
        assert_eq!(contract_state(&a, 7, &pages(&[(3, 0)])), ContractState::EMPTY);
        // The shape for page_count 5: node(node(node(Z, L1), node(Z, Z)), node(node(L4, Z), node(Z, Z))).
        let (l1, l4) = (page_hash(&a, 1, &page_with(1)), page_hash(&a, 4, &page_with(4)));
        let z = Hash::ZERO;
        let n = page_tree_node;
        let shape = n(&n(&n(&z, &l1), &n(&z, &z)), &n(&n(&l4, &z), &n(&z, &z)));
        assert_eq!(contract_state(&a, 5, &pages(&[(1, 1), (4, 4)])).0, shape);
    }

    #[test]
    fn meta_encoding_matches_the_worked_example() {
        use svm_core::ValueType::{I32, I64};
        use svm_core::contract_meta::FunctionSignature;
        use svm_core::layout::{PageSlice, StorageLayout};
        let layout = StorageLayout::new(
            2,
            vec![PageSlice { page: 0, offset: 0, len: 8 }, PageSlice { page: 1, offset: 4, len: 4 }],
        )
        .unwrap();
        let mut exports = BTreeMap::new();
        exports.insert("transfer".to_string(), FunctionSignature { params: vec![I64, I32], results: vec![] });
        exports.insert("balance".to_string(), FunctionSignature { params: vec![], results: vec![I64] });
        let meta = ContractMeta { code_len: 1234, layout: std::sync::Arc::new(layout), exports, libraries: Vec::new() };
        assert_eq!(
            hex(&encode_meta(&meta)),
            "d2040000020000000200000000000000000000000800000001000000040000000400000002000000070000006261\
             6c616e63650000000001000000 7e080000007472616e73666572020000007e7f00000000"
                .replace(' ', "")
        );
        assert_eq!(meta_hash(&meta).to_string(), "dd0c1a17c7986a44e2c1d57a65a9c6d3e168738a9acd31c18da86df6855f6001");
        assert_eq!(meta_hash(&meta), meta.hash(), "svm-core's codec agrees");
    }
}
