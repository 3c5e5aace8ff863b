//! Every vmcall over one execution's context, from `docs/vmcalls.md` (the table, "Which error wins") and
//! `docs/consensus.md` (Vmcalls, Storage page gas).
//!
//! Each call goes: look up its spec in svm-core's registry (signature and price as data); charge the
//! price `base + per_byte × bytes` (saturating) before any work; run the vmcall's checks in the
//! documented order, paying page gas at the documented point; then do the work. Every i32 argument is
//! read as unsigned. The collection vmcalls are in [`collection_calls`], `event_emit` in [`event_calls`],
//! `contract_call` and `call_result` in [`call_calls`].

use crate::chain::collection_store::CollectionStore;
use crate::chain::collections::Collection;
use crate::chain::frames::{CallTree, LoneFrame};
use crate::chain::ledger::BalanceView;
use crate::chain::open_collections::OpenCollections;
use crate::chain::registers::Registers;
use crate::chain::state::Page;
use crate::host::{Host, Meter, Stop};
use std::collections::{BTreeMap, BTreeSet};
use svm_core::call::CallRecord;
use svm_core::event::Event;
use svm_core::gas::storage_prices::{PAGE_DIRTY_BASE, PAGE_DIRTY_PER_LEVEL, PAGE_LOAD_BASE, PAGE_LOAD_PER_LEVEL};
use svm_core::layout::{PAGE_SIZE, PageSlice, SliceKind, StorageLayout, tree_depth};
use svm_core::vmcalls::HostError;
use svm_core::vmcalls::registry::{VmcallSpec, vmcall};
use svm_core::{Address, Limits, Value, ValueType};

mod call_calls;
mod collection_calls;
mod event_calls;

static ZERO_PAGE: [u8; PAGE_SIZE] = [0; PAGE_SIZE];

/// The store of a context built without one: no collection committed yet.
static NO_COLLECTIONS: CollectionStore = CollectionStore::new();

/// The registers' only class for addresses and balances.
const ADDRESS_BITS: u32 = 160;

/// What the transaction tells the execution about itself.
#[derive(Clone, Copy, Debug)]
pub struct ExecutionEnv<'a> {
    /// The transaction's sender.
    pub sender: Address,
    /// The running contract.
    pub contract: Address,
    /// The layer (block height) the transaction runs in.
    pub layer: u64,
    /// The value the transaction moved to the contract.
    pub value: u64,
    /// The transaction's calldata.
    pub calldata: &'a [u8],
}

/// What a finished execution leaves: the pages it wrote and the collections it committed (to keep on
/// success), its returndata, logs, events and call records (its successful callees' included).
#[derive(Debug, Default)]
pub struct Effects {
    /// This execution's copy of every page it made dirty.
    pub written: BTreeMap<u32, Page>,
    /// The contents of every collection whose state [`ExecutionContext::commit_collections`] wrote.
    pub collections: Vec<Collection>,
    /// The last `returndata_set`, or nothing.
    pub returndata: Vec<u8>,
    /// Every `log` entry, in order.
    pub logs: Vec<Vec<u8>>,
    /// Every event emitted, in order.
    pub events: Vec<Event>,
    /// Every call made, in the order made (a failed callee's own calls dropped).
    pub calls: Vec<CallRecord>,
}

/// The limits the vmcalls enforce.
#[derive(Clone, Copy, Debug)]
struct VmcallLimits {
    max_returndata_bytes: u64,
    max_logs: usize,
    max_log_bytes: u64,
    max_dirty_pages: usize,
    max_params: u32,
    max_calldata_bytes: u32,
}

