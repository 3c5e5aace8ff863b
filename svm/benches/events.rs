//! Figures for the event store, all in one run, at 10,000 and 1,000,000 live events (each with one
//! topic and 64 bytes of data, from 100 contracts and 1,000 topics, emitted 1,000 per layer): emitting
//! one more event (stored and committed, as a transaction does), a query by contract and topic (10
//! results) and by contract over one layer, and the boundary that prunes one layer's worth of expired
//! events — in microseconds, and the gas `event_emit` charges. Run: `cargo bench -p svm --bench events`
//! (`SVM_EVENT_SIZES=10000` changes the sizes).

use std::sync::Arc;
use std::time::Instant;
use svm::event::{Event, retention_gas};
use svm::storage::events::{EventQuery, EventStore};
use svm::storage::kv::{KvStore, MemKv, WriteBatch};
use svm::vmcalls::registry::vmcall;
use svm::{Address, Hash};

/// Events emitted per layer while the store is built.
const PER_LAYER: u64 = 1_000;
/// Layers every event lives after its own (so the first layer's events expire at layer 1,000).
const EXPIRY: u64 = 1_000;

fn contract(i: u64) -> Address {
    let mut a = [0; 20];
    a[..8].copy_from_slice(&(i % 100).to_le_bytes());
    Address(a)
}

fn topic(i: u64) -> [u8; 32] {
    *blake3::hash(&(i % 1_000).to_le_bytes()).as_bytes()
}

fn event(i: u64, layer: u64) -> Event {
    Event { contract: contract(i), topics: vec![topic(i)], data: vec![i as u8; 64], expires: layer + EXPIRY }
}

fn commit(kv: &Arc<MemKv>, store: EventStore) -> Hash {
    let mut batch = WriteBatch::new();
    let root = store.commit_into(&mut batch);
    kv.write(batch).expect("write");
    root
}

fn micros(started: Instant, ops: u64) -> f64 {
    started.elapsed().as_secs_f64() * 1e6 / ops as f64
}

fn main() {
    let sizes: Vec<u64> = std::env::var("SVM_EVENT_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 1_000_000]);
    let emit_gas = vmcall("event_emit").map_or(0, |s| s.price.for_bytes(64)) + retention_gas(1, 64, EXPIRY as u32);
    println!("event_emit of one topic and 64 bytes, kept {EXPIRY} layers: {emit_gas} gas");
    println!("{:>10}  {:<34} {:>10}", "live", "operation", "µs/op");
    for n in sizes {
        let kv = Arc::new(MemKv::new());
        let mut root = Hash::ZERO;
        let started = Instant::now();
        for first in (0..n).step_by(PER_LAYER as usize) {
            let layer = first / PER_LAYER;
            let mut store = EventStore::open(kv.clone(), root).expect("open");
            let events: Vec<Event> = (first..(first + PER_LAYER).min(n)).map(|i| event(i, layer)).collect();
            store.add(layer, &events).expect("add");
            root = commit(&kv, store);
        }
        let last_layer = n.div_ceil(PER_LAYER);
        eprintln!("built {n} live events in {:.1} s", started.elapsed().as_secs_f64());

        // Emit: one event per transaction, each committed (a new layer's ids, nothing expires yet).
        let ops = 1_000;
        let started = Instant::now();
        let mut emitted = root;
        for j in 0..ops {
            let mut store = EventStore::open(kv.clone(), emitted).expect("open");
            store.add(last_layer, &[event(n + j, last_layer)]).expect("add");
            emitted = commit(&kv, store);
        }
        println!("{n:>10}  {:<34} {:>10.1}", "emit (stored and committed)", micros(started, ops));

        // Queries, on the store as built.
        let mut store = EventStore::open(kv.clone(), root).expect("open");
        let started = Instant::now();
        let mut found = 0;
        for j in 0..ops {
            let mut query = EventQuery::contract(contract(j)).with_topic(topic(j));
            query.limit = 10;
            found += store.query(&query).expect("query").len();
        }
        let per = micros(started, ops);
        println!("{n:>10}  {:<34} {:>10.1}", format!("query contract+topic ({} found)", found / ops as usize), per);
        let started = Instant::now();
        let mut found = 0;
        for j in 0..ops {
            let layer = j % last_layer;
            found += store.query(&EventQuery::contract(contract(j)).in_layers(layer, layer)).expect("query").len();
        }
        let per = micros(started, ops);
        println!(
            "{n:>10}  {:<34} {:>10.1}",
            format!("query contract, one layer ({} found)", found / ops as usize),
            per
        );

        // Pruning: the boundaries before layers EXPIRY + 1, + 2, …: each removes one layer's events.
        let layers = 5.min(last_layer);
        let mut pruned_root = root;
        let (mut events, mut elapsed) = (0, 0.0);
        for k in 1..=layers {
            let mut store = EventStore::open(kv.clone(), pruned_root).expect("open");
            let started = Instant::now();
            let pruned = store.begin_layer(EXPIRY + k).expect("prune");
            pruned_root = commit(&kv, store);
            elapsed += started.elapsed().as_secs_f64();
            events += pruned.events;
        }
        let per_layer = elapsed * 1e6 / layers as f64;
        println!(
            "{n:>10}  {:<34} {:>10.1}  ({:.2} µs per event)",
            format!("prune one layer ({} events)", events / layers),
            per_layer,
            per_layer / (events / layers).max(1) as f64
        );
    }
}
