//! The Merkle tree over a contract's page hashes; its root is the contract state.
//!
//! The tree is binary, of depth `ceil(log2(page_count))`, with missing leaves counted as zero pages.
//! A node whose children are both zero is zero, so a fresh contract's root is all zeros, and the
//! root is a function of the contents alone (history independence).
//!
//! Storage groups the tree into chunks of [`CHUNK_HEIGHT`] levels: a chunk is stored under the hash of
//! its top node and holds every node below that top inside the chunk, level by level (at most 30
//! hashes). Every earlier
//! root therefore stays loadable (content addressing), a path costs one kv read per chunk rather than
//! per level, and a zero chunk is never stored. Nodes read from a chunk are trusted only once their
//! parent's hash has been checked against them, on the way down. Only the paths to touched leaves are
//! loaded or rehashed, so a commit costs `O(dirty pages × depth)` whatever the contract's size.

use super::{MAX_PAGES, PageIndex, PagesError, node_hash};
use crate::Hash;
use crate::storage::kv::{KvStore, WriteBatch, namespace};
use std::collections::BTreeMap;

/// Levels of the binary tree stored together in one kv entry.
pub const CHUNK_HEIGHT: u32 = 4;

/// A node's place: (level above the leaves, index within the level).
type Position = (u32, u32);

/// The nodes of one contract's page tree that this execution has loaded or changed.
#[derive(Debug, Clone)]
pub struct PageTree {
    page_count: u32,
    depth: u32,
    root: Hash,
    /// Chunks read or created so far, by the position of their top node. An execution touches few, so
    /// an ordered map beats hashing here.
    chunks: BTreeMap<Position, Chunk>,
}

/// The nodes below one chunk top, in storage order, and which of them have been checked.
#[derive(Debug, Clone)]
struct Chunk {
    nodes: Vec<Hash>,
    /// Bit `i` is set once `nodes[i]` has been checked against its parent's hash (or computed here).
    checked: u32,
}

