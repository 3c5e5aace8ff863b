//! `svm-sim`: the command line of the simulator. Exit codes: 0 when all replicas agree and every
//! invariant and expected effect held, 1 when a divergence (report and reproducer written) or a finding
//! (report and stream written) was found, 2 for bad usage or bad input files.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use svm::runtime::{Runtime, RuntimeConfig};
use svm_fuzzing::generators::workload::{WorkloadParams, generate};
use svm_fuzzing::stream::Stream;
use svm_sim::campaign::{Campaign, CampaignOutcome, generated_stream, run_campaign};
use svm_sim::canary::CanaryName;
use svm_sim::disk_node::{DiskError, DiskOptions, Durability, apply_on_disk};
use svm_sim::divergence::analyse;
use svm_sim::golden::{self, Verdict};
use svm_sim::history::{FaultKind, History};
use svm_sim::node::{NodeConfig, default_nodes, with_faults};
use svm_sim::progress::Progress;
use svm_sim::replay::replay;
use svm_sim::reproducer::Reproducer;
use svm_sim::run::{Checks, Setup, run_with};
use svm_sim::shrink::shrink;

/// What every command's exit code means.
const EXIT_CODES: &str = "Exit codes:
  0  every replica agrees, and on each every invariant and every expected effect held and no node faulted
     (replay: nothing shown; golden: every stream matches its pins; wast: nothing failed)
  1  a divergence or a finding — an invariant, an expected effect, a fault a replica did not recover
     from exactly, or a node fault: report and reproducer written (replay: shown; shrink: shrunk)
  2  bad usage, or an input file that cannot be read (typed message)";

#[derive(Parser)]
#[command(
    name = "svm-sim",
    version,
    about = "Deterministic multi-node simulator for the SVM runtime",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Worker threads (default: the machine's parallelism).
    #[arg(long, global = true)]
    threads: Option<usize>,
}

/// Which replicas a campaign runs, what faults they undergo, and what canary is planted in them.
#[derive(clap::Args)]
struct ReplicaOptions {
    /// Plant a canary: deliberate nondeterminism the run must catch.
    #[arg(long, value_enum)]
    canary: Option<CanaryName>,
    /// Run only these of the default replicas, by name (comma-separated; default: all of them, the
    /// reference VM included).
    #[arg(long, value_delimiter = ',')]
    replicas: Vec<String>,
    /// Inject only these faults (comma-separated; default: every kind) into the replicas that can
    /// undergo them: crashes with torn writes (replicas on disk), joining by sync from a snapshot, kv
    /// write failures, corrupt and stale module artifacts (replicas with serialized artifacts).
    #[arg(long, value_enum, value_delimiter = ',')]
    faults: Vec<FaultKind>,
    /// Inject no faults (restarts only).
    #[arg(long, conflicts_with = "faults")]
    no_faults: bool,
}

