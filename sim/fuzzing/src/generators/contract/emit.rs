//! A contract plan as WebAssembly text: every vmcall imported, the memory and its data, a recursion
//! helper, and one export per function plan, each step emitted exactly as the model reads it.

use super::plan::{
    CALL_ARGS, CALL_AT, CallSpec, ContractPlan, FunctionPlan, GUARD_SPREAD, HOP_COPY, HOP_HEAD, Handle, Src, Step,
    TABLE_SLOTS,
};
use std::fmt::Write;
use svm::vmcalls::registry::{NAMESPACE, VMCALLS};

/// The WebAssembly text of `plan`.
pub fn wat(plan: &ContractPlan) -> String {
    let mut out = String::from("(module\n");
    vmcall_imports(&mut out);
    if plan.memory {
        out.push_str("  (memory (export \"memory\") 1)\n");
        data(&mut out, plan);
    }
    out.push_str(I2I);
    table(&mut out);
    out.push_str(RECURSION_HELPER);
    for function in &plan.functions {
        function_wat(&mut out, plan, function);
    }
    out.push_str(")\n");
    out
}

/// The recursion helper's type.
const I2I: &str = "  (type $i2i (func (param i32) (result i32)))\n";

/// The recursion helper: `rec(n)` recurses `n` deep and returns `n`.
const RECURSION_HELPER: &str = "  (func $rec (type $i2i)\n    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))\n      (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))\n";

/// The library every split contract shares: the recursion helper, exported as `rec`.
pub fn helper_library_wat() -> String {
    format!("(module\n{I2I}{}  (export \"rec\" (func $rec)))\n", RECURSION_HELPER)
}

/// Whether `function` can move into a library: no step of it uses the table (a library has none).
pub fn movable(function: &FunctionPlan) -> bool {
    fn uses_table(step: &Step) -> bool {
        match step {
            Step::CallIndirect { .. } => true,
            Step::Guarded { then, .. } => uses_table(then),
            Step::Seq { steps } => steps.iter().any(uses_table),
            _ => false,
        }
    }
    !function.steps.iter().any(uses_table)
}

/// The library of `plan` split (see [`split_contract_wat`]): every [`movable`] function, exported under its own
/// name, on its caller's memory, with the recursion helper imported from the library `helper` (a module name).
pub fn split_library_wat(plan: &ContractPlan, helper: &str) -> String {
    let mut out = String::from("(module\n");
    out.push_str(I2I);
    vmcall_imports(&mut out);
    let _ = writeln!(out, "  (import \"{helper}\" \"rec\" (func $rec (type $i2i)))");
    if plan.memory {
        out.push_str("  (import \"env\" \"memory\" (memory 1))\n");
    }
    for function in plan.functions.iter().filter(|f| movable(f)) {
        function_wat(&mut out, plan, function);
    }
    out.push_str(")\n");
    out
}

/// `plan` as a contract that links its [`movable`] functions from `library` (the module name of
/// [`split_library_wat`]'s library) and its recursion helper from `helper`: each moved export is a call of the
/// library's function, so every call does what the plan says, the model unchanged.
pub fn split_contract_wat(plan: &ContractPlan, helper: &str, library: &str) -> String {
    let mut out = String::from("(module\n");
    out.push_str(I2I);
    vmcall_imports(&mut out);
    let _ = writeln!(out, "  (import \"{helper}\" \"rec\" (func $rec (type $i2i)))");
    for function in plan.functions.iter().filter(|f| movable(f)) {
        let _ = writeln!(
            out,
            "  (import \"{library}\" \"{0}\" (func $lib_{0} (param i64 i64) (result i64)))",
            function.name
        );
    }
    if plan.memory {
        out.push_str("  (memory (export \"memory\") 1)\n");
        data(&mut out, plan);
    }
    table(&mut out);
    for function in &plan.functions {
        if movable(function) {
            let _ = writeln!(
                out,
                "  (func (export \"{0}\") (param $a i64) (param $b i64) (result i64) (call $lib_{0} (local.get $a) (local.get $b)))",
                function.name
            );
        } else {
            function_wat(&mut out, plan, function);
        }
    }
    out.push_str(")\n");
    out
}

/// Every vmcall, imported under its own name.
fn vmcall_imports(out: &mut String) {
    for spec in VMCALLS {
        let types = |types: &[svm::ValueType]| types.iter().map(|t| t.name()).collect::<Vec<_>>().join(" ");
        let results =
            if spec.results.is_empty() { String::new() } else { format!(" (result {})", types(spec.results)) };
        let _ = writeln!(
            out,
            "  (import \"{NAMESPACE}\" \"{0}\" (func ${0} (param {1}){results}))",
            spec.name,
            types(spec.params)
        );
    }
}

