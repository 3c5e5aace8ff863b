//! The canaries the simulator can plant, as the command line names them.

use clap::ValueEnum;
use svm::runtime::Canary;

/// A canary name for `--canary`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CanaryName {
    /// Gas depends on whether the module came from the cache.
    CacheGas,
    /// Stored bytes depend on the page-cache size.
    PageCacheBytes,
    /// Log entries leak the compiler's name.
    EngineText,
    /// `storage_slice_len` is wrong by one on every node alike (only expected effects catch it).
    WrongResult,
    /// The first execution after a restart costs more gas: gas depends on the node's history.
    RestartGas,
    /// `host_layer` fails as a damaged store would, on every node alike.
    NodeFault,
    /// Every wasmer node's metering charges `call` one more (only the reference VM catches it).
    CallGas,
    /// Every wasmer node's frames weigh one slot more (only the reference VM catches it).
    FrameWeight,
    /// A failed kv write is ignored (shows only with kv write failures injected).
    SwallowWriteFailure,
    /// The durable head counts one transaction too many (shows only after a crash).
    HeadAhead,
    /// Sync copies no contract code (shows only after a join).
    SyncSkipsCode,
    /// A stale artifact is trusted whatever key it was sealed for (shows only with stale artifacts).
    StaleArtifactTrusted,
    /// A corrupt artifact is a node fault instead of a recompile (shows only with corrupt artifacts).
    CorruptArtifactFaults,
}

impl CanaryName {
    /// The runtime's canary.
    pub fn canary(self) -> Canary {
        match self {
            CanaryName::CacheGas => Canary::CacheGas,
            CanaryName::PageCacheBytes => Canary::PageCacheBytes,
            CanaryName::EngineText => Canary::EngineText,
            CanaryName::WrongResult => Canary::WrongResult,
            CanaryName::RestartGas => Canary::RestartGas,
            CanaryName::NodeFault => Canary::NodeFault,
            CanaryName::CallGas => Canary::CallGas,
            CanaryName::FrameWeight => Canary::FrameWeight,
            CanaryName::SwallowWriteFailure => Canary::SwallowWriteFailure,
            CanaryName::HeadAhead => Canary::HeadAhead,
            CanaryName::SyncSkipsCode => Canary::SyncSkipsCode,
            CanaryName::StaleArtifactTrusted => Canary::StaleArtifactTrusted,
            CanaryName::CorruptArtifactFaults => Canary::CorruptArtifactFaults,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_canary_has_a_command_line_name() {
        for canary in Canary::ALL {
            let name = CanaryName::from_str(canary.name(), false).unwrap();
            assert_eq!(name.canary(), canary);
        }
        assert_eq!(CanaryName::value_variants().len(), Canary::ALL.len());
    }
}
