//! One handle used from several threads at once: calls serialize, none is lost or torn, and a close
//! racing the calls turns every later call into a handle error, never a crash.

mod common;

use common::*;
use serde_json::json;
use std::sync::Barrier;
use svm_ffi::*;

#[test]
fn calls_on_one_handle_from_several_threads_are_serialized() {
    let (rt, counter) = with_counter();
    begin(rt, 2).unwrap();
    const THREADS: usize = 4;
    const CALLS: usize = 25;
    let barrier = Barrier::new(THREADS);
    let outcomes: Vec<Vec<String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    (0..CALLS)
                        .map(|_| {
                            // Read the nonce and apply: another thread may take the nonce in between.
                            let nonce = account_json(&account(rt, &USER).unwrap()).unwrap()["nonce"].as_u64().unwrap();
                            let receipt = apply(rt, &call_tx(&counter, "inc", json!([]), nonce)).unwrap();
                            root(rt).unwrap();
                            receipt_json(&receipt).unwrap()["outcome"].as_str().unwrap().to_string()
                        })
                        .collect()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let successes = outcomes.iter().flatten().filter(|o| *o == "success").count();
    let others: Vec<&String> = outcomes.iter().flatten().filter(|o| *o != "success").collect();
    assert!(others.iter().all(|o| *o == "invalid:nonce-mismatch"), "{others:?}");
    // Every success incremented the counter exactly once and took exactly one nonce.
    let count = u64::from_le_bytes(slice(rt, &address_bytes(&counter), 0).unwrap().try_into().unwrap());
    assert_eq!(count, successes as u64);
    let nonce = account_json(&account(rt, &USER).unwrap()).unwrap()["nonce"].as_u64().unwrap();
    assert_eq!(nonce, successes as u64);
    assert_eq!(commit(rt).unwrap().applied, 1 + (THREADS * CALLS) as u64);
    close(rt).unwrap();
}

#[test]
fn separate_handles_run_in_parallel_and_agree() {
    let roots: Vec<[u8; 32]> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let (rt, counter) = with_counter();
                    begin(rt, 2).unwrap();
                    for nonce in 0..10 {
                        apply(rt, &call_tx(&counter, "inc", json!([]), nonce)).unwrap();
                    }
                    let root = commit(rt).unwrap().root;
                    close(rt).unwrap();
                    root
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert!(roots.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn a_close_racing_calls_leaves_only_successes_and_handle_errors() {
    let (rt, counter) = with_counter();
    begin(rt, 2).unwrap();
    let (start, closed) = (Barrier::new(4), Barrier::new(4));
    let apply_code = |nonce| match apply(rt, &call_tx(&counter, "inc", json!([]), nonce)) {
        Ok(_) => SVM_OK,
        Err(failure) => failure.code,
    };
    let (racing, after): (Vec<i32>, Vec<i32>) = std::thread::scope(|scope| {
        let callers: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    let racing: Vec<i32> = (0..40u64).map(apply_code).collect();
                    closed.wait();
                    (racing, apply_code(0))
                })
            })
            .collect();
        start.wait();
        close(rt).unwrap();
        closed.wait();
        let results: Vec<(Vec<i32>, i32)> = callers.into_iter().map(|c| c.join().unwrap()).collect();
        (results.iter().flat_map(|r| r.0.clone()).collect(), results.iter().map(|r| r.1).collect())
    });
    // While the close raced them, a call either ran before it or found the handle closed.
    assert!(racing.iter().all(|c| *c == SVM_OK || *c == SVM_ERR_HANDLE), "{racing:?}");
    assert_eq!(after, [SVM_ERR_HANDLE; 3], "every call after the close fails");
}
