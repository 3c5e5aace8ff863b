//! Events in the reference VM, from `docs/consensus.md` (Events), with expectations computed from the
//! written rules rather than taken from the runtime:
//!
//! - end to end, a WAT contract on the reference interpreter: an emission in the receipt with its
//!   `expires`, every bad input as its host error with no events, failed executions storing nothing,
//!   ids continuing within a layer and restarting in the next, the state root covering live events
//!   and returning to the account root once they are pruned, queries, snapshots out and back in, and
//!   a layer going back refused;
//! - over one execution context: the price and the retention gas exactly, which error wins, the
//!   memory checks before the retention gas, and a saturating `expires`.

use std::collections::BTreeMap;
use svm_core::event::{Event, EventId, MAX_EVENTS, Topic, keys};
use svm_core::layout::{PageSlice, StorageLayout};
use svm_core::outcome::{Outcome, TrapKind};
use svm_core::receipt::Receipt;
use svm_core::transaction::{Deploy, Execute, Transaction, Transfer};
use svm_core::vmcalls::HostError;
use svm_core::{Address, Hash, Limits, Value};
use svm_reference::chain::collections::Collection;
use svm_reference::chain::event_store::EventStoreError;
use svm_reference::chain::hashing;
use svm_reference::chain::vmcalls::{ExecutionContext, ExecutionEnv};
use svm_reference::host::{Host, Meter, Stop};
use svm_reference::{ReferenceError, ReferenceVm};

const A: Address = Address([0xAA; 20]);
const B: Address = Address([0xBB; 20]);

/// Topic `n` of the contract's memory: 32 bytes of `n`, at `32 × n`.
fn topic(n: u8) -> Topic {
    [n; 32]
}

/// Where topic `n` sits in memory.
fn topic_ptr(n: u8) -> i32 {
    32 * i32::from(n)
}

/// The data region: `DATA` at 256, then zeros to the end of the page.
const DATA_PTR: i32 = 256;
const DATA: &[u8] = b"hello, events";

/// The test contract: `emit` passes its five arguments to `event_emit`; `emit_n(n)` emits `n` events
/// (topic 1, no data, expiry 10); `emit_then_trap` emits one and traps. Memory holds topics 0 … 5 at
/// `32 × n` (`n` repeated) and [`DATA`] at 256.
fn contract_code() -> Vec<u8> {
    let topics: String = (0..6u8)
        .map(|n| format!("(data (i32.const {}) \"{}\")", topic_ptr(n), format!("\\{n:02x}").repeat(32)))
        .collect();
    let data: String = DATA.iter().map(|b| format!("\\{b:02x}")).collect();
    let source = format!(
        r#"(module
  (import "svm" "event_emit" (func $emit (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  {topics}
  (data (i32.const {DATA_PTR}) "{data}")
  (func (export "emit") (param i32 i32 i32 i32 i32)
    (call $emit (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "emit_n") (param $n i32)
    (local $i i32)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $emit (i32.const 32) (i32.const 1) (i32.const {DATA_PTR}) (i32.const 0) (i32.const 10))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again))))
  (func (export "emit_then_trap")
    (call $emit (i32.const 32) (i32.const 1) (i32.const {DATA_PTR}) (i32.const 4) (i32.const 10))
    unreachable))"#
    );
    let code = wat::parse_str(&source).unwrap_or_else(|e| panic!("{e}\n{source}"));
    svm_core::validation::validate(&code, &Limits::default()).expect("deploy admits the module");
    code
}

/// A chain with the test contract deployed by `A` at layer 1 (and again by `B` for [`Chain::second`]).
struct Chain {
    vm: ReferenceVm,
    contract: Address,
    nonces: BTreeMap<Address, u64>,
}

impl Chain {
    fn new() -> Chain {
        let mut vm = ReferenceVm::new(Limits::default());
        vm.genesis(&[(A, 1_000_000_000_000), (B, 1_000_000_000_000)]).unwrap();
        let mut chain = Chain { vm, contract: Address([0; 20]), nonces: BTreeMap::new() };
        chain.contract = chain.deploy(A);
        chain
    }