/// The plan's data, at address 0.
fn data(out: &mut String, plan: &ContractPlan) {
    if !plan.data.is_empty() {
        let bytes: String = plan.data.iter().map(|b| format!("\\{b:02x}")).collect();
        let _ = writeln!(out, "  (data (i32.const 0) \"{bytes}\")");
    }
}

/// The table: the recursion helper, a function of another type, an empty slot.
fn table(out: &mut String) {
    let _ = writeln!(out, "  (table {TABLE_SLOTS} funcref)\n  (elem (i32.const 0) func $rec $other)");
    out.push_str("  (func $other)\n");
}

fn src(src: Src) -> String {
    match src {
        Src::Const(v) => format!("(i64.const {v})"),
        Src::A => "(local.get $a)".into(),
        Src::B => "(local.get $b)".into(),
        Src::Acc => "(local.get $acc)".into(),
    }
}

fn handle(h: Handle) -> String {
    match h {
        Handle::Local(n) => format!("(local.get $h{n})"),
        Handle::Const(v) => format!("(i32.const {v})"),
    }
}

/// `collection_open_nested(h, key_ptr, kind, width, values)`.
fn open_nested(h: Handle, key_ptr: u32, [kind, width, values]: [u32; 3]) -> String {
    format!(
        "(call $collection_open_nested {} (i32.const {key_ptr}) (i32.const {kind}) (i32.const {width}) (i32.const {values}))",
        handle(h)
    )
}

/// `$h{dst}` ← `call`, then the accumulator mixes it in.
fn set_handle(dst: u32, call: &str) -> String {
    format!("(local.set $h{dst} {call}) {}", mix(&format!("(i64.extend_i32_s (local.get $h{dst}))")))
}

fn mix(value: &str) -> String {
    format!("(local.set $acc (i64.xor (i64.rotl (local.get $acc) (i64.const 5)) {value}))")
}

/// A loop of `count` iterations whose body may use `(local.get $i)`.
fn repeat(count: u32, body: &str) -> String {
    format!(
        "(local.set $i (i32.const 0)) (block $done (loop $next (br_if $done (i32.ge_u (local.get $i) (i32.const {count}))) {body} (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $next)))"
    )
}

fn function_wat(out: &mut String, plan: &ContractPlan, function: &FunctionPlan) {
    let _ = writeln!(
        out,
        "  (func (export \"{}\") (param $a i64) (param $b i64) (result i64) (local $acc i64) (local $i i32) (local $h0 i32) (local $h1 i32) (local $h2 i32) (local $h3 i32) (local $n i32)",
        function.name
    );
    for step in &function.steps {
        let code = step_wat(plan, step);
        if !code.is_empty() {
            let _ = writeln!(out, "    {code}");
        }
    }
    out.push_str("    (local.get $acc))\n");
}

