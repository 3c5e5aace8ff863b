//! The JSON form of transactions in stream files: hex for bytes and addresses, code by hash.

use serde::{Deserialize, Serialize};
use svm::storage::page_slices::PageSlice;
use svm::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};
use svm::{Address, Hash, Value};
use thiserror::Error;

/// A transaction as a stream file holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TxJson {
    /// A deploy; `code` is the hex code hash of a contract listed in the stream header.
    Deploy {
        /// Hex address.
        author: String,
        /// The author's nonce.
        nonce: u64,
        /// Hex code hash.
        code: String,
        /// Storage pages.
        page_count: u32,
        /// Storage slices as `[page, offset, length]`.
        slices: Vec<[u32; 3]>,
        /// Balance moved to the contract.
        initial_balance: u64,
        /// Gas limit.
        gas_limit: u64,
        /// Gas price.
        gas_price: u64,
    },
    /// An execution.
    Execute {
        /// Hex address of the contract.
        contract: String,
        /// Hex address of the sender.
        sender: String,
        /// The sender's nonce.
        nonce: u64,
        /// The exported function.
        function: String,
        /// Typed arguments.
        args: Vec<ValueJson>,
        /// Hex calldata.
        calldata: String,
        /// Gas limit.
        gas_limit: u64,
        /// Gas price.
        gas_price: u64,
        /// Balance moved to the contract.
        value: u64,
    },
    /// A transfer.
    Transfer {
        /// Hex address of the payer.
        from: String,
        /// Hex address of the payee.
        to: String,
        /// The payer's nonce.
        nonce: u64,
        /// Amount.
        amount: u64,
        /// Gas price.
        gas_price: u64,
    },
    /// A library deploy; `code` is the hex code hash of code listed in the stream header.
    DeployLibrary {
        /// Hex address.
        author: String,
        /// The author's nonce.
        nonce: u64,
        /// Hex code hash.
        code: String,
        /// Gas limit.
        gas_limit: u64,
        /// Gas price.
        gas_price: u64,
    },
}

/// A typed argument: `{"i32": 5}`, `{"i64": -1}`, or a float by its exact bits in hex,
/// `{"f32": "7fc00000"}`, `{"f64": "3ff0000000000000"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ValueJson {
    /// An i32.
    I32(i32),
    /// An i64.
    I64(i64),
    /// An f32's 4 bytes of bits, big-endian hex.
    F32(String),
    /// An f64's 8 bytes of bits, big-endian hex.
    F64(String),
}

impl From<Value> for ValueJson {
    fn from(value: Value) -> ValueJson {
        match value {
            Value::I32(x) => ValueJson::I32(x),
            Value::I64(x) => ValueJson::I64(x),
            Value::F32(bits) => ValueJson::F32(format!("{bits:08x}")),
            Value::F64(bits) => ValueJson::F64(format!("{bits:016x}")),
        }
    }
}

impl TryFrom<&ValueJson> for Value {
    type Error = TxFormatError;

    fn try_from(value: &ValueJson) -> Result<Value, TxFormatError> {
        Ok(match value {
            ValueJson::I32(x) => Value::I32(*x),
            ValueJson::I64(x) => Value::I64(*x),
            ValueJson::F32(hex) => Value::F32(u32::from_be_bytes(fixed_hex::<4>("f32", hex)?)),
            ValueJson::F64(hex) => Value::F64(u64::from_be_bytes(fixed_hex::<8>("f64", hex)?)),
        })
    }
}

/// Why a transaction in a stream file is unusable.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TxFormatError {
    /// A field that should be hex of a given length is not.
    #[error("{field}: expected {bytes} bytes of hex, got {value:?}")]
    BadHex {
        /// The field.
        field: &'static str,
        /// Expected length in bytes (0: any).
        bytes: usize,
        /// What was found.
        value: String,
    },
    /// A deploy names code the stream does not carry.
    #[error("unknown contract: no code with hash {0} in the stream header")]
    UnknownContract(String),
}

/// `value` as exactly `N` bytes of hex.
pub fn fixed_hex<const N: usize>(field: &'static str, value: &str) -> Result<[u8; N], TxFormatError> {
    let bytes = hex::decode(value).map_err(|_| TxFormatError::BadHex { field, bytes: N, value: value.into() })?;
    bytes.try_into().map_err(|_| TxFormatError::BadHex { field, bytes: N, value: value.into() })
}

