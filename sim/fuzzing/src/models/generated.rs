//! The model of generated contracts: interprets a [`ContractPlan`]'s steps over plain slices,
//! registers and memory, with each vmcall's documented checks in the VM's order (`docs/vmcalls.md`):
//! the first failing check is the outcome, and a failed call changes nothing.

use super::calls::{Frame, Shared};
use super::collections::{KnownContents, Surroundings, Table, UNKNOWN_CONTENTS};
use super::scratch::{Memory, Registers};
use super::{Balances, CallEffects, ContractModel, ModelCall, le_integer};
use crate::generators::contract::plan::{
    AMPLE_GAS, CALL_ARGS, CALL_AT, CallSpec, ContractPlan, HOP_HEAD, Handle, RECURSION_SAFE, Src, Step, TABLE_SLOTS,
    guard, hop_len, mix,
};
use std::collections::BTreeSet;
use svm::event::{Event, MAX_EVENT_DATA_BYTES, MAX_EVENT_EXPIRY, MAX_EVENT_TOPICS, MAX_EVENTS, TOPIC_LEN};
use svm::outcome::{Outcome, TrapKind};
use svm::vmcalls::HostError;
use svm::{Address, Limits, Value, ValueType};
use svm_core::call::{CallRecord, MAX_CALL_DEPTH, MAX_CALLS, VALUE_SLOT_BYTES, call_result, slot_value, status};

/// A generated contract's model: its plan.
pub struct GeneratedModel {
    plan: ContractPlan,
    limits: Limits,
    known: KnownContents,
}

impl GeneratedModel {
    /// The collection states the plan's slots hold in `slices` (the slots' 48-byte slices).
    pub fn slot_states<'s>(&self, slices: &'s [Vec<u8>]) -> impl Iterator<Item = &'s [u8]> {
        let slots: Vec<usize> = (0..self.plan.slices.len()).filter(|&i| self.plan.slices[i][2] == 0).collect();
        slots.into_iter().filter_map(|i| slices.get(i).map(Vec::as_slice))
    }

    /// Every collection's contents it knows, by root (to learn what calls it could not follow left behind).
    pub fn known(&self) -> &KnownContents {
        &self.known
    }

    /// The model of `plan`, under the default limits.
    pub fn new(plan: ContractPlan) -> GeneratedModel {
        GeneratedModel { plan, limits: Limits::default(), known: KnownContents::default() }
    }
}

impl ContractModel for GeneratedModel {
    fn ample_gas(&self) -> u64 {
        AMPLE_GAS
    }

    fn params(&self, function: &str) -> Option<Vec<ValueType>> {
        self.plan.function(function).map(|_| vec![ValueType::I64, ValueType::I64])
    }

    fn call(&self, slices: &[Vec<u8>], call: &ModelCall<'_>, balances: &dyn Balances) -> CallEffects {
        let shared = Shared::default();
        let done = self.frame(slices, call, balances, &shared, Frame::top(call.contract), Vec::new(), Vec::new());
        if done.as_ref().is_err_and(|outcome| *outcome == UNKNOWN_CONTENTS) {
            shared.uncertain.set(true);
        }
        let effects = match done {
            Err(outcome) => CallEffects::failed(outcome),
            Ok(done) => CallEffects {
                returns: done.returns,
                returndata: done.returndata,
                logs: done.logs,
                events: done.events,
                slices: done.touched.iter().map(|&s| (s, done.slices[s as usize].clone())).collect(),
                calls: done.frame.records,
                callees: done.frame.pending,
                ..CallEffects::success(Vec::new())
            },
        };
        CallEffects { uncertain: shared.uncertain.get(), callees_ran: shared.ran.get(), ..effects }
    }

    fn as_generated(&self) -> Option<&GeneratedModel> {
        Some(self)
    }
}

