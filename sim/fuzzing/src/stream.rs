//! Streams: an ordered list of transactions with the genesis and the code they need, and its
//! versioned, human-readable file format (JSON lines: a header line, then one line per transaction).

use crate::generators::contract::plan::ContractPlan;
use crate::tx_format::{TxFormatError, TxJson, address_hex, any_hex, parse_address};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use svm::transaction::Transaction;
use svm::{Address, Hash};
use thiserror::Error;

/// The `format` value of a stream header.
pub const STREAM_FORMAT: &str = "svm-stream";
/// The stream format version this build writes (2: gas prices and the consensus version; 3: the plans
/// of generated contracts; 4: a snapshot to start from instead of genesis). A stream without a snapshot
/// is written as version 3, which older builds read.
pub const STREAM_VERSION: u32 = 4;
/// The oldest stream format version this build reads.
pub const OLDEST_STREAM_VERSION: u32 = 2;

/// One transaction of a stream and the layer it runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamTx {
    /// The layer (block height).
    pub layer: u64,
    /// The transaction.
    pub tx: Transaction,
}

/// A contract's code carried by a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamContract {
    /// A name for people (`counter`, `hostile/simd`).
    pub name: String,
    /// The WebAssembly binary.
    pub code: Vec<u8>,
    /// The plan it was generated from, for a generated contract: what the expected-effects model
    /// interprets. Its code is the plan's, checked when the stream is read.
    pub plan: Option<ContractPlan>,
}

/// A committed state a stream starts from instead of genesis: a layer of a node's store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The node's store (a redb file, as `svm-sim node` writes), relative to the working directory.
    pub store: String,
    /// The layer whose end state the stream starts from.
    pub layer: u64,
    /// The root that layer ended at: the store must hold exactly it.
    pub root: String,
    /// The transactions the node had applied by then (for people and for matching a node's log).
    pub applied: u64,
}

/// An ordered list of transactions and everything needed to replay it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Stream {
    /// The seed that generated it (0 for hand-written streams).
    pub seed: u64,
    /// Balances credited before the first transaction (none when the stream starts from a snapshot).
    pub genesis: Vec<(Address, u64)>,
    /// The snapshot it starts from, if not from genesis.
    pub snapshot: Option<Snapshot>,
    /// The code deploys refer to, by hash.
    pub contracts: BTreeMap<Hash, StreamContract>,
    /// The transactions, in order.
    pub txs: Vec<StreamTx>,
}

/// Why a stream file could not be read.
#[derive(Debug, Error)]
pub enum StreamError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("empty stream: no header line")]
    Empty,
    /// A line is not valid JSON of the expected shape.
    #[error("line {line}: {message}")]
    Json {
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// The header names another format.
    #[error("not a stream file: format is {0:?}, expected {STREAM_FORMAT:?}")]
    WrongFormat(String),
    /// The header's version is not one this build reads.
    #[error(
        "stream version {found} is not supported (this build reads versions {OLDEST_STREAM_VERSION} to {STREAM_VERSION})"
    )]
    WrongVersion {
        /// The version found.
        found: u32,
    },
    /// The stream was made under other consensus rules than this build's.
    #[error(
        "stream made under consensus version {found}; this build runs consensus version {}",
        svm::CONSENSUS_VERSION
    )]
    WrongConsensusVersion {
        /// The version the file names.
        found: u32,
    },
    /// A field or transaction is unusable.
    #[error("line {line}: {source}")]
    Tx {
        /// 1-based line number.
        line: usize,
        /// Why.
        source: TxFormatError,
    },
    /// Code in the header does not hash to the hash it is listed under.
    #[error("contract {name}: code does not match its hash")]
    CodeMismatch {
        /// The contract.
        name: String,
    },
    /// A generated contract's code is not what its plan assembles to.
    #[error("contract {name}: code is not what its plan generates")]
    PlanMismatch {
        /// The contract.
        name: String,
    },
}

