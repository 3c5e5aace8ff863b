//! One campaign, as `svm-sim run` and `svm-sim sweep` both run it: a stream on every replica with
//! the history its seed gives them, the divergence analysed, a reproducer written for whatever it
//! shows, and the report (Markdown, JSON, HTML, charts) written into its folder.

use crate::charts::run_charts;
use crate::divergence::analyse;
use crate::history::History;
use crate::node::NodeConfig;
use crate::progress::Progress;
use crate::report::{self, RunReport};
use crate::reproducer::{Expected, Reproducer};
use crate::run::{Checks, RunResult, Setup, run_with};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;
use svm::runtime::{Canary, RuntimeConfig};
use svm_fuzzing::generators::workload::{WorkloadParams, generate_on};
use svm_fuzzing::stream::Stream;

/// What a campaign runs.
pub struct Campaign<'a> {
    /// The stream.
    pub stream: &'a Stream,
    /// The parameters it was made with, for the report.
    pub params: BTreeMap<String, String>,
    /// The replicas.
    pub nodes: &'a [NodeConfig],
    /// A planted canary, if any.
    pub canary: Option<Canary>,
    /// Where its report (and reproducer) go.
    pub dir: PathBuf,
    /// Replicas run at a time.
    pub threads: usize,
}

/// What a campaign did.
pub struct CampaignOutcome {
    /// The replicas' runs.
    pub result: RunResult,
    /// Its report, as written.
    pub report: RunReport,
    /// The history its replicas went through.
    pub history: History,
    /// `report.md`.
    pub report_path: PathBuf,
    /// The reproducer of what it showed, if anything.
    pub reproducer: Option<Reproducer>,
}

/// The stream `seed` generates with `txs` transactions, and its parameters (a canary wrong the same
/// way everywhere is planted on the workload's own reference runtime too: it must still be caught,
/// by the expected effects).
pub fn generated_stream(
    seed: u64,
    txs: usize,
    canary: Option<Canary>,
) -> Result<(Stream, BTreeMap<String, String>), String> {
    let params = WorkloadParams::derive(seed, txs);
    let reference = RuntimeConfig { canary: canary.filter(|c| c.wrong_everywhere()), ..RuntimeConfig::default() };
    let stream = generate_on(&params, reference).map_err(|e| format!("generating the workload of seed {seed}: {e}"))?;
    Ok((stream, params.describe().into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

/// Runs `campaign` (started at `started`, for its wall time), reporting progress to `progress`.
pub fn run_campaign(
    campaign: &Campaign<'_>,
    started: Instant,
    progress: &Progress,
) -> std::io::Result<CampaignOutcome> {
    let stream = campaign.stream;
    let nodes = campaign.nodes;
    let history = History::derive(stream.seed, nodes, stream.txs.len());
    let setup = Setup { stream, nodes, history: &history, canary: campaign.canary, checks: Checks::All };
    let mut result = run_with(&setup, campaign.threads, progress);
    let wall = started.elapsed().as_secs_f64();
    let canary_name = campaign.canary.map(|c| c.name().to_string());
    let mut report = RunReport::new(&result, stream.seed, campaign.params.clone(), canary_name, wall);
    if let Some(mismatch) = result.mismatch.clone() {
        let divergence = analyse(&setup, &mut result, &mismatch);
        report.first_divergent_vmcall = divergence.first_divergent_vmcall.clone();
        report.divergence = Some(divergence);
    }
    let reproducer = Expected::seen_in(&result, nodes).map(|expected| Reproducer {
        seed: stream.seed,
        canary: campaign.canary,
        nodes: nodes.to_vec(),
        history: history.clone(),
        expected,
        stream: stream.clone(),
        tool_version: crate::TOOL_VERSION.into(),
    });
    if let Some(reproducer) = &reproducer {
        std::fs::create_dir_all(&campaign.dir)?;
        let path = campaign.dir.join("reproducer.json");
        reproducer.write(&path).map_err(|e| std::io::Error::other(e.to_string()))?;
        report.reproducer = Some(path.display().to_string());
    }
    let charts = run_charts(&result, &report);
    let report_path = report::write(&campaign.dir, &report, &charts)?;
    Ok(CampaignOutcome { result, report, history, report_path, reproducer })
}
