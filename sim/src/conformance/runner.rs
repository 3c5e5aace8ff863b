//! Runs one `.wast` file through the SVM runtime on singlepass and cranelift.
//!
//! Each module is deployed (the allow-list decides); each invocation is an execution transaction with
//! typed arguments, applied on both compilers, whose receipts and gas must agree. A module the
//! allow-list rejects is counted under its rule and its assertions are skipped with that reason.

use super::mutation::mutating_exports;
use super::tally::FileTally;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use svm::outcome::{Outcome, Refusal, TrapKind};
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, CacheMode, Compiler, Runtime, RuntimeConfig};
use svm::transaction::{Deploy, Execute, Transaction};
use svm::{Address, Value, ValueType};
use svm_fuzzing::oracles::agreement::Replicas;
use thiserror::Error;
use wast::core::{WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet};

/// Why a file could not be run at all (exit 2).
#[derive(Debug, Error)]
pub enum FileError {
    /// It could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a valid `.wast` script.
    #[error("cannot parse {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message.
        message: String,
    },
}

/// Gas for every transaction: spec tests are not about running out (the most a transaction may name).
const GAS: u64 = 10_000_000_000;
const AUTHOR: Address = Address([0xA1; 20]);
const SENDER: Address = Address([0x5E; 20]);

/// Skip reasons, as reports spell them.
pub mod reason {
    /// A module that imports from the spec suite's host module.
    pub const SPECTEST: &str = "needs the spectest host module";
    /// A module that imports from another registered module.
    pub const REGISTERED: &str = "needs a registered module (cross-module imports)";
    /// A `register` command.
    pub const REGISTER: &str = "register command (cross-module linking)";
    /// An assertion on a module that SVM gives a fresh instance per transaction.
    pub const STATEFUL: &str = "relies on instance state left by an earlier invoke (SVM instantiates per transaction)";
    /// Reading an exported global.
    pub const GLOBAL_GET: &str = "reads an exported global (no transaction can)";
    /// An argument or result type SVM does not pass.
    pub const VALUE_TYPE: &str = "argument or result type SVM does not pass (v128, reference)";
    /// A trap at instantiation of a module SVM can only instantiate by calling an export.
    pub const INSTANTIATION: &str = "instantiation-time trap of a module with no export to call";
    /// Exceptions, threads, custom sections, suspensions.
    pub const UNSUPPORTED: &str = "exceptions, threads, suspensions or custom-section assertions";
    /// A module whose text the `wast` crate cannot encode (older suite syntax).
    pub const UNENCODABLE: &str = "module text the wast crate cannot encode";
    /// An assertion on a module that could not be defined.
    pub const NO_MODULE: &str = "no module to run it on";
}

/// A deployed module instance.
struct Instance {
    address: Address,
    mutating: BTreeSet<String>,
    /// An earlier invoke may have changed state a spec instance would keep.
    dirty: bool,
    exports: Vec<(String, Vec<Value>)>,
}

/// What a module definition ended in.
enum Defined {
    Instance(Instance),
    /// Rejected at deploy by a rule, or skipped for a reason: its assertions are skipped with this text.
    Unavailable(String),
}

struct FileRun<'t> {
    nodes: Replicas,
    tally: &'t mut FileTally,
    named: HashMap<String, usize>,
    instances: Vec<Defined>,
    definitions: HashMap<String, Vec<u8>>,
    current: Option<usize>,
    /// Registered names and the instance each names.
    registered: HashMap<String, Option<usize>>,
    text: &'t str,
}

