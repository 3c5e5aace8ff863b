//! Reproducers: a self-contained file (seed, node configurations, their history of events, canary,
//! stream with its code, tool version, and the divergence or finding it shows) that `svm-sim replay`
//! reproduces exactly. Files of format 2 (restarts as a fixed period per node) are upgraded on read:
//! each period becomes the explicit restart events it stood for.

use crate::finding::Finding;
use crate::history::{History, NodeEvent, NodeEventKind};
use crate::node::{CacheName, CompilerName, NodeConfig};
use crate::run::{Checks, RunResult, Setup};
use serde::{Deserialize, Serialize};
use std::path::Path;
use svm::runtime::Canary;
use svm_fuzzing::oracles::agreement::{Component, Mismatch};
use svm_fuzzing::stream::{Stream, StreamError, StreamJson};
use thiserror::Error;

/// The `format` value of a reproducer.
pub const REPRODUCER_FORMAT: &str = "svm-reproducer";
/// The reproducer format version this build writes (4: fault events, replicas' fault rates, and
/// streams that start from a snapshot; 3: node events and findings; 2: the consensus version is
/// recorded). A version-3 file is a version-4 file without faults, and is read as one.
pub const REPRODUCER_VERSION: u32 = 4;
/// The oldest version this build reads (and upgrades).
pub const OLDEST_REPRODUCER_VERSION: u32 = 2;

/// What a reproducer shows: a divergence among replicas, or a finding on one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Expected {
    /// The replicas disagree.
    Divergence {
        /// Index of the first divergent transaction.
        first_divergent_tx: usize,
        /// Replica names grouped by what they computed.
        groups: Vec<Vec<String>>,
        /// Which fingerprint components differ.
        differs: Vec<Component>,
    },
    /// A check broke on one replica (an invariant, an expected effect, or `node-fault`).
    Finding {
        /// Index of the transaction.
        tx: usize,
        /// The replica.
        replica: String,
        /// The check.
        check: String,
    },
}

impl Expected {
    /// The expectation describing `mismatch` among `nodes`.
    pub fn divergence(mismatch: &Mismatch, nodes: &[NodeConfig]) -> Expected {
        Expected::Divergence {
            first_divergent_tx: mismatch.tx,
            groups: mismatch.groups.iter().map(|g| g.iter().map(|&i| nodes[i].name.clone()).collect()).collect(),
            differs: mismatch.differs.clone(),
        }
    }

    /// The expectation describing `finding`.
    pub fn finding(finding: &Finding) -> Expected {
        Expected::Finding { tx: finding.tx, replica: finding.replica.clone(), check: finding.check.clone() }
    }

    /// The transaction where it shows.
    pub fn tx(&self) -> usize {
        match self {
            Expected::Divergence { first_divergent_tx, .. } => *first_divergent_tx,
            Expected::Finding { tx, .. } => *tx,
        }
    }

