//! Genesis, layers, the head and the state root, and rewinding.

use crate::boundary::{Out, bytes, call};
use crate::buffer::SvmBuffer;
use crate::error::FfiError;
use crate::handle::{self, SvmRuntime};
use svm::Address;
use svm::storage::head::Head;

/// One genesis allocation's length in bytes: a 20-byte address, then the amount as a little-endian u64.
pub const SVM_GENESIS_RECORD_BYTES: usize = 28;

/// Where a store stands: the last committed layer, the transactions applied since genesis, the root.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SvmHead {
    /// False for a store with no genesis and no committed layer (then the rest is zero).
    pub present: bool,
    /// The last committed layer.
    pub layer: u64,
    /// Transactions applied since genesis.
    pub applied: u64,
    /// The state root after them.
    pub root: [u8; 32],
}

impl From<Option<Head>> for SvmHead {
    fn from(head: Option<Head>) -> SvmHead {
        match head {
            Some(head) => SvmHead { present: true, layer: head.layer, applied: head.applied, root: head.root.0.0 },
            None => SvmHead::default(),
        }
    }
}

/// Credits the genesis allocations — `allocations_len / SVM_GENESIS_RECORD_BYTES` records of an address
/// and a little-endian u64 amount — and records them as layer 0's durable head. Only on a store with
/// no head yet.
///
/// # Safety
/// `allocations` must point to `allocations_len` readable bytes; a non-null `error` must be valid for
/// writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_genesis(
    runtime: SvmRuntime,
    allocations: *const u8,
    allocations_len: usize,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let records = unsafe { bytes("allocations", allocations, allocations_len)? };
        if records.len() % SVM_GENESIS_RECORD_BYTES != 0 {
            let why = format!("{} bytes is no whole number of {SVM_GENESIS_RECORD_BYTES}-byte records", records.len());
            return Err(FfiError::input("allocations", why));
        }
        let allocations: Vec<(Address, u64)> = records
            .chunks_exact(SVM_GENESIS_RECORD_BYTES)
            .map(|record| {
                let (address, amount) = record.split_at(20);
                let mut a = [0u8; 20];
                a.copy_from_slice(address);
                let mut n = [0u8; 8];
                n.copy_from_slice(amount);
                (Address(a), u64::from_le_bytes(n))
            })
            .collect();
        handle::with(runtime, |node| node.genesis(&allocations).map(drop))
    })
}

/// Opens layer `layer` (not before the head's layer) and passes its boundary, pruning the events that
/// expired before it (the state root moves when there were any): transactions applied until the layer
/// is committed run in it.
///
/// # Safety
/// A non-null `error` must be valid for writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_layer_begin(runtime: SvmRuntime, layer: u64, error: *mut SvmBuffer) -> i32 {
    call(error, || handle::with(runtime, |node| node.begin_layer(layer)))
}

/// Commits the open layer: records it as the durable head, indexes it (so that it can be opened and
/// rewound to), syncs the store, and writes the new head to `head_out`.
///
/// # Safety
/// `head_out` must be valid for writes of an `SvmHead`; a non-null `error` of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_layer_commit(runtime: SvmRuntime, head_out: *mut SvmHead, error: *mut SvmBuffer) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let out = unsafe { Out::new("head_out", head_out, SvmHead::default())? };
        out.set(Some(handle::with(runtime, |node| node.commit_layer())?).into());
        Ok(())
    })
}

/// Where the handle stands: its last committed layer (or the layer a read-only handle was opened at).
///
/// # Safety
/// `head_out` must be valid for writes of an `SvmHead`; a non-null `error` of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_head(runtime: SvmRuntime, head_out: *mut SvmHead, error: *mut SvmBuffer) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let out = unsafe { Out::new("head_out", head_out, SvmHead::default())? };
        out.set(handle::with(runtime, |node| Ok(node.head()))?.into());
        Ok(())
    })
}

/// Writes the current global state root (32 bytes) to `root_out`.
///
/// # Safety
/// `root_out` must be valid for writes of 32 bytes; a non-null `error` of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_state_root(runtime: SvmRuntime, root_out: *mut u8, error: *mut SvmBuffer) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let out = unsafe { Out::new("root_out", root_out.cast::<[u8; 32]>(), [0; 32])? };
        out.set(handle::with(runtime, |node| Ok(node.root()))?.0.0);
        Ok(())
    })
}

/// Rewinds the store to where layer `layer` ended and forgets every later layer; writes the new head
/// to `head_out`. A layer the index does not hold fails with `SVM_ERR_NOT_RETAINED` and changes nothing.
///
/// # Safety
/// `head_out` must be valid for writes of an `SvmHead`; a non-null `error` of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_rewind(
    runtime: SvmRuntime,
    layer: u64,
    head_out: *mut SvmHead,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let out = unsafe { Out::new("head_out", head_out, SvmHead::default())? };
        out.set(Some(handle::with(runtime, |node| node.rewind(layer))?).into());
        Ok(())
    })
}
