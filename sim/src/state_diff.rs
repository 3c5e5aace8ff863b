//! Decoded state differences between two replicas: per account, per storage slice, and for a
//! collection slot per collection entry (nested collections followed down to the entries that differ).

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use svm::Address;
use svm::account::Account;
use svm::collection_state::{CollectionState, ValueKind};
use svm::runtime::{Runtime, RuntimeError};
use svm::storage::collections::tree::read_entries;

/// How one account differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountDiff {
    /// Hex address.
    pub address: String,
    /// Each differing field as (field, left, right).
    pub fields: Vec<(String, String, String)>,
    /// Each differing storage slice as (slice index, left hex, right hex).
    pub slices: Vec<(usize, String, String)>,
    /// Each differing collection entry as (where: `slot N` then `/key` per level, left, right); "-" for
    /// an entry one side lacks. At most [`MAX_ENTRY_DIFFS`] per account.
    pub entries: Vec<(String, String, String)>,
}

/// The most collection entries a diff lists per account.
pub const MAX_ENTRY_DIFFS: usize = 32;

/// A collection's shape description and entries as one replica's store holds them (`None`: no collection
/// in the slot, or one that cannot be read — said in the description).
fn contents(rt: &Runtime, state: &[u8]) -> (String, BTreeMap<Vec<u8>, Vec<u8>>, bool) {
    match CollectionState::decode(state) {
        Err(_) => (format!("not a collection state: {}", hex::encode(state)), BTreeMap::new(), false),
        Ok(None) => ("(no collection)".into(), BTreeMap::new(), false),
        Ok(Some(state)) => {
            let walked = read_entries(rt.kv().as_ref(), state.root, usize::from(state.shape.key_width));
            let nested = state.shape.values == ValueKind::Collection;
            let shape = format!("{} of {} entries", state.shape.kind.name(), state.length);
            match walked {
                Ok(entries) => (shape, entries, nested),
                Err(e) => (format!("{shape} (unreadable: {e})"), BTreeMap::new(), false),
            }
        }
    }
}

/// Adds the entries in which the collections whose states are `left` and `right` differ, under `at`.
fn collection_diff(
    l: &Runtime,
    r: &Runtime,
    at: &str,
    left: &[u8],
    right: &[u8],
    out: &mut Vec<(String, String, String)>,
) {
    let (left_shape, left_entries, left_nested) = contents(l, left);
    let (right_shape, right_entries, right_nested) = contents(r, right);
    if left_shape != right_shape {
        out.push((at.to_string(), left_shape, right_shape));
    }
    let keys: BTreeSet<&Vec<u8>> = left_entries.keys().chain(right_entries.keys()).collect();
    for key in keys {
        if out.len() >= MAX_ENTRY_DIFFS {
            return;
        }
        let (x, y) = (left_entries.get(key), right_entries.get(key));
        if x == y {
            continue;
        }
        let here = format!("{at}/{}", hex::encode(key));
        match (x, y) {
            (Some(x), Some(y)) if left_nested && right_nested => collection_diff(l, r, &here, x, y, out),
            _ => {
                let show = |v: Option<&Vec<u8>>| v.map_or("-".to_string(), hex::encode);
                out.push((here, show(x), show(y)));
            }
        }
    }
}

fn describe(account: &Option<Account>) -> [(String, String); 4] {
    match account {
        None => ["balance", "nonce", "code", "state"].map(|f| (f.to_string(), "(no account)".to_string())),
        Some(a) => [
            ("balance".into(), a.balance.to_string()),
            ("nonce".into(), a.nonce.to_string()),
            ("code".into(), a.contract.as_ref().map_or("-".into(), |c| c.code_hash.to_string())),
            ("state".into(), a.contract.as_ref().map_or("-".into(), |c| c.state.to_string())),
        ],
    }
}

/// The differences between `left` and `right` over `addresses`.
pub fn diff(left: &Runtime, right: &Runtime, addresses: &BTreeSet<Address>) -> Result<Vec<AccountDiff>, RuntimeError> {
    let mut diffs = Vec::new();
    for address in addresses {
        let (a, b) = (left.account(address)?, right.account(address)?);
        if a == b {
            continue;
        }
        let fields = describe(&a)
            .into_iter()
            .zip(describe(&b))
            .filter(|((_, x), (_, y))| x != y)
            .map(|((field, x), (_, y))| (field, x, y))
            .collect();
        let mut slices = Vec::new();
        let mut entries = Vec::new();
        // The slots, from the left replica's metadata (both replicas deployed the same code and layout
        // unless a field above differs).
        let slots: BTreeSet<usize> = match a.as_ref().and_then(|a| a.contract.as_ref()) {
            Some(info) => svm::state::load_meta(left.kv().as_ref(), info.meta_hash)
                .map(|meta| {
                    meta.layout.slices().iter().enumerate().filter(|(_, s)| s.len == 0).map(|(i, _)| i).collect()
                })
                .unwrap_or_default(),
            None => BTreeSet::new(),
        };
        if let (Some(xs), Some(ys)) = (left.contract_slices(address)?, right.contract_slices(address)?) {
            for (i, (x, y)) in xs.iter().zip(&ys).enumerate() {
                if x != y {
                    slices.push((i, hex::encode(x), hex::encode(y)));
                    // A slot's 48 bytes are a collection state: say which entries differ.
                    if slots.contains(&i) {
                        collection_diff(left, right, &format!("slot {i}"), x, y, &mut entries);
                    }
                }
            }
        }
        diffs.push(AccountDiff { address: hex::encode(address.0), fields, slices, entries });
    }
    Ok(diffs)
}
