//! Run reports: Markdown for people, JSON for machines, and a plot of gas and throughput over the run.

use crate::divergence::DivergenceReport;
use crate::node::NodeConfig;
use crate::plot::{Series, line_chart};
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
    /// Restarts it went through.
    pub restarts: u64,
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
        let reference = &result.replicas[0];
        let mut outcomes = BTreeMap::new();
        for receipt in &reference.receipts {
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
                fault: r.fault.as_ref().map(|(tx, why)| format!("tx {tx}: {why}")),
            })
            .collect();
        RunReport {
            tool_version: crate::TOOL_VERSION.into(),
            seed,
            params,
            canary,
            node_configs: result.replicas.iter().map(|r| r.node.config.clone()).collect(),
            transactions_run: reference.receipts.len().max(reference.fingerprints.len()),
            fingerprint: result.fingerprint.to_string(),
            first_divergent_tx: result.mismatch.as_ref().map(|m| m.tx),
            first_divergent_vmcall: None,
            divergence: None,
            reproducer: None,
            outcomes,
            total_gas: reference.receipts.iter().map(|r| r.gas_used).sum(),
            replicas,
            wall_seconds,
        }
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
                "  {:<22} {:>6} txs {:>9.0} tx/s  restarts {}{}\n",
                r.name,
                r.txs,
                r.tps,
                r.restarts,
                r.fault.as_ref().map_or(String::new(), |f| format!("  FAULT {f}"))
            ));
        }
        let outcomes: Vec<String> = self.outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out.push_str(&format!("  outcomes: {}\n", outcomes.join(", ")));
        match &self.divergence {
            None => out.push_str("  all replicas agree after every transaction\n"),
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
    pub fn markdown(&self) -> String {
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
        md.push_str("\n## Replicas\n\n| replica | configuration | txs | seconds | tx/s | restarts | fault |\n|---|---|---|---|---|---|---|\n");
        for r in &self.replicas {
            md.push_str(&format!(
                "| {} | {} | {} | {:.3} | {:.0} | {} | {} |\n",
                r.name,
                r.config,
                r.txs,
                r.seconds,
                r.tps,
                r.restarts,
                r.fault.as_deref().unwrap_or("")
            ));
        }
        md.push_str("\n## Outcomes (first replica)\n\n| outcome | count |\n|---|---|\n");
        for (k, v) in &self.outcomes {
            md.push_str(&format!("| {k} | {v} |\n"));
        }
        md.push_str("\n![gas and throughput](plot.svg)\n\n## Verdict\n\n");
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
                    }
                }
                if let Some(path) = &self.reproducer {
                    md.push_str(&format!("\nReproducer: `{path}`; replay it with `svm-sim replay {path}`, shrink it with `svm-sim shrink {path}`.\n"));
                }
            }
        }
        md
    }
}

/// The plot of gas per transaction and throughput over the run, from the first replica.
pub fn plot(result: &RunResult) -> String {
    let reference = &result.replicas[0];
    // Log scale: out-of-gas transactions use their whole (large) limit and would flatten the rest.
    let gas: Vec<(f64, f64)> =
        reference.receipts.iter().enumerate().map(|(i, r)| (i as f64, (r.gas_used as f64 + 1.0).log10())).collect();
    let window = 50usize;
    let throughput: Vec<(f64, f64)> = reference
        .finished_at
        .windows(window + 1)
        .enumerate()
        .step_by(window / 2)
        .map(|(i, w)| (i as f64, window as f64 / (w[window] - w[0]).as_secs_f64().max(1e-9)))
        .collect();
    line_chart(
        "log10 gas per transaction and throughput (tx/s over 50 transactions), first replica",
        "transaction",
        &[
            Series { name: "log10 gas used", colour: "steelblue", points: gas },
            Series { name: "tx/s", colour: "darkorange", points: throughput },
        ],
    )
}

/// Writes `report.md`, `report.json` and `plot.svg` into `dir`; returns the Markdown report's path.
pub fn write(dir: &Path, report: &RunReport, plot_svg: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("report.json"), serde_json::to_string_pretty(report).unwrap_or_default() + "\n")?;
    std::fs::write(dir.join("plot.svg"), plot_svg)?;
    let md = dir.join("report.md");
    std::fs::write(&md, report.markdown())?;
    Ok(md)
}
