//! A node's transaction log: every transaction it applied, in order, with its layer, encoded with the
//! canonical codec — what a node keeps of the transactions it saw, and what `svm-sim import` turns
//! into a stream that starts from the node's snapshot.
//!
//! **Format.** `SVMTXLOG`, a u32 format version and a u32 consensus version (little-endian), then one
//! record per transaction: its layer (u64 LE), the length of its encoding (u32 LE), and the
//! canonical encoding of the transaction (`svm::codec`, no version byte). A record that is cut short,
//! does not decode, or is not the canonical encoding of what it decodes to is refused by its index.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use svm::transaction::Transaction;
use thiserror::Error;

/// The file's first bytes.
pub const TX_LOG_MAGIC: &[u8; 8] = b"SVMTXLOG";
/// The format version this build writes and reads.
pub const TX_LOG_VERSION: u32 = 1;
const HEADER_LEN: usize = 16;

/// One logged transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedTx {
    /// The layer it was applied in.
    pub layer: u64,
    /// The transaction.
    pub tx: Transaction,
}

/// Why a log could not be read or written.
#[derive(Debug, Error)]
pub enum TxLogError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a transaction log.
    #[error("{path}: not a transaction log (it does not start with SVMTXLOG)")]
    NotALog {
        /// The file.
        path: String,
    },
    /// The log's format version is not this build's.
    #[error("{path}: transaction log format {found}; this build reads format {TX_LOG_VERSION}")]
    Version {
        /// The file.
        path: String,
        /// The version found.
        found: u32,
    },
    /// The log was written under other consensus rules.
    #[error(
        "{path}: written under consensus version {found}; this build runs consensus version {}",
        svm::CONSENSUS_VERSION
    )]
    ConsensusVersion {
        /// The file.
        path: String,
        /// The version found.
        found: u32,
    },
    /// A record is cut short.
    #[error("{path}: transaction {index} (at byte {offset}) is truncated")]
    Truncated {
        /// The file.
        path: String,
        /// The record's index.
        index: usize,
        /// Where it starts.
        offset: usize,
    },
    /// A record does not decode.
    #[error("{path}: transaction {index} does not decode: {message}")]
    Decode {
        /// The file.
        path: String,
        /// The record's index.
        index: usize,
        /// The codec's message.
        message: String,
    },
    /// A record decodes, but is not the canonical encoding of what it decodes to.
    #[error("{path}: transaction {index} is not canonically encoded")]
    NonCanonical {
        /// The file.
        path: String,
        /// The record's index.
        index: usize,
    },
    /// The log holds fewer transactions than the node's store has applied.
    #[error("{path}: the log holds {logged} transactions but the store has applied {applied}")]
    Behind {
        /// The file.
        path: String,
        /// Records in the log.
        logged: usize,
        /// Transactions the store's head counts.
        applied: u64,
    },
}

/// Every transaction of the log at `path`.
pub fn read_tx_log(path: &Path) -> Result<Vec<LoggedTx>, TxLogError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TxLogError::Io { path: name.clone(), source })?;
    parse(&name, &bytes).map(|(txs, _)| txs)
}

/// The transactions of a log's bytes, with the byte offset each record ends at.
fn parse(path: &str, bytes: &[u8]) -> Result<(Vec<LoggedTx>, Vec<usize>), TxLogError> {
    if bytes.len() < HEADER_LEN || &bytes[..8] != TX_LOG_MAGIC {
        return Err(TxLogError::NotALog { path: path.into() });
    }
    let u32_at = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    if u32_at(8) != TX_LOG_VERSION {
        return Err(TxLogError::Version { path: path.into(), found: u32_at(8) });
    }
    if u32_at(12) != svm::CONSENSUS_VERSION {
        return Err(TxLogError::ConsensusVersion { path: path.into(), found: u32_at(12) });
    }
    let mut txs = Vec::new();
    let mut ends = Vec::new();
    let mut at = HEADER_LEN;
    while at < bytes.len() {
        let index = txs.len();
        let truncated = || TxLogError::Truncated { path: path.into(), index, offset: at };
        let head = bytes.get(at..at + 12).ok_or_else(truncated)?;
        let layer = u64::from_le_bytes(head[..8].try_into().map_err(|_| truncated())?);
        let len = u32::from_le_bytes(head[8..].try_into().map_err(|_| truncated())?) as usize;
        let body = bytes.get(at + 12..at + 12 + len).ok_or_else(truncated)?;
        let tx: Transaction = svm::codec::decode(body).map_err(|e| TxLogError::Decode {
            path: path.into(),
            index,
            message: e.to_string(),
        })?;
        if svm::codec::encode(&tx) != body {
            return Err(TxLogError::NonCanonical { path: path.into(), index });
        }
        txs.push(LoggedTx { layer, tx });
        at += 12 + len;
        ends.push(at);
    }
    Ok((txs, ends))
}