impl ReplicaOptions {
    /// The replicas, with the faults chosen given to those that can undergo them.
    fn nodes(&self) -> Result<(Vec<NodeConfig>, Vec<FaultKind>), BadInput> {
        let faults = match (self.no_faults, self.faults.is_empty()) {
            (true, _) => Vec::new(),
            (false, true) => FaultKind::ALL.to_vec(),
            (false, false) => self.faults.clone(),
        };
        Ok((with_faults(chosen_nodes(&self.replicas)?, &faults), faults))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Generate a stream from a seed (or read a recorded one) and run it on every replica, each with
    /// its seed-derived history of restarts and faults, checking agreement, every invariant and every expected
    /// effect after every transaction.
    #[command(after_help = EXIT_CODES)]
    Run {
        /// The seed (default: a fresh one, printed first).
        #[arg(long)]
        seed: Option<u64>,
        /// Transactions to generate.
        #[arg(long, default_value_t = 5000)]
        txs: usize,
        /// Report folder (default: reports/sim/seed-<seed>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run a recorded stream file instead of generating one.
        #[arg(long)]
        stream: Option<PathBuf>,
        /// Run everything twice and require byte-identical run fingerprints.
        #[arg(long)]
        check_determinism: bool,
        #[command(flatten)]
        replicas: ReplicaOptions,
        /// On a divergence or a finding, also shrink the reproducer and replay the shrunk one.
        #[arg(long)]
        shrink: bool,
    },
    /// Run campaigns over a range of seeds: several at a time on this machine (--parallel; each
    /// campaign runs its replicas --threads at a time), or one shard of the range (--shard I/N, or
    /// --shards N with the index from JOB_COMPLETION_INDEX, which Kubernetes Indexed Jobs set).
    /// Findings are shrunk. Writes summary.json and sweep.md (and each campaign's report) into --out.
    /// Exit 1 if any campaign showed something.
    #[command(after_help = EXIT_CODES)]
    Sweep {
        /// The seeds, A..B (B not included).
        #[arg(long)]
        seeds: String,
        /// Transactions per campaign.
        #[arg(long, default_value_t = 5000)]
        txs: usize,
        /// Campaigns run at a time.
        #[arg(long, default_value_t = 1)]
        parallel: usize,
        /// This machine's shard, I/N (default 0/1: every seed).
        #[arg(long, conflicts_with = "shards")]
        shard: Option<String>,
        /// The number of shards, this one's index read from JOB_COMPLETION_INDEX.
        #[arg(long)]
        shards: Option<u32>,
        #[command(flatten)]
        replicas: ReplicaOptions,
        /// Output folder (default: reports/sim/sweep/<A>..<B>/shard-<I>-of-<N>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Check every argument as a run would, print the seeds this shard would run and where it would
        /// write, and stop (exit 0) without running any campaign.
        #[arg(long)]
        dry_run: bool,
    },
    /// Merge sweep shard summaries into one verdict (merged.json, merged.md): findings deduplicated by
    /// what their shrunk reproducer shows. Exit 1 on any finding or any seed of the range no shard
    /// ran; 2 on summaries that do not belong together (tool version, range, settings) or overlap.
    Merge {
        /// The shards' summary.json files.
        #[arg(required = true)]
        summaries: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, default_value = "reports/sim/sweep/merged")]
        out: PathBuf,
    },
    /// Make a new node store from a snapshot of another: copy exactly the state a retained layer of
    /// the source ended at (every entry checked against its hash) and record it as the new store's
    /// head, so that `svm-sim node --db NEW` continues from there. Exit 2 on a source that lacks the
    /// layer or an entry, a tampered entry, or a target that exists (nothing is left behind then).
    Sync {
        /// The source node's store.
        #[arg(long)]
        from: PathBuf,
        /// The layer to copy (one the source retains).
        #[arg(long)]
        layer: u64,
        /// The new store (must not exist).
        #[arg(long)]
        db: PathBuf,
    },
    /// Move a node store's head back to a retained layer, forgetting every later layer. Exit 2 on a
    /// layer the store does not retain (nothing changes then).
    Rewind {
        /// The node's store.
        #[arg(long)]
        db: PathBuf,
        /// The layer to return to.
        #[arg(long)]
        layer: u64,
    },
    /// Apply a stream to a node on disk (a redb store, created if missing), resuming at the store's
    /// durable head: a node that crashed or stopped picks up where its last durable write left it.
    /// Exit 1 on a node fault (run again to resume), 2 on a store or stream that cannot be used.
    Node {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The stream to apply (the same stream on every run against this store).
        #[arg(long)]
        stream: PathBuf,
        /// When writes are made durable (fsync): at the end of each layer, or after every transaction.
        #[arg(long, value_enum, default_value_t = Durability::Layer)]
        durability: Durability,
        /// Keep the roots of only the last N layers (and the head); garbage-collect everything else.
        #[arg(long)]
        retain: Option<u64>,
        /// With --retain: collect garbage after every this many layers.
        #[arg(long, default_value_t = 8)]
        gc_every: u64,
        /// Log every transaction applied, canonically encoded, to this file (for `svm-sim import`).
        /// A resumed node cuts the log back to its durable head and logs again from there.
        #[arg(long)]
        log: Option<PathBuf>,
    },
    /// Turn a node's transaction log into a stream that starts from a snapshot of the node's store:
    /// the transactions it applied after layer --layer. Exit 2 on a log or store that cannot be used
    /// (a truncated or non-canonical transaction is named by its index); nothing is written then.
    Import {
        /// The node's transaction log (`svm-sim node --log`).
        #[arg(long)]
        log: PathBuf,
        /// The node's store (`svm-sim node --db`): the snapshot.
        #[arg(long)]
        snapshot: PathBuf,
        /// The layer of the snapshot (one the store retains).
        #[arg(long)]
        layer: u64,
        /// The stream file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replay a reproducer (stream, replicas, their history, canary) and check that it shows exactly the
    /// recorded divergence or finding.
    #[command(after_help = EXIT_CODES)]
    Replay {
        /// The reproducer file.
        file: PathBuf,
    },
    /// Shrink a reproducer to a minimal stream and history that still show the same divergence or
    /// finding.
    #[command(after_help = EXIT_CODES)]
    Shrink {
        /// The reproducer file.
        file: PathBuf,
        /// Where to write the shrunk reproducer (default: next to it, `.shrunk.json`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check or update the golden streams' pinned results.
    Golden {
        /// `check` or `bless`.
        #[command(subcommand)]
        action: GoldenAction,
    },
    /// Run WebAssembly spec-suite scripts (.wast files or folders of them) through the SVM runtime on
    /// singlepass and cranelift. Exit 0 only when nothing failed.
    Wast {
        /// .wast files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print the results as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Also write the table, totals and skip reasons as Markdown to this file.
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// Also write the per-file totals (executed, refusals, failed, skips) that tests pin to this file.
        #[arg(long)]
        pin: Option<PathBuf>,
    },
    /// Check or rewrite the conformance vectors (docs/consensus.md's rules as files of inputs and
    /// expected outputs that any implementation can replay).
    Vectors {
        /// `check` or `write`.
        #[command(subcommand)]
        action: VectorsAction,
    },
    /// Write the stream a seed generates to a file.
    Generate {
        /// The seed.
        #[arg(long)]
        seed: u64,
        /// Transactions.
        #[arg(long, default_value_t = 2000)]
        txs: usize,
        /// The most calldata a call to a generated contract carries (default: one byte past the
        /// limit); smaller makes a compact stream.
        #[arg(long)]
        max_calldata: Option<usize>,
        /// The stream file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum GoldenAction {
    /// Fail (exit 1) unless every golden stream gives its pinned results on every replica.
    Check {
        /// The folder of streams and pins.
        #[arg(long, default_value = "corpus/streams")]
        dir: PathBuf,
    },
    /// Rewrite the pins from the current runtime: a deliberate consensus change.
    Bless {
        /// The folder of streams and pins.
        #[arg(long, default_value = "corpus/streams")]
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum VectorsAction {
    /// Fail (exit 1) unless every vector file replays to its expectations on both compilers.
    Check {
        /// The folder of vector files.
        #[arg(long, default_value = "corpus/conformance")]
        dir: PathBuf,
    },
    /// Regenerate every vector from the runtime: a deliberate consensus change.
    Write {
        /// The folder of vector files.
        #[arg(long, default_value = "corpus/conformance")]
        dir: PathBuf,
    },
}

/// Applies a stream to a node on disk from its head on.
fn node_command(db: &std::path::Path, stream_file: &std::path::Path, options: DiskOptions) -> Result<u8, BadInput> {
    let stream = Stream::read(stream_file).map_err(bad)?;
    let progress = Progress::new(stream.txs.len() as u64, "transactions");
    match apply_on_disk(db, &stream, &options, &progress) {
        Ok(run) => {
            match run.resumed_at {
                Some(head) => println!("resumed at layer {} after {} transactions", head.layer, head.applied),
                None => println!("new store: genesis applied"),
            }
            println!(
                "applied {} transactions; head: layer {}, {} applied, root {}",
                run.applied_now, run.head.layer, run.head.applied, run.head.root
            );
            for (i, gc) in run.collections.iter().enumerate() {
                println!("garbage collection {}: kept {} entries, deleted {}", i + 1, gc.kept, gc.deleted);
            }
            let bytes = std::fs::metadata(db).map_or(0, |m| m.len());
            println!("store: {} ({bytes} bytes)", db.display());
            Ok(0)
        }
        // A node fault: nothing half-written (the head names only committed roots); run again to resume.
        Err(e @ (DiskError::Runtime { .. } | DiskError::Gc { .. } | DiskError::LayerIndex { .. })) => {
            eprintln!("node fault: {e}");
            Ok(1)
        }
        Err(e) => Err(bad(e)),
    }
}

/// Writes the stream of a node's logged transactions after a snapshot of its store.
fn import_command(log: &Path, snapshot: &Path, layer: u64, out: &Path) -> Result<u8, BadInput> {
    let stream = svm_sim::import::import(log, snapshot, layer).map_err(bad)?;
    stream.write(out).map_err(bad)?;
    let start = stream.snapshot.as_ref().map_or(String::new(), |s| {
        format!("layer {} of {} (root {}, {} transactions applied by then)", s.layer, s.store, s.root, s.applied)
    });
    println!("imported {} transactions into {}, starting from {start}", stream.txs.len(), out.display());
    println!("run it: svm-sim run --stream {}", out.display());
    Ok(0)
}

/// A failure that is the input's fault: exit 2.
struct BadInput(anyhow::Error);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let threads = cli.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let outcome = match cli.command {
        Command::Sync { from, layer, db } => sync_command(&from, layer, &db),
        Command::Sweep { seeds, txs, parallel, shard, shards, replicas, out, dry_run } => {
            sweep_command(SweepArgs { seeds, txs, parallel, shard, shards, replicas, out, dry_run }, threads)
        }
        Command::Merge { summaries, out } => merge_command(&summaries, &out),
        Command::Rewind { db, layer } => rewind_command(&db, layer),
        Command::Run { seed, txs, out, stream, check_determinism, replicas, shrink } => {
            let options = RunOptions { canary: replicas.canary, out, check_determinism, shrink, threads };
            run_command(seed, txs, stream, &replicas, options)
        }
        Command::Replay { file } => replay_command(&file, threads),
        Command::Shrink { file, out } => shrink_command(&file, out, threads),
        Command::Golden { action } => golden_command(action, threads),
        Command::Vectors { action } => vectors_command(action),
        Command::Generate { seed, txs, max_calldata, out } => generate_command(seed, txs, max_calldata, &out),
        Command::Wast { paths, json, markdown, pin } => wast_command(&paths, json, markdown, pin),
        Command::Node { db, stream, durability, retain, gc_every, log } => {
            node_command(&db, &stream, DiskOptions { durability, retain, gc_every: gc_every.max(1), log })
        }
        Command::Import { log, snapshot, layer, out } => import_command(&log, &snapshot, layer, &out),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(BadInput(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn bad<E: Into<anyhow::Error>>(e: E) -> BadInput {
    BadInput(e.into())
}

/// How `run` goes besides what it runs.
struct RunOptions {
    canary: Option<CanaryName>,
    out: Option<PathBuf>,
    check_determinism: bool,
    shrink: bool,
    threads: usize,
}

fn run_command(
    seed: Option<u64>,
    txs: usize,
    stream_file: Option<PathBuf>,
    replicas: &ReplicaOptions,
    options: RunOptions,
) -> Result<u8, BadInput> {
    let RunOptions { canary, out, check_determinism, shrink, threads } = options;
    let started = Instant::now();
    let (nodes, _) = replicas.nodes()?;
    let canary = canary.map(CanaryName::canary);
    let (stream, params) = match &stream_file {
        Some(path) => {
            let stream = Stream::read(path).map_err(bad)?;
            println!("stream: {} ({} transactions, seed {})", path.display(), stream.txs.len(), stream.seed);
            if let Some(snapshot) = &stream.snapshot {
                // Checked whole before any replica starts: a bad snapshot is the input's fault.
                let started = Instant::now();
                let stats = svm_sim::node::verify_snapshot(snapshot).map_err(bad)?;
                println!(
                    "snapshot: layer {} of {} at root {} ({} entries, {} bytes, every one checked, in {:.2}s)",
                    snapshot.layer,
                    snapshot.store,
                    snapshot.root,
                    stats.entries,
                    stats.bytes,
                    started.elapsed().as_secs_f64()
                );
            }
            let params = vec![("stream".to_string(), path.display().to_string())];
            (stream, params)
        }
        None => {
            let seed = seed.unwrap_or_else(fresh_seed);
            println!("seed: {seed}");
            let (stream, params) = generated_stream(seed, txs, canary).map_err(|e| bad(anyhow::anyhow!(e)))?;
            for (name, value) in &params {
                println!("  {name} = {value}");
            }
            (stream, params.into_iter().collect())
        }
    };
    let seed = stream.seed;
    let history = History::derive(seed, &nodes, stream.txs.len());
    println!("replicas:");
    for node in &nodes {
        let mine = History::new(history.of(&node.name).cloned().collect());
        let restarts = mine.events.len() - mine.fault_counts().values().sum::<usize>();
        let mut events: Vec<String> = Vec::new();
        if restarts > 0 {
            events.push(format!("{restarts} restarts"));
        }
        events.extend(mine.fault_counts().iter().map(|(kind, n)| format!("{n} {}", kind.name())));
        let events =
            if events.is_empty() { String::new() } else { format!(" — from the seed: {}", events.join(", ")) };
        println!("  {}{events}", node.describe());
    }
    if let Some(canary) = canary {
        println!(
            "canary: {} (planted on every wasmer replica, never on the reference VM; it shows where they differ)",
            canary.name()
        );
    }
    let progress = Progress::new((stream.txs.len() * nodes.len()) as u64, "replica-transactions");
    let dir = out.unwrap_or_else(|| PathBuf::from(format!("reports/sim/seed-{seed}")));
    let campaign =
        Campaign { stream: &stream, params: params.into_iter().collect(), nodes: &nodes, canary, dir, threads };
    let CampaignOutcome { result, report, report_path: md, .. } =
        run_campaign(&campaign, started, &progress).map_err(bad)?;
    let mut code = u8::from(report.reproducer.is_some());
    if check_determinism {
        let setup = Setup { stream: &stream, nodes: &nodes, history: &history, canary, checks: Checks::All };
        let again = run_with(&setup, threads, &Progress::hidden());
        if again.fingerprint == result.fingerprint {
            println!("self-check: a second run gave the same fingerprint");
        } else {
            println!("self-check FAILED: a second run of the same seed gave fingerprint {}", again.fingerprint);
            code = 1;
        }
    }
    print!("{}", report.summary());
    println!("report: {}", md.display());
    if let Some(path) = &report.reproducer {
        println!("reproducer: {path} (`svm-sim replay {path}` runs it again, `svm-sim shrink {path}` cuts it down)");
    }
    println!("fingerprint: {}", result.fingerprint);
    if shrink && let Some(path) = &report.reproducer {
        let path = PathBuf::from(path);
        shrink_command(&path, None, threads)?;
        replay_command(&path.with_extension("shrunk.json"), threads)?;
    }
    Ok(code)
}

/// `svm-sim sweep`'s arguments.
struct SweepArgs {
    seeds: String,
    txs: usize,
    parallel: usize,
    shard: Option<String>,
    shards: Option<u32>,
    replicas: ReplicaOptions,
    out: Option<PathBuf>,
    dry_run: bool,
}

/// Runs this machine's shard of a sweep (or, dry, says what it would run).
fn sweep_command(args: SweepArgs, threads: usize) -> Result<u8, BadInput> {
    use svm_sim::sweep::{ShardPlan, SweepSpec, sweep};
    let job_index = std::env::var("JOB_COMPLETION_INDEX").ok();
    let plan = ShardPlan::new(&args.seeds, args.shard.as_deref(), args.shards, job_index.as_deref()).map_err(bad)?;
    let ShardPlan { range: seeds, shard, seeds: mine } = plan;
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from(format!(
            "reports/sim/sweep/{}..{}/shard-{}-of-{}",
            seeds.start, seeds.end, shard.index, shard.count
        ))
    });
    let (nodes, faults) = args.replicas.nodes()?;
    println!(
        "sweep: seeds {}..{}, shard {shard} ({} campaigns of {} transactions, {} at a time, {} replicas each)",
        seeds.start,
        seeds.end,
        mine.len(),
        args.txs,
        args.parallel.max(1),
        nodes.len()
    );
    println!("out: {}", out.display());
    if args.dry_run {
        let list: Vec<String> = mine.iter().map(u64::to_string).collect();
        println!("seeds: {}", list.join(" "));
        println!("dry run: every argument checked; no campaign run, nothing written");
        return Ok(0);
    }
    let spec = SweepSpec {
        seeds,
        shard,
        txs: args.txs,
        nodes,
        faults,
        canary: args.replicas.canary.map(CanaryName::canary),
        parallel: args.parallel.max(1),
        threads,
        out: out.clone(),
    };
    let progress = Progress::new((mine.len() * spec.txs * spec.nodes.len()) as u64, "replica-transactions");
    let summary = sweep(&spec, &progress).map_err(bad)?;
    let showed: Vec<String> = summary
        .campaigns
        .iter()
        .filter(|c| c.verdict != "agree")
        .map(|c| format!("{} ({})", c.seed, c.verdict))
        .collect();
    let txs: usize = summary.campaigns.iter().map(|c| c.transactions).sum();
    println!(
        "{} campaigns, {txs} transactions in {:.1}s ({:.1} campaigns/min, {:.0} stream transactions/s, each on every replica)",
        summary.campaigns.len(),
        summary.seconds,
        summary.campaigns.len() as f64 * 60.0 / summary.seconds.max(1e-9),
        txs as f64 / summary.seconds.max(1e-9)
    );
    match showed.is_empty() {
        true => println!("every campaign agreed and every check held"),
        false => println!("SHOWED SOMETHING: {}", showed.join(", ")),
    }
    println!("summary: {}", out.join("summary.json").display());
    Ok(u8::from(!showed.is_empty()))
}

/// Merges shard summaries.
fn merge_command(summaries: &[PathBuf], out: &Path) -> Result<u8, BadInput> {
    use svm_sim::sweep::{merge, read_summary, write_merged};
    let shards = summaries.iter().map(|p| read_summary(p)).collect::<Result<Vec<_>, _>>().map_err(bad)?;
    let merged = merge(&shards).map_err(bad)?;
    write_merged(out, &merged).map_err(bad)?;
    println!(
        "merged {} shards: {} campaigns of seeds {}..{}, {} missing, {} distinct findings, {} errors",
        merged.shards.len(),
        merged.campaigns.len(),
        merged.seeds.0,
        merged.seeds.1,
        merged.missing.len(),
        merged.findings.len(),
        merged.errors.len()
    );
    for finding in &merged.findings {
        println!("  {} — seeds {:?} — {}", finding.signature, finding.seeds, finding.reproducer);
    }
    if !merged.missing.is_empty() {
        println!("  missing seeds: {:?}", merged.missing);
    }
    println!("report: {}", out.join("merged.md").display());
    Ok(u8::from(!merged.clean()))
}

/// Copies a retained layer of one node store into a new one.
fn sync_command(from: &Path, layer: u64, db: &Path) -> Result<u8, BadInput> {
    use svm::storage::kv::{KvDurability, RedbKv};
    if db.exists() {
        return Err(bad(anyhow::anyhow!("{}: already exists; sync makes a new store", db.display())));
    }
    let source = RedbKv::open_existing(from, KvDurability::OnSync)
        .map_err(|e| bad(anyhow::anyhow!("{}: {e}", from.display())))?;
    let target =
        RedbKv::create_or_open(db, KvDurability::OnSync).map_err(|e| bad(anyhow::anyhow!("{}: {e}", db.display())))?;
    let started = Instant::now();
    match svm::storage::sync::sync_layer(&source, &target, layer, None) {
        Ok((head, stats)) => {
            let seconds = started.elapsed().as_secs_f64().max(1e-9);
            println!(
                "synced layer {layer} (root {}, {} transactions applied by then) into {}: {} entries, {} bytes in {seconds:.3}s ({:.0} entries/s, {:.1} MB/s), every entry checked against its hash",
                head.root,
                head.applied,
                db.display(),
                stats.entries,
                stats.bytes,
                stats.entries as f64 / seconds,
                stats.bytes as f64 / seconds / 1e6
            );
            println!(
                "continue it: svm-sim node --db {} --stream <the node's stream> (resumes at transaction {})",
                db.display(),
                head.applied
            );
            Ok(0)
        }
        Err(e) => {
            drop(target);
            // Nothing half-synced is left behind: the new store goes.
            let _ = std::fs::remove_file(db);
            Err(bad(anyhow::anyhow!("sync from {}: {e}", from.display())))
        }
    }
}

/// Moves a node store's head back to a retained layer.
fn rewind_command(db: &Path, layer: u64) -> Result<u8, BadInput> {
    use svm::storage::kv::{KvDurability, RedbKv};
    let kv =
        RedbKv::open_existing(db, KvDurability::OnSync).map_err(|e| bad(anyhow::anyhow!("{}: {e}", db.display())))?;
    let (mut rt, before) = Runtime::open_head(std::sync::Arc::new(kv), RuntimeConfig::default())
        .map_err(|e| bad(anyhow::anyhow!("{}: {e}", db.display())))?;
    let head = rt.rewind(layer).map_err(|e| bad(anyhow::anyhow!("{}: {e}", db.display())))?;
    let from = before.map_or("no head".to_string(), |h| format!("layer {} ({} applied)", h.layer, h.applied));
    println!(
        "rewound {} from {from} to layer {} ({} applied, root {})",
        db.display(),
        head.layer,
        head.applied,
        head.root
    );
    Ok(0)
}

/// The default replicas named in `names` (all of them when `names` is empty).
fn chosen_nodes(names: &[String]) -> Result<Vec<NodeConfig>, BadInput> {
    let all = default_nodes();
    if names.is_empty() {
        return Ok(all);
    }
    let known: Vec<&str> = all.iter().map(|n| n.name.as_str()).collect();
    if let Some(unknown) = names.iter().find(|n| !known.contains(&n.as_str())) {
        return Err(bad(anyhow::anyhow!("no replica is called {unknown:?}; the replicas are {}", known.join(", "))));
    }
    Ok(all.into_iter().filter(|n| names.contains(&n.name)).collect())
}

fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    u64::from_le_bytes(
        blake3::hash(&[nanos.to_le_bytes().as_slice(), &std::process::id().to_le_bytes()].concat()).as_bytes()[..8]
            .try_into()
            .unwrap_or([0; 8]),
    )
}

fn replay_command(file: &Path, threads: usize) -> Result<u8, BadInput> {
    let repro = Reproducer::read(file).map_err(bad)?;
    println!(
        "replaying {} ({} transactions, {} replicas, {} events, canary {})",
        file.display(),
        repro.stream.txs.len(),
        repro.nodes.len(),
        repro.history.events.len(),
        repro.canary.map_or("none", |c| c.name())
    );
    let progress = Progress::new((repro.stream.txs.len() * repro.nodes.len()) as u64, "replica-transactions");
    let mut replayed = replay(&repro, threads, &progress);
    let code = match &replayed.seen {
        None => {
            println!(
                "not reproduced: every replica agrees and every check holds (recorded: {})",
                repro.expected.describe()
            );
            0
        }
        Some(seen) => {
            if replayed.reproduced {
                println!("reproduced: {}", seen.describe());
            } else {
                println!("showed something else: {} (recorded: {})", seen.describe(), repro.expected.describe());
            }
            if let Some(mismatch) = replayed.result.mismatch.clone() {
                let d = analyse(&repro.setup(), &mut replayed.result, &mismatch);
                println!("  tx {}: {}", d.tx, d.tx_summary);
                for r in &d.receipts {
                    println!("  receipt of {r}");
                }
                match &d.first_divergent_vmcall {
                    Some(v) => {
                        println!("  first divergent vmcall #{} ({} vs {}):", v.index, v.replicas[0], v.replicas[1]);
                        for c in &v.context {
                            println!("      {c}");
                        }
                        println!("    - {}", v.entries[0].as_deref().unwrap_or("(trace ended)"));
                        println!("    + {}", v.entries[1].as_deref().unwrap_or("(trace ended)"));
                    }
                    None => println!("  traces agree: the divergence is after the last vmcall"),
                }
            }
            if let Some(finding) = replayed.result.first_finding() {
                println!("  first finding: {finding}");
            }
            1
        }
    };
    println!("fingerprint: {}", replayed.result.fingerprint);
    Ok(code)
}

fn shrink_command(file: &Path, out: Option<PathBuf>, threads: usize) -> Result<u8, BadInput> {
    let repro = Reproducer::read(file).map_err(bad)?;
    println!(
        "shrinking {} ({} transactions, {} events)",
        file.display(),
        repro.stream.txs.len(),
        repro.history.events.len()
    );
    let progress = Progress::new(0, "candidates tried");
    let shrunk = match shrink(&repro, threads, &progress) {
        Ok(shrunk) => shrunk,
        Err(e) => {
            println!("{e}");
            return Ok(0);
        }
    };
    let out = out.unwrap_or_else(|| file.with_extension("shrunk.json"));
    shrunk.reproducer.write(&out).map_err(bad)?;
    println!(
        "shrunk {} → {} transactions and {} → {} events in {} attempts; shows {}",
        shrunk.before,
        shrunk.after,
        shrunk.events.0,
        shrunk.events.1,
        shrunk.attempts,
        shrunk.reproducer.expected.describe()
    );
    println!("reproducer: {}", out.display());
    Ok(1)
}

fn vectors_command(action: VectorsAction) -> Result<u8, BadInput> {
    use svm_sim::vectors;
    match action {
        VectorsAction::Write { dir } => {
            let written = vectors::write_all(&dir).map_err(bad)?;
            println!("wrote {} vectors into {}", written.len(), dir.display());
            Ok(0)
        }
        VectorsAction::Check { dir } => {
            let files = vectors::files(&dir).map_err(bad)?;
            if files.is_empty() {
                return Err(bad(anyhow::anyhow!("no vector files in {}", dir.display())));
            }
            let mut failed = 0;
            for file in &files {
                let vector = vectors::Vector::read(file).map_err(bad)?;
                for config in vectors::replay_configs() {
                    if let Err(why) = vectors::check(&vector, &config) {
                        println!("FAILED {} on {}: {why}", vector.name, config.name);
                        failed += 1;
                    }
                }
            }
            println!("{} vectors, {failed} failures", files.len());
            Ok(u8::from(failed > 0))
        }
    }
}

fn golden_command(action: GoldenAction, threads: usize) -> Result<u8, BadInput> {
    let (dir, blessing) = match action {
        GoldenAction::Check { dir } => (dir, false),
        GoldenAction::Bless { dir } => (dir, true),
    };
    let files = golden::streams(&dir).map_err(bad)?;
    if files.is_empty() {
        return Err(bad(anyhow::anyhow!("no *.jsonl streams in {}", dir.display())));
    }
    let mut failed = false;
    for file in files {
        let verdict =
            if blessing { golden::bless(&file, threads) } else { golden::check(&file, threads) }.map_err(bad)?;
        let line = match verdict {
            Verdict::Matches if blessing => "blessed".to_string(),
            Verdict::Matches => "matches its pins".to_string(),
            Verdict::ReplicasDisagree(tx) => format!("REPLICAS DISAGREE at tx {tx}"),
            Verdict::CheckFailed(ref finding) => format!("CHECK FAILED: {finding}"),
            Verdict::Changed(Some(tx)) => {
                format!("CHANGED from tx {tx} on (a consensus change: bless it only if deliberate)")
            }
            Verdict::Changed(None) => "CHANGED: pins missing or for another stream".to_string(),
        };
        failed |= !matches!(verdict, Verdict::Matches);
        println!("{}: {line}", file.display());
    }
    Ok(u8::from(failed))
}

fn wast_command(
    paths: &[PathBuf],
    json: bool,
    markdown: Option<PathBuf>,
    pin: Option<PathBuf>,
) -> Result<u8, BadInput> {
    use svm_sim::conformance::{Totals, run_file, tally};
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))
                .map_err(bad)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "wast"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        return Err(bad(anyhow::anyhow!("no .wast files in {:?}", paths)));
    }
    let mut tallies = Vec::new();
    for file in &files {
        tallies.push(run_file(file).map_err(bad)?);
    }
    let totals = Totals::of(&tallies);
    if json {
        let out = serde_json::json!({ "files": tallies, "totals": totals });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        print!("{}", tally::markdown_table(&tallies));
        println!("\nskipped, by reason:");
        print!("{}", tally::skip_table(&totals));
        for t in &tallies {
            for failure in &t.failed {
                println!("FAILED {}: {failure}", t.file);
            }
        }
    }
    if let Some(path) = markdown {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let md = format!(
            "# Spec conformance\n\nThe WebAssembly core test suite through the SVM runtime path (deploy, then execution\ntransactions with typed arguments), on singlepass and cranelift, whose receipts and gas must agree, under\nthe default consensus rules (floats canonicalized, bulk memory and multi-value admitted). *Executed*\nassertions ran contract code through metering, the stack budget and the memory cap; *refusals* are\ninvalid or malformed modules refused at deploy. A skip is *outside the promise* when its module uses a\nfeature SVM refuses or needs the `spectest` host module or cross-module linking; every other skip counts\nagainst *executed of eligible*.\nRegenerate with `cargo run --release -p svm-sim -- wast {} --markdown {}`.\n\n{}\n## Skipped, by reason\n\n{}\n## Failures\n\n{}\n",
            names.join(" "),
            path.display(),
            tally::markdown_table(&tallies),
            tally::skip_table(&totals),
            if totals.failed == 0 {
                "None.".to_string()
            } else {
                tallies
                    .iter()
                    .flat_map(|t| t.failed.iter().map(move |f| format!("- {}: {f}", t.file)))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        );
        std::fs::write(&path, md).with_context(|| format!("cannot write {}", path.display())).map_err(bad)?;
    }
    if let Some(path) = pin {
        std::fs::write(&path, tally::pin_text(&tallies))
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(bad)?;
    }
    Ok(u8::from(totals.failed > 0))
}

fn generate_command(seed: u64, txs: usize, max_calldata: Option<usize>, out: &Path) -> Result<u8, BadInput> {
    let mut params = WorkloadParams::derive(seed, txs);
    if let Some(max) = max_calldata {
        params.max_calldata = max;
    }
    let stream = generate(&params).context("generating the workload").map_err(bad)?;
    stream.write(out).map_err(bad)?;
    println!("wrote {} ({} transactions, seed {seed})", out.display(), stream.txs.len());
    Ok(0)
}
