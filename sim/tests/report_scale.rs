//! Reports at the edges: a million transactions (the charts downsample and the page stays small), a
//! replica that faulted at transaction 0 beside one that ran everything (with the divergence that
//! makes), and a run with no transaction at all — every one renders, nothing panics, and the charts
//! say what is missing.

use std::collections::BTreeMap;
use std::time::Duration;
use svm::StateRoot;
use svm::outcome::{InvalidTx, Outcome};
use svm::receipt::Receipt;
use svm_fuzzing::oracles::agreement::{Component, Fingerprint, Mismatch};
use svm_sim::charts::{MAX_BARS, run_charts};
use svm_sim::coverage::Coverage;
use svm_sim::history::History;
use svm_sim::node::{Node, reference_node, wasmer_nodes};
use svm_sim::report::RunReport;
use svm_sim::run::{ReplicaRun, RunResult};

/// A replica run of `receipts` (a fault after them when `fault` is set), on a reference node (cheap).
fn replica(name: &str, receipts: Vec<Receipt>, fault: Option<usize>) -> ReplicaRun {
    let mut config = if name == "reference" { reference_node() } else { wasmer_nodes()[0].clone() };
    config.name = name.into();
    let mut fingerprints: Vec<Fingerprint> = receipts.iter().map(|r| Fingerprint::of(r, StateRoot::EMPTY)).collect();
    if fault.is_some() {
        fingerprints.push(Fingerprint::node_fault("planted"));
    }
    let n = receipts.len();
    ReplicaRun {
        node: Node::new(reference_node(), None),
        genesis_root: StateRoot::EMPTY,
        fingerprints,
        receipts,
        fault: fault.map(|tx| (tx, "planted".to_string())),
        recovered: 0,
        elapsed: Duration::from_secs(1),
        finished_at: (1..=n as u64).map(Duration::from_micros).collect(),
        findings: Vec::new(),
        finding_count: 0,
        expected: Default::default(),
        coverage: Coverage::default(),
    }
}

fn receipts(n: usize) -> Vec<Receipt> {
    (0..n)
        .map(|i| {
            let mut receipt = Receipt::new(match i % 7 {
                0 => Outcome::Invalid(InvalidTx::NonceMismatch),
                1 => Outcome::OutOfGas,
                _ => Outcome::Success,
            });
            receipt.gas_used = (i as u64 * 7919) % 10_000_000;
            receipt
        })
        .collect()
}

/// The report page of `replicas` (and the divergence `mismatch`), and each chart's size.
fn render(replicas: Vec<ReplicaRun>, mismatch: Option<Mismatch>) -> (String, Vec<(&'static str, usize)>) {
    let result = RunResult { replicas, history: History::default(), mismatch, fingerprint: svm::Hash::ZERO };
    let report = RunReport::new(&result, 1, BTreeMap::new(), None, 1.0);
    let charts = run_charts(&result, &report);
    let sizes = charts.iter().map(|c| (c.file, c.svg.len())).collect();
    for chart in &charts {
        assert!(!chart.svg.contains("chart not drawn"), "{}: {}", chart.file, chart.svg);
    }
    (svm_sim::report_html::render(&report.markdown(&charts), &charts), sizes)
}

#[test]
fn a_million_transactions_render_in_a_small_page() {
    let (html, sizes) = render(vec![replica("sp-off-big", receipts(1_000_000), None)], None);
    eprintln!("report.html of a million transactions: {} bytes; charts {sizes:?}", html.len());
    assert!(html.len() < 2_000_000, "report.html of a million transactions is {} bytes", html.len());
    for (file, size) in sizes {
        assert!(size < 400_000, "{file}: {size} bytes");
    }
    assert!(html.contains(&format!("each bar: {} transaction(s)", 1_000_000usize.div_ceil(MAX_BARS))));
}

#[test]
fn a_replica_faulted_at_transaction_0_and_a_run_of_nothing_render() {
    let mismatch = Mismatch { tx: 0, groups: vec![vec![0], vec![1]], differs: vec![Component::Root] };
    let (html, sizes) =
        render(vec![replica("sp-off-big", receipts(50), None), replica("reference", vec![], Some(0))], Some(mismatch));
    assert!(sizes.iter().any(|(file, _)| *file == "divergence.svg"));
    assert!(html.contains("Divergence at transaction 0"));
    let (empty, _) = render(vec![replica("sp-off-big", vec![], None)], None);
    assert!(empty.contains("transaction (none ran)") && empty.contains("gas used (no transaction ran)"));
}
