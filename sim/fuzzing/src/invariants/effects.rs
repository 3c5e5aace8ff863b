//! What a transaction may touch, read before and after it — and the invariant that it touched nothing
//! else: rebuilding the new root from the old one with only those accounts replaced must give the
//! root the runtime committed.

use super::{Checker, Step};
use svm::Address;
use svm::account::Account;
use svm::code::code_hash;
use svm::fee::FEE_ACCOUNT;
use svm::runtime::contract_address;
use svm::transaction::Transaction;
use svm_core::call::CallRecord;

/// One account a transaction may touch, before and after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Touched {
    /// The account's address.
    pub address: Address,
    /// The account before the transaction (`None`: it did not exist).
    pub before: Option<Account>,
    /// The account after it.
    pub after: Option<Account>,
}

impl Touched {
    /// The balance before (0 for an account that did not exist).
    pub fn balance_before(&self) -> u64 {
        self.before.as_ref().map_or(0, |a| a.balance)
    }

    /// The balance after.
    pub fn balance_after(&self) -> u64 {
        self.after.as_ref().map_or(0, |a| a.balance)
    }

    /// The nonce before.
    pub fn nonce_before(&self) -> u64 {
        self.before.as_ref().map_or(0, |a| a.nonce)
    }

    /// The nonce after.
    pub fn nonce_after(&self) -> u64 {
        self.after.as_ref().map_or(0, |a| a.nonce)
    }
}

/// Every account a transaction may touch, in address order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effects {
    /// The accounts.
    pub touched: Vec<Touched>,
}

/// The accounts `tx` may touch: its sender, the fee account, the contract or recipient it names (for
/// a deploy, the address the contract would get), and every contract its receipt lists as called.
pub fn reachable(tx: &Transaction, calls: &[CallRecord]) -> Vec<Address> {
    let mut addresses = vec![tx.sender(), FEE_ACCOUNT];
    addresses.push(match tx {
        Transaction::Deploy(d) => contract_address(&d.author, d.nonce, &code_hash(&d.code)),
        Transaction::Execute(e) => e.contract,
        Transaction::Transfer(t) => t.to,
        Transaction::DeployLibrary(l) => svm::address::library_address(&code_hash(&l.code)),
    });
    addresses.extend(calls.iter().map(|c| c.callee));
    addresses.sort();
    addresses.dedup();
    addresses
}

impl Effects {
    /// Reads the accounts `step`'s transaction may touch at both roots; `Err` if the state cannot be read.
    pub fn of(step: &Step<'_>) -> Result<Effects, String> {
        let touched = reachable(step.tx, &step.receipt.calls)
            .into_iter()
            .map(|address| {
                Ok(Touched {
                    address,
                    before: step.account_at(step.before, &address)?,
                    after: step.account_at(step.after, &address)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Effects { touched })
    }

    /// The account at `address`, if the transaction may touch it.
    pub fn get(&self, address: &Address) -> Option<&Touched> {
        self.touched.iter().find(|t| t.address == *address)
    }

    /// Whether any account the transaction may touch changed.
    pub fn any_changed(&self) -> bool {
        self.touched.iter().any(|t| t.before != t.after)
    }
}

/// Nothing outside the transaction's reach changed.
pub const CHECKER: Checker = Checker {
    name: "only-its-accounts",
    holds: "a transaction changes no account but its sender, the fee account, the contract or recipient it names, and the contracts it called",
    check: |step, effects| {
        let mut trie = step.trie_at(step.before);
        for touched in &effects.touched {
            match (&touched.before, &touched.after) {
                (Some(_), None) => return Err(format!("account {} disappeared", touched.address)),
                (before, Some(after)) if before.as_ref() != Some(after) => {
                    trie.set(&touched.address, after).map_err(|e| e.to_string())?;
                }
                _ => {}
            }
        }
        let rebuilt = trie.root();
        let after = step.accounts_root(step.after)?;
        if rebuilt != after {
            return Err(format!(
                "account root {after} is not the old one with only {} accounts replaced ({rebuilt}): another account changed",
                effects.touched.len()
            ));
        }
        Ok(())
    },
};
