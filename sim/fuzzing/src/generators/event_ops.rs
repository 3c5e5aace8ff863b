//! Event-store operation sequences: transactions that emit a few events (three contracts, five topics,
//! short expiries mostly, so that boundaries prune), layers that begin, queries, and restarts that reopen
//! the store from its committed root.

use arbitrary::{Result, Unstructured};

/// The contracts events come from.
pub const CONTRACTS: u8 = 3;
/// The topics events carry (topic `i` is 32 bytes of `i + 1`).
pub const TOPICS: u8 = 5;

/// One emitted event, before it has a contract address or a layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmittedEvent {
    /// Which contract emits it.
    pub contract: u8,
    /// Its topics by number (repeats allowed, at most four).
    pub topics: Vec<u8>,
    /// Its data.
    pub data: Vec<u8>,
    /// Layers it stays live after the current one.
    pub expiry: u32,
}

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventOp {
    /// A successful transaction of the current layer that emitted these events (committed).
    Emit(Vec<EmittedEvent>),
    /// The next layer begins, `skip` layers later than the one after the current (empty layers between).
    NextLayer { skip: u8 },
    /// The live events of `contract`, with `topic` when given, emitted in `from ..= to` (layers relative
    /// to the current one, looking back), at most `limit`.
    Query { contract: u8, topic: Option<u8>, back_from: u8, back_to: u8, limit: u8 },
    /// The node restarts: a fresh view of the store at its committed root.
    Restart,
}

/// At most `max` operations from `u`.
pub fn ops(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<EventOp>> {
    let mut ops = Vec::new();
    while ops.len() < max && !u.is_empty() {
        ops.push(match u.int_in_range(0..=9u8)? {
            0..=3 => {
                let mut events = Vec::new();
                for _ in 0..u.int_in_range(1..=4u8)? {
                    let topics = (0..u.int_in_range(0..=4u8)?)
                        .map(|_| u.int_in_range(0..=TOPICS - 1))
                        .collect::<Result<Vec<u8>>>()?;
                    let len = u.int_in_range(0..=16usize)?;
                    let expiry = match u.int_in_range(0..=9u8)? {
                        0..=3 => 0,
                        4..=7 => u32::from(u.int_in_range(1..=6u8)?),
                        8 => 1024,
                        _ => u32::from(u.int_in_range(7..=40u8)?),
                    };
                    events.push(EmittedEvent {
                        contract: u.int_in_range(0..=CONTRACTS - 1)?,
                        topics,
                        data: u.bytes(len)?.to_vec(),
                        expiry,
                    });
                }
                EventOp::Emit(events)
            }
            4..=6 => EventOp::NextLayer { skip: if u.ratio(1, 4)? { u.int_in_range(1..=8u8)? } else { 0 } },
            7 | 8 => EventOp::Query {
                contract: u.int_in_range(0..=CONTRACTS - 1)?,
                topic: if u.arbitrary()? { Some(u.int_in_range(0..=TOPICS - 1)?) } else { None },
                back_from: u.int_in_range(0..=12u8)?,
                back_to: u.int_in_range(0..=12u8)?,
                limit: u.int_in_range(0..=20u8)?,
            },
            _ => EventOp::Restart,
        });
    }
    Ok(ops)
}
