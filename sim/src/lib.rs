//! svm-sim: one seed → one transaction stream → several deliberately different replicas → roots
//! compared after every transaction → on divergence, the first divergent transaction and vmcall, a
//! state diff, a shrunk reproducer and a one-command replay.

pub mod canary;
pub mod checker;
pub mod conformance;
pub mod corpus;
pub mod divergence;
pub mod fuzzing;
pub mod golden;
pub mod node;
pub mod plot;
pub mod progress;
pub mod replay;
pub mod report;
pub mod reproducer;
pub mod run;
pub mod shrink;
pub mod state_diff;
pub mod stream;
pub mod trace_diff;
pub mod tx_format;
pub mod workload;

/// This tool's version, recorded in reproducers and reports.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
