//! Transactions from their JSON form — the form stream files (`corpus/streams/*.jsonl`) write — so that
//! callers without the canonical codec (Go, C tools) can build transaction messages.
//!
//! `{"deploy": {"author", "nonce", "code", "page_count", "slices", "initial_balance", "gas_limit",
//! "gas_price"}}`, `{"execute": {"contract", "sender", "nonce", "function", "args", "calldata",
//! "gas_limit", "gas_price", "value"}}`, `{"transfer": {"from", "to", "nonce", "amount", "gas_price"}}`,
//! `{"deploy_library": {"author", "nonce", "code", "gas_limit", "gas_price"}}`.
//! Addresses and bytes are hex; `args` are `{"i32": n}`, `{"i64": n}`, or floats by their bits in
//! big-endian hex, `{"f32": "7fc00000"}`. A deploy's or library deploy's code travels beside the JSON (stream
//! files carry it by hash); its `code` field, the hex code hash, may be left out, and must match when present.

use crate::error::FfiError;
use serde::Deserialize;
use svm::layout::PageSlice;
use svm::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};
use svm::{Address, Value};

/// A transaction's JSON form.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum TxJson {
    Deploy {
        author: String,
        nonce: u64,
        #[serde(default)]
        code: Option<String>,
        page_count: u32,
        slices: Vec<[u32; 3]>,
        initial_balance: u64,
        gas_limit: u64,
        gas_price: u64,
    },
    Execute {
        contract: String,
        sender: String,
        nonce: u64,
        function: String,
        args: Vec<ValueJson>,
        calldata: String,
        gas_limit: u64,
        gas_price: u64,
        value: u64,
    },
    Transfer {
        from: String,
        to: String,
        nonce: u64,
        amount: u64,
        gas_price: u64,
    },
    DeployLibrary {
        author: String,
        nonce: u64,
        #[serde(default)]
        code: Option<String>,
        gas_limit: u64,
        gas_price: u64,
    },
}

/// A typed argument.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum ValueJson {
    I32(i32),
    I64(i64),
    F32(String),
    F64(String),
}

/// The transaction `json` describes; `code` is a deploy's code (and must be empty for other kinds).
pub fn transaction_from_json(json: &str, code: &[u8]) -> Result<Transaction, FfiError> {
    let tx: TxJson = serde_json::from_str(json).map_err(|e| FfiError::input("transaction JSON", e))?;
    if !code.is_empty() && !matches!(tx, TxJson::Deploy { .. } | TxJson::DeployLibrary { .. }) {
        return Err(FfiError::input("code", "only a deploy or a library deploy carries code"));
    }
    Ok(match tx {
        TxJson::Deploy { author, nonce, code: hash, page_count, slices, initial_balance, gas_limit, gas_price } => {
            check_code(code, hash)?;
            Transaction::Deploy(Deploy {
                author: address("author", &author)?,
                nonce,
                code: code.to_vec(),
                page_count,
                slices: slices.iter().map(|&[page, offset, len]| PageSlice { page, offset, len }).collect(),
                initial_balance,
                gas_limit,
                gas_price,
            })
        }
        TxJson::Execute { contract, sender, nonce, function, args, calldata, gas_limit, gas_price, value } => {
            Transaction::Execute(Execute {
                contract: address("contract", &contract)?,
                sender: address("sender", &sender)?,
                nonce,
                function,
                args: args.iter().map(value_of).collect::<Result<_, _>>()?,
                calldata: hex::decode(&calldata).map_err(|e| FfiError::input("calldata", e))?,
                gas_limit,
                gas_price,
                value,
            })
        }
        TxJson::Transfer { from, to, nonce, amount, gas_price } => Transaction::Transfer(Transfer {
            from: address("from", &from)?,
            to: address("to", &to)?,
            nonce,
            amount,
            gas_price,
        }),
        TxJson::DeployLibrary { author, nonce, code: hash, gas_limit, gas_price } => {
            check_code(code, hash)?;
            Transaction::DeployLibrary(DeployLibrary {
                author: address("author", &author)?,
                nonce,
                code: code.to_vec(),
                gas_limit,
                gas_price,
            })
        }
    })
}

/// Checks that a deploy's `code` is there and, when the JSON names its hash, has that hash.
fn check_code(code: &[u8], hash: Option<String>) -> Result<(), FfiError> {
    if code.is_empty() {
        return Err(FfiError::input("code", "a deploy needs its code"));
    }
    let actual = svm::code::code_hash(code);
    match hash {
        Some(hash) if hash != actual.to_string() => {
            Err(FfiError::input("code", format!("the code's hash is {actual}, the JSON names {hash}")))
        }
        _ => Ok(()),
    }
}

fn value_of(value: &ValueJson) -> Result<Value, FfiError> {
    Ok(match value {
        ValueJson::I32(x) => Value::I32(*x),
        ValueJson::I64(x) => Value::I64(*x),
        ValueJson::F32(bits) => Value::F32(u32::from_be_bytes(fixed_hex("f32", bits)?)),
        ValueJson::F64(bits) => Value::F64(u64::from_be_bytes(fixed_hex("f64", bits)?)),
    })
}

fn address(what: &'static str, text: &str) -> Result<Address, FfiError> {
    Ok(Address(fixed_hex(what, text)?))
}

fn fixed_hex<const N: usize>(what: &'static str, text: &str) -> Result<[u8; N], FfiError> {
    let bytes = hex::decode(text).map_err(|e| FfiError::input(what, e))?;
    bytes.try_into().map_err(|b: Vec<u8>| FfiError::input(what, format!("{} bytes of hex, not {N}", b.len())))
}
