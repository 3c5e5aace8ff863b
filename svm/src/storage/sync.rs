//! Sync from a snapshot: a store takes one committed layer's state from another store — exactly the
//! content entries the layer's root reaches ([`super::reach`]) and the layer's index entry — checking
//! every entry against the hash that names it, so that a source can serve nothing but that state.
//!
//! **Atomic.** Content goes to the target in batches of [`SYNC_BATCH`] entries; the head and the
//! layer's index entry go last, in one batch, after every content entry is stored, and then the
//! target is synced. Content is named by hash, so entries without a head are only unreachable garbage:
//! a crash or an error at any point leaves the target without a head naming a half-copied state (and
//! a second sync finishes the job). A target that already has a head is refused: sync never
//! overwrites a node's own state.

use super::head::{Head, HeadError, put_head, read_head, retained_layer};
use super::kv::{KvError, KvStore, WriteBatch, namespace};
use super::pages::{Page, page_hash};
use super::reach::{Reached, WalkError, walk_reachable};
use crate::Hash;
use crate::state::{StateError, StateRoot, code_hash};
use std::collections::HashSet;
use std::sync::Mutex;
use thiserror::Error;

/// Content entries per write to the target.
pub const SYNC_BATCH: usize = 4096;

/// What a sync copied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    /// Content entries copied (each checked against its hash).
    pub entries: u64,
    /// Bytes of their values.
    pub bytes: u64,
}

/// Why a sync stopped (the target then has no head: nothing it holds names a partial state).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SyncError {
    /// Reading the source failed.
    #[error("source store: {0}")]
    Source(KvError),
    /// Writing the target failed.
    #[error("target store: {0}")]
    Target(KvError),
    /// The source's layer index does not hold the layer (or is damaged).
    #[error("source store: {0}")]
    SourceLayer(HeadError),
    /// The target's head could not be read.
    #[error("target store: {0}")]
    TargetHead(HeadError),
    /// The target already stands at a state of its own.
    #[error("the target store already has a head (layer {}, root {}): sync only fills a new store", .0.layer, .0.root)]
    TargetHasHead(Head),
    /// The layer's root is not the one the caller expected.
    #[error("the source's layer {layer} ended at root {found}, not {expected}")]
    WrongRoot {
        /// The layer.
        layer: u64,
        /// The root the caller named.
        expected: StateRoot,
        /// The root the source's index names.
        found: StateRoot,
    },
    /// The source does not hold the root's own trie node.
    #[error("the source does not hold root {0}")]
    RootNotInSource(StateRoot),
    /// An entry the root reaches is missing from the source.
    #[error("the source lacks entry '{}' {id}, which root {root} reaches", *namespace as char)]
    Missing {
        /// The root synced.
        root: StateRoot,
        /// The entry's namespace byte.
        namespace: u8,
        /// The hash naming it.
        id: Hash,
    },
    /// An entry the source holds does not hash to its key (tampered with or damaged).
    #[error("the source's entry '{}' {id} does not match its hash", *namespace as char)]
    Tampered {
        /// The entry's namespace byte.
        namespace: u8,
        /// The hash naming it.
        id: Hash,
    },
}

/// A read of the source: passed through, and kept to be copied once the walk has checked it.
struct RecordingSource<'a> {
    source: &'a dyn KvStore,
    read: Mutex<Vec<(Vec<u8>, Vec<u8>)>>,
}

impl KvStore for RecordingSource<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        let value = self.source.get(key)?;
        if let Some(value) = &value {
            self.read.lock().map_err(|_| KvError::Poisoned)?.push((key.to_vec(), value.clone()));
        }
        Ok(value)
    }

    fn write(&self, _: WriteBatch) -> Result<(), KvError> {
        Err(KvError::Backend("a sync never writes its source".into()))
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        self.source.keys_with_prefix(prefix)
    }
}