/// Runs the `.wast` file at `path` and counts what happened.
pub fn run_file(path: &Path) -> Result<FileTally, FileError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| FileError::Io { path: display.clone(), source })?;
    let buffer =
        ParseBuffer::new(&text).map_err(|e| FileError::Parse { path: display.clone(), message: e.to_string() })?;
    let wast: Wast<'_> =
        parser::parse(&buffer).map_err(|e| FileError::Parse { path: display.clone(), message: e.to_string() })?;
    let mut tally = FileTally {
        file: path.file_name().map_or(display.clone(), |n| n.to_string_lossy().into_owned()),
        ..FileTally::default()
    };
    let config = |compiler: Compiler| {
        (compiler.name().to_string(), RuntimeConfig { compiler, cache: CacheMode::Memory, ..RuntimeConfig::default() })
    };
    let compilers = [config(Compiler::Singlepass), config(Compiler::Cranelift)];
    let mut run = FileRun {
        // Both compilers and the reference VM: every directive's result is the one all three agree on.
        nodes: Replicas::new(compilers, &[(AUTHOR, 0), (SENDER, 0)]).with_reference(&[(AUTHOR, 0), (SENDER, 0)]),
        tally: &mut tally,
        named: HashMap::new(),
        instances: Vec::new(),
        definitions: HashMap::new(),
        current: None,
        registered: HashMap::new(),
        text: &text,
    };
    for directive in wast.directives {
        run.directive(directive);
    }
    Ok(tally)
}

