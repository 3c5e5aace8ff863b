//! Findings: what one replica did that it must not, whatever the other replicas did — an invariant
//! that broke, or an effect that is not what the models expect. Replicas that agree can still all be
//! wrong; a finding fails the run exactly as a divergence does.

use serde::Serialize;

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

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tx {} on {}: {} — {}", self.tx, self.replica, self.check, self.detail)
    }
}
