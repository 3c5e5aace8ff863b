//! Conformance vectors: small named cases, one rule of `docs/consensus.md` each, as files a second
//! implementation can consume — transactions in, expected receipts, gas and roots out; or a hash
//! function's inputs in, its output out. They are generated from the runtime by the recipes in
//! [`recipes`] and [`hashes`], checked into `corpus/conformance/`, and replayed by `cargo test` (on
//! both compilers) and by anyone else's VM.
//!
//! A vector file is JSON: `{"format": "svm-conformance", "version": 1, "consensus_version": N, "name",
//! "rule" (a section of docs/consensus.md), "description", "kind": "transactions" | "hash", ...}`.
//! Transaction vectors carry a stream (the stream file format, one JSON value) with the contracts'
//! WebAssembly text beside their binaries, and one expectation per transaction; hash vectors carry
//! `function`, `inputs` and `output`.

mod build;
pub mod hashes;
pub mod recipes;

use crate::node::{CacheName, CompilerName, KvName, Node, NodeConfig, reference_node};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use svm::receipt::Receipt;
use svm_fuzzing::stream::{Stream, StreamJson};
use svm_fuzzing::tx_format::ValueJson;
use thiserror::Error;

pub use build::Builder;

/// The `format` value of a vector file.
pub const VECTOR_FORMAT: &str = "svm-conformance";
/// The vector format version this build reads and writes.
pub const VECTOR_VERSION: u32 = 1;

/// One conformance vector (unknown fields are refused by the case's own shape; serde cannot deny
/// them across a flattened enum).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Vector {
    /// Always [`VECTOR_FORMAT`].
    pub format: String,
    /// Always [`VECTOR_VERSION`].
    pub version: u32,
    /// The consensus version the expectations hold under.
    pub consensus_version: u32,
    /// A path-like name: `gas/trap-midway`, `hash/page`.
    pub name: String,
    /// The section of `docs/consensus.md` the vector pins.
    pub rule: String,
    /// What it shows, in a sentence or two (with the arithmetic, where there is some).
    pub description: String,
    /// The case itself.
    #[serde(flatten)]
    pub case: Case,
}

/// What a vector holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Case {
    /// Transactions applied in order from genesis, with what each must give.
    Transactions {
        /// The contracts' WebAssembly text by name (their binaries are in the stream's header).
        sources: BTreeMap<String, String>,
        /// The stream: genesis, contracts, transactions.
        stream: StreamJson,
        /// One expectation per transaction.
        expect: Vec<TxExpect>,
    },
    /// A hash or encoding function on fixed inputs.
    Hash {
        /// The function, as `docs/consensus.md` names it.
        function: String,
        /// Its inputs, hex for bytes.
        inputs: serde_json::Value,
        /// Its output, hex.
        output: String,
    },
}

/// What one transaction must give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxExpect {
    /// The outcome's stable name (`success`, `trap:unreachable`, `invalid:nonce-mismatch` …).
    pub outcome: String,
    /// Gas used.
    pub gas_used: u64,
    /// Returned values.
    pub returns: Vec<ValueJson>,
    /// Returndata, hex.
    pub returndata: String,
    /// Log entries, hex.
    pub logs: Vec<String>,
    /// Events, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventJson>,
    /// Calls made, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallJson>,
    /// The contract the receipt names (hex), if any.
    pub contract: Option<String>,
    /// The contract state the receipt reports (hex), if any.
    pub state: Option<String>,
    /// The receipt hash (hex).
    pub receipt_hash: String,
    /// The global state root after the transaction (hex).
    pub root: String,
}

/// An event as vector files spell it: its fields, in hex where they are bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventJson {
    /// The emitting contract (20 bytes, hex).
    pub contract: String,
    /// Its topics (32 bytes each, hex).
    pub topics: Vec<String>,
    /// Its data (hex).
    pub data: String,
    /// The last layer it is live in.
    pub expires: u64,
}

