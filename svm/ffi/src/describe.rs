//! JSON renderings of receipts, accounts and traces, for callers without the canonical codec. The
//! canonical bytes stay the API's currency; these are derived from them.

use serde_json::{Value as Json, json};
use svm::Value;
use svm::call::CallRecord;
use svm::event::Event;
use svm::receipt::Receipt;
use svm::state::Account;
use svm::trace::{TraceEntry, TraceResult};

/// A receipt as JSON: its fields, the outcome's stable name and codes, and its consensus hash.
pub fn receipt(receipt: &Receipt) -> Json {
    let (class, detail) = receipt.outcome.codes();
    json!({
        "outcome": receipt.outcome.name(),
        "outcome_class": class,
        "outcome_detail": detail,
        "gas_used": receipt.gas_used,
        "contract": receipt.contract.map(|a| a.to_string()),
        "state": receipt.state.map(|s| s.to_string()),
        "returns": receipt.returns.iter().map(value).collect::<Vec<_>>(),
        "returndata": hex::encode(&receipt.returndata),
        "logs": receipt.logs.iter().map(hex::encode).collect::<Vec<_>>(),
        "events": receipt.events.iter().map(event).collect::<Vec<_>>(),
        "calls": receipt.calls.iter().map(call).collect::<Vec<_>>(),
        "diagnostic": receipt.diagnostic,
        "hash": receipt.hash().to_string(),
    })
}

/// An event as JSON: `contract`, `topics` and `data` as hex, `expires` (the last layer it is live in).
pub fn event(event: &Event) -> Json {
    json!({
        "contract": event.contract.to_string(),
        "topics": event.topics.iter().map(hex::encode).collect::<Vec<_>>(),
        "data": hex::encode(&event.data),
        "expires": event.expires,
    })
}

/// A call record as JSON: the callee's depth, caller and callee, function, outcome (name and codes), gas, value.
pub fn call(call: &CallRecord) -> Json {
    let (class, detail) = call.outcome.codes();
    json!({
        "depth": call.depth,
        "caller": call.caller.to_string(),
        "callee": call.callee.to_string(),
        "function": call.function,
        "outcome": call.outcome.name(),
        "outcome_class": class,
        "outcome_detail": detail,
        "gas_used": call.gas_used,
        "value": call.value,
    })
}

/// An account as JSON.
pub fn account(account: &Account) -> Json {
    json!({
        "balance": account.balance,
        "nonce": account.nonce,
        "contract": account.contract.as_ref().map(|c| json!({
            "code_hash": c.code_hash.to_string(),
            "meta_hash": c.meta_hash.to_string(),
            "state": c.state.to_string(),
        })),
        "library": account.library.map(|hash| hash.to_string()),
    })
}

/// A vmcall trace as a JSON array, one object per vmcall.
pub fn trace(entries: &[TraceEntry]) -> Json {
    Json::Array(
        entries
            .iter()
            .map(|e| {
                let (result, trap) = match &e.result {
                    TraceResult::Ok(value) => (*value, None),
                    TraceResult::Err(why) => (None, Some(why.clone())),
                };
                json!({
                    "depth": e.depth,
                    "contract": e.contract.to_string(),
                    "vmcall": e.vmcall,
                    "args": e.args,
                    "result": result,
                    "trap": trap,
                    "gas_before": e.gas_before,
                    "gas_after": e.gas_after,
                    "bytes": e.bytes.map(|h| h.to_string()),
                })
            })
            .collect(),
    )
}

/// A value as the JSON transaction form writes arguments.
fn value(value: &Value) -> Json {
    match value {
        Value::I32(x) => json!({ "i32": x }),
        Value::I64(x) => json!({ "i64": x }),
        Value::F32(bits) => json!({ "f32": format!("{bits:08x}") }),
        Value::F64(bits) => json!({ "f64": format!("{bits:016x}") }),
    }
}
