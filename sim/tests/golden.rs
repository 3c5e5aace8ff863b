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

#[test]
fn every_invariant_and_expected_effect_holds_on_every_golden_stream_and_the_fee_account_holds_exactly_the_fees() {
    use std::sync::Arc;
    use svm::fee::FEE_ACCOUNT;
    use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
    use svm::storage::kv::MemKv;
    use svm_fuzzing::invariants::{self, Step, events_live};
    use svm_fuzzing::oracles::expected_effects::ExpectedEffects;
    use svm_fuzzing::stream::Stream;

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/streams");
    // Calls between contracts that fail and that succeed, each: [how many, how many at depth 3 or more].
    let mut calls = [[0usize; 2]; 2];
    for file in streams(&dir).unwrap() {
        let stream = Stream::read(&file).unwrap();
        let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
        rt.genesis(&stream.genesis).unwrap();
        let (mut fees, mut failed_paying, mut invalid) = (0u128, 0, 0);
        let mut expected = ExpectedEffects::new(&stream);
        for (i, stx) in stream.txs.iter().enumerate() {
            let boundary = rt.root();
            rt.begin_layer(stx.layer).unwrap();
            let before = rt.root();
            let check = events_live::check_boundary(rt.kv().as_ref(), boundary, before, stx.layer);
            assert_eq!(check, Ok(()), "{} tx {i}", file.display());
            let receipt = rt.apply(&stx.tx, &BlockContext { layer: stx.layer }).unwrap();
            let (after, layer) = (rt.root(), stx.layer);
            let step = Step { runtime: &rt, tx: &stx.tx, receipt: &receipt, before, after, layer, nodes: None };
            let violations = invariants::check(&step, true);
            assert!(violations.is_empty(), "{} tx {i}: {violations:?}", file.display());
            if let Err(finding) = expected.check(&step, stx.layer) {
                panic!("{} tx {i}: {finding}", file.display());
            }
            if !receipt.outcome.is_invalid() {
                fees += u128::from(receipt.gas_used) * u128::from(stx.tx.gas_price());
            }
            failed_paying += usize::from(receipt.outcome.is_failure() && stx.tx.gas_price() > 0);
            for call in &receipt.calls {
                let tally = &mut calls[usize::from(call.outcome.is_success())];
                tally[0] += 1;
                tally[1] += usize::from(call.depth >= 3);
            }
            invalid += usize::from(receipt.outcome.is_invalid());
        }
        // The golden streams exercise the fee rule: failures that pay and transactions that cannot.
        assert!(
            failed_paying >= 5 && invalid >= 5,
            "{}: {failed_paying} paying failures, {invalid} invalid",
            file.display()
        );
        let collected = rt.account(&FEE_ACCOUNT).unwrap().map_or(0, |a| a.balance);
        assert_eq!(u128::from(collected), fees, "{}", file.display());
        // Conservation over the whole state: what genesis created is all still there.
        let mut everyone = svm_sim::divergence::addresses(&stream);
        everyone.insert(FEE_ACCOUNT);
        let total: u128 = everyone.iter().map(|a| u128::from(rt.account(a).unwrap().map_or(0, |a| a.balance))).sum();
        let created: u128 = stream.genesis.iter().map(|(_, b)| u128::from(*b)).sum();
        assert_eq!(total, created, "{}", file.display());
    }
    // The golden streams pin calls between contracts: failing and successful ones, nested ones among both.
    assert!(calls.iter().all(|&[n, deep]| n >= 3 && deep >= 1), "[failed, succeeded] × [all, depth ≥ 3]: {calls:?}");
}

#[test]
fn pins_made_under_another_consensus_version_are_refused_naming_both_versions() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/streams");
    let work = tempfile::tempdir().unwrap();
    let stream = work.path().join("s.jsonl");
    std::fs::copy(dir.join("seed-1.jsonl"), &stream).unwrap();
    let pins = std::fs::read_to_string(dir.join("seed-1.golden.json")).unwrap();
    let current = format!("\"consensus_version\": {}", svm::CONSENSUS_VERSION);
    assert!(pins.contains(&current));
    std::fs::write(work.path().join("s.golden.json"), pins.replacen(&current, "\"consensus_version\": 999", 1))
        .unwrap();
    let error = check(&stream, 2).unwrap_err().to_string();
    assert!(
        error.contains("consensus version 999")
            && error.contains(&format!("consensus version {}", svm::CONSENSUS_VERSION)),
        "{error}"
    );
}
