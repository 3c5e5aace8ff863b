//! Contract storage, the seed's hierarchy from the bottom up. Each layer talks only to the one below.
//!
//! 1. [`kv`] — bytes → bytes with atomic write batches; knows nothing of contracts.
//! 2. [`pages`] — fixed 4096-byte pages under content-addressed page hashes and a Merkle tree.
//! 3. [`page_cache`] — one execution's pages: each loaded at most once, a dirty set, commit or discard.
//! 4. [`page_slices`] — a contract's variables as (page, offset, length): the only layer vmcalls use.
//! 5. [`contract_state`] — the one hash that names a contract's whole storage (the page tree's root).
//!
//! [`content_cache`] keeps content-addressed values (pages, trie nodes) across executions ([`digest_hasher`]
//! hashes maps keyed by digests); [`gc`]
//! deletes the content no retained state root reaches ([`reach`]); [`events`] keeps the live events under the
//! state root; [`head`] records where a store
//! stands; [`sync`] copies one layer's state from another store, checking every entry.

pub mod collections;
pub mod content_cache;
pub mod contract_state;
pub mod digest_hasher;
pub mod events;
pub mod gc;
pub mod head;
pub mod kv;
pub mod page_cache;
pub mod page_slices;
pub mod pages;
pub mod reach;
pub mod sync;
