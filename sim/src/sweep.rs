//! Sweeps: campaigns over a range of seeds, several at a time on this machine, or one shard of the
//! range per machine (a CI matrix job, a Kubernetes Indexed Job); each shard writes one JSON summary
//! and a `sweep.md`, and [`merge`] combines shards into one verdict.
//!
//! **Shards.** Shard `i` of `n` runs the seeds `s` of the range with `(s − start) mod n = i`: the
//! shards are disjoint, cover the range, and a re-run of a shard repeats exactly its seeds.
//!
//! **Findings** are deduplicated by what their shrunk reproducer shows — the replica groups and the
//! components that differ, or the replica and the check that broke — so that one bug found by many
//! seeds is one line with every seed that found it, and the smallest reproducer.

use crate::campaign::{Campaign, generated_stream, run_campaign};
use crate::history::FaultKind;
use crate::node::NodeConfig;
use crate::progress::Progress;
use crate::reproducer::Expected;
use crate::shrink::shrink;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use svm::runtime::Canary;
use thiserror::Error;

/// The `format` of a shard summary.
pub const SHARD_FORMAT: &str = "svm-sweep-shard";
/// The `format` of a merged summary.
pub const MERGED_FORMAT: &str = "svm-sweep";
/// The summary format version this build writes and reads.
pub const SWEEP_VERSION: u32 = 1;

/// Why a sweep or a merge cannot go on (the input's fault: exit 2).
#[derive(Debug, Error)]
pub enum SweepError {
    /// A seed range that is not `A..B` with `A < B`.
    #[error("seed range {0:?}: expected A..B with A < B (B not included)")]
    Range(String),
    /// A shard that is not `I/N` with `I < N`.
    #[error("shard {0:?}: expected I/N with 0 ≤ I < N")]
    Shard(String),
    /// `--shards N` without the index a Kubernetes Indexed Job sets.
    #[error("--shards needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job)")]
    NoJobIndex,
    /// A shard that gets no seed of the range (more shards than seeds).
    #[error("shard {shard} of seeds {}..{} has no seed", .seeds.start, .seeds.end)]
    EmptyShard {
        /// The shard.
        shard: Shard,
        /// The range.
        seeds: Range<u64>,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Summaries that do not belong together.
    #[error("the summaries do not belong to one sweep: {0}")]
    Inconsistent(String),
    /// The same seed in two summaries.
    #[error("seed {seed} is in two summaries (shards {first} and {second}): overlapping shards")]
    Overlap {
        /// The seed.
        seed: u64,
        /// The first shard.
        first: String,
        /// The second shard.
        second: String,
    },
}

/// `A..B` (B not included, A < B).
pub fn parse_range(text: &str) -> Result<Range<u64>, SweepError> {
    let bad = || SweepError::Range(text.to_string());
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let (a, b): (u64, u64) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
    if a >= b {
        return Err(bad());
    }
    Ok(a..b)
}

/// One shard of a sweep: index `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Shard {
    /// This shard's index, from 0.
    pub index: u32,
    /// How many shards the range is split into.
    pub count: u32,
}

