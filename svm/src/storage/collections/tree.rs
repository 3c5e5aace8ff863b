//! The collection tree: an ordered, authenticated map from fixed-width byte keys to byte values — a
//! crit-bit (compressed binary Patricia) trie whose nodes are stored under their hashes.
//!
//! **Shape.** A leaf holds one key and its value. An internal node holds a bit position and two
//! children: every key below it agrees on all bits before that position, its left subtree's keys
//! have a 0 there and its right subtree's a 1 (bits numbered from the most significant bit of the
//! first byte). No internal node has an empty child. Such a trie is unique for a set of keys, so the
//! root is a function of the contents alone, whatever order of inserts and removes produced them
//! (**history independence**), and an in-order walk visits keys in ascending byte order.
//!
//! **Cost.** Every operation walks one root-to-leaf path and rewrites only that path: at most
//! `8 × width` internal nodes deep, about `log2 n` for keys that are spread out. The work done (nodes
//! read, nodes written, bytes hashed) is counted, for gas.
//!
//! **Hashes** (consensus; `docs/consensus.md`, Collections): an empty tree is the zero hash; a leaf is
//! `blake3_keyed("svm/v1/collection/leaf.........", u8 width ‖ key ‖ value)`; an internal node is
//! `blake3_keyed("svm/v1/collection/node.........", u16be bit ‖ left ‖ right)`. A node is stored as
//! its tag (0 leaf, 1 internal) followed by exactly the bytes its hash covers.

use super::CollectionError;
use crate::Hash;
use crate::storage::kv::{KvStore, WriteBatch, namespace};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Domain key of leaf hashes.
const LEAF_KEY: &[u8; 32] = b"svm/v1/collection/leaf..........";
/// Domain key of internal-node hashes.
const NODE_KEY: &[u8; 32] = b"svm/v1/collection/node..........";
const LEAF_TAG: u8 = 0;
const NODE_TAG: u8 = 1;

/// The widest key a tree may have, in bytes: a leaf records its key's width in one byte. A contract's
/// collections are narrower (`svm_core::collection_state::MAX_KEY_WIDTH`); the event store's keys are wider.
pub const MAX_KEY_WIDTH: usize = 255;

/// A decoded node.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Leaf { key: Vec<u8>, value: Vec<u8> },
    Internal { bit: u16, left: Hash, right: Hash },
}

/// One entry: a key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The work an operation did, for gas: what it read, what it wrote, what it hashed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Nodes read (from the store or from this view's pending nodes).
    pub nodes_read: u64,
    /// Nodes created.
    pub nodes_written: u64,
    /// Bytes hashed to name the created nodes.
    pub bytes_hashed: u64,
}

/// A view of one collection tree at a root, with the updates made through it not yet written.
pub struct CollectionTree {
    kv: Arc<dyn KvStore>,
    root: Hash,
    width: usize,
    pending: BTreeMap<Hash, (Vec<u8>, Node)>,
    /// Stored nodes this view has read and checked (content-addressed: they cannot go stale).
    loaded: std::collections::HashMap<Hash, Node>,
    work: Work,
}

/// The bit of `key` at `position`, most significant bit of the first byte first.
fn bit(key: &[u8], position: usize) -> bool {
    key[position / 8] & (0x80 >> (position % 8)) != 0
}

/// The first bit position where `a` and `b` differ (`None`: they are equal).
fn crit_bit(a: &[u8], b: &[u8]) -> Option<usize> {
    let byte = a.iter().zip(b).position(|(x, y)| x != y)?;
    Some(byte * 8 + (a[byte] ^ b[byte]).leading_zeros() as usize)
}

impl CollectionTree {
    /// The tree of `width`-byte keys whose root is `root` (the zero hash: empty).
    pub fn open(kv: Arc<dyn KvStore>, root: Hash, width: usize) -> Result<CollectionTree, CollectionError> {
        if width == 0 || width > MAX_KEY_WIDTH {
            return Err(CollectionError::KeyWidth { width });
        }
        Ok(CollectionTree {
            kv,
            root,
            width,
            pending: BTreeMap::new(),
            loaded: std::collections::HashMap::new(),
            work: Work::default(),
        })
    }

    /// The root, updates included.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// The key width.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The work done through this view so far.
    pub fn work(&self) -> Work {
        self.work
    }

    fn check_key(&self, key: &[u8]) -> Result<(), CollectionError> {
        if key.len() != self.width {
            return Err(CollectionError::KeyLength { expected: self.width, found: key.len() });
        }
        Ok(())
    }

