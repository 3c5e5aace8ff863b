//! Collections in the reference VM, from `docs/consensus.md` (Collections; Collections (the tree)):
//!
//! - end to end, WAT contracts on the reference interpreter: a map (insert, get, remove, next with
//!   bounds), a set and a sorted-set, a list (push, pop, insert at an index, get), a map of lists and a
//!   list of maps written, committed and read back by later executions, a failed execution leaving
//!   everything as it was, history independence, exact gas, snapshots out and back in;
//! - over one execution context: every error of the per-vmcall table and which one wins, the storage
//!   vmcalls refusing slots, page and work gas call by call, handles dropped by a removal, the depth
//!   and table limits, and what commit writes.

use std::collections::BTreeMap;
use svm_core::collection_state::{CollectionState, Shape};
use svm_core::layout::{PAGE_SIZE, PageSlice, StorageLayout};
use svm_core::outcome::{Outcome, TrapKind};
use svm_core::receipt::Receipt;
use svm_core::transaction::{Deploy, Execute, Transaction};
use svm_core::vmcalls::HostError;
use svm_core::{Address, ContractState, Limits, Value};
use svm_reference::chain::collection_store::{CollectionStore, StoreError};
use svm_reference::chain::collections::Collection;
use svm_reference::chain::hashing;
use svm_reference::chain::state::Page;
use svm_reference::chain::vmcalls::{ExecutionContext, ExecutionEnv};
use svm_reference::host::{Host, Meter, Stop};
use svm_reference::{ReferenceError, ReferenceVm};

const A: Address = Address([0xAA; 20]);

// ---------------------------------------------------------------------------------------------
// Expected states, by the definitions
// ---------------------------------------------------------------------------------------------

/// A list key: the index as u64 big-endian.
fn idx(i: u64) -> Vec<u8> {
    i.to_be_bytes().to_vec()
}

/// The state of a collection of shape (kind, key_width, value_kind) holding `entries`.
fn state_of(shape: (u32, u32, u32), entries: &[(&[u8], &[u8])]) -> CollectionState {
    let contents = Collection {
        width: shape.1 as usize,
        entries: entries.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect(),
    };
    CollectionState {
        shape: Shape::from_args(shape.0, shape.1, shape.2).unwrap(),
        length: entries.len() as u64,
        root: contents.root(),
    }
}

const MAP: (u32, u32, u32) = (1, 4, 0);
const SET: (u32, u32, u32) = (2, 2, 0);
const SORTED_SET: (u32, u32, u32) = (3, 2, 0);
const LIST: (u32, u32, u32) = (4, 8, 0);
const MAP_OF_COLLECTIONS: (u32, u32, u32) = (1, 4, 1);
const LIST_OF_COLLECTIONS: (u32, u32, u32) = (4, 8, 1);

// ---------------------------------------------------------------------------------------------
// End to end: WAT contracts
// ---------------------------------------------------------------------------------------------

