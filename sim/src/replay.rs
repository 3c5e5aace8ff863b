//! Replay: run a reproducer's stream on its replicas and check that it diverges exactly as recorded.

use crate::progress::Progress;
use crate::reproducer::{Expected, Reproducer};
use crate::run::{RunResult, run};
use svm_fuzzing::oracles::agreement::Mismatch;

/// The result of replaying a reproducer.
pub struct Replay {
    /// The run.
    pub result: RunResult,
    /// The divergence seen (if any).
    pub seen: Option<Expected>,
    /// Whether it is exactly the recorded one.
    pub reproduced: bool,
}

/// Replays `repro` with `threads` worker threads.
pub fn replay(repro: &Reproducer, threads: usize, progress: &Progress) -> Replay {
    let result = run(&repro.stream, &repro.nodes, repro.canary, threads, progress);
    let seen = result.mismatch.as_ref().map(|m: &Mismatch| Expected::of(m, &repro.nodes));
    let reproduced = seen.as_ref() == Some(&repro.expected);
    Replay { result, seen, reproduced }
}