impl FileRun<'_> {
    fn line(&self, span: wast::token::Span) -> usize {
        span.linecol_in(self.text).0 + 1
    }

    fn refused(&mut self) {
        self.tally.passed += 1;
        self.tally.passed_refusals += 1;
    }

    fn fail(&mut self, span: wast::token::Span, why: String) {
        let line = self.line(span);
        self.tally.failed.push(format!("line {line}: {why}"));
    }

    fn directive(&mut self, directive: WastDirective<'_>) {
        let span = directive.span();
        match directive {
            WastDirective::Module(mut module) => {
                let id = module_id(&module);
                match module.encode() {
                    Ok(bytes) => {
                        let defined = self.define(&bytes);
                        self.add_instance(id, defined);
                    }
                    // The script's text, not SVM: its assertions are skipped with the reason.
                    Err(_) => {
                        self.tally.skip(reason::UNENCODABLE);
                        self.add_instance(id, Defined::Unavailable(reason::UNENCODABLE.into()));
                    }
                }
            }
            WastDirective::ModuleDefinition(mut module) => {
                if let (Some(id), Ok(bytes)) = (module_id(&module), module.encode()) {
                    self.definitions.insert(id, bytes);
                }
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                match module.and_then(|m| self.definitions.get(m.name()).cloned()) {
                    Some(bytes) => {
                        let defined = self.define(&bytes);
                        self.add_instance(instance.map(|i| i.name().to_string()), defined);
                    }
                    None => self.tally.skip(reason::NO_MODULE),
                }
            }
            WastDirective::Register { name, module, .. } => {
                let instance = match module {
                    Some(id) => self.named.get(id.name()).copied(),
                    None => self.current,
                };
                self.registered.insert(name.to_string(), instance);
                self.tally.skip(reason::REGISTER);
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                // A bare invoke asserts that the call completes (and it may change instance state).
                Err(skip) => self.tally.skip(skip),
                Ok((receipt, _)) if receipt.outcome == Outcome::Success => self.tally.passed += 1,
                Ok((_, true)) => self.tally.skip(reason::STATEFUL),
                Ok((receipt, false)) => {
                    self.fail(span, format!("invoke {:?} did not complete: {}", invoke.name, receipt.outcome.name()))
                }
            },
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(span, exec, &results),
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(span, exec, message),
            WastDirective::AssertExhaustion { call, .. } => match self.invoke(&call) {
                Err(skip) => self.tally.skip(skip),
                Ok((receipt, stateful)) => match receipt.outcome {
                    Outcome::StackExhausted => self.tally.passed += 1,
                    other if stateful => self.tally.skip(format!("{} ({})", reason::STATEFUL, other.name())),
                    other => self.fail(span, format!("expected stack exhaustion, got {}", other.name())),
                },
            },
            WastDirective::AssertInvalid { mut module, message, .. }
            | WastDirective::AssertMalformed { mut module, message, .. } => {
                match module.encode() {
                    // Text that does not even parse can never be deployed.
                    Err(_) => self.refused(),
                    Ok(bytes) => match self.deploy(&bytes) {
                        Ok(Outcome::Refused(Refusal::CodeRejected(_))) => self.refused(),
                        Ok(outcome) => {
                            self.fail(span, format!("expected rejection ({message}), got {}", outcome.name()))
                        }
                        Err(why) => self.fail(span, why),
                    },
                }
            }
            WastDirective::AssertUnlinkable { mut module, message, .. } => match module.encode() {
                Err(e) => self.fail(span, format!("module does not encode: {e}")),
                Ok(bytes) => match self.deploy(&bytes) {
                    Ok(Outcome::Refused(Refusal::CodeRejected(_))) => self.refused(),
                    // Deployed: then it must fail where SVM instantiates, when an export is called.
                    Ok(Outcome::Success) => self.instantiation_must_fail(span, &bytes, message),
                    Ok(outcome) => {
                        self.fail(span, format!("expected the module to be unusable, got {}", outcome.name()))
                    }
                    Err(why) => self.fail(span, why),
                },
            },
            _ => self.tally.skip(reason::UNSUPPORTED),
        }
    }

    fn add_instance(&mut self, id: Option<String>, defined: Defined) {
        let index = self.instances.len();
        self.instances.push(defined);
        if let Some(id) = id {
            self.named.insert(id, index);
        }
        self.current = Some(index);
    }

    /// Deploys `bytes` on both compilers; the outcome they agree on (or why they do not).
    fn deploy(&mut self, bytes: &[u8]) -> Result<Outcome, String> {
        Ok(self.deploy_both(bytes)?.outcome)
    }

    /// Deploys `bytes` on both compilers.
    fn deploy_both(&mut self, bytes: &[u8]) -> Result<Receipt, String> {
        self.apply_both(|rt| {
            let nonce = rt.account(&AUTHOR).ok().flatten().map_or(0, |a| a.nonce);
            let code = bytes.to_vec();
            Transaction::Deploy(Deploy {
                author: AUTHOR,
                nonce,
                code,
                page_count: 0,
                slices: Vec::new(),
                initial_balance: 0,
                gas_limit: GAS,
                gas_price: 0,
            })
        })
    }

    /// Calls `function(args)` on the contract at `address` on both compilers.
    fn execute_both(&mut self, address: Address, function: &str, args: &[Value]) -> Result<Receipt, String> {
        self.apply_both(|rt| {
            let nonce = rt.account(&SENDER).ok().flatten().map_or(0, |a| a.nonce);
            Transaction::Execute(Execute {
                contract: address,
                sender: SENDER,
                nonce,
                function: function.to_string(),
                args: args.to_vec(),
                calldata: Vec::new(),
                gas_limit: GAS,
                gas_price: 0,
                value: 0,
            })
        })
    }

    fn define(&mut self, bytes: &[u8]) -> Defined {
        let imports = imported_modules(bytes);
        if imports.contains("spectest") {
            return Defined::Unavailable(reason::SPECTEST.into());
        }
        // A module can be linked to by a registered name, or (as some suite files do) by `$id`.
        let linked_to = |m: &String| {
            self.registered
                .get(m)
                .copied()
                .or_else(|| m.strip_prefix('$').and_then(|id| self.named.get(id).map(|i| Some(*i))))
        };
        let linked: Vec<usize> = imports.iter().filter_map(|m| linked_to(m).flatten()).collect();
        if imports.iter().any(|m| linked_to(m).is_some()) {
            // In the spec, instantiating this module could write into the tables and memories it
            // imports from those instances; SVM runs it nowhere, so their later state is unknown.
            for index in linked {
                if let Some(Defined::Instance(instance)) = self.instances.get_mut(index) {
                    instance.dirty = true;
                }
            }
            return Defined::Unavailable(reason::REGISTERED.into());
        }
        let receipts = self.deploy_both(bytes);
        match receipts {
            Ok(receipt) => match (receipt.outcome, receipt.contract) {
                (Outcome::Success, Some(address)) => {
                    self.tally.modules_accepted += 1;
                    let exports = svm_fuzzing::generators::calls::exported_functions(bytes)
                        .into_iter()
                        .filter(|f| f.params.is_empty())
                        .map(|f| (f.name, Vec::new()))
                        .collect();
                    Defined::Instance(Instance { address, mutating: mutating_exports(bytes), dirty: false, exports })
                }
                (Outcome::Refused(Refusal::CodeRejected(rule)), _) => {
                    *self.tally.modules_rejected.entry(rule.name().to_string()).or_default() += 1;
                    Defined::Unavailable(format!("{}{}", super::tally::REJECTED_PREFIX, rule.name()))
                }
                (other, _) => Defined::Unavailable(format!("module not deployed: {}", other.name())),
            },
            Err(why) => {
                self.tally.failed.push(format!("module deploy: {why}"));
                Defined::Unavailable(reason::NO_MODULE.into())
            }
        }
    }

    /// Applies the transaction `make` builds on both compilers; the receipt they agree on, or why not.
    fn apply_both(&mut self, make: impl Fn(&Runtime) -> Transaction) -> Result<Receipt, String> {
        let tx = make(self.nodes.first());
        self.nodes.apply(&tx, &BlockContext::default()).map_err(|d| d.to_string())
    }

    /// The instance an invocation addresses.
    fn target(&self, invoke: &WastInvoke<'_>) -> Option<usize> {
        match invoke.module {
            Some(id) => self.named.get(id.name()).copied(),
            None => self.current,
        }
    }

    /// Whether the invocation's module exists and was deployed; if not, the skip reason.
    fn available(&self, invoke: &WastInvoke<'_>) -> Result<(), String> {
        match self.target(invoke).and_then(|i| self.instances.get(i)) {
            Some(Defined::Instance(_)) => Ok(()),
            Some(Defined::Unavailable(why)) => Err(why.clone()),
            None => Err(reason::NO_MODULE.into()),
        }
    }

    /// Runs an invocation; its receipt and whether the instance was dirty before it (so that a
    /// disagreement with the spec may come from state SVM does not keep).
    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<(Receipt, bool), String> {
        self.available(invoke)?;
        let index = self.target(invoke);
        let Some(Defined::Instance(instance)) = index.and_then(|i| self.instances.get(i)) else {
            return Err(reason::NO_MODULE.into());
        };
        let args = invoke.args.iter().map(arg).collect::<Option<Vec<Value>>>().ok_or(reason::VALUE_TYPE)?;
        let (address, dirty, mutates) = (instance.address, instance.dirty, instance.mutating.contains(invoke.name));
        let receipts = self.execute_both(address, invoke.name, &args);
        if let (true, Some(Defined::Instance(instance))) = (mutates, index.and_then(|i| self.instances.get_mut(i))) {
            instance.dirty = true;
        }
        match receipts {
            Ok(receipt) => Ok((receipt, dirty)),
            Err(why) => {
                self.tally.failed.push(format!("invoke {:?}: {why}", invoke.name));
                Err(reason::NO_MODULE.into())
            }
        }
    }

    fn assert_return(&mut self, span: wast::token::Span, exec: WastExecute<'_>, results: &[WastRet<'_>]) {
        let invoke = match exec {
            WastExecute::Invoke(invoke) => invoke,
            WastExecute::Get { .. } => return self.tally.skip(reason::GLOBAL_GET),
            WastExecute::Wat(_) => return self.tally.skip(reason::INSTANTIATION),
        };
        if let Err(why) = self.available(&invoke) {
            return self.tally.skip(why);
        }
        let Some(expected) = results.iter().map(ret).collect::<Option<Vec<Expected>>>() else {
            return self.tally.skip(reason::VALUE_TYPE);
        };
        match self.invoke(&invoke) {
            Err(skip) => self.tally.skip(skip),
            Ok((receipt, dirty)) => {
                let matches = receipt.returns.len() == expected.len()
                    && receipt.returns.iter().zip(&expected).all(|(got, want)| want.matches(*got));
                if receipt.outcome == Outcome::Success && matches {
                    self.tally.passed += 1;
                } else if dirty {
                    self.tally.skip(reason::STATEFUL);
                } else {
                    let got = format!("{} {:?}", receipt.outcome.name(), receipt.returns);
                    self.fail(
                        span,
                        format!("{:?}: expected {expected:?}, got {got} ({})", invoke.name, receipt.diagnostic),
                    );
                }
            }
        }
    }

    /// A module SVM deployed but the spec says cannot be instantiated: calling an export must trap.
    fn instantiation_must_fail(&mut self, span: wast::token::Span, bytes: &[u8], message: &str) {
        let exports = svm_fuzzing::generators::calls::exported_functions(bytes);
        let Some(export) = exports.iter().find(|f| f.params.is_empty()) else {
            return self.tally.skip(reason::INSTANTIATION);
        };
        let Some(address) = self
            .nodes
            .first()
            .account(&AUTHOR)
            .ok()
            .flatten()
            .map(|a| svm::runtime::contract_address(&AUTHOR, a.nonce - 1, &svm::code::code_hash(bytes)))
        else {
            return self.fail(span, "deployed module has no address".into());
        };
        match self.execute_both(address, &export.name, &[]) {
            Ok(receipt) if matches!(receipt.outcome, Outcome::Trap(_)) => self.tally.passed += 1,
            Ok(receipt) => {
                self.fail(span, format!("expected instantiation to fail ({message}), got {}", receipt.outcome.name()))
            }
            Err(why) => self.fail(span, why),
        }
    }

    fn assert_trap(&mut self, span: wast::token::Span, exec: WastExecute<'_>, message: &str) {
        let expected = trap_kind(message);
        let invoke = match exec {
            WastExecute::Invoke(invoke) => invoke,
            WastExecute::Get { .. } => return self.tally.skip(reason::GLOBAL_GET),
            WastExecute::Wat(mut module) => {
                // Instantiation traps: SVM instantiates when an export is called.
                let Ok(bytes) = module.encode() else { return self.fail(span, "module does not encode".into()) };
                return match self.define(&bytes) {
                    Defined::Unavailable(why) => self.tally.skip(why),
                    Defined::Instance(instance) => match instance.exports.first() {
                        None => self.tally.skip(reason::INSTANTIATION),
                        Some((name, _)) => {
                            let name = name.clone();
                            let address = instance.address;
                            match self.execute_both(address, &name, &[]) {
                                Ok(receipt) if matches_trap(receipt.outcome, expected) => self.tally.passed += 1,
                                Ok(receipt) => self.fail(
                                    span,
                                    format!(
                                        "expected trap {message:?} at instantiation, got {}",
                                        receipt.outcome.name()
                                    ),
                                ),
                                Err(why) => self.fail(span, why),
                            }
                        }
                    },
                };
            }
        };
        match self.invoke(&invoke) {
            Err(skip) => self.tally.skip(skip),
            Ok((receipt, dirty)) => {
                if matches_trap(receipt.outcome, expected) {
                    self.tally.passed += 1;
                } else if dirty {
                    self.tally.skip(reason::STATEFUL);
                } else {
                    self.fail(
                        span,
                        format!(
                            "{:?}: expected trap {message:?}, got {} {:?}",
                            invoke.name,
                            receipt.outcome.name(),
                            receipt.returns
                        ),
                    );
                }
            }
        }
    }
}

