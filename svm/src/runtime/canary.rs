//! Canaries: deliberately nondeterministic behaviour, switched on only by an explicit configuration
//! field, so that the simulator can prove it catches and localizes what it claims to. Never enable one
//! on a real node.

/// One kind of planted nondeterminism.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Canary {
    /// Every vmcall costs one more gas when the module came from the cache: gas depends on cache state.
    CacheGas,
    /// Storage writes flip the lowest bit of their first byte on nodes with a tiny page cache: stored
    /// bytes (and so the state root) depend on a local setting.
    PageCacheBytes,
    /// The `log` vmcall appends the compiler's name to each entry: the receipt leaks engine identity.
    EngineText,
    /// `storage_slice_len` answers one more than the slice's length, on every node alike: replicas
    /// agree and every invariant holds, so only a check of what the call must return can catch it.
    WrongResult,
    /// Every vmcall of the first execution after a restart costs one more gas: gas depends on the
    /// node's history, not on its configuration.
    RestartGas,
    /// `host_layer` fails as a damaged store would, on every node alike: every replica faults at the
    /// same transaction, and agrees.
    NodeFault,
    /// The metering cost function charges `call` 6 instead of 5, in the instrumentation every wasmer
    /// node shares: they all agree, and only an independent implementation (the reference VM) knows.
    CallGas,
    /// Every function's frame weighs one stack slot more than deploy validation computed, on every
    /// wasmer node alike: deep recursion runs out of stack budget a little earlier everywhere.
    FrameWeight,
    /// A failed kv write is ignored: the runtime goes on at the root it could not store, as a node
    /// that never checks its writes would (shows only when a write fails).
    SwallowWriteFailure,
    /// The durable head counts one transaction more than were applied: a node reopened after a
    /// crash resumes one transaction late (shows only after a crash).
    HeadAhead,
    /// Sync copies every entry but contract code: a node that joins by sync has no code to run.
    SyncSkipsCode,
    /// A serialized artifact is loaded whatever key it was sealed for: a stale artifact runs in place
    /// of the module it claims to be (shows only when one is planted).
    StaleArtifactTrusted,
    /// A damaged serialized artifact is a node fault instead of a reason to recompile.
    CorruptArtifactFaults,
}

impl Canary {
    /// Every canary.
    pub const ALL: [Canary; 13] = [
        Canary::CacheGas,
        Canary::PageCacheBytes,
        Canary::EngineText,
        Canary::WrongResult,
        Canary::RestartGas,
        Canary::NodeFault,
        Canary::CallGas,
        Canary::FrameWeight,
        Canary::SwallowWriteFailure,
        Canary::HeadAhead,
        Canary::SyncSkipsCode,
        Canary::StaleArtifactTrusted,
        Canary::CorruptArtifactFaults,
    ];

    /// The canary's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Canary::CacheGas => "cache-gas",
            Canary::PageCacheBytes => "page-cache-bytes",
            Canary::EngineText => "engine-text",
            Canary::WrongResult => "wrong-result",
            Canary::RestartGas => "restart-gas",
            Canary::NodeFault => "node-fault",
            Canary::CallGas => "call-gas",
            Canary::FrameWeight => "frame-weight",
            Canary::SwallowWriteFailure => "swallow-write-failure",
            Canary::HeadAhead => "head-ahead",
            Canary::SyncSkipsCode => "sync-skips-code",
            Canary::StaleArtifactTrusted => "stale-artifact-trusted",
            Canary::CorruptArtifactFaults => "corrupt-artifact-faults",
        }
    }

    /// The canary called `name`.
    pub fn from_name(name: &str) -> Option<Canary> {
        Canary::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether the canary makes the VM wrong the same way on every node: such a canary belongs on the
    /// workload's own reference runtime too, since nothing that ran the VM can know better.
    pub fn wrong_everywhere(self) -> bool {
        self == Canary::WrongResult
    }

    /// The vmcall where the canary shows itself (`None`: every vmcall).
    pub fn vmcalls(self) -> &'static [&'static str] {
        match self {
            Canary::CacheGas => &[],
            Canary::PageCacheBytes => {
                &["storage_write_from_mem", "storage_write_from_reg", "storage_write_i32", "storage_write_i64"]
            }
            Canary::EngineText => &["log"],
            Canary::WrongResult => &["storage_slice_len"],
            Canary::RestartGas => &[],
            Canary::NodeFault => &["host_layer"],
            Canary::CallGas | Canary::FrameWeight => &[],
            Canary::SwallowWriteFailure
            | Canary::HeadAhead
            | Canary::SyncSkipsCode
            | Canary::StaleArtifactTrusted
            | Canary::CorruptArtifactFaults => &[],
        }
    }

    /// Whether the canary shows only when a fault is injected (a failed write, a crash, a sync, a
    /// damaged artifact): a run without fault events never sees it.
    pub fn needs_faults(self) -> bool {
        matches!(
            self,
            Canary::SwallowWriteFailure
                | Canary::HeadAhead
                | Canary::SyncSkipsCode
                | Canary::StaleArtifactTrusted
                | Canary::CorruptArtifactFaults
        )
    }
}

