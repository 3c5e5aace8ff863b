//! Runtime handles: numbers the caller holds, looked up in one registry on every call, so that a
//! closed, forged or stale handle is a typed error rather than a dangling pointer.
//!
//! Threading: a handle may be used from any thread. Calls on one handle are serialized by the
//! handle's mutex; calls on different handles run in parallel. Closing a handle waits for the call
//! running on it (if any) to finish; every later call on it returns `SVM_ERR_HANDLE`.

use crate::error::FfiError;
use crate::node::Node;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// An opaque runtime handle. 0 is never a handle.
pub type SvmRuntime = u64;

/// One handle's node; `None` once closed.
type Slot = Arc<Mutex<Option<Node>>>;

/// The next handle number (numbers are never reused).
static NEXT: AtomicU64 = AtomicU64::new(1);
/// Every open handle.
static HANDLES: RwLock<BTreeMap<u64, Slot>> = RwLock::new(BTreeMap::new());

/// Registers `node` under a new handle.
pub fn open(node: Node) -> SvmRuntime {
    let handle = NEXT.fetch_add(1, Ordering::Relaxed);
    // The map itself cannot be left half-changed by a panic: a poisoned lock is still sound.
    let mut handles = HANDLES.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    handles.insert(handle, Arc::new(Mutex::new(Some(node))));
    handle
}

/// Runs `f` on the node of `handle`, holding the handle's lock.
pub fn with<R>(handle: SvmRuntime, f: impl FnOnce(&mut Node) -> Result<R, FfiError>) -> Result<R, FfiError> {
    let slot = slot(handle)?;
    let mut node = slot.lock().map_err(|_| FfiError::Poisoned(handle))?;
    f(node.as_mut().ok_or(FfiError::Handle(handle))?)
}

/// Closes `handle`: waits for a call in progress on it, then drops its node (closing its store when
/// no other handle shares it).
pub fn close(handle: SvmRuntime) -> Result<(), FfiError> {
    let slot = {
        let mut handles = HANDLES.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        handles.remove(&handle).ok_or(FfiError::Handle(handle))?
    };
    // A poisoned handle is closed all the same: that is what the caller is told to do with it.
    let node = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
    drop(node);
    Ok(())
}

fn slot(handle: SvmRuntime) -> Result<Slot, FfiError> {
    let handles = HANDLES.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    handles.get(&handle).cloned().ok_or(FfiError::Handle(handle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm::runtime::Compiler;

    #[test]
    fn a_handle_whose_call_panicked_is_poisoned_until_closed() {
        let handle = open(Node::memory(Compiler::Singlepass));
        let panicked = std::panic::catch_unwind(|| with(handle, |_| -> Result<(), FfiError> { panic!("inside") }));
        assert!(panicked.is_err());
        assert!(matches!(with(handle, |node| Ok(node.root())), Err(FfiError::Poisoned(h)) if h == handle));
        close(handle).unwrap();
        assert!(matches!(with(handle, |node| Ok(node.root())), Err(FfiError::Handle(h)) if h == handle));
        assert!(matches!(close(handle), Err(FfiError::Handle(_))));
    }

    #[test]
    fn handle_numbers_are_never_reused() {
        let first = open(Node::memory(Compiler::Singlepass));
        close(first).unwrap();
        let second = open(Node::memory(Compiler::Singlepass));
        assert_ne!(first, second);
        assert!(with(first, |_| Ok(())).is_err());
        close(second).unwrap();
    }
}
