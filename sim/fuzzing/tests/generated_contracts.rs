//! Generated contracts against the VM: every call must do exactly what the model computes from the
//! contract's plan — outcome, returns, returndata, logs and slices — on both compilers.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use svm_fuzzing::oracles::generated_contract;

#[test]
fn generated_calls_do_exactly_what_their_plans_say() {
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for seed in 0..32 {
        for (outcome, n) in generated_contract::check(&mut ChaCha8Rng::seed_from_u64(seed), 12) {
            *outcomes.entry(outcome).or_insert(0) += n;
        }
    }
    // The plans reach successes and failures of every class.
    let count = |prefix: &str| outcomes.iter().filter(|(o, _)| o.starts_with(prefix)).map(|(_, n)| n).sum::<usize>();
    assert!(count("success") > 100, "{outcomes:?}");
    for class in ["host:", "trap:", "out-of-gas", "stack-exhausted"] {
        assert!(count(class) >= 5, "{class}: {outcomes:?}");
    }
}
