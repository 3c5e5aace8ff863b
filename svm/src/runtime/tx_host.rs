//! What every frame of one execution shares: the transaction's pending writes and accounts, the caches, the
//! call stack and the count of calls made. Frames reach it through their environment while they run.

use super::caches::Caches;
use super::state_update::StateUpdate;
use super::{BlockContext, RuntimeConfig, RuntimeError};
use crate::Address;
use crate::module_cache::ModuleCache;
use crate::storage::kv::TxOverlay;
use std::sync::{Arc, Mutex, MutexGuard};

/// The shared state of one execution's frames.
pub struct TxHost {
    /// Reads see the pending writes of every committed frame; nothing reaches the store before the end.
    pub(crate) kv: Arc<TxOverlay>,
    /// Accounts as the transaction sees them so far.
    pub(crate) update: StateUpdate,
    pub(crate) cache: Arc<Mutex<ModuleCache>>,
    pub(crate) caches: Arc<Caches>,
    pub(crate) config: RuntimeConfig,
    pub(crate) block: BlockContext,
    pub(crate) trace: bool,
    /// The contracts with a frame on the stack, outermost first.
    pub(crate) stack: Vec<Address>,
    /// Calls made so far, in every frame.
    pub(crate) calls_made: u32,
    /// Instances the runtime has made since it started (node-local, for canaries).
    pub(crate) instantiated: u64,
}

/// A handle on the shared state, as frames hold it.
pub type SharedHost = Arc<Mutex<TxHost>>;

/// The shared state, locked (a poisoned lock is a node fault).
pub(crate) fn lock(host: &SharedHost) -> Result<MutexGuard<'_, TxHost>, RuntimeError> {
    host.lock().map_err(|_| RuntimeError::Engine("transaction state lock poisoned".into()))
}