/// The bytes of one record.
fn record(layer: u64, tx: &Transaction) -> Vec<u8> {
    let body = svm::codec::encode(tx);
    let mut out = Vec::with_capacity(12 + body.len());
    out.extend_from_slice(&layer.to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// Appends to a node's transaction log.
pub struct TxLogWriter {
    path: PathBuf,
    file: BufWriter<File>,
}

impl TxLogWriter {
    /// Opens the log at `path` for a node whose store has applied `applied` transactions: a new log
    /// (`applied` must be 0), or an existing one cut back to its first `applied` records (what a node
    /// logged past its durable head, it applies — and logs — again).
    pub fn open(path: &Path, applied: u64) -> Result<TxLogWriter, TxLogError> {
        let name = path.display().to_string();
        let io = |source| TxLogError::Io { path: name.clone(), source };
        let keep = if path.exists() {
            let bytes = std::fs::read(path).map_err(io)?;
            let (txs, ends) = parse(&name, &bytes)?;
            if (txs.len() as u64) < applied {
                return Err(TxLogError::Behind { path: name, logged: txs.len(), applied });
            }
            if applied == 0 { HEADER_LEN } else { ends[applied as usize - 1] }
        } else {
            if applied > 0 {
                return Err(TxLogError::Behind { path: name, logged: 0, applied });
            }
            let mut header = TX_LOG_MAGIC.to_vec();
            header.extend_from_slice(&TX_LOG_VERSION.to_le_bytes());
            header.extend_from_slice(&svm::CONSENSUS_VERSION.to_le_bytes());
            std::fs::write(path, header).map_err(io)?;
            HEADER_LEN
        };
        let file = OpenOptions::new().write(true).open(path).map_err(io)?;
        file.set_len(keep as u64).map_err(io)?;
        let mut file = BufWriter::new(file);
        std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).map_err(io)?;
        Ok(TxLogWriter { path: path.to_path_buf(), file })
    }

    /// Appends one transaction (buffered until [`TxLogWriter::sync`]).
    pub fn append(&mut self, layer: u64, tx: &Transaction) -> Result<(), TxLogError> {
        self.file.write_all(&record(layer, tx)).map_err(|source| self.io(source))
    }

    /// Makes every appended transaction durable.
    pub fn sync(&mut self) -> Result<(), TxLogError> {
        self.file.flush().map_err(|source| self.io(source))?;
        self.file.get_ref().sync_data().map_err(|source| self.io(source))
    }

    fn io(&self, source: std::io::Error) -> TxLogError {
        TxLogError::Io { path: self.path.display().to_string(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm::transaction::Transfer;

    fn transfer(nonce: u64) -> Transaction {
        Transaction::Transfer(Transfer {
            from: svm::Address([1; 20]),
            to: svm::Address([2; 20]),
            nonce,
            amount: 5,
            gas_price: 1,
        })
    }

    #[test]
    fn a_log_round_trips_and_resuming_cuts_it_back_to_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.txlog");
        let mut log = TxLogWriter::open(&path, 0).unwrap();
        for nonce in 0..5 {
            log.append(nonce / 2, &transfer(nonce)).unwrap();
        }
        log.sync().unwrap();
        drop(log);
        let txs = read_tx_log(&path).unwrap();
        assert_eq!(txs.len(), 5);
        assert_eq!(txs[3], LoggedTx { layer: 1, tx: transfer(3) });
        // A node resumed at 3 applied transactions logs the fourth again.
        let mut log = TxLogWriter::open(&path, 3).unwrap();
        log.append(1, &transfer(3)).unwrap();
        log.sync().unwrap();
        assert_eq!(read_tx_log(&path).unwrap(), txs[..4].to_vec());
        assert!(matches!(TxLogWriter::open(&path, 9), Err(TxLogError::Behind { logged: 4, applied: 9, .. })));
    }

    #[test]
    fn a_cut_or_non_canonical_record_is_refused_by_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.txlog");
        let mut log = TxLogWriter::open(&path, 0).unwrap();
        log.append(0, &transfer(0)).unwrap();
        log.append(0, &transfer(1)).unwrap();
        log.sync().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let cut = &bytes[..bytes.len() - 3];
        assert!(matches!(parse("log", cut), Err(TxLogError::Truncated { index: 1, .. })));
        // A body with a byte appended inside its length: it no longer decodes to exactly one value.
        let mut long = bytes.clone();
        let second = HEADER_LEN + 12 + svm::codec::encode(&transfer(0)).len();
        let len = u32::from_le_bytes(long[second + 8..second + 12].try_into().unwrap());
        long[second + 8..second + 12].copy_from_slice(&(len + 1).to_le_bytes());
        long.push(0);
        assert!(matches!(parse("log", &long), Err(TxLogError::Decode { index: 1, .. })));
        assert!(matches!(parse("log", b"not a log at all"), Err(TxLogError::NotALog { .. })));
        let mut other = bytes.clone();
        other[12] ^= 1;
        assert!(matches!(parse("log", &other), Err(TxLogError::ConsensusVersion { .. })));
    }
}