    /// Deploys the test contract from `author` at layer 1 and returns its address.
    fn deploy(&mut self, author: Address) -> Address {
        let code = contract_code();
        let nonce = self.next_nonce(author);
        let deploy = Deploy {
            author,
            nonce,
            code: code.clone(),
            page_count: 1,
            slices: vec![PageSlice { page: 0, offset: 0, len: 8 }],
            initial_balance: 0,
            gas_limit: 100_000_000,
            gas_price: 1,
        };
        let receipt = self.vm.apply(&Transaction::Deploy(deploy), 1).unwrap();
        assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
        assert!(receipt.events.is_empty(), "a deploy emits nothing");
        hashing::contract_address(&author, nonce, &hashing::code_hash(&code))
    }

    /// The same contract deployed again, by `B`.
    fn second(&mut self) -> Address {
        self.deploy(B)
    }

    fn next_nonce(&mut self, sender: Address) -> u64 {
        let nonce = self.nonces.entry(sender).or_insert(0);
        *nonce += 1;
        *nonce - 1
    }

    fn execute(&mut self, contract: Address, function: &str, args: &[i32]) -> Execute {
        Execute {
            contract,
            sender: A,
            nonce: self.next_nonce(A),
            function: function.into(),
            args: args.iter().map(|v| Value::I32(*v)).collect(),
            calldata: vec![],
            gas_limit: 10_000_000,
            gas_price: 1,
            value: 0,
        }
    }

    /// Runs `function(args)` of `contract` in `layer`.
    fn call_on(&mut self, contract: Address, function: &str, args: &[i32], layer: u64) -> Receipt {
        let execute = self.execute(contract, function, args);
        self.vm.apply(&Transaction::Execute(execute), layer).unwrap()
    }

    /// Runs `function(args)` of the contract in `layer`.
    fn call(&mut self, function: &str, args: &[i32], layer: u64) -> Receipt {
        self.call_on(self.contract, function, args, layer)
    }

    /// `emit` on `contract` in `layer` with `topics` topics from topic `first_topic` on (consecutive in
    /// memory), the first `data_len` bytes of the data region and `expiry`; it must succeed.
    fn emit(
        &mut self,
        contract: Address,
        first_topic: u8,
        topics: i32,
        data_len: i32,
        expiry: i32,
        layer: u64,
    ) -> Receipt {
        let receipt =
            self.call_on(contract, "emit", &[topic_ptr(first_topic), topics, DATA_PTR, data_len, expiry], layer);
        assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
        receipt
    }

    /// A transfer of 1 from `A` to `B` in `layer`.
    fn transfer(&mut self, layer: u64) -> Receipt {
        let transfer = Transfer { from: A, to: B, amount: 1, nonce: self.next_nonce(A), gas_price: 1 };
        self.vm.apply(&Transaction::Transfer(transfer), layer).unwrap()
    }

    /// Every live event of `contract`.
    fn live(&self, contract: Address) -> Vec<(EventId, Event)> {
        self.vm.events(&contract, None, 0, u64::MAX)
    }
}

/// The first `len` bytes of the data region.
fn data(len: usize) -> Vec<u8> {
    let mut bytes = DATA.to_vec();
    bytes.resize(len, 0);
    bytes
}

fn id(layer: u64, seq: u32) -> EventId {
    EventId { layer, seq }
}

/// `300 × (3 + t) + ⌊(64 + 32 × t + data_len) × (expiry + 1) / 8⌋`, written out from the rules.
fn retention(distinct_topics: u64, data_len: u64, expiry: u64) -> u64 {
    300 * (3 + distinct_topics) + (64 + 32 * distinct_topics + data_len) * (expiry + 1) / 8
}

/// The event store's entries for `events`, row by row from the rules' table, and the counter.
fn table(events: &[(EventId, Event)], counter: Option<(u64, u32)>) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let pad = |mut key: Vec<u8>| {
        key.resize(65, 0);
        key
    };
    let mut entries = BTreeMap::new();
    for (id, event) in events {
        let id_bytes = [id.layer.to_be_bytes().as_slice(), id.seq.to_be_bytes().as_slice()].concat();
        entries.insert(pad([&[0u8][..], &id_bytes].concat()), event.to_bytes());
        entries.insert(pad([&[1u8][..], &event.expires.to_be_bytes(), &id_bytes].concat()), vec![]);
        entries.insert(pad([&[2u8][..], &event.contract.0, &id_bytes].concat()), vec![]);
        for topic in &event.topics {
            entries.insert(pad([&[3u8][..], &event.contract.0, topic, &id_bytes].concat()), vec![]);
        }
    }
    if let Some((layer, count)) = counter {
        entries.insert(pad(vec![0xFF]), [layer.to_le_bytes().as_slice(), &count.to_le_bytes()].concat());
    }
    entries
}

