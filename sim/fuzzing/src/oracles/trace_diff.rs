//! Diffing two vmcall traces of the same transaction: the first divergent vmcall, with context.

use serde::Serialize;
use svm::trace::TraceEntry;

/// Entries of agreeing context shown before the first difference.
pub const CONTEXT: usize = 3;

/// Where two traces of one transaction first differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VmcallDivergence {
    /// Index of the first differing vmcall in the traces (0-based).
    pub index: usize,
    /// The vmcall's name on each side (`None` where that trace had already ended).
    pub vmcall: [Option<String>; 2],
    /// The entry on each side.
    pub entries: [Option<String>; 2],
    /// The agreeing entries just before it.
    pub context: Vec<String>,
    /// The two replicas compared.
    pub replicas: [String; 2],
}

/// The first index where the traces differ (in name, arguments, result, gas or bytes moved), or where
/// one ends before the other.
pub fn first_difference(a: &[TraceEntry], b: &[TraceEntry]) -> Option<usize> {
    (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))
}

/// The divergence between traces `a` (of replica `left`) and `b` (of `right`), if they differ.
pub fn diff(a: &[TraceEntry], b: &[TraceEntry], left: &str, right: &str) -> Option<VmcallDivergence> {
    let index = first_difference(a, b)?;
    let entry = |trace: &[TraceEntry]| trace.get(index).map(|e| e.to_string());
    let name = |trace: &[TraceEntry]| trace.get(index).map(|e| e.vmcall.to_string());
    Some(VmcallDivergence {
        index,
        vmcall: [name(a), name(b)],
        entries: [entry(a), entry(b)],
        context: a[index.saturating_sub(CONTEXT)..index].iter().map(|e| e.to_string()).collect(),
        replicas: [left.to_string(), right.to_string()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm::trace::TraceResult;

    fn entry(vmcall: &'static str, gas: u64) -> TraceEntry {
        TraceEntry {
            depth: 1,
            contract: svm::Address([7; 20]),
            vmcall,
            args: vec![1],
            result: TraceResult::Ok(None),
            gas_before: gas,
            gas_after: gas - 5,
            bytes: None,
        }
    }

    #[test]
    fn finds_the_first_difference_with_context() {
        let a: Vec<_> = (0..6).map(|i| entry("log", 1000 - i * 10)).collect();
        let mut b = a.clone();
        b[4].gas_after += 1;
        let d = diff(&a, &b, "x", "y").unwrap();
        assert_eq!(d.index, 4);
        assert_eq!(d.context.len(), CONTEXT);
        assert_eq!(d.vmcall, [Some("log".into()), Some("log".into())]);
        assert!(diff(&a, &a, "x", "y").is_none());
        assert_eq!(first_difference(&a, &a[..2]), Some(2));
    }
}