    /// What `result` (a run of `nodes`) shows first: the earliest divergence or finding; at the same
    /// transaction, the divergence.
    pub fn seen_in(result: &RunResult, nodes: &[NodeConfig]) -> Option<Expected> {
        let divergence = result.mismatch.as_ref().map(|m| Expected::divergence(m, nodes));
        let finding = result.first_finding().map(Expected::finding);
        match (divergence, finding) {
            (Some(d), Some(f)) => Some(if f.tx() < d.tx() { f } else { d }),
            (d, f) => d.or(f),
        }
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Expected::Divergence { first_divergent_tx, groups, differs } => {
                format!("divergence at tx {first_divergent_tx}, groups {groups:?}, differing {differs:?}")
            }
            Expected::Finding { tx, replica, check } => format!("finding at tx {tx} on {replica}: {check}"),
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
    /// What happens to them besides the transactions.
    pub history: History,
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
    history: History,
    expected: Expected,
    stream: StreamJson,
}

/// Just the format and version, read first to choose the shape.
#[derive(Deserialize)]
struct VersionJson {
    format: String,
    version: u32,
}

/// Format 2: restarts as a fixed period per node, and only divergences.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReproducerJsonV2 {
    format: String,
    #[serde(rename = "version")]
    _version: u32,
    #[serde(default)]
    consensus_version: u32,
    tool_version: String,
    seed: u64,
    canary: Option<String>,
    nodes: Vec<NodeConfigV2>,
    expected: ExpectedV2,
    stream: StreamJson,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeConfigV2 {
    name: String,
    compiler: CompilerName,
    cache: CacheName,
    page_cache: usize,
    #[serde(default)]
    module_cache: Option<usize>,
    restart_every: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedV2 {
    first_divergent_tx: usize,
    groups: Vec<Vec<String>>,
    differs: Vec<Component>,
}

impl ReproducerJsonV2 {
    /// The same reproducer in format 3: a node restarting every N transactions restarted before
    /// transactions N, 2N, … of the stream.
    fn upgrade(self) -> ReproducerJson {
        let txs = self.stream.txs.len();
        let mut events = Vec::new();
        let nodes =
            self.nodes
                .into_iter()
                .map(|n| {
                    if let Some(period) = n.restart_every.filter(|p| *p > 0) {
                        let period = period as usize;
                        events.extend((1..).map(|k| k * period).take_while(|&at| at < txs).map(|before_tx| {
                            NodeEvent { before_tx, replica: n.name.clone(), event: NodeEventKind::Restart }
                        }));
                    }
                    NodeConfig {
                        name: n.name,
                        compiler: n.compiler,
                        cache: n.cache,
                        page_cache: n.page_cache,
                        module_cache: n.module_cache,
                        restart_mean: n.restart_every,
                        kv: crate::node::KvName::Memory,
                        faults: Default::default(),
                    }
                })
                .collect();
        let ExpectedV2 { first_divergent_tx, groups, differs } = self.expected;
        ReproducerJson {
            format: self.format,
            version: REPRODUCER_VERSION,
            consensus_version: self.consensus_version,
            tool_version: self.tool_version,
            seed: self.seed,
            canary: self.canary,
            nodes,
            history: History::new(events),
            expected: Expected::Divergence { first_divergent_tx, groups, differs },
            stream: self.stream,
        }
    }
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
    #[error(
        "reproducer version {0} is not supported (this build reads versions {OLDEST_REPRODUCER_VERSION} to {REPRODUCER_VERSION})"
    )]
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
    /// An event names a replica that is not there, or a transaction past the stream.
    #[error("bad history: {0}")]
    History(String),
    /// What it shows names a replica that is not there, or a transaction past the stream.
    #[error("bad expectation: {0}")]
    Expected(String),
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
            history: self.history.clone(),
            expected: self.expected.clone(),
            stream: self.stream.to_json(),
        };
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }

    /// Reads a reproducer from JSON text (format 2 upgraded).
    pub fn from_json(text: &str) -> Result<Reproducer, ReproducerError> {
        let json_error = |e: serde_json::Error| ReproducerError::Json(e.to_string());
        let head: VersionJson = serde_json::from_str(text).map_err(json_error)?;
        if head.format != REPRODUCER_FORMAT {
            return Err(ReproducerError::WrongFormat(head.format));
        }
        let json: ReproducerJson = match head.version {
            2 => serde_json::from_str::<ReproducerJsonV2>(text).map_err(json_error)?.upgrade(),
            3 | REPRODUCER_VERSION => serde_json::from_str(text).map_err(json_error)?,
            other => return Err(ReproducerError::WrongVersion(other)),
        };
        if json.consensus_version != svm::CONSENSUS_VERSION {
            return Err(ReproducerError::WrongConsensusVersion { found: json.consensus_version });
        }
        let canary = match json.canary {
            None => None,
            Some(name) => Some(Canary::from_name(&name).ok_or(ReproducerError::UnknownCanary(name))?),
        };
        let needed = if matches!(json.expected, Expected::Divergence { .. }) { 2 } else { 1 };
        if json.nodes.len() < needed {
            return Err(ReproducerError::Nodes(format!(
                "{} replicas; this reproducer needs at least {needed}",
                json.nodes.len()
            )));
        }
        let mut names: Vec<&String> = json.nodes.iter().map(|n| &n.name).collect();
        names.sort();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(ReproducerError::Nodes("replica names repeat".into()));
        }
        let stream = Stream::from_json(&json.stream, 1)?;
        json.history.check(&json.nodes, stream.txs.len()).map_err(ReproducerError::History)?;
        check_expected(&json.expected, &json.nodes, stream.txs.len())?;
        Ok(Reproducer {
            seed: json.seed,
            canary,
            nodes: json.nodes,
            history: json.history,
            expected: json.expected,
            stream,
            tool_version: json.tool_version,
        })
    }

    /// The run it describes: its stream, replicas, history and canary, every check on.
    pub fn setup(&self) -> Setup<'_> {
        Setup {
            stream: &self.stream,
            nodes: &self.nodes,
            history: &self.history,
            canary: self.canary,
            checks: Checks::All,
        }
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

