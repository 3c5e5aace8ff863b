//! Event-store oracle: operation sequences run on the runtime's event store (a collection tree in a kv
//! store, committed after every transaction and every boundary, reopened on restarts) and on the
//! reference VM's, which keeps plain live events and derives its entries from the rules' table. After
//! every operation both roots agree; every query gives the same events in the same order; and every
//! so often the runtime's stored entries are exactly the reference's.

use crate::generators::event_ops::{EmittedEvent, EventOp};
use std::sync::Arc;
use svm::event::Event;
use svm::storage::collections::tree::read_entries;
use svm::storage::events::{EventQuery, EventStore};
use svm::storage::kv::{KvStore, MemKv, WriteBatch};
use svm::{Address, Hash};
use svm_reference::chain::event_store::EventStore as ReferenceStore;

/// The address of contract number `n`.
fn contract(n: u8) -> Address {
    Address([0xE0 | n; 20])
}

/// Topic number `n`.
fn topic(n: u8) -> [u8; 32] {
    [n + 1; 32]
}

fn event(e: &EmittedEvent, layer: u64) -> Event {
    Event {
        contract: contract(e.contract),
        topics: e.topics.iter().map(|t| topic(*t)).collect(),
        data: e.data.clone(),
        expires: layer.saturating_add(e.expiry.into()),
    }
}

/// Commits `store` into `kv`; the new root.
fn commit(kv: &Arc<MemKv>, store: EventStore) -> Hash {
    let mut batch = WriteBatch::new();
    let root = store.commit_into(&mut batch);
    kv.write(batch).expect("a memory kv write");
    root
}

/// Runs `ops` on both stores; panics (a finding) where they differ.
pub fn check(ops: &[EventOp]) {
    let kv = Arc::new(MemKv::new());
    let mut root = Hash::ZERO;
    let mut reference = ReferenceStore::new();
    let mut layer = 1u64;
    for (i, op) in ops.iter().enumerate() {
        let open = |root: Hash| EventStore::open(kv.clone(), root).expect("opening the store");
        match op {
            EventOp::Emit(emitted) => {
                let events: Vec<Event> = emitted.iter().map(|e| event(e, layer)).collect();
                let mut store = open(root);
                let ids = store.add(layer, &events).expect("adding events");
                root = commit(&kv, store);
                let expected = reference.add(layer, &events).expect("adding events to the reference");
                assert_eq!(ids, expected, "op {i}: ids");
            }
            EventOp::NextLayer { skip } => {
                layer += 1 + u64::from(*skip);
                let mut store = open(root);
                let pruned = store.begin_layer(layer).expect("a layer boundary");
                root = commit(&kv, store);
                let expected = reference.begin_layer(layer);
                assert_eq!(pruned.events, expected as u64, "op {i}: events pruned at layer {layer}");
            }
            EventOp::Query { contract: c, topic: t, back_from, back_to, limit } => {
                let from = layer.saturating_sub(u64::from(*back_from));
                let to = layer.saturating_sub(u64::from(*back_to));
                let mut query = EventQuery::contract(contract(*c)).in_layers(from, to);
                query.topic = t.map(topic);
                query.limit = usize::from(*limit);
                let got: Vec<_> =
                    open(root).query(&query).expect("a query").into_iter().map(|s| (s.id, s.event)).collect();
                let mut want = reference.query(&contract(*c), query.topic.as_ref(), from, to);
                want.truncate(query.limit);
                assert_eq!(got, want, "op {i}: {query:?}");
            }
            EventOp::Restart => {
                // A fresh view: nothing but the committed root and the store.
                let entries = read_entries(kv.as_ref(), root, svm::event::keys::KEY_WIDTH).expect("reading the store");
                assert_eq!(entries, reference.entries(), "op {i}: the stored entries after a restart");
            }
        }
        assert_eq!(root, reference.root(), "op {i} ({op:?}): the runtime's store root and the reference's");
    }
}