fn step_wat(plan: &ContractPlan, step: &Step) -> String {
    let c = |v: u32| format!("(i32.const {v})");
    match *step {
        Step::WriteI64 { slice, src: s } => format!("(call $storage_write_i64 {} {})", c(slice), src(s)),
        Step::WriteI32 { slice, src: s } => format!("(call $storage_write_i32 {} (i32.wrap_i64 {}))", c(slice), src(s)),
        Step::ReadI64 { slice } => mix(&format!("(call $storage_read_i64 {})", c(slice))),
        Step::ReadI32 { slice } => mix(&format!("(i64.extend_i32_u (call $storage_read_i32 {}))", c(slice))),
        Step::WriteFromMem { slice, offset, len, ptr } => {
            format!("(call $storage_write_from_mem {} {} {} {})", c(slice), c(offset), c(len), c(ptr))
        }
        Step::ReadToMem { slice, offset, len, ptr } => {
            format!("(call $storage_read_to_mem {} {} {} {})", c(slice), c(offset), c(len), c(ptr))
        }
        Step::WriteFromReg { slice, offset, len, bits, reg } => {
            format!("(call $storage_write_from_reg {} {} {} {} {})", c(slice), c(offset), c(len), c(bits), c(reg))
        }
        Step::ReadToReg { slice, offset, len, bits, reg } => {
            format!("(call $storage_read_to_reg {} {} {} {} {})", c(slice), c(offset), c(len), c(bits), c(reg))
        }
        Step::SliceLen { slice } => mix(&format!("(i64.extend_i32_u (call $storage_slice_len {}))", c(slice))),
        Step::RegSetI64 { bits, reg, src: s } => format!("(call $reg_set_i64 {} {} {})", c(bits), c(reg), src(s)),
        Step::RegGetI64 { bits, reg } => mix(&format!("(call $reg_get_i64 {} {})", c(bits), c(reg))),
        Step::RegCopy { bits, src: from, dst } => format!("(call $reg_copy {} {} {})", c(bits), c(from), c(dst)),
        Step::RegCmp { bits, a, b } => {
            mix(&format!("(i64.extend_i32_s (call $reg_cmp {} {} {}))", c(bits), c(a), c(b)))
        }
        Step::RegSetFromMem { bits, reg, ptr } => format!("(call $reg_set_from_mem {} {} {})", c(bits), c(reg), c(ptr)),
        Step::RegGetToMem { bits, reg, ptr } => format!("(call $reg_get_to_mem {} {} {})", c(bits), c(reg), c(ptr)),
        Step::CalldataLen => mix("(i64.extend_i32_u (call $calldata_len))"),
        Step::CalldataCopy { offset, len, ptr } => format!("(call $calldata_copy {} {} {})", c(offset), c(len), c(ptr)),
        Step::ReturndataSet { ptr, len } => format!("(call $returndata_set {} {})", c(ptr), c(len)),
        Step::SenderToReg { reg } => format!("(call $host_sender_to_reg {})", c(reg)),
        Step::ContractToReg { reg } => format!("(call $host_contract_to_reg {})", c(reg)),
        Step::Layer => mix("(call $host_layer)"),
        Step::Value => mix("(call $host_value)"),
        Step::Balance { bits, reg } => mix(&format!("(call $get_balance_from_reg {} {})", c(bits), c(reg))),
        Step::Log { ptr, len } => format!("(call $log {} {})", c(ptr), c(len)),
        Step::Emit { count, topics_ptr, topics, ptr, len, expiry } => {
            let call =
                format!("(call $event_emit {} {} {} {} {})", c(topics_ptr), c(topics), c(ptr), c(len), c(expiry));
            if count == 1 { call } else { repeat(count, &call) }
        }
        Step::LogMany { count, ptr, len } => repeat(count, &format!("(call $log {} {})", c(ptr), c(len))),
        // Memory instructions exist only in a plan with a memory (the generator never puts them elsewhere;
        // the model skips them the same way).
        Step::MemStore { .. } | Step::MemLoad { .. } | Step::Fill { .. } | Step::Copy { .. } | Step::Grow { .. }
            if !plan.memory =>
        {
            String::new()
        }
        Step::MemStore { ptr, src: s } => format!("(i64.store {} {})", c(ptr), src(s)),
        Step::MemLoad { ptr } => mix(&format!("(i64.load {})", c(ptr))),
        Step::Fill { ptr, byte, len } => format!("(memory.fill {} {} {})", c(ptr), c(u32::from(byte)), c(len)),
        Step::Copy { dst, src: from, len } => format!("(memory.copy {} {} {})", c(dst), c(from), c(len)),
        Step::Grow { pages } => mix(&format!("(i64.extend_i32_s (memory.grow {}))", c(pages))),
        Step::WriteMany { first, count, src: s } => {
            repeat(count, &format!("(call $storage_write_i64 (i32.add (i32.const {first}) (local.get $i)) {})", src(s)))
        }
        Step::ReadMany { first, count } => {
            repeat(count, &mix(&format!("(call $storage_read_i64 (i32.add (i32.const {first}) (local.get $i)))")))
        }
        Step::Recurse { depth } => mix(&format!("(i64.extend_i32_u (call $rec {}))", c(depth))),
        Step::Spin { iterations } => repeat(iterations, "(nop)"),
        Step::SpinForever => "(loop $forever (br $forever))".into(),
        Step::CallIndirect { slot } => {
            mix(&format!("(i64.extend_i32_u (call_indirect (type $i2i) (i32.const 5) {}))", c(slot)))
        }
        Step::Overflow => "(drop (i64.div_s (i64.const -9223372036854775808) (i64.const -1)))".into(),
        Step::TruncNan => "(drop (i64.trunc_f64_s (f64.const nan)))".into(),
        Step::Unreachable => "(unreachable)".into(),
        Step::Guarded { shift, ref then } => format!(
            "(if (i64.eqz (i64.and (i64.shr_u (i64.xor (i64.mul (local.get $a) (i64.const {GUARD_SPREAD})) (local.get $b)) (i64.const {shift})) (i64.const 3))) (then {}))",
            step_wat(plan, then)
        ),
        Step::DivideByZero => "(drop (i64.div_u (i64.const 1) (i64.const 0)))".into(),
        Step::CollOpen { dst, slot, kind, width, values } => {
            set_handle(dst, &format!("(call $collection_open {} {} {} {})", c(slot), c(kind), c(width), c(values)))
        }
        Step::CollNested { dst, handle: h, key_ptr, kind, width, values } => {
            set_handle(dst, &open_nested(h, key_ptr, [kind, width, values]))
        }
        Step::CollNestMany { dst, handle: h, key_ptr, count, kind, width, values } => {
            let nested = open_nested(h, key_ptr, [kind, width, values]);
            let body =
                format!("(i64.store {} (i64.extend_i32_u (local.get $i))) {}", c(key_ptr), set_handle(dst, &nested));
            repeat(count, &body)
        }
        Step::CollInsert { handle: h, key_ptr, ptr, len } => mix(&format!(
            "(i64.extend_i32_s (call $collection_insert {} {} {} {}))",
            handle(h),
            c(key_ptr),
            c(ptr),
            c(len)
        )),
        Step::CollGet { handle: h, key_ptr, ptr, cap } => mix(&format!(
            "(i64.extend_i32_s (call $collection_get {} {} {} {}))",
            handle(h),
            c(key_ptr),
            c(ptr),
            c(cap)
        )),
        Step::CollRemove { handle: h, key_ptr } => {
            mix(&format!("(i64.extend_i32_s (call $collection_remove {} {}))", handle(h), c(key_ptr)))
        }
        Step::CollPush { handle: h, ptr, len } => {
            mix(&format!("(call $collection_push {} {} {})", handle(h), c(ptr), c(len)))
        }
        Step::CollPop { handle: h, ptr, cap } => {
            mix(&format!("(i64.extend_i32_s (call $collection_pop {} {} {}))", handle(h), c(ptr), c(cap)))
        }
        Step::CollLen { handle: h } => mix(&format!("(call $collection_len {})", handle(h))),
        Step::CollNext { handle: h, after, bound, out } => mix(&format!(
            "(i64.extend_i32_s (call $collection_next {} {} {} {}))",
            handle(h),
            c(after),
            c(bound),
            c(out)
        )),
        Step::Seq { ref steps } => steps.iter().map(|s| step_wat(plan, s)).collect::<Vec<_>>().join(" "),
        Step::Call(CallSpec { count, ref args, args_ptr, args_count, value, gas, result_ptr, result_len }) => {
            let mut code = format!(
                "(local.set $n (select (call $calldata_len) (i32.const {HOP_COPY}) (i32.lt_u (call $calldata_len) (i32.const {HOP_COPY})))) (call $calldata_copy (i32.const 0) (local.get $n) {})",
                c(CALL_AT)
            );
            // Memory instructions only in a plan with a memory (the model skips them the same way).
            for (k, &(ty, s)) in args.iter().enumerate().filter(|_| plan.memory) {
                let at = CALL_ARGS + 9 * k as u32;
                let _ = write!(code, " (i32.store8 {} {}) (i64.store {} {})", c(at), c(ty.into()), c(at + 1), src(s));
            }
            let data_len = format!(
                "(select (i32.sub (local.get $n) (i32.const {HOP_HEAD})) (i32.const 0) (i32.gt_u (local.get $n) (i32.const {HOP_HEAD})))"
            );
            let call = format!(
                "(call $contract_call {} {} (i32.const 2) {} {} {} {data_len} (i64.const {}) (i64.const {}))",
                c(CALL_AT),
                c(CALL_AT + 20),
                c(args_ptr),
                c(args_count),
                c(CALL_AT + HOP_HEAD),
                value as i64,
                gas as i64
            );
            let body = mix(&format!("(i64.extend_i32_s {call})"));
            let _ = write!(code, " {}", if count == 1 { body } else { repeat(count, &body) });
            let result = format!("(call $call_result {} (i32.const 0) {})", c(result_ptr), c(result_len));
            let _ = write!(code, " {}", mix(&format!("(i64.extend_i32_u {result})")));
            if plan.memory {
                let _ = write!(code, " {}", mix(&format!("(i64.load {})", c(result_ptr.wrapping_add(2)))));
            }
            code
        }
    }
}
