//! Translation of one function body into the flat instruction vector the interpreter runs.
//!
//! One pass over the operators does three things at once:
//! - metering: every operator is fed to a [`SegmentCost`], and each segment's cost becomes an
//!   [`Instr::Charge`] right before its accounting operator;
//! - heights: the spec validation algorithm's operand-stack length ([`OperandHeights`]) gives D for
//!   the frame weight and the label heights branches truncate to;
//! - control flow: branches name labels, which become instruction indices once the body is read.
//!
//! Where branches land: a block's or `if`'s label is just after the `Charge` of its `end` (a branch
//! out of a block skips the `end`'s segment); a loop's label is just after the `Charge` of the
//! `loop` (each iteration pays the segment ending at the backward branch); the function's label is
//! its final [`Instr::Return`], after the last `end`'s `Charge`.

use super::DecodeError;
use super::frame_weight::{Invalid, OperandHeights, frame_weight};
use super::instr::{Binary, Branch, Instr, Load, Unary};
use super::metering::SegmentCost;
use super::module::FuncType;
use wasmparser::{BlockType, FunctionBody, MemArg, Operator};

/// A compiled function body.
#[derive(Debug)]
pub(crate) struct Body {
    /// The instructions.
    pub code: Vec<Instr>,
    /// The targets of every `br_table`, each table's default last.
    pub branch_table: Vec<Branch>,
    /// Declared locals (parameters not included).
    pub locals: u32,
    /// The frame weight 8 + P + L + D.
    pub weight: u64,
}

/// What a body may refer to: the module's types and the type of every function index.
pub(crate) struct Context<'a> {
    pub types: &'a [FuncType],
    pub func_types: &'a [u32],
}

impl Context<'_> {
    fn func_type(&self, type_index: u32) -> Result<&FuncType, DecodeError> {
        self.types.get(type_index as usize).ok_or_else(|| DecodeError(format!("type index {type_index} out of range")))
    }

    /// (parameter count, result count) of a block type.
    fn block_arity(&self, blockty: BlockType) -> Result<(u32, u32), DecodeError> {
        match blockty {
            BlockType::Empty => Ok((0, 0)),
            BlockType::Type(_) => Ok((0, 1)),
            BlockType::FuncType(index) => {
                let ty = self.func_type(index)?;
                Ok((ty.param_count(), ty.result_count()))
            }
        }
    }
}

/// Compiles the body of a function of type `ty`.
pub(crate) fn compile(body: &FunctionBody<'_>, ty: &FuncType, context: &Context<'_>) -> Result<Body, DecodeError> {
    let mut locals: u64 = 0;
    let mut reader = body.get_locals_reader().map_err(parse_error)?;
    for _ in 0..reader.get_count() {
        let (count, _) = reader.read().map_err(parse_error)?;
        locals = locals.saturating_add(u64::from(count));
    }
    let locals = u32::try_from(locals).map_err(|_| DecodeError("too many locals".into()))?;
    let params = ty.param_count();
    params.checked_add(locals).ok_or_else(|| DecodeError("too many locals".into()))?;

    let mut compiler = Compiler::new(context, ty.result_count());
    let mut operators = body.get_operators_reader().map_err(parse_error)?;
    while !operators.eof() {
        let op = operators.read().map_err(parse_error)?;
        compiler
            .operator(&op)
            .map_err(|e| DecodeError(format!("{}: {}", svm_core::validation::operators::operator_name(&op), e.0)))?;
    }
    operators.finish().map_err(parse_error)?;
    let max_height = compiler.heights.max();
    let (code, branch_table) = compiler.finish()?;
    Ok(Body { code, branch_table, locals, weight: frame_weight(params.into(), locals.into(), max_height.into()) })
}

fn parse_error(e: wasmparser::BinaryReaderError) -> DecodeError {
    DecodeError(e.to_string())
}

impl From<Invalid> for DecodeError {
    fn from(e: Invalid) -> DecodeError {
        DecodeError(e.0.into())
    }
}

