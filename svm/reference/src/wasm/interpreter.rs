//! The interpreter loop: compiled bodies run on one operand stack of words, with an explicit frame
//! stack (calls never recurse natively), metering by the precomputed segment charges, the per-byte
//! charge of bulk memory, and the stack budget (docs/consensus.md, *The stack budget*):
//!
//! - entering a defined function — the entry export, `call`, `call_indirect` — first checks
//!   `used + w(f) > stack_budget` (→ `stack-exhausted`, the callee runs nothing) and then reserves
//!   `used += w(f)`;
//! - every normal exit (the final `end`, a branch to the function's label, `return`) releases it;
//! - vmcalls weigh nothing and run through the [`Host`].
//!
//! A frame's slots on the stack are its locals (parameters first, then the declared locals, zeroed)
//! followed by its operands; a call's arguments, on top of the caller's operands, become the
//! callee's parameters in place, and its results replace them on return.

use super::instance::{Instance, PAGE_BYTES};
use super::instr::{Branch, Instr, Load};
use super::module::Module;
use super::numeric;
use crate::host::{Host, Meter, Stop};
use svm_core::gas::cost_table::BULK_MEMORY_PER_BYTE;
use svm_core::outcome::TrapKind;
use svm_core::{Value, ValueType};

/// The stack word of a value (floats by their bits).
pub(crate) fn word_of(value: Value) -> u64 {
    match value {
        Value::I32(x) => u64::from(x as u32),
        Value::I64(x) => x as u64,
        Value::F32(bits) => u64::from(bits),
        Value::F64(bits) => bits,
    }
}

/// The value of type `ty` a stack word holds.
pub(crate) fn value_of(word: u64, ty: ValueType) -> Value {
    match ty {
        ValueType::I32 => Value::I32(word as u32 as i32),
        ValueType::I64 => Value::I64(word as i64),
        ValueType::F32 => Value::F32(word as u32),
        ValueType::F64 => Value::F64(word),
    }
}

fn fault(message: &str) -> Stop {
    Stop::Fault(message.to_string())
}

const OUT_OF_BOUNDS: Stop = Stop::Trap(TrapKind::MemoryOutOfBounds);

/// The function running in one frame.
#[derive(Clone, Copy, Debug)]
struct Activation<'m> {
    code: &'m [Instr],
    branch_table: &'m [Branch],
    /// The next instruction.
    pc: usize,
    /// Where the frame's locals start on the stack.
    locals_base: usize,
    /// Where its operands start: labels' heights count from here.
    operand_base: usize,
    results: usize,
    weight: u64,
}

/// The state of one execution besides the instance.
struct Machine<'m> {
    module: &'m Module,
    stack: Vec<u64>,
    /// The callers of the running function, innermost last.
    frames: Vec<Activation<'m>>,
    /// Stack-budget slots reserved by the frames entered and not left.
    used: u64,
    budget: u64,
    /// Reused for the arguments of vmcalls.
    vmcall_args: Vec<Value>,
}