// ---------------------------------------------------------------------------------------------
// End to end
// ---------------------------------------------------------------------------------------------

#[test]
fn an_emission_is_in_the_receipt_with_its_expiry_and_in_the_store() {
    let mut chain = Chain::new();
    let receipt = chain.emit(chain.contract, 2, 2, 5, 3, 7);
    let event = Event { contract: chain.contract, topics: vec![topic(2), topic(3)], data: data(5), expires: 10 };
    assert_eq!(receipt.events, vec![event.clone()]);
    assert_eq!(chain.live(chain.contract), vec![(id(7, 0), event.clone())]);
    // Expiry 0: live in its own layer only.
    let receipt = chain.emit(chain.contract, 0, 0, 0, 0, 7);
    assert_eq!(receipt.events[0].expires, 7);
    assert_eq!((receipt.events[0].topics.len(), receipt.events[0].data.len()), (0, 0));
    // The largest event the rules allow: four topics, 512 bytes, expiry 1,024.
    let receipt = chain.emit(chain.contract, 1, 4, 512, 1024, 7);
    assert_eq!(receipt.events[0].expires, 7 + 1024);
    assert_eq!(receipt.events[0].data, data(512));
    // Transfers emit nothing.
    assert!(chain.transfer(7).events.is_empty());
}

#[test]
fn each_bad_input_is_its_host_error_and_emits_nothing() {
    let mut chain = Chain::new();
    let page = 65_536;
    let cases: Vec<(&str, Vec<i32>, HostError)> = vec![
        ("emit_n", vec![MAX_EVENTS as i32 + 1], HostError::TooManyEvents),
        ("emit", vec![0, 5, DATA_PTR, 0, 0], HostError::EventTopics),
        ("emit", vec![0, 1, DATA_PTR, 513, 0], HostError::EventTooLarge),
        ("emit", vec![0, 1, DATA_PTR, 0, 1025], HostError::EventExpiry),
        ("emit", vec![page - 32, 2, DATA_PTR, 0, 0], HostError::MemoryOutOfBounds),
        ("emit", vec![0, 1, page - 4, 5, 0], HostError::MemoryOutOfBounds),
        // Arguments are unsigned: -1 topics is 2^32 − 1 of them.
        ("emit", vec![0, -1, DATA_PTR, 0, 0], HostError::EventTopics),
    ];
    for (function, args, error) in cases {
        let receipt = chain.call(function, &args, 3);
        assert_eq!(receipt.outcome, Outcome::Host(error), "{function}{args:?}: {}", receipt.diagnostic);
        assert!(receipt.events.is_empty(), "{function}{args:?}");
        assert_eq!(chain.vm.events_root(), Hash::ZERO, "{function}{args:?} stored something");
    }
    // Exactly MAX_EVENTS is fine.
    let receipt = chain.call("emit_n", &[MAX_EVENTS as i32], 3);
    assert_eq!((receipt.outcome, receipt.events.len()), (Outcome::Success, MAX_EVENTS as usize));
}

#[test]
fn a_failed_execution_after_emitting_stores_nothing() {
    let mut chain = Chain::new();
    chain.emit(chain.contract, 1, 1, 0, 10, 3);
    let (root, entries) = (chain.vm.events_root(), chain.vm.event_entries());
    let receipt = chain.call("emit_then_trap", &[], 3);
    assert_eq!(receipt.outcome, Outcome::Trap(TrapKind::Unreachable));
    assert!(receipt.events.is_empty());
    // Out of gas in the retention gas (1,200 + 96 × 1,025 / 8 = 13,500), after the price: nothing
    // either. What the same call needs in all, from a fresh chain.
    let args = [0, 1, DATA_PTR, 0, 1024];
    let needs = Chain::new().call("emit", &args, 3).gas_used;
    assert_eq!(retention(1, 0, 1024), 13_500);
    let mut execute = chain.execute(chain.contract, "emit", &args);
    execute.gas_limit = needs - 13_500 + 100;
    let receipt = chain.vm.apply(&Transaction::Execute(execute), 3).unwrap();
    assert_eq!(receipt.outcome, Outcome::OutOfGas);
    assert!(receipt.events.is_empty());
    assert_eq!((chain.vm.events_root(), chain.vm.event_entries()), (root, entries), "the store is unchanged");
    // The counter was not advanced: the next event of the layer is number 1.
    chain.emit(chain.contract, 1, 1, 0, 10, 3);
    assert_eq!(chain.live(chain.contract).last().unwrap().0, id(3, 1));
}

