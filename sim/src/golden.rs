//! Golden determinism regression: canonical streams under `corpus/streams/` with their pinned
//! per-transaction roots, receipt hashes and gas. Any change is a consensus change; `golden bless`
//! rewrites the pins deliberately.

use crate::finding::Finding;
use crate::node::default_nodes;
use crate::progress::Progress;
use crate::run::run;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use svm_fuzzing::stream::{Stream, StreamError};
use thiserror::Error;

/// The `format` value of a golden file.
pub const GOLDEN_FORMAT: &str = "svm-golden";

/// The pinned results of one stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Golden {
    /// Always [`GOLDEN_FORMAT`].
    pub format: String,
    /// The consensus version the pins hold under.
    pub consensus_version: u32,
    /// blake3 of the stream file's canonical form.
    pub stream_hash: String,
    /// Per transaction: `[root, receipt hash, gas, outcome]`.
    pub txs: Vec<(String, String, u64, String)>,
}

/// Why a golden check could not run or failed.
#[derive(Debug, Error)]
pub enum GoldenError {
    /// The directory or a file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        message: String,
    },
    /// A stream file is unusable.
    #[error("{path}: {source}")]
    Stream {
        /// The file.
        path: String,
        /// Why.
        source: StreamError,
    },
    /// A pin file made under other consensus rules than this build's.
    #[error(
        "{path}: pinned under consensus version {found}; this build runs consensus version {}",
        svm::CONSENSUS_VERSION
    )]
    ConsensusVersion {
        /// The pin file.
        path: String,
        /// The version it names.
        found: u32,
    },
}

/// The outcome of checking one stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every replica agrees and matches the pins.
    Matches,
    /// The replicas disagree among themselves at this transaction.
    ReplicasDisagree(usize),
    /// An invariant or expected effect did not hold (the first such finding).
    CheckFailed(Finding),
    /// The pins differ from this transaction on (`None`: the stream itself changed or no pins).
    Changed(Option<usize>),
}

/// The stream files (`*.jsonl`) in `dir`, sorted.
pub fn streams(dir: &Path) -> Result<Vec<PathBuf>, GoldenError> {
    let io = |e: std::io::Error| GoldenError::Io { path: dir.display().to_string(), message: e.to_string() };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    Ok(files)
}

/// The pin file that goes with a stream file.
pub fn pin_path(stream: &Path) -> PathBuf {
    stream.with_extension("golden.json")
}

/// Runs `stream` on the default replicas with every check: the pins it should have, or why it has
/// none (the replicas disagree, or a check failed).
pub fn compute(stream: &Stream, threads: usize) -> Result<Golden, Verdict> {
    let result = run(stream, &default_nodes(), None, threads, &Progress::hidden());
    if let Some(mismatch) = result.mismatch {
        return Err(Verdict::ReplicasDisagree(mismatch.tx));
    }
    if let Some(finding) = result.replicas.iter().flat_map(|r| r.findings.first()).min_by_key(|f| f.tx) {
        return Err(Verdict::CheckFailed(finding.clone()));
    }
    let reference = &result.replicas[0];
    let txs = reference
        .fingerprints
        .iter()
        .zip(&reference.receipts)
        .map(|(f, r)| (f.root.to_string(), f.receipt.to_string(), f.gas, r.outcome.name()))
        .collect();
    Ok(Golden {
        format: GOLDEN_FORMAT.into(),
        consensus_version: svm::CONSENSUS_VERSION,
        stream_hash: stream.hash().to_string(),
        txs,
    })
}

/// The pin file's text: one line per transaction, so that diffs of a blessed change read well.
fn to_text(golden: &Golden) -> String {
    let txs: Vec<String> = golden.txs.iter().map(|t| serde_json::to_string(t).unwrap_or_default()).collect();
    format!(
        "{{\"format\": {:?}, \"consensus_version\": {}, \"stream_hash\": {:?}, \"txs\": [\n{}\n]}}\n",
        golden.format,
        golden.consensus_version,
        golden.stream_hash,
        txs.join(",\n")
    )
}

/// Checks one stream file against its pins.
pub fn check(path: &Path, threads: usize) -> Result<Verdict, GoldenError> {
    let stream =
        Stream::read(path).map_err(|source| GoldenError::Stream { path: path.display().to_string(), source })?;
    let golden = match compute(&stream, threads) {
        Ok(golden) => golden,
        Err(verdict) => return Ok(verdict),
    };
    let pins = pin_path(path);
    let Ok(text) = std::fs::read_to_string(&pins) else { return Ok(Verdict::Changed(None)) };
    let Ok(pinned) = serde_json::from_str::<Golden>(&text) else { return Ok(Verdict::Changed(None)) };
    if pinned.consensus_version != svm::CONSENSUS_VERSION {
        return Err(GoldenError::ConsensusVersion {
            path: pins.display().to_string(),
            found: pinned.consensus_version,
        });
    }
    if pinned.stream_hash != golden.stream_hash {
        return Ok(Verdict::Changed(None));
    }
    let first = (0..golden.txs.len().max(pinned.txs.len())).find(|&i| golden.txs.get(i) != pinned.txs.get(i));
    Ok(first.map_or(Verdict::Matches, |i| Verdict::Changed(Some(i))))
}

/// Rewrites the pins of one stream file (refusing when the replicas disagree or a check fails).
pub fn bless(path: &Path, threads: usize) -> Result<Verdict, GoldenError> {
    let stream =
        Stream::read(path).map_err(|source| GoldenError::Stream { path: path.display().to_string(), source })?;
    match compute(&stream, threads) {
        Err(verdict) => Ok(verdict),
        Ok(golden) => {
            let pins = pin_path(path);
            std::fs::write(&pins, to_text(&golden))
                .map_err(|e| GoldenError::Io { path: pins.display().to_string(), message: e.to_string() })?;
            Ok(Verdict::Matches)
        }
    }
}
