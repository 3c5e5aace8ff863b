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
}

impl Canary {
    /// Every canary.
    pub const ALL: [Canary; 4] = [Canary::CacheGas, Canary::PageCacheBytes, Canary::EngineText, Canary::WrongResult];

    /// The canary's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Canary::CacheGas => "cache-gas",
            Canary::PageCacheBytes => "page-cache-bytes",
            Canary::EngineText => "engine-text",
            Canary::WrongResult => "wrong-result",
        }
    }

    /// The canary called `name`.
    pub fn from_name(name: &str) -> Option<Canary> {
        Canary::ALL.into_iter().find(|c| c.name() == name)
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
        }
    }
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
}

impl CanaryContext {
    /// Extra gas the canary adds to a vmcall.
    pub fn extra_gas(&self) -> u64 {
        u64::from(self.canary == Canary::CacheGas && self.module_from_cache)
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
