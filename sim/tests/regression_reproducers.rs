//! Every reproducer under corpus/regressions/sim/ (a stream, replicas and history that once showed a
//! divergence or a finding) replays clean now: the bug it recorded is fixed and stays fixed.

use std::path::PathBuf;
use svm_sim::progress::Progress;
use svm_sim::replay::replay;
use svm_sim::reproducer::Reproducer;

#[test]
fn every_recorded_reproducer_now_runs_clean() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/regressions/sim");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    assert!(!files.is_empty(), "no reproducers under {}", dir.display());
    for file in &files {
        let name = file.display();
        let repro = Reproducer::from_json(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e} (on a consensus change, re-record it or update its versions)"));
        let replayed = replay(&repro, 2, &Progress::hidden());
        assert!(replayed.seen.is_none(), "{name} still shows {:?}", replayed.seen.map(|s| s.describe()));
    }
}