/// The trap kind a spec message names (`None`: any trap will do).
fn trap_kind(message: &str) -> Option<TrapKind> {
    let kinds = [
        ("unreachable", TrapKind::Unreachable),
        ("integer divide by zero", TrapKind::IntegerDivisionByZero),
        ("integer overflow", TrapKind::IntegerOverflow),
        ("out of bounds memory access", TrapKind::MemoryOutOfBounds),
        ("undefined element", TrapKind::TableOutOfBounds),
        ("out of bounds table access", TrapKind::TableOutOfBounds),
        ("uninitialized element", TrapKind::IndirectCallToNull),
        ("indirect call type mismatch", TrapKind::BadSignature),
        ("invalid conversion to integer", TrapKind::InvalidConversionToInteger),
    ];
    kinds.iter().find(|(text, _)| message.starts_with(text)).map(|(_, kind)| *kind)
}

fn matches_trap(outcome: Outcome, expected: Option<TrapKind>) -> bool {
    match (outcome, expected) {
        (Outcome::Trap(kind), Some(expected)) => kind == expected,
        (Outcome::Trap(_), None) => true,
        _ => false,
    }
}

fn arg(arg: &WastArg<'_>) -> Option<Value> {
    match arg {
        WastArg::Core(WastArgCore::I32(v)) => Some(Value::I32(*v)),
        WastArg::Core(WastArgCore::I64(v)) => Some(Value::I64(*v)),
        WastArg::Core(WastArgCore::F32(v)) => Some(Value::F32(v.bits)),
        WastArg::Core(WastArgCore::F64(v)) => Some(Value::F64(v.bits)),
        _ => None,
    }
}

