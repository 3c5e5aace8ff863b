//! The kv store under a simulated replica: everything passes to the real store (in memory or redb),
//! and the simulator can inject the faults a disk gives a node — a write that fails, and a crash
//! that loses the writes made since the last sync, or only some of them (a torn tail).
//!
//! **The crash model.** A kv write batch is atomic on every backend (redb commits a batch as one
//! transaction, whole or not at all), and writes reach the disk in order, so what a crash can leave
//! is the writes up to the last sync plus a prefix of the batches after it. To roll a store back to
//! such a prefix, a store that may crash keeps, for every batch since the last sync, what each key
//! it wrote held before (an undo record); a crash undoes the lost batches, newest first.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use svm::storage::kv::{KvError, KvStore, WriteBatch};

/// The message of an injected write failure.
pub const INJECTED_WRITE_FAILURE: &str = "injected write failure (simulated disk error)";

/// One batch's undo record: each key it wrote and what the key held before.
type Undo = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// A replica's kv store with fault injection.
pub struct FaultKv {
    inner: Arc<dyn KvStore>,
    /// Undo records of the batches since the last sync, oldest first (`None`: this store never
    /// crashes, and keeps none).
    journal: Option<Mutex<Vec<Undo>>>,
    fail_next_write: AtomicBool,
    failed: AtomicBool,
}

impl FaultKv {
    /// `inner`, keeping undo records if `crashes`.
    pub fn new(inner: Arc<dyn KvStore>, crashes: bool) -> FaultKv {
        FaultKv {
            inner,
            journal: crashes.then(|| Mutex::new(Vec::new())),
            fail_next_write: AtomicBool::new(false),
            failed: AtomicBool::new(false),
        }
    }

    /// Makes the next write fail (once) with [`INJECTED_WRITE_FAILURE`].
    pub fn fail_next_write(&self) {
        self.fail_next_write.store(true, Ordering::SeqCst);
    }

    /// Whether a write is still set to fail.
    pub fn failure_pending(&self) -> bool {
        self.fail_next_write.load(Ordering::SeqCst)
    }

    /// Whether an injected failure fired since the last call (and forgets it).
    pub fn take_failure(&self) -> bool {
        self.failed.swap(false, Ordering::SeqCst)
    }

    /// Batches written since the last sync (what a crash may lose).
    pub fn unsynced(&self) -> usize {
        self.journal.as_ref().and_then(|j| j.lock().ok().map(|j| j.len())).unwrap_or(0)
    }

    /// A crash: of the batches written since the last sync, the first `kept_permille`‰ survive and the
    /// rest are undone, newest first. Returns how many were lost.
    pub fn crash(&self, kept_permille: u16) -> Result<usize, KvError> {
        let Some(journal) = &self.journal else { return Ok(0) };
        let mut journal = journal.lock().map_err(|_| KvError::Poisoned)?;
        let kept = journal.len() * usize::from(kept_permille.min(1000)) / 1000;
        let lost = journal.len() - kept;
        for undo in journal.drain(kept..).rev() {
            let mut batch = WriteBatch::new();
            for (key, before) in undo.into_iter().rev() {
                match before {
                    Some(value) => batch.put(key, value),
                    None => batch.delete(key),
                }
            }
            self.inner.write(batch)?;
        }
        journal.clear();
        self.inner.sync()?;
        Ok(lost)
    }

    /// The store underneath.
    pub fn inner(&self) -> &Arc<dyn KvStore> {
        &self.inner
    }
}

impl KvStore for FaultKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        self.inner.get(key)
    }

    fn write(&self, batch: WriteBatch) -> Result<(), KvError> {
        if self.fail_next_write.swap(false, Ordering::SeqCst) {
            self.failed.store(true, Ordering::SeqCst);
            return Err(KvError::Backend(INJECTED_WRITE_FAILURE.into()));
        }
        if let Some(journal) = &self.journal {
            let mut undo = Vec::with_capacity(batch.len());
            for (key, _) in batch.iter() {
                undo.push((key.to_vec(), self.inner.get(key)?));
            }
            self.inner.write(batch)?;
            journal.lock().map_err(|_| KvError::Poisoned)?.push(undo);
            return Ok(());
        }
        self.inner.write(batch)
    }

    fn sync(&self) -> Result<(), KvError> {
        self.inner.sync()?;
        if let Some(journal) = &self.journal {
            journal.lock().map_err(|_| KvError::Poisoned)?.clear();
        }
        Ok(())
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        self.inner.keys_with_prefix(prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm::storage::kv::MemKv;

    fn put(kv: &FaultKv, key: &[u8], value: &[u8]) {
        let mut batch = WriteBatch::new();
        batch.put(key.to_vec(), value.to_vec());
        kv.write(batch).unwrap();
    }

    #[test]
    fn a_crash_keeps_what_was_synced_and_a_prefix_of_the_rest() {
        let inner = Arc::new(MemKv::new());
        let kv = FaultKv::new(inner.clone(), true);
        put(&kv, b"a", b"1");
        kv.sync().unwrap();
        put(&kv, b"a", b"2");
        put(&kv, b"b", b"1");
        put(&kv, b"c", b"1");
        put(&kv, b"a", b"3");
        assert_eq!(kv.unsynced(), 4);
        // Half of the four survive: a=2, b=1.
        assert_eq!(kv.crash(500).unwrap(), 2);
        assert_eq!(inner.entries().unwrap(), vec![(b"a".to_vec(), b"2".to_vec()), (b"b".to_vec(), b"1".to_vec())]);
        put(&kv, b"a", b"4");
        assert_eq!(kv.crash(0).unwrap(), 1);
        assert_eq!(inner.get(b"a").unwrap(), Some(b"2".to_vec()));
    }

    #[test]
    fn an_injected_failure_fails_one_write_and_writes_nothing() {
        let kv = FaultKv::new(Arc::new(MemKv::new()), false);
        kv.fail_next_write();
        let mut batch = WriteBatch::new();
        batch.put(b"a".to_vec(), b"1".to_vec());
        assert_eq!(kv.write(batch), Err(KvError::Backend(INJECTED_WRITE_FAILURE.into())));
        assert!(kv.take_failure() && !kv.take_failure());
        assert_eq!(kv.get(b"a").unwrap(), None);
        put(&kv, b"a", b"1");
        assert_eq!(kv.get(b"a").unwrap(), Some(b"1".to_vec()));
        assert_eq!(kv.crash(0).unwrap(), 0, "a store that never crashes keeps no journal");
    }
}