    /// The value stored under `key`.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, CollectionError> {
        self.check_key(key)?;
        if self.root.is_zero() {
            return Ok(None);
        }
        let (leaf_key, value) = self.best_match(key)?;
        Ok((leaf_key == key).then_some(value))
    }

    /// The leaf reached by following `key`'s bits from the root (the tree must not be empty).
    fn best_match(&mut self, key: &[u8]) -> Result<Entry, CollectionError> {
        let mut node = self.root;
        loop {
            match self.load(node)? {
                Node::Leaf { key, value } => return Ok((key, value)),
                Node::Internal { bit: b, left, right } => node = if bit(key, b as usize) { right } else { left },
            }
        }
    }

    /// Stores `value` under `key`; returns the value it replaced.
    pub fn insert(&mut self, key: &[u8], value: &[u8]) -> Result<Option<Vec<u8>>, CollectionError> {
        self.check_key(key)?;
        let leaf = self.put_leaf(key, value);
        if self.root.is_zero() {
            self.root = leaf;
            return Ok(None);
        }
        let (found, previous) = self.best_match(key)?;
        let crit = crit_bit(&found, key);
        // Down the path while the nodes branch above the critical bit (all of it, when replacing).
        let mut path: Vec<(u16, Hash, bool)> = Vec::new();
        let mut node = self.root;
        loop {
            match self.load(node)? {
                Node::Internal { bit: b, left, right } if crit.is_none_or(|c| (b as usize) < c) => {
                    let went_right = bit(key, b as usize);
                    path.push((b, if went_right { left } else { right }, went_right));
                    node = if went_right { right } else { left };
                }
                _ => break,
            }
        }
        let mut hash = match crit {
            None => leaf,
            Some(c) => {
                let c = u16::try_from(c).map_err(|_| CollectionError::KeyWidth { width: self.width })?;
                if bit(key, c as usize) { self.put_internal(c, node, leaf) } else { self.put_internal(c, leaf, node) }
            }
        };
        for (b, sibling, went_right) in path.into_iter().rev() {
            hash = if went_right { self.put_internal(b, sibling, hash) } else { self.put_internal(b, hash, sibling) };
        }
        self.root = hash;
        Ok(crit.is_none().then_some(previous))
    }

    /// Removes `key`; returns the value it held.
    pub fn remove(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, CollectionError> {
        self.check_key(key)?;
        if self.root.is_zero() {
            return Ok(None);
        }
        let mut path: Vec<(u16, Hash, bool)> = Vec::new();
        let mut node = self.root;
        let value = loop {
            match self.load(node)? {
                Node::Leaf { key: found, value } => {
                    if found != key {
                        return Ok(None);
                    }
                    break value;
                }
                Node::Internal { bit: b, left, right } => {
                    let went_right = bit(key, b as usize);
                    path.push((b, if went_right { left } else { right }, went_right));
                    node = if went_right { right } else { left };
                }
            }
        };
        // The leaf's parent gives way to the leaf's sibling; the rest of the path is rebuilt.
        let mut hash = match path.pop() {
            None => Hash::ZERO,
            Some((_, sibling, _)) => sibling,
        };
        for (b, sibling, went_right) in path.into_iter().rev() {
            hash = if went_right { self.put_internal(b, sibling, hash) } else { self.put_internal(b, hash, sibling) };
        }
        self.root = hash;
        Ok(Some(value))
    }

    /// The entry with the smallest key greater than `after` (the smallest of all, for `None`): a
    /// cursor's next step, in ascending key order.
    pub fn next_after(&mut self, after: Option<&[u8]>) -> Result<Option<Entry>, CollectionError> {
        if self.root.is_zero() {
            return Ok(None);
        }
        let Some(after) = after else { return self.leftmost(self.root).map(Some) };
        self.check_key(after)?;
        let (found, _) = self.best_match(after)?;
        let crit = crit_bit(&found, after);
        // Down `after`'s path while the nodes branch above the critical bit, remembering the nearest
        // right sibling passed on the way (every key there is greater than every key on the left).
        let mut greater: Option<Hash> = None;
        let mut node = self.root;
        loop {
            match self.load(node)? {
                Node::Internal { bit: b, left, right } if crit.is_none_or(|c| (b as usize) < c) => {
                    if bit(after, b as usize) {
                        node = right;
                    } else {
                        greater = Some(right);
                        node = left;
                    }
                }
                _ => break,
            }
        }
        // Every key under `node` shares `after`'s bits up to the critical bit and differs there.
        match crit {
            Some(c) if !bit(after, c) => self.leftmost(node).map(Some),
            _ => greater.map(|g| self.leftmost(g)).transpose(),
        }
    }

    /// The entry with the smallest key under `node`.
    fn leftmost(&mut self, mut node: Hash) -> Result<Entry, CollectionError> {
        loop {
            match self.load(node)? {
                Node::Leaf { key, value } => return Ok((key, value)),
                Node::Internal { left, .. } => node = left,
            }
        }
    }

    /// Adds the nodes reachable from the root that this view created to `batch`; returns the root.
    pub fn commit_into(mut self, batch: &mut WriteBatch) -> Hash {
        let mut stack = vec![self.root];
        while let Some(hash) = stack.pop() {
            let Some((bytes, node)) = self.pending.remove(&hash) else { continue };
            if let Node::Internal { left, right, .. } = node {
                stack.extend([left, right]);
            }
            batch.put(namespace::key(namespace::COLLECTION_NODE, hash.as_bytes()), bytes);
        }
        self.root
    }

    fn put_leaf(&mut self, key: &[u8], value: &[u8]) -> Hash {
        let mut bytes = Vec::with_capacity(2 + key.len() + value.len());
        bytes.push(LEAF_TAG);
        bytes.push(key.len() as u8);
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(value);
        self.put(bytes, Node::Leaf { key: key.to_vec(), value: value.to_vec() })
    }

    fn put_internal(&mut self, bit: u16, left: Hash, right: Hash) -> Hash {
        let mut bytes = Vec::with_capacity(67);
        bytes.push(NODE_TAG);
        bytes.extend_from_slice(&bit.to_be_bytes());
        bytes.extend_from_slice(left.as_bytes());
        bytes.extend_from_slice(right.as_bytes());
        self.put(bytes, Node::Internal { bit, left, right })
    }

    fn put(&mut self, bytes: Vec<u8>, node: Node) -> Hash {
        let hash = node_hash(&bytes);
        self.work.nodes_written += 1;
        self.work.bytes_hashed += bytes.len() as u64 - 1;
        self.pending.insert(hash, (bytes, node));
        hash
    }

    fn load(&mut self, hash: Hash) -> Result<Node, CollectionError> {
        self.work.nodes_read += 1;
        if let Some((_, node)) = self.pending.get(&hash) {
            return Ok(node.clone());
        }
        if let Some(node) = self.loaded.get(&hash) {
            return Ok(node.clone());
        }
        let node = load_stored(self.kv.as_ref(), hash, self.width)?;
        self.loaded.insert(hash, node.clone());
        Ok(node)
    }
}