/// What kind of construct a control frame is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function,
    Block,
    Loop,
    /// An `if` whose `else` has not been seen; `else_label` is where a false condition goes.
    If {
        else_label: u32,
    },
    Else,
}

/// A control frame as the compiler sees it (its height lives in [`OperandHeights`]).
#[derive(Clone, Copy, Debug)]
struct Control {
    kind: Kind,
    /// The label a branch to this frame goes to.
    label: u32,
    params: u32,
    results: u32,
}

impl Control {
    /// How many values a branch to this frame carries.
    fn branch_arity(&self) -> u32 {
        match self.kind {
            Kind::Loop => self.params,
            _ => self.results,
        }
    }
}

/// A label not placed yet.
const UNPLACED: u32 = u32::MAX;

struct Compiler<'a> {
    context: &'a Context<'a>,
    code: Vec<Instr>,
    branch_table: Vec<Branch>,
    /// The instruction index of each label, [`UNPLACED`] until known.
    labels: Vec<u32>,
    controls: Vec<Control>,
    heights: OperandHeights,
    segment: SegmentCost,
    finished: bool,
}

impl<'a> Compiler<'a> {
    fn new(context: &'a Context<'a>, results: u32) -> Compiler<'a> {
        Compiler {
            context,
            code: Vec::new(),
            branch_table: Vec::new(),
            labels: vec![UNPLACED],
            controls: vec![Control { kind: Kind::Function, label: 0, params: 0, results }],
            heights: OperandHeights::new(),
            segment: SegmentCost::default(),
            finished: false,
        }
    }

    fn emit(&mut self, instr: Instr) {
        self.code.push(instr);
    }

    fn new_label(&mut self) -> u32 {
        self.labels.push(UNPLACED);
        (self.labels.len() - 1) as u32
    }

    /// Places `label` at the next instruction.
    fn place(&mut self, label: u32) -> Result<(), DecodeError> {
        let pc = u32::try_from(self.code.len()).map_err(|_| DecodeError("body too long".into()))?;
        let slot = self.labels.get_mut(label as usize).ok_or_else(|| DecodeError("unknown label".into()))?;
        *slot = pc;
        Ok(())
    }

    /// The control frame `depth` levels out (0 = innermost).
    fn control(&self, depth: u32) -> Result<Control, DecodeError> {
        self.controls
            .len()
            .checked_sub(1)
            .and_then(|top| top.checked_sub(depth as usize))
            .map(|index| self.controls[index])
            .ok_or_else(|| DecodeError(format!("branch depth {depth} out of range")))
    }

    /// The branch to the frame `depth` levels out, naming its label (resolved in `finish`).
    fn branch(&self, depth: u32) -> Result<Branch, DecodeError> {
        let control = self.control(depth)?;
        Ok(Branch { pc: control.label, height: self.heights.frame_height(depth)?, keep: control.branch_arity() })
    }

    fn operator(&mut self, op: &Operator<'_>) -> Result<(), DecodeError> {
        if self.finished {
            return Err(DecodeError("operator after the function's end".into()));
        }
        if let Some(cost) = self.segment.feed(op)
            && cost > 0
        {
            self.emit(Instr::Charge(cost));
        }
        self.translate(op)?;
        self.heights.observe();
        Ok(())
    }

    /// Emits `instr`, an operator that pops `pops` values and pushes `pushes`.
    fn simple(&mut self, instr: Option<Instr>, pops: u32, pushes: u32) -> Result<(), DecodeError> {
        self.heights.pop(pops)?;
        self.heights.push(pushes)?;
        if let Some(instr) = instr {
            self.emit(instr);
        }
        Ok(())
    }

    fn unary(&mut self, op: Unary) -> Result<(), DecodeError> {
        self.simple(Some(Instr::Unary(op)), 1, 1)
    }

    fn binary(&mut self, op: Binary) -> Result<(), DecodeError> {
        self.simple(Some(Instr::Binary(op)), 2, 1)
    }

    fn load(&mut self, kind: Load, memarg: &MemArg) -> Result<(), DecodeError> {
        let offset = static_offset(memarg)?;
        self.simple(Some(Instr::Load(kind, offset)), 1, 1)
    }

    fn store(&mut self, width: u8, memarg: &MemArg) -> Result<(), DecodeError> {
        let offset = static_offset(memarg)?;
        self.simple(Some(Instr::Store(width, offset)), 2, 0)
    }

    fn call(&mut self, instr: Instr, type_index: u32, extra_pops: u32) -> Result<(), DecodeError> {
        let ty = self.context.func_type(type_index)?;
        let (params, results) = (ty.param_count(), ty.result_count());
        self.heights.pop(extra_pops)?;
        self.heights.pop(params)?;
        self.heights.push(results)?;
        self.emit(instr);
        Ok(())
    }

    fn enter(&mut self, kind: Kind, blockty: BlockType) -> Result<Control, DecodeError> {
        let (params, results) = self.context.block_arity(blockty)?;
        self.heights.pop(params)?;
        self.heights.enter(params)?;
        let label = self.new_label();
        let control = Control { kind, label, params, results };
        self.controls.push(control);
        Ok(control)
    }

    fn translate(&mut self, op: &Operator<'_>) -> Result<(), DecodeError> {
        use Operator as O;
        match op {
            O::Unreachable => {
                self.emit(Instr::Unreachable);
                self.heights.unreachable()?;
            }
            O::Nop => {}
            O::Block { blockty } => {
                self.enter(Kind::Block, *blockty)?;
            }
            O::Loop { blockty } => {
                let control = self.enter(Kind::Loop, *blockty)?;
                self.place(control.label)?;
            }
            O::If { blockty } => {
                self.heights.pop(1)?;
                let else_label = self.new_label();
                self.enter(Kind::If { else_label }, *blockty)?;
                self.emit(Instr::If { else_pc: else_label });
            }
            O::Else => {
                let control = self.controls.last_mut().ok_or_else(|| DecodeError("else outside if".into()))?;
                let Kind::If { else_label } = control.kind else {
                    return Err(DecodeError("else without its if".into()));
                };
                control.kind = Kind::Else;
                let control = *control;
                self.heights.leave(control.results)?;
                self.heights.enter(control.params)?;
                self.emit(Instr::Jump(control.label));
                self.place(else_label)?;
            }
            O::End => {
                let control = self.controls.pop().ok_or_else(|| DecodeError("end without a frame".into()))?;
                self.heights.leave(control.results)?;
                self.heights.push(control.results)?;
                match control.kind {
                    Kind::Function => {
                        self.place(control.label)?;
                        self.emit(Instr::Return);
                        self.finished = true;
                    }
                    Kind::If { else_label } => {
                        // No `else`: a false condition lands after the `end`, like the branch.
                        self.place(control.label)?;
                        self.place(else_label)?;
                    }
                    Kind::Block | Kind::Else => self.place(control.label)?,
                    // A loop's label is its start, placed at the `loop`.
                    Kind::Loop => {}
                }
            }
            O::Br { relative_depth } => {
                let branch = self.branch(*relative_depth)?;
                self.heights.pop(branch.keep)?;
                self.heights.unreachable()?;
                self.emit(Instr::Br(branch));
            }
            O::BrIf { relative_depth } => {
                self.heights.pop(1)?;
                let branch = self.branch(*relative_depth)?;
                self.heights.pop(branch.keep)?;
                self.heights.push(branch.keep)?;
                self.emit(Instr::BrIf(branch));
            }
            O::BrTable { targets } => {
                self.heights.pop(1)?;
                let first = self.branch_table.len();
                for depth in targets.targets() {
                    let depth = depth.map_err(parse_error)?;
                    let branch = self.branch(depth)?;
                    self.branch_table.push(branch);
                }
                let default = self.branch(targets.default())?;
                self.branch_table.push(default);
                let len = self.branch_table.len() - first;
                self.heights.pop(default.keep)?;
                self.heights.unreachable()?;
                let first = u32::try_from(first).map_err(|_| DecodeError("branch table too long".into()))?;
                let len = u32::try_from(len).map_err(|_| DecodeError("branch table too long".into()))?;
                self.emit(Instr::BrTable { first, len });
            }
            O::Return => {
                let results =
                    self.controls.first().ok_or_else(|| DecodeError("return after the function's end".into()))?.results;
                self.heights.pop(results)?;
                self.heights.unreachable()?;
                self.emit(Instr::Return);
            }
            O::Call { function_index } => {
                let type_index = *self
                    .context
                    .func_types
                    .get(*function_index as usize)
                    .ok_or_else(|| DecodeError(format!("function index {function_index} out of range")))?;
                self.call(Instr::Call(*function_index), type_index, 0)?;
            }
            O::CallIndirect { type_index, table_index } => {
                if *table_index != 0 {
                    return Err(DecodeError("call_indirect on a table other than 0".into()));
                }
                self.call(Instr::CallIndirect(*type_index), *type_index, 1)?;
            }
            O::Drop => self.simple(Some(Instr::Drop), 1, 0)?,
            O::Select | O::TypedSelect { .. } => self.simple(Some(Instr::Select), 3, 1)?,
            O::LocalGet { local_index } => self.simple(Some(Instr::LocalGet(*local_index)), 0, 1)?,
            O::LocalSet { local_index } => self.simple(Some(Instr::LocalSet(*local_index)), 1, 0)?,
            O::LocalTee { local_index } => self.simple(Some(Instr::LocalTee(*local_index)), 1, 1)?,
            O::GlobalGet { global_index } => self.simple(Some(Instr::GlobalGet(*global_index)), 0, 1)?,
            O::GlobalSet { global_index } => self.simple(Some(Instr::GlobalSet(*global_index)), 1, 0)?,

            O::I32Load { memarg } | O::F32Load { memarg } | O::I64Load32U { memarg } => self.load(Load::U32, memarg)?,
            O::I64Load { memarg } | O::F64Load { memarg } => self.load(Load::U64, memarg)?,
            O::I32Load8S { memarg } => self.load(Load::S8To32, memarg)?,
            O::I32Load8U { memarg } | O::I64Load8U { memarg } => self.load(Load::U8, memarg)?,
            O::I32Load16S { memarg } => self.load(Load::S16To32, memarg)?,
            O::I32Load16U { memarg } | O::I64Load16U { memarg } => self.load(Load::U16, memarg)?,
            O::I64Load8S { memarg } => self.load(Load::S8To64, memarg)?,
            O::I64Load16S { memarg } => self.load(Load::S16To64, memarg)?,
            O::I64Load32S { memarg } => self.load(Load::S32To64, memarg)?,
            O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store32 { memarg } => self.store(4, memarg)?,
            O::I64Store { memarg } | O::F64Store { memarg } => self.store(8, memarg)?,
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store(1, memarg)?,
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => self.store(2, memarg)?,

            O::MemorySize { mem: 0 } => self.simple(Some(Instr::MemorySize), 0, 1)?,
            O::MemoryGrow { mem: 0 } => self.simple(Some(Instr::MemoryGrow), 1, 1)?,
            O::MemoryFill { mem: 0 } => self.simple(Some(Instr::MemoryFill), 3, 0)?,
            O::MemoryCopy { dst_mem: 0, src_mem: 0 } => self.simple(Some(Instr::MemoryCopy), 3, 0)?,
            O::MemoryInit { data_index, mem: 0 } => self.simple(Some(Instr::MemoryInit(*data_index)), 3, 0)?,
            O::DataDrop { data_index } => self.simple(Some(Instr::DataDrop(*data_index)), 0, 0)?,

            O::I32Const { value } => self.simple(Some(Instr::Const(u64::from(*value as u32))), 0, 1)?,
            O::I64Const { value } => self.simple(Some(Instr::Const(*value as u64)), 0, 1)?,
            O::F32Const { value } => self.simple(Some(Instr::Const(u64::from(value.bits()))), 0, 1)?,
            O::F64Const { value } => self.simple(Some(Instr::Const(value.bits())), 0, 1)?,

            // Reinterpretations keep the bits: nothing runs.
            O::I32ReinterpretF32 | O::I64ReinterpretF64 | O::F32ReinterpretI32 | O::F64ReinterpretI64 => {
                self.simple(None, 1, 1)?
            }

            O::I32Eqz => self.unary(Unary::I32Eqz)?,
            O::I32Clz => self.unary(Unary::I32Clz)?,
            O::I32Ctz => self.unary(Unary::I32Ctz)?,
            O::I32Popcnt => self.unary(Unary::I32Popcnt)?,
            O::I64Eqz => self.unary(Unary::I64Eqz)?,
            O::I64Clz => self.unary(Unary::I64Clz)?,
            O::I64Ctz => self.unary(Unary::I64Ctz)?,
            O::I64Popcnt => self.unary(Unary::I64Popcnt)?,
            O::I32WrapI64 => self.unary(Unary::I32WrapI64)?,
            O::I64ExtendI32S => self.unary(Unary::I64ExtendI32S)?,
            O::I64ExtendI32U => self.unary(Unary::I64ExtendI32U)?,
            O::I32Extend8S => self.unary(Unary::I32Extend8S)?,
            O::I32Extend16S => self.unary(Unary::I32Extend16S)?,
            O::I64Extend8S => self.unary(Unary::I64Extend8S)?,
            O::I64Extend16S => self.unary(Unary::I64Extend16S)?,
            O::I64Extend32S => self.unary(Unary::I64Extend32S)?,
            O::F32Abs => self.unary(Unary::F32Abs)?,
            O::F32Neg => self.unary(Unary::F32Neg)?,
            O::F32Ceil => self.unary(Unary::F32Ceil)?,
            O::F32Floor => self.unary(Unary::F32Floor)?,
            O::F32Trunc => self.unary(Unary::F32Trunc)?,
            O::F32Nearest => self.unary(Unary::F32Nearest)?,
            O::F32Sqrt => self.unary(Unary::F32Sqrt)?,
            O::F64Abs => self.unary(Unary::F64Abs)?,
            O::F64Neg => self.unary(Unary::F64Neg)?,
            O::F64Ceil => self.unary(Unary::F64Ceil)?,
            O::F64Floor => self.unary(Unary::F64Floor)?,
            O::F64Trunc => self.unary(Unary::F64Trunc)?,
            O::F64Nearest => self.unary(Unary::F64Nearest)?,
            O::F64Sqrt => self.unary(Unary::F64Sqrt)?,
            O::I32TruncF32S => self.unary(Unary::I32TruncF32S)?,
            O::I32TruncF32U => self.unary(Unary::I32TruncF32U)?,
            O::I32TruncF64S => self.unary(Unary::I32TruncF64S)?,
            O::I32TruncF64U => self.unary(Unary::I32TruncF64U)?,
            O::I64TruncF32S => self.unary(Unary::I64TruncF32S)?,
            O::I64TruncF32U => self.unary(Unary::I64TruncF32U)?,
            O::I64TruncF64S => self.unary(Unary::I64TruncF64S)?,
            O::I64TruncF64U => self.unary(Unary::I64TruncF64U)?,
            O::I32TruncSatF32S => self.unary(Unary::I32TruncSatF32S)?,
            O::I32TruncSatF32U => self.unary(Unary::I32TruncSatF32U)?,
            O::I32TruncSatF64S => self.unary(Unary::I32TruncSatF64S)?,
            O::I32TruncSatF64U => self.unary(Unary::I32TruncSatF64U)?,
            O::I64TruncSatF32S => self.unary(Unary::I64TruncSatF32S)?,
            O::I64TruncSatF32U => self.unary(Unary::I64TruncSatF32U)?,
            O::I64TruncSatF64S => self.unary(Unary::I64TruncSatF64S)?,
            O::I64TruncSatF64U => self.unary(Unary::I64TruncSatF64U)?,
            O::F32ConvertI32S => self.unary(Unary::F32ConvertI32S)?,
            O::F32ConvertI32U => self.unary(Unary::F32ConvertI32U)?,
            O::F32ConvertI64S => self.unary(Unary::F32ConvertI64S)?,
            O::F32ConvertI64U => self.unary(Unary::F32ConvertI64U)?,
            O::F32DemoteF64 => self.unary(Unary::F32DemoteF64)?,
            O::F64ConvertI32S => self.unary(Unary::F64ConvertI32S)?,
            O::F64ConvertI32U => self.unary(Unary::F64ConvertI32U)?,
            O::F64ConvertI64S => self.unary(Unary::F64ConvertI64S)?,
            O::F64ConvertI64U => self.unary(Unary::F64ConvertI64U)?,
            O::F64PromoteF32 => self.unary(Unary::F64PromoteF32)?,

            O::I32Eq => self.binary(Binary::I32Eq)?,
            O::I32Ne => self.binary(Binary::I32Ne)?,
            O::I32LtS => self.binary(Binary::I32LtS)?,
            O::I32LtU => self.binary(Binary::I32LtU)?,
            O::I32GtS => self.binary(Binary::I32GtS)?,
            O::I32GtU => self.binary(Binary::I32GtU)?,
            O::I32LeS => self.binary(Binary::I32LeS)?,
            O::I32LeU => self.binary(Binary::I32LeU)?,
            O::I32GeS => self.binary(Binary::I32GeS)?,
            O::I32GeU => self.binary(Binary::I32GeU)?,
            O::I64Eq => self.binary(Binary::I64Eq)?,
            O::I64Ne => self.binary(Binary::I64Ne)?,
            O::I64LtS => self.binary(Binary::I64LtS)?,
            O::I64LtU => self.binary(Binary::I64LtU)?,
            O::I64GtS => self.binary(Binary::I64GtS)?,
            O::I64GtU => self.binary(Binary::I64GtU)?,
            O::I64LeS => self.binary(Binary::I64LeS)?,
            O::I64LeU => self.binary(Binary::I64LeU)?,
            O::I64GeS => self.binary(Binary::I64GeS)?,
            O::I64GeU => self.binary(Binary::I64GeU)?,
            O::F32Eq => self.binary(Binary::F32Eq)?,
            O::F32Ne => self.binary(Binary::F32Ne)?,
            O::F32Lt => self.binary(Binary::F32Lt)?,
            O::F32Gt => self.binary(Binary::F32Gt)?,
            O::F32Le => self.binary(Binary::F32Le)?,
            O::F32Ge => self.binary(Binary::F32Ge)?,
            O::F64Eq => self.binary(Binary::F64Eq)?,
            O::F64Ne => self.binary(Binary::F64Ne)?,
            O::F64Lt => self.binary(Binary::F64Lt)?,
            O::F64Gt => self.binary(Binary::F64Gt)?,
            O::F64Le => self.binary(Binary::F64Le)?,
            O::F64Ge => self.binary(Binary::F64Ge)?,
            O::I32Add => self.binary(Binary::I32Add)?,
            O::I32Sub => self.binary(Binary::I32Sub)?,
            O::I32Mul => self.binary(Binary::I32Mul)?,
            O::I32DivS => self.binary(Binary::I32DivS)?,
            O::I32DivU => self.binary(Binary::I32DivU)?,
            O::I32RemS => self.binary(Binary::I32RemS)?,
            O::I32RemU => self.binary(Binary::I32RemU)?,
            O::I32And => self.binary(Binary::I32And)?,
            O::I32Or => self.binary(Binary::I32Or)?,
            O::I32Xor => self.binary(Binary::I32Xor)?,
            O::I32Shl => self.binary(Binary::I32Shl)?,
            O::I32ShrS => self.binary(Binary::I32ShrS)?,
            O::I32ShrU => self.binary(Binary::I32ShrU)?,
            O::I32Rotl => self.binary(Binary::I32Rotl)?,
            O::I32Rotr => self.binary(Binary::I32Rotr)?,
            O::I64Add => self.binary(Binary::I64Add)?,
            O::I64Sub => self.binary(Binary::I64Sub)?,
            O::I64Mul => self.binary(Binary::I64Mul)?,
            O::I64DivS => self.binary(Binary::I64DivS)?,
            O::I64DivU => self.binary(Binary::I64DivU)?,
            O::I64RemS => self.binary(Binary::I64RemS)?,
            O::I64RemU => self.binary(Binary::I64RemU)?,
            O::I64And => self.binary(Binary::I64And)?,
            O::I64Or => self.binary(Binary::I64Or)?,
            O::I64Xor => self.binary(Binary::I64Xor)?,
            O::I64Shl => self.binary(Binary::I64Shl)?,
            O::I64ShrS => self.binary(Binary::I64ShrS)?,
            O::I64ShrU => self.binary(Binary::I64ShrU)?,
            O::I64Rotl => self.binary(Binary::I64Rotl)?,
            O::I64Rotr => self.binary(Binary::I64Rotr)?,
            O::F32Add => self.binary(Binary::F32Add)?,
            O::F32Sub => self.binary(Binary::F32Sub)?,
            O::F32Mul => self.binary(Binary::F32Mul)?,
            O::F32Div => self.binary(Binary::F32Div)?,
            O::F32Min => self.binary(Binary::F32Min)?,
            O::F32Max => self.binary(Binary::F32Max)?,
            O::F32Copysign => self.binary(Binary::F32Copysign)?,
            O::F64Add => self.binary(Binary::F64Add)?,
            O::F64Sub => self.binary(Binary::F64Sub)?,
            O::F64Mul => self.binary(Binary::F64Mul)?,
            O::F64Div => self.binary(Binary::F64Div)?,
            O::F64Min => self.binary(Binary::F64Min)?,
            O::F64Max => self.binary(Binary::F64Max)?,
            O::F64Copysign => self.binary(Binary::F64Copysign)?,

            _ => return Err(DecodeError("operator outside the admitted subset".into())),
        }
        Ok(())
    }

    /// Resolves every label to its instruction index.
    fn finish(self) -> Result<(Vec<Instr>, Vec<Branch>), DecodeError> {
        if !self.finished {
            return Err(DecodeError("body does not end".into()));
        }
        let labels = self.labels;
        let resolve = |label: u32| -> Result<u32, DecodeError> {
            match labels.get(label as usize) {
                Some(&pc) if pc != UNPLACED => Ok(pc),
                _ => Err(DecodeError("branch to a label never placed".into())),
            }
        };
        let mut code = self.code;
        for instr in &mut code {
            match instr {
                Instr::Br(branch) | Instr::BrIf(branch) => branch.pc = resolve(branch.pc)?,
                Instr::If { else_pc } => *else_pc = resolve(*else_pc)?,
                Instr::Jump(pc) => *pc = resolve(*pc)?,
                _ => {}
            }
        }
        let mut branch_table = self.branch_table;
        for branch in &mut branch_table {
            branch.pc = resolve(branch.pc)?;
        }
        Ok((code, branch_table))
    }
}

/// A load's or store's static offset, which a 32-bit memory keeps below 2^32.
fn static_offset(memarg: &MemArg) -> Result<u32, DecodeError> {
    if memarg.memory != 0 {
        return Err(DecodeError("memory other than 0".into()));
    }
    u32::try_from(memarg.offset).map_err(|_| DecodeError("offset beyond 32 bits".into()))
}
