//! Generated contracts that reach the whole vmcall surface and know their own effects.
//!
//! [`plan`] draws a [`ContractPlan`]: a storage layout (a few slices of every width on the first
//! pages, and a *strip* of 8-byte slices one per page across up to the page limit, for deep page
//! trees, many dirty pages and page-cache evictions), an optional memory, and functions made of
//! [`Step`]s. [`call`] draws a call to one of its functions. The WebAssembly is emitted from the plan
//! ([`emit`]); what a call must do is computed from the plan by `crate::models::generated`, never by
//! running the VM.
//!
//! Most steps are in range; a few are not on purpose (an unknown slice, a register class that does
//! not exist, a pointer past the memory, one log too many …), so that every host error is reached.

pub mod emit;
pub mod plan;

use plan::{CallSpec, ContractPlan, FunctionPlan, Handle, NO_KEY, RECURSION_EXHAUSTS, RECURSION_SAFE, Src, Step};
use rand::Rng;
use svm::Limits;
use svm::event::{MAX_EVENT_DATA_BYTES, MAX_EVENT_EXPIRY, MAX_EVENT_TOPICS, MAX_EVENTS};
use svm::registers::REGISTER_CLASSES;

/// Bytes in one storage page.
const PAGE: u32 = svm::storage::pages::PAGE_SIZE as u32;
/// Bytes in one memory page.
const WASM_PAGE: u32 = 65_536;
/// Widths of the slices laid out first (the integer forms need ≤ 8; the rest are for the byte forms).
const WIDTHS: [u32; 12] = [8, 4, 8, 1, 2, 3, 8, 16, 20, 32, 64, 200];
/// Bytes a collection slot takes in its page.
const COLLECTION_SPAN: u32 = svm::layout::COLLECTION_STATE_LEN;

/// What the step generator knows about the layout it is filling.
struct Shape {
    /// (index, length) of the slices on the first pages.
    varied: Vec<(u32, u32)>,
    /// The strip: its first slice index and its length (one 8-byte slice per page).
    strip_first: u32,
    strip_len: u32,
    /// Every slice.
    slice_count: u32,
    memory: bool,
    /// The collection slots, each with the one kind of collection the contract keeps there.
    slots: Vec<(u32, Flavor)>,
    /// Whether failures are dealt from the collection ones only.
    collections_only: bool,
}

/// The kind of collection a generated contract keeps in a slot (its shape never changes, so that
/// every open of it succeeds unless a step means it to fail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flavor {
    /// A map of `width`-byte keys to byte values.
    Map(u32),
    /// A set (kind 2) or sorted-set (kind 3) of `width`-byte keys.
    Set(u32, u32),
    /// A list of byte values.
    List,
    /// A map of 1-byte keys to lists.
    MapOfLists,
    /// A list of maps of 1-byte keys.
    ListOfMaps,
    /// Maps of maps, four deep: every level's values are collections.
    Chain,
}

/// The (kind, key width, value kind) of a map of 1-byte keys whose values are maps, of a list, and of
/// a map of 1-byte keys to bytes.
const MAP_OF_MAPS: (u32, u32, u32) = (1, 1, 1);
const LIST: (u32, u32, u32) = (4, 8, 0);
const SMALL_MAP: (u32, u32, u32) = (1, 1, 0);

impl Flavor {
    /// The vmcall arguments of its shape.
    fn args(self) -> (u32, u32, u32) {
        match self {
            Flavor::Map(width) => (1, width, 0),
            Flavor::Set(kind, width) => (kind, width, 0),
            Flavor::List => LIST,
            Flavor::MapOfLists => (1, 1, 1),
            Flavor::ListOfMaps => (4, 8, 1),
            Flavor::Chain => MAP_OF_MAPS,
        }
    }

    fn draw<R: Rng>(rng: &mut R) -> Flavor {
        match rng.random_range(0..8) {
            0 => Flavor::Map([1, 2, 8][rng.random_range(0..3)]),
            1 => Flavor::Map(1),
            2 => Flavor::Set(rng.random_range(2..=3), rng.random_range(1..=2)),
            3 => Flavor::List,
            4 => Flavor::MapOfLists,
            5 => Flavor::ListOfMaps,
            _ => Flavor::Chain,
        }
    }
}

/// The memory a collection family uses: four key cells, a value, a cursor's output and a read buffer.
const KEY_PTRS: [u32; 4] = [0, 8, 16, 24];
const VALUE_PTR: u32 = 32;
const OUT_PTR: u32 = 64;
const READ_PTR: u32 = 128;

/// A list index as the 8 big-endian bytes an `i64.store` of this value leaves in memory.
fn list_index(index: u64) -> Src {
    Src::Const(index.swap_bytes() as i64)
}

/// What a plan must have, besides what `rng` draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variety {
    /// Whatever is drawn.
    Any,
    /// No memory (every vmcall that needs one fails with `no-memory`).
    NoMemory,
    /// The page limit's worth of pages and a strip longer than the dirty-page limit.
    ManyPages,
    /// A memory, a slot of every kind of collection, and failures dealt from the collection ones only.
    Collections,
}