impl<'m> Machine<'m> {
    /// Enters defined function `defined`, whose arguments are on top of the stack: the stack
    /// check and reservation, then the declared locals (zero).
    fn enter(&mut self, defined: usize) -> Result<Activation<'m>, Stop> {
        let module = self.module;
        let function = module.functions.get(defined).ok_or_else(|| fault("unknown function"))?;
        let ty = module.type_at(function.type_index).map_err(|e| Stop::Fault(e.0))?;
        let weight = function.body.weight;
        match self.used.checked_add(weight) {
            Some(used) if used <= self.budget => self.used = used,
            _ => return Err(Stop::StackExhausted),
        }
        let locals_base = self.stack.len().checked_sub(ty.params.len()).ok_or_else(|| fault("arguments missing"))?;
        let operand_base = self.stack.len() + function.body.locals as usize;
        self.stack.resize(operand_base, 0);
        Ok(Activation {
            code: &function.body.code,
            branch_table: &function.body.branch_table,
            pc: 0,
            locals_base,
            operand_base,
            results: ty.results.len(),
            weight,
        })
    }

    /// Keeps the top `branch.keep` values at the label's height.
    fn branch(&mut self, operand_base: usize, branch: Branch) -> Result<(), Stop> {
        let target = operand_base + branch.height as usize;
        let keep = branch.keep as usize;
        let len = self.stack.len();
        let from =
            len.checked_sub(keep).filter(|from| *from >= target).ok_or_else(|| fault("branch below its label"))?;
        if from != target {
            self.stack.copy_within(from..len, target);
            self.stack.truncate(target + keep);
        }
        Ok(())
    }

    /// Runs vmcall `import` with its arguments taken from the stack, and pushes its results.
    fn vmcall(
        &mut self,
        import: usize,
        instance: &mut Instance,
        host: &mut dyn Host,
        meter: &mut Meter,
    ) -> Result<(), Stop> {
        let module = self.module;
        let import = module.imports.get(import).ok_or_else(|| fault("unknown import"))?;
        let ty = module.type_at(import.type_index).map_err(|e| Stop::Fault(e.0))?;
        let from = self.stack.len().checked_sub(ty.params.len()).ok_or_else(|| fault("vmcall arguments missing"))?;
        self.vmcall_args.clear();
        for (word, ty) in self.stack[from..].iter().zip(&ty.params) {
            self.vmcall_args.push(value_of(*word, *ty));
        }
        self.stack.truncate(from);
        let memory = if module.memory_exported { Some(&mut instance.memory) } else { None };
        host.stack_used(self.used);
        let results = host.vmcall(&import.name, &self.vmcall_args, memory, meter)?;
        check_types(&results, &ty.results)?;
        self.stack.extend(results.into_iter().map(word_of));
        Ok(())
    }
}

/// Checks that a vmcall returned values of its signature's result types.
pub(crate) fn check_types(values: &[Value], types: &[ValueType]) -> Result<(), Stop> {
    if values.len() != types.len() || values.iter().zip(types).any(|(v, t)| v.ty() != *t) {
        return Err(fault("a vmcall returned values of the wrong types"));
    }
    Ok(())
}

/// The `N` bytes at `address + offset` (computed without wrapping), or `memory-out-of-bounds`.
fn read<const N: usize>(memory: &[u8], address: u64, offset: u32) -> Result<[u8; N], Stop> {
    let start = u64::from(address as u32) + u64::from(offset);
    let start = usize::try_from(start).map_err(|_| OUT_OF_BOUNDS)?;
    let end = start.checked_add(N).ok_or(OUT_OF_BOUNDS)?;
    memory.get(start..end).and_then(|bytes| <[u8; N]>::try_from(bytes).ok()).ok_or(OUT_OF_BOUNDS)
}

/// The byte range `[start, start + len)` if it lies within `size` bytes.
fn range(start: u64, len: u64, size: usize) -> Result<std::ops::Range<usize>, Stop> {
    let end = start.checked_add(len).ok_or(OUT_OF_BOUNDS)?;
    if end > size as u64 {
        return Err(OUT_OF_BOUNDS);
    }
    Ok(start as usize..end as usize)
}

fn load(kind: Load, memory: &[u8], address: u64, offset: u32) -> Result<u64, Stop> {
    Ok(match kind {
        Load::U8 => u64::from(read::<1>(memory, address, offset)?[0]),
        Load::S8To32 => u64::from(i32::from(read::<1>(memory, address, offset)?[0] as i8) as u32),
        Load::S8To64 => i64::from(read::<1>(memory, address, offset)?[0] as i8) as u64,
        Load::U16 => u64::from(u16::from_le_bytes(read(memory, address, offset)?)),
        Load::S16To32 => u64::from(i32::from(i16::from_le_bytes(read(memory, address, offset)?)) as u32),
        Load::S16To64 => i64::from(i16::from_le_bytes(read(memory, address, offset)?)) as u64,
        Load::U32 => u64::from(u32::from_le_bytes(read(memory, address, offset)?)),
        Load::S32To64 => i64::from(i32::from_le_bytes(read(memory, address, offset)?)) as u64,
        Load::U64 => u64::from_le_bytes(read(memory, address, offset)?),
    })
}

fn store(memory: &mut [u8], address: u64, offset: u32, width: u8, value: u64) -> Result<(), Stop> {
    let start = u64::from(address as u32) + u64::from(offset);
    let width = usize::from(width);
    let bytes = value.to_le_bytes();
    let target = range(start, width as u64, memory.len())?;
    memory[target].copy_from_slice(bytes.get(..width).ok_or_else(|| fault("store wider than 8 bytes"))?);
    Ok(())
}

