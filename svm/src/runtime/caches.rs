//! The runtime's caches of content-addressed data: pages, trie nodes, code and layouts, each checked
//! against its hash once and then trusted. Hits and misses give identical results, so nodes with
//! different cache histories still agree.

use super::RuntimeError;
use crate::Hash;
use crate::state::{TrieNodeCache, load_code, load_layout};
use crate::storage::content_cache::ContentCache;
use crate::storage::kv::KvStore;
use crate::storage::page_slices::StorageLayout;
use crate::storage::pages::Page;
use std::sync::Arc;

/// Verified pages kept across executions (8 MiB).
const PAGES: usize = 2048;
/// Checked account-trie nodes.
const TRIE_NODES: usize = 1 << 16;
/// Contract binaries.
const CODE: usize = 256;
/// Storage layouts.
const LAYOUTS: usize = 1024;

/// One runtime's caches.
pub struct Caches {
    /// Pages known to match their hash.
    pub pages: Arc<ContentCache<Page>>,
    /// Account-trie nodes known to match their hash.
    pub trie: Arc<TrieNodeCache>,
    code: ContentCache<Vec<u8>>,
    layouts: ContentCache<StorageLayout>,
}

impl Default for Caches {
    fn default() -> Caches {
        Caches {
            pages: Arc::new(ContentCache::new(PAGES)),
            trie: Arc::new(ContentCache::new(TRIE_NODES)),
            code: ContentCache::new(CODE),
            layouts: ContentCache::new(LAYOUTS),
        }
    }
}

impl Caches {
    /// The code stored under `hash`.
    pub fn code(&self, kv: &dyn KvStore, hash: Hash) -> Result<Arc<Vec<u8>>, RuntimeError> {
        if let Some(code) = self.code.get(&hash) {
            return Ok(code);
        }
        let code = Arc::new(load_code(kv, hash)?);
        self.code.insert(hash, code.clone());
        Ok(code)
    }

    /// The layout stored under `hash`.
    pub fn layout(&self, kv: &dyn KvStore, hash: Hash) -> Result<Arc<StorageLayout>, RuntimeError> {
        if let Some(layout) = self.layouts.get(&hash) {
            return Ok(layout);
        }
        let layout = Arc::new(load_layout(kv, hash)?);
        self.layouts.insert(hash, layout.clone());
        Ok(layout)
    }
}