/// A contract plan drawn from `rng`.
pub fn plan<R: Rng>(rng: &mut R) -> ContractPlan {
    plan_of(rng, Variety::Any)
}

/// A contract plan of `variety` drawn from `rng`.
pub fn plan_of<R: Rng>(rng: &mut R, variety: Variety) -> ContractPlan {
    let limits = Limits::default();
    // Page counts from one page to the limit, the deep ones rarer.
    let page_count = match rng.random_range(0..10) {
        _ if variety == Variety::ManyPages => limits.max_pages,
        0..=1 => rng.random_range(1..=4),
        2..=3 => rng.random_range(5..=300),
        4..=6 => 1 << rng.random_range(9..=12),
        _ => limits.max_pages,
    };
    let mut slices = Vec::new();
    let mut varied = Vec::new();
    let (mut page, mut offset) = (0u32, 0u32);
    let mut slots = Vec::new();
    if variety == Variety::Collections {
        let every = [
            Flavor::Map(1),
            Flavor::Map(8),
            Flavor::Set(3, 2),
            Flavor::List,
            Flavor::MapOfLists,
            Flavor::ListOfMaps,
            Flavor::Chain,
        ];
        for flavor in every {
            slots.push((slices.len() as u32, flavor));
            slices.push([0, offset, 0]);
            offset += COLLECTION_SPAN;
        }
    }
    for _ in 0..rng.random_range(3..=WIDTHS.len()) {
        let len = if rng.random_bool(0.05) { PAGE } else { WIDTHS[rng.random_range(0..WIDTHS.len())] };
        if offset + len > PAGE {
            if page + 1 >= page_count.min(2) {
                break;
            }
            (page, offset) = (page + 1, 0);
        }
        varied.push((slices.len() as u32, len));
        slices.push([page, offset, len]);
        offset += len;
    }
    // Collection slots after the varied slices, on the same pages, in most contracts.
    for _ in 0..if rng.random_bool(0.6) { rng.random_range(1..=3) } else { 0 } {
        if offset + COLLECTION_SPAN > PAGE {
            if page + 1 >= page_count.min(2) {
                break;
            }
            (page, offset) = (page + 1, 0);
        }
        slots.push((slices.len() as u32, Flavor::draw(rng)));
        slices.push([page, offset, 0]);
        offset += COLLECTION_SPAN;
    }
    // The strip lives on the pages after the varied slices, spread evenly to the last page.
    let free_pages = page_count.saturating_sub(page + 1);
    let wanted = match rng.random_range(0..5) {
        _ if variety == Variety::ManyPages => limits.max_dirty_pages + 40,
        0 => 0,
        1 => rng.random_range(1..=16),
        2 => rng.random_range(17..=limits.max_dirty_pages),
        _ => rng.random_range(limits.max_dirty_pages + 1..=limits.max_dirty_pages + 40),
    };
    let strip_len = wanted.min(free_pages);
    let strip_first = slices.len() as u32;
    if let Some(stride) = free_pages.checked_div(strip_len) {
        for i in 0..strip_len {
            slices.push([page + 1 + i * stride, rng.random_range(0..PAGE / 8) * 8, 8]);
        }
    }
    let memory = variety == Variety::Collections || (variety != Variety::NoMemory && rng.random_bool(0.8));
    let data = if memory { (0..rng.random_range(0..=64)).map(|_| rng.random()).collect() } else { Vec::new() };
    let collections_only = variety == Variety::Collections;
    let shape =
        Shape { varied, strip_first, strip_len, slice_count: slices.len() as u32, memory, slots, collections_only };
    let mut deck = Vec::new();
    let function_count = if collections_only { 7 } else { rng.random_range(2..=7) };
    let functions = (0..function_count)
        .map(|i| FunctionPlan { name: format!("f{i}"), steps: steps(rng, &shape, &limits, &mut deck) })
        .collect();
    ContractPlan { page_count, slices, memory, data, functions }
}

/// A call to one of `plan`'s functions: (function, a, b, calldata, value).
pub struct PlannedCall {
    /// The function.
    pub function: String,
    /// Its first argument.
    pub a: i64,
    /// Its second argument.
    pub b: i64,
    /// The calldata, from empty to the limit (and now and then one byte past it).
    pub calldata: Vec<u8>,
    /// The value moved with the call.
    pub value: u64,
}

/// A call to one of `plan`'s functions drawn from `rng`, with at most `max_calldata` bytes of calldata
/// (the limit plus one to let some calls be invalid for it).
pub fn call<R: Rng>(rng: &mut R, plan: &ContractPlan, max_calldata: usize) -> PlannedCall {
    let max = Limits::default().max_calldata_bytes as usize;
    let function = &plan.functions[rng.random_range(0..plan.functions.len())];
    // Calldata long enough for every copy the function makes, most of the time.
    let need = function
        .steps
        .iter()
        .filter_map(|s| match *s {
            Step::CalldataCopy { offset, len, .. } => Some(offset as usize + len as usize),
            _ => None,
        })
        .filter(|&need| need <= max)
        .max();
    let len = match need {
        Some(need) if rng.random_bool(0.75) => rng.random_range(need..=max.min(need + 64)),
        _ => match rng.random_range(0..100) {
            0..20 => 0,
            20..60 => rng.random_range(1..=64),
            60..85 => rng.random_range(65..=4096),
            85..95 => rng.random_range(4097..=max),
            95..97 => max,
            _ => max + 1,
        },
    }
    .min(max_calldata);
    let arg = |rng: &mut R| match rng.random_range(0..4) {
        0 => rng.random_range(-8..=8),
        1 => rng.random(),
        _ => rng.random_range(0..1 << 20),
    };
    PlannedCall {
        function: function.name.clone(),
        a: arg(rng),
        b: arg(rng),
        calldata: (0..len).map(|_| rng.random()).collect(),
        value: if rng.random_bool(0.3) { rng.random_range(1..1000) } else { 0 },
    }
}