/// Copies the state layer `layer` of `source` ended at into the new store `target`, then records it as
/// `target`'s head (and indexes the layer). With `expected`, the layer must have ended at that root.
pub fn sync_layer(
    source: &dyn KvStore,
    target: &dyn KvStore,
    layer: u64,
    expected: Option<StateRoot>,
) -> Result<(Head, SyncStats), SyncError> {
    sync_layer_with(source, target, layer, expected, SyncOptions::default())
}

/// [`sync_layer`], run with `options`.
pub fn sync_layer_with(
    source: &dyn KvStore,
    target: &dyn KvStore,
    layer: u64,
    expected: Option<StateRoot>,
    options: SyncOptions,
) -> Result<(Head, SyncStats), SyncError> {
    let head = retained_layer(source, layer).map_err(SyncError::from_source)?;
    if let Some(expected) = expected.filter(|r| *r != head.root) {
        return Err(SyncError::WrongRoot { layer, expected, found: head.root });
    }
    let stats = sync_head(source, target, &head, options)?;
    Ok((head, stats))
}

/// How a sync runs.
#[derive(Clone, Copy, Debug)]
pub struct SyncOptions {
    /// Content entries per write to the target (at least one).
    pub batch: usize,
    /// A planted fault for the simulator's `sync-skips-code` canary: copy no contract code (never set
    /// on a real node).
    pub skip_code: bool,
}

impl Default for SyncOptions {
    fn default() -> SyncOptions {
        SyncOptions { batch: SYNC_BATCH, skip_code: false }
    }
}

/// Copies the state under `head.root` from `source` into the new store `target`, then records `head`
/// as its head with the layer indexed.
pub fn sync_head(
    source: &dyn KvStore,
    target: &dyn KvStore,
    head: &Head,
    options: SyncOptions,
) -> Result<SyncStats, SyncError> {
    match read_head(target) {
        Ok(None) => {}
        Ok(Some(existing)) => return Err(SyncError::TargetHasHead(existing)),
        Err(HeadError::Kv(e)) => return Err(SyncError::Target(e)),
        Err(e) => return Err(SyncError::TargetHead(e)),
    }
    let root = head.root;
    let recording = RecordingSource { source, read: Mutex::new(Vec::new()) };
    let mut stats = SyncStats::default();
    let mut pending = WriteBatch::new();
    let mut failure: Option<SyncError> = None;
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut added: HashSet<Vec<u8>> = HashSet::new();
    let walked = walk_reachable(&recording, &[root], &mut |reached| {
        if failure.is_some() || !seen.insert(reached.key()) {
            return false;
        }
        // Entries the walk read (and checked) since the last visit.
        if let Ok(mut read) = recording.read.lock() {
            for (key, value) in read.drain(..) {
                add(&mut stats, &mut pending, &mut added, key, value);
            }
        }
        // Entries the walk does not read: read here, and checked against what names them.
        let copied = match &reached {
            Reached::Code(hash) if !options.skip_code => {
                Some(copy_checked(source, root, &reached, |code| code_hash(code) == *hash))
            }
            Reached::Page { hash, address, index } => Some(copy_checked(source, root, &reached, |bytes| {
                Page::from_slice(bytes).is_some_and(|p| page_hash(address, *index, &p) == *hash)
            })),
            _ => None,
        };
        match copied {
            Some(Ok(value)) => add(&mut stats, &mut pending, &mut added, reached.key(), value),
            Some(Err(e)) => failure = Some(e),
            None => {}
        }
        if pending.len() >= options.batch.max(1)
            && let Err(e) = target.write(std::mem::take(&mut pending))
        {
            failure = Some(SyncError::Target(e));
        }
        true
    });
    if let Some(failure) = failure {
        return Err(failure);
    }
    walked.map_err(|e| walk_error(e, root, source))?;
    for (key, value) in recording.read.lock().map_err(|_| SyncError::Source(KvError::Poisoned))?.drain(..) {
        add(&mut stats, &mut pending, &mut added, key, value);
    }
    // The head and the layer's index entry go with the last content, or after it: never before.
    put_head(&mut pending, head, true);
    target.write(pending).map_err(SyncError::Target)?;
    target.sync().map_err(SyncError::Target)?;
    Ok(stats)
}