/// What an `assert_return` expects of one result.
#[derive(Clone, Debug)]
enum Expected {
    /// Exactly this value, bit for bit.
    Exact(Value),
    /// Any NaN of this width whose payload is the canonical one (either sign).
    CanonicalNan(ValueType),
    /// Any NaN of this width with the quiet bit set.
    ArithmeticNan(ValueType),
    /// Any of these.
    Either(Vec<Expected>),
}

impl Expected {
    fn matches(&self, got: Value) -> bool {
        match (self, got) {
            (Expected::Exact(want), got) => *want == got,
            (Expected::CanonicalNan(ValueType::F32), Value::F32(bits)) => bits & 0x7FFF_FFFF == 0x7FC0_0000,
            (Expected::CanonicalNan(ValueType::F64), Value::F64(bits)) => {
                bits & 0x7FFF_FFFF_FFFF_FFFF == 0x7FF8_0000_0000_0000
            }
            (Expected::ArithmeticNan(ValueType::F32), Value::F32(bits)) => bits & 0x7FC0_0000 == 0x7FC0_0000,
            (Expected::ArithmeticNan(ValueType::F64), Value::F64(bits)) => {
                bits & 0x7FF8_0000_0000_0000 == 0x7FF8_0000_0000_0000
            }
            (Expected::Either(options), got) => options.iter().any(|o| o.matches(got)),
            _ => false,
        }
    }
}