/// Where an execution reads balances and makes calls.
enum Chain<'a> {
    /// A frame alone over a balance view: every call is refused (a context built for a test).
    Lone(LoneFrame<'a>),
    /// A frame of a transaction's call tree: balances as the transaction has them, and calls.
    Frames(&'a mut dyn CallTree),
}

impl<'a> Chain<'a> {
    fn tree(&mut self) -> &mut dyn CallTree {
        match self {
            Chain::Lone(lone) => lone,
            Chain::Frames(tree) => &mut **tree,
        }
    }

    fn balance_of(&self, address: &Address) -> u64 {
        match self {
            Chain::Lone(lone) => lone.balance_of(address),
            Chain::Frames(tree) => tree.balance_of(address),
        }
    }
}

/// Where a frame starts in its transaction: its depth, the logs and events its callers made so far
/// (the limits count the whole chain), and what earlier successful frames of this contract left.
#[derive(Debug)]
pub struct FrameStart<'a> {
    /// The frame's depth (1 for the transaction's own).
    pub depth: u32,
    /// Logs its callers made so far.
    pub logs_before: usize,
    /// Events its callers emitted so far.
    pub events_before: usize,
    /// The contract's pages written by earlier successful frames of this transaction.
    pub pages: BTreeMap<u32, Page>,
    /// The collections committed by earlier successful frames of this transaction.
    pub collections: &'a CollectionStore,
}

/// One execution's view of the chain: the contract's storage (copy-on-write), its open collections,
/// registers, calldata, returndata, logs, events, calls, and what the transaction and the chain tell it.
pub struct ExecutionContext<'a> {
    env: ExecutionEnv<'a>,
    limits: VmcallLimits,
    layout: &'a StorageLayout,
    committed: &'a BTreeMap<u32, Page>,
    collections: &'a CollectionStore,
    pending_collections: &'a CollectionStore,
    chain: Chain<'a>,
    depth: u32,
    logs_before: usize,
    events_before: usize,
    stack_used: u64,
    written: BTreeMap<u32, Page>,
    open: OpenCollections,
    committed_collections: Vec<Collection>,
    loaded: BTreeSet<u32>,
    dirty: BTreeSet<u32>,
    registers: Registers,
    returndata: Vec<u8>,
    logs: Vec<Vec<u8>>,
    events: Vec<Event>,
    calls: Vec<CallRecord>,
    call_result: Vec<u8>,
}

/// Ends the execution with the vmcall error `e`.
fn refuse<T>(e: HostError) -> Result<T, Stop> {
    Err(Stop::Host(e))
}

/// The linear memory a memory vmcall needs: `no-memory` without one, `memory-out-of-bounds` when
/// `[ptr, ptr + len)` does not fit in it.
fn memory_range(memory: Option<&mut Vec<u8>>, ptr: u32, len: u64) -> Result<&mut [u8], Stop> {
    let Some(memory) = memory else { return refuse(HostError::NoMemory) };
    let end = u64::from(ptr) + len;
    if end > memory.len() as u64 {
        return refuse(HostError::MemoryOutOfBounds);
    }
    Ok(&mut memory[ptr as usize..end as usize])
}

/// The arguments of one call, type-checked against its spec.
struct Args<'v>(&'v [Value]);

impl Args<'_> {
    /// Argument `i`, an i32, read as unsigned.
    fn u32(&self, i: usize) -> u32 {
        match self.0[i] {
            Value::I32(v) => v as u32,
            _ => unreachable!("checked against the signature"),
        }
    }

    /// Argument `i`, an i64.
    fn i64(&self, i: usize) -> i64 {
        match self.0[i] {
            Value::I64(v) => v,
            _ => unreachable!("checked against the signature"),
        }
    }
}

/// What the per-byte part of a vmcall's price counts: `len` (by argument position) or the width of the
/// register class named by the first argument.
enum PricedBytes {
    None,
    Len(usize),
    RegisterWidth,
    /// `func_len + 9 × args_count + data_len` (`contract_call`).
    Call,
}