impl Shard {
    /// `I/N`.
    pub fn parse(text: &str) -> Result<Shard, SweepError> {
        let bad = || SweepError::Shard(text.to_string());
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// This shard's seeds of `range`.
    pub fn seeds(&self, range: &Range<u64>) -> Vec<u64> {
        range.clone().filter(|s| (s - range.start) % u64::from(self.count) == u64::from(self.index)).collect()
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One machine's share of a sweep, every argument checked: what `sweep` runs and `sweep --dry-run` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardPlan {
    /// The whole sweep's seed range.
    pub range: Range<u64>,
    /// This machine's shard.
    pub shard: Shard,
    /// The seeds it runs, in order (never empty).
    pub seeds: Vec<u64>,
}

impl ShardPlan {
    /// Checks the range (`A..B`) and picks the shard: `shard` (`I/N`), or `shards` (`N`) with `I` from
    /// `job_index` (the value of `JOB_COMPLETION_INDEX`), or every seed; a shard with no seed is an error.
    pub fn new(
        range: &str,
        shard: Option<&str>,
        shards: Option<u32>,
        job_index: Option<&str>,
    ) -> Result<ShardPlan, SweepError> {
        let range = parse_range(range)?;
        let shard = match (shard, shards) {
            (Some(text), _) => Shard::parse(text)?,
            (None, Some(count)) => Shard::parse(&format!("{}/{count}", job_index.ok_or(SweepError::NoJobIndex)?))?,
            (None, None) => Shard { index: 0, count: 1 },
        };
        let seeds = shard.seeds(&range);
        if seeds.is_empty() {
            return Err(SweepError::EmptyShard { shard, seeds: range });
        }
        Ok(ShardPlan { range, shard, seeds })
    }
}

/// What a sweep runs.
pub struct SweepSpec {
    /// The seed range.
    pub seeds: Range<u64>,
    /// This machine's shard.
    pub shard: Shard,
    /// Transactions per campaign.
    pub txs: usize,
    /// The replicas (faults included).
    pub nodes: Vec<NodeConfig>,
    /// The faults given to them, for the summary.
    pub faults: Vec<FaultKind>,
    /// A planted canary, if any.
    pub canary: Option<Canary>,
    /// Campaigns run at a time.
    pub parallel: usize,
    /// Replicas run at a time within each campaign.
    pub threads: usize,
    /// Where the shard's summary, its `sweep.md` and every campaign's report go.
    pub out: PathBuf,
}

/// One campaign of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    /// Its seed.
    pub seed: u64,
    /// `agree`, `divergence`, `finding` or `error`.
    pub verdict: String,
    /// The run fingerprint.
    pub fingerprint: String,
    /// Transactions run.
    pub transactions: usize,
    /// Wall time of the campaign (shrinking not included).
    pub seconds: f64,
    /// Findings on every replica.
    pub findings: usize,
    /// Vmcalls called at least once, and of how many.
    pub vmcalls_called: (usize, usize),
    /// Outcome kinds reached, and of how many.
    pub outcome_kinds: (usize, usize),
    /// Its report.
    pub report: String,
    /// Its reproducer, if it showed anything.
    pub reproducer: Option<String>,
    /// The shrunk reproducer.
    pub shrunk: Option<String>,
    /// What the shrunk reproducer shows, without where (the deduplication key).
    pub signature: Option<String>,
}

/// One shard's summary (`summary.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardSummary {
    /// Always [`SHARD_FORMAT`].
    pub format: String,
    /// [`SWEEP_VERSION`].
    pub version: u32,
    /// The tool that ran it.
    pub tool_version: String,
    /// The consensus version it ran under.
    pub consensus_version: u32,
    /// The whole sweep's seed range, `[start, end)`.
    pub seeds: (u64, u64),
    /// This shard.
    pub shard: Shard,
    /// Transactions per campaign.
    pub txs: usize,
    /// The canary, if any.
    pub canary: Option<String>,
    /// The faults injected.
    pub faults: Vec<String>,
    /// The replicas.
    pub replicas: Vec<String>,
    /// Campaigns at a time.
    pub parallel: usize,
    /// Wall time of the shard.
    pub seconds: f64,
    /// Every campaign, by seed.
    pub campaigns: Vec<CampaignSummary>,
}

/// What a shrunk reproducer shows, without where: the deduplication key of findings.
pub fn signature(expected: &Expected) -> String {
    match expected {
        Expected::Divergence { groups, differs, .. } => format!("divergence between {groups:?} in {differs:?}"),
        Expected::Finding { replica, check, .. } => format!("{check} on {replica}"),
    }
}

/// Runs `spec`'s shard, `spec.parallel` campaigns at a time, with one progress bar; writes
/// `summary.json` and `sweep.md` into `spec.out`.
pub fn sweep(spec: &SweepSpec, progress: &Progress) -> Result<ShardSummary, SweepError> {
    let started = Instant::now();
    let seeds = spec.shard.seeds(&spec.seeds);
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<CampaignSummary>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..spec.parallel.clamp(1, seeds.len().max(1)) {
            scope.spawn(|| {
                while let Some(&seed) = seeds.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let summary = campaign(spec, seed, progress);
                    if let Ok(mut done) = done.lock() {
                        done.push(summary);
                    }
                }
            });
        }
    });
    progress.finish();
    let mut campaigns = done.into_inner().unwrap_or_default();
    campaigns.sort_by_key(|c| c.seed);
    let summary = ShardSummary {
        format: SHARD_FORMAT.into(),
        version: SWEEP_VERSION,
        tool_version: crate::TOOL_VERSION.into(),
        consensus_version: svm::CONSENSUS_VERSION,
        seeds: (spec.seeds.start, spec.seeds.end),
        shard: spec.shard,
        txs: spec.txs,
        canary: spec.canary.map(|c| c.name().to_string()),
        faults: spec.faults.iter().map(|k| k.name().to_string()).collect(),
        replicas: spec.nodes.iter().map(|n| n.name.clone()).collect(),
        parallel: spec.parallel,
        seconds: started.elapsed().as_secs_f64(),
        campaigns,
    };
    write_json(&spec.out.join("summary.json"), &summary)?;
    write_reports(&spec.out, "sweep", &shard_markdown(&summary), &summary.campaigns)?;
    Ok(summary)
}