impl PageTree {
    /// The tree of a contract with `page_count` pages whose root is `root`.
    pub fn open(page_count: u32, root: Hash) -> Result<PageTree, PagesError> {
        if page_count > MAX_PAGES {
            return Err(PagesError::TooManyPages { page_count, max: MAX_PAGES });
        }
        let depth = u32::BITS - page_count.saturating_sub(1).leading_zeros();
        Ok(PageTree { page_count, depth, root, chunks: BTreeMap::new() })
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// The number of leaves that are real pages.
    pub fn page_count(&self) -> u32 {
        self.page_count
    }

    /// The number of levels above the leaves.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// The page hash of leaf `index`, loading and checking the nodes on its path not yet checked.
    pub fn leaf(&mut self, kv: &dyn KvStore, index: PageIndex) -> Result<Hash, PagesError> {
        if index >= self.page_count {
            return Err(PagesError::PageOutOfRange { index, page_count: self.page_count });
        }
        let mut hash = self.root;
        let mut level = self.depth;
        while level > 0 {
            let top = (level, index >> level);
            let height = self.chunk_height(level);
            let chunk = match self.chunks.entry(top) {
                std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::btree_map::Entry::Vacant(entry) => entry.insert(Chunk::load(kv, hash, height)?),
            };
            for down in 1..=height {
                let at = slot(top, (level - down, index >> (level - down)));
                let (left, right) = (at & !1, at | 1);
                if chunk.checked & (1 << at) == 0 {
                    if node_hash(&chunk.nodes[left], &chunk.nodes[right]) != hash {
                        return Err(PagesError::CorruptNode(hash));
                    }
                    chunk.checked |= (1 << left) | (1 << right);
                }
                hash = chunk.nodes[at];
            }
            level -= height;
        }
        Ok(hash)
    }

    /// Replaces the given leaves, stores every changed non-zero chunk in `batch`, and returns the new
    /// root.
    pub fn update(
        &mut self,
        kv: &dyn KvStore,
        leaves: &BTreeMap<PageIndex, Hash>,
        batch: &mut WriteBatch,
    ) -> Result<Hash, PagesError> {
        // Loading each changed leaf's path checks every sibling needed below.
        for &index in leaves.keys() {
            self.leaf(kv, index)?;
        }
        for (&index, &hash) in leaves {
            self.set((0, index), hash)?;
        }
        // Sorted and distinct, level after level, since halving keeps the order.
        let mut changed: Vec<u32> = leaves.keys().copied().collect();
        for level in 1..=self.depth {
            let mut parents: Vec<u32> = changed.iter().map(|i| i >> 1).collect();
            parents.dedup();
            for &parent in &parents {
                let hash = node_hash(&self.get((level - 1, parent * 2))?, &self.get((level - 1, parent * 2 + 1))?);
                self.set((level, parent), hash)?;
                if self.is_chunk_top(level) {
                    self.store_chunk((level, parent), hash, batch)?;
                }
            }
            changed = parents;
        }
        Ok(self.root)
    }

    /// Walks every kv entry the root reaches, for garbage collection and sync: `visit` gets the key of
    /// each stored chunk (checked against the hash naming it) and of each non-zero page (with the page's
    /// index), and returns whether the entry is new to it; the walk does not descend below a chunk it
    /// has seen (its subtree was seen with it). Reads nothing the tree has loaded or changed: only what
    /// the kv store holds. Pages themselves are never read.
    pub(crate) fn walk_stored(
        &self,
        kv: &dyn KvStore,
        visit: &mut dyn FnMut(Vec<u8>, Option<PageIndex>) -> bool,
    ) -> Result<(), PagesError> {
        if self.depth == 0 {
            // One page (or none): the root is the page hash itself.
            if !self.root.is_zero() {
                visit(namespace::key(namespace::PAGE, self.root.as_bytes()), Some(0));
            }
            return Ok(());
        }
        let mut stack = vec![((self.depth, 0), self.root)];
        while let Some((top, hash)) = stack.pop() {
            if hash.is_zero() || !visit(namespace::key(namespace::PAGE_TREE_NODE, hash.as_bytes()), None) {
                continue;
            }
            let height = self.chunk_height(top.0);
            let chunk = Chunk::load(kv, hash, height)?;
            chunk.check_all(top, height, hash)?;
            let bottom = top.0 - height;
            for i in 0..1 << height {
                let at = (bottom, (top.1 << height) + i);
                let node = chunk.nodes[slot(top, at)];
                if node.is_zero() {
                    continue;
                }
                if bottom == 0 {
                    visit(namespace::key(namespace::PAGE, node.as_bytes()), Some(at.1));
                } else {
                    stack.push((at, node));
                }
            }
        }
        Ok(())
    }

    /// Whether nodes at `level` are the tops of stored chunks.
    fn is_chunk_top(&self, level: u32) -> bool {
        level == self.depth || (level > 0 && level.is_multiple_of(CHUNK_HEIGHT))
    }

    /// The number of levels below a chunk top at `level` that the chunk holds.
    fn chunk_height(&self, level: u32) -> u32 {
        level - (level - 1) / CHUNK_HEIGHT * CHUNK_HEIGHT
    }

    /// The top of the chunk holding the node at `at` (which is below the root).
    fn chunk_top(&self, at: Position) -> Position {
        let level = (at.0 / CHUNK_HEIGHT + 1).saturating_mul(CHUNK_HEIGHT).min(self.depth);
        (level, at.1 >> (level - at.0))
    }

    fn get(&self, at: Position) -> Result<Hash, PagesError> {
        let top = self.chunk_top(at);
        // Every node on or beside a loaded path sits in a loaded chunk; a miss would be a bug in this
        // file, reported as a corrupt root rather than a panic.
        let chunk = self.chunks.get(&top).ok_or(PagesError::CorruptNode(self.root))?;
        Ok(chunk.nodes[slot(top, at)])
    }

    fn set(&mut self, at: Position, hash: Hash) -> Result<(), PagesError> {
        if at.0 == self.depth {
            self.root = hash;
            return Ok(());
        }
        let top = self.chunk_top(at);
        let chunk = self.chunks.get_mut(&top).ok_or(PagesError::CorruptNode(self.root))?;
        let slot = slot(top, at);
        chunk.nodes[slot] = hash;
        chunk.checked |= 1 << slot;
        Ok(())
    }

    /// Adds the chunk whose top is `top`, of hash `hash`, to `batch`, unless it is all zeros.
    fn store_chunk(&self, top: Position, hash: Hash, batch: &mut WriteBatch) -> Result<(), PagesError> {
        if hash.is_zero() {
            return Ok(());
        }
        let chunk = self.chunks.get(&top).ok_or(PagesError::CorruptNode(self.root))?;
        let bytes: Vec<u8> = chunk.nodes.iter().flat_map(|node| node.0).collect();
        batch.put(namespace::key(namespace::PAGE_TREE_NODE, hash.as_bytes()), bytes);
        Ok(())
    }
}

impl Chunk {
    /// The chunk of `height` levels stored under `hash`; all zeros, without a read, when `hash` is zero.
    fn load(kv: &dyn KvStore, hash: Hash, height: u32) -> Result<Chunk, PagesError> {
        let len = (2usize << height) - 2;
        if hash.is_zero() {
            return Ok(Chunk { nodes: vec![Hash::ZERO; len], checked: u32::MAX });
        }
        let bytes = kv
            .get(&namespace::key(namespace::PAGE_TREE_NODE, hash.as_bytes()))?
            .ok_or(PagesError::MissingNode(hash))?;
        if bytes.len() != len * 32 {
            return Err(PagesError::CorruptNode(hash));
        }
        let nodes = bytes.chunks_exact(32).filter_map(Hash::from_slice).collect();
        Ok(Chunk { nodes, checked: 0 })
    }

