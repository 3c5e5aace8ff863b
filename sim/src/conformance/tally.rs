//! Counting what happened to each assertion and module, per file and in total.

use serde::Serialize;
use std::collections::BTreeMap;

/// What happened in one `.wast` file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileTally {
    /// The file.
    pub file: String,
    /// Modules the deploy allow-list accepted.
    pub modules_accepted: usize,
    /// Modules rejected, by the rule they broke.
    pub modules_rejected: BTreeMap<String, usize>,
    /// Assertions that held on every compiler, with identical receipts and gas.
    pub passed: usize,
    /// Of those, `assert_invalid`, `assert_malformed` and `assert_unlinkable` (the module was refused).
    pub passed_refusals: usize,
    /// Assertions that did not hold, each with its line and why.
    pub failed: Vec<String>,
    /// Assertions and commands not run, by reason.
    pub skipped: BTreeMap<String, usize>,
}

impl FileTally {
    /// Counts a skip for `reason`.
    pub fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    /// Total skips.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }
}

/// Totals over many files.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Files run.
    pub files: usize,
    /// Modules accepted.
    pub modules_accepted: usize,
    /// Modules rejected, by rule.
    pub modules_rejected: BTreeMap<String, usize>,
    /// Assertions passed.
    pub passed: usize,
    /// Of those, refusals of invalid, malformed or unlinkable modules.
    pub passed_refusals: usize,
    /// Assertions failed.
    pub failed: usize,
    /// Skips, by reason.
    pub skipped: BTreeMap<String, usize>,
}

impl Totals {
    /// The totals of `files`.
    pub fn of(files: &[FileTally]) -> Totals {
        let mut totals = Totals { files: files.len(), ..Totals::default() };
        for f in files {
            totals.modules_accepted += f.modules_accepted;
            totals.passed += f.passed;
            totals.passed_refusals += f.passed_refusals;
            totals.failed += f.failed.len();
            for (rule, n) in &f.modules_rejected {
                *totals.modules_rejected.entry(rule.clone()).or_default() += n;
            }
            for (reason, n) in &f.skipped {
                *totals.skipped.entry(reason.clone()).or_default() += n;
            }
        }
        totals
    }
}

/// The per-file table, as the terminal and `reports/conformance.md` show it.
pub fn markdown_table(files: &[FileTally]) -> String {
    let mut out = String::from(
        "| file | passed | of which refusals | failed | skipped | modules accepted | modules rejected (rule: count) |\n|---|---|---|---|---|---|---|\n",
    );
    for f in files {
        let rejected: Vec<String> = f.modules_rejected.iter().map(|(r, n)| format!("{r}: {n}")).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            f.file,
            f.passed,
            f.passed_refusals,
            f.failed.len(),
            f.skipped_total(),
            f.modules_accepted,
            rejected.join(", ")
        ));
    }
    let t = Totals::of(files);
    let rejected: usize = t.modules_rejected.values().sum();
    out.push_str(&format!(
        "| **total ({} files)** | **{}** | **{}** | **{}** | **{}** | **{}** | **{rejected}** |\n",
        t.files,
        t.passed,
        t.passed_refusals,
        t.failed,
        t.skipped.values().sum::<usize>(),
        t.modules_accepted
    ));
    out
}

/// Skip reasons with counts, as a table.
pub fn skip_table(totals: &Totals) -> String {
    let mut out = String::from("| reason | count |\n|---|---|\n");
    for (reason, n) in &totals.skipped {
        out.push_str(&format!("| {reason} | {n} |\n"));
    }
    out
}
