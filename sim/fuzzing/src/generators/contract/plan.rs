//! The plan of a generated contract: its storage layout, its memory, and each exported function as a
//! list of steps. The plan is all the generator knows, and all the expected-effects model needs: the
//! WebAssembly is emitted from it ([`super::emit`]), and what a call must do is computed from it by
//! interpreting the steps over a plain model (`crate::models::generated`), never by running the VM.

use serde::{Deserialize, Serialize};

/// Where a step takes an `i64` from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Src {
    /// A constant.
    Const(i64),
    /// The function's first argument.
    A,
    /// The function's second argument.
    B,
    /// The accumulator so far.
    Acc,
}

/// The collection handle a step uses: one of the function's four handle locals (`$h0`…`$h3`, zero
/// until a step sets them), or a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handle {
    /// Handle local `$h{n}`.
    Local(u32),
    /// A constant handle.
    Const(u32),
}

/// The pointer argument meaning "none" to `collection_next`.
pub const NO_KEY: u32 = u32::MAX;

/// One step of a generated function. Indices, offsets, lengths, pointers, register classes and
/// indices are whatever the generator chose — sometimes out of range on purpose, which the model
/// turns into the host error the VM must raise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum Step {
    /// `storage_write_i64(slice, src)`.
    WriteI64 { slice: u32, src: Src },
    /// `storage_write_i32(slice, src as i32)`.
    WriteI32 { slice: u32, src: Src },
    /// acc ← mix(acc, `storage_read_i64(slice)`).
    ReadI64 { slice: u32 },
    /// acc ← mix(acc, `storage_read_i32(slice)` as u32).
    ReadI32 { slice: u32 },
    /// `storage_write_from_mem(slice, offset, len, ptr)`.
    WriteFromMem { slice: u32, offset: u32, len: u32, ptr: u32 },
    /// `storage_read_to_mem(slice, offset, len, ptr)`.
    ReadToMem { slice: u32, offset: u32, len: u32, ptr: u32 },
    /// `storage_write_from_reg(slice, offset, len, bits, reg)`.
    WriteFromReg { slice: u32, offset: u32, len: u32, bits: u32, reg: u32 },
    /// `storage_read_to_reg(slice, offset, len, bits, reg)`.
    ReadToReg { slice: u32, offset: u32, len: u32, bits: u32, reg: u32 },
    /// acc ← mix(acc, `storage_slice_len(slice)`).
    SliceLen { slice: u32 },
    /// `reg_set_i64(bits, reg, src)`.
    RegSetI64 { bits: u32, reg: u32, src: Src },
    /// acc ← mix(acc, `reg_get_i64(bits, reg)`).
    RegGetI64 { bits: u32, reg: u32 },
    /// `reg_copy(bits, src, dst)`.
    RegCopy { bits: u32, src: u32, dst: u32 },
    /// acc ← mix(acc, `reg_cmp(bits, a, b)` sign-extended).
    RegCmp { bits: u32, a: u32, b: u32 },
    /// `reg_set_from_mem(bits, reg, ptr)`.
    RegSetFromMem { bits: u32, reg: u32, ptr: u32 },
    /// `reg_get_to_mem(bits, reg, ptr)`.
    RegGetToMem { bits: u32, reg: u32, ptr: u32 },
    /// acc ← mix(acc, `calldata_len()`).
    CalldataLen,
    /// `calldata_copy(offset, len, ptr)`.
    CalldataCopy { offset: u32, len: u32, ptr: u32 },
    /// `returndata_set(ptr, len)`.
    ReturndataSet { ptr: u32, len: u32 },
    /// `host_sender_to_reg(reg)`.
    SenderToReg { reg: u32 },
    /// `host_contract_to_reg(reg)`.
    ContractToReg { reg: u32 },
    /// acc ← mix(acc, `host_layer()`).
    Layer,
    /// acc ← mix(acc, `host_value()`).
    Value,
    /// acc ← mix(acc, `get_balance_from_reg(bits, reg)`).
    Balance { bits: u32, reg: u32 },
    /// `log(ptr, len)`.
    Log { ptr: u32, len: u32 },
    /// `log(ptr, len)`, `count` times.
    LogMany { count: u32, ptr: u32, len: u32 },
    /// `event_emit(topics_ptr, topics, ptr, len, expiry)`, `count` times.
    Emit { count: u32, topics_ptr: u32, topics: u32, ptr: u32, len: u32, expiry: u32 },
    /// `i64.store(ptr, src)`.
    MemStore { ptr: u32, src: Src },
    /// acc ← mix(acc, `i64.load(ptr)`).
    MemLoad { ptr: u32 },
    /// `memory.fill(ptr, byte, len)`.
    Fill { ptr: u32, byte: u8, len: u32 },
    /// `memory.copy(dst, src, len)`.
    Copy { dst: u32, src: u32, len: u32 },
    /// acc ← mix(acc, `memory.grow(pages)` sign-extended).
    Grow { pages: u32 },
    /// `storage_write_i64(first + i, src)` for i in 0..count (many dirty pages, deep trees).
    WriteMany { first: u32, count: u32, src: Src },
    /// acc ← mix(acc, `storage_read_i64(first + i)`) for i in 0..count (many pages read, evictions).
    ReadMany { first: u32, count: u32 },
    /// acc ← mix(acc, a recursion `depth` calls deep, which returns `depth`).
    Recurse { depth: u32 },
    /// A loop of `iterations` that does nothing but cost gas.
    Spin { iterations: u32 },
    /// A loop that never ends: out of gas.
    SpinForever,
    /// acc ← mix(acc, `call_indirect` of table slot `slot` with the recursion helper's type and
    /// argument 5): slot 0 holds the helper (5), slot 1 a function of another type, slot 2 nothing,
    /// and the table ends there.
    CallIndirect { slot: u32 },
    /// `i64.div_s(i64::MIN, -1)`: integer overflow.
    Overflow,
    /// `i64.trunc_f64_s` of a NaN: invalid conversion to integer.
    TruncNan,
    /// `unreachable`.
    Unreachable,
    /// `then`, only when [`guard`] holds for the call's arguments and `shift`.
    Guarded { shift: u32, then: Box<Step> },
    /// An `i64.div_u` by zero.
    DivideByZero,
    /// `$h{dst}` ← `collection_open(slot, kind, width, values)`; acc ← mix(acc, it).
    CollOpen { dst: u32, slot: u32, kind: u32, width: u32, values: u32 },
    /// `$h{dst}` ← `collection_open_nested(handle, key_ptr, kind, width, values)`; acc ← mix(acc, it).
    CollNested { dst: u32, handle: Handle, key_ptr: u32, kind: u32, width: u32, values: u32 },
    /// For i in 0..count: `i64.store(key_ptr, i)`, then [`Step::CollNested`].
    CollNestMany { dst: u32, handle: Handle, key_ptr: u32, count: u32, kind: u32, width: u32, values: u32 },
    /// acc ← mix(acc, `collection_insert(handle, key_ptr, ptr, len)`).
    CollInsert { handle: Handle, key_ptr: u32, ptr: u32, len: u32 },
    /// acc ← mix(acc, `collection_get(handle, key_ptr, ptr, cap)`).
    CollGet { handle: Handle, key_ptr: u32, ptr: u32, cap: u32 },
    /// acc ← mix(acc, `collection_remove(handle, key_ptr)`).
    CollRemove { handle: Handle, key_ptr: u32 },
    /// acc ← mix(acc, `collection_push(handle, ptr, len)`).
    CollPush { handle: Handle, ptr: u32, len: u32 },
    /// acc ← mix(acc, `collection_pop(handle, ptr, cap)`).
    CollPop { handle: Handle, ptr: u32, cap: u32 },
    /// acc ← mix(acc, `collection_len(handle)`).
    CollLen { handle: Handle },
    /// acc ← mix(acc, `collection_next(handle, after, bound, out)`) ([`NO_KEY`]: none).
    CollNext { handle: Handle, after: u32, bound: u32, out: u32 },
    /// The steps, in order (a failure that needs its set-up).
    Seq { steps: Vec<Step> },
    /// A call to another contract (see [`CallSpec`]).
    Call(CallSpec),
}

