//! Decoded state differences between two replicas: per account, and per storage slice.

use serde::Serialize;
use std::collections::BTreeSet;
use svm::Address;
use svm::account::Account;
use svm::runtime::{Runtime, RuntimeError};

/// How one account differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountDiff {
    /// Hex address.
    pub address: String,
    /// Each differing field as (field, left, right).
    pub fields: Vec<(String, String, String)>,
    /// Each differing storage slice as (slice index, left hex, right hex).
    pub slices: Vec<(usize, String, String)>,
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
        if let (Some(xs), Some(ys)) = (left.contract_slices(address)?, right.contract_slices(address)?) {
            for (i, (x, y)) in xs.iter().zip(&ys).enumerate() {
                if x != y {
                    slices.push((i, hex::encode(x), hex::encode(y)));
                }
            }
        }
        diffs.push(AccountDiff { address: hex::encode(address.0), fields, slices });
    }
    Ok(diffs)
}
