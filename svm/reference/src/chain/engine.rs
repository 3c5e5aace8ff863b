//! What the chain needs from code: a deployed module's exported functions, and running one of them (linked with
//! the libraries it imports).
//!
//! [`Interpreter`] is the reference's own interpreter ([`crate::wasm`]); the seam exists so that the chain
//! rules can also be exercised with a scripted engine (tests) or another engine (differential runs).

use crate::host::{Host, Meter, Stop};
use crate::wasm;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm_core::contract_meta::FunctionSignature;
use svm_core::{Hash, Limits, Value};

/// Decodes and runs admitted code.
pub trait Engine: Send + Sync {
    /// Every exported function of `code` (admitted by deploy validation) with its signature: the
    /// metadata's exports. An error is a node fault (validation admitted code the engine cannot decode).
    fn exports(&self, code: &[u8], limits: &Limits) -> Result<BTreeMap<String, FunctionSignature>, String>;

    /// Instantiates `code` linked with `libraries` (every library it links, in resolution order) afresh and calls
    /// its export `function` with `args` (already checked against the export's signature), metering on `meter`,
    /// the stack budget starting at `stack_used` (the caller's `used` for a callee frame), and calling vmcalls
    /// through `host`.
    #[allow(clippy::too_many_arguments)]
    fn invoke(
        &self,
        code: &[u8],
        libraries: &[(Hash, Arc<Vec<u8>>)],
        function: &str,
        args: &[Value],
        limits: &Limits,
        stack_used: u64,
        host: &mut dyn Host,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop>;
}

/// The reference's interpreter: decodes the code on every call (no module cache).
#[derive(Clone, Copy, Debug, Default)]
pub struct Interpreter;

impl Engine for Interpreter {
    fn exports(&self, code: &[u8], limits: &Limits) -> Result<BTreeMap<String, FunctionSignature>, String> {
        wasm::Module::decode(code, limits).map(|m| m.exported_functions()).map_err(|e| e.to_string())
    }

    fn invoke(
        &self,
        code: &[u8],
        libraries: &[(Hash, Arc<Vec<u8>>)],
        function: &str,
        args: &[Value],
        limits: &Limits,
        stack_used: u64,
        host: &mut dyn Host,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        let decode = |code: &[u8]| wasm::Module::decode(code, limits).map_err(|e| Stop::Fault(e.to_string()));
        let mut linked = Vec::with_capacity(libraries.len());
        for (hash, library) in libraries {
            linked.push((*hash, decode(library)?));
        }
        let module = wasm::link(decode(code)?, linked).map_err(|e| Stop::Fault(e.to_string()))?;
        wasm::invoke(&module, function, args, limits, stack_used, host, meter)
    }
}
