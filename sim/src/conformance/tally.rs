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

/// The prefix of the skip reason of an assertion whose module the allow-list rejected.
pub const REJECTED_PREFIX: &str = "module rejected: ";

/// Whether a skip for `reason` is outside what SVM promises to run: a module using a feature SVM
/// refuses (by proposal, import, start function), or needing the `spectest` host module or another
/// module linked. Every other skip — a module over a limit, state kept between invokes, a global read,
/// a runner limitation — counts against coverage.
pub fn outside_promise(reason: &str) -> bool {
    use super::runner::reason as r;
    if let Some(rule) = reason.strip_prefix(REJECTED_PREFIX) {
        return svm::validation::Rule::ALL.iter().any(|rule_| rule_.name() == rule && rule_.refuses_a_feature());
    }
    [r::SPECTEST, r::REGISTERED, r::REGISTER, r::VALUE_TYPE, r::UNSUPPORTED].contains(&reason)
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

    /// Assertions that ran contract code through the VM and held.
    pub fn executed(&self) -> usize {
        self.passed - self.passed_refusals
    }

    /// Skips that count against coverage (see [`outside_promise`]).
    pub fn skipped_within_promise(&self) -> usize {
        self.skipped.iter().filter(|(reason, _)| !outside_promise(reason)).map(|(_, n)| n).sum()
    }

    /// Assertions on modules that use only admitted features and need neither `spectest` nor linking:
    /// executed, failed, or skipped for a reason within the promise.
    pub fn eligible(&self) -> usize {
        self.executed() + self.failed.len() + self.skipped_within_promise()
    }

    /// The line this file contributes to the pinned totals: file, executed, refusals, failed, skips
    /// within the promise, skips outside it, modules accepted, modules rejected.
    pub fn pin_line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            self.file,
            self.executed(),
            self.passed_refusals,
            self.failed.len(),
            self.skipped_within_promise(),
            self.skipped_total() - self.skipped_within_promise(),
            self.modules_accepted,
            self.modules_rejected.values().sum::<usize>()
        )
    }
}

/// The header line of a pinned-totals file.
pub const PIN_HEADER: &str =
    "file\texecuted\trefusals\tfailed\tskipped_within_promise\tskipped_outside\tmodules_accepted\tmodules_rejected";

/// The pinned-totals text of `files`: a header, then one tab-separated line per file.
pub fn pin_text(files: &[FileTally]) -> String {
    let mut out = format!("{PIN_HEADER}\n");
    for f in files {
        out.push_str(&f.pin_line());
        out.push('\n');
    }
    out
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
        "| file | executed | refusals | failed | skipped within promise | skipped outside | executed of eligible | modules accepted | modules rejected (rule: count) |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    let percent = |executed: usize, eligible: usize| match eligible {
        0 => "—".to_string(),
        n => format!("{:.1}%", 100.0 * executed as f64 / n as f64),
    };
    for f in files {
        let rejected: Vec<String> = f.modules_rejected.iter().map(|(r, n)| format!("{r}: {n}")).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            f.file,
            f.executed(),
            f.passed_refusals,
            f.failed.len(),
            f.skipped_within_promise(),
            f.skipped_total() - f.skipped_within_promise(),
            percent(f.executed(), f.eligible()),
            f.modules_accepted,
            rejected.join(", ")
        ));
    }
    let (executed, eligible): (usize, usize) =
        files.iter().fold((0, 0), |(x, e), f| (x + f.executed(), e + f.eligible()));
    let within: usize = files.iter().map(FileTally::skipped_within_promise).sum();
    let t = Totals::of(files);
    let rejected: usize = t.modules_rejected.values().sum();
    out.push_str(&format!(
        "| **total ({} files)** | **{executed}** | **{}** | **{}** | **{within}** | **{}** | **{}** | **{}** | **{rejected}** |\n",
        t.files,
        t.passed_refusals,
        t.failed,
        t.skipped.values().sum::<usize>() - within,
        percent(executed, eligible),
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
