//! Coverage: what a run reached — calls per vmcall, outcomes by kind, the shapes of storage, logs,
//! calldata and registers it exercised — so that "all replicas agree" says over what. Every outcome
//! kind the VM has is listed; the few a default campaign cannot reach say why in [`UNREACHABLE`].

use serde::Serialize;
use std::collections::BTreeMap;
use svm::layout::tree_depth;
use svm::outcome::{InvalidTx, Outcome, Refusal, TrapKind};
use svm::receipt::Receipt;
use svm::registers::REGISTER_CLASSES;
use svm::runtime::ExecutionStats;
use svm::transaction::Transaction;
use svm::vmcalls::HostError;
use svm::vmcalls::registry::VMCALLS;

/// Outcome kinds a default campaign cannot reach, and why.
pub const UNREACHABLE: &[(&str, &str)] = &[];

/// How many values fell in each range, and the largest.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Histogram {
    /// (label, inclusive upper bound, count), in order; the last bucket takes everything above.
    pub buckets: Vec<(String, u64, u64)>,
    /// The largest value seen.
    pub max: u64,
}

impl Histogram {
    /// Buckets ending at each of `bounds` (inclusive), and one for everything above the last.
    pub fn new(bounds: &[u64]) -> Histogram {
        let mut buckets = Vec::new();
        let mut low = 0;
        for &high in bounds {
            let label = if low == high { low.to_string() } else { format!("{low}–{high}") };
            buckets.push((label, high, 0));
            low = high + 1;
        }
        buckets.push((format!("≥ {low}"), u64::MAX, 0));
        Histogram { buckets, max: 0 }
    }

    /// Counts `value`.
    pub fn add(&mut self, value: u64) {
        self.max = self.max.max(value);
        if let Some(bucket) = self.buckets.iter_mut().find(|(_, high, _)| value <= *high) {
            bucket.2 += 1;
        }
    }

    pub fn line(&self) -> String {
        let counts: Vec<String> = self.buckets.iter().map(|(label, _, n)| format!("{label}: {n}")).collect();
        format!("{} (max {})", counts.join(", "), self.max)
    }
}

/// What one replica's run reached.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Coverage {
    /// Transactions recorded.
    pub transactions: u64,
    /// Executions that reached the contract's code.
    pub executions: u64,
    /// Calls per vmcall, every vmcall listed.
    pub vmcalls: BTreeMap<String, u64>,
    /// Transactions per outcome kind, every kind listed (`refused:code-rejected`, `refused:link` for any rule).
    pub outcomes: BTreeMap<String, u64>,
    /// Deploys refused per allow-list rule.
    pub code_rejections: BTreeMap<String, u64>,
    /// Deploys (of contracts or libraries) refused per link rule.
    pub link_rejections: BTreeMap<String, u64>,
    /// Contracts deployed, by page count.
    pub contract_pages: Histogram,
    /// The deepest page tree of a deployed contract (levels above the leaves).
    pub deepest_tree: u32,
    /// Storage pages accessed per execution.
    pub pages_accessed: Histogram,
    /// Storage pages written per execution.
    pub dirty_pages: Histogram,
    /// Log entries per execution.
    pub logs: Histogram,
    /// Events per successful execution.
    pub events: Histogram,
    /// Layer boundaries that pruned expired events.
    pub pruning_boundaries: u64,
    /// Calldata bytes per execution transaction.
    pub calldata_bytes: Histogram,
    /// Returndata bytes per successful execution.
    pub returndata_bytes: Histogram,
    /// Reads of a register before the execution wrote it, per class (`64-bit` …).
    pub unwritten_register_reads: BTreeMap<String, u64>,
    /// Clean pages this replica's page caches evicted.
    pub page_cache_evictions: u64,
    /// Calls made by contracts (in successful transactions' receipts), by the callee's outcome kind.
    pub calls: BTreeMap<String, u64>,
    /// Call records by the callee frame's depth.
    pub call_depths: Histogram,
}

impl Default for Coverage {
    fn default() -> Coverage {
        Coverage {
            transactions: 0,
            executions: 0,
            vmcalls: VMCALLS.iter().map(|v| (v.name.to_string(), 0)).collect(),
            outcomes: outcome_kinds().into_iter().map(|k| (k, 0)).collect(),
            code_rejections: BTreeMap::new(),
            link_rejections: BTreeMap::new(),
            contract_pages: Histogram::new(&[0, 1, 16, 256, 4096]),
            deepest_tree: 0,
            pages_accessed: Histogram::new(&[0, 1, 2, 16, 64, 256]),
            dirty_pages: Histogram::new(&[0, 1, 2, 16, 64, 255]),
            logs: Histogram::new(&[0, 1, 16, 63]),
            events: Histogram::new(&[0, 1, 4, 16]),
            pruning_boundaries: 0,
            calldata_bytes: Histogram::new(&[0, 64, 4096, 65_535]),
            returndata_bytes: Histogram::new(&[0, 64, 4096, 65_535]),
            unwritten_register_reads: REGISTER_CLASSES.iter().map(|(bits, _)| (format!("{bits}-bit"), 0)).collect(),
            page_cache_evictions: 0,
            calls: call_kinds().into_iter().map(|k| (k, 0)).collect(),
            call_depths: Histogram::new(&[1, 2, 3, 4, 5]),
        }
    }
}