#[test]
fn retention_gas_is_exact_end_to_end() {
    // The same call with expiry 0 and 100: intrinsic, operator and price gas agree, so the difference
    // is the retention gas's alone. Topics 1, 2 (two distinct), 41 bytes.
    let mut chain = Chain::new();
    let short = chain.emit(chain.contract, 1, 2, 41, 0, 2).gas_used;
    let long = chain.emit(chain.contract, 1, 2, 41, 100, 2).gas_used;
    assert_eq!(long - short, retention(2, 41, 100) - retention(2, 41, 0));
    assert_eq!(long - short, (64 + 64 + 41) * 101 / 8 - (64 + 64 + 41) / 8);
    // 20 more bytes of data: 2 × 20 of price plus the retention of 20 bytes over 101 layers.
    let more = chain.emit(chain.contract, 1, 2, 61, 100, 2).gas_used;
    assert_eq!(more - long, 2 * 20 + retention(2, 61, 100) - retention(2, 41, 100));
}

#[test]
fn ids_continue_within_a_layer_and_restart_in_the_next() {
    let mut chain = Chain::new();
    assert_eq!(chain.call("emit_n", &[2], 3).events.len(), 2);
    chain.emit(chain.contract, 2, 1, 3, 10, 3);
    let ids: Vec<EventId> = chain.live(chain.contract).iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![id(3, 0), id(3, 1), id(3, 2)]);
    assert_eq!(chain.vm.event_entries()[&keys::counter()], keys::counter_value(3, 3));
    chain.emit(chain.contract, 2, 1, 3, 10, 4);
    let ids: Vec<EventId> = chain.live(chain.contract).iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![id(3, 0), id(3, 1), id(3, 2), id(4, 0)]);
    assert_eq!(chain.vm.event_entries()[&keys::counter()], keys::counter_value(4, 1));
    // A transaction without events in a later layer removes the counter at the boundary.
    chain.transfer(5);
    assert!(!chain.vm.event_entries().contains_key(&keys::counter()));
    chain.emit(chain.contract, 2, 1, 3, 10, 5);
    assert_eq!(chain.live(chain.contract).last().unwrap().0, id(5, 0));
}

#[test]
fn the_root_covers_live_events_and_returns_to_the_account_root_after_pruning() {
    let mut chain = Chain::new();
    assert_eq!(chain.vm.root(), chain.vm.accounts_root());
    assert_eq!(chain.vm.events_root(), Hash::ZERO);
    // Layer 5, expiry 2: live through layer 7. A repeated topic is in the receipt twice, indexed once.
    let receipt = chain.call("emit", &[topic_ptr(3), 1, DATA_PTR, 4, 2], 5);
    assert_eq!(receipt.outcome, Outcome::Success);
    let twice = chain.call("emit", &[topic_ptr(3), 2, DATA_PTR, 0, 2], 5);
    let twice_topics = vec![topic(3), topic(4)];
    assert_eq!(twice.events[0].topics, twice_topics);
    let c = chain.contract;
    let first = Event { contract: c, topics: vec![topic(3)], data: data(4), expires: 7 };
    let second = Event { contract: c, topics: twice_topics, data: vec![], expires: 7 };
    let live = vec![(id(5, 0), first), (id(5, 1), second)];
    assert_eq!(chain.live(c), live);
    // The store's entries are the table's rows, and its root is croot over them (width 65).
    let expected = table(&live, Some((5, 2)));
    assert_eq!(chain.vm.event_entries(), expected);
    let events_root = Collection { width: 65, entries: expected }.root();
    assert_eq!(chain.vm.events_root(), events_root);
    assert_ne!(chain.vm.root(), chain.vm.accounts_root());
    let mut preimage = chain.vm.accounts_root().0.0.to_vec();
    preimage.extend_from_slice(&events_root.0);
    let keyed = blake3::keyed_hash(b"svm/v1/state/root...............", &preimage);
    assert_eq!(chain.vm.root().0.0, *keyed.as_bytes());

    // Layer 7: still live (expires 7 is the last layer it is live in); the counter of layer 5 goes.
    chain.transfer(7);
    assert_eq!(chain.vm.event_entries(), table(&live, None));
    assert_ne!(chain.vm.root(), chain.vm.accounts_root());
    // Layer 8: an invalid first transaction (a stale nonce) still passes the boundary.
    let stale = Transfer { from: A, to: B, amount: 1, nonce: 0, gas_price: 1 };
    let receipt = chain.vm.apply(&Transaction::Transfer(stale), 8).unwrap();
    assert!(receipt.outcome.is_invalid());
    assert!(chain.live(c).is_empty());
    assert!(chain.vm.event_entries().is_empty());
    assert_eq!(chain.vm.events_root(), Hash::ZERO);
    assert_eq!(chain.vm.root(), chain.vm.accounts_root());
}

