//! What a frame knows about its place in the call tree: the transaction's shared state, its depth, its stack
//! counter, the logs and events the frames below kept, the calls it made and the last call's result.

use crate::call::CallRecord;
use crate::runtime::SharedHost;
use wasmer::Global;

/// A running frame's link to its transaction.
pub struct CallFrame {
    /// The state every frame of the transaction shares.
    pub(crate) host: SharedHost,
    /// 1 for the transaction's own frame.
    pub depth: u32,
    /// The instance's stack counter (the budget is shared with the frames it calls).
    pub(crate) stack_used: Option<Global>,
    /// Logs and events the frames below have kept so far.
    pub inherited: (usize, usize),
    /// The calls this frame made, each followed by the calls its callee made (a failed callee's dropped).
    pub records: Vec<CallRecord>,
    /// The last call's result (`call_result` reads it): empty until a call succeeds.
    pub last_result: Vec<u8>,
}

impl CallFrame {
    /// A frame at `depth` of the transaction behind `host`.
    pub(crate) fn new(host: SharedHost, depth: u32, inherited: (usize, usize)) -> CallFrame {
        CallFrame { host, depth, stack_used: None, inherited, records: Vec::new(), last_result: Vec::new() }
    }
}