/// Which bytes each vmcall pays for (`docs/consensus.md`, Vmcalls, rule 3).
fn priced_bytes(name: &str) -> PricedBytes {
    match name {
        "storage_read_to_mem" | "storage_write_from_mem" | "storage_read_to_reg" | "storage_write_from_reg" => {
            PricedBytes::Len(2)
        }
        "calldata_copy" | "returndata_set" | "log" => PricedBytes::Len(1),
        "collection_insert" | "collection_get" => PricedBytes::Len(3),
        "collection_push" | "collection_pop" => PricedBytes::Len(2),
        "event_emit" => PricedBytes::Len(3),
        "call_result" => PricedBytes::Len(2),
        "contract_call" => PricedBytes::Call,
        "reg_set_from_mem" | "reg_get_to_mem" | "reg_copy" | "reg_cmp" => PricedBytes::RegisterWidth,
        _ => PricedBytes::None,
    }
}

impl<'a> ExecutionContext<'a> {
    /// A fresh context: every register zero, no page loaded or dirty, no collection open, no
    /// returndata, no logs; the contract has no committed collection (see [`Self::with_collections`]).
    /// It is a frame alone: no contract but its own exists, so every call it makes is refused.
    pub fn new(
        env: ExecutionEnv<'a>,
        layout: &'a StorageLayout,
        committed: &'a BTreeMap<u32, Page>,
        balances: &'a dyn BalanceView,
        limits: &Limits,
    ) -> ExecutionContext<'a> {
        let lone = LoneFrame::new(balances, env.contract, limits);
        Self::build(env, layout, committed, Chain::Lone(lone), limits)
    }

    /// A fresh context for a frame of `tree` that starts at `start`: it sees the contract's committed
    /// pages and collections `committed` and `collections` under what earlier frames left, and its
    /// vmcalls read balances from, and make calls through, `tree`.
    pub fn in_frame(
        env: ExecutionEnv<'a>,
        layout: &'a StorageLayout,
        committed: &'a BTreeMap<u32, Page>,
        collections: &'a CollectionStore,
        tree: &'a mut dyn CallTree,
        limits: &Limits,
        start: FrameStart<'a>,
    ) -> ExecutionContext<'a> {
        let mut context = Self::build(env, layout, committed, Chain::Frames(tree), limits);
        context.collections = collections;
        context.pending_collections = start.collections;
        context.depth = start.depth;
        context.logs_before = start.logs_before;
        context.events_before = start.events_before;
        context.written = start.pages;
        context
    }

    fn build(
        env: ExecutionEnv<'a>,
        layout: &'a StorageLayout,
        committed: &'a BTreeMap<u32, Page>,
        chain: Chain<'a>,
        limits: &Limits,
    ) -> ExecutionContext<'a> {
        ExecutionContext {
            env,
            limits: VmcallLimits {
                max_returndata_bytes: limits.max_returndata_bytes.into(),
                max_logs: limits.max_logs as usize,
                max_log_bytes: limits.max_log_bytes.into(),
                max_dirty_pages: limits.max_dirty_pages as usize,
                max_params: limits.max_params,
                max_calldata_bytes: limits.max_calldata_bytes,
            },
            layout,
            committed,
            collections: &NO_COLLECTIONS,
            pending_collections: &NO_COLLECTIONS,
            chain,
            depth: 1,
            logs_before: 0,
            events_before: 0,
            stack_used: 0,
            written: BTreeMap::new(),
            open: OpenCollections::new(),
            committed_collections: Vec::new(),
            loaded: BTreeSet::new(),
            dirty: BTreeSet::new(),
            registers: Registers::new(),
            returndata: Vec::new(),
            logs: Vec::new(),
            events: Vec::new(),
            calls: Vec::new(),
            call_result: Vec::new(),
        }
    }

    /// The context over the contract's committed collections `collections`.
    pub fn with_collections(mut self, collections: &'a CollectionStore) -> ExecutionContext<'a> {
        self.collections = collections;
        self
    }

    /// The pages written (a frame's include what earlier frames of its contract wrote), the
    /// collections committed, the returndata, the logs, the events and the call records.
    pub fn into_effects(self) -> Effects {
        Effects {
            written: self.written,
            collections: self.committed_collections,
            returndata: self.returndata,
            logs: self.logs,
            events: self.events,
            calls: self.calls,
        }
    }

    /// The commit of a successful execution's collections: every known, modified one is written back
    /// innermost first, into its parent's contents or its slot's 48 bytes (in this execution's copy of
    /// the page, already paid dirty when it was marked). Call it once, after the run succeeded.
    pub fn commit_collections(&mut self) {
        let written = std::mem::take(&mut self.open).commit();
        for (page, offset, state) in written.slots {
            let bytes = state.encode();
            let start = offset as usize;
            self.page_mut(page)[start..start + bytes.len()].copy_from_slice(&bytes);
        }
        self.committed_collections.extend(written.collections);
    }

    /// The open collections.
    pub fn open_collections(&self) -> &OpenCollections {
        &self.open
    }

    /// The registers.
    pub fn registers(&self) -> &Registers {
        &self.registers
    }

    /// The registers, to set up a test.
    pub fn registers_mut(&mut self) -> &mut Registers {
        &mut self.registers
    }

    /// Pages accessed so far (their load is paid).
    pub fn loaded_pages(&self) -> &BTreeSet<u32> {
        &self.loaded
    }

    /// Pages made dirty so far (their dirty price is paid).
    pub fn dirty_pages(&self) -> &BTreeSet<u32> {
        &self.dirty
    }

    /// The returndata set so far.
    pub fn returndata(&self) -> &[u8] {
        &self.returndata
    }

    /// The log entries so far.
    pub fn logs(&self) -> &[Vec<u8>] {
        &self.logs
    }

    /// The events emitted so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The calls made so far (records), in order.
    pub fn calls(&self) -> &[CallRecord] {
        &self.calls
    }

    /// The frame's call result `R` (empty before the first call and after a failed one).
    pub fn call_result(&self) -> &[u8] {
        &self.call_result
    }

    /// Page `index` as this execution sees it (its own writes included).
    pub fn page(&self, index: u32) -> &[u8; PAGE_SIZE] {
        self.written.get(&index).or_else(|| self.committed.get(&index)).map_or(&ZERO_PAGE, |p| p)
    }

    fn page_mut(&mut self, index: u32) -> &mut [u8; PAGE_SIZE] {
        let committed = self.committed;
        self.written
            .entry(index)
            .or_insert_with(|| committed.get(&index).cloned().unwrap_or_else(|| Box::new([0; PAGE_SIZE])))
    }

    fn depth(&self) -> u64 {
        u64::from(tree_depth(self.layout.page_count()))
    }

    /// The slice with index `slice` (`unknown-slice`).
    fn slice(&self, slice: u32) -> Result<PageSlice, Stop> {
        self.layout.slice(slice).copied().ok_or(Stop::Host(HostError::UnknownSlice))
    }

    /// The slice with index `slice` (`unknown-slice`), which must be of `kind` (`slice-kind`).
    fn slice_of_kind(&self, slice: u32, kind: SliceKind) -> Result<PageSlice, Stop> {
        let s = self.slice(slice)?;
        if s.kind() != kind {
            return refuse(HostError::SliceKind);
        }
        Ok(s)
    }

    /// A byte slice: `unknown-slice`, then `slice-kind` for a collection slot.
    fn byte_slice(&self, slice: u32) -> Result<PageSlice, Stop> {
        self.slice_of_kind(slice, SliceKind::Bytes)
    }

    /// `[offset, offset + len)` inside the slice (`slice-out-of-range`); the range in page coordinates.
    fn slice_range(slice: &PageSlice, offset: u32, len: u32) -> Result<std::ops::Range<usize>, Stop> {
        if u64::from(offset) + u64::from(len) > u64::from(slice.len) {
            return refuse(HostError::SliceOutOfRange);
        }
        let start = (slice.offset + offset) as usize;
        Ok(start..start + len as usize)
    }

    /// Page gas for reading `page`: `page_load` on its first access in this execution.
    fn pay_read(&mut self, page: u32, meter: &mut Meter) -> Result<(), Stop> {
        if !self.loaded.contains(&page) {
            meter.charge(PAGE_LOAD_BASE + PAGE_LOAD_PER_LEVEL * self.depth())?;
            self.loaded.insert(page);
        }
        Ok(())
    }

    /// Page gas for writing `page`: first the dirty-page limit, then `page_load` on first access plus
    /// `page_dirty` on first write, charged together.
    fn pay_write(&mut self, page: u32, meter: &mut Meter) -> Result<(), Stop> {
        let first_write = !self.dirty.contains(&page);
        if first_write && self.dirty.len() >= self.limits.max_dirty_pages {
            return refuse(HostError::TooManyDirtyPages);
        }
        let mut price = 0u64;
        if !self.loaded.contains(&page) {
            price += PAGE_LOAD_BASE + PAGE_LOAD_PER_LEVEL * self.depth();
        }
        if first_write {
            price += PAGE_DIRTY_BASE + PAGE_DIRTY_PER_LEVEL * self.depth();
        }
        meter.charge(price)?;
        self.loaded.insert(page);
        self.dirty.insert(page);
        Ok(())
    }

    fn run(
        &mut self,
        name: &str,
        a: &Args<'_>,
        memory: Option<&mut Vec<u8>>,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        let none = Ok(Vec::new());
        match name {
            "storage_read_to_mem" => {
                let (slice, offset, len, ptr) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
                let s = self.byte_slice(slice)?;
                let range = Self::slice_range(&s, offset, len)?;
                self.pay_read(s.page, meter)?;
                let target = memory_range(memory, ptr, len.into())?;
                target.copy_from_slice(&self.page(s.page)[range]);
                none
            }
            "storage_write_from_mem" => {
                let (slice, offset, len, ptr) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
                let s = self.byte_slice(slice)?;
                let range = Self::slice_range(&s, offset, len)?;
                let source = memory_range(memory, ptr, len.into())?;
                self.pay_write(s.page, meter)?;
                self.page_mut(s.page)[range].copy_from_slice(source);
                none
            }
            "storage_read_to_reg" => {
                let (slice, offset, len, bits, reg) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4));
                self.registers.check(bits, reg).map_err(Stop::Host)?;
                if len as usize > self.registers.width(bits).unwrap_or(0) {
                    return refuse(HostError::RegisterWidth);
                }
                let s = self.byte_slice(slice)?;
                let range = Self::slice_range(&s, offset, len)?;
                self.pay_read(s.page, meter)?;
                let bytes = self.page(s.page)[range].to_vec();
                self.registers.set(bits, reg, &bytes).map_err(Stop::Host)?;
                none
            }
            "storage_write_from_reg" => {
                let (slice, offset, len, bits, reg) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4));
                let Some(width) = self.registers.width(bits) else { return refuse(HostError::UnknownRegister) };
                if len as usize > width {
                    return refuse(HostError::RegisterWidth);
                }
                self.registers.check(bits, reg).map_err(Stop::Host)?;
                let s = self.byte_slice(slice)?;
                let range = Self::slice_range(&s, offset, len)?;
                self.pay_write(s.page, meter)?;
                let bytes = self.registers.get(bits, reg).map_err(Stop::Host)?[..len as usize].to_vec();
                self.page_mut(s.page)[range].copy_from_slice(&bytes);
                none
            }
            "storage_read_i32" | "storage_read_i64" => {
                let max = if name == "storage_read_i32" { 4 } else { 8 };
                let s = self.byte_slice(a.u32(0))?;
                if s.len > max {
                    return refuse(HostError::SliceTooWide);
                }
                self.pay_read(s.page, meter)?;
                let mut le = [0u8; 8];
                let start = s.offset as usize;
                le[..s.len as usize].copy_from_slice(&self.page(s.page)[start..start + s.len as usize]);
                let v = u64::from_le_bytes(le);
                Ok(vec![if max == 4 { Value::I32(v as u32 as i32) } else { Value::I64(v as i64) }])
            }
            "storage_write_i32" | "storage_write_i64" => {
                let (max, v) =
                    if name == "storage_write_i32" { (4, u64::from(a.u32(1))) } else { (8, a.i64(1) as u64) };
                let s = self.byte_slice(a.u32(0))?;
                if s.len > max {
                    return refuse(HostError::SliceTooWide);
                }
                self.pay_write(s.page, meter)?;
                let start = s.offset as usize;
                let len = s.len as usize;
                self.page_mut(s.page)[start..start + len].copy_from_slice(&v.to_le_bytes()[..len]);
                none
            }
            "storage_slice_len" => {
                let s = self.slice(a.u32(0))?;
                Ok(vec![Value::I32(s.len as i32)])
            }
            "reg_set_from_mem" => {
                let (bits, reg, ptr) = (a.u32(0), a.u32(1), a.u32(2));
                self.registers.check(bits, reg).map_err(Stop::Host)?;
                let width = self.registers.width(bits).unwrap_or(0);
                let source = memory_range(memory, ptr, width as u64)?;
                self.registers.set(bits, reg, source).map_err(Stop::Host)?;
                none
            }
            "reg_get_to_mem" => {
                let (bits, reg, ptr) = (a.u32(0), a.u32(1), a.u32(2));
                let value = self.registers.get(bits, reg).map_err(Stop::Host)?;
                let target = memory_range(memory, ptr, value.len() as u64)?;
                target.copy_from_slice(value);
                none
            }
            "reg_set_i64" => {
                let (bits, reg, v) = (a.u32(0), a.u32(1), a.i64(2));
                let width = self.registers.get(bits, reg).map_err(Stop::Host)?.len();
                let le = v.to_le_bytes();
                self.registers.set(bits, reg, &le[..width.min(8)]).map_err(Stop::Host)?;
                none
            }
            "reg_get_i64" => {
                let (bits, reg) = (a.u32(0), a.u32(1));
                let value = self.registers.get(bits, reg).map_err(Stop::Host)?;
                let mut le = [0u8; 8];
                let n = value.len().min(8);
                le[..n].copy_from_slice(&value[..n]);
                Ok(vec![Value::I64(i64::from_le_bytes(le))])
            }
            "reg_copy" => {
                let (bits, src, dst) = (a.u32(0), a.u32(1), a.u32(2));
                let value = self.registers.get(bits, src).map_err(Stop::Host)?.to_vec();
                self.registers.set(bits, dst, &value).map_err(Stop::Host)?;
                none
            }
            "reg_cmp" => {
                let (bits, x, y) = (a.u32(0), a.u32(1), a.u32(2));
                let x = self.registers.get(bits, x).map_err(Stop::Host)?;
                let y = self.registers.get(bits, y).map_err(Stop::Host)?;
                // Unsigned little-endian: the most significant byte is the last.
                let order = x.iter().rev().cmp(y.iter().rev());
                Ok(vec![Value::I32(order as i32)])
            }
            "calldata_len" => Ok(vec![Value::I32(self.env.calldata.len() as u32 as i32)]),
            "calldata_copy" => {
                let (offset, len, ptr) = (a.u32(0), a.u32(1), a.u32(2));
                let end = u64::from(offset) + u64::from(len);
                if end > self.env.calldata.len() as u64 {
                    return refuse(HostError::CalldataOutOfRange);
                }
                let target = memory_range(memory, ptr, len.into())?;
                target.copy_from_slice(&self.env.calldata[offset as usize..end as usize]);
                none
            }
            "returndata_set" => {
                let (ptr, len) = (a.u32(0), a.u32(1));
                if u64::from(len) > self.limits.max_returndata_bytes {
                    return refuse(HostError::ReturndataTooLarge);
                }
                let source = memory_range(memory, ptr, len.into())?;
                self.returndata = source.to_vec();
                none
            }
            "host_sender_to_reg" | "host_contract_to_reg" => {
                let address = if name == "host_sender_to_reg" { self.env.sender } else { self.env.contract };
                self.registers.set(ADDRESS_BITS, a.u32(0), &address.0).map_err(Stop::Host)?;
                none
            }
            "host_layer" => Ok(vec![Value::I64(self.env.layer as i64)]),
            "host_value" => Ok(vec![Value::I64(self.env.value as i64)]),
            "get_balance_from_reg" => {
                let (bits, reg) = (a.u32(0), a.u32(1));
                if bits != ADDRESS_BITS {
                    return refuse(HostError::RegisterWidth);
                }
                let bytes = self.registers.get(bits, reg).map_err(Stop::Host)?;
                let address =
                    Address(bytes.try_into().map_err(|_| Stop::Fault("a 160-bit register is 20 bytes".into()))?);
                Ok(vec![Value::I64(self.chain.balance_of(&address) as i64)])
            }
            "log" => {
                let (ptr, len) = (a.u32(0), a.u32(1));
                if self.logs_before + self.logs.len() >= self.limits.max_logs {
                    return refuse(HostError::TooManyLogs);
                }
                if u64::from(len) > self.limits.max_log_bytes {
                    return refuse(HostError::LogTooLarge);
                }
                let source = memory_range(memory, ptr, len.into())?;
                self.logs.push(source.to_vec());
                none
            }
            "event_emit" => self.event_emit(a, memory, meter),
            "contract_call" => self.contract_call(a, memory, meter),
            "call_result" => self.call_result_copy(a, memory),
            collection if collection.starts_with("collection_") => self.run_collection(collection, a, memory, meter),
            other => Err(Stop::Fault(format!("vmcall `{other}` is in the registry but not in the reference"))),
        }
    }
}