/// Walks the stored tree under `root` (keys `width` bytes), reading and checking each node: `node` gets
/// each node's hash and answers whether it is new (a node already seen is not walked below); `leaf`
/// gets the key and value of each new leaf.
pub fn walk_tree(
    kv: &dyn KvStore,
    root: Hash,
    width: usize,
    node: &mut dyn FnMut(Hash) -> bool,
    leaf: &mut dyn FnMut(&[u8], &[u8]),
) -> Result<(), CollectionError> {
    let mut stack = if root.is_zero() { Vec::new() } else { vec![root] };
    while let Some(hash) = stack.pop() {
        if !node(hash) {
            continue;
        }
        match load_stored(kv, hash, width)? {
            Node::Leaf { key, value } => leaf(&key, &value),
            Node::Internal { left, right, .. } => stack.extend([right, left]),
        }
    }
    Ok(())
}

/// Every entry of the stored tree under `root` (keys `width` bytes), each node read and checked.
pub fn read_entries(kv: &dyn KvStore, root: Hash, width: usize) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, CollectionError> {
    let mut entries = BTreeMap::new();
    walk_tree(kv, root, width, &mut |_| true, &mut |key, value| {
        entries.insert(key.to_vec(), value.to_vec());
    })?;
    Ok(entries)
}

/// The stored node `hash` of a tree of `width`-byte keys, checked against its hash.
fn load_stored(kv: &dyn KvStore, hash: Hash, width: usize) -> Result<Node, CollectionError> {
    let bytes = kv
        .get(&namespace::key(namespace::COLLECTION_NODE, hash.as_bytes()))?
        .ok_or(CollectionError::MissingNode(hash))?;
    let node = decode(&bytes, width).ok_or(CollectionError::CorruptNode(hash))?;
    if node_hash(&bytes) != hash {
        return Err(CollectionError::CorruptNode(hash));
    }
    Ok(node)
}

/// The hash of a stored node (its tag selects the domain).
pub(crate) fn node_hash(bytes: &[u8]) -> Hash {
    match bytes.split_first() {
        Some((&LEAF_TAG, rest)) => blake3::keyed_hash(LEAF_KEY, rest).into(),
        Some((_, rest)) => blake3::keyed_hash(NODE_KEY, rest).into(),
        None => Hash::ZERO,
    }
}

