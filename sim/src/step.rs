//! One step of a replica: the events of its history before a transaction, the transaction, and the
//! end of its layer — with the recovery a node makes from injected faults. A kv write that fails
//! halts the node with a typed fault; it restarts and does again what failed. What the recovery
//! leaves (roots before and after, transactions applied again) is returned for the checkers; nothing
//! here decides whether it was right.

use crate::history::NodeEventKind;
use crate::node::{Node, NodeError, ends_layer};
use svm::StateRoot;
use svm::receipt::Receipt;
use svm_fuzzing::stream::StreamTx;

/// What one event did to a replica.
#[derive(Debug)]
pub struct EventOutcome {
    /// The event.
    pub event: NodeEventKind,
    /// The replica's root before it.
    pub before: StateRoot,
    /// Its root once it recovered (the same, for a replica that handles the event right).
    pub after: StateRoot,
    /// Transactions applied again while recovering (crash, join), by index.
    pub reapplied: Vec<(usize, Receipt)>,
}

/// An injected kv failure that halted the replica, and its state after the restart.
#[derive(Debug)]
pub struct Halt {
    /// The typed fault it halted with.
    pub fault: String,
    /// The root before the operation that failed.
    pub before: StateRoot,
    /// The root after the restart (the same, for a failed write that changed nothing).
    pub after: StateRoot,
}

/// A layer boundary that changed a replica's state (expired events pruned).
#[derive(Debug)]
pub struct Boundary {
    /// The layer it began.
    pub layer: u64,
    /// The root before it.
    pub before: StateRoot,
    /// The root after it.
    pub after: StateRoot,
}

/// One step.
#[derive(Debug)]
pub struct StepOutcome {
    /// The layer boundaries passed on the way (the transaction's own, and any of transactions applied
    /// again), when they changed the state.
    pub boundaries: Vec<Boundary>,
    /// The events before the transaction.
    pub events: Vec<EventOutcome>,
    /// The injected failures it halted on and recovered from.
    pub halts: Vec<Halt>,
    /// The transaction's receipt and the root its successful attempt started from, or the fault
    /// that stopped the replica.
    pub receipt: Result<(Receipt, StateRoot), NodeError>,
}

/// Runs `op` on `node`; if it fails with an injected kv failure, records the halt, restarts the node
/// and runs `op` again (once per injected failure). Returns what `op` returned and the root its
/// successful attempt started from.
fn recovering<T>(
    node: &mut Node,
    halts: &mut Vec<Halt>,
    mut op: impl FnMut(&mut Node) -> Result<T, NodeError>,
) -> Result<(T, StateRoot), NodeError> {
    loop {
        let before = node.root();
        match op(node) {
            Err(e) if node.take_injected_failure() => {
                node.restart()?;
                halts.push(Halt { fault: e.to_string(), before, after: node.root() });
            }
            result => return result.map(|value| (value, before)),
        }
    }
}

/// The events `events` and then transaction `i` of `txs` on `node`, ending the layer if `i` ends it.
pub fn step(node: &mut Node, events: &[NodeEventKind], txs: &[StreamTx], i: usize) -> StepOutcome {
    let (mut outcomes, mut halts, mut boundaries) = (Vec::new(), Vec::new(), Vec::new());
    let receipt = match undergo_all(node, events, txs, i, &mut outcomes, &mut halts, &mut boundaries) {
        Ok(()) if i < txs.len() => apply(node, &mut halts, &mut boundaries, txs, i),
        Ok(()) => Err(NodeError::Unsupported("apply a transaction past the stream's end")),
        Err(e) => Err(e),
    };
    StepOutcome { boundaries, events: outcomes, halts, receipt }
}

/// The events `events` on `node` just before transaction `i` of `txs`. After an event that leaves the
/// node at an earlier durable head (a crash, a join), the node applies again the transactions from
/// there to `i`.
pub fn undergo_all(
    node: &mut Node,
    events: &[NodeEventKind],
    txs: &[StreamTx],
    i: usize,
    outcomes: &mut Vec<EventOutcome>,
    halts: &mut Vec<Halt>,
    boundaries: &mut Vec<Boundary>,
) -> Result<(), NodeError> {
    for &event in events {
        let before = node.root();
        node.undergo(event)?;
        let mut reapplied = Vec::new();
        for j in node.applied()..i.min(txs.len()) {
            reapplied.push((j, apply(node, halts, boundaries, txs, j)?.0));
        }
        outcomes.push(EventOutcome { event, before, after: node.root(), reapplied });
    }
    Ok(())
}

/// Transaction `j` of `txs` after its layer's boundary, recovering from injected failures, then its
/// layer's end if it ends one; with the root the successful attempt started from.
fn apply(
    node: &mut Node,
    halts: &mut Vec<Halt>,
    boundaries: &mut Vec<Boundary>,
    txs: &[StreamTx],
    j: usize,
) -> Result<(Receipt, StateRoot), NodeError> {
    let stx = &txs[j];
    let ((), before) = recovering(node, halts, |node| node.begin_layer(stx.layer))?;
    if node.root() != before {
        boundaries.push(Boundary { layer: stx.layer, before, after: node.root() });
    }
    let applied = recovering(node, halts, |node| node.apply(&stx.tx, stx.layer))?;
    if ends_layer(txs, j) {
        recovering(node, halts, |node| node.end_layer(stx.layer))?;
    }
    Ok(applied)
}