/// Every outcome kind the VM has, as coverage counts them.
pub fn outcome_kinds() -> Vec<String> {
    let mut kinds = vec![Outcome::Success.name(), Outcome::OutOfGas.name(), Outcome::StackExhausted.name()];
    kinds.extend(InvalidTx::ALL.iter().map(|r| Outcome::Invalid(*r).name()));
    kinds.extend(
        [Refusal::NoSuchFunction, Refusal::ArgumentMismatch, Refusal::InvalidLayout]
            .map(|r| Outcome::Refused(r).name()),
    );
    kinds.push("refused:code-rejected".into());
    kinds.push("refused:link".into());
    kinds.extend(TrapKind::ALL.iter().map(|t| Outcome::Trap(*t).name()));
    kinds.extend(HostError::ALL.iter().map(|h| Outcome::Host(*h).name()));
    kinds
}

/// The callee outcomes a default campaign must reach (`call-depth` needs 16 frames, more than a hop
/// chain carries).
pub fn call_kinds() -> Vec<String> {
    let mut kinds = vec![format!("call:{}", Outcome::Success.name()), format!("call:{}", Outcome::OutOfGas.name())];
    kinds.extend(
        [
            Refusal::NoSuchContract,
            Refusal::Reentry,
            Refusal::CallValue,
            Refusal::NoSuchFunction,
            Refusal::ArgumentMismatch,
        ]
        .map(|r| format!("call:{}", Outcome::Refused(r).name())),
    );
    kinds
}

/// The kind `outcome` counts as.
pub fn kind(outcome: Outcome) -> String {
    match outcome {
        Outcome::Refused(Refusal::CodeRejected(_)) => "refused:code-rejected".into(),
        Outcome::Refused(Refusal::Link(_)) => "refused:link".into(),
        other => other.name(),
    }
}

impl Coverage {
    /// Records one applied transaction, its receipt, and its execution's counters if it ran code.
    pub fn record(&mut self, tx: &Transaction, receipt: &Receipt, stats: Option<&ExecutionStats>) {
        self.transactions += 1;
        *self.outcomes.entry(kind(receipt.outcome)).or_insert(0) += 1;
        if let Outcome::Refused(Refusal::CodeRejected(rule)) = receipt.outcome {
            *self.code_rejections.entry(rule.to_string()).or_insert(0) += 1;
        }
        if let Outcome::Refused(Refusal::Link(rule)) = receipt.outcome {
            *self.link_rejections.entry(rule.to_string()).or_insert(0) += 1;
        }
        match tx {
            Transaction::Deploy(deploy) if receipt.outcome.is_success() => {
                self.contract_pages.add(deploy.page_count.into());
                self.deepest_tree = self.deepest_tree.max(tree_depth(deploy.page_count));
            }
            Transaction::Execute(execute) if !receipt.outcome.is_invalid() => {
                self.calldata_bytes.add(execute.calldata.len() as u64);
                if receipt.outcome.is_success() {
                    self.returndata_bytes.add(receipt.returndata.len() as u64);
                    self.events.add(receipt.events.len() as u64);
                }
            }
            _ => {}
        }
        for record in &receipt.calls {
            *self.calls.entry(format!("call:{}", kind(record.outcome))).or_insert(0) += 1;
            self.call_depths.add(record.depth.into());
        }
        let Some(stats) = stats else { return };
        self.executions += 1;
        for (spec, calls) in VMCALLS.iter().zip(&stats.vmcalls) {
            *self.vmcalls.entry(spec.name.to_string()).or_insert(0) += u64::from(*calls);
        }
        self.pages_accessed.add(stats.pages_accessed as u64);
        self.dirty_pages.add(stats.pages_dirty as u64);
        self.logs.add(stats.logs as u64);
        for ((bits, _), reads) in REGISTER_CLASSES.iter().zip(&stats.unwritten_register_reads) {
            *self.unwritten_register_reads.entry(format!("{bits}-bit")).or_insert(0) += u64::from(*reads);
        }
        self.page_cache_evictions += stats.page_cache_evictions;
    }

