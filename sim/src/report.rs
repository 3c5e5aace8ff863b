//! Run reports: Markdown for people, JSON for machines, HTML with the charts inline (`charts.rs`, `report_html.rs`).

use crate::charts::Chart;
use crate::coverage::Coverage;
use crate::divergence::DivergenceReport;
use crate::finding::Finding;
use crate::node::NodeConfig;
use crate::run::RunResult;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use svm_fuzzing::oracles::trace_diff::VmcallDivergence;

/// One replica's line in the report.
#[derive(Clone, Debug, Serialize)]
pub struct ReplicaSummary {
    /// Its name.
    pub name: String,
    /// Its configuration, in words.
    pub config: String,
    /// Transactions it applied.
    pub txs: usize,
    /// Seconds it spent applying them.
    pub seconds: f64,
    /// Its transactions per second.
    pub tps: f64,
    /// Restarts it went through (a crash, a join or a halt on a failed write restarts it too).
    pub restarts: u64,
    /// Injected faults it underwent and recovered from.
    pub recovered: usize,
    /// The node fault that stopped it, if any.
    pub fault: Option<String>,
}

/// Everything a run reports.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// This tool's version.
    pub tool_version: String,
    /// The seed.
    pub seed: u64,
    /// Every parameter derived from the seed.
    pub params: BTreeMap<String, String>,
    /// The canary planted, if any.
    pub canary: Option<String>,
    /// The replicas' configurations.
    pub node_configs: Vec<NodeConfig>,
    /// Transactions in the stream.
    pub transactions_run: usize,
    /// The run fingerprint.
    pub fingerprint: String,
    /// The first divergent transaction, or null.
    pub first_divergent_tx: Option<usize>,
    /// The first divergent vmcall, or null.
    pub first_divergent_vmcall: Option<VmcallDivergence>,
    /// The full divergence analysis, or null.
    pub divergence: Option<DivergenceReport>,
    /// Where the reproducer was written, or null.
    pub reproducer: Option<String>,
    /// How many transactions ended in each outcome (on the first replica).
    pub outcomes: BTreeMap<String, usize>,
    /// Gas used over the run (on the first replica).
    pub total_gas: u64,
    /// Per replica.
    pub replicas: Vec<ReplicaSummary>,
    /// Wall-clock seconds for the whole run.
    pub wall_seconds: f64,
    /// Invariants and expected effects that did not hold, on any replica (the first few per replica).
    pub findings: Vec<Finding>,
    /// How many findings there were in all.
    pub finding_count: usize,
    /// How many transactions the expected-effect checks covered exactly, only for admission, or
    /// allowed to run out of gas (first replica).
    pub expected_effects: ExpectedSummary,
    /// What the run reached (first replica), and each replica's page-cache evictions.
    pub coverage: Coverage,
    /// Page-cache evictions per replica.
    pub page_cache_evictions: BTreeMap<String, u64>,
    /// The state root the first replica ended at.
    pub final_root: String,
}

/// How the expected-effect checks went on the first replica.
#[derive(Clone, Debug, Serialize)]
pub struct ExpectedSummary {
    /// Transactions checked against an exact expectation.
    pub exact: usize,
    /// Transactions checked only for admission (no model of the contract).
    pub admitted_only: usize,
    /// Transactions whose gas limit was below ample and that ran out of gas.
    pub ran_out_of_gas: usize,
    /// Executions with calls checked exactly.
    pub calls_exact: usize,
    /// Executions with calls checked only for admission.
    pub calls_admitted_only: usize,
}

