//! The state one execution's vmcalls share, and the wrapper every vmcall runs through.

use super::HostError;
pub use super::call_frame::CallFrame;
use super::context::CallContext;
use super::page_charges::PageCharges;
use super::registry::{VmcallSpec, vmcall_index};
use crate::gas::meter::GasMeter;
use crate::registers::RegisterFile;
#[cfg(feature = "canaries")]
use crate::runtime::canary::CanaryContext;
use crate::storage::collections::OpenCollections;
use crate::storage::page_slices::{PageSliceCache, SliceError};
use crate::trace::{TraceEntry, TraceResult};
use crate::{Hash, Limits};
use thiserror::Error;
use wasmer::{AsStoreRef, FunctionEnvMut, Memory, StoreMut};

/// Everything the vmcalls of one execution read and write.
pub struct ExecutionEnv {
    /// The contract's storage; taken out when the execution ends.
    pub storage: Option<PageSliceCache>,
    /// Which pages this execution has paid to access and to write.
    pub page_charges: PageCharges,
    /// The program's registers.
    pub registers: RegisterFile,
    /// The transaction's calldata.
    pub calldata: Vec<u8>,
    /// What the contract set with `returndata_set`.
    pub returndata: Vec<u8>,
    /// What the contract logged.
    pub logs: Vec<Vec<u8>>,
    /// The events the contract emitted.
    pub events: Vec<svm_core::event::Event>,
    /// Sender, contract, layer and value.
    pub context: CallContext,
    /// The frame's place in the transaction's call tree (`None` outside any transaction).
    pub frame: Option<CallFrame>,
    /// The instance's exported memory, once instantiated.
    pub memory: Option<Memory>,
    /// The instance's gas meter, once instantiated.
    pub meter: Option<GasMeter>,
    /// Why the first vmcall that trapped did so.
    pub fault: Option<Fault>,
    /// The vmcall trace, when tracing is on.
    pub trace: Option<Vec<TraceEntry>>,
    /// The VM's limits.
    pub limits: Limits,
    /// A planted canary and the local facts it feeds on (feature `canaries` only).
    #[cfg(feature = "canaries")]
    pub canary: Option<CanaryContext>,
    /// Digest of the bytes the current vmcall moved, for the trace (set only when tracing).
    pub moved: Option<Hash>,
    /// Calls so far per vmcall, in `VMCALLS` order (for [`crate::runtime::ExecutionStats`]).
    pub calls: Vec<u32>,
    /// The collections this execution has open.
    pub collections: OpenCollections,
}

/// Why a vmcall trapped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The contract broke a vmcall's rules (consensus outcome), with a human-readable detail.
    Host(HostError, String),
    /// The vmcall's price exceeded the gas left.
    OutOfGas,
    /// The node itself failed (kv store, damaged state): no receipt can be trusted.
    Node(String),
}

impl Fault {
    /// A contract-caused fault of `kind`.
    pub fn host(kind: HostError, detail: impl Into<String>) -> Fault {
        Fault::Host(kind, detail.into())
    }
}

impl From<SliceError> for Fault {
    fn from(e: SliceError) -> Fault {
        match e {
            SliceError::UnknownSlice { .. } => Fault::host(HostError::UnknownSlice, e.to_string()),
            SliceError::OutOfRange { .. } => Fault::host(HostError::SliceOutOfRange, e.to_string()),
            SliceError::Kind { .. } => Fault::host(HostError::SliceKind, e.to_string()),
            SliceError::Pages(pages) => Fault::Node(pages.to_string()),
        }
    }
}

impl From<crate::registers::RegisterError> for Fault {
    fn from(e: crate::registers::RegisterError) -> Fault {
        use crate::registers::RegisterError::*;
        match e {
            UnknownClass { .. } | IndexOutOfRange { .. } => Fault::host(HostError::UnknownRegister, e.to_string()),
            ValueTooLong { .. } => Fault::host(HostError::RegisterWidth, e.to_string()),
        }
    }
}

/// The error a trapping vmcall returns to wasmer; the reason is in [`ExecutionEnv::fault`].
#[derive(Debug, Error)]
#[error("vmcall trapped")]
pub struct VmcallTrap;

/// A vmcall result as the trace records it.
pub trait TraceValue {
    /// The value widened to i64, if there is one.
    fn traced(&self) -> Option<i64>;
}

impl TraceValue for () {
    fn traced(&self) -> Option<i64> {
        None
    }
}

impl TraceValue for i32 {
    fn traced(&self) -> Option<i64> {
        Some((*self).into())
    }
}