/// A kv store whose failed writes are ignored ([`Canary::SwallowWriteFailure`]).
pub struct SwallowingKv(pub std::sync::Arc<dyn crate::storage::kv::KvStore>);

impl crate::storage::kv::KvStore for SwallowingKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, crate::storage::kv::KvError> {
        self.0.get(key)
    }

    fn write(&self, batch: crate::storage::kv::WriteBatch) -> Result<(), crate::storage::kv::KvError> {
        let _ignored = self.0.write(batch);
        Ok(())
    }

    fn sync(&self) -> Result<(), crate::storage::kv::KvError> {
        self.0.sync()
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, crate::storage::kv::KvError> {
        self.0.keys_with_prefix(prefix)
    }
}

/// The gas the metering of a node with `canary` planted charges for an operator the schedule prices
/// at `cost` (unchanged but for [`Canary::CallGas`]).
pub fn metered_cost(canary: Option<Canary>, operator: &str, cost: u64) -> u64 {
    if canary == Some(Canary::CallGas) && operator == "Call" { cost + 1 } else { cost }
}

/// The frame weights a node with `canary` planted instruments (unchanged but for
/// [`Canary::FrameWeight`]).
pub fn frame_weights(canary: Option<Canary>, weights: &[u32]) -> Vec<u32> {
    let extra = u32::from(canary == Some(Canary::FrameWeight));
    weights.iter().map(|w| w + extra).collect()
}

/// Page caches at most this big count as tiny for [`Canary::PageCacheBytes`].
pub const TINY_PAGE_CACHE: usize = 4;

/// The local facts a canary needs inside one execution.
#[derive(Clone, Copy, Debug)]
pub struct CanaryContext {
    /// The canary switched on.
    pub canary: Canary,
    /// Whether this execution's module came from the cache.
    pub module_from_cache: bool,
    /// The compiler's name.
    pub compiler: &'static str,
    /// The page cache's capacity.
    pub page_cache_capacity: usize,
    /// Whether this is the first execution the runtime instantiates since it was created (at start
    /// or after a restart).
    pub first_since_start: bool,
}

impl CanaryContext {
    /// Extra gas the canary adds to a vmcall.
    pub fn extra_gas(&self) -> u64 {
        let cache = self.canary == Canary::CacheGas && self.module_from_cache;
        let restart = self.canary == Canary::RestartGas && self.first_since_start;
        u64::from(cache || restart)
    }

    /// Whether the canary makes `vmcall` fail as the node itself would.
    pub fn node_fault(&self, vmcall: &str) -> bool {
        self.canary == Canary::NodeFault && self.canary.vmcalls().contains(&vmcall)
    }

    /// Applies the canary to bytes a storage write is about to store.
    pub fn tamper_write(&self, bytes: &mut [u8]) {
        if self.canary == Canary::PageCacheBytes
            && self.page_cache_capacity <= TINY_PAGE_CACHE
            && let Some(first) = bytes.first_mut()
        {
            *first ^= 1;
        }
    }

    /// Applies the canary to the length `storage_slice_len` answers.
    pub fn tamper_slice_len(&self, len: u32) -> u32 {
        if self.canary == Canary::WrongResult { len.wrapping_add(1) } else { len }
    }

    /// Applies the canary to a log entry.
    pub fn tamper_log(&self, entry: &mut Vec<u8>) {
        if self.canary == Canary::EngineText {
            entry.extend_from_slice(self.compiler.as_bytes());
        }
    }
}