/// The steps of one function: families of steps that belong together, one to five failing steps each
/// guarded by its own two bits of the arguments (so that a quarter of calls trip each one), and in one
/// function of ten an unguarded failing step. Failing steps are dealt from `deck`, refilled with every
/// failure the shape allows when it runs out, so that each contract reaches them all evenly.
fn steps<R: Rng>(rng: &mut R, shape: &Shape, limits: &Limits, deck: &mut Vec<Step>) -> Vec<Step> {
    let mut steps = Vec::new();
    for _ in 0..rng.random_range(1..=12) {
        family(rng, shape, limits, &mut steps);
    }
    let mut deal = |rng: &mut R| {
        if deck.is_empty() {
            *deck = failures(rng, shape, limits);
        }
        deck.swap_remove(rng.random_range(0..deck.len()))
    };
    let mut shifts: Vec<u32> = (0..31).map(|i| i * 2).collect();
    let guarded = if shape.collections_only { rng.random_range(5..=7) } else { rng.random_range(3..=7) };
    for _ in 0..guarded {
        let shift = shifts.swap_remove(rng.random_range(0..shifts.len()));
        let at = rng.random_range(0..=steps.len());
        steps.insert(at, Step::Guarded { shift, then: Box::new(deal(rng)) });
    }
    if rng.random_bool(0.1) {
        let at = rng.random_range(0..=steps.len());
        steps.insert(at, deal(rng));
    }
    steps
}

fn src<R: Rng>(rng: &mut R) -> Src {
    match rng.random_range(0..5) {
        0 => Src::A,
        1 => Src::B,
        2 => Src::Acc,
        3 => Src::Const(rng.random_range(-4..=4)),
        _ => Src::Const(rng.random()),
    }
}

/// A slice for the integer forms: one of at most `max` bytes when there is one.
fn int_slice<R: Rng>(rng: &mut R, shape: &Shape, max: u32) -> Option<u32> {
    let fits: Vec<u32> = shape.varied.iter().filter(|(_, len)| *len <= max).map(|(i, _)| *i).collect();
    (!fits.is_empty()).then(|| fits[rng.random_range(0..fits.len())])
}

/// Any slice with its length.
fn any_slice<R: Rng>(rng: &mut R, shape: &Shape) -> (u32, u32) {
    if shape.strip_len > 0 && rng.random_bool(0.2) {
        return (shape.strip_first + rng.random_range(0..shape.strip_len), 8);
    }
    shape.varied[rng.random_range(0..shape.varied.len())]
}

/// An in-range (offset, len) inside a slice of `len` bytes, the whole slice half the time.
fn range<R: Rng>(rng: &mut R, len: u32) -> (u32, u32) {
    if rng.random_bool(0.5) {
        return (0, len);
    }
    let offset = rng.random_range(0..=len);
    (offset, rng.random_range(0..=len - offset))
}

/// A memory pointer for `len` bytes inside the first memory page.
fn ptr<R: Rng>(rng: &mut R, len: u32) -> u32 {
    match rng.random_range(0..4) {
        0 => 0,
        1 => WASM_PAGE - len.min(WASM_PAGE),
        _ => rng.random_range(0..=WASM_PAGE - len.min(WASM_PAGE)),
    }
}

/// A register class and an index inside it.
fn register<R: Rng>(rng: &mut R) -> (u32, u32) {
    let (bits, count) = REGISTER_CLASSES[rng.random_range(0..REGISTER_CLASSES.len())];
    (bits, rng.random_range(0..count))
}