/// Checks that `expected` names replicas of `nodes` and a transaction of a stream of `txs`.
fn check_expected(expected: &Expected, nodes: &[NodeConfig], txs: usize) -> Result<(), ReproducerError> {
    let known = |name: &String| nodes.iter().any(|n| &n.name == name);
    let named: Vec<&String> = match expected {
        Expected::Divergence { groups, .. } => groups.iter().flatten().collect(),
        Expected::Finding { replica, .. } => vec![replica],
    };
    if let Some(unknown) = named.into_iter().find(|n| !known(n)) {
        return Err(ReproducerError::Expected(format!("replica {unknown:?} is not among the replicas")));
    }
    if expected.tx() >= txs.max(1) {
        return Err(ReproducerError::Expected(format!("transaction {} is past the stream's {txs}", expected.tx())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A format-2 reproducer over a stream of `txs` empty transfers, with a node restarting every 4.
    fn version_2(txs: usize) -> String {
        use svm::transaction::{Transaction, Transfer};
        let stream = Stream {
            txs: (0..txs as u64)
                .map(|nonce| svm_fuzzing::stream::StreamTx {
                    layer: 0,
                    tx: Transaction::Transfer(Transfer {
                        from: svm::Address([1; 20]),
                        to: svm::Address([2; 20]),
                        nonce,
                        amount: 0,
                        gas_price: 0,
                    }),
                })
                .collect(),
            ..Stream::default()
        };
        let node = |name: &str, restart: &str| {
            format!(
                r#"{{"name":"{name}","compiler":"singlepass","cache":"off","page_cache":4,"restart_every":{restart}}}"#
            )
        };
        format!(
            r#"{{"format":"svm-reproducer","version":2,"consensus_version":{},"tool_version":"0.1.0","seed":5,"canary":null,"nodes":[{},{}],"expected":{{"first_divergent_tx":9,"groups":[["a"],["b"]],"differs":["gas"]}},"stream":{}}}"#,
            svm::CONSENSUS_VERSION,
            node("a", "null"),
            node("b", "4"),
            serde_json::to_string(&stream.to_json()).unwrap()
        )
    }

    #[test]
    fn a_version_2_file_is_upgraded_its_period_becoming_explicit_restarts() {
        let repro = Reproducer::from_json(&version_2(10)).unwrap();
        let before: Vec<usize> = repro.history.events.iter().map(|e| e.before_tx).collect();
        assert_eq!(before, vec![4, 8]);
        assert!(repro.history.events.iter().all(|e| e.replica == "b" && e.event == NodeEventKind::Restart));
        assert_eq!(repro.nodes[1].restart_mean, Some(4));
        assert!(matches!(repro.expected, Expected::Divergence { first_divergent_tx: 9, .. }));
        // Written back, it is a version-3 file that reads the same.
        let again = Reproducer::from_json(&repro.to_json()).unwrap();
        assert_eq!(again, repro);
        assert!(repro.to_json().contains("\"version\": 3"));
    }

    #[test]
    fn an_expectation_past_the_stream_or_naming_no_replica_is_refused() {
        let late = version_2(5).replace("\"first_divergent_tx\":9", "\"first_divergent_tx\":50");
        assert!(matches!(Reproducer::from_json(&late), Err(ReproducerError::Expected(_))));
        let unknown = version_2(10).replace("[[\"a\"],[\"b\"]]", "[[\"a\"],[\"z\"]]");
        assert!(matches!(Reproducer::from_json(&unknown), Err(ReproducerError::Expected(_))));
    }
}
