//! The chain side of the reference VM: plain state, every vmcall over it, the transaction rules, and
//! hashing recomputed naively from the whole state — written from `docs/consensus.md` and
//! `docs/vmcalls.md`, sharing with the runtime only svm-core's types and data.
//!
//! - [`state`]: accounts in a map, contract pages as byte arrays;
//! - [`ledger`]: one transaction's staged balances and nonces, committed by the commit rule;
//! - [`hashing`]: identifiers, metadata encoding, page hash and page tree;
//! - [`collections`]: a collection as a plain ordered map, and its root by the definition;
//! - [`collection_store`]: every committed collection's contents, by root;
//! - [`event_store`]: every live event and the layer counter, their entries and root;
//! - [`open_collections`]: an execution's table of open collections (handles), and their commit;
//! - [`trie`]: the account encoding and the global state root;
//! - [`registers`]: an execution's register file;
//! - [`vmcalls`]: an execution's context and every vmcall over it;
//! - [`frames`]: one execute transaction's call tree, and the run of each frame in it;
//! - [`admission`]: transaction validity;
//! - [`engine`]: what the chain asks of code (exports, invoke), by default the reference interpreter;
//! - [`vm`]: [`vm::ReferenceVm`], which applies transactions and gives receipts and roots.

pub mod admission;
pub mod collection_store;
pub mod collections;
pub mod engine;
pub mod event_store;
pub mod frames;
pub mod hashing;
pub mod ledger;
pub mod libraries;
pub mod open_collections;
pub mod registers;
pub mod state;
pub mod trie;
pub mod vm;
pub mod vmcalls;