/// A frame that returned normally.
struct Finished {
    returns: Vec<Value>,
    returndata: Vec<u8>,
    logs: Vec<Vec<u8>>,
    events: Vec<Event>,
    /// Every slice afterwards, and which were touched.
    slices: Vec<Vec<u8>>,
    touched: BTreeSet<u32>,
    frame: Frame,
}

impl GeneratedModel {
    /// Runs `call` in a frame of its own over `slices`, starting from the chain's `logs` and `events`.
    #[allow(clippy::too_many_arguments)]
    fn frame(
        &self,
        slices: &[Vec<u8>],
        call: &ModelCall<'_>,
        balances: &dyn Balances,
        shared: &Shared,
        frame: Frame,
        logs: Vec<Vec<u8>>,
        events: Vec<Event>,
    ) -> Result<Finished, Outcome> {
        let Some(function) = self.plan.function(call.function) else {
            return Err(Outcome::Refused(svm::outcome::Refusal::NoSuchFunction));
        };
        let arg = |i: usize| match call.args.get(i) {
            Some(Value::I64(v)) => *v,
            _ => 0,
        };
        let mut run = Run {
            plan: &self.plan,
            limits: &self.limits,
            call,
            balances,
            known: &self.known,
            slices: slices.to_vec(),
            touched: BTreeSet::new(),
            dirty: BTreeSet::new(),
            registers: Registers::default(),
            memory: if self.plan.memory { Memory::with_data(1, &self.plan.data) } else { Memory::none() },
            returndata: Vec::new(),
            logs,
            events,
            acc: 0,
            a: arg(0),
            b: arg(1),
            table: Table::default(),
            handles: [0; 4],
            shared,
            frame,
            result: Vec::new(),
        };
        for step in &function.steps {
            run.step(step)?;
        }
        let table = std::mem::take(&mut run.table);
        run.touched.extend(table.slots());
        for (slot, bytes) in table.commit(&self.known) {
            run.slices[slot as usize] = bytes;
        }
        Ok(Finished {
            returns: vec![Value::I64(run.acc)],
            returndata: run.returndata,
            logs: run.logs,
            events: run.events,
            slices: run.slices,
            touched: run.touched,
            frame: run.frame,
        })
    }
}

/// One execution in progress.
struct Run<'a> {
    plan: &'a ContractPlan,
    limits: &'a Limits,
    call: &'a ModelCall<'a>,
    balances: &'a dyn Balances,
    known: &'a KnownContents,
    slices: Vec<Vec<u8>>,
    /// Slices read or written, whose contents afterwards the checker compares.
    touched: BTreeSet<u32>,
    /// Storage pages written (at any length, even zero bytes): at most `max_dirty_pages`.
    dirty: BTreeSet<u32>,
    registers: Registers,
    memory: Memory,
    returndata: Vec<u8>,
    logs: Vec<Vec<u8>>,
    events: Vec<Event>,
    acc: i64,
    a: i64,
    b: i64,
    /// The collections this call opened.
    table: Table,
    /// The handle locals `$h0`…`$h3`.
    handles: [i32; 4],
    /// What every frame of the transaction shares.
    shared: &'a Shared,
    /// This frame's view of the transaction.
    frame: Frame,
    /// The call result `call_result` reads.
    result: Vec<u8>,
}

type Step1 = Result<(), Outcome>;

fn host(error: HostError) -> Outcome {
    Outcome::Host(error)
}

