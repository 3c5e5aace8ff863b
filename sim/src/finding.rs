//! Findings: what one replica did that it must not, whatever the other replicas did — an invariant
//! that broke, an effect that is not what the models expect, or a node fault nothing explains.
//! Replicas that agree can still all be wrong; a finding fails the run exactly as a divergence does,
//! with a reproducer that replays and shrinks the same way.

use serde::Serialize;

/// The check name of a node fault the replica did not recover from (every injected fault it halts
/// on, it must recover from).
pub const NODE_FAULT: &str = "node-fault";

/// The check name of the fault-recovery invariant ([`crate::recovery`]).
pub const FAULT_RECOVERY: &str = "fault-recovery";

/// One broken check on one replica.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The replica.
    pub replica: String,
    /// The transaction's index in the stream.
    pub tx: usize,
    /// The check: an invariant's name, or `expected-effects`.
    pub check: String,
    /// What was found.
    pub detail: String,
}

impl Finding {
    /// `check` broke on `replica` at transaction `tx`, as `detail` says.
    pub fn new(replica: &str, tx: usize, check: &str, detail: String) -> Finding {
        Finding { replica: replica.to_string(), tx, check: check.to_string(), detail }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tx {} on {}: {} — {}", self.tx, self.replica, self.check, self.detail)
    }
}