/// The header line.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderJson {
    /// Always [`STREAM_FORMAT`].
    pub format: String,
    /// Always [`STREAM_VERSION`] when written by this build.
    pub version: u32,
    /// The consensus version the stream's results hold under ([`svm::CONSENSUS_VERSION`]). Files of
    /// an older format lack it, and are refused by their format version first.
    #[serde(default)]
    pub consensus_version: u32,
    /// The generating seed.
    pub seed: u64,
    /// `[hex address, balance]` pairs.
    pub genesis: Vec<(String, u64)>,
    /// The code deploys refer to.
    pub contracts: Vec<ContractJson>,
    /// The snapshot it starts from instead of genesis (version 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
}

/// One contract in the header.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractJson {
    /// Hex code hash.
    pub hash: String,
    /// A name for people.
    pub name: String,
    /// Hex code.
    pub wasm: String,
    /// The plan of a generated contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<ContractPlan>,
}

/// One transaction line.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxLineJson {
    /// The layer.
    pub layer: u64,
    /// The transaction.
    pub tx: TxJson,
}

/// A stream as one JSON value (header and transactions), as reproducers embed it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamJson {
    /// The header.
    pub header: HeaderJson,
    /// The transactions.
    pub txs: Vec<TxLineJson>,
}

impl Stream {
    /// The header and transaction lines.
    pub fn to_json(&self) -> StreamJson {
        let header = HeaderJson {
            format: STREAM_FORMAT.into(),
            version: if self.snapshot.is_some() { STREAM_VERSION } else { 3 },
            consensus_version: svm::CONSENSUS_VERSION,
            seed: self.seed,
            genesis: self.genesis.iter().map(|(a, b)| (address_hex(a), *b)).collect(),
            contracts: self
                .contracts
                .iter()
                .map(|(hash, c)| ContractJson {
                    hash: hash.to_string(),
                    name: c.name.clone(),
                    wasm: hex::encode(&c.code),
                    plan: c.plan.clone(),
                })
                .collect(),
            snapshot: self.snapshot.clone(),
        };
        let txs = self.txs.iter().map(|t| TxLineJson { layer: t.layer, tx: TxJson::from_tx(&t.tx) }).collect();
        StreamJson { header, txs }
    }

    /// The stream described by `json`; `first_line` numbers errors (1 for a file's header line).
    pub fn from_json(json: &StreamJson, first_line: usize) -> Result<Stream, StreamError> {
        let header = &json.header;
        if header.format != STREAM_FORMAT {
            return Err(StreamError::WrongFormat(header.format.clone()));
        }
        if !(OLDEST_STREAM_VERSION..=STREAM_VERSION).contains(&header.version) {
            return Err(StreamError::WrongVersion { found: header.version });
        }
        if header.consensus_version != svm::CONSENSUS_VERSION {
            return Err(StreamError::WrongConsensusVersion { found: header.consensus_version });
        }
        let tx_error = |line, source| StreamError::Tx { line, source };
        let mut genesis = Vec::new();
        for (address, balance) in &header.genesis {
            genesis.push((parse_address("genesis", address).map_err(|e| tx_error(first_line, e))?, *balance));
        }
        let mut contracts = BTreeMap::new();
        for c in &header.contracts {
            let code = any_hex("wasm", &c.wasm).map_err(|e| tx_error(first_line, e))?;
            let hash = svm::code::code_hash(&code);
            if hash.to_string() != c.hash {
                return Err(StreamError::CodeMismatch { name: c.name.clone() });
            }
            if let Some(plan) = &c.plan
                && !plan.generates(&c.name, &code)
            {
                return Err(StreamError::PlanMismatch { name: c.name.clone() });
            }
            contracts.insert(hash, StreamContract { name: c.name.clone(), code, plan: c.plan.clone() });
        }
        let mut txs = Vec::with_capacity(json.txs.len());
        for (i, line) in json.txs.iter().enumerate() {
            let tx = line
                .tx
                .to_tx(|hash| contracts.get(hash).map(|c| c.code.clone()))
                .map_err(|e| tx_error(first_line + 1 + i, e))?;
            if let Some(previous) = txs.last().map(|t: &StreamTx| t.layer).filter(|p| line.layer < *p) {
                let message = format!("layer {} comes after layer {previous}: layers never go back", line.layer);
                return Err(StreamError::Json { line: first_line + 1 + i, message });
            }
            txs.push(StreamTx { layer: line.layer, tx });
        }
        if let Some(snapshot) = &header.snapshot {
            if header.version < 4 {
                return Err(StreamError::Json {
                    line: first_line,
                    message: format!("a snapshot needs stream version 4, the header says {}", header.version),
                });
            }
            if !genesis.is_empty() {
                return Err(StreamError::Json {
                    line: first_line,
                    message: "a stream that starts from a snapshot has no genesis".into(),
                });
            }
            any_hex("snapshot root", &snapshot.root).ok().filter(|bytes| bytes.len() == 32).ok_or_else(|| {
                StreamError::Json {
                    line: first_line,
                    message: format!("snapshot root {:?} is not 32 hex bytes", snapshot.root),
                }
            })?;
        }
        Ok(Stream { seed: header.seed, genesis, snapshot: header.snapshot.clone(), contracts, txs })
    }

