//! The runtime's event store against the reference VM's, under proptest (the `events` fuzz target's
//! generator and oracle): transactions that emit, boundaries that prune, queries and restarts in random
//! orders; roots, ids, prunings, answers and stored entries agree.

use arbitrary::Unstructured;
use proptest::prelude::*;
use svm_fuzzing::generators::event_ops::{EmittedEvent, EventOp, ops};
use svm_fuzzing::oracles::event_model::check;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_event_store_does_what_the_reference_does(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        let ops = ops(&mut Unstructured::new(&bytes), 300).unwrap_or_default();
        check(&ops);
    }
}

/// A fixed sequence: events in two layers, a query across both, a boundary that prunes the first
/// layer's short-lived ones, skipped layers that prune the rest, and a restart at each point.
#[test]
fn a_fixed_sequence_prunes_what_expired_and_answers_alike() {
    let emitted =
        |contract: u8, topics: Vec<u8>, expiry: u32| EmittedEvent { contract, topics, data: vec![contract; 3], expiry };
    let query =
        |contract: u8, topic: Option<u8>| EventOp::Query { contract, topic, back_from: 10, back_to: 0, limit: 20 };
    check(&[
        EventOp::Emit(vec![emitted(0, vec![1, 1, 2], 0), emitted(1, vec![], 3)]),
        EventOp::Emit(vec![emitted(0, vec![2], 1)]),
        EventOp::NextLayer { skip: 0 },
        EventOp::Emit(vec![emitted(0, vec![1], 0), emitted(2, vec![4, 3, 2, 1], 1024)]),
        query(0, None),
        query(0, Some(1)),
        EventOp::Restart,
        EventOp::NextLayer { skip: 0 },
        query(0, Some(2)),
        EventOp::NextLayer { skip: 5 },
        query(1, None),
        EventOp::Restart,
    ]);
}