const IMPORTS: &str = r#"
  (import "svm" "collection_open" (func $open (param i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_open_nested" (func $nested (param i32 i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_get" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_insert" (func $insert (param i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_remove" (func $remove (param i32 i32) (result i32)))
  (import "svm" "collection_push" (func $push (param i32 i32 i32) (result i64)))
  (import "svm" "collection_pop" (func $pop (param i32 i32 i32) (result i32)))
  (import "svm" "collection_len" (func $len (param i32) (result i64)))
  (import "svm" "collection_next" (func $next (param i32 i32 i32 i32) (result i32)))
  (import "svm" "returndata_set" (func $returndata_set (param i32 i32)))
  (memory (export "memory") 1)
  ;; keys: "aaaa" at 0, "bbbb" 4, "cccc" 8, "dddd" 12, "0000" 16 (below every letter)
  (data (i32.const 0) "aaaabbbbccccdddd0000")
  ;; values: "one" at 64, "two" 72, "TWO" 80, "three" 88, "four" 96
  (data (i32.const 64) "one\00\00\00\00\00two\00\00\00\00\00TWO\00\00\00\00\00three\00\00\00four")
  ;; list keys (u64 big-endian): 0 at 128, 1 at 136, 2 at 144, 3 at 152
  (data (i32.const 128) "\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\02\00\00\00\00\00\00\00\03")
"#;

/// The contract of the end-to-end tests. Its layout ([`slots`]): slot 0 a map (4-byte keys), 1 a set
/// and 2 a sorted-set (2-byte keys), 3 a list, 4 a map of lists, 5 a list of maps, 6 eight bytes.
const FUNCTIONS: &str = r#"
  (func (export "put") (result i32 i32 i32 i32 i32 i32 i32 i32 i64)
    (local $h i32)
    (local.set $h (call $open (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 0)))
    (local.get $h)
    (call $insert (local.get $h) (i32.const 4) (i32.const 72) (i32.const 3))   ;; bbbb = two: new
    (call $insert (local.get $h) (i32.const 0) (i32.const 64) (i32.const 3))   ;; aaaa = one: new
    (call $insert (local.get $h) (i32.const 12) (i32.const 96) (i32.const 4))  ;; dddd = four: new
    (call $insert (local.get $h) (i32.const 4) (i32.const 80) (i32.const 3))   ;; bbbb = TWO: replaced
    (call $remove (local.get $h) (i32.const 8))                                ;; cccc: absent
    (call $remove (local.get $h) (i32.const 12))                               ;; dddd: removed
    (call $insert (local.get $h) (i32.const 8) (i32.const 88) (i32.const 5))   ;; cccc = three: new
    (call $len (local.get $h)))
  (func (export "read") (result i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (local $h i32)
    (local.set $h (call $open (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 0)))
    (call $get (local.get $h) (i32.const 4) (i32.const 256) (i32.const 8))     ;; 3, "TWO"
    (call $get (local.get $h) (i32.const 8) (i32.const 264) (i32.const 2))     ;; 5, "th"
    (call $get (local.get $h) (i32.const 12) (i32.const 272) (i32.const 8))    ;; -1
    (call $next (local.get $h) (i32.const -1) (i32.const -1) (i32.const 280))  ;; the first: aaaa
    (call $next (local.get $h) (i32.const 0) (i32.const 8) (i32.const 284))    ;; after aaaa, below cccc: bbbb
    (call $next (local.get $h) (i32.const 4) (i32.const 8) (i32.const 288))   ;; after bbbb, below cccc: none
    (call $next (local.get $h) (i32.const 8) (i32.const -1) (i32.const 288))   ;; after cccc: none
    (call $next (local.get $h) (i32.const 16) (i32.const -1) (i32.const 292))  ;; after 0000 (absent): aaaa
    (call $next (local.get $h) (i32.const -1) (i32.const 0) (i32.const 296))   ;; below aaaa: none
    (call $returndata_set (i32.const 256) (i32.const 44)))
  (func (export "sets") (result i32 i32 i32 i32 i32 i32 i64 i32 i32)
    (local $s i32) (local $t i32)
    (local.set $s (call $open (i32.const 1) (i32.const 2) (i32.const 2) (i32.const 0)))
    (local.set $t (call $open (i32.const 2) (i32.const 3) (i32.const 2) (i32.const 0)))
    (call $insert (local.get $s) (i32.const 0) (i32.const 0) (i32.const 0))    ;; "aa": new
    (call $insert (local.get $s) (i32.const 0) (i32.const 0) (i32.const 0))    ;; "aa" again: 1
    (call $insert (local.get $s) (i32.const 4) (i32.const 0) (i32.const 0))    ;; "bb": new
    (call $get (local.get $s) (i32.const 4) (i32.const 256) (i32.const 0))     ;; present, empty: 0
    (call $get (local.get $s) (i32.const 8) (i32.const 256) (i32.const 0))     ;; "cc": -1
    (call $remove (local.get $s) (i32.const 8))                                ;; "cc": 0
    (call $len (local.get $s))                                                 ;; 2
    (call $insert (local.get $t) (i32.const 4) (i32.const 0) (i32.const 0))
    (call $insert (local.get $t) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "set_value_too_large") (result i32)
    (call $insert (call $open (i32.const 1) (i32.const 2) (i32.const 2) (i32.const 0))
      (i32.const 0) (i32.const 0) (i32.const 1)))
  (func (export "set_as_sorted") (result i32)
    (call $open (i32.const 1) (i32.const 3) (i32.const 2) (i32.const 0)))
  (func (export "list") (result i64 i64 i64 i32 i32 i32 i32 i64 i32 i64)
    (local $l i32)
    (local.set $l (call $open (i32.const 3) (i32.const 4) (i32.const 8) (i32.const 0)))
    (call $push (local.get $l) (i32.const 64) (i32.const 3))                   ;; 0: one
    (call $push (local.get $l) (i32.const 72) (i32.const 3))                   ;; 1: two
    (call $push (local.get $l) (i32.const 88) (i32.const 5))                   ;; 2: three
    (call $insert (local.get $l) (i32.const 136) (i32.const 80) (i32.const 3)) ;; 1 = TWO: replaced
    (call $get (local.get $l) (i32.const 136) (i32.const 256) (i32.const 8))   ;; 3, "TWO"
    (call $get (local.get $l) (i32.const 152) (i32.const 256) (i32.const 8))   ;; index 3: -1
    (call $pop (local.get $l) (i32.const 264) (i32.const 8))                   ;; 5, "three"
    (call $len (local.get $l))                                                 ;; 2
    (call $pop (local.get $l) (i32.const 272) (i32.const 2))                   ;; 3, "TW"
    (call $len (local.get $l))                                                 ;; 1
    (call $returndata_set (i32.const 256) (i32.const 24)))
  (func (export "list_read") (result i32 i32 i32 i32 i32 i64)
    (local $l i32)
    (local.set $l (call $open (i32.const 3) (i32.const 4) (i32.const 8) (i32.const 0)))
    (call $get (local.get $l) (i32.const 128) (i32.const 256) (i32.const 8))   ;; 3, "one"
    (call $next (local.get $l) (i32.const 128) (i32.const -1) (i32.const 264)) ;; after 0: none
    (call $pop (local.get $l) (i32.const 264) (i32.const 8))                   ;; 3, "one"
    (call $pop (local.get $l) (i32.const 272) (i32.const 8))                   ;; empty: -1
    (call $next (local.get $l) (i32.const -1) (i32.const -1) (i32.const 272))  ;; none
    (call $len (local.get $l))                                                 ;; 0
    (call $returndata_set (i32.const 256) (i32.const 16)))
  (func (export "list_index_past_end") (result i32)
    (call $insert (call $open (i32.const 3) (i32.const 4) (i32.const 8) (i32.const 0))
      (i32.const 128) (i32.const 64) (i32.const 3)))
  (func (export "nest") (result i32 i32 i32 i32 i32 i32 i32 i32)
    (local $m i32) (local $a i32) (local $b i32) (local $l i32) (local $x i32) (local $y i32)
    ;; slot 4: a map of lists
    (local.set $m (call $open (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 1)))
    (local.set $a (call $nested (local.get $m) (i32.const 0) (i32.const 4) (i32.const 8) (i32.const 0)))
    (drop (call $push (local.get $a) (i32.const 64) (i32.const 3)))
    (drop (call $push (local.get $a) (i32.const 72) (i32.const 3)))
    (local.set $b (call $nested (local.get $m) (i32.const 4) (i32.const 4) (i32.const 8) (i32.const 0)))
    (drop (call $push (local.get $b) (i32.const 88) (i32.const 5)))
    ;; slot 5: a list of maps, grown by opening index = length
    (local.set $l (call $open (i32.const 5) (i32.const 4) (i32.const 8) (i32.const 1)))
    (local.set $x (call $nested (local.get $l) (i32.const 128) (i32.const 1) (i32.const 4) (i32.const 0)))
    (drop (call $insert (local.get $x) (i32.const 0) (i32.const 64) (i32.const 3)))
    (local.set $y (call $nested (local.get $l) (i32.const 136) (i32.const 1) (i32.const 4) (i32.const 0)))
    (drop (call $insert (local.get $y) (i32.const 4) (i32.const 72) (i32.const 3)))
    (local.get $m) (local.get $a) (local.get $b) (local.get $l) (local.get $x) (local.get $y)
    ;; an open child is answered with its handle
    (call $nested (local.get $m) (i32.const 0) (i32.const 4) (i32.const 8) (i32.const 0))
    (call $nested (local.get $l) (i32.const 128) (i32.const 1) (i32.const 4) (i32.const 0)))
  (func (export "nest_read") (result i64 i64 i32 i64 i32 i32)
    (local $m i32) (local $l i32) (local $c i32)
    (local.set $m (call $open (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 1)))
    (call $len (local.get $m))                                                 ;; 2
    (local.set $c (call $nested (local.get $m) (i32.const 4) (i32.const 4) (i32.const 8) (i32.const 0)))
    (call $len (local.get $c))                                                 ;; 1
    (call $get (local.get $c) (i32.const 128) (i32.const 256) (i32.const 8))   ;; 5, "three"
    (local.set $l (call $open (i32.const 5) (i32.const 4) (i32.const 8) (i32.const 1)))
    (call $len (local.get $l))                                                 ;; 2
    (local.set $c (call $nested (local.get $l) (i32.const 136) (i32.const 1) (i32.const 4) (i32.const 0)))
    (call $get (local.get $c) (i32.const 4) (i32.const 264) (i32.const 8))     ;; 3, "two"
    (local.get $c)                                                             ;; handle 3
    (call $returndata_set (i32.const 256) (i32.const 16)))
  (func (export "nest_more") (result i64 i32 i32)
    (local $m i32) (local $l i32)
    (local.set $m (call $open (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 1)))
    (call $push (call $nested (local.get $m) (i32.const 0) (i32.const 4) (i32.const 8) (i32.const 0))
      (i32.const 96) (i32.const 4))                                            ;; aaaa[2] = four
    (call $remove (local.get $m) (i32.const 4))                                ;; bbbb: removed
    (local.set $l (call $open (i32.const 5) (i32.const 4) (i32.const 8) (i32.const 1)))
    (call $insert (call $nested (local.get $l) (i32.const 136) (i32.const 1) (i32.const 4) (i32.const 0))
      (i32.const 8) (i32.const 88) (i32.const 5)))                             ;; [1].cccc = three
  (func (export "nest_index_past_end") (result i32)
    (call $nested (call $open (i32.const 5) (i32.const 4) (i32.const 8) (i32.const 1))
      (i32.const 152) (i32.const 1) (i32.const 4) (i32.const 0)))
  (func (export "nest_wrong_shape") (result i32)
    (call $nested (call $open (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 1))
      (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 0)))
  (func (export "put_then_trap")
    (local $h i32)
    (local.set $h (call $open (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 0)))
    (drop (call $insert (local.get $h) (i32.const 12) (i32.const 96) (i32.const 4)))
    (drop (call $remove (local.get $h) (i32.const 0)))
    (drop (call $nested (call $open (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 1))
      (i32.const 8) (i32.const 4) (i32.const 8) (i32.const 0)))
    unreachable)
  (func (export "put_then_refused") (result i64)
    (local $h i32)
    (local.set $h (call $open (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 0)))
    (drop (call $insert (local.get $h) (i32.const 12) (i32.const 96) (i32.const 4)))
    (call $len (i32.const 7)))
  (func (export "order_a")
    (local $h i32)
    (local.set $h (call $open (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 0)))
    (drop (call $insert (local.get $h) (i32.const 0) (i32.const 64) (i32.const 3)))
    (drop (call $insert (local.get $h) (i32.const 4) (i32.const 72) (i32.const 3)))
    (drop (call $insert (local.get $h) (i32.const 8) (i32.const 88) (i32.const 5)))
    (local.set $h (call $open (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 1)))
    (drop (call $push (call $nested (local.get $h) (i32.const 0) (i32.const 4) (i32.const 8) (i32.const 0))
      (i32.const 64) (i32.const 3))))
  (func (export "order_b1")
    (local $h i32) (local $c i32)
    (local.set $h (call $open (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 0)))
    (drop (call $insert (local.get $h) (i32.const 8) (i32.const 88) (i32.const 5)))
    (drop (call $insert (local.get $h) (i32.const 12) (i32.const 96) (i32.const 4)))
    (drop (call $insert (local.get $h) (i32.const 4) (i32.const 64) (i32.const 3)))
    (local.set $h (call $open (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 1)))
    (drop (call $push (call $nested (local.get $h) (i32.const 4) (i32.const 4) (i32.const 8) (i32.const 0))
      (i32.const 72) (i32.const 3)))
    (local.set $c (call $nested (local.get $h) (i32.const 0) (i32.const 4) (i32.const 8) (i32.const 0)))
    (drop (call $push (local.get $c) (i32.const 80) (i32.const 3)))
    (drop (call $pop (local.get $c) (i32.const 256) (i32.const 0)))
    (drop (call $push (local.get $c) (i32.const 64) (i32.const 3)))
    ;; a child created, written and removed in the same execution leaves nothing
    (drop (call $push (call $nested (local.get $h) (i32.const 12) (i32.const 4) (i32.const 8) (i32.const 0))
      (i32.const 96) (i32.const 4)))
    (drop (call $remove (local.get $h) (i32.const 12))))
  (func (export "order_b2")
    (local $h i32)
    (local.set $h (call $open (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 0)))
    (drop (call $remove (local.get $h) (i32.const 12)))
    (drop (call $insert (local.get $h) (i32.const 4) (i32.const 72) (i32.const 3)))
    (drop (call $insert (local.get $h) (i32.const 0) (i32.const 64) (i32.const 3)))
    (local.set $h (call $open (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 1)))
    (drop (call $remove (local.get $h) (i32.const 4))))
"#;

/// `FUNCTIONS` (or any functions) over the shared imports, memory and data, admitted by deploy
/// validation.
fn module(functions: &str) -> Vec<u8> {
    let source = format!("(module {IMPORTS} {functions})");
    let code = wat::parse_str(&source).unwrap_or_else(|e| panic!("{e}\n{source}"));
    svm_core::validation::validate(&code, &Limits::default()).expect("deploy admits the module");
    code
}

/// The end-to-end layout: two pages (depth 1: page load 625, page dirty 2,400).
fn slots() -> Vec<PageSlice> {
    vec![
        PageSlice::collection(0, 0),
        PageSlice::collection(0, 48),
        PageSlice::collection(0, 96),
        PageSlice::collection(0, 144),
        PageSlice::collection(1, 0),
        PageSlice::collection(1, 48),
        PageSlice { page: 1, offset: 200, len: 8 },
    ]
}

/// A reference VM with one deployed contract, and the sender's next nonce.
struct Chain {
    vm: ReferenceVm,
    contract: Address,
    code_len: u64,
    nonce: u64,
}

impl Chain {
    fn deploy(code: Vec<u8>, page_count: u32, slices: Vec<PageSlice>) -> Chain {
        let mut vm = ReferenceVm::new(Limits::default());
        vm.genesis(&[(A, 1_000_000_000_000)]).unwrap();
        let deploy = Deploy {
            author: A,
            nonce: 0,
            code: code.clone(),
            page_count,
            slices,
            initial_balance: 0,
            gas_limit: 100_000_000,
            gas_price: 1,
        };
        let receipt = vm.apply(&Transaction::Deploy(deploy), 1).unwrap();
        assert_eq!(receipt.outcome, Outcome::Success, "{}", receipt.diagnostic);
        let contract = hashing::contract_address(&A, 0, &hashing::code_hash(&code));
        Chain { vm, contract, code_len: code.len() as u64, nonce: 1 }
    }

    fn contract() -> Chain {
        Chain::deploy(module(FUNCTIONS), 2, slots())
    }

    fn call_with(&mut self, function: &str, gas_limit: u64) -> Receipt {
        let execute = Execute {
            contract: self.contract,
            sender: A,
            nonce: self.nonce,
            function: function.into(),
            args: vec![],
            calldata: vec![],
            gas_limit,
            gas_price: 1,
            value: 0,
        };
        self.nonce += 1;
        self.vm.apply(&Transaction::Execute(execute), 1).unwrap()
    }

    /// Runs `function`, which must succeed.
    fn call(&mut self, function: &str) -> Receipt {
        let receipt = self.call_with(function, 10_000_000);
        assert_eq!(receipt.outcome, Outcome::Success, "{function}: {}", receipt.diagnostic);
        receipt
    }

    /// Runs `function`, which must fail with `outcome`; nothing but the nonce and fee change.
    fn fails(&mut self, function: &str, outcome: Outcome) {
        let before = (self.state(), self.vm.contract_slices(&self.contract));
        let receipt = self.call_with(function, 10_000_000);
        assert_eq!(receipt.outcome, outcome, "{function}: {}", receipt.diagnostic);
        assert_eq!((receipt.state, receipt.returns.len()), (None, 0));
        assert_eq!((self.state(), self.vm.contract_slices(&self.contract)), before, "{function} changed storage");
    }

    fn slot(&self, slice: usize) -> Vec<u8> {
        self.vm.contract_slices(&self.contract).unwrap()[slice].clone()
    }

    fn state(&self) -> ContractState {
        self.vm.account_parts(&self.contract).2.unwrap().state
    }
}

fn i32s(values: &[i32]) -> Vec<Value> {
    values.iter().map(|&v| Value::I32(v)).collect()
}

fn padded(bytes: &[u8], len: usize) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v.resize(len, 0);
    v
}

#[test]
fn a_map_inserts_gets_removes_and_walks_its_keys_in_range() {
    let mut chain = Chain::contract();
    assert_eq!(chain.slot(0), vec![0; 48], "a slot is zero at deploy");
    let receipt = chain.call("put");
    let mut expected = i32s(&[0, 0, 0, 0, 1, 0, 1, 0]);
    expected.push(Value::I64(3));
    assert_eq!(receipt.returns, expected);
    let map = state_of(MAP, &[(b"aaaa", b"one"), (b"bbbb", b"TWO"), (b"cccc", b"three")]);
    assert_eq!(chain.slot(0), map.encode().to_vec(), "the slot holds the map's state");
    assert_eq!(receipt.state, Some(chain.state()));
    // A later execution reads it back.
    let receipt = chain.call("read");
    assert_eq!(receipt.returns, i32s(&[3, 5, -1, 1, 1, 0, 0, 1, 0]));
    let returndata = [
        padded(b"TWO", 8),
        padded(b"th", 8),
        vec![0; 8],
        b"aaaabbbb".to_vec(),
        vec![0; 4],
        b"aaaa".to_vec(),
        vec![0; 4],
    ]
    .concat();
    assert_eq!(receipt.returndata, returndata);
    assert_eq!(chain.slot(0), map.encode().to_vec(), "reading changes nothing");
}

#[test]
fn a_set_and_a_sorted_set_hold_keys_only_and_store_alike() {
    let mut chain = Chain::contract();
    let receipt = chain.call("sets");
    let mut expected = i32s(&[0, 1, 0, 0, -1, 0]);
    expected.extend([Value::I64(2), Value::I32(0), Value::I32(0)]);
    assert_eq!(receipt.returns, expected);
    let set = state_of(SET, &[(b"aa", b""), (b"bb", b"")]);
    let sorted = state_of(SORTED_SET, &[(b"aa", b""), (b"bb", b"")]);
    assert_eq!((chain.slot(1), chain.slot(2)), (set.encode().to_vec(), sorted.encode().to_vec()));
    assert_eq!(set.root, sorted.root, "the kind is a type tag, not part of the tree");
    assert_ne!(chain.slot(1), chain.slot(2));
    chain.fails("set_value_too_large", Outcome::Host(HostError::CollectionValueTooLarge));
    chain.fails("set_as_sorted", Outcome::Host(HostError::CollectionShape));
}

#[test]
fn a_list_pushes_pops_and_sets_by_index() {
    let mut chain = Chain::contract();
    let receipt = chain.call("list");
    let v = |x: i64| Value::I64(x);
    assert_eq!(
        receipt.returns,
        [vec![v(0), v(1), v(2)], i32s(&[1, 3, -1, 5]), vec![v(2), Value::I32(3), v(1)]].concat()
    );
    assert_eq!(receipt.returndata, [padded(b"TWO", 8), padded(b"three", 8), padded(b"TW", 8)].concat());
    assert_eq!(chain.slot(3), state_of(LIST, &[(&idx(0), b"one")]).encode().to_vec());
    let receipt = chain.call("list_read");
    let mut expected = i32s(&[3, 0, 3, -1, 0]);
    expected.push(v(0));
    assert_eq!(receipt.returns, expected);
    assert_eq!(receipt.returndata, [padded(b"one", 8), padded(b"one", 8)].concat());
    // Emptied, the slot keeps the state of an empty list (not zero).
    assert_eq!(chain.slot(3), state_of(LIST, &[]).encode().to_vec());
    assert_ne!(chain.slot(3), vec![0; 48]);
    chain.fails("list_index_past_end", Outcome::Host(HostError::CollectionIndex));
}

#[test]
fn nested_collections_commit_into_their_parents_and_read_back_later() {
    let mut chain = Chain::contract();
    let receipt = chain.call("nest");
    assert_eq!(receipt.returns, i32s(&[0, 1, 2, 3, 4, 5, 1, 4]), "handles in opening order; open children answered");
    let a = state_of(LIST, &[(&idx(0), b"one"), (&idx(1), b"two")]);
    let b = state_of(LIST, &[(&idx(0), b"three")]);
    let m = state_of(MAP_OF_COLLECTIONS, &[(b"aaaa", &a.encode()), (b"bbbb", &b.encode())]);
    let x = state_of(MAP, &[(b"aaaa", b"one")]);
    let y = state_of(MAP, &[(b"bbbb", b"two")]);
    let l = state_of(LIST_OF_COLLECTIONS, &[(&idx(0), &x.encode()), (&idx(1), &y.encode())]);
    assert_eq!((chain.slot(4), chain.slot(5)), (m.encode().to_vec(), l.encode().to_vec()));
    let state = chain.state();
    // Opening children is a write (it may create them), but nothing changed: the state is the same.
    let receipt = chain.call("nest_read");
    assert_eq!(
        receipt.returns,
        vec![Value::I64(2), Value::I64(1), Value::I32(5), Value::I64(2), Value::I32(3), Value::I32(3)]
    );
    assert_eq!(receipt.returndata, [padded(b"three", 8), padded(b"two", 8)].concat());
    assert_eq!(receipt.state, Some(state));
    // Deeper writes rewrite the chain above them.
    let receipt = chain.call("nest_more");
    assert_eq!(receipt.returns, vec![Value::I64(2), Value::I32(1), Value::I32(0)]);
    let a = state_of(LIST, &[(&idx(0), b"one"), (&idx(1), b"two"), (&idx(2), b"four")]);
    let m = state_of(MAP_OF_COLLECTIONS, &[(b"aaaa", &a.encode())]);
    let y = state_of(MAP, &[(b"bbbb", b"two"), (b"cccc", b"three")]);
    let l = state_of(LIST_OF_COLLECTIONS, &[(&idx(0), &x.encode()), (&idx(1), &y.encode())]);
    assert_eq!((chain.slot(4), chain.slot(5)), (m.encode().to_vec(), l.encode().to_vec()));
    chain.fails("nest_index_past_end", Outcome::Host(HostError::CollectionIndex));
    chain.fails("nest_wrong_shape", Outcome::Host(HostError::CollectionShape));
}

#[test]
fn a_failed_execution_leaves_collections_and_pages_unchanged() {
    let mut chain = Chain::contract();
    chain.call("put");
    chain.call("nest");
    chain.fails("put_then_trap", Outcome::Trap(TrapKind::Unreachable));
    chain.fails("put_then_refused", Outcome::Host(HostError::UnknownCollection));
    // The old contents are what a later execution sees.
    assert_eq!(chain.call("read").returns, i32s(&[3, 5, -1, 1, 1, 0, 0, 1, 0]));
    assert_eq!(chain.call("nest_read").returns[..2], [Value::I64(2), Value::I64(1)]);
}

#[test]
fn the_same_contents_by_different_histories_give_the_same_state() {
    let mut one = Chain::contract();
    one.call("order_a");
    let mut two = Chain::contract();
    two.call("order_b1");
    assert_ne!(two.state(), one.state());
    two.call("order_b2");
    assert_eq!(two.contract, one.contract);
    assert_eq!(two.state(), one.state());
    assert_eq!(two.vm.contract_slices(&two.contract), one.vm.contract_slices(&one.contract));
    let list = state_of(LIST, &[(&idx(0), b"one")]);
    assert_eq!(two.slot(4), state_of(MAP_OF_COLLECTIONS, &[(b"aaaa", &list.encode())]).encode().to_vec());
    assert_eq!(
        two.slot(0),
        state_of(MAP, &[(b"aaaa", b"one"), (b"bbbb", b"two"), (b"cccc", b"three")]).encode().to_vec()
    );
}

/// A module of one function: open a map in slot 0, insert "key" = "value", get it back.
const GAS_MODULE: &str = r#"
  (module
    (import "svm" "collection_open" (func $open (param i32 i32 i32 i32) (result i32)))
    (import "svm" "collection_insert" (func $insert (param i32 i32 i32 i32) (result i32)))
    (import "svm" "collection_get" (func $get (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 0) "keyvalue")
    (func (export "g") (result i32 i32)
      (local $h i32)
      (local.set $h (call $open (i32.const 0) (i32.const 1) (i32.const 3) (i32.const 0)))
      (call $insert (local.get $h) (i32.const 0) (i32.const 3) (i32.const 5))
      (call $get (local.get $h) (i32.const 0) (i32.const 16) (i32.const 8))))
"#;

#[test]
fn gas_used_is_the_sum_the_rules_give_by_hand() {
    let code = wat::parse_str(GAS_MODULE).unwrap();
    let mut chain = Chain::deploy(code, 1, vec![PageSlice::collection(0, 0)]);
    let intrinsic = 20_000 + 10 * chain.code_len;
    // Operators, by segment: 4 × i32.const + call = 9; local.set + local.get + 3 × i32.const + call
    // = 10; local.get + 3 × i32.const + call = 9; end = 0. Total 28.
    // One page: depth 0, page load 500, page dirty 2,000.
    // open: price 100 + the slot page's load 500 = 600.
    // insert (value_len 5): price 100 + 3 × 5 = 115; marks the map: the page's first write, dirty
    //   2,000 (already loaded); write work of length 0: 250 × levels(0) = 250 × 1. Total 2,365.
    // get (value_cap 8): price 60 + 8 = 68; read work of length 1: 60 × levels(1) = 60 × 2 = 120.
    let first = 28 + 600 + 2_365 + 188;
    let receipt = chain.call("g");
    assert_eq!(receipt.returns, i32s(&[0, 5]));
    assert_eq!(receipt.gas_used, intrinsic + first);
    // Again: the insert replaces (write work of length 1: 500), the page is paid afresh.
    let receipt = chain.call("g");
    assert_eq!(receipt.returns, i32s(&[1, 5]));
    assert_eq!(receipt.gas_used, intrinsic + 28 + 600 + (115 + 2_000 + 500) + 188);
    // Exactly the gas needed succeeds; one less runs out at the get's work charge.
    let limit = intrinsic + 28 + 600 + (115 + 2_000 + 500) + 188;
    assert_eq!(chain.call_with("g", limit).gas_used, limit);
    let receipt = chain.call_with("g", limit - 1);
    assert_eq!((receipt.outcome, receipt.gas_used), (Outcome::OutOfGas, limit - 1));
}

#[test]
fn a_snapshot_carries_the_collections_out_and_back_in() {
    let mut chain = Chain::contract();
    chain.call("put");
    chain.call("nest");
    chain.call("nest_more");
    let accounts = chain.vm.export_state().unwrap();
    let contract = accounts.iter().find(|a| a.address == chain.contract).unwrap().contract.clone().unwrap();
    // Slot 0's map, slot 4's map and its one list, slot 5's list and its two maps.
    assert_eq!(contract.collections.len(), 6);
    for (root, collection) in &contract.collections {
        let entries = collection.entries.clone();
        assert_eq!(Collection { width: collection.key_width.into(), entries }.root(), *root);
    }
    let copy =
        ReferenceVm::from_snapshot(Limits::default(), accounts.clone(), chain.vm.event_entries(), chain.vm.root())
            .unwrap();
    assert_eq!(copy.root(), chain.vm.root());
    let mut other = Chain { vm: copy, contract: chain.contract, code_len: chain.code_len, nonce: chain.nonce };
    assert_eq!(other.call("read"), chain.call("read"));
    assert_eq!(other.call("nest_read"), chain.call("nest_read"));
    assert_eq!(other.call("order_a"), chain.call("order_a"));
    assert_eq!(other.vm.root(), chain.vm.root());

    // A snapshot whose collections do not follow is refused, each way typed.
    let with = |change: &dyn Fn(&mut svm_core::snapshot::SnapshotContract)| {
        let mut accounts = accounts.clone();
        let account = accounts.iter_mut().find(|a| a.address == chain.contract).unwrap();
        change(account.contract.as_mut().unwrap());
        ReferenceVm::from_snapshot(Limits::default(), accounts, BTreeMap::new(), ReferenceVm::default().root())
    };
    let first = *contract.collections.keys().next().unwrap();
    let tampered = with(&|c| {
        c.collections.get_mut(&first).unwrap().entries.values_mut().for_each(|v| v.push(0));
    });
    assert!(matches!(tampered, Err(ReferenceError::SnapshotCollectionRoot { expected, .. }) if expected == first));
    let missing = with(&|c| {
        c.collections.remove(&first);
    });
    assert!(matches!(
        missing,
        Err(ReferenceError::SnapshotCollections { error: StoreError::Missing(root), .. }) if root == first
    ));
    let widths = with(&|c| c.collections.get_mut(&first).unwrap().key_width = 33);
    assert!(matches!(widths, Err(ReferenceError::SnapshotCollectionKeys { root, .. }) if root == first));
}

// ---------------------------------------------------------------------------------------------
// Over one execution context
// ---------------------------------------------------------------------------------------------

/// Owns what a context borrows.
struct Fixture {
    layout: StorageLayout,
    pages: BTreeMap<u32, Page>,
    store: CollectionStore,
    balances: BTreeMap<Address, u64>,
    limits: Limits,
}

fn fixture(page_count: u32, slices: Vec<PageSlice>) -> Fixture {
    Fixture {
        layout: StorageLayout::new(page_count, slices).unwrap(),
        pages: BTreeMap::new(),
        store: CollectionStore::new(),
        balances: BTreeMap::new(),
        limits: Limits::default(),
    }
}

impl Fixture {
    fn context(&self) -> ExecutionContext<'_> {
        let env = ExecutionEnv { sender: A, contract: A, layer: 1, value: 0, calldata: &[] };
        ExecutionContext::new(env, &self.layout, &self.pages, &self.balances, &self.limits)
            .with_collections(&self.store)
    }
}

fn i(v: i32) -> Value {
    Value::I32(v)
}

/// Calls `name`; returns the result and the gas it took.
fn vc(
    cx: &mut ExecutionContext<'_>,
    mem: Option<&mut Vec<u8>>,
    name: &str,
    args: &[Value],
) -> (Result<Vec<Value>, Stop>, u64) {
    let mut meter = Meter { remaining: 1_000_000 };
    let r = cx.vmcall(name, args, mem, &mut meter);
    (r, 1_000_000 - meter.remaining)
}

/// Calls `name`, which must succeed; returns its one result as an i64.
fn ok(cx: &mut ExecutionContext<'_>, mem: Option<&mut Vec<u8>>, name: &str, args: &[Value]) -> i64 {
    match vc(cx, mem, name, args).0 {
        Ok(v) => match v[..] {
            [Value::I32(x)] => x.into(),
            [Value::I64(x)] => x,
            _ => panic!("{name}: {v:?}"),
        },
        Err(e) => panic!("{name}{args:?}: {e:?}"),
    }
}

fn host_err(e: HostError) -> Result<Vec<Value>, Stop> {
    Err(Stop::Host(e))
}

/// Slices of the context tests: 0 a map of 4-byte keys, 1 a list, 2 a map of collections, 3 a list
/// of collections, 4 eight bytes, 5 a slot on page 1, 6 a set of 2-byte keys.
fn table_fixture() -> Fixture {
    let slices = vec![
        PageSlice::collection(0, 0),
        PageSlice::collection(0, 48),
        PageSlice::collection(0, 96),
        PageSlice::collection(0, 144),
        PageSlice { page: 0, offset: 200, len: 8 },
        PageSlice::collection(1, 0),
        PageSlice::collection(0, 256),
    ];
    fixture(2, slices)
}

/// Opens slots 0, 1, 2, 3 and 6 as handles 0 to 4.
fn opened(f: &Fixture) -> ExecutionContext<'_> {
    let mut cx = f.context();
    for (slice, (kind, width, values)) in
        [(0, MAP), (1, LIST), (2, MAP_OF_COLLECTIONS), (3, LIST_OF_COLLECTIONS), (6, SET)]
    {
        ok(&mut cx, None, "collection_open", &[i(slice), i(kind as i32), i(width as i32), i(values as i32)]);
    }
    cx
}

/// Memory of the table rows: 64 bytes, the u64 big-endian index 1 at 8.
fn small_memory() -> Vec<u8> {
    let mut mem = vec![0u8; 64];
    mem[8..16].copy_from_slice(&idx(1));
    mem
}

/// Each check of the per-vmcall table fails, with arguments that also break the checks after it: the
/// first check's error wins.
#[test]
fn which_collection_error_wins() {
    use HostError::*;
    let none = -1;
    let f = table_fixture();
    let rows: Vec<(&str, Vec<Value>, bool, HostError)> = vec![
        // collection_open: slice, slot, shape, an open slot's shape.
        ("collection_open", vec![i(9), i(5), i(0), i(0)], false, UnknownSlice),
        ("collection_open", vec![i(4), i(5), i(0), i(0)], false, SliceKind),
        ("collection_open", vec![i(5), i(5), i(4), i(0)], false, CollectionShape),
        ("collection_open", vec![i(5), i(0), i(4), i(0)], false, CollectionShape),
        ("collection_open", vec![i(5), i(1), i(0), i(0)], false, CollectionShape),
        ("collection_open", vec![i(5), i(1), i(33), i(0)], false, CollectionShape),
        ("collection_open", vec![i(5), i(4), i(4), i(0)], false, CollectionShape),
        ("collection_open", vec![i(5), i(2), i(4), i(1)], false, CollectionShape),
        ("collection_open", vec![i(5), i(3), i(4), i(1)], false, CollectionShape),
        ("collection_open", vec![i(5), i(1), i(4), i(2)], false, CollectionShape),
        ("collection_open", vec![i(0), i(1), i(8), i(0)], false, CollectionShape),
        // collection_open_nested: handle, value kind, (depth: below), shape, key memory, index.
        ("collection_open_nested", vec![i(9), i(0), i(9), i(9), i(9)], false, UnknownCollection),
        ("collection_open_nested", vec![i(0), i(0), i(9), i(9), i(9)], false, CollectionValueKind),
        ("collection_open_nested", vec![i(2), i(0), i(9), i(9), i(9)], false, CollectionShape),
        ("collection_open_nested", vec![i(2), i(0), i(1), i(4), i(0)], false, NoMemory),
        ("collection_open_nested", vec![i(2), i(61), i(1), i(4), i(0)], true, MemoryOutOfBounds),
        ("collection_open_nested", vec![i(3), i(8), i(1), i(4), i(0)], true, CollectionIndex),
        // collection_get: handle, value kind, key memory, value memory.
        ("collection_get", vec![i(5), i(0), i(0), i(0)], false, UnknownCollection),
        ("collection_get", vec![i(2), i(0), i(0), i(0)], false, CollectionValueKind),
        ("collection_get", vec![i(0), i(0), i(0), i(0)], false, NoMemory),
        ("collection_get", vec![i(0), i(61), i(0), i(0)], true, MemoryOutOfBounds),
        ("collection_get", vec![i(0), i(0), i(60), i(5)], true, MemoryOutOfBounds),
        // collection_insert: handle, value kind, value length, key memory, value memory, index.
        ("collection_insert", vec![i(9), i(0), i(0), i(2_000)], false, UnknownCollection),
        ("collection_insert", vec![i(2), i(0), i(0), i(2_000)], false, CollectionValueKind),
        ("collection_insert", vec![i(0), i(0), i(0), i(1_025)], false, CollectionValueTooLarge),
        ("collection_insert", vec![i(4), i(0), i(0), i(1)], false, CollectionValueTooLarge),
        ("collection_insert", vec![i(0), i(0), i(0), i(1_024)], false, NoMemory),
        ("collection_insert", vec![i(0), i(61), i(0), i(1)], true, MemoryOutOfBounds),
        ("collection_insert", vec![i(0), i(0), i(60), i(5)], true, MemoryOutOfBounds),
        ("collection_insert", vec![i(1), i(61), i(0), i(1)], true, MemoryOutOfBounds),
        ("collection_insert", vec![i(1), i(0), i(0), i(1)], true, CollectionIndex),
        // collection_remove: handle, not a list, key memory.
        ("collection_remove", vec![i(9), i(99)], false, UnknownCollection),
        ("collection_remove", vec![i(1), i(99)], false, CollectionOperation),
        ("collection_remove", vec![i(0), i(0)], false, NoMemory),
        ("collection_remove", vec![i(0), i(61)], true, MemoryOutOfBounds),
        // collection_push: handle, a list, value kind, value length, value memory.
        ("collection_push", vec![i(9), i(0), i(2_000)], false, UnknownCollection),
        ("collection_push", vec![i(0), i(0), i(2_000)], false, CollectionOperation),
        ("collection_push", vec![i(3), i(0), i(2_000)], false, CollectionValueKind),
        ("collection_push", vec![i(1), i(0), i(1_025)], false, CollectionValueTooLarge),
        ("collection_push", vec![i(1), i(0), i(1)], false, NoMemory),
        ("collection_push", vec![i(1), i(60), i(5)], true, MemoryOutOfBounds),
        // collection_pop: handle, a list, value memory (even for a capacity of 0).
        ("collection_pop", vec![i(9), i(0), i(0)], false, UnknownCollection),
        ("collection_pop", vec![i(0), i(0), i(0)], false, CollectionOperation),
        ("collection_pop", vec![i(1), i(0), i(0)], false, NoMemory),
        ("collection_pop", vec![i(1), i(60), i(5)], true, MemoryOutOfBounds),
        ("collection_pop", vec![i(1), i(65), i(0)], true, MemoryOutOfBounds),
        // collection_len: handle (the table has 5 entries).
        ("collection_len", vec![i(5)], false, UnknownCollection),
        // collection_next: handle, after, bound, out.
        ("collection_next", vec![i(9), i(0), i(0), i(0)], false, UnknownCollection),
        ("collection_next", vec![i(0), i(0), i(none), i(none)], false, NoMemory),
        ("collection_next", vec![i(0), i(none), i(none), i(none)], false, NoMemory),
        ("collection_next", vec![i(0), i(61), i(61), i(61)], true, MemoryOutOfBounds),
        ("collection_next", vec![i(0), i(none), i(61), i(0)], true, MemoryOutOfBounds),
        ("collection_next", vec![i(0), i(none), i(none), i(61)], true, MemoryOutOfBounds),
        // The storage vmcalls refuse a slot right after the slice check.
        ("storage_read_i32", vec![i(0)], false, SliceKind),
        ("storage_read_i64", vec![i(0)], false, SliceKind),
        ("storage_read_i64", vec![i(99)], false, UnknownSlice),
        ("storage_write_i32", vec![i(1), i(7)], false, SliceKind),
        ("storage_write_i64", vec![i(5), Value::I64(7)], false, SliceKind),
        ("storage_read_to_mem", vec![i(0), i(1), i(1), i(0)], false, SliceKind),
        ("storage_write_from_mem", vec![i(0), i(47), i(2), i(100)], false, SliceKind),
        ("storage_read_to_reg", vec![i(0), i(1), i(1), i(32), i(0)], false, SliceKind),
        ("storage_read_to_reg", vec![i(0), i(1), i(1), i(32), i(16)], false, UnknownRegister),
        ("storage_write_from_reg", vec![i(0), i(1), i(1), i(32), i(0)], false, SliceKind),
        ("storage_write_from_reg", vec![i(0), i(1), i(9), i(32), i(0)], false, RegisterWidth),
    ];
    for (name, args, with_memory, error) in rows {
        let mut cx = opened(&f);
        let (loaded, dirty) = (cx.loaded_pages().clone(), cx.dirty_pages().clone());
        let mut mem = small_memory();
        let memory = if with_memory { Some(&mut mem) } else { None };
        let (result, gas) = vc(&mut cx, memory, name, &args);
        assert_eq!(result, host_err(error), "{name}{args:?} memory={with_memory}");
        assert_eq!(mem, small_memory(), "{name}: a refused vmcall writes nothing");
        let spec = svm_core::vmcalls::registry::vmcall(name).unwrap();
        assert_eq!(gas, svm_reference::chain::vmcalls::price(spec, &args), "{name}{args:?}: only the price is paid");
        assert_eq!((cx.loaded_pages(), cx.dirty_pages()), (&loaded, &dirty), "{name}: no page paid");
    }
    // storage_slice_len answers a slot's declared length, 0.
    let mut cx = f.context();
    assert_eq!(vc(&mut cx, None, "storage_slice_len", &[i(0)]), (Ok(vec![i(0)]), 5));
}

#[test]
fn page_and_work_gas_call_by_call() {
    // Three pages: depth 2, page load 750, page dirty 2,800. Slot 0 on page 0, slot 1 and 8 bytes on
    // page 2.
    let f = fixture(
        3,
        vec![PageSlice::collection(0, 0), PageSlice::collection(2, 0), PageSlice { page: 2, offset: 100, len: 8 }],
    );
    let mut cx = f.context();
    let mut mem = vec![0u8; 64];
    mem[..12].copy_from_slice(b"key1key2key3");
    let mem = &mut mem;
    let map = [i(0), i(1), i(4), i(0)];
    // open: 100 + the page's load; again: the same handle for the price alone.
    assert_eq!(vc(&mut cx, Some(mem), "collection_open", &map), (Ok(vec![i(0)]), 100 + 750));
    assert_eq!(vc(&mut cx, Some(mem), "collection_open", &map), (Ok(vec![i(0)]), 100));
    // get (cap 8): 60 + 8, read work at length 0: 60 × 1.
    assert_eq!(vc(&mut cx, Some(mem), "collection_get", &[i(0), i(0), i(32), i(8)]), (Ok(vec![i(-1)]), 68 + 60));
    assert!(cx.dirty_pages().is_empty());
    // insert (len 3): 100 + 9, the page's first write 2,800, write work at length 0: 250 × 1.
    let r = vc(&mut cx, Some(mem), "collection_insert", &[i(0), i(0), i(0), i(3)]);
    assert_eq!(r, (Ok(vec![i(0)]), 109 + 2_800 + 250));
    // Then 250 × levels(1) = 500, 250 × levels(2) = 750.
    assert_eq!(vc(&mut cx, Some(mem), "collection_insert", &[i(0), i(4), i(0), i(5)]), (Ok(vec![i(0)]), 115 + 500));
    assert_eq!(vc(&mut cx, Some(mem), "collection_insert", &[i(0), i(8), i(0), i(0)]), (Ok(vec![i(0)]), 100 + 750));
    // next: 100 + 2 × 60 × levels(3) = 100 + 360; len: 5; remove, absent or not: 100 + 750.
    assert_eq!(vc(&mut cx, Some(mem), "collection_next", &[i(0), i(-1), i(-1), i(40)]), (Ok(vec![i(1)]), 460));
    assert_eq!(mem[40..44], *b"key1");
    assert_eq!(vc(&mut cx, None, "collection_len", &[i(0)]), (Ok(vec![Value::I64(3)]), 5));
    assert_eq!(vc(&mut cx, Some(mem), "collection_remove", &[i(0), i(20)]), (Ok(vec![i(0)]), 850));
    assert_eq!(vc(&mut cx, Some(mem), "collection_remove", &[i(0), i(0)]), (Ok(vec![i(1)]), 850));
    // get (cap 2) of "key2" (5 bytes, "key1k"): 62 + 60 × levels(2) = 62 + 180.
    assert_eq!(vc(&mut cx, Some(mem), "collection_get", &[i(0), i(4), i(48), i(2)]), (Ok(vec![i(5)]), 242));
    assert_eq!(mem[48..51], [b'k', b'e', 0]);
    // A storage write to page 2 pays its load and dirty; then a slot there is opened for the price.
    assert_eq!(vc(&mut cx, None, "storage_write_i64", &[i(2), Value::I64(1)]).1, 100 + 750 + 2_800);
    let r = vc(&mut cx, Some(mem), "collection_open", &[i(1), i(4), i(8), i(1)]);
    assert_eq!(r, (Ok(vec![i(1)]), 100));
    // open_nested at index 0 = length: 150, page 2 already dirty, read + write work at 0: 60 + 250.
    mem[56..64].copy_from_slice(&idx(0));
    let nested = [i(1), i(56), i(1), i(4), i(0)];
    assert_eq!(vc(&mut cx, Some(mem), "collection_open_nested", &nested), (Ok(vec![i(2)]), 150 + 310));
    // pop of a child: 60 + 8, write work at length 1: 500; answers 0, copies nothing; drops handle 2.
    let before = mem.clone();
    assert_eq!(vc(&mut cx, Some(mem), "collection_pop", &[i(1), i(0), i(8)]), (Ok(vec![i(0)]), 68 + 500));
    assert_eq!(*mem, before);
    assert_eq!(vc(&mut cx, None, "collection_len", &[i(2)]), (host_err(HostError::UnknownCollection), 5));
    // Index 0 again: a new, empty child under a new handle.
    assert_eq!(vc(&mut cx, Some(mem), "collection_open_nested", &nested), (Ok(vec![i(3)]), 150 + 310));
    // pop of an empty list still marks and pays: 60 + the page's first write + write work at 0.
    let f2 = fixture(1, vec![PageSlice::collection(0, 0)]);
    let mut cx2 = f2.context();
    assert_eq!(vc(&mut cx2, Some(mem), "collection_open", &[i(0), i(4), i(8), i(0)]).1, 100 + 500);
    assert_eq!(vc(&mut cx2, Some(mem), "collection_pop", &[i(0), i(0), i(0)]), (Ok(vec![i(-1)]), 60 + 2_000 + 250));

    // Commit writes the map into slot 0, and the list (holding one empty map) into slot 1.
    cx.commit_collections();
    let map = state_of(MAP, &[(b"key2", b"key1k"), (b"key3", b"")]);
    let child = CollectionState::empty(Shape::from_args(1, 4, 0).unwrap());
    let list = state_of(LIST_OF_COLLECTIONS, &[(&idx(0), &child.encode())]);
    assert_eq!(cx.page(0)[..48], map.encode());
    assert_eq!(cx.page(2)[..48], list.encode());
    assert_eq!(cx.page(2)[100..108], 1u64.to_le_bytes());
    let effects = cx.into_effects();
    assert_eq!(effects.written.keys().copied().collect::<Vec<_>>(), vec![0, 2]);
    // The map and the list are kept; the empty child is not written (it was not modified).
    assert_eq!(effects.collections.len(), 2);
}

#[test]
fn reading_dirties_nothing_and_a_write_that_changes_nothing_still_writes_the_state() {
    let f = fixture(1, vec![PageSlice::collection(0, 0)]);
    let mut mem = vec![0u8; 16];
    let mut cx = f.context();
    ok(&mut cx, None, "collection_open", &[i(0), i(1), i(4), i(0)]);
    assert_eq!(ok(&mut cx, Some(&mut mem), "collection_get", &[i(0), i(0), i(4), i(4)]), -1);
    assert_eq!(ok(&mut cx, Some(&mut mem), "collection_next", &[i(0), i(-1), i(-1), i(4)]), 0);
    assert_eq!(ok(&mut cx, None, "collection_len", &[i(0)]), 0);
    cx.commit_collections();
    let effects = cx.into_effects();
    assert!(effects.written.is_empty() && effects.collections.is_empty(), "nothing was marked");
    // A remove of an absent key marks the map: the zero slot becomes an empty map's state.
    let mut cx = f.context();
    ok(&mut cx, None, "collection_open", &[i(0), i(1), i(4), i(0)]);
    assert_eq!(vc(&mut cx, Some(&mut mem), "collection_remove", &[i(0), i(0)]), (Ok(vec![i(0)]), 100 + 2_000 + 250));
    cx.commit_collections();
    assert_eq!(cx.page(0)[..48], state_of(MAP, &[]).encode());
}

#[test]
fn removing_a_key_drops_every_handle_below_it() {
    let f = table_fixture();
    let mut cx = opened(&f);
    let mut mem = vec![0u8; 64];
    mem[..12].copy_from_slice(b"k001k002k003");
    let mem = &mut mem;
    // Handle 2 is a map of collections: k001 → maps of maps (5), whose k003 → map (6); k002 → map (7).
    let k001 = ok(&mut cx, Some(mem), "collection_open_nested", &[i(2), i(0), i(1), i(4), i(1)]);
    let deep = ok(&mut cx, Some(mem), "collection_open_nested", &[i(k001 as i32), i(8), i(1), i(4), i(0)]);
    let k002 = ok(&mut cx, Some(mem), "collection_open_nested", &[i(2), i(4), i(1), i(4), i(0)]);
    assert_eq!((k001, deep, k002), (5, 6, 7));
    ok(&mut cx, Some(mem), "collection_insert", &[i(deep as i32), i(0), i(0), i(4)]);
    // Removing k001 drops 5 and 6; 7 and the parent stay.
    assert_eq!(ok(&mut cx, Some(mem), "collection_remove", &[i(2), i(0)]), 1);
    for dropped in [5, 6] {
        assert_eq!(vc(&mut cx, None, "collection_len", &[i(dropped)]).0, host_err(HostError::UnknownCollection));
    }
    assert_eq!(ok(&mut cx, None, "collection_len", &[i(7)]), 0);
    assert_eq!(ok(&mut cx, None, "collection_len", &[i(2)]), 1);
    // Re-opening k001 makes a new, empty child with the next handle; its old child is gone with it.
    assert_eq!(ok(&mut cx, Some(mem), "collection_open_nested", &[i(2), i(0), i(1), i(4), i(1)]), 8);
    assert_eq!(ok(&mut cx, None, "collection_len", &[i(8)]), 0);
    // Removing a key of a byte-valued map drops nothing.
    assert_eq!(ok(&mut cx, Some(mem), "collection_remove", &[i(0), i(0)]), 0);
    // Commit: the parent holds k001 (the new, empty map of maps) and k002.
    cx.commit_collections();
    let k001 = CollectionState::empty(Shape::from_args(1, 4, 1).unwrap());
    let k002 = CollectionState::empty(Shape::from_args(1, 4, 0).unwrap());
    let parent = state_of(MAP_OF_COLLECTIONS, &[(b"k001", &k001.encode()), (b"k002", &k002.encode())]);
    assert_eq!(cx.page(0)[96..144], parent.encode());
}

#[test]
fn nesting_stops_at_depth_four() {
    let f = fixture(1, vec![PageSlice::collection(0, 0)]);
    let mut cx = f.context();
    let mut mem = vec![7u8, 8, 0, 0];
    let mem = &mut mem;
    // Depth 1 to 4, each a map of maps with 1-byte keys.
    let mut handle = ok(&mut cx, None, "collection_open", &[i(0), i(1), i(1), i(1)]);
    for depth in 2..=4 {
        handle = ok(&mut cx, Some(mem), "collection_open_nested", &[i(handle as i32), i(0), i(1), i(1), i(1)]);
        assert_eq!(cx.open_collections().known(handle as u32).unwrap().depth, depth);
    }
    // From depth 4: collection-depth, before the shape and the memory.
    let r = vc(&mut cx, None, "collection_open_nested", &[i(handle as i32), i(0), i(9), i(9), i(9)]);
    assert_eq!(r, (host_err(HostError::CollectionDepth), 150));
    // A depth-4 collection of byte values fails on its value kind first.
    let bytes = ok(&mut cx, Some(mem), "collection_open_nested", &[i(2), i(1), i(1), i(1), i(0)]);
    let r = vc(&mut cx, None, "collection_open_nested", &[i(bytes as i32), i(0), i(9), i(9), i(9)]);
    assert_eq!(r.0, host_err(HostError::CollectionValueKind));
}

#[test]
fn the_table_holds_sixty_four_entries_dropped_ones_included() {
    let f = table_fixture();
    let mut cx = f.context();
    let mut mem: Vec<u8> = (0..=255).collect();
    let mem = &mut mem;
    assert_eq!(ok(&mut cx, None, "collection_open", &[i(2), i(1), i(1), i(1)]), 0);
    for key in 0..63 {
        assert_eq!(ok(&mut cx, Some(mem), "collection_open_nested", &[i(0), i(key), i(1), i(1), i(0)]), key as i64 + 1);
    }
    // Full: a new child, or a new slot, is refused — the slot before its page is loaded.
    let r = vc(&mut cx, Some(mem), "collection_open_nested", &[i(0), i(63), i(1), i(1), i(0)]);
    assert_eq!(r, (host_err(HostError::TooManyCollections), 150));
    let r = vc(&mut cx, None, "collection_open", &[i(5), i(1), i(4), i(0)]);
    assert_eq!(r, (host_err(HostError::TooManyCollections), 100));
    assert!(!cx.loaded_pages().contains(&1));
    // Open ones are still answered; a shape mismatch wins over the room check.
    assert_eq!(
        vc(&mut cx, Some(mem), "collection_open_nested", &[i(0), i(9), i(1), i(1), i(0)]),
        (Ok(vec![i(10)]), 150)
    );
    assert_eq!(vc(&mut cx, None, "collection_open", &[i(2), i(1), i(1), i(1)]), (Ok(vec![i(0)]), 100));
    let r = vc(&mut cx, Some(mem), "collection_open_nested", &[i(0), i(9), i(2), i(1), i(0)]);
    assert_eq!(r.0, host_err(HostError::CollectionShape));
    // A dropped entry keeps its place.
    assert_eq!(ok(&mut cx, Some(mem), "collection_remove", &[i(0), i(0)]), 1);
    let r = vc(&mut cx, Some(mem), "collection_open_nested", &[i(0), i(0), i(1), i(1), i(0)]);
    assert_eq!(r.0, host_err(HostError::TooManyCollections));
}

#[test]
fn the_dirty_page_limit_applies_when_a_write_marks_its_slot_page() {
    let mut f = table_fixture();
    f.limits.max_dirty_pages = 1;
    let mut mem = small_memory();
    let mem = &mut mem;
    // A slot on page 1 makes page 1 dirty; then every write to page 0's collections is refused after
    // its memory checks, paying only its price.
    let mut cx = opened(&f);
    ok(&mut cx, None, "collection_open", &[i(5), i(1), i(4), i(0)]);
    ok(&mut cx, Some(mem), "collection_insert", &[i(5), i(0), i(0), i(0)]);
    let rows: Vec<(&str, Vec<Value>)> = vec![
        ("collection_insert", vec![i(0), i(0), i(0), i(4)]),
        ("collection_remove", vec![i(0), i(0)]),
        ("collection_push", vec![i(1), i(0), i(4)]),
        ("collection_pop", vec![i(1), i(0), i(4)]),
        ("collection_open_nested", vec![i(2), i(0), i(1), i(4), i(0)]),
    ];
    for (name, args) in rows {
        let spec = svm_core::vmcalls::registry::vmcall(name).unwrap();
        let price = svm_reference::chain::vmcalls::price(spec, &args);
        assert_eq!(vc(&mut cx, Some(mem), name, &args), (host_err(HostError::TooManyDirtyPages), price), "{name}");
    }
    // The memory check comes before.
    let r = vc(&mut cx, Some(mem), "collection_insert", &[i(0), i(0), i(62), i(4)]);
    assert_eq!(r.0, host_err(HostError::MemoryOutOfBounds));
    // Reads are not writes.
    assert_eq!(ok(&mut cx, Some(mem), "collection_get", &[i(0), i(0), i(0), i(4)]), -1);
}

#[test]
fn a_slot_state_is_checked_against_the_shape_after_its_page_is_loaded() {
    let mut f = fixture(1, vec![PageSlice::collection(0, 64), PageSlice::collection(0, 128)]);
    let root = f.store.insert(Collection { width: 8, entries: [(idx(0), b"x".to_vec())].into() });
    let state = CollectionState { shape: Shape::from_args(4, 8, 0).unwrap(), length: 1, root };
    let mut page = Box::new([0u8; PAGE_SIZE]);
    page[64..112].copy_from_slice(&state.encode());
    f.pages.insert(0, page);
    let mut cx = f.context();
    let r = vc(&mut cx, None, "collection_open", &[i(0), i(1), i(8), i(0)]);
    assert_eq!(r, (host_err(HostError::CollectionShape), 100 + 500));
    // The right shape opens the stored contents.
    let mut cx = f.context();
    let mut mem = vec![0u8; 16];
    assert_eq!(ok(&mut cx, None, "collection_open", &[i(0), i(4), i(8), i(0)]), 0);
    assert_eq!(ok(&mut cx, None, "collection_len", &[i(0)]), 1);
    assert_eq!(ok(&mut cx, Some(&mut mem), "collection_pop", &[i(0), i(8), i(8)]), 1);
    assert_eq!(mem[8], b'x');
    // A slot whose root the store lacks is a node fault, not an outcome.
    f.store = CollectionStore::new();
    let mut cx = f.context();
    assert!(matches!(vc(&mut cx, None, "collection_open", &[i(0), i(4), i(8), i(0)]).0, Err(Stop::Fault(_))));
}

#[test]
fn an_existing_child_of_another_shape_is_refused_after_the_work_is_paid() {
    let f = fixture(1, vec![PageSlice::collection(0, 0)]);
    let mut cx = f.context();
    let mut mem = b"k".to_vec();
    ok(&mut cx, None, "collection_open", &[i(0), i(1), i(1), i(1)]);
    ok(&mut cx, Some(&mut mem), "collection_open_nested", &[i(0), i(0), i(4), i(8), i(0)]);
    ok(&mut cx, Some(&mut mem), "collection_push", &[i(1), i(0), i(1)]);
    cx.commit_collections();
    let written = cx.into_effects();
    // The next execution sees the map holding a list at "k".
    let mut f = f;
    f.pages = written.written;
    for collection in written.collections {
        f.store.insert(collection);
    }
    let mut cx = f.context();
    ok(&mut cx, None, "collection_open", &[i(0), i(1), i(1), i(1)]);
    // 150 + the first write (dirty 2,000; loaded) + read and write work at length 1: 120 + 500.
    let r = vc(&mut cx, Some(&mut mem), "collection_open_nested", &[i(0), i(0), i(1), i(1), i(0)]);
    assert_eq!(r, (host_err(HostError::CollectionShape), 150 + 2_000 + 620));
    let mut cx = f.context();
    ok(&mut cx, None, "collection_open", &[i(0), i(1), i(1), i(1)]);
    assert_eq!(ok(&mut cx, Some(&mut mem), "collection_open_nested", &[i(0), i(0), i(4), i(8), i(0)]), 1);
    assert_eq!(ok(&mut cx, None, "collection_len", &[i(1)]), 1);
}

#[test]
fn the_price_is_charged_before_every_check() {
    let f = table_fixture();
    let mut cx = f.context();
    // insert with value_len 2^32 − 1: 100 + 3 × (2^32 − 1) is more than is left, whatever else is wrong.
    let mut meter = Meter { remaining: 100 + 3 * 4_294_967_295 - 1 };
    let r = cx.vmcall("collection_insert", &[i(9), i(0), i(0), i(-1)], None, &mut meter);
    assert_eq!((r, meter.remaining), (Err(Stop::OutOfGas), 0));
    let mut meter = Meter { remaining: 100 + 3 * 4_294_967_295 };
    let r = cx.vmcall("collection_insert", &[i(9), i(0), i(0), i(-1)], None, &mut meter);
    assert_eq!((r, meter.remaining), (host_err(HostError::UnknownCollection), 0));
    // get and pop pay their capacity, push its length.
    let spec = |name| svm_core::vmcalls::registry::vmcall(name).unwrap();
    let price = svm_reference::chain::vmcalls::price;
    assert_eq!(price(spec("collection_get"), &[i(0), i(0), i(0), i(10)]), 70);
    assert_eq!(price(spec("collection_pop"), &[i(0), i(0), i(10)]), 70);
    assert_eq!(price(spec("collection_push"), &[i(0), i(0), i(10)]), 130);
    assert_eq!(price(spec("collection_next"), &[i(0), i(0), i(0), i(10)]), 100);
    // Work gas past what is left is out of gas.
    let mut cx = opened(&f);
    let mut meter = Meter { remaining: 60 + 4 + 59 };
    let mut mem = small_memory();
    let r = cx.vmcall("collection_get", &[i(0), i(0), i(0), i(4)], Some(&mut mem), &mut meter);
    assert_eq!((r, meter.remaining), (Err(Stop::OutOfGas), 0));
}
