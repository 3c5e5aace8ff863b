//! The runtime's caches of content-addressed data: pages, trie nodes, code and contract metadata, each checked
//! against its hash once and then trusted. Hits and misses give identical results, so nodes with
//! different cache histories still agree.

use super::RuntimeError;
use crate::Hash;
use crate::contract_meta::ContractMeta;
use crate::state::{TrieNodeCache, code_hash as code_hash_of, load_code, load_meta};
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
    linked: ContentCache<LinkedCode>,
}

/// A contract linked with its libraries, and the hash of the linked module (what the module cache is keyed by).
pub struct LinkedCode {
    /// blake3 of `code`.
    pub hash: Hash,
    /// The linked module.
    pub code: Arc<Vec<u8>>,
}

impl Default for Caches {
    fn default() -> Caches {
        Caches {
            pages: Arc::new(ContentCache::new(PAGES)),
            trie: Arc::new(ContentCache::new(TRIE_NODES)),
            code: ContentCache::new(CODE),
            metas: ContentCache::new(METAS),
            linked: ContentCache::new(CODE),
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

    /// The module a contract runs as: its own code when it links no library, else its code linked with
    /// `libraries` (its metadata's), by link identity.
    pub fn executable(
        &self,
        kv: &dyn KvStore,
        code_hash: Hash,
        libraries: &[Hash],
    ) -> Result<Arc<LinkedCode>, RuntimeError> {
        if libraries.is_empty() {
            return Ok(Arc::new(LinkedCode { hash: code_hash, code: self.code(kv, code_hash)? }));
        }
        let mut identity = blake3::Hasher::new();
        identity.update(b"svm-linked");
        identity.update(code_hash.as_bytes());
        libraries.iter().for_each(|library| {
            identity.update(library.as_bytes());
        });
        let identity: Hash = identity.finalize().into();
        if let Some(linked) = self.linked.get(&identity) {
            return Ok(linked);
        }
        let contract = self.code(kv, code_hash)?;
        let relinked = super::libraries::LibraryLoader::stored(kv, self).link(&contract)?;
        let linked = relinked.map_err(|e| RuntimeError::Engine(format!("a deployed contract no longer links: {e}")))?;
        if linked.libraries != libraries {
            return Err(RuntimeError::Engine(format!(
                "contract {code_hash} links {:?}; its metadata says {libraries:?}",
                linked.libraries
            )));
        }
        let linked = Arc::new(LinkedCode { hash: code_hash_of(&linked.code), code: Arc::new(linked.code.to_vec()) });
        self.linked.insert(identity, linked.clone());
        Ok(linked)
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
