//! The account trie: a binary Merkle trie over blake3(address), whose root is the global state root.
//!
//! A leaf holds one account and sits at the shallowest depth where its key path is its own; an
//! internal node holds its two children's hashes; an empty subtree is the zero hash. Accounts are
//! never removed, so the shape depends only on the set of addresses: the root is a function of the
//! accounts alone, whatever order they were written in. Nodes are stored in the kv store under their
//! hash, so any earlier root can be opened again, and every node read back is checked against it.

use super::{Account, StateError};
use crate::codec;
use crate::storage::content_cache::ContentCache;
use crate::storage::digest_hasher::DigestState;
use crate::storage::kv::{KvStore, WriteBatch, namespace};
use crate::{Address, Hash};
use std::collections::HashMap;
use std::sync::Arc;

/// Domain key for leaf hashes (blake3 keyed mode).
const LEAF_KEY: &[u8; 32] = b"svm/v1/account-trie/leaf........";
/// Domain key for internal-node hashes (blake3 keyed mode).
const NODE_KEY: &[u8; 32] = b"svm/v1/account-trie/node........";
const LEAF_TAG: u8 = 0;
const NODE_TAG: u8 = 1;
/// Key paths are 256 bits long; no valid trie is deeper.
const KEY_BITS: usize = 256;

/// A decoded trie node.
#[derive(Clone)]
enum Node {
    Leaf { address: Address, account: Account },
    Internal { left: Hash, right: Hash },
}

/// A trie node checked against its hash, as the node cache keeps it.
#[derive(Clone)]
pub struct TrieNode(Node);

/// Checked trie nodes by hash, shared between views (content-addressed, so never stale).
pub type TrieNodeCache = ContentCache<TrieNode>;

/// A view of the account trie at one root, with the updates made through it not yet written.
pub struct AccountTrie<'k> {
    kv: &'k dyn KvStore,
    root: Hash,
    /// Nodes created by updates, by hash, until they are added to a batch; a leaf with its encoding
    /// (computed to hash it), an internal node without (encoded only if the final root reaches it).
    pending: HashMap<Hash, (Option<Vec<u8>>, Node), DigestState>,
    cache: Option<&'k TrieNodeCache>,
}

