//! The hash and encoding vectors: every identifier, hash and encoding of `docs/consensus.md` on fixed
//! inputs. [`compute`] evaluates a function on a vector's inputs through the runtime's own code, so the
//! checked-in outputs are the runtime's; a second implementation computes them its own way.

use super::{Case, Vector};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::account::{Account, ContractInfo};
use svm::contract_meta::{ContractMeta, FunctionSignature};
use svm::outcome::Outcome;
use svm::receipt::Receipt;
use svm::state::AccountTrie;
use svm::storage::collections::CollectionTree;
use svm::storage::kv::{MemKv, WriteBatch};
use svm::storage::page_slices::{PageSlice, StorageLayout};
use svm::storage::pages::{Page, PagesStorage, node_hash, page_hash};
use svm::transaction::{DeployLibrary, Execute, Transaction, Transfer};
use svm::{Address, ContractState, Hash, StateRoot, Value, ValueType};
use svm_fuzzing::tx_format::{ValueJson, any_hex, fixed_hex};

const RULE: &str = "docs/consensus.md#hashes-and-encodings";

fn address(byte: u8) -> String {
    hex::encode([byte; 20])
}

fn hash(byte: u8) -> String {
    hex::encode([byte; 32])
}

/// Every hash vector.
pub fn all() -> Vec<Vector> {
    let mut page = vec![0u8; 4096];
    page[0] = 0xAB;
    page[4095] = 0x01;
    let cases = vec![
        ("hash/code", "code_hash", "blake3 of the code bytes.", json!({"code": "0061736d01000000"})),
        (
            "hash/contract-address",
            "contract_address",
            "The first 20 bytes of blake3 over the author, the nonce (u64 little-endian) and the code hash.",
            json!({"author": address(0x11), "nonce": 7, "code_hash": hash(0x33)}),
        ),
        (
            "hash/library-address",
            "library_address",
            "A library's account: the first 20 bytes of blake3 over \"svm-library\" and its code hash.",
            json!({"code_hash": hash(0x33)}),
        ),
        ("hash/fee-account", "fee_account", "The first 20 bytes of blake3(\"svm/v1/fee-account\").", json!({})),
        (
            "hash/page",
            "page_hash",
            "Keyed blake3 (key \"svm/v1/page-hash/...............\") over the 4,096 page bytes, the page index \
             (u32 little-endian) and the contract address.",
            json!({"address": address(0x11), "index": 5, "page": hex::encode(&page)}),
        ),
        (
            "hash/page-zero",
            "page_hash",
            "An all-zero page hashes to 32 zero bytes.",
            json!({"address": address(0x11), "index": 5, "page": hex::encode([0u8; 4096])}),
        ),
        (
            "hash/page-tree-node",
            "page_tree_node",
            "Keyed blake3 (key \"svm/v1/page-tree-node/..........\") over the left and right child hashes; two zero \
             children give zero.",
            json!({"left": hash(0x01), "right": hex::encode([0u8; 32])}),
        ),
        (
            "hash/contract-state",
            "contract_state",
            "The root of the page tree of a 3-page contract (depth 2: 4 leaves, the last a padding zero) whose \
             page 1 is the page above and others are zero.",
            json!({"address": address(0x11), "page_count": 3, "pages": {"1": hex::encode(&page)}}),
        ),
        (
            "hash/contract-state-one-page",
            "contract_state",
            "A one-page contract's state is its page's hash (depth 0).",
            json!({"address": address(0x11), "page_count": 1, "pages": {"0": hex::encode(&page)}}),
        ),
        (
            "encoding/account",
            "account_encoding",
            "The canonical encoding of a contract account.",
            json!({"balance": 1000, "nonce": 3,
                   "contract": {"code_hash": hash(0x33), "meta_hash": hash(0x44), "state": hash(0x55)}}),
        ),
        (
            "encoding/account-plain",
            "account_encoding",
            "The canonical encoding of an ordinary account.",
            json!({"balance": 1, "nonce": 0, "contract": null}),
        ),
        (
            "encoding/account-library",
            "account_encoding",
            "The canonical encoding of a library's account: kind 2, then the library's code hash.",
            json!({"balance": 0, "nonce": 0, "contract": null, "library": hash(0x33)}),
        ),
        (
            "hash/state-root-one",
            "state_root",
            "The account trie's root over one account.",
            json!({"accounts": [{"address": address(0x11), "balance": 1000, "nonce": 0, "contract": null}]}),
        ),
        (
            "hash/state-root-three",
            "state_root",
            "The account trie's root over three accounts (the order they are listed in does not matter).",
            json!({"accounts": [
                {"address": address(0x22), "balance": 5, "nonce": 1, "contract": null},
                {"address": address(0x11), "balance": 1000, "nonce": 0, "contract": null},
                {"address": address(0xC2), "balance": 7, "nonce": 0,
                 "contract": {"code_hash": hash(0x33), "meta_hash": hash(0x44), "state": hex::encode([0u8; 32])}}]}),
        ),
        ("hash/state-root-empty", "state_root", "The root of no accounts is 32 zero bytes.", json!({"accounts": []})),
        (
            "hash/collection-empty",
            "collection_root",
            "The root of an empty collection is 32 zero bytes.",
            json!({"width": 2, "entries": []}),
        ),
        (
            "hash/collection-one",
            "collection_root",
            "A collection of one entry: its leaf hash (key width, key and value under the collection leaf key).",
            json!({"width": 2, "entries": [["0102", "ff"]]}),
        ),
        (
            "hash/collection-five",
            "collection_root",
            "A crit-bit tree over five 2-byte keys, an empty value among them (the order entries are listed in, \
             and so inserted, does not matter).",
            json!({"width": 2, "entries": [["8000", "aa"], ["0001", ""], ["0100", "0102"], ["0003", "03"], ["00ff", "ff"]]}),
        ),
        (
            "encoding/contract-meta",
            "contract_meta_hash",
            "blake3 of the canonical encoding of a contract's metadata: code length, layout, exports with signatures.",
            json!({"code_len": 204, "page_count": 2, "slices": [[0, 0, 8], [1, 16, 4]],
                   "exports": {"get": {"params": [], "results": ["i64"]}, "add": {"params": ["i64"], "results": ["i64"]}}}),
        ),
        (
            "encoding/contract-meta-with-libraries",
            "contract_meta_hash",
            "A contract that links two libraries: the library count and code hashes follow the exports (a contract \
             that links none has no such list).",
            json!({"code_len": 1204, "page_count": 1, "slices": [[0, 0, 8]],
                   "exports": {"run": {"params": ["i64"], "results": ["i64"]}},
                   "libraries": [hash(0x61), hash(0x62)]}),
        ),
        (
            "encoding/receipt",
            "receipt_encoding",
            "The canonical encoding of a receipt (the diagnostic is not part of it).",
            receipt_inputs(),
        ),
        ("hash/receipt", "receipt_hash", "blake3 of the receipt's canonical encoding.", receipt_inputs()),
        (
            "encoding/receipt-with-events",
            "receipt_encoding",
            "A receipt with two events: one with two topics and data, one with neither (the events list follows the \
             logs; each event is its contract, topic count, topics, data and expiry).",
            receipt_with_events(),
        ),
        (
            "encoding/receipt-with-calls",
            "receipt_encoding",
            "A receipt with three call records: a successful call at depth 2, a call it made that was refused for \
             re-entry at depth 3, and a callee out of gas at depth 2 (the calls list follows the events; each record is \
             its depth, caller, callee, function, outcome codes, gas used and value).",
            receipt_with_calls(),
        ),
        (
            "hash/state-root-with-events",
            "state_root_with_events",
            "While any event is live, the state root is keyed blake3 (key \"svm/v1/state/root...............\") over \
             the account root and the event store's root.",
            json!({"accounts": hash(0x11), "events": hash(0x22)}),
        ),
        (
            "hash/state-root-no-events",
            "state_root_with_events",
            "With no live event (an event root of 32 zero bytes) the state root is the account root itself.",
            json!({"accounts": hash(0x11), "events": hex::encode([0u8; 32])}),
        ),
        (
            "encoding/transaction-execute",
            "transaction_encoding",
            "The canonical encoding of an execution.",
            json!({"execute": {"contract": address(0xC2), "sender": address(0x11), "nonce": 4, "function": "add",
                   "args": [{"i64": -1}, {"i32": 7}], "calldata": "abcd", "gas_limit": 1000000, "gas_price": 3, "value": 9}}),
        ),
        (
            "encoding/transaction-deploy-library",
            "transaction_encoding",
            "The canonical encoding of a library deploy (tag 3).",
            json!({"deploy_library": {"author": address(0x11), "nonce": 2, "code": "0061736d01000000",
                   "gas_limit": 5000000, "gas_price": 1}}),
        ),
        (
            "encoding/transaction-transfer",
            "transaction_encoding",
            "The canonical encoding of a transfer.",
            json!({"transfer": {"from": address(0x11), "to": address(0x22), "nonce": 0, "amount": 5, "gas_price": 1}}),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, function, description, inputs)| {
            let output = compute(function, &inputs).unwrap_or_else(|e| panic!("{name}: {e}"));
            Vector::new(name, RULE, description, Case::Hash { function: function.into(), inputs, output })
        })
        .collect()
}

