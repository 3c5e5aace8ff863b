//! A store with a history of states (several contracts, shared code, a 100-page contract, nested
//! collections, live events), read back
//! whole at any root; shared by the garbage-collection and sync tests.

use super::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use svm::fee::FEE_ACCOUNT;
use svm::runtime::{Runtime, RuntimeConfig, RuntimeError};
use svm::snapshot::SnapshotAccount;
use svm::state::{Account, StateRoot, export_events, export_state, load_code};
use svm::storage::kv::{KvError, KvStore, MemKv, WriteBatch};
use svm::{Address, Value};

/// A contract of 100 pages (a page tree 7 levels deep: two levels of chunks) with one slice on each
/// of five pages.
pub const PAGES: &str = r#"(module
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  (func (export "set") (param $slice i32) (param $value i64) (call $write (local.get $slice) (local.get $value))))"#;

/// A contract that emits an event whose topic and data are its argument, live for 5 more layers.
pub const EVENTS: &str = r#"(module
  (import "svm" "event_emit" (func $emit (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "emit") (param $v i64)
    (i64.store (i32.const 0) (local.get $v))
    (call $emit (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 8) (i32.const 5))))"#;

/// Keys that are not content (chain heads, layers, someone else's): a collection never deletes them.
pub const FOREIGN: [&[u8]; 3] = [b"h-head", b"l\x00\x00\x00\x07", b"zz-other"];

/// A store with a history of states, and the addresses worth reading in them.
pub struct History {
    pub kv: Arc<MemKv>,
    /// Every root the history committed, oldest first.
    pub roots: Vec<StateRoot>,
    pub addresses: Vec<Address>,
    pub counter: Address,
}

/// Calls `function(args)` and checks that it succeeded.
pub fn ok(rt: &mut Runtime, contract: Address, function: &str, args: &[Value]) {
    let receipt = call(rt, contract, function, args);
    assert!(receipt.outcome.is_success(), "{function}: {receipt:?}");
}

pub fn history() -> History {
    let kv = Arc::new(MemKv::new());
    let mut rt = Runtime::new(kv.clone(), RuntimeConfig::default());
    rt.genesis(&(1..=4).map(|n| (account(n), FUNDS)).collect::<Vec<_>>()).unwrap();
    let mut roots = vec![rt.root()];
    let counter = deployed(&mut rt, &contract("counter"));
    // The same code and metadata a second time: shared entries, two contract states.
    let counter2 = deployed(&mut rt, &contract("counter"));
    let token = deployed(&mut rt, &contract("token"));
    let pages = deployed(&mut rt, &inline(PAGES, 100, &[(0, 0, 8), (5, 0, 8), (17, 0, 8), (40, 0, 8), (99, 0, 8)]));
    let nested = deployed(&mut rt, &contract("lists"));
    let events = deployed(&mut rt, &inline(EVENTS, 1, &[(0, 0, 8)]));
    roots.push(rt.root());
    for round in 0..5 {
        ok(&mut rt, nested, "push", &[Value::I64(round % 3), Value::I64(round)]);
        ok(&mut rt, counter, "inc", &[]);
        ok(&mut rt, counter2, "add", &[Value::I64(10 + round)]);
        ok(&mut rt, token, "mint", &[Value::I32(round as i32 % 8), Value::I64(100 * (round + 1))]);
        ok(&mut rt, pages, "set", &[Value::I32(round as i32), Value::I64(round + 1)]);
        ok(&mut rt, pages, "set", &[Value::I32(4 - round as i32), Value::I64(-round)]);
        ok(&mut rt, events, "emit", &[Value::I64(round)]);
        roots.push(rt.root());
    }
    let mut batch = WriteBatch::new();
    for key in FOREIGN {
        batch.put(key.to_vec(), b"not content".to_vec());
    }
    kv.write(batch).unwrap();
    let mut addresses: Vec<Address> = (1..=4).map(account).collect();
    addresses.extend([FEE_ACCOUNT, counter, counter2, token, pages, nested, events]);
    History { kv, roots, addresses, counter }
}

/// Every account at `root`, with each contract's slices and code, as read by a runtime opened afresh
/// there; the whole state as exported (every collection's contents included); and the event store's
/// entries.
pub type Snapshot =
    (Vec<(Option<Account>, Option<Vec<Vec<u8>>>, Option<Vec<u8>>)>, Vec<SnapshotAccount>, BTreeMap<Vec<u8>, Vec<u8>>);

pub fn snapshot(kv: Arc<dyn KvStore>, root: StateRoot, addresses: &[Address]) -> Result<Snapshot, RuntimeError> {
    let rt = Runtime::open(kv.clone(), RuntimeConfig::default(), root)?;
    let read = |address: &Address| -> Result<_, RuntimeError> {
        let account = rt.account(address)?;
        let code = match account.as_ref().and_then(|a| a.contract.as_ref()) {
            Some(info) => Some(load_code(kv.as_ref(), info.code_hash)?),
            None => None,
        };
        Ok((account, rt.contract_slices(address)?, code))
    };
    let accounts = addresses.iter().map(read).collect::<Result<Vec<_>, _>>()?;
    Ok((accounts, export_state(kv.as_ref(), root)?, export_events(kv.as_ref(), root)?))
}

/// A copy of `kv` (so that one history serves many collections).
pub fn copy(kv: &MemKv) -> Arc<MemKv> {
    let copy = Arc::new(MemKv::new());
    let mut batch = WriteBatch::new();
    for (key, value) in kv.entries().unwrap() {
        batch.put(key, value);
    }
    copy.write(batch).unwrap();
    copy
}

/// A store whose writes fail once `allowed` of them have been made: a node that crashes mid-collection.
pub struct FailingAfter {
    pub inner: Arc<MemKv>,
    pub allowed: AtomicUsize,
}

impl KvStore for FailingAfter {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        self.inner.get(key)
    }

    fn write(&self, batch: WriteBatch) -> Result<(), KvError> {
        let left = self.allowed.load(Ordering::SeqCst);
        if left == 0 {
            return Err(KvError::Backend("crashed".into()));
        }
        self.allowed.store(left - 1, Ordering::SeqCst);
        self.inner.write(batch)
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        self.inner.keys_with_prefix(prefix)
    }
}