/// One seed's campaign, shrunk if it shows anything.
fn campaign(spec: &SweepSpec, seed: u64, progress: &Progress) -> CampaignSummary {
    let started = Instant::now();
    let dir = spec.out.join(format!("seed-{seed}"));
    let failed = |message: String| CampaignSummary {
        seed,
        verdict: "error".into(),
        fingerprint: String::new(),
        transactions: 0,
        seconds: started.elapsed().as_secs_f64(),
        findings: 0,
        vmcalls_called: (0, 0),
        outcome_kinds: (0, 0),
        report: message,
        reproducer: None,
        shrunk: None,
        signature: None,
    };
    let (stream, params) = match generated_stream(seed, spec.txs, spec.canary) {
        Ok(generated) => generated,
        Err(e) => return failed(e),
    };
    let run = Campaign {
        stream: &stream,
        params,
        nodes: &spec.nodes,
        canary: spec.canary,
        dir: dir.clone(),
        threads: spec.threads,
    };
    let outcome = match run_campaign(&run, started, progress) {
        Ok(outcome) => outcome,
        Err(e) => return failed(format!("writing the report of seed {seed}: {e}")),
    };
    // The campaign's own time, before any shrinking.
    let seconds = started.elapsed().as_secs_f64();
    let (mut shrunk, mut key) = (None, None);
    if let Some(reproducer) = &outcome.reproducer
        && let Ok(small) = shrink(reproducer, spec.threads, &Progress::hidden())
    {
        let path = dir.join("reproducer.shrunk.json");
        if small.reproducer.write(&path).is_ok() {
            shrunk = Some(path.display().to_string());
            key = Some(signature(&small.reproducer.expected));
        }
    }
    let coverage = &outcome.report.coverage;
    CampaignSummary {
        seed,
        verdict: match &outcome.reproducer {
            None => "agree",
            Some(r) if matches!(r.expected, Expected::Divergence { .. }) => "divergence",
            Some(_) => "finding",
        }
        .into(),
        fingerprint: outcome.result.fingerprint.to_string(),
        transactions: stream.txs.len(),
        seconds,
        findings: outcome.result.finding_count(),
        vmcalls_called: (coverage.vmcalls.values().filter(|n| **n > 0).count(), coverage.vmcalls.len()),
        outcome_kinds: (coverage.outcomes.values().filter(|n| **n > 0).count(), coverage.outcomes.len()),
        report: outcome.report_path.display().to_string(),
        reproducer: outcome.report.reproducer.clone(),
        shrunk,
        signature: key,
    }
}

/// One distinct finding of a merged sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistinctFinding {
    /// What it shows (see [`signature`]).
    pub signature: String,
    /// Every seed that found it.
    pub seeds: Vec<u64>,
    /// A shrunk reproducer of it (the first seed's).
    pub reproducer: String,
}

/// Shards merged (`merged.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergedSweep {
    /// Always [`MERGED_FORMAT`].
    pub format: String,
    /// [`SWEEP_VERSION`].
    pub version: u32,
    /// The tool that ran the shards.
    pub tool_version: String,
    /// The seed range.
    pub seeds: (u64, u64),
    /// The shards merged.
    pub shards: Vec<Shard>,
    /// Transactions per campaign.
    pub txs: usize,
    /// Every campaign, by seed.
    pub campaigns: Vec<CampaignSummary>,
    /// Seeds of the range no shard ran.
    pub missing: Vec<u64>,
    /// Findings, deduplicated.
    pub findings: Vec<DistinctFinding>,
    /// Campaigns that could not run.
    pub errors: Vec<u64>,
    /// Transactions run in all, and the shards' summed wall time.
    pub totals: (usize, f64),
}

impl MergedSweep {
    /// Whether the sweep is clean: every seed ran, agreed and held every check.
    pub fn clean(&self) -> bool {
        self.missing.is_empty() && self.findings.is_empty() && self.errors.is_empty()
    }
}