impl RunReport {
    /// The report of `result`, before any divergence analysis or reproducer is attached.
    pub fn new(
        result: &RunResult,
        seed: u64,
        params: BTreeMap<String, String>,
        canary: Option<String>,
        wall_seconds: f64,
    ) -> RunReport {
        let first = &result.replicas[0];
        let mut outcomes = BTreeMap::new();
        for receipt in &first.receipts {
            *outcomes.entry(receipt.outcome.name()).or_insert(0) += 1;
        }
        let replicas = result
            .replicas
            .iter()
            .map(|r| ReplicaSummary {
                name: r.node.config.name.clone(),
                config: r.node.config.describe(),
                txs: r.receipts.len(),
                seconds: r.elapsed.as_secs_f64(),
                tps: r.receipts.len() as f64 / r.elapsed.as_secs_f64().max(1e-9),
                restarts: r.node.restarts,
                recovered: r.recovered,
                fault: r.fault.as_ref().map(|(tx, why)| format!("tx {tx}: {why}")),
            })
            .collect();
        RunReport {
            tool_version: crate::TOOL_VERSION.into(),
            seed,
            params,
            canary,
            node_configs: result.replicas.iter().map(|r| r.node.config.clone()).collect(),
            transactions_run: first.receipts.len().max(first.fingerprints.len()),
            fingerprint: result.fingerprint.to_string(),
            first_divergent_tx: result.mismatch.as_ref().map(|m| m.tx),
            first_divergent_vmcall: None,
            divergence: None,
            reproducer: None,
            outcomes,
            final_root: first.fingerprints.last().map_or(first.genesis_root, |f| f.root).to_string(),
            total_gas: first.receipts.iter().map(|r| r.gas_used).sum(),
            replicas,
            wall_seconds,
            findings: result.replicas.iter().flat_map(|r| r.findings.iter().cloned()).collect(),
            finding_count: result.replicas.iter().map(|r| r.finding_count).sum(),
            expected_effects: ExpectedSummary {
                exact: first.expected.exact,
                admitted_only: first.expected.admitted_only,
                ran_out_of_gas: first.expected.ran_out_of_gas,
                calls_exact: first.expected.calls_exact,
                calls_admitted_only: first.expected.calls_admitted_only,
            },
            coverage: first.coverage.clone(),
            page_cache_evictions: result
                .replicas
                .iter()
                .map(|r| (r.node.config.name.clone(), r.coverage.page_cache_evictions))
                .collect(),
        }
    }

    /// Whether the run found nothing: no divergence and no finding.
    pub fn clean(&self) -> bool {
        self.divergence.is_none() && self.first_divergent_tx.is_none() && self.finding_count == 0
    }

