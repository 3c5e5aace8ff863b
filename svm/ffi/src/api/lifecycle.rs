//! Versions, and creating, opening and closing runtime handles.

use crate::boundary::{Out, call, text};
use crate::buffer::SvmBuffer;
use crate::error::FfiError;
use crate::handle::{self, SvmRuntime};
use crate::node::Node;
use std::path::Path;
use svm::runtime::Compiler;

/// The version of this C API (bumped on any incompatible change to a signature or a struct).
pub const SVM_ABI_VERSION: u32 = 2;
/// Compile contracts with wasmer's singlepass compiler (fast compilation; the default).
pub const SVM_COMPILER_SINGLEPASS: u32 = 0;
/// Compile contracts with wasmer's cranelift compiler (optimizing).
pub const SVM_COMPILER_CRANELIFT: u32 = 1;

/// The C API's version, [`SVM_ABI_VERSION`].
#[unsafe(no_mangle)]
pub extern "C" fn svm_abi_version() -> u32 {
    SVM_ABI_VERSION
}

/// The consensus rules this library runs (stream files and golden pins record it).
#[unsafe(no_mangle)]
pub extern "C" fn svm_consensus_version() -> u32 {
    svm::CONSENSUS_VERSION
}

/// The library's version as UTF-8 text (`0.1.0`).
///
/// # Safety
/// `out` and a non-null `error` must be valid for writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_version(out: *mut SvmBuffer, error: *mut SvmBuffer) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let out = unsafe { Out::new("out", out, SvmBuffer::EMPTY)? };
        out.set(SvmBuffer::from_vec(env!("CARGO_PKG_VERSION").as_bytes().to_vec()));
        Ok(())
    })
}

/// Creates a runtime over a new in-memory store (nothing survives closing it).
///
/// # Safety
/// `out` must be valid for writes of an `SvmRuntime`; a non-null `error` of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_runtime_new_memory(compiler: u32, out: *mut SvmRuntime, error: *mut SvmBuffer) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let out = unsafe { Out::new("out", out, 0)? };
        out.set(handle::open(Node::memory(compiler_of(compiler)?)));
        Ok(())
    })
}

/// Opens the persistent (redb) store at the UTF-8 path `path` — created if missing — at its durable
/// head. Writes become durable when a layer is committed. One store file has one handle at a time
/// (another open of it fails with `SVM_ERR_STORE`).
///
/// # Safety
/// `path` must point to `path_len` readable bytes; `out` must be valid for writes of an
/// `SvmRuntime`; a non-null `error` of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_runtime_open(
    path: *const u8,
    path_len: usize,
    compiler: u32,
    out: *mut SvmRuntime,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let (path, out) = unsafe { (text("path", path, path_len)?, Out::new("out", out, 0)?) };
        if path.is_empty() {
            return Err(FfiError::input("path", "empty"));
        }
        out.set(handle::open(Node::persistent(Path::new(path), compiler_of(compiler)?)?));
        Ok(())
    })
}

/// Opens a second, read-only handle on `runtime`'s store at the state layer `layer` ended at: it
/// reads accounts and slices and runs views there; it applies nothing. It stays valid when
/// `runtime` is closed (the store closes with its last handle).
///
/// # Safety
/// `out` must be valid for writes of an `SvmRuntime`; a non-null `error` of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_runtime_open_layer(
    runtime: SvmRuntime,
    layer: u64,
    out: *mut SvmRuntime,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let out = unsafe { Out::new("out", out, 0)? };
        let node = handle::with(runtime, |node| node.at_layer(layer))?;
        out.set(handle::open(node));
        Ok(())
    })
}

/// Closes a handle: waits for a call running on it, then releases it. Every later call on the handle
/// (closing it again included) fails with `SVM_ERR_HANDLE`.
///
/// # Safety
/// A non-null `error` must be valid for writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_runtime_close(runtime: SvmRuntime, error: *mut SvmBuffer) -> i32 {
    call(error, || handle::close(runtime))
}

fn compiler_of(code: u32) -> Result<Compiler, FfiError> {
    match code {
        SVM_COMPILER_SINGLEPASS => Ok(Compiler::Singlepass),
        SVM_COMPILER_CRANELIFT => Ok(Compiler::Cranelift),
        other => Err(FfiError::input("compiler", format!("{other} is no SVM_COMPILER_* value"))),
    }
}
