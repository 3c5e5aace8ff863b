//! The golden streams under corpus/streams give exactly their pinned roots, receipts and gas on every
//! replica. A failure here is a consensus change: bless it (`svm-sim golden bless`) only if deliberate.

use std::path::PathBuf;
use svm_sim::golden::{Verdict, check, streams};

#[test]
fn every_golden_stream_matches_its_pins() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/streams");
    let files = streams(&dir).unwrap();
    assert!(files.len() >= 3, "golden streams missing from {}", dir.display());
    for file in files {
        assert_eq!(check(&file, 2).unwrap(), Verdict::Matches, "{}", file.display());
    }
}