impl Run<'_> {
    fn value(&self, src: Src) -> i64 {
        match src {
            Src::Const(v) => v,
            Src::A => self.a,
            Src::B => self.b,
            Src::Acc => self.acc,
        }
    }

    fn mix(&mut self, value: i64) {
        self.acc = mix(self.acc, value);
    }

    /// The length of `slice`: `unknown-slice` if there is none.
    fn slice_len(&self, slice: u32) -> Result<u32, Outcome> {
        self.plan.slices.get(slice as usize).map(|s| s[2]).ok_or(host(HostError::UnknownSlice))
    }

    /// The length of byte slice `slice`: `unknown-slice`, then `slice-kind` for a collection slot.
    fn byte_slice_len(&self, slice: u32) -> Result<u32, Outcome> {
        match self.slice_len(slice)? {
            0 => Err(host(HostError::SliceKind)),
            len => Ok(len),
        }
    }

    /// `unknown-slice`, `slice-kind`, then `slice-out-of-range` unless `len` bytes at `offset` lie in
    /// `slice`.
    fn check_range(&self, slice: u32, offset: u32, len: u32) -> Step1 {
        let slice_len = self.byte_slice_len(slice)?;
        if u64::from(offset) + u64::from(len) > u64::from(slice_len) {
            return Err(host(HostError::SliceOutOfRange));
        }
        Ok(())
    }

    /// Reads `len` bytes of `slice` at `offset` (range already checked).
    fn load(&mut self, slice: u32, offset: u32, len: u32) -> Vec<u8> {
        self.touched.insert(slice);
        self.slices[slice as usize][offset as usize..(offset + len) as usize].to_vec()
    }

    /// Writes `bytes` into `slice` at `offset` (range already checked): `too-many-dirty-pages` if the
    /// slice's page is not yet dirty and the limit is reached.
    fn store(&mut self, slice: u32, offset: u32, bytes: &[u8]) -> Step1 {
        self.make_dirty(self.plan.slices[slice as usize][0])?;
        self.touched.insert(slice);
        self.slices[slice as usize][offset as usize..offset as usize + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    /// `page` becomes dirty: `too-many-dirty-pages` if it is not yet and the limit is reached.
    fn make_dirty(&mut self, page: u32) -> Step1 {
        if !self.dirty.contains(&page) {
            if self.dirty.len() >= self.limits.max_dirty_pages as usize {
                return Err(host(HostError::TooManyDirtyPages));
            }
            self.dirty.insert(page);
        }
        Ok(())
    }

    /// `unknown-slice`, `slice-kind`, then `slice-too-wide` past `max` bytes: the slice's length.
    fn int_slice(&self, slice: u32, max: u32) -> Result<u32, Outcome> {
        let len = self.byte_slice_len(slice)?;
        if len > max {
            return Err(host(HostError::SliceTooWide));
        }
        Ok(len)
    }

    fn write_int(&mut self, slice: u32, value: u64, max: u32) -> Step1 {
        let len = self.int_slice(slice, max)?;
        self.store(slice, 0, &value.to_le_bytes()[..len as usize])
    }

    fn read_int(&mut self, slice: u32, max: u32) -> Result<u64, Outcome> {
        let len = self.int_slice(slice, max)?;
        Ok(le_integer(&self.load(slice, 0, len)))
    }

    /// `unknown-register` for a class that does not exist, then `register-width` past its width.
    fn fits_register(bits: u32, len: u32) -> Step1 {
        let width = Registers::width(bits).map_err(host)?;
        if len as usize > width {
            return Err(host(HostError::RegisterWidth));
        }
        Ok(())
    }

    fn register(&self, bits: u32, reg: u32) -> Result<Vec<u8>, Outcome> {
        self.registers.get(bits, reg).map(<[u8]>::to_vec).map_err(host)
    }

    fn trap_unless(&self, fits: bool) -> Step1 {
        if fits { Ok(()) } else { Err(Outcome::Trap(TrapKind::MemoryOutOfBounds)) }
    }

    fn log(&mut self, ptr: u32, len: u32) -> Step1 {
        if self.logs.len() >= self.limits.max_logs as usize {
            return Err(host(HostError::TooManyLogs));
        }
        if len > self.limits.max_log_bytes {
            return Err(host(HostError::LogTooLarge));
        }
        let entry = self.memory.read(ptr, len).map_err(host)?;
        self.logs.push(entry);
        Ok(())
    }

    /// `event_emit`: the checks in their documented order, then the event (retention gas is the
    /// VM's to charge; a model of outcomes and effects does not count gas).
    fn emit(&mut self, topics_ptr: u32, topics: u32, ptr: u32, len: u32, expiry: u32) -> Step1 {
        if self.events.len() >= MAX_EVENTS as usize {
            return Err(host(HostError::TooManyEvents));
        }
        if topics > MAX_EVENT_TOPICS {
            return Err(host(HostError::EventTopics));
        }
        if len > MAX_EVENT_DATA_BYTES {
            return Err(host(HostError::EventTooLarge));
        }
        if expiry > MAX_EVENT_EXPIRY {
            return Err(host(HostError::EventExpiry));
        }
        let topic_bytes = self.memory.read(topics_ptr, topics * TOPIC_LEN as u32).map_err(host)?;
        let data = self.memory.read(ptr, len).map_err(host)?;
        self.events.push(Event {
            contract: self.call.contract,
            topics: topic_bytes.chunks_exact(TOPIC_LEN).map(|t| t.try_into().unwrap_or([0; TOPIC_LEN])).collect(),
            data,
            expires: self.call.layer.saturating_add(expiry.into()),
        });
        Ok(())
    }

    fn step(&mut self, step: &Step) -> Step1 {
        let memory_step = matches!(
            step,
            Step::MemStore { .. } | Step::MemLoad { .. } | Step::Fill { .. } | Step::Copy { .. } | Step::Grow { .. }
        );
        if memory_step && !self.plan.memory {
            // The emitter leaves these out of a contract without a memory.
            return Ok(());
        }
        match *step {
            Step::WriteI64 { slice, src } => self.write_int(slice, self.value(src) as u64, 8)?,
            Step::WriteI32 { slice, src } => self.write_int(slice, u64::from(self.value(src) as u32), 4)?,
            Step::ReadI64 { slice } => {
                let value = self.read_int(slice, 8)?;
                self.mix(value as i64);
            }
            Step::ReadI32 { slice } => {
                let value = self.read_int(slice, 4)?;
                self.mix(i64::from(value as u32));
            }
            Step::WriteFromMem { slice, offset, len, ptr } => {
                self.check_range(slice, offset, len)?;
                let bytes = self.memory.read(ptr, len).map_err(host)?;
                self.store(slice, offset, &bytes)?;
            }
            Step::ReadToMem { slice, offset, len, ptr } => {
                self.check_range(slice, offset, len)?;
                let bytes = self.load(slice, offset, len);
                self.memory.write(ptr, &bytes).map_err(host)?;
            }
            Step::WriteFromReg { slice, offset, len, bits, reg } => {
                Self::fits_register(bits, len)?;
                let bytes = self.register(bits, reg)?;
                self.check_range(slice, offset, len)?;
                self.store(slice, offset, &bytes[..len as usize])?;
            }
            Step::ReadToReg { slice, offset, len, bits, reg } => {
                self.register(bits, reg)?;
                Self::fits_register(bits, len)?;
                self.check_range(slice, offset, len)?;
                let bytes = self.load(slice, offset, len);
                self.registers.set(bits, reg, &bytes).map_err(host)?;
            }
            Step::SliceLen { slice } => {
                let len = self.slice_len(slice)?;
                self.mix(len.into());
            }
            Step::RegSetI64 { bits, reg, src } => {
                let width = self.register(bits, reg)?.len().min(8);
                let value = self.value(src).to_le_bytes();
                self.registers.set(bits, reg, &value[..width]).map_err(host)?;
            }
            Step::RegGetI64 { bits, reg } => {
                let value = le_integer(&self.register(bits, reg)?);
                self.mix(value as i64);
            }
            Step::RegCopy { bits, src, dst } => {
                let value = self.register(bits, src)?;
                self.registers.set(bits, dst, &value).map_err(host)?;
            }
            Step::RegCmp { bits, a, b } => {
                let (x, y) = (self.register(bits, a)?, self.register(bits, b)?);
                let order = x.iter().rev().cmp(y.iter().rev()) as i64;
                self.mix(order);
            }
            Step::RegSetFromMem { bits, reg, ptr } => {
                let width = self.register(bits, reg)?.len() as u32;
                let bytes = self.memory.read(ptr, width).map_err(host)?;
                self.registers.set(bits, reg, &bytes).map_err(host)?;
            }
            Step::RegGetToMem { bits, reg, ptr } => {
                let bytes = self.register(bits, reg)?;
                self.memory.write(ptr, &bytes).map_err(host)?;
            }
            Step::CalldataLen => self.mix(self.call.calldata.len() as i64),
            Step::CalldataCopy { offset, len, ptr } => {
                let end = offset as usize + len as usize;
                let bytes = self.call.calldata.get(offset as usize..end).ok_or(host(HostError::CalldataOutOfRange))?;
                self.memory.write(ptr, bytes).map_err(host)?;
            }
            Step::ReturndataSet { ptr, len } => {
                if len > self.limits.max_returndata_bytes {
                    return Err(host(HostError::ReturndataTooLarge));
                }
                self.returndata = self.memory.read(ptr, len).map_err(host)?;
            }
            Step::SenderToReg { reg } => {
                self.registers.set(160, reg, self.call.sender.as_bytes()).map_err(host)?;
            }
            Step::ContractToReg { reg } => {
                self.registers.set(160, reg, self.call.contract.as_bytes()).map_err(host)?;
            }
            Step::Layer => self.mix(self.call.layer as i64),
            Step::Value => self.mix(self.call.value as i64),
            Step::Balance { bits, reg } => {
                if bits != 160 {
                    return Err(host(HostError::RegisterWidth));
                }
                let bytes: [u8; 20] = self.register(160, reg)?.try_into().unwrap_or([0; 20]);
                self.mix(self.balance(&Address(bytes)) as i64);
            }
            Step::Log { ptr, len } => self.log(ptr, len)?,
            Step::Emit { count, topics_ptr, topics, ptr, len, expiry } => {
                for _ in 0..count {
                    self.emit(topics_ptr, topics, ptr, len, expiry)?;
                }
            }
            Step::LogMany { count, ptr, len } => {
                for _ in 0..count {
                    self.log(ptr, len)?;
                }
            }
            Step::MemStore { ptr, src } => {
                self.trap_unless(self.memory.fits(ptr, 8))?;
                let value = self.value(src).to_le_bytes();
                self.memory.bytes_mut()[ptr as usize..ptr as usize + 8].copy_from_slice(&value);
            }
            Step::MemLoad { ptr } => {
                self.trap_unless(self.memory.fits(ptr, 8))?;
                let value = le_integer(&self.memory.bytes_mut()[ptr as usize..ptr as usize + 8]);
                self.mix(value as i64);
            }
            Step::Fill { ptr, byte, len } => {
                self.trap_unless(self.memory.fits(ptr, len.into()))?;
                self.memory.bytes_mut()[ptr as usize..(ptr + len) as usize].fill(byte);
            }
            Step::Copy { dst, src, len } => {
                self.trap_unless(self.memory.fits(dst, len.into()) && self.memory.fits(src, len.into()))?;
                self.memory.bytes_mut().copy_within(src as usize..(src + len) as usize, dst as usize);
            }
            Step::Grow { pages } => {
                let old = self.memory.grow(pages, self.limits.max_memory_pages);
                self.mix(old.into());
            }
            Step::WriteMany { first, count, src } => {
                let value = self.value(src);
                for i in 0..count {
                    self.write_int(first.wrapping_add(i), value as u64, 8)?;
                }
            }
            Step::ReadMany { first, count } => {
                for i in 0..count {
                    let value = self.read_int(first.wrapping_add(i), 8)?;
                    self.mix(value as i64);
                }
            }
            Step::Recurse { depth } => {
                if depth > RECURSION_SAFE {
                    return Err(Outcome::StackExhausted);
                }
                self.mix(depth.into());
            }
            Step::Spin { .. } => {}
            Step::SpinForever => return Err(Outcome::OutOfGas),
            Step::CallIndirect { slot } => match slot {
                0 => self.mix(5),
                1 => return Err(Outcome::Trap(TrapKind::BadSignature)),
                s if s < TABLE_SLOTS => return Err(Outcome::Trap(TrapKind::IndirectCallToNull)),
                _ => return Err(Outcome::Trap(TrapKind::TableOutOfBounds)),
            },
            Step::Overflow => return Err(Outcome::Trap(TrapKind::IntegerOverflow)),
            Step::TruncNan => return Err(Outcome::Trap(TrapKind::InvalidConversionToInteger)),
            Step::Unreachable => return Err(Outcome::Trap(TrapKind::Unreachable)),
            Step::Guarded { shift, ref then } => {
                if guard(self.a, self.b, shift) {
                    self.step(then)?;
                }
            }
            Step::DivideByZero => return Err(Outcome::Trap(TrapKind::IntegerDivisionByZero)),
            Step::Seq { ref steps } => {
                for step in steps {
                    self.step(step)?;
                }
            }
            Step::Call(ref spec) => self.call_step(spec)?,
            _ => self.collection_step(step)?,
        }
        Ok(())
    }

    /// The balance of `address` as this frame sees it.
    fn balance(&self, address: &Address) -> u64 {
        self.frame.balance(self.balances.balance(address), address)
    }

    /// [`Step::Call`]: the hop copied, the slots written, the calls made, the result read.
    fn call_step(&mut self, spec: &CallSpec) -> Step1 {
        let hop = hop_len(self.call.calldata.len() as u32);
        self.memory.write(CALL_AT, &self.call.calldata[..hop as usize]).map_err(host)?;
        if !self.plan.memory {
            // Unreachable: the copy above fails without a memory.
            return Ok(());
        }
        for (k, &(ty, src)) in spec.args.iter().enumerate() {
            let at = CALL_ARGS + 9 * k as u32;
            self.memory.write(at, &[ty]).map_err(host)?;
            self.memory.write(at + 1, &self.value(src).to_le_bytes()).map_err(host)?;
        }
        for _ in 0..spec.count {
            let status = self.contract_call(spec, hop)?;
            self.mix(status.into());
        }
        let total = self.result.len() as u32;
        if !self.memory.fits(spec.result_ptr, spec.result_len.into()) {
            return Err(host(HostError::MemoryOutOfBounds));
        }
        let bytes = self.result[..spec.result_len.min(total) as usize].to_vec();
        self.memory.write(spec.result_ptr, &bytes).map_err(host)?;
        self.mix(total.into());
        self.trap_unless(self.memory.fits(spec.result_ptr.wrapping_add(2), 8))?;
        let at = spec.result_ptr as usize + 2;
        let first = le_integer(&self.memory.bytes_mut()[at..at + 8]);
        self.mix(first as i64);
        Ok(())
    }

    /// One `contract_call`: the caller's checks (which trap it), then the callee's outcome as a status.
    fn contract_call(&mut self, spec: &CallSpec, hop: u32) -> Result<i32, Outcome> {
        let data_len = hop.saturating_sub(HOP_HEAD);
        if spec.args_count > self.limits.max_params || data_len > self.limits.max_calldata_bytes {
            return Err(host(HostError::CallInput));
        }
        let callee = self.memory.read(CALL_AT, 20).map_err(host)?;
        let name = self.memory.read(CALL_AT + 20, 2).map_err(host)?;
        let args = self.memory.read(spec.args_ptr, VALUE_SLOT_BYTES as u32 * spec.args_count).map_err(host)?;
        let data = self.memory.read(CALL_AT + HOP_HEAD, data_len).map_err(host)?;
        let name = String::from_utf8(name).map_err(|_| host(HostError::CallInput))?;
        let args: Vec<Value> =
            args.chunks(VALUE_SLOT_BYTES).map(slot_value).collect::<Option<_>>().ok_or(host(HostError::CallInput))?;
        if self.shared.made.get() >= MAX_CALLS {
            return Err(host(HostError::TooManyCalls));
        }
        self.shared.made.set(self.shared.made.get() + 1);
        let callee = Address(callee.try_into().unwrap_or([0; 20]));
        let at = self.frame.records.len();
        self.frame.records.push(CallRecord {
            depth: (self.frame.depth + 1) as u8,
            caller: self.call.contract,
            callee,
            function: name.clone(),
            outcome: Outcome::Success,
            gas_used: 0,
            value: spec.value,
        });
        self.result.clear();
        let outcome = self.callee(spec, callee, &name, &args, &data);
        self.frame.records[at].outcome = outcome;
        Ok(status(outcome))
    }

    /// The callee's outcome (and, when it succeeds, its effects handed on to this frame).
    fn callee(&mut self, spec: &CallSpec, callee: Address, name: &str, args: &[Value], data: &[u8]) -> Outcome {
        use svm::outcome::Refusal;
        if self.frame.depth + 1 > MAX_CALL_DEPTH {
            return Outcome::Refused(Refusal::CallDepth);
        }
        if self.frame.stack.contains(&callee) {
            return Outcome::Refused(Refusal::Reentry);
        }
        let Some(target) = self.call.world.contract(&callee) else {
            return Outcome::Refused(Refusal::NoSuchContract);
        };
        let caller = self.call.contract;
        if spec.value > self.balance(&caller) || self.balance(&callee).checked_add(spec.value).is_none() {
            return Outcome::Refused(Refusal::CallValue);
        }
        let Some(model) = target.model else {
            self.shared.uncertain.set(true);
            return Outcome::Success;
        };
        let intrinsic = svm::gas::intrinsic::execute(target.code_len, data.len());
        if spec.gas != 0 && spec.gas < intrinsic {
            return Outcome::OutOfGas;
        }
        let Some(params) = model.params(name) else {
            return Outcome::Refused(Refusal::NoSuchFunction);
        };
        if !params.iter().copied().eq(args.iter().map(Value::ty)) {
            return Outcome::Refused(Refusal::ArgumentMismatch);
        }
        // A transaction without ample gas, a cap the callee may or may not reach, or little gas left
        // after a callee burnt it all: the callee may run out of gas where the model says it finishes.
        if !self.call.ample || (spec.gas != 0 && spec.gas < AMPLE_GAS) || self.shared.starved.get() {
            self.shared.uncertain.set(true);
        }
        self.shared.ran.set(true);
        let Some(generated) = model.as_generated() else {
            self.shared.uncertain.set(true);
            return Outcome::Success;
        };
        let slices = self.frame.pending.get(&callee).cloned().unwrap_or_else(|| target.slices.to_vec());
        let mut frame = Frame {
            depth: self.frame.depth + 1,
            stack: [self.frame.stack.clone(), vec![callee]].concat(),
            records: Vec::new(),
            ..self.frame.clone()
        };
        *frame.moved.entry(caller).or_insert(0) -= i128::from(spec.value);
        *frame.moved.entry(callee).or_insert(0) += i128::from(spec.value);
        let call = ModelCall {
            sender: caller,
            contract: callee,
            function: name,
            args,
            calldata: data,
            value: spec.value,
            layer: self.call.layer,
            world: self.call.world,
            ample: self.call.ample,
        };
        match generated.frame(&slices, &call, self.balances, self.shared, frame, self.logs.clone(), self.events.clone())
        {
            Ok(done) => {
                self.frame.pending = done.frame.pending;
                self.frame.pending.insert(callee, done.slices);
                self.frame.moved = done.frame.moved;
                self.frame.records.extend(done.frame.records);
                self.logs = done.logs;
                self.events = done.events;
                self.result = call_result(&done.returns, &done.returndata);
                Outcome::Success
            }
            Err(outcome) => {
                if outcome == Outcome::OutOfGas {
                    self.shared.starved.set(true);
                }
                if outcome == UNKNOWN_CONTENTS {
                    self.shared.uncertain.set(true);
                }
                outcome
            }
        }
    }

    fn handle(&self, handle: Handle) -> u32 {
        match handle {
            Handle::Local(n) => self.handles[n as usize] as u32,
            Handle::Const(v) => v,
        }
    }

    /// A collection step, over the call's table (taken out while it runs).
    fn collection_step(&mut self, step: &Step) -> Step1 {
        let mut table = std::mem::take(&mut self.table);
        let result = self.collection_step_on(&mut table, step);
        self.table = table;
        result
    }

    fn collection_step_on(&mut self, table: &mut Table, step: &Step) -> Step1 {
        let known = self.known;
        match *step {
            Step::CollOpen { dst, slot, kind, width, values } => {
                let handle = table.open_slot(self, known, slot, [kind, width, values])?;
                self.set_handle(dst, handle);
            }
            Step::CollNested { dst, handle, key_ptr, kind, width, values } => {
                let parent = self.handle(handle);
                let child = table.open_nested(self, known, parent, key_ptr, [kind, width, values])?;
                self.set_handle(dst, child);
            }
            Step::CollNestMany { dst, handle, key_ptr, count, kind, width, values } => {
                for i in 0..count {
                    self.trap_unless(self.memory.fits(key_ptr, 8))?;
                    let key = u64::from(i).to_le_bytes();
                    self.memory.bytes_mut()[key_ptr as usize..key_ptr as usize + 8].copy_from_slice(&key);
                    let parent = self.handle(handle);
                    let child = table.open_nested(self, known, parent, key_ptr, [kind, width, values])?;
                    self.set_handle(dst, child);
                }
            }
            Step::CollInsert { handle, key_ptr, ptr, len } => {
                let h = self.handle(handle);
                let r = table.insert(self, h, key_ptr, ptr, len)?;
                self.mix(r.into());
            }
            Step::CollGet { handle, key_ptr, ptr, cap } => {
                let h = self.handle(handle);
                let r = table.get(self, h, key_ptr, ptr, cap)?;
                self.mix(r.into());
            }
            Step::CollRemove { handle, key_ptr } => {
                let h = self.handle(handle);
                let r = table.remove(self, h, key_ptr)?;
                self.mix(r.into());
            }
            Step::CollPush { handle, ptr, len } => {
                let h = self.handle(handle);
                let r = table.push(self, h, ptr, len)?;
                self.mix(r);
            }
            Step::CollPop { handle, ptr, cap } => {
                let h = self.handle(handle);
                let r = table.pop(self, h, ptr, cap)?;
                self.mix(r.into());
            }
            Step::CollLen { handle } => {
                let r = table.len(self.handle(handle))?;
                self.mix(r);
            }
            Step::CollNext { handle, after, bound, out } => {
                let h = self.handle(handle);
                let r = table.next(self, h, after, bound, out)?;
                self.mix(r.into());
            }
            _ => unreachable!("every other step is the interpreter's"),
        }
        Ok(())
    }

    fn set_handle(&mut self, dst: u32, handle: i32) {
        self.handles[dst as usize] = handle;
        self.mix(handle.into());
    }
}

impl Surroundings for Run<'_> {
    fn memory(&mut self) -> &mut Memory {
        &mut self.memory
    }

    fn slot_page(&self, slice: u32) -> Result<u32, Outcome> {
        match self.slice_len(slice)? {
            0 => Ok(self.plan.slices[slice as usize][0]),
            _ => Err(host(HostError::SliceKind)),
        }
    }

    fn slot_bytes(&mut self, slot: u32) -> Vec<u8> {
        self.touched.insert(slot);
        self.slices[slot as usize].clone()
    }

    fn dirty(&mut self, page: u32) -> Result<(), Outcome> {
        self.make_dirty(page)
    }
}
