//! Safe wrappers over the extern "C" entry points, as a caller in another language would write them,
//! and the corpus contracts the tests deploy.
#![allow(dead_code)]

use svm_ffi::*;

/// A failed call: its status code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

/// Takes a buffer the library returned.
pub fn take(buffer: SvmBuffer) -> Vec<u8> {
    let bytes = if buffer.ptr.is_null() {
        Vec::new()
    } else {
        unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) }.to_vec()
    };
    unsafe { svm_buffer_free(buffer) };
    bytes
}

/// Runs an entry point that fills `error`, turning its status into a `Result`.
pub fn check(run: impl FnOnce(*mut SvmBuffer) -> i32) -> Result<(), Failure> {
    let mut error = SvmBuffer::EMPTY;
    let code = run(&mut error);
    let message = String::from_utf8(take(error)).unwrap();
    match code {
        SVM_OK => {
            assert!(message.is_empty(), "success with a message: {message}");
            Ok(())
        }
        code => {
            assert!(!message.is_empty(), "failure {code} without a message");
            Err(Failure { code, message })
        }
    }
}

/// Runs an entry point with one buffer output.
pub fn with_out(run: impl FnOnce(*mut SvmBuffer, *mut SvmBuffer) -> i32) -> Result<Vec<u8>, Failure> {
    let mut out = SvmBuffer::EMPTY;
    check(|error| run(&mut out, error))?;
    Ok(take(out))
}

pub fn memory() -> SvmRuntime {
    let mut rt = 0;
    check(|e| unsafe { svm_runtime_new_memory(SVM_COMPILER_SINGLEPASS, &mut rt, e) }).unwrap();
    assert_ne!(rt, 0);
    rt
}

pub fn open(path: &std::path::Path) -> Result<SvmRuntime, Failure> {
    let path = path.to_str().unwrap();
    let mut rt = 0;
    check(|e| unsafe { svm_runtime_open(path.as_ptr(), path.len(), SVM_COMPILER_SINGLEPASS, &mut rt, e) })?;
    Ok(rt)
}

pub fn close(rt: SvmRuntime) -> Result<(), Failure> {
    check(|e| unsafe { svm_runtime_close(rt, e) })
}

pub fn genesis(rt: SvmRuntime, allocations: &[([u8; 20], u64)]) -> Result<(), Failure> {
    let mut records = Vec::new();
    for (address, amount) in allocations {
        records.extend_from_slice(address);
        records.extend_from_slice(&amount.to_le_bytes());
    }
    check(|e| unsafe { svm_genesis(rt, records.as_ptr(), records.len(), e) })
}

pub fn begin(rt: SvmRuntime, layer: u64) -> Result<(), Failure> {
    check(|e| unsafe { svm_layer_begin(rt, layer, e) })
}

pub fn commit(rt: SvmRuntime) -> Result<SvmHead, Failure> {
    let mut head = SvmHead::default();
    check(|e| unsafe { svm_layer_commit(rt, &mut head, e) })?;
    Ok(head)
}

pub fn head(rt: SvmRuntime) -> Result<SvmHead, Failure> {
    let mut head = SvmHead::default();
    check(|e| unsafe { svm_head(rt, &mut head, e) })?;
    Ok(head)
}

pub fn root(rt: SvmRuntime) -> Result<[u8; 32], Failure> {
    let mut root = [0u8; 32];
    check(|e| unsafe { svm_state_root(rt, root.as_mut_ptr(), e) })?;
    Ok(root)
}

pub fn rewind(rt: SvmRuntime, layer: u64) -> Result<SvmHead, Failure> {
    let mut head = SvmHead::default();
    check(|e| unsafe { svm_rewind(rt, layer, &mut head, e) })?;
    Ok(head)
}

pub fn open_layer(rt: SvmRuntime, layer: u64) -> Result<SvmRuntime, Failure> {
    let mut out = 0;
    check(|e| unsafe { svm_runtime_open_layer(rt, layer, &mut out, e) })?;
    Ok(out)
}

pub fn apply(rt: SvmRuntime, tx: &[u8]) -> Result<Vec<u8>, Failure> {
    with_out(|out, e| unsafe { svm_apply(rt, tx.as_ptr(), tx.len(), out, e) })
}

pub fn view(rt: SvmRuntime, tx: &[u8], layer: u64) -> Result<Vec<u8>, Failure> {
    with_out(|out, e| unsafe { svm_view(rt, tx.as_ptr(), tx.len(), layer, out, e) })
}

pub fn account(rt: SvmRuntime, address: &[u8; 20]) -> Result<Vec<u8>, Failure> {
    with_out(|out, e| unsafe { svm_account(rt, address.as_ptr(), out, e) })
}

pub fn slice(rt: SvmRuntime, address: &[u8; 20], slice: u32) -> Result<Vec<u8>, Failure> {
    with_out(|out, e| unsafe { svm_contract_slice(rt, address.as_ptr(), slice, out, e) })
}

pub fn tx_from_json(json: &str, code: &[u8]) -> Result<Vec<u8>, Failure> {
    with_out(|out, e| unsafe {
        svm_transaction_from_json(json.as_ptr(), json.len(), code.as_ptr(), code.len(), out, e)
    })
}

pub fn receipt_json(receipt: &[u8]) -> Result<serde_json::Value, Failure> {
    let json = with_out(|out, e| unsafe { svm_receipt_json(receipt.as_ptr(), receipt.len(), out, e) })?;
    Ok(serde_json::from_slice(&json).unwrap())
}