impl SyncError {
    /// A failure to read the source's head or layer index.
    pub fn from_source(e: HeadError) -> SyncError {
        match e {
            HeadError::Kv(kv) => SyncError::Source(kv),
            other => SyncError::SourceLayer(other),
        }
    }
}

/// Adds one copied entry to the pending batch and to the figures, once (a page holding a collection
/// slot is both read by the walk and copied as a page).
fn add(stats: &mut SyncStats, pending: &mut WriteBatch, added: &mut HashSet<Vec<u8>>, key: Vec<u8>, value: Vec<u8>) {
    if !added.insert(key.clone()) {
        return;
    }
    stats.entries += 1;
    stats.bytes += value.len() as u64;
    pending.put(key, value);
}

/// The value of a code or page entry `root` reaches, read from `source` and checked.
fn copy_checked(
    source: &dyn KvStore,
    root: StateRoot,
    reached: &Reached,
    checks: impl Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, SyncError> {
    let key = reached.key();
    let (namespace, id) = (key[0], Hash::from_slice(&key[1..]).unwrap_or_default());
    let value = source.get(&key).map_err(SyncError::Source)?.ok_or(SyncError::Missing { root, namespace, id })?;
    if !checks(&value) {
        return Err(SyncError::Tampered { namespace, id });
    }
    Ok(value)
}

/// A walk failure as a sync error: what was missing from the source or did not match its hash.
fn walk_error(e: WalkError, root: StateRoot, source: &dyn KvStore) -> SyncError {
    use super::collections::CollectionError;
    use super::events::EventStoreError;
    use super::pages::PagesError;
    let (namespace, id) = match e.source {
        StateError::Kv(kv) | StateError::Pages(PagesError::Kv(kv)) => return SyncError::Source(kv),
        StateError::MissingNode(h) if h == root.0 => return SyncError::RootNotInSource(root),
        StateError::MissingNode(h) | StateError::CorruptNode(h) => (namespace::ACCOUNT_NODE, h),
        StateError::CorruptContract { what: "code", hash } => (namespace::CODE, hash),
        StateError::CorruptContract { hash, .. } => (namespace::META, hash),
        StateError::Pages(PagesError::MissingNode(h) | PagesError::CorruptNode(h)) => (namespace::PAGE_TREE_NODE, h),
        StateError::Pages(PagesError::MissingPage { hash, .. } | PagesError::CorruptPage { hash, .. }) => {
            (namespace::PAGE, hash)
        }
        StateError::CorruptParts(h) => (namespace::STATE_PARTS, h),
        StateError::Collection(CollectionError::Kv(kv))
        | StateError::Events(EventStoreError::Tree(CollectionError::Kv(kv))) => return SyncError::Source(kv),
        StateError::Events(EventStoreError::Tree(
            CollectionError::MissingNode(h) | CollectionError::CorruptNode(h),
        )) => (namespace::COLLECTION_NODE, h),
        StateError::Events(other) => return SyncError::Source(KvError::Backend(other.to_string())),
        StateError::Collection(CollectionError::MissingNode(h) | CollectionError::CorruptNode(h)) => {
            (namespace::COLLECTION_NODE, h)
        }
        // The walk checks no range and writes nothing: nothing else can fail it.
        StateError::Pages(other) => return SyncError::Source(KvError::Backend(other.to_string())),
        StateError::Collection(other) => return SyncError::Source(KvError::Backend(other.to_string())),
    };
    match source.get(&namespace::key(namespace, id.as_bytes())) {
        Ok(None) => SyncError::Missing { root, namespace, id },
        Ok(Some(_)) => SyncError::Tampered { namespace, id },
        Err(kv) => SyncError::Source(kv),
    }
}