impl From<&svm::event::Event> for EventJson {
    fn from(event: &svm::event::Event) -> EventJson {
        EventJson {
            contract: hex::encode(event.contract.0),
            topics: event.topics.iter().map(hex::encode).collect(),
            data: hex::encode(&event.data),
            expires: event.expires,
        }
    }
}

impl EventJson {
    /// The event, or what is wrong with a field.
    pub fn event(&self) -> Result<svm::event::Event, String> {
        let contract =
            svm_fuzzing::tx_format::fixed_hex::<20>("event contract", &self.contract).map_err(|e| e.to_string())?;
        let topics = self
            .topics
            .iter()
            .map(|t| svm_fuzzing::tx_format::fixed_hex::<32>("event topic", t).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        let data = hex::decode(&self.data).map_err(|e| format!("event data: {e}"))?;
        Ok(svm::event::Event { contract: svm::Address(contract), topics, data, expires: self.expires })
    }
}

/// A call record as vector files spell it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallJson {
    /// The callee frame's depth.
    pub depth: u8,
    /// The calling contract (hex).
    pub caller: String,
    /// The called contract (hex).
    pub callee: String,
    /// The function called.
    pub function: String,
    /// The callee's outcome, by its stable name.
    pub outcome: String,
    /// Gas the callee used.
    pub gas_used: u64,
    /// Value the call moved.
    pub value: u64,
}

impl From<&svm::call::CallRecord> for CallJson {
    fn from(record: &svm::call::CallRecord) -> CallJson {
        CallJson {
            depth: record.depth,
            caller: hex::encode(record.caller.0),
            callee: hex::encode(record.callee.0),
            function: record.function.clone(),
            outcome: record.outcome.name(),
            gas_used: record.gas_used,
            value: record.value,
        }
    }
}

impl CallJson {
    /// The record, or what is wrong with a field.
    pub fn record(&self) -> Result<svm::call::CallRecord, String> {
        let address = |what, hex: &str| {
            svm_fuzzing::tx_format::fixed_hex::<20>(what, hex).map(svm::Address).map_err(|e| e.to_string())
        };
        Ok(svm::call::CallRecord {
            depth: self.depth,
            caller: address("caller", &self.caller)?,
            callee: address("callee", &self.callee)?,
            function: self.function.clone(),
            outcome: hashes::outcome(&self.outcome)?,
            gas_used: self.gas_used,
            value: self.value,
        })
    }
}

impl TxExpect {
    /// The expectation `receipt` and `root` meet.
    pub fn of(receipt: &Receipt, root: svm::StateRoot) -> TxExpect {
        TxExpect {
            outcome: receipt.outcome.name(),
            gas_used: receipt.gas_used,
            returns: receipt.returns.iter().map(|v| ValueJson::from(*v)).collect(),
            returndata: hex::encode(&receipt.returndata),
            logs: receipt.logs.iter().map(hex::encode).collect(),
            events: receipt.events.iter().map(EventJson::from).collect(),
            calls: receipt.calls.iter().map(CallJson::from).collect(),
            contract: receipt.contract.map(|a| hex::encode(a.0)),
            state: receipt.state.map(|s| s.to_string()),
            receipt_hash: receipt.hash().to_string(),
            root: root.to_string(),
        }
    }
}

/// Why vectors could not be read or do not hold.
#[derive(Debug, Error)]
pub enum VectorError {
    /// A file or folder could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        message: String,
    },
    /// A file is not a vector of this format and version.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

impl Vector {
    /// A vector of the current format named `name`, pinning `rule`.
    pub fn new(name: &str, rule: &str, description: &str, case: Case) -> Vector {
        Vector {
            format: VECTOR_FORMAT.into(),
            version: VECTOR_VERSION,
            consensus_version: svm::CONSENSUS_VERSION,
            name: name.into(),
            rule: rule.into(),
            description: description.into(),
            case,
        }
    }

    /// The file a vector is kept in under `dir`: its name with `/` as `.`.
    pub fn path_in(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.json", self.name.replace('/', ".")))
    }