impl<'k> AccountTrie<'k> {
    /// The trie whose root is `root`.
    pub fn open(kv: &'k dyn KvStore, root: Hash) -> AccountTrie<'k> {
        AccountTrie { kv, root, pending: HashMap::default(), cache: None }
    }

    /// Reads committed nodes through `cache` (checked nodes are kept there and not checked again).
    pub fn with_cache(mut self, cache: &'k TrieNodeCache) -> AccountTrie<'k> {
        self.cache = Some(cache);
        self
    }

    /// The root, updates included.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// Whether the root's top node can be read (always true for the empty root).
    pub fn check_root(&self) -> Result<(), StateError> {
        if !self.root.is_zero() {
            self.load(self.root)?;
        }
        Ok(())
    }

    /// The account at `address`, if it exists.
    pub fn get(&self, address: &Address) -> Result<Option<Account>, StateError> {
        let key = key_path(address);
        let mut hash = self.root;
        for depth in 0..=KEY_BITS {
            if hash.is_zero() {
                return Ok(None);
            }
            match self.load(hash)? {
                Node::Leaf { address: found, account } => {
                    return Ok((found == *address).then_some(account));
                }
                Node::Internal { left, right } => {
                    if depth == KEY_BITS {
                        break;
                    }
                    hash = if bit(&key, depth) { right } else { left };
                }
            }
        }
        Err(StateError::CorruptNode(self.root))
    }

    /// Stores `account` at `address`, creating or replacing it.
    pub fn set(&mut self, address: &Address, account: &Account) -> Result<(), StateError> {
        let key = key_path(address);
        let leaf = self.put_leaf(address, account);
        self.root = self.insert(self.root, 0, &key, address, leaf)?;
        Ok(())
    }

    /// Adds the nodes reachable from the root that this view created to `batch`; returns the root.
    pub fn commit_into(mut self, batch: &mut WriteBatch) -> Hash {
        // Updates of the same path supersede each other: store only what the final root reaches.
        let mut stack = vec![self.root];
        let mut created = Vec::with_capacity(self.pending.len());
        while let Some(hash) = stack.pop() {
            let Some((bytes, node)) = self.pending.remove(&hash) else { continue };
            let bytes = match &node {
                Node::Internal { left, right } => {
                    stack.extend([*left, *right]);
                    bytes.unwrap_or_else(|| encode_internal(left, right))
                }
                Node::Leaf { address, account } => {
                    bytes.unwrap_or_else(|| encode_leaf(address, &codec::encode(account)))
                }
            };
            batch.put(namespace::key(namespace::ACCOUNT_NODE, hash.as_bytes()), bytes);
            created.push((hash, Arc::new(TrieNode(node))));
        }
        // The next transaction reads these very nodes first: keep them checked and decoded.
        if let Some(cache) = self.cache {
            cache.insert_all(created);
        }
        self.root
    }

    /// Walks every stored node the root reaches, for garbage collection: `visit` gets the kv key of
    /// each node (checked against its hash) and returns whether it is new to it; the walk does not
    /// descend below a node it has seen (its subtree was seen with it). `account` gets the address
    /// and account of every new leaf.
    pub(crate) fn walk(
        &self,
        visit: &mut dyn FnMut(Vec<u8>) -> bool,
        account: &mut dyn FnMut(&Address, &Account),
    ) -> Result<(), StateError> {
        let mut stack = vec![self.root];
        while let Some(hash) = stack.pop() {
            if hash.is_zero() || !visit(namespace::key(namespace::ACCOUNT_NODE, hash.as_bytes())) {
                continue;
            }
            match self.load(hash)? {
                Node::Leaf { address, account: found } => account(&address, &found),
                Node::Internal { left, right } => stack.extend([left, right]),
            }
        }
        Ok(())
    }

    fn insert(
        &mut self,
        node: Hash,
        depth: usize,
        key: &[u8; 32],
        address: &Address,
        leaf: Hash,
    ) -> Result<Hash, StateError> {
        if node.is_zero() {
            return Ok(leaf);
        }
        if depth >= KEY_BITS {
            return Err(StateError::CorruptNode(node));
        }
        match self.load(node)? {
            Node::Leaf { address: existing, .. } if existing == *address => Ok(leaf),
            Node::Leaf { address: existing, .. } => {
                // Split: internal nodes down the shared path, then the two leaves side by side.
                let other = key_path(&existing);
                let fork = (depth..KEY_BITS).find(|&d| bit(key, d) != bit(&other, d));
                let fork = fork.ok_or(StateError::CorruptNode(node))?;
                let mut hash =
                    if bit(key, fork) { self.put_internal(node, leaf) } else { self.put_internal(leaf, node) };
                for d in (depth..fork).rev() {
                    hash = if bit(key, d) {
                        self.put_internal(Hash::ZERO, hash)
                    } else {
                        self.put_internal(hash, Hash::ZERO)
                    };
                }
                Ok(hash)
            }
            Node::Internal { left, right } => Ok(if bit(key, depth) {
                let right = self.insert(right, depth + 1, key, address, leaf)?;
                self.put_internal(left, right)
            } else {
                let left = self.insert(left, depth + 1, key, address, leaf)?;
                self.put_internal(left, right)
            }),
        }
    }

    fn put_leaf(&mut self, address: &Address, account: &Account) -> Hash {
        let account_bytes = codec::encode(account);
        let mut hasher = blake3::Hasher::new_keyed(LEAF_KEY);
        hasher.update(address.as_bytes());
        hasher.update(&account_bytes);
        let hash: Hash = hasher.finalize().into();
        let bytes = encode_leaf(address, &account_bytes);
        self.remember(hash, Some(bytes), Node::Leaf { address: *address, account: account.clone() });
        hash
    }

    fn put_internal(&mut self, left: Hash, right: Hash) -> Hash {
        let hash = internal_hash(&left, &right);
        self.remember(hash, None, Node::Internal { left, right });
        hash
    }

    /// Keeps a node an update created until the commit.
    fn remember(&mut self, hash: Hash, bytes: Option<Vec<u8>>, node: Node) {
        if self.pending.capacity() == 0 {
            // Room for a few paths of a large trie at once (a transaction updates ~3 paths of ~17 nodes):
            // growing from empty rehashes the map several times.
            self.pending.reserve(64);
        }
        self.pending.insert(hash, (bytes, node));
    }

    fn load(&self, hash: Hash) -> Result<Node, StateError> {
        if let Some((_, node)) = self.pending.get(&hash) {
            return Ok(node.clone());
        }
        if let Some(node) = self.cache.and_then(|cache| cache.get(&hash)) {
            return Ok(node.0.clone());
        }
        let bytes = self
            .kv
            .get(&namespace::key(namespace::ACCOUNT_NODE, hash.as_bytes()))?
            .ok_or(StateError::MissingNode(hash))?;
        let node = decode_node(&bytes).ok_or(StateError::CorruptNode(hash))?;
        let actual = match &node {
            Node::Internal { left, right } => internal_hash(left, right),
            Node::Leaf { .. } => blake3::keyed_hash(LEAF_KEY, &bytes[1..]).into(),
        };
        if actual != hash {
            return Err(StateError::CorruptNode(hash));
        }
        if let Some(cache) = self.cache {
            cache.insert(hash, Arc::new(TrieNode(node.clone())));
        }
        Ok(node)
    }
}

/// The stored form of a leaf: its tag, its address and its encoded account.
fn encode_leaf(address: &Address, account_bytes: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 + 20 + account_bytes.len());
    bytes.push(LEAF_TAG);
    bytes.extend_from_slice(address.as_bytes());
    bytes.extend_from_slice(account_bytes);
    bytes
}

/// The stored form of an internal node: its tag and its children's hashes.
fn encode_internal(left: &Hash, right: &Hash) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(65);
    bytes.push(NODE_TAG);
    bytes.extend_from_slice(left.as_bytes());
    bytes.extend_from_slice(right.as_bytes());
    bytes
}