#[test]
fn begin_layer_prunes_once_and_a_layer_going_back_is_refused() {
    let mut chain = Chain::new();
    chain.emit(chain.contract, 1, 1, 0, 0, 5);
    chain.emit(chain.contract, 1, 1, 0, 3, 5);
    let root = chain.vm.root();
    // Behind the counter's layer: a node error, and nothing changes.
    assert!(matches!(chain.vm.begin_layer(4), Err(ReferenceError::Events(EventStoreError::LayerBehind { .. }))));
    let execute = chain.execute(chain.contract, "emit", &[0, 0, DATA_PTR, 0, 0]);
    let refused = chain.vm.apply(&Transaction::Execute(execute), 4);
    assert!(matches!(refused, Err(ReferenceError::Events(EventStoreError::LayerBehind { layer: 4, current: 5 }))));
    assert_eq!(chain.vm.root(), root);
    // The same layer again changes nothing; the next prunes the expiry-0 event, once.
    assert_eq!(chain.vm.begin_layer(5).unwrap(), 0);
    assert_eq!(chain.vm.root(), root);
    assert_eq!(chain.vm.begin_layer(6).unwrap(), 1);
    let after = chain.vm.root();
    assert_eq!(chain.vm.begin_layer(6).unwrap(), 0);
    assert_eq!(chain.vm.root(), after);
    assert_eq!(chain.live(chain.contract).iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![id(5, 1)]);
}

#[test]
fn queries_by_contract_topic_and_layer_range() {
    let mut chain = Chain::new();
    let (one, two) = (chain.contract, chain.second());
    chain.emit(one, 1, 1, 0, 100, 2); // (2,0) one: [1]
    chain.emit(one, 1, 2, 0, 100, 2); // (2,1) one: [1, 2]
    chain.emit(two, 1, 1, 0, 100, 2); // (2,2) two: [1]
    chain.emit(one, 0, 0, 0, 100, 3); // (3,0) one: []
    chain.emit(one, 2, 1, 0, 100, 4); // (4,0) one: [2]
    let ids = |found: Vec<(EventId, Event)>| found.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
    let q = |contract, topic: Option<u8>, from, to| ids(chain.vm.events(&contract, topic.map(self::topic), from, to));
    assert_eq!(q(one, None, 0, u64::MAX), vec![id(2, 0), id(2, 1), id(3, 0), id(4, 0)]);
    assert_eq!(q(two, None, 0, u64::MAX), vec![id(2, 2)]);
    assert_eq!(q(one, Some(1), 0, u64::MAX), vec![id(2, 0), id(2, 1)]);
    assert_eq!(q(one, Some(2), 0, u64::MAX), vec![id(2, 1), id(4, 0)]);
    assert_eq!(q(one, Some(3), 0, u64::MAX), vec![]);
    assert_eq!(q(one, None, 3, 3), vec![id(3, 0)]);
    assert_eq!(q(one, None, 3, 4), vec![id(3, 0), id(4, 0)]);
    assert_eq!(q(one, Some(2), 0, 3), vec![id(2, 1)]);
    assert_eq!(q(one, None, 4, 3), vec![]);
    assert_eq!(q(A, None, 0, u64::MAX), vec![]);
}

