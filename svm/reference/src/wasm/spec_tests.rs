//! The WebAssembly core test suite subset in `corpus/wasm-testsuite` run on the interpreter.
//!
//! Every module deploy validation admits is decoded and instantiated once; its `assert_return`,
//! `assert_trap` and `assert_exhaustion` assertions (and bare `invoke`s) then run on that one
//! instance, as the suite intends (state carries over between its invocations, unlike SVM's
//! executions). Modules validation refuses are skipped with their assertions; `assert_invalid`,
//! `assert_malformed` and `assert_unlinkable` are deploy validation's business, not the
//! interpreter's. Constants are read by compiling `(T.const literal)` with `wat` and running it.
//!
//! Under SVM's rules two things differ from the plain spec, and are checked as SVM says:
//! - a NaN that one of the 24 canonicalizing operators produces is always `0x7FC00000` /
//!   `0x7FF8000000000000`: `nan:canonical` must be exactly that; `nan:arithmetic` must be quiet;
//! - `memory.grow` stops at `max_memory_pages` (64), where the spec would let it grow further.

use super::instance::Instance;
use super::{Module, call};
use crate::host::{Host, Meter, Stop};
use std::collections::BTreeMap;
use svm_core::Limits;
use svm_core::Value;
use svm_core::outcome::TrapKind;
use svm_core::validation::validate;

/// A parsed s-expression, with the source span of lists (to hand a module's text to `wat`).
#[derive(Debug, Clone)]
enum Sexp {
    List(Vec<Sexp>, std::ops::Range<usize>),
    Atom(String),
    Str(Vec<u8>),
}

impl Sexp {
    fn head(&self) -> Option<&str> {
        match self {
            Sexp::List(items, _) => match items.first() {
                Some(Sexp::Atom(a)) => Some(a),
                _ => None,
            },
            _ => None,
        }
    }

    fn items(&self) -> &[Sexp] {
        match self {
            Sexp::List(items, _) => items,
            _ => &[],
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        loop {
            while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
            if self.bytes[self.pos..].starts_with(b";;") {
                while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                    self.pos += 1;
                }
            } else if self.bytes[self.pos..].starts_with(b"(;") {
                let mut depth = 0;
                while self.pos < self.bytes.len() {
                    if self.bytes[self.pos..].starts_with(b"(;") {
                        depth += 1;
                        self.pos += 2;
                    } else if self.bytes[self.pos..].starts_with(b";)") {
                        depth -= 1;
                        self.pos += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        self.pos += 1;
                    }
                }
            } else {
                return;
            }
        }
    }

    fn parse(&mut self) -> Option<Sexp> {
        self.skip_space();
        let start = self.pos;
        match *self.bytes.get(self.pos)? {
            b'(' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if self.bytes.get(self.pos) == Some(&b')') {
                        self.pos += 1;
                        return Some(Sexp::List(items, start..self.pos));
                    }
                    items.push(self.parse()?);
                }
            }
            b'"' => {
                self.pos += 1;
                let mut out = Vec::new();
                loop {
                    let b = *self.bytes.get(self.pos)?;
                    self.pos += 1;
                    match b {
                        b'"' => return Some(Sexp::Str(out)),
                        b'\\' => {
                            let e = *self.bytes.get(self.pos)?;
                            self.pos += 1;
                            match e {
                                b'n' => out.push(b'\n'),
                                b't' => out.push(b'\t'),
                                b'r' => out.push(b'\r'),
                                b'"' | b'\'' | b'\\' => out.push(e),
                                b'u' => {
                                    let close = self.bytes[self.pos..].iter().position(|c| *c == b'}')?;
                                    let hex = std::str::from_utf8(&self.bytes[self.pos + 1..self.pos + close]).ok()?;
                                    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                                    out.extend_from_slice(c.to_string().as_bytes());
                                    self.pos += close + 1;
                                }
                                _ => {
                                    let hex = std::str::from_utf8(&self.bytes[self.pos - 1..self.pos + 1]).ok()?;
                                    out.push(u8::from_str_radix(hex, 16).ok()?);
                                    self.pos += 1;
                                }
                            }
                        }
                        _ => out.push(b),
                    }
                }
            }
            _ => {
                while self.pos < self.bytes.len()
                    && !self.bytes[self.pos].is_ascii_whitespace()
                    && !matches!(self.bytes[self.pos], b'(' | b')')
                {
                    self.pos += 1;
                }
                Some(Sexp::Atom(String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned()))
            }
        }
    }
}