fn ret(ret: &WastRet<'_>) -> Option<Expected> {
    match ret {
        WastRet::Core(core) => ret_core(core),
        _ => None,
    }
}

fn ret_core(core: &WastRetCore<'_>) -> Option<Expected> {
    use wast::core::NanPattern;
    Some(match core {
        WastRetCore::I32(v) => Expected::Exact(Value::I32(*v)),
        WastRetCore::I64(v) => Expected::Exact(Value::I64(*v)),
        WastRetCore::F32(NanPattern::Value(v)) => Expected::Exact(Value::F32(v.bits)),
        WastRetCore::F32(NanPattern::CanonicalNan) => Expected::CanonicalNan(ValueType::F32),
        WastRetCore::F32(NanPattern::ArithmeticNan) => Expected::ArithmeticNan(ValueType::F32),
        WastRetCore::F64(NanPattern::Value(v)) => Expected::Exact(Value::F64(v.bits)),
        WastRetCore::F64(NanPattern::CanonicalNan) => Expected::CanonicalNan(ValueType::F64),
        WastRetCore::F64(NanPattern::ArithmeticNan) => Expected::ArithmeticNan(ValueType::F64),
        WastRetCore::Either(options) => Expected::Either(options.iter().map(ret_core).collect::<Option<_>>()?),
        _ => return None,
    })
}

fn module_id(module: &QuoteWat<'_>) -> Option<String> {
    match module {
        QuoteWat::Wat(wast::Wat::Module(m)) => m.id.map(|id| id.name().to_string()),
        _ => None,
    }
}

/// The module names a binary imports from.
fn imported_modules(wasm: &[u8]) -> BTreeSet<String> {
    use wasmparser::{Parser, Payload};
    Parser::new(0)
        .parse_all(wasm)
        .filter_map(|p| match p {
            Ok(Payload::ImportSection(reader)) => {
                Some(reader.into_imports().flatten().map(|i| i.module.to_string()).collect::<Vec<_>>())
            }
            _ => None,
        })
        .flatten()
        .collect()
}