/// A call to the contract the calldata names, `count` times: copy the first [`HOP_COPY`] bytes of
/// calldata to [`CALL_AT`] (a *hop*: `callee ‖ 2-byte function name ‖ data for the callee`), write
/// `args` as 9-byte slots `u8 type ‖ u64le` at [`CALL_ARGS`], then acc ← mix(acc, status) for each
/// `contract_call(CALL_AT, CALL_AT + 20, 2, args_ptr, args_count, CALL_AT + 22, hop − 22, value,
/// gas)`, then acc ← mix(acc, `call_result(result_ptr, 0, result_len)`) and, in a plan with a memory,
/// acc ← mix(acc, `i64.load(result_ptr + 2)`) (the first result's bits, or what memory held).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSpec {
    /// Calls made in a row.
    pub count: u32,
    /// The argument slots written: (type code, value).
    pub args: Vec<(u8, Src)>,
    /// Where the call reads its arguments.
    pub args_ptr: u32,
    /// How many it reads.
    pub args_count: u32,
    /// The value each call moves.
    pub value: u64,
    /// The gas each call forwards (0: all allowed).
    pub gas: u64,
    /// Where `call_result` copies to.
    pub result_ptr: u32,
    /// How many bytes it copies at most.
    pub result_len: u32,
}

/// Where a [`Step::Call`] copies its hop from calldata.
pub const CALL_AT: u32 = 0xC000;
/// The most calldata a [`Step::Call`] copies.
pub const HOP_COPY: u32 = 8192;
/// Bytes of a hop's head: the callee's address and a 2-byte function name.
pub const HOP_HEAD: u32 = 22;
/// Where a [`Step::Call`] writes its argument slots.
pub const CALL_ARGS: u32 = CALL_AT + HOP_COPY;
/// Where a [`Step::Call`] reads its result to, in range.
pub const CALL_RESULT: u32 = CALL_ARGS + 128;

