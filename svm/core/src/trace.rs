//! Execution traces: every vmcall a contract made, for diffing replicas that disagree.

use std::fmt;

/// One vmcall as it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// The depth of the frame that made the vmcall (1: the transaction's own; a callee's entries come
    /// before its caller's `contract_call` entry).
    pub depth: u32,
    /// The contract whose frame made the vmcall.
    pub contract: crate::Address,
    /// The vmcall's name.
    pub vmcall: &'static str,
    /// Its arguments, widened to i64.
    pub args: Vec<i64>,
    /// Its result.
    pub result: TraceResult,
    /// Gas left before the vmcall charged its price.
    pub gas_before: u64,
    /// Gas left after it returned.
    pub gas_after: u64,
    /// blake3 of the bytes it moved (read from or written to storage, logged, copied), if any.
    pub bytes: Option<crate::Hash>,
}

/// What a vmcall returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceResult {
    /// It returned, with a value or without.
    Ok(Option<i64>),
    /// It trapped, for this reason.
    Err(String),
}

impl fmt::Display for TraceEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self.args.iter().map(i64::to_string).collect();
        let result = match &self.result {
            TraceResult::Ok(None) => "ok".to_string(),
            TraceResult::Ok(Some(v)) => format!("-> {v}"),
            TraceResult::Err(why) => format!("trap: {why}"),
        };
        if self.depth > 1 {
            write!(f, "[frame {} in {}] ", self.depth, self.contract)?;
        }
        write!(f, "{}({}) {} [gas {} -> {}]", self.vmcall, args.join(", "), result, self.gas_before, self.gas_after)?;
        match &self.bytes {
            Some(hash) => write!(f, " bytes {}", &hash.to_string()[..16]),
            None => Ok(()),
        }
    }
}