    /// The stream as JSON lines.
    pub fn to_jsonl(&self) -> String {
        let json = self.to_json();
        let mut out = serde_json::to_string(&json.header).unwrap_or_default();
        out.push('\n');
        for line in &json.txs {
            out.push_str(&serde_json::to_string(line).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// Reads JSON lines.
    pub fn from_jsonl(text: &str) -> Result<Stream, StreamError> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (header_at, header_line) = lines.next().ok_or(StreamError::Empty)?;
        let header: HeaderJson = serde_json::from_str(header_line)
            .map_err(|e| StreamError::Json { line: header_at + 1, message: e.to_string() })?;
        let mut txs = Vec::new();
        for (at, line) in lines {
            txs.push(
                serde_json::from_str(line).map_err(|e| StreamError::Json { line: at + 1, message: e.to_string() })?,
            );
        }
        Stream::from_json(&StreamJson { header, txs }, header_at + 1)
    }

    /// Writes the stream file.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.to_jsonl())
    }

    /// Reads a stream file.
    pub fn read(path: &Path) -> Result<Stream, StreamError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| StreamError::Io { path: path.display().to_string(), source })?;
        Stream::from_jsonl(&text)
    }

    /// A digest of the whole stream (its canonical JSON lines).
    pub fn hash(&self) -> Hash {
        blake3::hash(self.to_jsonl().as_bytes()).into()
    }

    /// The stream with only the transactions at `keep` (in order), everything else unchanged.
    pub fn subset(&self, keep: &[usize]) -> Stream {
        Stream { txs: keep.iter().filter_map(|&i| self.txs.get(i).cloned()).collect(), ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm::transaction::{Deploy, Execute, Transfer};

    fn sample() -> Stream {
        let code = wasm();
        let hash = svm::code::code_hash(&code);
        let mut contracts = BTreeMap::new();
        contracts.insert(hash, StreamContract { name: "empty".into(), code: code.clone(), plan: None });
        Stream {
            seed: 7,
            genesis: vec![(Address([1; 20]), 100)],
            snapshot: None,
            contracts,
            txs: vec![
                StreamTx {
                    layer: 0,
                    tx: Transaction::Deploy(Deploy {
                        author: Address([1; 20]),
                        nonce: 0,
                        code,
                        page_count: 1,
                        slices: vec![svm::storage::page_slices::PageSlice { page: 0, offset: 0, len: 8 }],
                        initial_balance: 5,
                        gas_limit: 1000,
                        gas_price: 3,
                    }),
                },
                StreamTx {
                    layer: 1,
                    tx: Transaction::Execute(Execute {
                        contract: Address([2; 20]),
                        sender: Address([1; 20]),
                        nonce: 1,
                        function: "f".into(),
                        args: vec![svm::Value::I32(-1), svm::Value::I64(i64::MIN)],
                        calldata: vec![0xAB],
                        gas_limit: 5,
                        gas_price: 0,
                        value: 0,
                    }),
                },
                StreamTx {
                    layer: 2,
                    tx: Transaction::Transfer(Transfer {
                        from: Address([1; 20]),
                        to: Address([3; 20]),
                        nonce: 2,
                        amount: 9,
                        gas_price: 7,
                    }),
                },
            ],
        }
    }

    fn wasm() -> Vec<u8> {
        b"\0asm\x01\0\0\0".to_vec()
    }

    #[test]
    fn streams_round_trip_through_json_lines() {
        let stream = sample();
        let text = stream.to_jsonl();
        assert_eq!(text.lines().count(), 4);
        assert_eq!(Stream::from_jsonl(&text).unwrap(), stream);
    }

    #[test]
    fn bad_files_are_typed_errors() {
        let text = sample().to_jsonl();
        assert!(matches!(Stream::from_jsonl(""), Err(StreamError::Empty)));
        let truncated = &text[..text.len() - 10];
        assert!(matches!(Stream::from_jsonl(truncated), Err(StreamError::Json { line: 4, .. })));
        let wrong_version = text.replacen("\"version\":3", "\"version\":9", 1);
        let current = format!("\"consensus_version\":{}", svm::CONSENSUS_VERSION);
        let wrong_consensus = text.replacen(&current, "\"consensus_version\":99", 1);
        let refused = Stream::from_jsonl(&wrong_consensus).unwrap_err();
        assert!(matches!(refused, StreamError::WrongConsensusVersion { found: 99 }));
        let this_build = format!("consensus version {}", svm::CONSENSUS_VERSION);
        assert!(refused.to_string().contains("99") && refused.to_string().contains(&this_build));
        assert!(matches!(Stream::from_jsonl(&wrong_version), Err(StreamError::WrongVersion { found: 9 })));
        let wrong_format = text.replacen("svm-stream", "svm-other", 1);
        assert!(matches!(Stream::from_jsonl(&wrong_format), Err(StreamError::WrongFormat(_))));
        let hash = svm::code::code_hash(&wasm()).to_string();
        let unknown = text.replacen(&format!("\"code\":\"{hash}\""), &format!("\"code\":\"{}\"", "ab".repeat(32)), 1);
        assert!(matches!(
            Stream::from_jsonl(&unknown),
            Err(StreamError::Tx { line: 2, source: TxFormatError::UnknownContract(_) })
        ));
        let bad_address = text.replacen("\"sender\":\"0101", "\"sender\":\"zz01", 1);
        assert!(matches!(Stream::from_jsonl(&bad_address), Err(StreamError::Tx { line: 3, .. })));
        let mut back = sample();
        back.txs[2].layer = 0;
        let refused = Stream::from_jsonl(&back.to_jsonl()).unwrap_err();
        assert!(
            matches!(&refused, StreamError::Json { line: 4, message } if message.contains("never go back")),
            "{refused}"
        );
    }

    #[test]
    fn a_snapshot_start_round_trips_as_version_4_and_a_stream_without_one_stays_version_3() {
        let plain = sample();
        assert!(plain.to_jsonl().starts_with(&format!("{{\"format\":\"{STREAM_FORMAT}\",\"version\":3,")));
        let snapshot = Snapshot { store: "node.redb".into(), layer: 4, root: "ab".repeat(32), applied: 17 };
        let live = Stream { genesis: Vec::new(), snapshot: Some(snapshot), ..sample() };
        let text = live.to_jsonl();
        assert!(text.contains("\"version\":4,"), "{text}");
        assert_eq!(Stream::from_jsonl(&text).unwrap(), live);
        // A snapshot under an older version, beside a genesis, or with a root that is not one: refused.
        for (from, to) in [
            ("\"version\":4,", "\"version\":3,"),
            ("\"genesis\":[]", "\"genesis\":[[\"0101010101010101010101010101010101010101\",1]]"),
            (&"ab".repeat(32)[..], "abc"),
        ] {
            let bad = text.replacen(from, to, 1);
            assert!(matches!(Stream::from_jsonl(&bad), Err(StreamError::Json { line: 1, .. })), "{to}");
        }
    }
}
