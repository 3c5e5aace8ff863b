//! Reproducers: a self-contained file (seed, node configurations, canary, stream with its code, tool
//! version, and the divergence it shows) that `svm-sim replay` reproduces exactly.

use crate::node::NodeConfig;
use serde::{Deserialize, Serialize};
use std::path::Path;
use svm::runtime::Canary;
use svm_fuzzing::oracles::agreement::{Component, Mismatch};
use svm_fuzzing::stream::{Stream, StreamError, StreamJson};
use thiserror::Error;

/// The `format` value of a reproducer.
pub const REPRODUCER_FORMAT: &str = "svm-reproducer";
/// The reproducer format version this build reads and writes (2: the consensus version is recorded).
pub const REPRODUCER_VERSION: u32 = 2;

/// The divergence a reproducer shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Index of the first divergent transaction.
    pub first_divergent_tx: usize,
    /// Replica names grouped by what they computed.
    pub groups: Vec<Vec<String>>,
    /// Which fingerprint components differ.
    pub differs: Vec<Component>,
}

impl Expected {
    /// The expectation describing `mismatch` among `nodes`.
    pub fn of(mismatch: &Mismatch, nodes: &[NodeConfig]) -> Expected {
        Expected {
            first_divergent_tx: mismatch.tx,
            groups: mismatch.groups.iter().map(|g| g.iter().map(|&i| nodes[i].name.clone()).collect()).collect(),
            differs: mismatch.differs.clone(),
        }
    }
}

/// Everything needed to reproduce a divergence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reproducer {
    /// The seed the stream came from.
    pub seed: u64,
    /// The canary planted, if any.
    pub canary: Option<Canary>,
    /// The replicas.
    pub nodes: Vec<NodeConfig>,
    /// What replaying must show.
    pub expected: Expected,
    /// The stream, with its code.
    pub stream: Stream,
    /// The tool version that wrote it.
    pub tool_version: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReproducerJson {
    format: String,
    version: u32,
    #[serde(default)]
    consensus_version: u32,
    tool_version: String,
    seed: u64,
    canary: Option<String>,
    nodes: Vec<NodeConfig>,
    expected: Expected,
    stream: StreamJson,
}

/// Why a reproducer file could not be read.
#[derive(Debug, Error)]
pub enum ReproducerError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not JSON of the reproducer's shape (truncated, for example).
    #[error("not a valid reproducer: {0}")]
    Json(String),
    /// Another format.
    #[error("not a reproducer: format is {0:?}, expected {REPRODUCER_FORMAT:?}")]
    WrongFormat(String),
    /// A version this build does not read.
    #[error("reproducer version {0} is not supported (this build reads version {REPRODUCER_VERSION})")]
    WrongVersion(u32),
    /// Made under other consensus rules than this build's.
    #[error(
        "reproducer made under consensus version {found}; this build runs consensus version {}",
        svm::CONSENSUS_VERSION
    )]
    WrongConsensusVersion {
        /// The version the file names.
        found: u32,
    },
    /// A canary this build does not know.
    #[error("unknown canary {0:?}")]
    UnknownCanary(String),
    /// The embedded stream is unusable.
    #[error("embedded stream: {0}")]
    Stream(#[from] StreamError),
    /// No replicas, or replica names that repeat.
    #[error("bad node list: {0}")]
    Nodes(String),
}

impl Reproducer {
    /// The reproducer as pretty JSON.
    pub fn to_json(&self) -> String {
        let json = ReproducerJson {
            format: REPRODUCER_FORMAT.into(),
            version: REPRODUCER_VERSION,
            consensus_version: svm::CONSENSUS_VERSION,
            tool_version: self.tool_version.clone(),
            seed: self.seed,
            canary: self.canary.map(|c| c.name().to_string()),
            nodes: self.nodes.clone(),
            expected: self.expected.clone(),
            stream: self.stream.to_json(),
        };
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }

    /// Reads a reproducer from JSON text.
    pub fn from_json(text: &str) -> Result<Reproducer, ReproducerError> {
        let json: ReproducerJson = serde_json::from_str(text).map_err(|e| ReproducerError::Json(e.to_string()))?;
        if json.format != REPRODUCER_FORMAT {
            return Err(ReproducerError::WrongFormat(json.format));
        }
        if json.version != REPRODUCER_VERSION {
            return Err(ReproducerError::WrongVersion(json.version));
        }
        if json.consensus_version != svm::CONSENSUS_VERSION {
            return Err(ReproducerError::WrongConsensusVersion { found: json.consensus_version });
        }
        let canary = match json.canary {
            None => None,
            Some(name) => Some(Canary::from_name(&name).ok_or(ReproducerError::UnknownCanary(name))?),
        };
        if json.nodes.len() < 2 {
            return Err(ReproducerError::Nodes("a divergence needs at least two replicas".into()));
        }
        let mut names: Vec<&String> = json.nodes.iter().map(|n| &n.name).collect();
        names.sort();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(ReproducerError::Nodes("replica names repeat".into()));
        }
        let stream = Stream::from_json(&json.stream, 1)?;
        Ok(Reproducer {
            seed: json.seed,
            canary,
            nodes: json.nodes,
            expected: json.expected,
            stream,
            tool_version: json.tool_version,
        })
    }

    /// Writes the reproducer file.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.to_json())
    }

    /// Reads a reproducer file.
    pub fn read(path: &Path) -> Result<Reproducer, ReproducerError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ReproducerError::Io { path: path.display().to_string(), source })?;
        Reproducer::from_json(&text)
    }
}