#[test]
fn a_snapshot_with_events_round_trips_and_a_tampered_one_is_refused() {
    let mut chain = Chain::new();
    chain.emit(chain.contract, 1, 3, 9, 50, 6);
    chain.emit(chain.contract, 2, 1, 0, 50, 6);
    let (accounts, entries, root) = (chain.vm.export_state().unwrap(), chain.vm.event_entries(), chain.vm.root());
    let copy = ReferenceVm::from_snapshot(Limits::default(), accounts.clone(), entries.clone(), root).unwrap();
    assert_eq!((copy.root(), copy.events_root()), (root, chain.vm.events_root()));
    assert_eq!(copy.events(&chain.contract, None, 0, u64::MAX), chain.live(chain.contract));
    // The copy goes on with the same ids.
    let mut other = Chain { vm: copy, contract: chain.contract, nonces: chain.nonces.clone() };
    other.emit(other.contract, 1, 1, 0, 50, 6);
    chain.emit(chain.contract, 1, 1, 0, 50, 6);
    assert_eq!(other.vm.root(), chain.vm.root());
    assert_eq!(other.live(other.contract).last().unwrap().0, id(6, 2));

    let load = |entries: BTreeMap<Vec<u8>, Vec<u8>>, root| {
        ReferenceVm::from_snapshot(Limits::default(), accounts.clone(), entries, root)
    };
    // Without the events, the root does not match.
    assert!(matches!(load(BTreeMap::new(), root), Err(ReferenceError::SnapshotRoot { .. })));
    // A missing topic entry, an entry of no record, or a record that does not decode.
    let event_id = id(6, 0);
    let mut missing = entries.clone();
    missing.remove(&keys::by_topic(&chain.contract, &topic(2), event_id));
    assert!(matches!(load(missing, root), Err(ReferenceError::SnapshotEvents(EventStoreError::Mismatch { .. }))));
    let mut extra = entries.clone();
    extra.insert(keys::by_contract(&chain.contract, id(6, 9)), vec![]);
    assert!(matches!(load(extra, root), Err(ReferenceError::SnapshotEvents(EventStoreError::Mismatch { .. }))));
    let mut bad = entries.clone();
    bad.insert(keys::record(event_id), vec![0; 3]);
    assert!(matches!(load(bad, root), Err(ReferenceError::SnapshotEvents(EventStoreError::BadRecord { .. }))));
    // A consistent store that is not the one the root names.
    let mut other_counter = entries;
    other_counter.insert(keys::counter(), keys::counter_value(6, 7));
    assert!(matches!(load(other_counter, root), Err(ReferenceError::SnapshotRoot { .. })));
}

// ---------------------------------------------------------------------------------------------
// One execution context
// ---------------------------------------------------------------------------------------------

const CONTRACT: Address = Address([0xCC; 20]);

struct Fixture {
    layout: StorageLayout,
    pages: BTreeMap<u32, svm_reference::chain::state::Page>,
    balances: BTreeMap<Address, u64>,
    limits: Limits,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            layout: StorageLayout::new(1, vec![PageSlice { page: 0, offset: 0, len: 8 }]).unwrap(),
            pages: BTreeMap::new(),
            balances: BTreeMap::new(),
            limits: Limits::default(),
        }
    }

    fn context(&self, layer: u64) -> ExecutionContext<'_> {
        let env = ExecutionEnv { sender: A, contract: CONTRACT, layer, value: 0, calldata: &[] };
        ExecutionContext::new(env, &self.layout, &self.pages, &self.balances, &self.limits)
    }
}

/// One memory page: topic `n` (32 bytes of `n`) at `32 × n` for n < 6, then zeros.
fn memory() -> Vec<u8> {
    let mut memory = vec![0u8; 65_536];
    for n in 0..6u8 {
        memory[32 * n as usize..32 * (n as usize + 1)].fill(n);
    }
    memory
}

fn emit_args(topics_ptr: i32, topic_count: i32, data_ptr: i32, data_len: i32, expiry: i32) -> Vec<Value> {
    [topics_ptr, topic_count, data_ptr, data_len, expiry].into_iter().map(Value::I32).collect()
}

