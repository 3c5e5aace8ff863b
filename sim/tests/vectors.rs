//! The conformance vectors under corpus/conformance: every file replays to its expectations on both
//! compilers, and the files are exactly what the recipes make from today's runtime (after a
//! deliberate consensus change, `svm-sim vectors write` rewrites them and the diff shows what moved).

use std::path::PathBuf;
use svm_sim::vectors::{self, Vector};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/conformance")
}

#[test]
fn every_vector_file_replays_on_both_compilers() {
    let files = vectors::files(&dir()).unwrap();
    assert!(files.len() >= 30, "only {} vector files", files.len());
    for file in files {
        let vector = Vector::read(&file).unwrap();
        for config in vectors::replay_configs() {
            if let Err(why) = vectors::check(&vector, &config) {
                panic!("{} on {}: {why}", vector.name, config.name);
            }
        }
    }
}

#[test]
fn the_files_are_what_the_recipes_make() {
    let made = vectors::all();
    let on_disk: Vec<PathBuf> = vectors::files(&dir()).unwrap();
    for vector in &made {
        let path = vector.path_in(&dir());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
        assert!(text == vector.to_text(), "{} differs from its recipe: run `svm-sim vectors write`", path.display());
    }
    assert_eq!(on_disk.len(), made.len(), "a vector file no recipe makes");
}

/// GitHub's anchor for a markdown heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == ' ' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn every_vector_names_a_section_of_the_consensus_document() {
    let document = std::fs::read_to_string(dir().join("../../docs/consensus.md")).unwrap();
    let anchors: Vec<String> = document
        .lines()
        .filter_map(|line| line.trim_start_matches('#').strip_prefix(' ').filter(|_| line.starts_with('#')))
        .map(anchor)
        .collect();
    for vector in vectors::all() {
        let (file, section) =
            vector.rule.split_once('#').unwrap_or_else(|| panic!("{}: rule without a section", vector.name));
        assert_eq!(file, "docs/consensus.md", "{}", vector.name);
        assert!(anchors.iter().any(|a| a == section), "{}: docs/consensus.md has no section #{section}", vector.name);
    }
    let links = document.split("](#").skip(1).map(|rest| rest.split(')').next().unwrap_or_default());
    for link in links {
        assert!(anchors.iter().any(|a| a == link), "docs/consensus.md links to #{link}, which no heading makes");
    }
}