    /// Outcome kinds reached fewer than `times` times that [`UNREACHABLE`] does not excuse, and
    /// vmcalls called fewer than `times` times.
    pub fn shortfalls(&self, times: u64) -> Vec<String> {
        let excused = |kind: &str| UNREACHABLE.iter().any(|(k, _)| *k == kind);
        let outcomes = self
            .outcomes
            .iter()
            .filter(|(kind, n)| **n < times && !excused(kind))
            .map(|(kind, n)| format!("outcome {kind}: {n}"));
        let vmcalls = self.vmcalls.iter().filter(|(_, n)| **n < times).map(|(name, n)| format!("vmcall {name}: {n}"));
        let calls = self
            .calls
            .iter()
            .filter(|(kind, n)| **n < times && call_kinds().contains(kind))
            .map(|(k, n)| format!("{k}: {n}"));
        outcomes.chain(vmcalls).chain(calls).collect()
    }

    /// The coverage as a Markdown section; `evictions` lists each replica's page-cache evictions.
    pub fn markdown(&self, evictions: &[(String, u64)]) -> String {
        let mut md = String::from("## Coverage\n\n");
        md.push_str(&format!(
            "{} transactions, {} executions that ran code (counted on the first replica).\n\n",
            self.transactions, self.executions
        ));
        md.push_str("| vmcall | calls |\n|---|---:|\n");
        for (name, n) in &self.vmcalls {
            md.push_str(&format!("| `{name}` | {n} |\n"));
        }
        md.push_str("\n| outcome kind | transactions | note |\n|---|---:|---|\n");
        for (kind, n) in &self.outcomes {
            let note = match UNREACHABLE.iter().find(|(k, _)| k == kind) {
                Some((_, why)) => format!("unreachable here: {why}"),
                None if *n == 0 => "**not reached**".into(),
                None => String::new(),
            };
            md.push_str(&format!("| `{kind}` | {n} | {note} |\n"));
        }
        let calls: Vec<String> = self.calls.iter().map(|(k, n)| format!("`{k}` {n}")).collect();
        md.push_str(&format!("\nCalls between contracts by callee outcome: {}.\n", calls.join(", ")));
        if !self.code_rejections.is_empty() {
            let rules: Vec<String> = self.code_rejections.iter().map(|(r, n)| format!("{r}: {n}")).collect();
            md.push_str(&format!("\nCode rejected by rule: {}.\n", rules.join(", ")));
        }
        if !self.link_rejections.is_empty() {
            let rules: Vec<String> = self.link_rejections.iter().map(|(r, n)| format!("{r}: {n}")).collect();
            md.push_str(&format!("\nDeploys refused by link rule: {}.\n", rules.join(", ")));
        }
        md.push_str("\n| shape | distribution |\n|---|---|\n");
        let rows = [
            ("pages per deployed contract", self.contract_pages.line()),
            ("deepest page tree (levels)", self.deepest_tree.to_string()),
            ("pages accessed per execution", self.pages_accessed.line()),
            ("dirty pages per execution", self.dirty_pages.line()),
            ("log entries per execution", self.logs.line()),
            ("events per successful execution", self.events.line()),
            ("layer boundaries that pruned events", self.pruning_boundaries.to_string()),
            ("calldata bytes per call", self.calldata_bytes.line()),
            ("returndata bytes per successful call", self.returndata_bytes.line()),
            ("callee depth per call record", self.call_depths.line()),
        ];
        for (shape, line) in rows {
            md.push_str(&format!("| {shape} | {line} |\n"));
        }
        let reads: Vec<String> = self.unwritten_register_reads.iter().map(|(c, n)| format!("{c}: {n}")).collect();
        md.push_str(&format!("| registers read before written | {} |\n", reads.join(", ")));
        let evicted: Vec<String> = evictions.iter().map(|(name, n)| format!("{name}: {n}")).collect();
        md.push_str(&format!("| page-cache evictions per replica | {} |\n", evicted.join(", ")));
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_put_each_value_in_its_bucket() {
        let mut h = Histogram::new(&[0, 1, 16]);
        for v in [0, 1, 2, 16, 17, 1000] {
            h.add(v);
        }
        let counts: Vec<u64> = h.buckets.iter().map(|b| b.2).collect();
        assert_eq!(counts, vec![1, 1, 2, 2]);
        assert_eq!(h.max, 1000);
        assert_eq!(h.buckets[2].0, "2–16");
    }

    #[test]
    fn every_outcome_kind_is_listed_once_and_the_excuses_name_real_kinds() {
        let kinds = outcome_kinds();
        let unique: std::collections::BTreeSet<&String> = kinds.iter().collect();
        assert_eq!(unique.len(), kinds.len());
        // Three plain refusals, `code-rejected` and `link` for any rule.
        assert_eq!(kinds.len(), 3 + InvalidTx::ALL.len() + 5 + TrapKind::ALL.len() + HostError::ALL.len());
        for (kind, _) in UNREACHABLE {
            assert!(kinds.iter().any(|k| k == kind), "{kind}");
        }
        assert_eq!(kind(Outcome::Refused(Refusal::CodeRejected(svm::validation::Rule::Simd))), "refused:code-rejected");
        assert_eq!(kind(Outcome::Refused(Refusal::Link(svm::link_rule::LinkRule::LibraryCycle))), "refused:link");
    }
}