struct NoHost;

impl Host for NoHost {
    fn vmcall(&mut self, name: &str, _: &[Value], _: Option<&mut Vec<u8>>, _: &mut Meter) -> Result<Vec<Value>, Stop> {
        Err(Stop::Fault(format!("no vmcall {name} in the spec suite")))
    }
}

/// An expected result.
enum Expected {
    Exact(Value),
    CanonicalNan32,
    CanonicalNan64,
    ArithmeticNan32,
    ArithmeticNan64,
}

impl Expected {
    fn matches(&self, got: &Value) -> bool {
        match (self, got) {
            (Expected::Exact(v), got) => v == got,
            (Expected::CanonicalNan32, Value::F32(bits)) => *bits == 0x7FC0_0000,
            (Expected::CanonicalNan64, Value::F64(bits)) => *bits == 0x7FF8_0000_0000_0000,
            (Expected::ArithmeticNan32, Value::F32(bits)) => bits & 0x7FC0_0000 == 0x7FC0_0000,
            (Expected::ArithmeticNan64, Value::F64(bits)) => bits & 0x7FF8_0000_0000_0000 == 0x7FF8_0000_0000_0000,
            _ => false,
        }
    }
}

struct Suite {
    limits: Limits,
    /// Constants already read, by their text.
    constants: BTreeMap<String, Value>,
}

/// The modules of a file: admitted ones decoded and instantiated, refused ones `None`.
#[derive(Default)]
struct Modules {
    all: Vec<Option<Live>>,
    current: Option<usize>,
    named: BTreeMap<String, usize>,
}

/// A module of the suite, decoded and instantiated.
struct Live {
    module: Module,
    instance: Instance,
}

#[derive(Default, Debug)]
struct Totals {
    passed: usize,
    skipped: usize,
    failures: Vec<String>,
    modules_admitted: usize,
    modules_refused: usize,
}

impl Suite {
    /// The value of a constant such as `(f32.const -0x1p-149)`; `None` for types SVM lacks.
    fn constant(&mut self, text: &str, ty: &str) -> Option<Value> {
        if let Some(v) = self.constants.get(text) {
            return Some(*v);
        }
        if !matches!(ty, "i32" | "i64" | "f32" | "f64") {
            return None;
        }
        let source = format!("(module (func (export \"c\") (result {ty}) {text}))");
        let code = wat::parse_str(&source).ok()?;
        let module = Module::decode(&code, &self.limits).ok()?;
        let mut instance = Instance::new(&module, &self.limits).ok()?;
        let index = *module.exports.get("c")?;
        let mut meter = Meter { remaining: 100 };
        let value = call(&module, &mut instance, index, &[], &self.limits, 0, &mut NoHost, &mut meter).ok()?;
        let value = *value.first()?;
        self.constants.insert(text.to_string(), value);
        Some(value)
    }

    fn expected(&mut self, source: &str, sexp: &Sexp) -> Option<Vec<Expected>> {
        let Sexp::List(items, span) = sexp else { return None };
        let head = sexp.head()?;
        if head == "either" {
            return None;
        }
        let ty = head.strip_suffix(".const")?;
        let literal = match items.get(1) {
            Some(Sexp::Atom(a)) => a.as_str(),
            _ => return None,
        };
        Some(vec![match (ty, literal) {
            ("f32", "nan:canonical") => Expected::CanonicalNan32,
            ("f64", "nan:canonical") => Expected::CanonicalNan64,
            ("f32", "nan:arithmetic") => Expected::ArithmeticNan32,
            ("f64", "nan:arithmetic") => Expected::ArithmeticNan64,
            _ => Expected::Exact(self.constant(&source[span.clone()], ty)?),
        }])
    }