/// Merges shard summaries of one sweep: they must share the tool and consensus version, the range,
/// the transactions per campaign, the canary, the faults and the replicas, and no seed may be in two.
pub fn merge(shards: &[ShardSummary]) -> Result<MergedSweep, SweepError> {
    let first = shards.first().ok_or_else(|| SweepError::Inconsistent("no summary given".into()))?;
    for s in shards {
        if s.format != SHARD_FORMAT || s.version != SWEEP_VERSION {
            return Err(SweepError::Inconsistent(format!("a summary of format {} version {}", s.format, s.version)));
        }
        let differs = [
            ("tool version", s.tool_version != first.tool_version),
            ("consensus version", s.consensus_version != first.consensus_version),
            ("seed range", s.seeds != first.seeds),
            ("transactions per campaign", s.txs != first.txs),
            ("canary", s.canary != first.canary),
            ("faults", s.faults != first.faults),
            ("replicas", s.replicas != first.replicas),
        ];
        if let Some((what, _)) = differs.iter().find(|(_, d)| *d) {
            return Err(SweepError::Inconsistent(format!(
                "shards {} and {} differ in their {what}",
                first.shard, s.shard
            )));
        }
    }
    let mut by_seed: BTreeMap<u64, (&CampaignSummary, Shard)> = BTreeMap::new();
    for s in shards {
        for c in &s.campaigns {
            if let Some((_, other)) = by_seed.insert(c.seed, (c, s.shard)) {
                return Err(SweepError::Overlap {
                    seed: c.seed,
                    first: other.to_string(),
                    second: s.shard.to_string(),
                });
            }
        }
    }
    let missing: Vec<u64> = (first.seeds.0..first.seeds.1).filter(|s| !by_seed.contains_key(s)).collect();
    let mut findings: BTreeMap<String, DistinctFinding> = BTreeMap::new();
    for (seed, (c, _)) in &by_seed {
        if c.verdict == "agree" || c.verdict == "error" {
            continue;
        }
        let key = c.signature.clone().unwrap_or_else(|| format!("{} (not shrunk)", c.verdict));
        let reproducer = c.shrunk.clone().or_else(|| c.reproducer.clone()).unwrap_or_default();
        findings
            .entry(key.clone())
            .or_insert_with(|| DistinctFinding { signature: key, seeds: Vec::new(), reproducer })
            .seeds
            .push(*seed);
    }
    let shard_set: BTreeSet<Shard> = shards.iter().map(|s| s.shard).collect();
    Ok(MergedSweep {
        format: MERGED_FORMAT.into(),
        version: SWEEP_VERSION,
        tool_version: first.tool_version.clone(),
        seeds: first.seeds,
        shards: shard_set.into_iter().collect(),
        txs: first.txs,
        campaigns: by_seed.values().map(|(c, _)| (*c).clone()).collect(),
        missing,
        findings: findings.into_values().collect(),
        errors: by_seed.values().filter(|(c, _)| c.verdict == "error").map(|(c, _)| c.seed).collect(),
        totals: (by_seed.values().map(|(c, _)| c.transactions).sum(), shards.iter().map(|s| s.seconds).sum()),
    })
}

/// Reads a shard summary.
pub fn read_summary(path: &Path) -> Result<ShardSummary, SweepError> {
    let io = |message: String| SweepError::Io { path: path.display().to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| io(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| io(format!("not a sweep shard summary: {e}")))
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), SweepError> {
    write_text(path, &(serde_json::to_string_pretty(value).unwrap_or_default() + "\n"))
}

fn write_text(path: &Path, text: &str) -> Result<(), SweepError> {
    let io = |e: std::io::Error| SweepError::Io { path: path.display().to_string(), message: e.to_string() };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)
}

/// The sweep chart's image line (the chart is written beside the Markdown).
const SWEEP_CHART: &str = "![Stream transactions per second per seed, coloured by verdict](sweep.svg)\n\n";

/// The table of campaigns, one row per seed.
fn campaign_table(campaigns: &[CampaignSummary]) -> String {
    let mut md = String::from(
        "| seed | verdict | txs | seconds | findings | vmcalls | outcome kinds | reproducer |\n|---|---|---|---|---|---|---|---|\n",
    );
    for c in campaigns {
        md.push_str(&format!(
            "| {} | {} | {} | {:.1} | {} | {}/{} | {}/{} | {} |\n",
            c.seed,
            c.verdict,
            c.transactions,
            c.seconds,
            c.findings,
            c.vmcalls_called.0,
            c.vmcalls_called.1,
            c.outcome_kinds.0,
            c.outcome_kinds.1,
            c.shrunk.as_deref().or(c.reproducer.as_deref()).unwrap_or("")
        ));
    }
    md
}

