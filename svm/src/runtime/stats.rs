//! What one execution did: node-local telemetry for coverage reports and operators, never part of
//! consensus (the page-cache figures differ between nodes by design).

/// Counters of one execution that reached the contract's code (or its instantiation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecutionStats {
    /// Calls per vmcall, in `VMCALLS` order (the failing call included).
    pub vmcalls: Vec<u32>,
    /// Reads of a register before the execution wrote it, per class in `REGISTER_CLASSES` order.
    pub unwritten_register_reads: Vec<u32>,
    /// Log entries it made (kept only if it succeeded).
    pub logs: usize,
    /// Storage pages the execution accessed.
    pub pages_accessed: usize,
    /// Storage pages it wrote.
    pub pages_dirty: usize,
    /// The pages the contract has.
    pub page_count: u32,
    /// Clean pages this node's page cache evicted during the execution.
    pub page_cache_evictions: u64,
}