    /// Runs `(invoke $m? "name" args...)`; `None` when it cannot be run (an unknown module).
    fn invoke(&mut self, source: &str, action: &Sexp, modules: &mut Modules) -> Option<Result<Vec<Value>, Stop>> {
        if action.head()? != "invoke" {
            return None;
        }
        let mut items = action.items()[1..].iter();
        let mut next = items.next()?;
        let index = match next {
            Sexp::Atom(name) if name.starts_with('$') => {
                next = items.next()?;
                *modules.named.get(name)?
            }
            _ => modules.current?,
        };
        let live = modules.all.get_mut(index)?.as_mut()?;
        let Sexp::Str(name) = next else { return None };
        let name = String::from_utf8(name.clone()).ok()?;
        let mut args = Vec::new();
        for arg in items {
            let Sexp::List(_, span) = arg else { return None };
            let ty = arg.head()?.strip_suffix(".const")?;
            args.push(self.constant(&source[span.clone()], ty)?);
        }
        let index = *live.module.exports.get(&name)?;
        let mut meter = Meter { remaining: 1_000_000_000_000 };
        Some(call(&live.module, &mut live.instance, index, &args, &self.limits, 0, &mut NoHost, &mut meter))
    }
}

fn trap_kind(message: &str) -> Option<TrapKind> {
    Some(match message {
        "unreachable" => TrapKind::Unreachable,
        m if m.starts_with("out of bounds memory access") => TrapKind::MemoryOutOfBounds,
        "undefined element" | "out of bounds table access" => TrapKind::TableOutOfBounds,
        m if m.starts_with("uninitialized element") => TrapKind::IndirectCallToNull,
        "indirect call type mismatch" => TrapKind::BadSignature,
        "integer overflow" => TrapKind::IntegerOverflow,
        "integer divide by zero" => TrapKind::IntegerDivisionByZero,
        "invalid conversion to integer" => TrapKind::InvalidConversionToInteger,
        _ => return None,
    })
}

/// Compiles, validates, decodes and instantiates a module's text; `None` when deploy refuses it
/// (or, recorded as a failure, when an admitted module does not decode or instantiate).
fn load_module(text: &str, limits: &Limits, what: &str, totals: &mut Totals) -> Option<Live> {
    let code = wat::parse_str(text).ok().filter(|code| validate(code, limits).is_ok());
    let Some(code) = code else {
        totals.modules_refused += 1;
        return None;
    };
    totals.modules_admitted += 1;
    let module = match Module::decode(&code, limits) {
        Ok(module) => module,
        Err(e) => {
            totals.failures.push(format!("{what}: admitted module does not decode: {e}"));
            return None;
        }
    };
    match Instance::new(&module, limits) {
        Ok(instance) => Some(Live { module, instance }),
        Err(e) => {
            totals.failures.push(format!("{what}: instantiation failed: {e:?}"));
            None
        }
    }
}

