//! The runtime's caches of content-addressed data: pages, trie nodes, code and contract metadata, each checked
//! against its hash once and then trusted. Hits and misses give identical results, so nodes with
//! different cache histories still agree.

use super::RuntimeError;
use crate::Hash;
use crate::contract_meta::ContractMeta;
use crate::state::{TrieNodeCache, load_code, load_meta};
use crate::storage::content_cache::ContentCache;
use crate::storage::kv::KvStore;
use crate::storage::pages::Page;
use std::sync::Arc;

/// Verified pages kept across executions (8 MiB).
const PAGES: usize = 2048;
/// Checked account-trie nodes.
const TRIE_NODES: usize = 1 << 16;
/// Contract binaries.
const CODE: usize = 256;
/// Contract metadata.
const METAS: usize = 1024;

/// One runtime's caches.
pub struct Caches {
    /// Pages known to match their hash.
    pub pages: Arc<ContentCache<Page>>,
    /// Account-trie nodes known to match their hash.
    pub trie: Arc<TrieNodeCache>,
    code: ContentCache<Vec<u8>>,
    metas: ContentCache<ContractMeta>,
}

impl Default for Caches {
    fn default() -> Caches {
        Caches {
            pages: Arc::new(ContentCache::new(PAGES)),
            trie: Arc::new(ContentCache::new(TRIE_NODES)),
            code: ContentCache::new(CODE),
            metas: ContentCache::new(METAS),
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

    /// The contract metadata stored under `hash`.
    pub fn meta(&self, kv: &dyn KvStore, hash: Hash) -> Result<Arc<ContractMeta>, RuntimeError> {
        if let Some(meta) = self.metas.get(&hash) {
            return Ok(meta);
        }
        let meta = Arc::new(load_meta(kv, hash)?);
        self.metas.insert(hash, meta.clone());
        Ok(meta)
    }
}
