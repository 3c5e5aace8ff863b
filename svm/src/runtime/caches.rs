//! The runtime's caches of content-addressed data: pages, trie nodes, code and contract metadata, each checked
//! against its hash once and then trusted. Hits and misses give identical results, so nodes with
//! different cache histories still agree.

use super::RuntimeError;
use super::config::RuntimeConfig;
use crate::Hash;
use crate::contract_meta::ContractMeta;
use crate::module_cache::ModuleKey;
use crate::state::{TrieNodeCache, code_hash as code_hash_of, load_code, load_meta};
use crate::storage::content_cache::ContentCache;
use crate::storage::kv::KvStore;
use crate::storage::pages::Page;
use std::sync::{Arc, OnceLock};

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
    /// Modules contracts run as, by link identity (the code hash itself for a contract that links no library).
    linked: ContentCache<LinkedCode>,
}

/// A contract linked with its libraries, and the hash of the linked module (what the module cache is keyed by).
pub struct LinkedCode {
    /// blake3 of `code`.
    pub hash: Hash,
    /// The linked module.
    pub code: Arc<Vec<u8>>,
    /// Its module-cache key under this runtime's compiler and limits, once asked for.
    key: OnceLock<ModuleKey>,
}

impl LinkedCode {
    fn new(hash: Hash, code: Arc<Vec<u8>>) -> LinkedCode {
        LinkedCode { hash, code, key: OnceLock::new() }
    }

    /// The module-cache key of this module under `config` (a runtime's configuration never changes, and
    /// these caches belong to one runtime).
    pub fn module_key(&self, config: &RuntimeConfig) -> ModuleKey {
        *self.key.get_or_init(|| ModuleKey::new(&self.hash, config.compiler, &config.limits))
    }
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
        let identity = link_identity(code_hash, libraries);
        if let Some(linked) = self.linked.get(&identity) {
            return Ok(linked);
        }
        if libraries.is_empty() {
            let own = Arc::new(LinkedCode::new(code_hash, self.code(kv, code_hash)?));
            self.linked.insert(identity, own.clone());
            return Ok(own);
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
        let linked = Arc::new(LinkedCode::new(code_hash_of(&linked.code), Arc::new(linked.code.to_vec())));
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

/// What a contract runs as, named: its code hash when it links no library, else a hash of its code hash and
/// its libraries' (a contract's own code hash and a linked identity never coincide but by a blake3 collision).
fn link_identity(code_hash: Hash, libraries: &[Hash]) -> Hash {
    if libraries.is_empty() {
        return code_hash;
    }
    let mut identity = blake3::Hasher::new();
    identity.update(b"svm-linked");
    identity.update(code_hash.as_bytes());
    for library in libraries {
        identity.update(library.as_bytes());
    }
    identity.finalize().into()
}