/// `value` as hex bytes of any length.
pub fn any_hex(field: &'static str, value: &str) -> Result<Vec<u8>, TxFormatError> {
    hex::decode(value).map_err(|_| TxFormatError::BadHex { field, bytes: 0, value: value.into() })
}

/// An address as hex.
pub fn address_hex(address: &Address) -> String {
    hex::encode(address.0)
}

/// Parses a hex address.
pub fn parse_address(field: &'static str, value: &str) -> Result<Address, TxFormatError> {
    Ok(Address(fixed_hex::<20>(field, value)?))
}

impl TxJson {
    /// The JSON form of `tx` (deploy code by its hash).
    pub fn from_tx(tx: &Transaction) -> TxJson {
        match tx {
            Transaction::Deploy(d) => TxJson::Deploy {
                author: address_hex(&d.author),
                nonce: d.nonce,
                code: svm::code::code_hash(&d.code).to_string(),
                page_count: d.page_count,
                slices: d.slices.iter().map(|s| [s.page, s.offset, s.len]).collect(),
                initial_balance: d.initial_balance,
                gas_limit: d.gas_limit,
                gas_price: d.gas_price,
            },
            Transaction::Execute(e) => TxJson::Execute {
                contract: address_hex(&e.contract),
                sender: address_hex(&e.sender),
                nonce: e.nonce,
                function: e.function.clone(),
                args: e.args.iter().map(|&v| v.into()).collect(),
                calldata: hex::encode(&e.calldata),
                gas_limit: e.gas_limit,
                gas_price: e.gas_price,
                value: e.value,
            },
            Transaction::Transfer(t) => TxJson::Transfer {
                from: address_hex(&t.from),
                to: address_hex(&t.to),
                nonce: t.nonce,
                amount: t.amount,
                gas_price: t.gas_price,
            },
            Transaction::DeployLibrary(l) => TxJson::DeployLibrary {
                author: address_hex(&l.author),
                nonce: l.nonce,
                code: svm::code::code_hash(&l.code).to_string(),
                gas_limit: l.gas_limit,
                gas_price: l.gas_price,
            },
        }
    }

    /// The transaction, with deploy code looked up by hash through `code`.
    pub fn to_tx(&self, code: impl Fn(&Hash) -> Option<Vec<u8>>) -> Result<Transaction, TxFormatError> {
        Ok(match self {
            TxJson::Deploy { author, nonce, code: hash, page_count, slices, initial_balance, gas_limit, gas_price } => {
                let hash = Hash(fixed_hex::<32>("code", hash)?);
                Transaction::Deploy(Deploy {
                    author: parse_address("author", author)?,
                    nonce: *nonce,
                    code: code(&hash).ok_or_else(|| TxFormatError::UnknownContract(hash.to_string()))?,
                    page_count: *page_count,
                    slices: slices
                        .iter()
                        .map(|[page, offset, len]| PageSlice { page: *page, offset: *offset, len: *len })
                        .collect(),
                    initial_balance: *initial_balance,
                    gas_limit: *gas_limit,
                    gas_price: *gas_price,
                })
            }
            TxJson::Execute { contract, sender, nonce, function, args, calldata, gas_limit, gas_price, value } => {
                Transaction::Execute(Execute {
                    contract: parse_address("contract", contract)?,
                    sender: parse_address("sender", sender)?,
                    nonce: *nonce,
                    function: function.clone(),
                    args: args.iter().map(Value::try_from).collect::<Result<_, _>>()?,
                    calldata: any_hex("calldata", calldata)?,
                    gas_limit: *gas_limit,
                    gas_price: *gas_price,
                    value: *value,
                })
            }
            TxJson::Transfer { from, to, nonce, amount, gas_price } => Transaction::Transfer(Transfer {
                from: parse_address("from", from)?,
                to: parse_address("to", to)?,
                nonce: *nonce,
                amount: *amount,
                gas_price: *gas_price,
            }),
            TxJson::DeployLibrary { author, nonce, code: hash, gas_limit, gas_price } => {
                let hash = Hash(fixed_hex::<32>("code", hash)?);
                Transaction::DeployLibrary(DeployLibrary {
                    author: parse_address("author", author)?,
                    nonce: *nonce,
                    code: code(&hash).ok_or_else(|| TxFormatError::UnknownContract(hash.to_string()))?,
                    gas_limit: *gas_limit,
                    gas_price: *gas_price,
                })
            }
        })
    }
}