    /// The one-screen summary printed at the end of a run.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "seed {} · {} transactions · {} replicas · {:.1}s wall\n",
            self.seed,
            self.transactions_run,
            self.replicas.len(),
            self.wall_seconds
        );
        for r in &self.replicas {
            out.push_str(&format!(
                "  {:<22} {:>6} txs {:>9.0} tx/s  restarts {:<3} faults recovered {}{}\n",
                r.name,
                r.txs,
                r.tps,
                r.restarts,
                r.recovered,
                r.fault.as_ref().map_or(String::new(), |f| format!("  FAULT {f}"))
            ));
        }
        let outcomes: Vec<String> = self.outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out.push_str(&format!("  outcomes: {}\n", outcomes.join(", ")));
        let e = &self.expected_effects;
        out.push_str(&format!(
            "  expected effects: {} transactions checked exactly, {} for admission only, {} allowed out of gas\n",
            e.exact, e.admitted_only, e.ran_out_of_gas
        ));
        let calls: Vec<String> = self.coverage.calls.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out.push_str(&format!(
            "  calls: {} ({}); callee depths {}; executions with calls checked exactly {}, for admission only {}\n",
            self.coverage.calls.values().sum::<u64>(),
            calls.join(", "),
            self.coverage.call_depths.line(),
            e.calls_exact,
            e.calls_admitted_only
        ));
        let reached = self.coverage.vmcalls.values().filter(|n| **n > 0).count();
        let kinds = self.coverage.outcomes.values().filter(|n| **n > 0).count();
        out.push_str(&format!(
            "  coverage: {reached}/{} vmcalls called, {kinds}/{} outcome kinds reached, deepest page tree {}, max {} dirty pages and {} logs in one execution\n",
            self.coverage.vmcalls.len(),
            self.coverage.outcomes.len(),
            self.coverage.deepest_tree,
            self.coverage.dirty_pages.max,
            self.coverage.logs.max
        ));
        for r in &self.replicas {
            if let Some(fault) = &r.fault {
                out.push_str(&format!("  NODE FAULT on {} at {fault}\n", r.name));
            }
        }
        if self.finding_count > 0 {
            out.push_str(&format!(
                "  {} FINDINGS (invariants, expected effects or node faults that did not hold):\n",
                self.finding_count
            ));
            for finding in self.findings.iter().take(5) {
                out.push_str(&format!("    {finding}\n"));
            }
        }
        match &self.divergence {
            None if self.finding_count == 0 => {
                let wasmer = self.node_configs.iter().filter(|n| !n.is_reference()).count();
                let with_reference = if wasmer < self.replicas.len() { " (the reference VM among them)" } else { "" };
                out.push_str(&format!(
                    "  {} replicas agree{with_reference}, and on each of the {wasmer} wasmer replicas {} invariants and every expected effect hold, after every transaction\n",
                    self.replicas.len(),
                    svm_fuzzing::invariants::all().len()
                ))
            }
            None => out.push_str("  the replicas agree (agreement is not correctness: see the findings)\n"),
            Some(d) => {
                out.push_str(&format!("  DIVERGENCE at tx {}: {}\n", d.tx, d.tx_summary));
                out.push_str(&format!("  groups: {:?}; differs: {:?}\n", d.groups, d.differs));
                if let Some(v) = &d.first_divergent_vmcall {
                    out.push_str(&format!(
                        "  first divergent vmcall #{}: {:?} vs {:?}\n",
                        v.index, v.entries[0], v.entries[1]
                    ));
                } else if d.traces_agree {
                    out.push_str("  traces agree: the divergence is after the last vmcall\n");
                }
            }
        }
        out
    }

    /// The report for people.
    pub fn markdown(&self, charts: &[Chart]) -> String {
        let mut md = format!("# svm-sim run, seed {}\n\n", self.seed);
        md.push_str(&format!(
            "- tool version {}\n- {} transactions on {} replicas, {:.2} s wall\n- fingerprint `{}`\n- canary: {}\n- total gas (first replica): {}\n\n",
            self.tool_version,
            self.transactions_run,
            self.replicas.len(),
            self.wall_seconds,
            self.fingerprint,
            self.canary.as_deref().unwrap_or("none"),
            self.total_gas
        ));
        md.push_str("## Parameters (all derived from the seed)\n\n| parameter | value |\n|---|---|\n");
        for (k, v) in &self.params {
            md.push_str(&format!("| {k} | {v} |\n"));
        }
        md.push_str("\n## Replicas\n\n| replica | configuration | txs | seconds | tx/s | restarts | faults recovered | fault |\n|---|---|---|---|---|---|---|---|\n");
        for r in &self.replicas {
            md.push_str(&format!(
                "| {} | {} | {} | {:.3} | {:.0} | {} | {} | {} |\n",
                r.name,
                r.config,
                r.txs,
                r.seconds,
                r.tps,
                r.restarts,
                r.recovered,
                r.fault.as_deref().unwrap_or("")
            ));
        }
        md.push_str("\n## Outcomes (first replica)\n\n| outcome | count |\n|---|---|\n");
        for (k, v) in &self.outcomes {
            md.push_str(&format!("| {k} | {v} |\n"));
        }
        md.push_str("\n## Charts\n\n");
        for chart in charts {
            md.push_str(&format!("![{}]({})\n\n", chart.title, chart.file));
        }
        md.push_str("## Verdict\n\n");
        let e = &self.expected_effects;
        md.push_str(&format!(
            "Expected effects (first replica): {} transactions checked exactly against the models, {} only for admission (contracts without a model), {} allowed to run out of gas below ample gas.\n\n",
            e.exact, e.admitted_only, e.ran_out_of_gas
        ));
        let invariants: Vec<&str> = svm_fuzzing::invariants::all().iter().map(|c| c.name).collect();
        md.push_str(&format!(
            "Invariants checked after every transaction on every replica: {}.\n\n",
            invariants.join(", ")
        ));
        if self.finding_count == 0 {
            md.push_str("Every invariant and every expected effect held on every replica, and no node faulted.\n\n");
        } else {
            md.push_str(&format!(
                "**{} findings**: invariants, expected effects or node faults that did not hold.\n\n| tx | replica | check | detail |\n|---|---|---|---|\n",
                self.finding_count
            ));
            for f in &self.findings {
                md.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    f.tx,
                    f.replica,
                    f.check,
                    f.detail.replace('|', "\\|")
                ));
            }
            md.push('\n');
        }
        match &self.divergence {
            None => md.push_str("All replicas agree on root, receipt and gas after every transaction.\n"),
            Some(d) => {
                md.push_str(&format!("**Divergence at transaction {}**: {}\n\n", d.tx, d.tx_summary));
                md.push_str(&format!("- replica groups: {:?}\n- differing: {:?}\n", d.groups, d.differs));
                for r in &d.receipts {
                    md.push_str(&format!("- receipt of {r}\n"));
                }
                for (name, why) in &d.node_faults {
                    md.push_str(&format!("- node fault on {name}: {why}\n"));
                }
                match &d.first_divergent_vmcall {
                    Some(v) => {
                        md.push_str(&format!(
                            "\n### First divergent vmcall (#{}, {} vs {})\n\n```\n",
                            v.index, v.replicas[0], v.replicas[1]
                        ));
                        for c in &v.context {
                            md.push_str(&format!("  {c}\n"));
                        }
                        md.push_str(&format!(
                            "- {}\n+ {}\n```\n",
                            v.entries[0].as_deref().unwrap_or("(trace ended)"),
                            v.entries[1].as_deref().unwrap_or("(trace ended)")
                        ));
                    }
                    None if d.traces_agree => md
                        .push_str("\nThe traces agree: the divergence is after the last vmcall (commit or receipt).\n"),
                    None => md.push_str("\nNo trace comparison (a replica could not re-run the transaction).\n"),
                }
                if !d.state_diff.is_empty() {
                    md.push_str("\n### State diff\n\n| account | field or slice | left | right |\n|---|---|---|---|\n");
                    for a in &d.state_diff {
                        for (field, l, r) in &a.fields {
                            md.push_str(&format!("| `{}` | {field} | `{l}` | `{r}` |\n", a.address));
                        }
                        for (slice, l, r) in &a.slices {
                            md.push_str(&format!("| `{}` | slice {slice} | `{l}` | `{r}` |\n", a.address));
                        }
                        for (at, l, r) in &a.entries {
                            md.push_str(&format!("| `{}` | {at} | `{l}` | `{r}` |\n", a.address));
                        }
                    }
                }
            }
        }
        if let Some(path) = &self.reproducer {
            md.push_str(&format!(
                "\nReproducer: `{path}`; replay it with `svm-sim replay {path}`, shrink it with `svm-sim shrink {path}`.\n"
            ));
        }
        let faults: Vec<&ReplicaSummary> = self.replicas.iter().filter(|r| r.fault.is_some()).collect();
        if !faults.is_empty() {
            md.push_str("\n## Node faults\n\nA node fault the replica did not recover from is a finding, even when every replica faults alike: an injected fault must be recovered from, and anything else is a bug.\n\n| replica | where and why |\n|---|---|\n");
            for r in faults {
                md.push_str(&format!("| {} | {} |\n", r.name, r.fault.as_deref().unwrap_or("").replace('|', "\\|")));
            }
        }
        let evictions: Vec<(String, u64)> = self.page_cache_evictions.iter().map(|(k, v)| (k.clone(), *v)).collect();
        md.push('\n');
        md.push_str(&self.coverage.markdown(&evictions));
        md
    }
}

/// Writes `report.json`, `report.md`, its charts (one SVG file each) and `report.html` (the same
/// content, charts inline, self-contained) into `dir`; returns the Markdown report's path.
pub fn write(dir: &Path, report: &RunReport, charts: &[Chart]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("report.json"), serde_json::to_string_pretty(report).unwrap_or_default() + "\n")?;
    for chart in charts {
        std::fs::write(dir.join(chart.file), &chart.svg)?;
    }
    let markdown = report.markdown(charts);
    let md = dir.join("report.md");
    std::fs::write(&md, &markdown)?;
    std::fs::write(dir.join("report.html"), crate::report_html::render(&markdown, charts))?;
    Ok(md)
}
