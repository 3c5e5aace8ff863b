//! The consensus version: which rules a node, a stream, a pin or a reproducer was made under.

/// The version of SVM's consensus rules. Every rule change (gas, hashing, outcomes, admission, limits)
/// bumps it; golden pins, stream headers and reproducers record it, and tools refuse files made under
/// another version.
///
/// 1: the fee rule, refusals before work, priced storage, the whole-schedule fingerprint.
/// 2: what current compilers emit is admitted — bulk memory (priced per byte), multi-value, the
///    over-long `call_indirect` encoding, floats under the float rule (canonicalized by default);
///    up to 128 parameters or results.
/// 3: collections — slots (slices of length 0), the nine collection vmcalls with their work gas and
///    innermost-first commit; storage vmcalls refuse slots (`slice-kind`); nine new host errors.
/// 4: events — `event_emit` (topics, data, expiry; retention gas), events in receipts, the event store
///    under the state root (pruned at layer boundaries); four new host errors.
/// 5: contract-to-contract calls — `contract_call` and `call_result`, frames all-or-nothing, re-entry
///    refused, a depth limit; call records in receipts; one new host error and four callee refusals.
/// 6: libraries — the library deploy transaction, library accounts (account kind 2; they neither send nor
///    receive: `library-account`), static linking at deploy (`refused:link:<rule>`), the linked length in
///    intrinsic gas and the code-size limit, the library list in contract metadata.
pub const CONSENSUS_VERSION: u32 = 6;