/// One family of steps that belong together: a read, a write and a read of the same slice; a
/// register round trip; a burst of logs …
fn family<R: Rng>(rng: &mut R, shape: &Shape, limits: &Limits, steps: &mut Vec<Step>) {
    let memory = shape.memory;
    match rng.random_range(0..40) {
        // Integer forms, read before and after the write.
        0..=2 => {
            let wide = rng.random_bool(0.5);
            if let Some(slice) = int_slice(rng, shape, if wide { 8 } else { 4 }) {
                let (read, write) = if wide {
                    (Step::ReadI64 { slice }, Step::WriteI64 { slice, src: src(rng) })
                } else {
                    (Step::ReadI32 { slice }, Step::WriteI32 { slice, src: src(rng) })
                };
                steps.extend([read.clone(), write, read]);
            }
        }
        3 => steps.push(Step::SliceLen { slice: any_slice(rng, shape).0 }),
        // Bytes between storage and memory.
        4..=5 if memory => {
            let (slice, len) = any_slice(rng, shape);
            let (offset, n) = range(rng, len);
            let (from, to) = (ptr(rng, n), ptr(rng, n));
            steps.push(Step::ReadToMem { slice, offset, len: n, ptr: to });
            if rng.random_bool(0.5) {
                steps.push(Step::MemStore { ptr: ptr(rng, 8), src: src(rng) });
            }
            steps.push(Step::WriteFromMem { slice, offset, len: n, ptr: from });
            steps.push(Step::ReadToMem { slice, offset, len: n, ptr: ptr(rng, n) });
        }
        // Bytes between storage and registers, with the register read before it is written.
        6..=7 => {
            let (slice, len) = any_slice(rng, shape);
            let (bits, reg) = register(rng);
            let width = bits / 8;
            let (offset, n) = range(rng, len.min(width));
            let n = n.min(width);
            steps.push(Step::RegGetI64 { bits, reg });
            steps.push(Step::ReadToReg { slice, offset, len: n, bits, reg });
            steps.push(Step::RegGetI64 { bits, reg });
            if rng.random_bool(0.5) {
                steps.push(Step::RegSetI64 { bits, reg, src: src(rng) });
            }
            steps.push(Step::WriteFromReg { slice, offset, len: n, bits, reg });
        }
        // Registers among themselves and with memory.
        8..=9 => {
            let (bits, a) = register(rng);
            let count = REGISTER_CLASSES.iter().find(|(b, _)| *b == bits).map_or(1, |(_, c)| *c);
            let b = rng.random_range(0..count);
            steps.push(Step::RegCmp { bits, a, b });
            steps.push(Step::RegSetI64 { bits, reg: a, src: src(rng) });
            steps.push(Step::RegCopy { bits, src: a, dst: b });
            steps.push(Step::RegCmp { bits, a, b });
            if memory {
                steps.push(Step::RegSetFromMem { bits, reg: b, ptr: ptr(rng, bits / 8) });
                steps.push(Step::RegGetToMem { bits, reg: a, ptr: ptr(rng, bits / 8) });
            }
            steps.push(Step::RegGetI64 { bits, reg: b });
        }
        // The host context and balances.
        10 => {
            let reg = rng.random_range(0..8);
            steps.push(if rng.random_bool(0.5) { Step::SenderToReg { reg } } else { Step::ContractToReg { reg } });
            steps.push(Step::Balance { bits: 160, reg });
            steps.push(if rng.random_bool(0.5) { Step::Layer } else { Step::Value });
            if rng.random_bool(0.3) {
                steps.push(Step::Balance { bits: 160, reg: rng.random_range(0..8) });
            }
        }
        // Calldata in, returndata out.
        11..=12 if memory => {
            steps.push(Step::CalldataLen);
            let len = [0, 1, 32, 64, 1024, 4096, 4096, WASM_PAGE][rng.random_range(0..8)];
            let offset = if rng.random_bool(0.8) { 0 } else { rng.random_range(0..=64) };
            steps.push(Step::CalldataCopy { offset, len, ptr: ptr(rng, len) });
            let out = [0, 8, 64, 1024, WASM_PAGE][rng.random_range(0..5)];
            steps.push(Step::ReturndataSet { ptr: ptr(rng, out), len: out });
        }
        // Logs, up to the limit.
        13 if memory => {
            let len = [0, 1, 16, 100, limits.max_log_bytes][rng.random_range(0..5)];
            if rng.random_bool(0.5) {
                steps.push(Step::Log { ptr: ptr(rng, len), len });
            } else {
                let count = rng.random_range(1..=limits.max_logs);
                steps.push(Step::LogMany { count, ptr: ptr(rng, len), len });
            }
        }
        // Linear memory: stores, loads, fills, copies and growth.
        14..=15 if memory => {
            let p = ptr(rng, 8);
            steps.push(Step::MemLoad { ptr: p });
            steps.push(Step::MemStore { ptr: p, src: src(rng) });
            steps.push(Step::MemLoad { ptr: p });
            match rng.random_range(0..3) {
                0 => {
                    let len = rng.random_range(0..=4096);
                    steps.push(Step::Fill { ptr: ptr(rng, len), byte: rng.random(), len });
                }
                1 => {
                    let len = rng.random_range(0..=4096);
                    steps.push(Step::Copy { dst: ptr(rng, len), src: ptr(rng, len), len });
                }
                _ => {
                    let pages = [0, 1, 2, 8, limits.max_memory_pages][rng.random_range(0..5)];
                    steps.push(Step::Grow { pages });
                    // Past the first page, only after growing.
                    steps.push(Step::MemStore { ptr: WASM_PAGE + rng.random_range(0..64), src: src(rng) });
                }
            }
        }
        // Many pages: reads and writes across the strip.
        16..=17 if shape.strip_len > 0 => {
            let first = shape.strip_first;
            let count = rng.random_range(1..=shape.strip_len);
            if rng.random_bool(0.5) {
                steps.push(Step::ReadMany { first, count });
            }
            steps.push(Step::WriteMany { first, count, src: src(rng) });
            steps.push(Step::ReadMany { first, count: rng.random_range(1..=shape.strip_len) });
        }
        // Call depth and loops.
        18 => match rng.random_bool(0.8) {
            true => steps.push(Step::Recurse { depth: [0, 1, 10, 100, 1000, RECURSION_SAFE][rng.random_range(0..6)] }),
            false => steps.push(Step::CallIndirect { slot: 0 }),
        },
        19 => steps.push(Step::Spin { iterations: rng.random_range(0..=20_000) }),
        20..=24 if memory && !shape.slots.is_empty() => collection_family(rng, shape, steps),
        // Events: topics from the first bytes of the data (so that topics repeat across calls), mostly
        // short expiries (so that layer boundaries prune), now and then the longest.
        25..=29 if memory => {
            let topics = rng.random_range(0..=MAX_EVENT_TOPICS);
            let topics_ptr = [0, 32, 64][rng.random_range(0..3)];
            let len = [0, 8, 32, 100, MAX_EVENT_DATA_BYTES][rng.random_range(0..5)];
            let expiry = [0, 0, 1, 2, 3, 5, 8, 20, 100, MAX_EVENT_EXPIRY][rng.random_range(0..10)];
            let count = if rng.random_bool(0.8) { 1 } else { rng.random_range(2..=MAX_EVENTS) };
            let expiry = if count > 1 { expiry.min(8) } else { expiry };
            steps.push(Step::Emit { count, topics_ptr, topics, ptr: ptr(rng, len), len, expiry });
        }
        // Calls to the contract the calldata names (the workload writes hops there).
        30..=39 if memory => steps.push(Step::Call(call_spec(rng))),
        _ => steps.push(Step::CalldataLen),
    }
}

