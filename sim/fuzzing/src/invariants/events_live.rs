//! The event store holds only live events and changes only as the rules say: after a transaction of
//! layer L no stored event expired before L; the transaction adds exactly its receipt's events (a
//! failed one none), under ids of layer L, and removes nothing; every stored event has all its index
//! entries; and a layer boundary ([`check_boundary`]) removes only events that expired, never a live one.

use super::{Checker, Step};
use std::collections::BTreeMap;
use svm::StateRoot;
use svm::event::{Event, EventId, keys};
use svm::state::resolve_parts;
use svm::storage::collections::tree::read_entries;
use svm::storage::kv::KvStore;

/// The store after each transaction: live only, changed by exactly the receipt's events.
pub const CHECKER: Checker = Checker {
    name: "events-live",
    holds: "the event store holds no event past its expiry, a transaction adds exactly its receipt's events and removes none, and a layer boundary removes only expired events",
    check: |step, _| check(step),
};

fn check(step: &Step<'_>) -> Result<(), String> {
    let kv = step.runtime.kv().as_ref();
    let emitted: &[Event] = if step.receipt.outcome.is_success() { &step.receipt.events } else { &[] };
    if !step.receipt.outcome.is_success() && !step.receipt.events.is_empty() {
        return Err(format!("failed ({}) but its receipt carries events", step.receipt.outcome.name()));
    }
    let (before, after) = (events_root(kv, step.before)?, events_root(kv, step.after)?);
    if before == after {
        return match emitted.is_empty() {
            true => Ok(()),
            false => Err(format!("the receipt carries {} events but the store did not change", emitted.len())),
        };
    }
    let (before, after) = (records(kv, before)?, records(kv, after)?);
    if let Some((id, event)) = after.iter().find(|(_, e)| e.expires < step.layer) {
        return Err(format!("event {id:?} is stored at layer {} but expired at layer {}", step.layer, event.expires));
    }
    if let Some(id) = before.keys().find(|id| !after.contains_key(id)) {
        return Err(format!("the transaction removed event {id:?}"));
    }
    let added: Vec<(&EventId, &Event)> = after.iter().filter(|(id, _)| !before.contains_key(id)).collect();
    if let Some((id, _)) = added.iter().find(|(id, _)| id.layer != step.layer) {
        return Err(format!("event {id:?} was stored by a transaction of layer {}", step.layer));
    }
    let stored: Vec<&Event> = added.iter().map(|(_, e)| *e).collect();
    if stored != emitted.iter().collect::<Vec<_>>() {
        return Err(format!(
            "the store gained {} events, the receipt carries {}: {stored:?}",
            stored.len(),
            emitted.len()
        ));
    }
    Ok(())
}

/// The layer boundary before `layer` took the store of `before` to `after`: it removed exactly the
/// events that expired before `layer`, and nothing else changed.
pub fn check_boundary(kv: &dyn KvStore, before: StateRoot, after: StateRoot, layer: u64) -> Result<(), String> {
    let (b, a) = (events_root(kv, before)?, events_root(kv, after)?);
    let (b, a) = (records(kv, b)?, records(kv, a)?);
    for (id, event) in &b {
        match (event.expires < layer, a.get(id)) {
            (false, None) => return Err(format!("the boundary before layer {layer} removed live event {id:?}")),
            (false, Some(kept)) if kept != event => return Err(format!("the boundary changed event {id:?}")),
            (true, Some(_)) => {
                return Err(format!(
                    "event {id:?} expired at {} and survived the boundary before {layer}",
                    event.expires
                ));
            }
            _ => {}
        }
    }
    if let Some(id) = a.keys().find(|id| !b.contains_key(id)) {
        return Err(format!("the boundary before layer {layer} added event {id:?}"));
    }
    Ok(())
}

fn events_root(kv: &dyn KvStore, root: StateRoot) -> Result<svm::Hash, String> {
    resolve_parts(kv, root).map(|p| p.events).map_err(|e| format!("the parts of {root}: {e}"))
}

/// Every stored event by id, each checked to have all its index entries.
fn records(kv: &dyn KvStore, root: svm::Hash) -> Result<BTreeMap<EventId, Event>, String> {
    let entries = read_entries(kv, root, keys::KEY_WIDTH).map_err(|e| format!("the event store {root}: {e}"))?;
    let mut records = BTreeMap::new();
    for (key, value) in entries.range(keys::record(EventId { layer: 0, seq: 0 })..) {
        if key[0] != keys::RECORD {
            break;
        }
        let id = keys::id_of(key).ok_or("a record key without an id")?;
        let event = Event::from_bytes(value).map_err(|e| format!("record {id:?}: {e}"))?;
        if let Some(missing) = keys::index(&event, id).iter().find(|k| !entries.contains_key(*k)) {
            return Err(format!("event {id:?} lacks its index entry with tag {}", missing[0]));
        }
        records.insert(id, event);
    }
    let indexed = entries.keys().filter(|k| matches!(k[0], keys::EXPIRY | keys::BY_CONTRACT | keys::BY_TOPIC));
    let expected: usize = records.values().map(|e| 2 + e.distinct_topics().len()).sum();
    if indexed.count() != expected {
        return Err(format!("the store holds index entries of events it has no record of ({expected} expected)"));
    }
    Ok(records)
}