/// The bytes of calldata a [`Step::Call`] copies from `calldata_len` bytes.
pub fn hop_len(calldata_len: u32) -> u32 {
    calldata_len.min(HOP_COPY)
}

/// One exported function: `(param i64 i64) (result i64)`, returning the accumulator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionPlan {
    /// The export's name.
    pub name: String,
    /// What it does, in order.
    pub steps: Vec<Step>,
}

/// A generated contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractPlan {
    /// Storage pages.
    pub page_count: u32,
    /// Storage slices as `[page, offset, len]` (`len` 0: a collection slot).
    pub slices: Vec<[u32; 3]>,
    /// Whether it exports a memory (one 64 KiB page to start, growable to the cap).
    pub memory: bool,
    /// Bytes at address 0 of the memory when an execution starts.
    pub data: Vec<u8>,
    /// The exported functions.
    pub functions: Vec<FunctionPlan>,
}

/// The multiplier that spreads the first argument's bits before a guard looks at them.
pub const GUARD_SPREAD: i64 = 0x9E37_79B9_7F4A_7C15_u64 as i64;

/// Whether a [`Step::Guarded`] step runs: bits `shift` and `shift + 1` of `a × GUARD_SPREAD ⊕ b` are
/// both clear (one call in four). Both the emitted code and the model use it.
pub fn guard(a: i64, b: i64, shift: u32) -> bool {
    ((a.wrapping_mul(GUARD_SPREAD) ^ b) as u64 >> shift) & 3 == 0
}

/// The accumulator's mix: rotate left by 5, then xor. Both the emitted code and the model use it.
pub fn mix(acc: i64, value: i64) -> i64 {
    acc.rotate_left(5) ^ value
}

/// The deepest [`Step::Recurse`] the generator asks for that must succeed: well inside the stack
/// budget whatever frame the exported function has.
pub const RECURSION_SAFE: u32 = 3_000;

/// The shallowest [`Step::Recurse`] the generator asks for that must exhaust the stack budget. The
/// generator never picks a depth between the two, so the model needs no frame arithmetic.
pub const RECURSION_EXHAUSTS: u32 = 20_000;

/// The slots of every generated contract's table (two filled, one empty).
pub const TABLE_SLOTS: u32 = 3;

/// A gas limit no generated call can reach unless it loops forever: calls given at least this much
/// must end exactly as the model says; calls given less may also run out of gas.
pub const AMPLE_GAS: u64 = 100_000_000;

impl Step {
    /// Whether it calls another contract (itself or in a step it guards or sequences).
    pub fn calls(&self) -> bool {
        match self {
            Step::Call(_) => true,
            Step::Guarded { then, .. } => then.calls(),
            Step::Seq { steps } => steps.iter().any(Step::calls),
            _ => false,
        }
    }
}

impl ContractPlan {
    /// The contract ready to deploy: its code (assembled from [`super::emit::wat`]) and its layout.
    pub fn source(&self, name: &str) -> crate::contract_source::ContractSource {
        crate::contract_source::ContractSource {
            name: name.to_string(),
            code: assemble(&super::emit::wat(self)),
            page_count: self.page_count,
            slices: self
                .slices
                .iter()
                .map(|&[page, offset, len]| svm::storage::page_slices::PageSlice::bytes(page, offset, len))
                .collect(),
        }
    }

    /// The plan split in two: a library holding every function that can move into one, importing the recursion
    /// helper from the library whose code hash is `helper`, and the contract linking it (and the helper) whose
    /// exports call those functions. Calls do what the plan says either way.
    pub fn split_sources(&self, name: &str, helper: &svm::Hash) -> (Vec<u8>, crate::contract_source::ContractSource) {
        let helper = helper.to_string();
        let library = assemble(&super::emit::split_library_wat(self, &helper));
        let library_name = svm::code::code_hash(&library).to_string();
        let mut source = self.source(name);
        source.code = assemble(&super::emit::split_contract_wat(self, &helper, &library_name));
        (library, source)
    }

    /// Whether `code` is what the plan generates for contract `name`: whole, or split with the shared recursion
    /// helper ([`ContractPlan::split_sources`]).
    pub fn generates(&self, name: &str, code: &[u8]) -> bool {
        self.source(name).code == code
            || self.split_sources(name, &svm::code::code_hash(&helper_library())).1.code == code
    }

    /// The function called `name`.
    pub fn function(&self, name: &str) -> Option<&FunctionPlan> {
        self.functions.iter().find(|f| f.name == name)
    }
}

/// The code of the library split contracts import their recursion helper from.
pub fn helper_library() -> Vec<u8> {
    assemble(&super::emit::helper_library_wat())
}

/// `text` assembled. The emitter writes only constructs the text format accepts; a failure is a bug in it.
fn assemble(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|e| panic!("generated code does not assemble: {e}\n{text}"))
}
