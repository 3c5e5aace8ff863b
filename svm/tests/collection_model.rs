//! Every kind of collection against a plain model, through the runtime's open-collection table: maps,
//! a sorted set's shape, lists, maps of lists and lists of maps, opened, nested, written, looked up,
//! walked, committed and discarded in random orders (the `collections` fuzz target's generator and
//! oracle, under proptest). Every committed slot must hold the state the model computes, its root
//! recomputed by the reference VM.

use arbitrary::Unstructured;
use proptest::prelude::*;
use svm_fuzzing::generators::collection_ops::{CollectionOp, ops};
use svm_fuzzing::oracles::collection_model::check;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn collections_do_what_plain_maps_do(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        let ops = ops(&mut Unstructured::new(&bytes), 400).unwrap_or_default();
        check(&ops);
    }
}

/// A fixed sequence that reaches what random ones reach only sometimes: a list of maps and a map of
/// lists, nested writes, a child removed while open, a discard, and commits checked slot by slot.
#[test]
fn a_fixed_sequence_over_every_slot_commits_what_the_model_says() {
    use CollectionOp::*;
    let ops = [
        Open { slot: 0 },
        Insert { handle: 0, key: 3, value: b"three".to_vec() },
        Open { slot: 1 },
        OpenChild { handle: 1, key: 2 },
        Push { handle: 2, value: b"a".to_vec() },
        Push { handle: 2, value: b"b".to_vec() },
        Open { slot: 2 },
        OpenChild { handle: 3, key: 0 },
        Insert { handle: 4, key: 1, value: b"x".to_vec() },
        Commit,
        Open { slot: 1 },
        OpenChild { handle: 0, key: 2 },
        Pop { handle: 1 },
        Remove { handle: 0, key: 2 },
        Push { handle: 1, value: b"dropped".to_vec() },
        OpenChild { handle: 0, key: 5 },
        Commit,
        Open { slot: 0 },
        Remove { handle: 0, key: 3 },
        Discard,
        Open { slot: 0 },
        Get { handle: 0, key: 3 },
        Next { handle: 0, after: None, bound: None },
        Open { slot: 3 },
        Insert { handle: 1, key: 6, value: b"ignored: a set holds keys only".to_vec() },
        Insert { handle: 1, key: 2, value: Vec::new() },
        Next { handle: 1, after: Some(2), bound: Some(7) },
        Commit,
    ];
    check(&ops);
}