/// A stored node of a tree of `width`-byte keys.
fn decode(bytes: &[u8], width: usize) -> Option<Node> {
    let (&tag, rest) = bytes.split_first()?;
    match tag {
        LEAF_TAG if rest.first().is_some_and(|&w| w as usize == width) && rest.len() > width => {
            Some(Node::Leaf { key: rest[1..=width].to_vec(), value: rest[1 + width..].to_vec() })
        }
        NODE_TAG if rest.len() == 66 => {
            let bit = u16::from_be_bytes([rest[0], rest[1]]);
            if bit as usize >= width * 8 {
                return None;
            }
            Some(Node::Internal { bit, left: Hash::from_slice(&rest[2..34])?, right: Hash::from_slice(&rest[34..])? })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::kv::MemKv;

    fn key(n: u32) -> [u8; 4] {
        n.to_be_bytes()
    }

    #[test]
    fn the_critical_bit_is_the_first_that_differs_most_significant_first() {
        assert_eq!(crit_bit(&[0b1000_0000], &[0]), Some(0));
        assert_eq!(crit_bit(&[0, 0b0000_0001], &[0, 0]), Some(15));
        assert_eq!(crit_bit(&[7, 7], &[7, 7]), None);
        assert!(bit(&[0b0100_0000], 1) && !bit(&[0b0100_0000], 0));
    }

    #[test]
    fn inserts_gets_removes_and_walks_in_key_order() {
        let kv: Arc<MemKv> = Arc::new(MemKv::new());
        let mut tree = CollectionTree::open(kv.clone(), Hash::ZERO, 4).unwrap();
        for n in [5u32, 1, 9, 3, 7, 1 << 20, 0] {
            assert_eq!(tree.insert(&key(n), &n.to_le_bytes()).unwrap(), None);
        }
        assert_eq!(tree.insert(&key(9), b"nine").unwrap(), Some(9u32.to_le_bytes().to_vec()));
        assert_eq!(tree.get(&key(9)).unwrap(), Some(b"nine".to_vec()));
        assert_eq!(tree.get(&key(4)).unwrap(), None);
        let mut walked = Vec::new();
        let mut cursor: Option<Vec<u8>> = None;
        while let Some((k, _)) = tree.next_after(cursor.as_deref()).unwrap() {
            walked.push(u32::from_be_bytes(k.clone().try_into().unwrap()));
            cursor = Some(k);
        }
        assert_eq!(walked, vec![0, 1, 3, 5, 7, 9, 1 << 20]);
        // A cursor between keys, and past the last.
        assert_eq!(tree.next_after(Some(&key(4))).unwrap().map(|(k, _)| k), Some(key(5).to_vec()));
        assert_eq!(tree.next_after(Some(&key(u32::MAX))).unwrap(), None);
        assert_eq!(tree.remove(&key(3)).unwrap(), Some(3u32.to_le_bytes().to_vec()));
        assert_eq!(tree.remove(&key(3)).unwrap(), None);
        assert_eq!(tree.next_after(Some(&key(1))).unwrap().map(|(k, _)| k), Some(key(5).to_vec()));
        assert!(matches!(tree.get(&[1, 2]), Err(CollectionError::KeyLength { expected: 4, found: 2 })));
    }

    #[test]
    fn committed_nodes_read_back_checked_and_a_damaged_one_is_refused() {
        let kv: Arc<MemKv> = Arc::new(MemKv::new());
        let mut tree = CollectionTree::open(kv.clone(), Hash::ZERO, 4).unwrap();
        for n in 0..50u32 {
            tree.insert(&key(n * 7), &[n as u8; 3]).unwrap();
        }
        for n in 0..20u32 {
            tree.remove(&key(n * 14)).unwrap();
        }
        let mut batch = WriteBatch::new();
        let root = tree.commit_into(&mut batch);
        // Only what the final root reaches: the 30 keys left, and one internal node fewer.
        let stored = batch.len();
        kv.write(batch).unwrap();
        assert_eq!(stored, 2 * 30 - 1);
        let mut reopened = CollectionTree::open(kv.clone(), root, 4).unwrap();
        assert_eq!(reopened.get(&key(7)).unwrap(), Some(vec![1; 3]));
        assert_eq!(reopened.get(&key(14)).unwrap(), None);

        let some_key = namespace::key(namespace::COLLECTION_NODE, root.as_bytes());
        let mut bytes = kv.get(&some_key).unwrap().unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let mut batch = WriteBatch::new();
        batch.put(some_key, bytes);
        kv.write(batch).unwrap();
        let mut damaged = CollectionTree::open(kv.clone(), root, 4).unwrap();
        assert_eq!(damaged.get(&key(7)), Err(CollectionError::CorruptNode(root)));
        let mut unknown = CollectionTree::open(kv.clone(), Hash([3; 32]), 4).unwrap();
        assert_eq!(unknown.get(&key(7)), Err(CollectionError::MissingNode(Hash([3; 32]))));
    }
}