/// A shard's `sweep.md`.
pub fn shard_markdown(s: &ShardSummary) -> String {
    let findings = s.campaigns.iter().filter(|c| c.verdict != "agree").count();
    let mut md = format!(
        "# svm-sim sweep, seeds {}..{}, shard {}\n\n- {} campaigns of {} transactions, {} at a time, {:.1} s wall\n- canary: {}; faults: {}\n- {} campaigns showed something\n\n",
        s.seeds.0,
        s.seeds.1,
        s.shard,
        s.campaigns.len(),
        s.txs,
        s.parallel,
        s.seconds,
        s.canary.as_deref().unwrap_or("none"),
        if s.faults.is_empty() { "none".to_string() } else { s.faults.join(", ") },
        findings
    );
    md.push_str(SWEEP_CHART);
    md.push_str(&campaign_table(&s.campaigns));
    md
}

/// A merged sweep's `merged.md`.
pub fn merged_markdown(m: &MergedSweep) -> String {
    let mut md = format!(
        "# svm-sim sweep, seeds {}..{} ({} shards merged)\n\n- {} campaigns, {} transactions, {:.1} s of shard wall time\n- verdict: {}\n\n",
        m.seeds.0,
        m.seeds.1,
        m.shards.len(),
        m.campaigns.len(),
        m.totals.0,
        m.totals.1,
        if m.clean() { "every seed ran, every replica agreed and every check held" } else { "NOT CLEAN" }
    );
    md.push_str(SWEEP_CHART);
    if !m.missing.is_empty() {
        md.push_str(&format!("**Missing seeds** ({}): {:?}\n\n", m.missing.len(), m.missing));
    }
    if !m.errors.is_empty() {
        md.push_str(&format!("**Campaigns that could not run**: {:?}\n\n", m.errors));
    }
    if !m.findings.is_empty() {
        md.push_str("## Findings (deduplicated by what the shrunk reproducer shows)\n\n| finding | seeds | reproducer |\n|---|---|---|\n");
        for f in &m.findings {
            md.push_str(&format!("| {} | {:?} | {} |\n", f.signature, f.seeds, f.reproducer));
        }
        md.push('\n');
    }
    md.push_str("## Campaigns\n\n");
    md.push_str(&campaign_table(&m.campaigns));
    md
}

/// Writes `merged.json`, `merged.md`, `merged.html` and the sweep chart into `dir`.
pub fn write_merged(dir: &Path, merged: &MergedSweep) -> Result<(), SweepError> {
    write_json(&dir.join("merged.json"), merged)?;
    write_reports(dir, "merged", &merged_markdown(merged), &merged.campaigns)
}

/// Writes `<name>.md` (with the sweep chart) and `<name>.html` (the same, self-contained) into `dir`.
fn write_reports(dir: &Path, name: &str, markdown: &str, campaigns: &[CampaignSummary]) -> Result<(), SweepError> {
    let chart = crate::charts::sweep_chart(campaigns);
    write_text(&dir.join(chart.file), &chart.svg)?;
    write_text(&dir.join(format!("{name}.md")), markdown)?;
    write_text(&dir.join(format!("{name}.html")), &crate::report_html::render(markdown, &[chart]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_disjoint_and_cover_the_range() {
        let range = parse_range("10..27").unwrap();
        let mut all: Vec<u64> = (0..4).flat_map(|i| Shard { index: i, count: 4 }.seeds(&range)).collect();
        all.sort();
        assert_eq!(all, (10..27).collect::<Vec<_>>());
        assert_eq!(Shard::parse("1/4").unwrap().seeds(&range), vec![11, 15, 19, 23]);
        for bad in ["5..5", "7..3", "a..b", "5"] {
            assert!(parse_range(bad).is_err(), "{bad}");
        }
        for bad in ["4/4", "0/0", "x/2", "3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_plan_takes_its_index_from_the_job_and_refuses_what_a_run_would() {
        let plan = ShardPlan::new("10..27", None, Some(4), Some("1")).unwrap();
        assert_eq!((plan.shard, plan.seeds), (Shard { index: 1, count: 4 }, vec![11, 15, 19, 23]));
        assert_eq!(ShardPlan::new("3..5", None, None, None).unwrap().seeds, vec![3, 4]);
        assert!(matches!(ShardPlan::new("1..5", None, Some(2), None), Err(SweepError::NoJobIndex)));
        assert!(matches!(ShardPlan::new("1..5", None, Some(2), Some("2")), Err(SweepError::Shard(_))));
        assert!(matches!(ShardPlan::new("1..2", Some("1/2"), None, None), Err(SweepError::EmptyShard { .. })));
        assert!(matches!(ShardPlan::new("5..5", Some("0/2"), None, None), Err(SweepError::Range(_))));
    }
}
