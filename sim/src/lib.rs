//! svm-sim: one seed → one transaction stream → several deliberately different replicas → roots
//! compared after every transaction, and every invariant and expected effect checked on each replica
//! → on divergence, the first divergent transaction and vmcall, a state diff, a shrunk reproducer and
//! a one-command replay; on a finding, the check that broke and where; always, what the run covered.

pub mod campaign;
pub mod canary;
pub mod charts;
pub mod conformance;
pub mod coverage;
pub mod disk_node;
pub mod divergence;
pub mod fault_kv;
pub mod finding;
pub mod golden;
pub mod history;
pub mod import;
pub mod node;
pub mod progress;
pub mod recovery;
pub mod replay;
pub mod replica_oracle;
pub mod report;
pub mod report_html;
pub mod reproducer;
pub mod run;
pub mod shrink;
pub mod state_diff;
pub mod step;
pub mod sweep;
pub mod tx_log;
pub mod vectors;

/// This tool's version, recorded in reproducers and reports.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