/// A [`Step::Call`] in range: the two `i64` arguments every generated function takes, mostly no
/// value and all the gas allowed, now and then a cap below any callee's intrinsic gas (out of gas) or
/// above it.
fn call_spec<R: Rng>(rng: &mut R) -> CallSpec {
    CallSpec {
        count: if rng.random_bool(0.85) { 1 } else { rng.random_range(2..=3) },
        args: vec![(1, [Src::A, Src::B, Src::Acc][rng.random_range(0..3)]), (1, src(rng))],
        args_ptr: plan::CALL_ARGS,
        args_count: 2,
        value: if rng.random_bool(0.7) { 0 } else { rng.random_range(1..=3) },
        gas: match rng.random_range(0..10) {
            0..7 => 0,
            7..9 => rng.random_range(1..20_000),
            _ => rng.random_range(20_000..1_000_000),
        },
        result_ptr: plan::CALL_RESULT,
        result_len: [0, 10, 64][rng.random_range(0..3)],
    }
}

/// A pointer past any memory a generated contract can grow.
const FAR: u32 = 0xFFFF_0000;

/// One [`Step::Call`] for each way a call fails: the caller's own bad input (a slot of no type, an
/// `i32` slot with upper bytes, too many arguments, arguments or a result past the memory, one call too
/// many), and the callee's refusals the caller chooses (argument mismatch, value it does not have,
/// gas below the intrinsic cost).
fn call_failures<R: Rng>(rng: &mut R) -> Vec<Step> {
    let base = CallSpec { count: 1, gas: 0, ..call_spec(rng) };
    let (first, second) = (base.args[0], base.args[1]);
    let specs = [
        CallSpec { args: vec![(7, first.1), second], ..base.clone() },
        CallSpec { args: vec![(0, Src::Const(-1)), second], ..base.clone() },
        CallSpec { args_count: 129, ..base.clone() },
        CallSpec { args_ptr: FAR, ..base.clone() },
        CallSpec { result_ptr: FAR, result_len: 16, ..base.clone() },
        CallSpec { count: svm_core::call::MAX_CALLS + 1, gas: 1, ..base.clone() },
        CallSpec { args: vec![first], args_count: 1, ..base.clone() },
        CallSpec { args: vec![first, (0, Src::Const(3))], ..base.clone() },
        CallSpec { value: u64::MAX / 2, ..base.clone() },
        CallSpec { gas: 1, ..base },
    ];
    specs.into_iter().map(Step::Call).collect()
}