fn receipt_with_events() -> serde_json::Value {
    let mut inputs = receipt_inputs();
    inputs["events"] = json!([
        {"contract": address(0xC2), "topics": [hash(0x01), hash(0x02)], "data": "0a0b0c", "expires": 12},
        {"contract": address(0xC2), "topics": [], "data": "", "expires": 10},
    ]);
    inputs
}

fn receipt_with_calls() -> serde_json::Value {
    let mut inputs = receipt_inputs();
    inputs["calls"] = json!([
        {"depth": 2, "caller": address(0xC2), "callee": address(0xC3), "function": "relay", "outcome": "success",
         "gas_used": 41_203, "value": 40},
        {"depth": 3, "caller": address(0xC3), "callee": address(0xC2), "function": "relay", "outcome": "refused:reentry",
         "gas_used": 0, "value": 0},
        {"depth": 2, "caller": address(0xC2), "callee": address(0xC4), "function": "spin", "outcome": "out-of-gas",
         "gas_used": 30_000, "value": 0},
    ]);
    inputs
}

fn receipt_inputs() -> serde_json::Value {
    json!({"outcome": "success", "gas_used": 30243, "contract": address(0xC2), "state": hash(0x55),
           "returns": [{"i64": 1}], "returndata": "0102", "logs": ["ff", ""], "diagnostic": "not consensus data"})
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractJson {
    code_hash: String,
    meta_hash: String,
    state: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountJson {
    #[serde(default)]
    address: Option<String>,
    balance: u64,
    nonce: u64,
    contract: Option<ContractJson>,
    /// A library's account: the library's hex code hash.
    #[serde(default)]
    library: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureJson {
    params: Vec<String>,
    results: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiptJson {
    outcome: String,
    gas_used: u64,
    contract: Option<String>,
    state: Option<String>,
    returns: Vec<ValueJson>,
    returndata: String,
    logs: Vec<String>,
    /// Events, in order.
    #[serde(default)]
    events: Vec<super::EventJson>,
    /// Call records, in order.
    #[serde(default)]
    calls: Vec<super::CallJson>,
    diagnostic: String,
}

fn h(field: &'static str, value: &str) -> Result<Hash, String> {
    fixed_hex::<32>(field, value).map(Hash).map_err(|e| e.to_string())
}

fn a(field: &'static str, value: &str) -> Result<Address, String> {
    fixed_hex::<20>(field, value).map(Address).map_err(|e| e.to_string())
}

fn bytes(field: &'static str, value: &str) -> Result<Vec<u8>, String> {
    any_hex(field, value).map_err(|e| e.to_string())
}

fn field<T: serde::de::DeserializeOwned>(inputs: &serde_json::Value, name: &str) -> Result<T, String> {
    serde_json::from_value(inputs.get(name).cloned().unwrap_or(serde_json::Value::Null))
        .map_err(|e| format!("{name}: {e}"))
}

fn account(json: AccountJson) -> Result<Account, String> {
    let contract = match json.contract {
        None => None,
        Some(c) => Some(ContractInfo {
            code_hash: h("code_hash", &c.code_hash)?,
            meta_hash: h("meta_hash", &c.meta_hash)?,
            state: ContractState(h("state", &c.state)?),
        }),
    };
    let library = json.library.map(|hash| h("library", &hash)).transpose()?;
    Ok(Account { balance: json.balance, nonce: json.nonce, contract, library })
}

fn value_type(name: &str) -> Result<ValueType, String> {
    [ValueType::I32, ValueType::I64, ValueType::F32, ValueType::F64]
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(|| format!("unknown value type {name}"))
}

pub(super) fn outcome(name: &str) -> Result<Outcome, String> {
    (0..=u8::MAX)
        .flat_map(|class| (0..=u8::MAX).map(move |detail| (class, detail)))
        .filter_map(|(class, detail)| Outcome::from_codes(class, detail))
        .find(|o| o.name() == name)
        .ok_or_else(|| format!("unknown outcome {name}"))
}

/// `function` of `inputs`, hex.
pub fn compute(function: &str, inputs: &serde_json::Value) -> Result<String, String> {
    Ok(match function {
        "code_hash" => svm::code::code_hash(&bytes("code", &field::<String>(inputs, "code")?)?).to_string(),
        "contract_address" => {
            let author = a("author", &field::<String>(inputs, "author")?)?;
            let code_hash = h("code_hash", &field::<String>(inputs, "code_hash")?)?;
            hex::encode(svm::runtime::contract_address(&author, field(inputs, "nonce")?, &code_hash).0)
        }
        "fee_account" => hex::encode(svm::fee::FEE_ACCOUNT.0),
        "library_address" => {
            hex::encode(svm::address::library_address(&h("code_hash", &field::<String>(inputs, "code_hash")?)?).0)
        }
        "page_hash" => {
            let mut page = Page::zeroed();
            let content = bytes("page", &field::<String>(inputs, "page")?)?;
            if content.len() != page.bytes().len() {
                return Err(format!("a page has {} bytes, not {}", page.bytes().len(), content.len()));
            }
            page.bytes_mut().copy_from_slice(&content);
            page_hash(&a("address", &field::<String>(inputs, "address")?)?, field(inputs, "index")?, &page).to_string()
        }
        "page_tree_node" => {
            node_hash(&h("left", &field::<String>(inputs, "left")?)?, &h("right", &field::<String>(inputs, "right")?)?)
                .to_string()
        }
        "contract_state" => {
            let address = a("address", &field::<String>(inputs, "address")?)?;
            let page_count: u32 = field(inputs, "page_count")?;
            let mut pages = BTreeMap::new();
            for (index, content) in field::<BTreeMap<u32, String>>(inputs, "pages")? {
                let mut page = Page::zeroed();
                let content = bytes("page", &content)?;
                let len = content.len().min(page.bytes().len());
                page.bytes_mut()[..len].copy_from_slice(&content[..len]);
                pages.insert(index, page);
            }
            let mut storage = PagesStorage::open(Arc::new(MemKv::new()), address, page_count, ContractState::EMPTY)
                .map_err(|e| e.to_string())?;
            storage.commit_into(&pages, &mut WriteBatch::new()).map_err(|e| e.to_string())?.to_string()
        }
        "collection_root" => {
            let width: usize = field(inputs, "width")?;
            let kv = std::sync::Arc::new(MemKv::new());
            let mut tree = CollectionTree::open(kv, Hash::ZERO, width).map_err(|e| e.to_string())?;
            for (key, value) in field::<Vec<(String, String)>>(inputs, "entries")? {
                tree.insert(&bytes("key", &key)?, &bytes("value", &value)?).map_err(|e| e.to_string())?;
            }
            tree.root().to_string()
        }
        "account_encoding" => hex::encode(svm::codec::encode(&account(
            serde_json::from_value(inputs.clone()).map_err(|e| e.to_string())?,
        )?)),
        "state_root" => {
            let kv = MemKv::new();
            let mut trie = AccountTrie::open(&kv, Hash::ZERO);
            for json in field::<Vec<AccountJson>>(inputs, "accounts")? {
                let address = a("address", json.address.as_deref().unwrap_or_default())?;
                trie.set(&address, &account(json)?).map_err(|e| e.to_string())?;
            }
            trie.root().to_string()
        }
        "contract_meta_hash" => {
            let slices: Vec<[u32; 3]> = field(inputs, "slices")?;
            let layout = StorageLayout::new(
                field(inputs, "page_count")?,
                slices.iter().map(|&[page, offset, len]| PageSlice { page, offset, len }).collect(),
            )
            .map_err(|e| e.to_string())?;
            let mut exports = BTreeMap::new();
            for (name, signature) in field::<BTreeMap<String, SignatureJson>>(inputs, "exports")? {
                let params = signature.params.iter().map(|t| value_type(t)).collect::<Result<_, _>>()?;
                let results = signature.results.iter().map(|t| value_type(t)).collect::<Result<_, _>>()?;
                exports.insert(name, FunctionSignature { params, results });
            }
            ContractMeta {
                code_len: field(inputs, "code_len")?,
                layout: Arc::new(layout),
                exports,
                libraries: field::<Option<Vec<String>>>(inputs, "libraries")?
                    .unwrap_or_default()
                    .iter()
                    .map(|hash| h("libraries", hash))
                    .collect::<Result<_, _>>()?,
            }
            .hash()
            .to_string()
        }
        "receipt_encoding" | "receipt_hash" => {
            let json: ReceiptJson = serde_json::from_value(inputs.clone()).map_err(|e| e.to_string())?;
            let receipt = Receipt {
                outcome: outcome(&json.outcome)?,
                gas_used: json.gas_used,
                contract: json.contract.as_deref().map(|c| a("contract", c)).transpose()?,
                state: json.state.as_deref().map(|s| h("state", s).map(ContractState)).transpose()?,
                returns: json
                    .returns
                    .iter()
                    .map(Value::try_from)
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())?,
                returndata: bytes("returndata", &json.returndata)?,
                logs: json.logs.iter().map(|l| bytes("logs", l)).collect::<Result<_, _>>()?,
                events: json.events.iter().map(super::EventJson::event).collect::<Result<_, _>>()?,
                calls: json.calls.iter().map(super::CallJson::record).collect::<Result<_, _>>()?,
                diagnostic: json.diagnostic,
            };
            if function == "receipt_hash" { receipt.hash().to_string() } else { hex::encode(receipt.to_bytes()) }
        }
        "transaction_encoding" => hex::encode(transaction(inputs)?.to_bytes()),
        "state_root_with_events" => StateRoot::of(
            h("accounts", &field::<String>(inputs, "accounts")?)?,
            h("events", &field::<String>(inputs, "events")?)?,
        )
        .to_string(),
        other => return Err(format!("unknown function {other}")),
    })
}

fn transaction(inputs: &serde_json::Value) -> Result<Transaction, String> {
    if let Some(e) = inputs.get("execute") {
        let args: Vec<ValueJson> = field(e, "args")?;
        return Ok(Transaction::Execute(Execute {
            contract: a("contract", &field::<String>(e, "contract")?)?,
            sender: a("sender", &field::<String>(e, "sender")?)?,
            nonce: field(e, "nonce")?,
            function: field(e, "function")?,
            args: args.iter().map(Value::try_from).collect::<Result<_, _>>().map_err(|e| e.to_string())?,
            calldata: bytes("calldata", &field::<String>(e, "calldata")?)?,
            gas_limit: field(e, "gas_limit")?,
            gas_price: field(e, "gas_price")?,
            value: field(e, "value")?,
        }));
    }
    if let Some(l) = inputs.get("deploy_library") {
        return Ok(Transaction::DeployLibrary(DeployLibrary {
            author: a("author", &field::<String>(l, "author")?)?,
            nonce: field(l, "nonce")?,
            code: bytes("code", &field::<String>(l, "code")?)?,
            gas_limit: field(l, "gas_limit")?,
            gas_price: field(l, "gas_price")?,
        }));
    }
    let t = inputs.get("transfer").ok_or("an execute, a library deploy or a transfer")?;
    Ok(Transaction::Transfer(Transfer {
        from: a("from", &field::<String>(t, "from")?)?,
        to: a("to", &field::<String>(t, "to")?)?,
        nonce: field(t, "nonce")?,
        amount: field(t, "amount")?,
        gas_price: field(t, "gas_price")?,
    }))
}
