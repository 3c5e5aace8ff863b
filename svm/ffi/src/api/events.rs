//! Live events: querying the structured events contracts emit, as the event store holds them in the
//! handle's state (`docs/consensus.md`, Events).

use crate::boundary::{Out, address, call, optional_32};
use crate::buffer::SvmBuffer;
use crate::event_list;
use crate::handle::{self, SvmRuntime};
use svm::storage::events::EventQuery;

/// Lists the live events of the contract at the 20-byte `contract`, only those with the 32-byte
/// `topic` (at any position) unless `topic` is null, emitted in layers `from_layer ..= to_layer`, at
/// most `limit`, in id order, in the handle's state (a read-only handle's past layer included). Writes
/// `u32le count ‖ count × (u64le layer ‖ u32le seq ‖ enc(Event))` to `out`, with `enc(Event)` =
/// `contract(20) ‖ u8 topic_count ‖ topics(32 each) ‖ u32le data_len ‖ data ‖ u64le expires`. A `limit`
/// of 0 or `from_layer > to_layer` lists nothing (a count of 0).
///
/// # Safety
/// `contract` must point to 20 readable bytes and a non-null `topic` to 32; `out` and a non-null
/// `error` must be valid for writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn svm_events_query(
    runtime: SvmRuntime,
    contract: *const u8,
    topic: *const u8,
    from_layer: u64,
    to_layer: u64,
    limit: u32,
    out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above. `out` first: it is emptied whatever else is wrong.
        let (out, contract, topic) =
            unsafe { (Out::new("out", out, SvmBuffer::EMPTY)?, address("contract", contract)?, optional_32(topic)) };
        let mut query = EventQuery::contract(contract).in_layers(from_layer, to_layer);
        query.topic = topic;
        query.limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let events = handle::with(runtime, |node| node.events(&query))?;
        out.set(SvmBuffer::from_vec(event_list::encode(&events)));
        Ok(())
    })
}