    /// Checks every node of this chunk of `height` levels below `top` against its parent, and the
    /// nodes just below the top against `hash`, the top's own hash.
    fn check_all(&self, top: Position, height: u32, hash: Hash) -> Result<(), PagesError> {
        for down in 0..height {
            for i in 0..1 << down {
                let at = (top.0 - down, (top.1 << down) + i);
                let parent = if down == 0 { hash } else { self.nodes[slot(top, at)] };
                let left = self.nodes[slot(top, (at.0 - 1, at.1 * 2))];
                let right = self.nodes[slot(top, (at.0 - 1, at.1 * 2 + 1))];
                if node_hash(&left, &right) != parent {
                    return Err(PagesError::CorruptNode(hash));
                }
            }
        }
        Ok(())
    }
}

/// Where the node at `at` is stored inside the chunk whose top is `top`: level by level from just
/// below the top, left to right.
fn slot(top: Position, at: Position) -> usize {
    let down = top.0 - at.0;
    ((1usize << down) - 2) + (at.1 - (top.1 << down)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::kv::MemKv;

    fn leaf(byte: u8) -> Hash {
        Hash([byte; 32])
    }

    #[test]
    fn depth_is_ceil_log2_of_page_count() {
        let depths: Vec<u32> =
            [0, 1, 2, 3, 4, 5, 10, 100_000].iter().map(|&n| PageTree::open(n, Hash::ZERO).unwrap().depth()).collect();
        assert_eq!(depths, vec![0, 0, 1, 2, 2, 3, 4, 17]);
    }

    #[test]
    fn too_many_pages_is_an_error() {
        assert_eq!(
            PageTree::open(MAX_PAGES + 1, Hash::ZERO).unwrap_err(),
            PagesError::TooManyPages { page_count: MAX_PAGES + 1, max: MAX_PAGES }
        );
    }

    #[test]
    fn updated_root_matches_a_full_recomputation_and_reloads_from_kv() {
        let kv = MemKv::new();
        let mut tree = PageTree::open(5, Hash::ZERO).unwrap();
        let mut batch = WriteBatch::new();
        let leaves = BTreeMap::from([(1, leaf(1)), (4, leaf(4))]);
        let root = tree.update(&kv, &leaves, &mut batch).unwrap();
        kv.write(batch).unwrap();

        let z = Hash::ZERO;
        let expected = node_hash(
            &node_hash(&node_hash(&z, &leaf(1)), &node_hash(&z, &z)),
            &node_hash(&node_hash(&leaf(4), &z), &node_hash(&z, &z)),
        );
        assert_eq!(root, expected);

        let mut reopened = PageTree::open(5, root).unwrap();
        let read: Vec<Hash> = (0..5).map(|i| reopened.leaf(&kv, i).unwrap()).collect();
        assert_eq!(read, vec![z, leaf(1), z, z, leaf(4)]);
        assert_eq!(reopened.leaf(&kv, 5), Err(PagesError::PageOutOfRange { index: 5, page_count: 5 }));
    }

    #[test]
    fn single_page_tree_root_is_the_page_hash() {
        let kv = MemKv::new();
        let mut tree = PageTree::open(1, Hash::ZERO).unwrap();
        let root = tree.update(&kv, &BTreeMap::from([(0, leaf(9))]), &mut WriteBatch::new()).unwrap();
        assert_eq!(root, leaf(9));
    }

    #[test]
    fn missing_and_corrupt_nodes_are_typed_errors() {
        let kv = MemKv::new();
        let unknown = Hash([0xEE; 32]);
        let mut tree = PageTree::open(4, unknown).unwrap();
        assert_eq!(tree.leaf(&kv, 0), Err(PagesError::MissingNode(unknown)));

        // Wrong length for a chunk of height 2 (six hashes), then the right length with wrong contents.
        for len in [64, 6 * 32] {
            let mut batch = WriteBatch::new();
            batch.put(namespace::key(namespace::PAGE_TREE_NODE, unknown.as_bytes()), vec![1u8; len]);
            kv.write(batch).unwrap();
            let mut tree = PageTree::open(4, unknown).unwrap();
            assert_eq!(tree.leaf(&kv, 0), Err(PagesError::CorruptNode(unknown)));
        }
    }

    #[test]
    fn a_corrupt_node_deep_inside_a_chunk_is_caught_on_the_way_down() {
        let kv = MemKv::new();
        let mut tree = PageTree::open(16, Hash::ZERO).unwrap();
        let mut batch = WriteBatch::new();
        let root = tree.update(&kv, &BTreeMap::from([(5, leaf(5)), (9, leaf(9))]), &mut batch).unwrap();
        let (key, mut chunk) = batch.into_ops().find(|(k, _)| k[0] == namespace::PAGE_TREE_NODE).unwrap();
        let chunk = chunk.as_mut().unwrap();
        // The last 16 hashes are the leaves; flip a byte of leaf 5.
        let at = chunk.len() - 16 * 32 + 5 * 32;
        chunk[at] ^= 1;
        let mut batch = WriteBatch::new();
        batch.put(key, chunk.clone());
        kv.write(batch).unwrap();
        let mut reopened = PageTree::open(16, root).unwrap();
        assert_eq!(reopened.leaf(&kv, 9), Ok(leaf(9)));
        assert!(matches!(reopened.leaf(&kv, 5), Err(PagesError::CorruptNode(_))));
    }

    #[test]
    fn a_walk_reaches_every_stored_chunk_and_non_zero_page_once() {
        // 300 pages: depth 9, chunks of heights 1, 4 and 4.
        let kv = MemKv::new();
        let mut tree = PageTree::open(300, Hash::ZERO).unwrap();
        let mut batch = WriteBatch::new();
        let leaves: BTreeMap<u32, Hash> = (0..300).step_by(7).map(|i| (i, leaf(i as u8 | 1))).collect();
        let root = tree.update(&kv, &leaves, &mut batch).unwrap();
        let chunks: Vec<Vec<u8>> = batch.iter().map(|(k, _)| k.to_vec()).collect();
        kv.write(batch).unwrap();

        let mut seen = std::collections::BTreeSet::new();
        PageTree::open(300, root).unwrap().walk_stored(&kv, &mut |key, _| seen.insert(key)).unwrap();
        let mut expected: std::collections::BTreeSet<Vec<u8>> = chunks.into_iter().collect();
        expected.extend(leaves.values().map(|h| namespace::key(namespace::PAGE, h.as_bytes())));
        assert_eq!(seen, expected);

        // A visitor that has seen the top chunk is not taken below it.
        let mut visits = 0;
        PageTree::open(300, root)
            .unwrap()
            .walk_stored(&kv, &mut |_, _| {
                visits += 1;
                false
            })
            .unwrap();
        assert_eq!(visits, 1);

        // A single-page tree's root is its page.
        let mut one = Vec::new();
        PageTree::open(1, leaf(3))
            .unwrap()
            .walk_stored(&kv, &mut |key, index| {
                one.push((key, index));
                true
            })
            .unwrap();
        assert_eq!(one, vec![(namespace::key(namespace::PAGE, leaf(3).as_bytes()), Some(0))]);
    }

    #[test]
    fn a_walk_checks_every_node_of_every_chunk() {
        let kv = MemKv::new();
        let mut tree = PageTree::open(16, Hash::ZERO).unwrap();
        let mut batch = WriteBatch::new();
        let root = tree.update(&kv, &BTreeMap::from([(5, leaf(5))]), &mut batch).unwrap();
        let (key, chunk) = batch.into_ops().next().unwrap();
        let mut chunk = chunk.unwrap();
        // Flip a byte of leaf 12, a zero leaf no path to page 5 ever checks.
        let at = chunk.len() - 16 * 32 + 12 * 32;
        chunk[at] ^= 1;
        let mut batch = WriteBatch::new();
        batch.put(key, chunk);
        kv.write(batch).unwrap();
        let walk = PageTree::open(16, root).unwrap().walk_stored(&kv, &mut |_, _| true);
        assert_eq!(walk, Err(PagesError::CorruptNode(root)));
        let missing = PageTree::open(16, leaf(9)).unwrap().walk_stored(&kv, &mut |_, _| true);
        assert_eq!(missing, Err(PagesError::MissingNode(leaf(9))));
    }

    #[test]
    fn paths_cost_one_stored_chunk_per_four_levels() {
        // 300 pages: depth 9, chunk tops at levels 9, 8 and 4.
        let kv = MemKv::new();
        let mut tree = PageTree::open(300, Hash::ZERO).unwrap();
        let mut batch = WriteBatch::new();
        let leaves: BTreeMap<u32, Hash> = (0..300).step_by(7).map(|i| (i, leaf(i as u8 | 1))).collect();
        let root = tree.update(&kv, &leaves, &mut batch).unwrap();
        kv.write(batch).unwrap();

        let mut reopened = PageTree::open(300, root).unwrap();
        for index in 0..300 {
            let expected = leaves.get(&index).copied().unwrap_or_default();
            assert_eq!(reopened.leaf(&kv, index).unwrap(), expected, "leaf {index}");
        }

        let mut one = PageTree::open(300, root).unwrap();
        let mut batch = WriteBatch::new();
        one.update(&kv, &BTreeMap::from([(3, leaf(0xF0))]), &mut batch).unwrap();
        assert_eq!(batch.len(), 3);
    }
}