impl TraceValue for i64 {
    fn traced(&self) -> Option<i64> {
        Some(*self)
    }
}

/// Runs one vmcall: charges `spec`'s price for `bytes` before any work, runs `body`, records the trace
/// entry when tracing is on, and turns a fault into a trap.
pub fn run<R: TraceValue>(
    env: &mut FunctionEnvMut<'_, ExecutionEnv>,
    spec: &'static VmcallSpec,
    args: &[i64],
    bytes: u64,
    body: impl FnOnce(&mut ExecutionEnv, &mut StoreMut<'_>) -> Result<R, Fault>,
) -> Result<R, VmcallTrap> {
    let (data, mut store) = env.data_and_store_mut();
    if let Some(count) = vmcall_index(spec).and_then(|i| data.calls.get_mut(i)) {
        *count += 1;
    }
    let Some(meter) = data.meter.clone() else {
        data.fault.get_or_insert(Fault::Node("instance has no gas meter".into()));
        return Err(VmcallTrap);
    };
    let gas_before = meter.remaining(&mut store);
    let price = spec.price.for_bytes(bytes).saturating_add(data.planted_extra_gas());
    data.moved = None;
    let result = if !meter.charge(&mut store, price) {
        Err(Fault::OutOfGas)
    } else if let Some(fault) = data.planted_node_fault(spec.name) {
        Err(fault)
    } else {
        body(data, &mut store)
    };
    if data.trace.is_some() {
        let gas_after = meter.remaining(&mut store);
        let traced = match &result {
            Ok(value) => TraceResult::Ok(value.traced()),
            Err(Fault::Host(kind, _)) => TraceResult::Err(kind.name().to_string()),
            Err(Fault::OutOfGas) => TraceResult::Err("out-of-gas".to_string()),
            Err(Fault::Node(why)) => TraceResult::Err(format!("node fault: {why}")),
        };
        if let Some(trace) = data.trace.as_mut() {
            let bytes = data.moved.take();
            let depth = data.frame.as_ref().map_or(1, |f| f.depth);
            trace.push(TraceEntry {
                depth,
                contract: data.context.contract,
                vmcall: spec.name,
                args: args.to_vec(),
                result: traced,
                gas_before,
                gas_after,
                bytes,
            });
        }
    }
    result.map_err(|fault| {
        data.fault.get_or_insert(fault);
        VmcallTrap
    })
}

impl ExecutionEnv {
    /// Logs kept so far by this frame and the frames below it.
    pub fn logs_so_far(&self) -> usize {
        self.logs.len() + self.frame.as_ref().map_or(0, |f| f.inherited.0)
    }

    /// Events kept so far by this frame and the frames below it.
    pub fn events_so_far(&self) -> usize {
        self.events.len() + self.frame.as_ref().map_or(0, |f| f.inherited.1)
    }

    /// The contract's storage.
    pub fn storage(&mut self) -> Result<&mut PageSliceCache, Fault> {
        self.storage.as_mut().ok_or_else(|| Fault::Node("storage already taken".into()))
    }

    /// Notes the bytes the current vmcall moves, for the trace (a no-op when not tracing).
    pub fn note(&mut self, bytes: &[u8]) {
        if self.trace.is_some() {
            self.moved = Some(blake3::hash(bytes).into());
        }
    }

    /// Charges the storage gas of an access to `len` bytes at `offset` of `slice` (a write when `write`)
    /// before it happens: the slice and range are checked first, then the page's first access and first
    /// write are charged (see [`PageCharges`]).
    fn pay_for_page(
        &mut self,
        store: &mut StoreMut<'_>,
        slice: u32,
        offset: u32,
        len: usize,
        write: bool,
    ) -> Result<(), Fault> {
        let page = self.storage()?.page_of(slice, offset, len)?;
        self.pay_page(store, page, write)
    }

    /// Charges the storage gas of an access to `page` (a write when `write`; see [`PageCharges`]).
    pub fn pay_page(&mut self, store: &mut StoreMut<'_>, page: u32, write: bool) -> Result<(), Fault> {
        let price = self.page_charges.quote(page, write)?;
        self.charge(store, price)?;
        self.page_charges.paid(page, write);
        Ok(())
    }

    /// Charges `gas` now (out of gas when more than is left).
    pub fn charge(&mut self, store: &mut StoreMut<'_>, gas: u64) -> Result<(), Fault> {
        let meter = self.meter.clone().ok_or_else(|| Fault::Node("instance has no gas meter".into()))?;
        if gas > 0 && !meter.charge(store, gas) {
            return Err(Fault::OutOfGas);
        }
        Ok(())
    }

    /// Reads `buf.len()` bytes of `slice` at `offset`, paying for the page first (the one path every
    /// storage read takes).
    pub fn load(&mut self, store: &mut StoreMut<'_>, slice: u32, offset: u32, buf: &mut [u8]) -> Result<(), Fault> {
        self.pay_for_page(store, slice, offset, buf.len(), false)?;
        self.storage()?.read(slice, offset, buf)?;
        self.note(buf);
        Ok(())
    }

    /// Writes `bytes` into `slice` at `offset`, paying for the page first (the one path every storage
    /// write takes).
    pub fn store(&mut self, store: &mut StoreMut<'_>, slice: u32, offset: u32, bytes: Vec<u8>) -> Result<(), Fault> {
        self.pay_for_page(store, slice, offset, bytes.len(), true)?;
        let bytes = self.planted_write(bytes);
        self.note(&bytes);
        Ok(self.storage()?.write(slice, offset, &bytes)?)
    }

    /// Gas a planted canary adds to the current vmcall (always 0 without the `canaries` feature).
    fn planted_extra_gas(&self) -> u64 {
        #[cfg(feature = "canaries")]
        return self.canary.map_or(0, |c| c.extra_gas());
        #[cfg(not(feature = "canaries"))]
        0
    }

    /// The bytes a storage write stores, after any planted canary (unchanged without the feature).
    fn planted_write(&self, #[allow(unused_mut)] mut bytes: Vec<u8>) -> Vec<u8> {
        #[cfg(feature = "canaries")]
        if let Some(canary) = &self.canary {
            canary.tamper_write(&mut bytes);
        }
        bytes
    }

    /// The node fault a planted canary makes `vmcall` raise (never without the feature).
    fn planted_node_fault(&self, #[allow(unused_variables)] vmcall: &str) -> Option<Fault> {
        #[cfg(feature = "canaries")]
        if self.canary.is_some_and(|c| c.node_fault(vmcall)) {
            return Some(Fault::Node(format!("canary node-fault: {vmcall} failed as a damaged store would")));
        }
        None
    }

    /// The length `storage_slice_len` answers, after any planted canary (unchanged without the feature).
    pub fn planted_slice_len(&self, len: u32) -> u32 {
        #[cfg(feature = "canaries")]
        if let Some(canary) = &self.canary {
            return canary.tamper_slice_len(len);
        }
        len
    }

    /// A log entry, after any planted canary (unchanged without the feature).
    pub fn planted_log(&self, #[allow(unused_mut)] mut entry: Vec<u8>) -> Vec<u8> {
        #[cfg(feature = "canaries")]
        if let Some(canary) = &self.canary {
            canary.tamper_log(&mut entry);
        }
        entry
    }

    /// `len` bytes of linear memory at `ptr`.
    pub fn read_memory(&self, store: &impl AsStoreRef, ptr: u32, len: u32) -> Result<Vec<u8>, Fault> {
        self.check_memory(store, ptr, len)?;
        let memory = self.memory.as_ref().ok_or_else(|| Fault::host(HostError::NoMemory, "no exported memory"))?;
        let mut buf = vec![0; len as usize];
        memory
            .view(store)
            .read(ptr.into(), &mut buf)
            .map_err(|e| Fault::host(HostError::MemoryOutOfBounds, e.to_string()))?;
        Ok(buf)
    }

    /// Checks that `len` bytes at `ptr` lie inside linear memory, without reading them.
    pub fn check_memory(&self, store: &impl AsStoreRef, ptr: u32, len: u32) -> Result<(), Fault> {
        let memory = self.memory.as_ref().ok_or_else(|| Fault::host(HostError::NoMemory, "no exported memory"))?;
        let size = memory.view(store).data_size();
        if u64::from(ptr) + u64::from(len) > size {
            return Err(Fault::host(HostError::MemoryOutOfBounds, format!("{ptr}+{len} past {size}")));
        }
        Ok(())
    }

    /// Writes `bytes` into linear memory at `ptr`.
    pub fn write_memory(&self, store: &impl AsStoreRef, ptr: u32, bytes: &[u8]) -> Result<(), Fault> {
        let memory = self.memory.as_ref().ok_or_else(|| Fault::host(HostError::NoMemory, "no exported memory"))?;
        memory
            .view(store)
            .write(ptr.into(), bytes)
            .map_err(|e| Fault::host(HostError::MemoryOutOfBounds, format!("{ptr}+{}: {e}", bytes.len())))
    }
}
