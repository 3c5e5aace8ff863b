//! Replay: run a reproducer's stream on its replicas, with its history, and check that it shows
//! exactly the recorded divergence or finding.

use crate::progress::Progress;
use crate::reproducer::{Expected, Reproducer};
use crate::run::{RunResult, run_with};

/// The result of replaying a reproducer.
pub struct Replay {
    /// The run.
    pub result: RunResult,
    /// The divergence or finding seen first (if any).
    pub seen: Option<Expected>,
    /// Whether it is exactly the recorded one.
    pub reproduced: bool,
}

/// Replays `repro` with `threads` worker threads.
pub fn replay(repro: &Reproducer, threads: usize, progress: &Progress) -> Replay {
    let result = run_with(&repro.setup(), threads, progress);
    let seen = Expected::seen_in(&result, &repro.nodes);
    let reproduced = seen.as_ref() == Some(&repro.expected);
    Replay { result, seen, reproduced }
}