fn internal_hash(left: &Hash, right: &Hash) -> Hash {
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(left.as_bytes());
    bytes[32..].copy_from_slice(right.as_bytes());
    blake3::keyed_hash(NODE_KEY, &bytes).into()
}

fn decode_node(bytes: &[u8]) -> Option<Node> {
    let (&tag, rest) = bytes.split_first()?;
    match tag {
        LEAF_TAG => {
            let address = Address(rest.get(..20)?.try_into().ok()?);
            let account = codec::decode(rest.get(20..)?).ok()?;
            Some(Node::Leaf { address, account })
        }
        NODE_TAG if rest.len() == 64 => {
            Some(Node::Internal { left: Hash::from_slice(&rest[..32])?, right: Hash::from_slice(&rest[32..])? })
        }
        _ => None,
    }
}

/// The 256-bit path of an address: blake3 of it, so that paths are spread evenly whatever the addresses.
fn key_path(address: &Address) -> [u8; 32] {
    *blake3::hash(address.as_bytes()).as_bytes()
}

fn bit(key: &[u8; 32], depth: usize) -> bool {
    (key[depth / 8] >> (7 - depth % 8)) & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::kv::MemKv;

    fn account(balance: u64) -> Account {
        Account { balance, nonce: balance / 2, contract: None, library: None }
    }

    fn address(i: u32) -> Address {
        let mut a = [0u8; 20];
        a[..4].copy_from_slice(&i.to_le_bytes());
        Address(a)
    }

    fn build(kv: &MemKv, order: &[u32]) -> Hash {
        let mut root = Hash::ZERO;
        for &i in order {
            let mut trie = AccountTrie::open(kv, root);
            trie.set(&address(i), &account(i as u64 + 1)).unwrap();
            let mut batch = WriteBatch::new();
            root = trie.commit_into(&mut batch);
            kv.write(batch).unwrap();
        }
        root
    }

    #[test]
    fn get_returns_what_set_stored_and_none_for_absent_accounts() {
        let kv = MemKv::new();
        let root = build(&kv, &(0..50).collect::<Vec<_>>());
        let trie = AccountTrie::open(&kv, root);
        for i in 0..50 {
            assert_eq!(trie.get(&address(i)).unwrap(), Some(account(i as u64 + 1)));
        }
        assert_eq!(trie.get(&address(50)).unwrap(), None);
        assert_eq!(AccountTrie::open(&kv, Hash::ZERO).get(&address(1)).unwrap(), None);
    }

    #[test]
    fn root_is_independent_of_insertion_order_and_batching() {
        let forward: Vec<u32> = (0..40).collect();
        let backward: Vec<u32> = (0..40).rev().collect();
        let (a, b) = (MemKv::new(), MemKv::new());
        let root_a = build(&a, &forward);
        let root_b = build(&b, &backward);
        assert_eq!(root_a, root_b);

        // All in one view, interleaved with overwrites.
        let c = MemKv::new();
        let mut trie = AccountTrie::open(&c, Hash::ZERO);
        for i in (0..40).step_by(2).chain((1..40).step_by(2)) {
            trie.set(&address(i), &account(999)).unwrap();
            trie.set(&address(i), &account(i as u64 + 1)).unwrap();
        }
        let mut batch = WriteBatch::new();
        assert_eq!(trie.commit_into(&mut batch), root_a);
        // Superseded nodes are not stored.
        c.write(batch).unwrap();
        assert_eq!(
            c.len().unwrap(),
            a.entries()
                .unwrap()
                .iter()
                .filter(|(k, _)| { AccountTrie::open(&a, root_a).reachable_contains(k) })
                .count()
        );
    }

    #[test]
    fn earlier_roots_stay_readable() {
        let kv = MemKv::new();
        let early = build(&kv, &[1, 2, 3]);
        let late = build(&kv, &[1, 2, 3, 4, 5]);
        assert_eq!(AccountTrie::open(&kv, early).get(&address(4)).unwrap(), None);
        assert_eq!(AccountTrie::open(&kv, late).get(&address(4)).unwrap(), Some(account(5)));
    }

    #[test]
    fn unknown_and_corrupt_nodes_are_typed_errors() {
        let kv = MemKv::new();
        let unknown = Hash([7; 32]);
        assert_eq!(AccountTrie::open(&kv, unknown).get(&address(1)), Err(StateError::MissingNode(unknown)));
        let mut batch = WriteBatch::new();
        batch.put(namespace::key(namespace::ACCOUNT_NODE, unknown.as_bytes()), vec![NODE_TAG; 65]);
        kv.write(batch).unwrap();
        assert_eq!(AccountTrie::open(&kv, unknown).get(&address(1)), Err(StateError::CorruptNode(unknown)));
    }

    #[test]
    fn a_walk_reaches_every_node_and_account_of_its_root_once() {
        let kv = MemKv::new();
        let early = build(&kv, &[1, 2, 3]);
        let late = build(&kv, &(1..30).collect::<Vec<_>>());
        let mut seen = std::collections::BTreeSet::new();
        let mut accounts = Vec::new();
        AccountTrie::open(&kv, late).walk(&mut |key| seen.insert(key), &mut |_, a| accounts.push(a.clone())).unwrap();
        accounts.sort_by_key(|a| a.balance);
        assert_eq!(accounts, (1..30).map(|i| account(i + 1)).collect::<Vec<_>>());
        let reachable = AccountTrie::open(&kv, late);
        let expected: std::collections::BTreeSet<Vec<u8>> =
            kv.entries().unwrap().into_iter().map(|(k, _)| k).filter(|k| reachable.reachable_contains(k)).collect();
        assert_eq!(seen, expected);
        // The early root's own top node is not reachable from the late one.
        assert!(!seen.contains(&namespace::key(namespace::ACCOUNT_NODE, early.as_bytes())));

        // Nodes already seen are not walked again.
        let mut again = 0;
        AccountTrie::open(&kv, late)
            .walk(
                &mut |key| {
                    again += 1;
                    !seen.contains(&key)
                },
                &mut |_, _| {},
            )
            .unwrap();
        assert_eq!(again, 1);

        let unknown = Hash([7; 32]);
        let walk = AccountTrie::open(&kv, unknown).walk(&mut |_| true, &mut |_, _| {});
        assert_eq!(walk, Err(StateError::MissingNode(unknown)));
    }

    impl AccountTrie<'_> {
        /// Whether `key` names a node reachable from the root (test helper).
        fn reachable_contains(&self, key: &[u8]) -> bool {
            let mut stack = vec![self.root];
            while let Some(hash) = stack.pop() {
                if namespace::key(namespace::ACCOUNT_NODE, hash.as_bytes()) == key {
                    return true;
                }
                if let Ok(Node::Internal { left, right }) = self.load(hash) {
                    stack.extend([left, right].into_iter().filter(|h| !h.is_zero()));
                }
            }
            false
        }
    }
}