/// Calls defined function `defined` of `module` on `instance` with `args` (as stack words), the
/// stack budget's `used` starting at `stack_used`, and returns its results as stack words.
#[allow(clippy::too_many_arguments)]
pub(crate) fn execute(
    module: &Module,
    instance: &mut Instance,
    defined: usize,
    args: &[u64],
    stack_used: u64,
    stack_budget: u32,
    host: &mut dyn Host,
    meter: &mut Meter,
) -> Result<Vec<u64>, Stop> {
    let mut machine = Machine {
        module,
        stack: Vec::with_capacity(256),
        frames: Vec::new(),
        used: stack_used,
        budget: u64::from(stack_budget),
        vmcall_args: Vec::new(),
    };
    machine.stack.extend_from_slice(args);
    let mut current = machine.enter(defined)?;
    let imports = module.imports.len();

    macro_rules! pop {
        () => {
            match machine.stack.pop() {
                Some(word) => word,
                None => return Err(fault("operand stack underflow")),
            }
        };
    }
    macro_rules! push {
        ($word:expr) => {{
            let word = $word;
            machine.stack.push(word)
        }};
    }

    loop {
        let Some(&instr) = current.code.get(current.pc) else {
            return Err(fault("ran past the end of a body"));
        };
        current.pc += 1;
        match instr {
            Instr::Charge(cost) => meter.charge(cost)?,
            Instr::Unreachable => return Err(Stop::Trap(TrapKind::Unreachable)),
            Instr::Br(branch) => {
                machine.branch(current.operand_base, branch)?;
                current.pc = branch.pc as usize;
            }
            Instr::BrIf(branch) => {
                if pop!() as u32 != 0 {
                    machine.branch(current.operand_base, branch)?;
                    current.pc = branch.pc as usize;
                }
            }
            Instr::BrTable { first, len } => {
                let index = pop!() as u32;
                let last = len.checked_sub(1).ok_or_else(|| fault("empty branch table"))?;
                let entry = first as usize + index.min(last) as usize;
                let branch =
                    *current.branch_table.get(entry).ok_or_else(|| fault("branch table entry out of range"))?;
                machine.branch(current.operand_base, branch)?;
                current.pc = branch.pc as usize;
            }
            Instr::If { else_pc } => {
                if pop!() as u32 == 0 {
                    current.pc = else_pc as usize;
                }
            }
            Instr::Jump(pc) => current.pc = pc as usize,
            Instr::Return => {
                let len = machine.stack.len();
                let from = len
                    .checked_sub(current.results)
                    .filter(|from| *from >= current.locals_base)
                    .ok_or_else(|| fault("results missing at return"))?;
                machine.stack.copy_within(from..len, current.locals_base);
                machine.stack.truncate(current.locals_base + current.results);
                machine.used =
                    machine.used.checked_sub(current.weight).ok_or_else(|| fault("stack budget released twice"))?;
                match machine.frames.pop() {
                    Some(caller) => current = caller,
                    None => return Ok(machine.stack),
                }
            }
            Instr::Call(function) => {
                let function = function as usize;
                if function < imports {
                    machine.vmcall(function, instance, host, meter)?;
                } else {
                    let callee = machine.enter(function - imports)?;
                    machine.frames.push(std::mem::replace(&mut current, callee));
                }
            }
            Instr::CallIndirect(type_index) => {
                let index = pop!() as u32;
                let slot = instance.table.get(index as usize).ok_or(Stop::Trap(TrapKind::TableOutOfBounds))?;
                let function = slot.ok_or(Stop::Trap(TrapKind::IndirectCallToNull))?;
                let expected = module.type_at(type_index).map_err(|e| Stop::Fault(e.0))?;
                if module.function_type(function) != Some(expected) {
                    return Err(Stop::Trap(TrapKind::BadSignature));
                }
                let function = function as usize;
                if function < imports {
                    machine.vmcall(function, instance, host, meter)?;
                } else {
                    let callee = machine.enter(function - imports)?;
                    machine.frames.push(std::mem::replace(&mut current, callee));
                }
            }
            Instr::Drop => {
                pop!();
            }
            Instr::Select => {
                let condition = pop!() as u32;
                let second = pop!();
                let first = pop!();
                push!(if condition != 0 { first } else { second });
            }
            Instr::LocalGet(index) => {
                let word =
                    *machine.stack.get(current.locals_base + index as usize).ok_or_else(|| fault("unknown local"))?;
                push!(word);
            }
            Instr::LocalSet(index) => {
                let word = pop!();
                *machine.stack.get_mut(current.locals_base + index as usize).ok_or_else(|| fault("unknown local"))? =
                    word;
            }
            Instr::LocalTee(index) => {
                let word = *machine.stack.last().ok_or_else(|| fault("operand stack underflow"))?;
                *machine.stack.get_mut(current.locals_base + index as usize).ok_or_else(|| fault("unknown local"))? =
                    word;
            }
            Instr::GlobalGet(index) => {
                let word = *instance.globals.get(index as usize).ok_or_else(|| fault("unknown global"))?;
                push!(word);
            }
            Instr::GlobalSet(index) => {
                let word = pop!();
                *instance.globals.get_mut(index as usize).ok_or_else(|| fault("unknown global"))? = word;
            }
            Instr::Load(kind, offset) => {
                let address = pop!();
                push!(load(kind, &instance.memory, address, offset)?);
            }
            Instr::Store(width, offset) => {
                let value = pop!();
                let address = pop!();
                store(&mut instance.memory, address, offset, width, value)?;
            }
            Instr::MemorySize => push!(instance.memory.len() as u64 / PAGE_BYTES),
            Instr::MemoryGrow => {
                let delta = u64::from(pop!() as u32);
                let old = instance.memory.len() as u64 / PAGE_BYTES;
                let new = old + delta;
                if new > instance.max_pages {
                    push!(u64::from(u32::MAX)); // -1
                } else {
                    let bytes = usize::try_from(new * PAGE_BYTES).map_err(|_| fault("memory too large"))?;
                    instance.memory.resize(bytes, 0);
                    push!(old);
                }
            }
            Instr::MemoryFill => {
                let len = u64::from(pop!() as u32);
                let byte = pop!() as u8;
                let start = u64::from(pop!() as u32);
                meter.charge(len.saturating_mul(BULK_MEMORY_PER_BYTE))?;
                let target = range(start, len, instance.memory.len())?;
                instance.memory[target].fill(byte);
            }
            Instr::MemoryCopy => {
                let len = u64::from(pop!() as u32);
                let source = u64::from(pop!() as u32);
                let destination = u64::from(pop!() as u32);
                meter.charge(len.saturating_mul(BULK_MEMORY_PER_BYTE))?;
                let size = instance.memory.len();
                let source = range(source, len, size)?;
                let destination = range(destination, len, size)?;
                instance.memory.copy_within(source, destination.start);
            }
            Instr::MemoryInit(segment) => {
                let len = u64::from(pop!() as u32);
                let source = u64::from(pop!() as u32);
                let destination = u64::from(pop!() as u32);
                meter.charge(len.saturating_mul(BULK_MEMORY_PER_BYTE))?;
                let data = module.data.get(segment as usize).ok_or_else(|| fault("unknown data segment"))?;
                let bytes: &[u8] =
                    if instance.dropped.get(segment as usize).copied().unwrap_or(true) { &[] } else { &data.bytes };
                let source = range(source, len, bytes.len())?;
                let destination = range(destination, len, instance.memory.len())?;
                instance.memory[destination].copy_from_slice(&bytes[source]);
            }
            Instr::DataDrop(segment) => {
                *instance.dropped.get_mut(segment as usize).ok_or_else(|| fault("unknown data segment"))? = true;
            }
            Instr::Const(word) => push!(word),
            Instr::Unary(op) => {
                let top = machine.stack.last_mut().ok_or_else(|| fault("operand stack underflow"))?;
                *top = numeric::unary(op, *top).map_err(Stop::Trap)?;
            }
            Instr::Binary(op) => {
                let b = pop!();
                let a = machine.stack.last_mut().ok_or_else(|| fault("operand stack underflow"))?;
                *a = numeric::binary(op, *a, b).map_err(Stop::Trap)?;
            }
        }
    }
}
