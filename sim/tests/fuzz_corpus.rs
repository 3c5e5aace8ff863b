//! Every seed under corpus/fuzz/<target>/ and every regression under corpus/regressions/<target>/ runs
//! through exactly the function its fuzz target calls, so `cargo test` on stable replays them all.

use std::path::PathBuf;
use svm_sim::replica_oracle::all_targets;

fn inputs(dir: PathBuf) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_seed_and_regression_input_passes_its_target() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut replayed = 0;
    for (name, target) in all_targets() {
        let seeds = inputs(root.join("corpus/fuzz").join(name));
        assert!(!seeds.is_empty(), "no seed corpus for {name}");
        for file in seeds.iter().chain(&inputs(root.join("corpus/regressions").join(name))) {
            let bytes = std::fs::read(file).unwrap();
            let result = std::panic::catch_unwind(|| target(&bytes));
            assert!(result.is_ok(), "{name}: {} fails its target", file.display());
            replayed += 1;
        }
    }
    assert!(replayed > 50, "only {replayed} inputs replayed");
}