fn run_file(path: &std::path::Path) -> Totals {
    let source = std::fs::read_to_string(path).unwrap();
    let mut reader = Reader { bytes: source.as_bytes(), pos: 0 };
    let mut suite = Suite { limits: Limits::default(), constants: BTreeMap::new() };
    let mut totals = Totals::default();
    let mut modules = Modules::default();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    while let Some(command) = reader.parse() {
        let Sexp::List(items, span) = &command else { continue };
        let line = source[..span.start].lines().count() + 1;
        let what = format!("{file}:{line}");
        match command.head() {
            Some("module") => {
                let live = load_module(&source[span.clone()], &suite.limits, &what, &mut totals);
                let index = modules.all.len();
                modules.all.push(live);
                modules.current = Some(index);
                if let Some(Sexp::Atom(name)) = items.get(1)
                    && name.starts_with('$')
                {
                    modules.named.insert(name.clone(), index);
                }
            }
            Some("invoke") => match suite.invoke(&source, &command, &mut modules) {
                Some(Ok(_)) => totals.passed += 1,
                Some(Err(e)) => totals.failures.push(format!("{what}: invoke failed: {e:?}")),
                None => totals.skipped += 1,
            },
            Some("assert_return") => {
                let Some(action) = items.get(1) else { continue };
                let mut expected = Vec::new();
                let mut supported = true;
                for result in &items[2..] {
                    match suite.expected(&source, result) {
                        Some(mut e) => expected.append(&mut e),
                        None => supported = false,
                    }
                }
                if !supported {
                    totals.skipped += 1;
                    continue;
                }
                match suite.invoke(&source, action, &mut modules) {
                    None => totals.skipped += 1,
                    Some(Ok(got)) => {
                        if got.len() == expected.len() && expected.iter().zip(&got).all(|(e, g)| e.matches(g)) {
                            totals.passed += 1;
                        } else {
                            totals.failures.push(format!("{what}: got {got:?}"));
                        }
                    }
                    Some(Err(e)) => totals.failures.push(format!("{what}: stopped with {e:?}")),
                }
            }
            Some("assert_trap") | Some("assert_uninstantiable") => {
                let Some(action) = items.get(1) else { continue };
                let message = match items.get(2) {
                    Some(Sexp::Str(m)) => String::from_utf8_lossy(m).into_owned(),
                    _ => String::new(),
                };
                let Some(kind) = trap_kind(&message) else {
                    totals.skipped += 1;
                    continue;
                };
                if action.head() == Some("module") {
                    let Sexp::List(_, module_span) = action else { continue };
                    let Ok(code) = wat::parse_str(&source[module_span.clone()]) else {
                        totals.skipped += 1;
                        continue;
                    };
                    if validate(&code, &suite.limits).is_err() {
                        totals.skipped += 1;
                        continue;
                    }
                    let module = Module::decode(&code, &suite.limits).unwrap();
                    match Instance::new(&module, &suite.limits) {
                        Err(Stop::Trap(k)) if k == kind => totals.passed += 1,
                        other => totals.failures.push(format!("{what}: instantiation gave {:?}", other.map(|_| ()))),
                    }
                    continue;
                }
                match suite.invoke(&source, action, &mut modules) {
                    None => totals.skipped += 1,
                    Some(Err(Stop::Trap(k))) if k == kind => totals.passed += 1,
                    Some(other) => totals.failures.push(format!("{what}: expected {kind:?}, got {other:?}")),
                }
            }
            Some("assert_exhaustion") => {
                let Some(action) = items.get(1) else { continue };
                match suite.invoke(&source, action, &mut modules) {
                    None => totals.skipped += 1,
                    Some(Err(Stop::StackExhausted)) => totals.passed += 1,
                    Some(other) => totals.failures.push(format!("{what}: expected exhaustion, got {other:?}")),
                }
            }
            _ => totals.skipped += 1,
        }
    }
    totals
}

/// `memory.grow` by 0x132 pages from 1: the spec returns the old size, SVM's 64-page cap -1.
const SVM_DEVIATIONS: [&str; 2] = ["call.wast:359: got [I32(-1)]", "call_indirect.wast:603: got [I32(-1)]"];

#[test]
fn the_core_test_suite_subset() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/wasm-testsuite");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut passed = 0;
    for path in &paths {
        let totals = run_file(path);
        eprintln!(
            "{}: {} passed, {} skipped, {} failed; {} modules admitted, {} refused",
            path.file_name().unwrap().to_string_lossy(),
            totals.passed,
            totals.skipped,
            totals.failures.len(),
            totals.modules_admitted,
            totals.modules_refused
        );
        passed += totals.passed;
        failures.extend(totals.failures);
    }
    // Where SVM's rules knowingly differ from the plain spec: these must fail exactly so.
    for deviation in SVM_DEVIATIONS {
        let position = failures.iter().position(|f| f == deviation);
        assert!(position.is_some(), "expected deviation did not happen: {deviation}");
        failures.remove(position.unwrap());
    }
    for failure in failures.iter().take(100) {
        eprintln!("FAIL {failure}");
    }
    assert!(failures.is_empty(), "{} failures", failures.len());
    assert!(passed > 10_000, "only {passed} assertions ran");
}