/// The gas a call of `spec` with `args` costs before any work: `base + per_byte × bytes`, saturating.
pub fn price(spec: &VmcallSpec, args: &[Value]) -> u64 {
    let bytes = match priced_bytes(spec.name) {
        PricedBytes::None => 0,
        PricedBytes::Len(i) => Args(args).u32(i).into(),
        PricedBytes::RegisterWidth => Registers::new().width(Args(args).u32(0)).unwrap_or(0) as u64,
        PricedBytes::Call => {
            let a = Args(args);
            svm_core::call::priced_bytes(a.u32(2), a.u32(4), a.u32(6))
        }
    };
    spec.price.base.saturating_add(spec.price.per_byte.saturating_mul(bytes))
}

/// Whether `args` have exactly the types of `params`.
fn types_match(args: &[Value], params: &[ValueType]) -> bool {
    args.len() == params.len() && args.iter().zip(params).all(|(a, p)| a.ty() == *p)
}

impl Host for ExecutionContext<'_> {
    fn vmcall(
        &mut self,
        name: &str,
        args: &[Value],
        memory: Option<&mut Vec<u8>>,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        let Some(spec) = vmcall(name) else {
            return Err(Stop::Fault(format!("`{name}` is not a vmcall (deploy validation admitted it)")));
        };
        if !types_match(args, spec.params) {
            return Err(Stop::Fault(format!("`{name}` called with {args:?}, not its signature")));
        }
        meter.charge(price(spec, args))?;
        let results = self.run(name, &Args(args), memory, meter)?;
        if !types_match(&results, spec.results) {
            return Err(Stop::Fault(format!("`{name}` returned {results:?}, not its signature")));
        }
        Ok(results)
    }

    fn stack_used(&mut self, used: u64) {
        self.stack_used = used;
    }
}