/// One step for every failure the shape allows: every host error, every trap, a blown stack, and now
/// and then (it burns the whole gas limit) out of gas.
fn failures<R: Rng>(rng: &mut R, shape: &Shape, limits: &Limits) -> Vec<Step> {
    if shape.collections_only {
        // One slot of each family of errors (a set fails as a map does, a map of lists as the chain),
        // and a shape no collection has (kind 0), whatever the slot holds.
        let mut candidates = slot_failures(rng, shape, shape.slots[0].0);
        candidates.push(Step::CollOpen { dst: 0, slot: shape.slots[0].0, kind: 0, width: 8, values: 0 });
        for &(slot, flavor) in &shape.slots {
            if matches!(flavor, Flavor::Map(1) | Flavor::List | Flavor::ListOfMaps | Flavor::Chain) {
                candidates.extend(collection_failures(slot, flavor));
            }
            // Only the chain reaches the depth limit: its failure (the last) is dealt twice as often.
            if flavor == Flavor::Chain {
                candidates.extend(collection_failures(slot, flavor).pop());
            }
        }
        return candidates;
    }
    let (slice, len) = any_slice(rng, shape);
    let unknown_slice = shape.slice_count + rng.random_range(0..3);
    let mut candidates = vec![
        Step::ReadI64 { slice: unknown_slice },
        Step::ReadToReg { slice, offset: len, len: 1, bits: 256, reg: 0 },
        Step::RegGetI64 { bits: [0, 128, 8][rng.random_range(0..3)], reg: 0 },
        Step::RegCopy { bits: 64, src: 0, dst: 16 },
        Step::WriteFromReg { slice, offset: 0, len: 5, bits: 32, reg: 0 },
        Step::Balance { bits: 256, reg: 0 },
        Step::CalldataCopy { offset: limits.max_calldata_bytes, len: 1, ptr: 0 },
        Step::Recurse { depth: RECURSION_EXHAUSTS },
        Step::Unreachable,
        Step::DivideByZero,
        Step::CallIndirect { slot: 1 },
        Step::CallIndirect { slot: 2 },
        Step::CallIndirect { slot: plan::TABLE_SLOTS + rng.random_range(0..4) },
        Step::Overflow,
        Step::TruncNan,
    ];
    if let Some(&(wide, _)) = shape.varied.iter().find(|(_, len)| *len > 8) {
        candidates.push(Step::WriteI64 { slice: wide, src: Src::A });
    }
    if shape.memory {
        candidates.extend([
            Step::ReturndataSet { ptr: 0, len: limits.max_returndata_bytes + 1 },
            Step::Log { ptr: 0, len: limits.max_log_bytes + 1 },
            Step::LogMany { count: limits.max_logs + 1, ptr: 0, len: 4 },
            Step::ReadToMem { slice, offset: 0, len, ptr: WASM_PAGE - len / 2 },
            Step::MemStore { ptr: WASM_PAGE * limits.max_memory_pages, src: Src::B },
        ]);
        candidates.extend(event_failures());
        candidates.extend(call_failures(rng));
    } else {
        candidates.extend([
            Step::ReadToMem { slice, offset: 0, len, ptr: 0 },
            Step::Log { ptr: 0, len: 0 },
            Step::Emit { count: 1, topics_ptr: 0, topics: 0, ptr: 0, len: 0, expiry: 0 },
            Step::RegGetToMem { bits: 64, reg: 0, ptr: 0 },
        ]);
    }
    if shape.strip_len > limits.max_dirty_pages {
        for _ in 0..5 {
            let count = rng.random_range(limits.max_dirty_pages + 1..=shape.strip_len);
            candidates.push(Step::WriteMany { first: shape.strip_first, count, src: Src::Acc });
        }
    }
    // Of the collection failures, a contract of any variety draws two; the contract of every kind of
    // collection (`Variety::Collections`) is dealt them all.
    if let Some(&(slot, flavor)) = shape.slots.first() {
        let mut slot_failures = slot_failures(rng, shape, slot);
        if shape.memory {
            slot_failures.extend(collection_failures(slot, flavor));
        }
        for _ in 0..2 {
            candidates.push(slot_failures.swap_remove(rng.random_range(0..slot_failures.len())));
        }
    }
    if rng.random_bool(0.3) {
        candidates.push(Step::SpinForever);
    }
    candidates
}

/// One `event_emit` for each way it fails: too many topics, too much data, too long an expiry, one
/// event too many, topics past the end of memory.
fn event_failures() -> [Step; 5] {
    [
        Step::Emit { count: 1, topics_ptr: 0, topics: MAX_EVENT_TOPICS + 1, ptr: 0, len: 0, expiry: 0 },
        Step::Emit { count: 1, topics_ptr: 0, topics: 1, ptr: 0, len: MAX_EVENT_DATA_BYTES + 1, expiry: 0 },
        Step::Emit { count: 1, topics_ptr: 0, topics: 0, ptr: 0, len: 8, expiry: MAX_EVENT_EXPIRY + 1 },
        Step::Emit { count: MAX_EVENTS + 1, topics_ptr: 0, topics: 0, ptr: 0, len: 0, expiry: 0 },
        Step::Emit { count: 1, topics_ptr: WASM_PAGE - 16, topics: 1, ptr: 0, len: 0, expiry: 0 },
    ]
}

/// A key for a collection of `width`-byte keys: the low bytes of an argument, or a small constant
/// (so that keys repeat across calls and inserts meet earlier ones).
fn key_src<R: Rng>(rng: &mut R) -> Src {
    match rng.random_range(0..4) {
        0 => Src::A,
        1 => Src::B,
        _ => Src::Const(rng.random_range(0..6)),
    }
}