    /// The vector as its file's text.
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Reads a vector file, refusing other formats, versions and consensus versions.
    pub fn read(path: &Path) -> Result<Vector, VectorError> {
        let at = || path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| VectorError::Io { path: at(), message: e.to_string() })?;
        let vector: Vector =
            serde_json::from_str(&text).map_err(|e| VectorError::Format { path: at(), message: e.to_string() })?;
        let refuse = |message: String| Err(VectorError::Format { path: at(), message });
        if vector.format != VECTOR_FORMAT || vector.version != VECTOR_VERSION {
            return refuse(format!("not a {VECTOR_FORMAT} version {VECTOR_VERSION} file"));
        }
        if vector.consensus_version != svm::CONSENSUS_VERSION {
            return refuse(format!(
                "made under consensus version {}; this build runs consensus version {}",
                vector.consensus_version,
                svm::CONSENSUS_VERSION
            ));
        }
        Ok(vector)
    }
}

/// Every vector the recipes make, in name order.
pub fn all() -> Vec<Vector> {
    let mut vectors = recipes::all();
    vectors.extend(hashes::all());
    vectors.sort_by(|a, b| a.name.cmp(&b.name));
    vectors
}

/// The vector files (`*.json`) in `dir`, sorted.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>, VectorError> {
    let io = |e: std::io::Error| VectorError::Io { path: dir.display().to_string(), message: e.to_string() };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// The nodes a transaction vector is replayed on: both compilers (two cache modes) and the
/// reference VM.
pub fn replay_configs() -> Vec<NodeConfig> {
    let wasmer = |name: &str, compiler, cache| NodeConfig {
        name: name.into(),
        compiler,
        cache,
        page_cache: 1024,
        module_cache: None,
        restart_mean: None,
        kv: KvName::Memory,
        faults: Default::default(),
    };
    vec![
        wasmer("singlepass", CompilerName::Singlepass, CacheName::Off),
        wasmer("cranelift", CompilerName::Cranelift, CacheName::Memory),
        reference_node(),
    ]
}

/// Replays `vector` on a fresh node of `config` (hash vectors recompute their function): the first
/// difference from its expectations, if any.
pub fn check(vector: &Vector, config: &NodeConfig) -> Result<(), String> {
    match &vector.case {
        Case::Hash { function, inputs, output } => {
            let computed = hashes::compute(function, inputs)?;
            if computed != *output {
                return Err(format!("{function}: computed {computed}, expected {output}"));
            }
            Ok(())
        }
        Case::Transactions { stream, expect, .. } => {
            let stream = Stream::from_json(stream, 1).map_err(|e| e.to_string())?;
            if stream.txs.len() != expect.len() {
                return Err(format!("{} transactions but {} expectations", stream.txs.len(), expect.len()));
            }
            let mut node = Node::new(config.clone(), None);
            node.genesis(&stream.genesis).map_err(|e| format!("genesis: {e}"))?;
            for (i, (stx, expected)) in stream.txs.iter().zip(expect).enumerate() {
                let receipt = node.apply(&stx.tx, stx.layer).map_err(|e| format!("tx {i}: node fault: {e}"))?;
                let seen = TxExpect::of(&receipt, node.root());
                if seen != *expected {
                    return Err(format!("tx {i}: expected {expected:?}, got {seen:?}"));
                }
            }
            Ok(())
        }
    }
}

/// Writes every vector the recipes make into `dir` (each recomputed on every replay configuration,
/// which must agree) and removes vector files no recipe makes; returns the paths written.
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>, VectorError> {
    let io =
        |path: &Path, e: std::io::Error| VectorError::Io { path: path.display().to_string(), message: e.to_string() };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let vectors = all();
    let mut written = Vec::new();
    for vector in &vectors {
        for config in replay_configs() {
            check(vector, &config).map_err(|message| VectorError::Format { path: vector.name.clone(), message })?;
        }
        let path = vector.path_in(dir);
        std::fs::write(&path, vector.to_text()).map_err(|e| io(&path, e))?;
        written.push(path);
    }
    for stale in files(dir)?.into_iter().filter(|f| !written.contains(f)) {
        std::fs::remove_file(&stale).map_err(|e| io(&stale, e))?;
    }
    Ok(written)
}