#[test]
fn price_then_retention_gas_exactly_and_out_of_gas_past_it() {
    let f = Fixture::new();
    // Topics 1, 1, 3 (two distinct), 41 bytes, expiry 9: price 200 + 82, retention
    // 300 × 5 + ⌊(64 + 64 + 41) × 10 / 8⌋ = 1,500 + 211.
    let args = emit_args(32, 2, 1024, 41, 9);
    let mut mem = memory();
    mem[64..96].fill(1); // topic 2's place now holds topic 1
    let args_three = emit_args(32, 3, 1024, 41, 9);
    let total = 200 + 82 + 1500 + 211;
    assert_eq!(retention(2, 41, 9), 1711);
    let mut cx = f.context(20);
    let mut meter = Meter { remaining: total };
    assert_eq!(cx.vmcall("event_emit", &args_three, Some(&mut mem), &mut meter), Ok(vec![]));
    assert_eq!(meter.remaining, 0);
    assert_eq!(cx.events()[0].topics, vec![topic(1), topic(1), topic(3)]);
    assert_eq!(cx.events()[0].expires, 29);
    // One gas short: out of gas, no event, nothing left.
    let mut cx = f.context(20);
    let mut meter = Meter { remaining: total - 1 };
    assert_eq!(cx.vmcall("event_emit", &args_three, Some(&mut mem), &mut meter), Err(Stop::OutOfGas));
    assert_eq!((meter.remaining, cx.events().len()), (0, 0));
    // Two topics, both 1: one distinct.
    let mut cx = f.context(20);
    let mut meter = Meter { remaining: 1_000_000 };
    assert_eq!(cx.vmcall("event_emit", &args, Some(&mut mem), &mut meter), Ok(vec![]));
    assert_eq!(1_000_000 - meter.remaining, 200 + 82 + retention(1, 41, 9));
}

#[test]
fn which_error_wins_and_memory_before_retention_gas() {
    use HostError::*;
    let f = Fixture::new();
    let top = 65_536;
    let mut full = f.context(1);
    let mut mem = memory();
    for _ in 0..MAX_EVENTS {
        let mut meter = Meter { remaining: 1_000_000 };
        full.vmcall("event_emit", &emit_args(0, 0, 0, 0, 0), Some(&mut mem), &mut meter).unwrap();
    }
    let everything_wrong = emit_args(top, 5, top, 513, 1025);
    let rows: Vec<(bool, Vec<Value>, bool, HostError)> = vec![
        (true, everything_wrong.clone(), true, TooManyEvents),
        (false, everything_wrong, true, EventTopics),
        (false, emit_args(top, 4, top, 513, 1025), true, EventTooLarge),
        (false, emit_args(top, 4, top, 512, 1025), true, EventExpiry),
        (false, emit_args(top, 4, top, 512, 1024), true, MemoryOutOfBounds),
        (false, emit_args(top, 4, top, 512, 1024), false, NoMemory),
        (false, emit_args(0, 4, top, 512, 1024), true, MemoryOutOfBounds),
        // A zero-length range at the very end of memory is in bounds; one byte past is not.
        (false, emit_args(top + 1, 0, 0, 0, 0), true, MemoryOutOfBounds),
    ];
    for (index, (use_full, args, with_memory, error)) in rows.into_iter().enumerate() {
        let mut fresh = f.context(1);
        let cx = if use_full { &mut full } else { &mut fresh };
        // Just the price: the checks come before the retention gas, so each is its error, not out-of-gas.
        let data_len = match args[3] {
            Value::I32(v) => v as u32 as u64,
            _ => unreachable!(),
        };
        let mut meter = Meter { remaining: 200 + 2 * data_len };
        let memory = if with_memory { Some(&mut mem) } else { None };
        assert_eq!(cx.vmcall("event_emit", &args, memory, &mut meter), Err(Stop::Host(error)), "row {index}");
        assert_eq!(meter.remaining, 0, "row {index}: the price was paid");
    }
    assert_eq!(full.events().len(), MAX_EVENTS as usize);
    // The price comes first: one gas short of it is out of gas whatever else is wrong.
    let mut cx = f.context(1);
    let mut meter = Meter { remaining: 200 + 2 * 513 - 1 };
    assert_eq!(cx.vmcall("event_emit", &emit_args(top, 5, top, 513, 1025), None, &mut meter), Err(Stop::OutOfGas));
    // A zero-length range at the end of memory is fine.
    let mut meter = Meter { remaining: 1_000_000 };
    assert_eq!(cx.vmcall("event_emit", &emit_args(top, 0, top, 0, 0), Some(&mut mem), &mut meter), Ok(vec![]));
}

#[test]
fn expires_saturates_at_the_last_layer() {
    let f = Fixture::new();
    let mut cx = f.context(u64::MAX - 3);
    let mut mem = memory();
    let mut meter = Meter { remaining: 10_000_000 };
    cx.vmcall("event_emit", &emit_args(0, 0, 0, 0, 1024), Some(&mut mem), &mut meter).unwrap();
    assert_eq!(cx.events()[0].expires, u64::MAX);
    assert_eq!(cx.events()[0].contract, CONTRACT);
}