/// One family over one slot's collection: open it, then what its kind does — insert, look up,
/// remove, count and walk a map or set; push, index, pop a list; open children and use them.
fn collection_family<R: Rng>(rng: &mut R, shape: &Shape, steps: &mut Vec<Step>) {
    let (slot, flavor) = shape.slots[rng.random_range(0..shape.slots.len())];
    let (kind, width, values) = flavor.args();
    let h0 = Handle::Local(0);
    let key_ptr = KEY_PTRS[rng.random_range(0..KEY_PTRS.len())];
    steps.push(Step::CollOpen { dst: 0, slot, kind, width, values });
    match flavor {
        Flavor::Map(_) | Flavor::Set(..) => {
            let len = if let Flavor::Set(..) = flavor { 0 } else { [0, 1, 8, 100, 1024][rng.random_range(0..5)] };
            steps.push(Step::MemStore { ptr: key_ptr, src: key_src(rng) });
            steps.push(Step::MemStore { ptr: VALUE_PTR, src: src(rng) });
            steps.push(Step::CollInsert { handle: h0, key_ptr, ptr: VALUE_PTR, len });
            steps.push(Step::CollGet {
                handle: h0,
                key_ptr,
                ptr: READ_PTR,
                cap: [0, 4, 8, 64][rng.random_range(0..4)],
            });
            if rng.random_bool(0.4) {
                let other = KEY_PTRS[rng.random_range(0..KEY_PTRS.len())];
                steps.push(Step::MemStore { ptr: other, src: key_src(rng) });
                steps.push(Step::CollRemove { handle: h0, key_ptr: other });
            }
            steps.push(Step::CollLen { handle: h0 });
            let after = if rng.random_bool(0.5) { NO_KEY } else { key_ptr };
            let bound = if rng.random_bool(0.5) { NO_KEY } else { KEY_PTRS[rng.random_range(0..KEY_PTRS.len())] };
            for _ in 0..rng.random_range(1..=3) {
                steps.push(Step::CollNext { handle: h0, after, bound, out: OUT_PTR });
            }
        }
        Flavor::List => {
            steps.push(Step::MemStore { ptr: VALUE_PTR, src: src(rng) });
            steps.push(Step::CollPush { handle: h0, ptr: VALUE_PTR, len: [0, 8, 100][rng.random_range(0..3)] });
            // Index 0 exists after the push.
            steps.push(Step::MemStore { ptr: key_ptr, src: list_index(0) });
            steps.push(Step::CollInsert { handle: h0, key_ptr, ptr: VALUE_PTR, len: 8 });
            steps.push(Step::MemStore { ptr: key_ptr, src: list_index(rng.random_range(0..4)) });
            steps.push(Step::CollGet { handle: h0, key_ptr, ptr: READ_PTR, cap: 8 });
            if rng.random_bool(0.4) {
                steps.push(Step::CollPop { handle: h0, ptr: READ_PTR, cap: [0, 8][rng.random_range(0..2)] });
            }
            steps.push(Step::CollLen { handle: h0 });
            steps.push(Step::CollNext { handle: h0, after: NO_KEY, bound: NO_KEY, out: OUT_PTR });
        }
        Flavor::MapOfLists => {
            steps.push(Step::MemStore { ptr: key_ptr, src: key_src(rng) });
            let (k, w, v) = LIST;
            steps.push(Step::CollNested { dst: 1, handle: h0, key_ptr, kind: k, width: w, values: v });
            steps.push(Step::MemStore { ptr: VALUE_PTR, src: src(rng) });
            steps.push(Step::CollPush { handle: Handle::Local(1), ptr: VALUE_PTR, len: 8 });
            steps.push(Step::CollLen { handle: Handle::Local(1) });
            steps.push(Step::CollLen { handle: h0 });
            if rng.random_bool(0.25) {
                steps.push(Step::CollRemove { handle: h0, key_ptr });
            }
        }
        Flavor::ListOfMaps => {
            // Index 0: the first child, created when the list is empty.
            steps.push(Step::MemStore { ptr: key_ptr, src: list_index(0) });
            let (k, w, v) = SMALL_MAP;
            steps.push(Step::CollNested { dst: 1, handle: h0, key_ptr, kind: k, width: w, values: v });
            let child_key = KEY_PTRS[(KEY_PTRS.iter().position(|&p| p == key_ptr).unwrap_or(0) + 1) % KEY_PTRS.len()];
            steps.push(Step::MemStore { ptr: child_key, src: key_src(rng) });
            steps.push(Step::MemStore { ptr: VALUE_PTR, src: src(rng) });
            steps.push(Step::CollInsert { handle: Handle::Local(1), key_ptr: child_key, ptr: VALUE_PTR, len: 8 });
            steps.push(Step::CollGet { handle: Handle::Local(1), key_ptr: child_key, ptr: READ_PTR, cap: 8 });
            steps.push(Step::CollLen { handle: h0 });
            if rng.random_bool(0.2) {
                steps.push(Step::CollPop { handle: h0, ptr: READ_PTR, cap: 8 });
            }
        }
        Flavor::Chain => {
            steps.push(Step::MemStore { ptr: key_ptr, src: key_src(rng) });
            let (k, w, v) = MAP_OF_MAPS;
            for depth in 1..=3 {
                let handle = Handle::Local(depth - 1);
                steps.push(Step::CollNested { dst: depth, handle, key_ptr, kind: k, width: w, values: v });
            }
            steps.push(Step::CollLen { handle: Handle::Local(3) });
            if rng.random_bool(0.3) {
                let count = rng.random_range(1..=20);
                steps.push(Step::CollNestMany { dst: 1, handle: h0, key_ptr, count, kind: k, width: w, values: v });
            }
        }
    }
}