pub fn account_json(account: &[u8]) -> Result<serde_json::Value, Failure> {
    let json = with_out(|out, e| unsafe { svm_account_json(account.as_ptr(), account.len(), out, e) })?;
    Ok(serde_json::from_slice(&json).unwrap())
}

/// A corpus contract compiled from its WAT: its code and its `(page_count, slices)` as JSON fields.
pub fn contract(name: &str) -> svm_fuzzing::contract_source::ContractSource {
    let path = format!("{}/../../corpus/contracts/{name}.wat", env!("CARGO_MANIFEST_DIR"));
    svm_fuzzing::contract_source::ContractSource::from_wat(name, &std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The `emitter` of the pinned conformance vector `events/expire` (what the Go tests deploy too):
/// `emit(topic_count, data_len, expiry)` emits up to two topics, `topic-one…` and `topic-two…`, and up to
/// 7 bytes of `payload`.
pub fn emitter() -> svm_fuzzing::contract_source::ContractSource {
    let path = format!("{}/../../corpus/conformance/events.expire.json", env!("CARGO_MANIFEST_DIR"));
    let vector: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let wat = vector["sources"]["emitter"].as_str().unwrap();
    svm_fuzzing::contract_source::ContractSource::from_wat("emitter", wat).unwrap()
}

/// The emitter's topics: 32 bytes each, `topic-one` / `topic-two` padded with dots.
pub fn emitter_topic(n: usize) -> [u8; 32] {
    let mut topic = [b'.'; 32];
    let name: &[u8] = if n == 0 { b"topic-one" } else { b"topic-two" };
    topic[..name.len()].copy_from_slice(name);
    topic
}

/// `svm_events_query`'s raw answer.
pub fn query_raw(
    rt: SvmRuntime,
    contract: &[u8; 20],
    topic: Option<&[u8; 32]>,
    layers: (u64, u64),
    limit: u32,
) -> Result<Vec<u8>, Failure> {
    let topic = topic.map_or(std::ptr::null(), |t| t.as_ptr());
    with_out(|out, e| unsafe { svm_events_query(rt, contract.as_ptr(), topic, layers.0, layers.1, limit, out, e) })
}

/// `svm_events_query`'s answer decoded as its documented format says: a `u32le` count, then per event
/// `u64le layer ‖ u32le seq ‖ enc(Event)`; the bytes must end exactly there.
pub fn query(
    rt: SvmRuntime,
    contract: &[u8; 20],
    topic: Option<&[u8; 32]>,
    layers: (u64, u64),
    limit: u32,
) -> Result<Vec<(svm::event::EventId, svm::event::Event)>, Failure> {
    let bytes = query_raw(rt, contract, topic, layers, limit)?;
    let mut r = svm::codec::Reader::new(&bytes);
    let count = r.u32("count").unwrap();
    let mut events = Vec::new();
    for _ in 0..count {
        let layer = r.u64("layer").unwrap();
        let seq = r.u32("seq").unwrap();
        events.push((svm::event::EventId { layer, seq }, svm::event::Event::decode(&mut r).unwrap()));
    }
    r.finish().unwrap();
    Ok(events)
}

/// The deploy of `source` by `AUTHOR` with `nonce`, as canonical bytes.
pub fn deploy_source_tx(source: &svm_fuzzing::contract_source::ContractSource, nonce: u64) -> Vec<u8> {
    let slices: Vec<[u32; 3]> = source.slices.iter().map(|s| [s.page, s.offset, s.len]).collect();
    let json = serde_json::json!({"deploy": {
        "author": hex::encode(AUTHOR), "nonce": nonce, "page_count": source.page_count, "slices": slices,
        "initial_balance": 0, "gas_limit": 10_000_000, "gas_price": 1,
    }});
    tx_from_json(&json.to_string(), &source.code).unwrap()
}

pub const AUTHOR: [u8; 20] = [1; 20];
pub const USER: [u8; 20] = [2; 20];

/// The deploy of corpus contract `name` by `AUTHOR` with `nonce`, as canonical bytes.
pub fn deploy_tx(name: &str, nonce: u64) -> Vec<u8> {
    deploy_source_tx(&contract(name), nonce)
}

/// A call of `function` on `contract` by `USER` with `nonce`, as canonical bytes.
pub fn call_tx(contract: &str, function: &str, args: serde_json::Value, nonce: u64) -> Vec<u8> {
    let json = serde_json::json!({"execute": {
        "contract": contract, "sender": hex::encode(USER), "nonce": nonce, "function": function,
        "args": args, "calldata": "", "gas_limit": 1_000_000, "gas_price": 1, "value": 0,
    }});
    tx_from_json(&json.to_string(), &[]).unwrap()
}

/// A memory runtime after genesis (AUTHOR and USER funded) with the counter deployed in layer 1;
/// returns it and the counter's hex address.
pub fn with_counter() -> (SvmRuntime, String) {
    let rt = memory();
    genesis(rt, &[(AUTHOR, 1_000_000_000), (USER, 1_000_000_000)]).unwrap();
    begin(rt, 1).unwrap();
    let receipt = receipt_json(&apply(rt, &deploy_tx("counter", 0)).unwrap()).unwrap();
    assert_eq!(receipt["outcome"], "success", "{receipt}");
    commit(rt).unwrap();
    (rt, receipt["contract"].as_str().unwrap().to_string())
}

pub fn address_bytes(hex_address: &str) -> [u8; 20] {
    hex::decode(hex_address).unwrap().try_into().unwrap()
}