/// Failing steps that need only a slot (and a byte slice): a byte read of the slot, an unknown
/// handle, an invalid shape, a byte slice opened as a collection.
fn slot_failures<R: Rng>(rng: &mut R, shape: &Shape, slot: u32) -> Vec<Step> {
    let mut steps = vec![
        Step::ReadI64 { slice: slot },
        Step::CollLen { handle: Handle::Const(MAX_HANDLE + rng.random_range(0..8)) },
        Step::CollOpen {
            dst: 0,
            slot,
            kind: [0, 5, 1, 4][rng.random_range(0..4)],
            width: [0, 33, 4][rng.random_range(0..3)],
            values: 0,
        },
    ];
    if let Some(&(bytes, _)) = shape.varied.first() {
        steps.push(Step::CollOpen { dst: 0, slot: bytes, kind: 1, width: 1, values: 0 });
    }
    steps
}

/// Failing steps over the collection in `slot`, which holds `flavor`: every collection error its kind
/// can raise, each after opening it.
fn collection_failures(slot: u32, flavor: Flavor) -> Vec<Step> {
    let (kind, width, values) = flavor.args();
    let open = Step::CollOpen { dst: 0, slot, kind, width, values };
    let h0 = Handle::Local(0);
    let mut steps = Vec::new();
    let seq = |more: Vec<Step>| Step::Seq { steps: [vec![open.clone()], more].concat() };
    match flavor {
        Flavor::Map(_) | Flavor::Set(..) => {
            steps.push(seq(vec![Step::CollPush { handle: h0, ptr: VALUE_PTR, len: 8 }]));
            steps.push(seq(vec![Step::CollInsert { handle: h0, key_ptr: 0, ptr: VALUE_PTR, len: 1025 }]));
            steps.push(seq(vec![Step::CollNested { dst: 1, handle: h0, key_ptr: 0, kind: 1, width: 1, values: 0 }]));
        }
        Flavor::List => {
            steps.push(seq(vec![Step::CollRemove { handle: h0, key_ptr: 0 }]));
            steps.push(seq(vec![
                Step::MemStore { ptr: 0, src: list_index(u64::MAX >> 1) },
                Step::CollInsert { handle: h0, key_ptr: 0, ptr: VALUE_PTR, len: 8 },
            ]));
            steps.push(seq(vec![Step::CollInsert { handle: h0, key_ptr: 0, ptr: VALUE_PTR, len: 1025 }]));
        }
        Flavor::MapOfLists | Flavor::ListOfMaps | Flavor::Chain => {
            steps.push(seq(vec![Step::CollGet { handle: h0, key_ptr: 0, ptr: READ_PTR, cap: 8 }]));
            if flavor == Flavor::ListOfMaps {
                steps.push(seq(vec![
                    Step::MemStore { ptr: 0, src: list_index(u64::MAX >> 1) },
                    Step::CollNested { dst: 1, handle: h0, key_ptr: 0, kind: 1, width: 1, values: 0 },
                ]));
            } else {
                let (k, w, v) = if flavor == Flavor::Chain { MAP_OF_MAPS } else { LIST };
                let many = MAX_HANDLE;
                steps.push(seq(vec![Step::CollNestMany {
                    dst: 1,
                    handle: h0,
                    key_ptr: 0,
                    count: many,
                    kind: k,
                    width: w,
                    values: v,
                }]));
            }
            if flavor == Flavor::Chain {
                let (k, w, v) = MAP_OF_MAPS;
                let chain = (1..=4).map(|d| Step::CollNested {
                    dst: d.min(3),
                    handle: Handle::Local(d - 1),
                    key_ptr: 0,
                    kind: k,
                    width: w,
                    values: v,
                });
                steps.push(seq(chain.collect()));
            }
        }
    }
    steps
}

/// As many handles as an execution may have open: a constant handle this large is never known.
const MAX_HANDLE: u32 = svm::collection_state::MAX_OPEN_COLLECTIONS as u32;

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Streams and reproducers carry plans as JSON: every step the generator draws must round-trip
    /// (an internally tagged enum cannot carry a bare sequence, for one).
    #[test]
    fn every_plan_round_trips_through_json() {
        let mut kinds = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let plan = plan(&mut rng);
            let json = serde_json::to_string(&plan).expect("a plan serializes");
            let back: ContractPlan = serde_json::from_str(&json).expect("a plan deserializes");
            assert_eq!(back, plan);
            for step in plan.functions.iter().flat_map(|f| &f.steps) {
                kinds.insert(format!("{step:?}").split([' ', '{', '(']).next().unwrap_or_default().to_string());
            }
        }
        for kind in ["CollOpen", "CollNested", "CollNestMany", "Guarded", "CollNext", "CollPop"] {
            assert!(kinds.contains(kind), "no {kind} in 200 plans: {kinds:?}");
        }
    }
}
