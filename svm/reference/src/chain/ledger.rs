//! Balances and nonces as one transaction sees them: the committed state plus the changes it has made
//! so far, committed all at once by the commit rule, or dropped.

use crate::chain::state::State;
use std::collections::BTreeMap;
use svm_core::Address;

/// What `get_balance_from_reg` reads: a balance by address.
pub trait BalanceView {
    /// The balance of the account at `address` (0 for an account never written).
    fn balance_of(&self, address: &Address) -> u64;
}

impl BalanceView for BTreeMap<Address, u64> {
    fn balance_of(&self, address: &Address) -> u64 {
        self.get(address).copied().unwrap_or(0)
    }
}

/// A balance or nonce change that the admission checks should have made impossible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerOverflow {
    /// The account whose balance or nonce would leave the u64 range.
    pub address: Address,
}

/// Staged balances and nonces over a state.
#[derive(Clone, Debug)]
pub struct Ledger<'a> {
    state: &'a State,
    changes: BTreeMap<Address, (u64, u64)>,
}

/// The staged (balance, nonce) of every account a ledger touched.
pub type Changes = BTreeMap<Address, (u64, u64)>;

impl<'a> Ledger<'a> {
    /// A ledger with no changes over `state`.
    pub fn new(state: &'a State) -> Ledger<'a> {
        Ledger { state, changes: BTreeMap::new() }
    }

    fn entry(&self, address: &Address) -> (u64, u64) {
        self.changes.get(address).copied().unwrap_or_else(|| (self.state.balance(address), self.state.nonce(address)))
    }

    /// The staged balance at `address`.
    pub fn balance(&self, address: &Address) -> u64 {
        self.entry(address).0
    }

    /// The staged nonce at `address`.
    pub fn nonce(&self, address: &Address) -> u64 {
        self.entry(address).1
    }

    /// Adds `amount` to the balance at `address`.
    pub fn credit(&mut self, address: &Address, amount: u64) -> Result<(), LedgerOverflow> {
        let (balance, nonce) = self.entry(address);
        let balance = balance.checked_add(amount).ok_or(LedgerOverflow { address: *address })?;
        self.changes.insert(*address, (balance, nonce));
        Ok(())
    }

    /// Takes `amount` from the balance at `address`.
    pub fn debit(&mut self, address: &Address, amount: u64) -> Result<(), LedgerOverflow> {
        let (balance, nonce) = self.entry(address);
        let balance = balance.checked_sub(amount).ok_or(LedgerOverflow { address: *address })?;
        self.changes.insert(*address, (balance, nonce));
        Ok(())
    }

    /// Moves `amount` from `from` to `to` (nothing moves when they are the same account).
    pub fn transfer(&mut self, from: &Address, to: &Address, amount: u64) -> Result<(), LedgerOverflow> {
        self.debit(from, amount)?;
        self.credit(to, amount)
    }

    /// Consumes the nonce at `address` (nonce + 1).
    pub fn bump_nonce(&mut self, address: &Address) -> Result<(), LedgerOverflow> {
        let (balance, nonce) = self.entry(address);
        let nonce = nonce.checked_add(1).ok_or(LedgerOverflow { address: *address })?;
        self.changes.insert(*address, (balance, nonce));
        Ok(())
    }

    /// The staged changes, to commit with [`commit`].
    pub fn into_changes(self) -> Changes {
        self.changes
    }
}

impl BalanceView for Ledger<'_> {
    fn balance_of(&self, address: &Address) -> u64 {
        self.balance(address)
    }
}

/// Writes staged changes into `state` by the commit rule.
pub fn commit(state: &mut State, changes: Changes) {
    for (address, (balance, nonce)) in changes {
        state.commit_balance_and_nonce(&address, balance, nonce);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_moves_read_back_and_commit_by_the_rule() {
        let mut state = State::default();
        let (a, b, c) = (Address([1; 20]), Address([2; 20]), Address([3; 20]));
        state.commit_balance_and_nonce(&a, 100, 0);
        let mut ledger = Ledger::new(&state);
        ledger.transfer(&a, &b, 30).unwrap();
        ledger.transfer(&a, &a, 70).unwrap();
        ledger.credit(&c, 0).unwrap();
        ledger.bump_nonce(&a).unwrap();
        assert_eq!((ledger.balance(&a), ledger.nonce(&a), ledger.balance_of(&b)), (70, 1, 30));
        assert_eq!(ledger.debit(&b, 31), Err(LedgerOverflow { address: b }));
        let changes = ledger.into_changes();
        commit(&mut state, changes);
        assert_eq!((state.balance(&a), state.nonce(&a), state.balance(&b)), (70, 1, 30));
        assert!(state.get(&c).is_none(), "a zero credit creates nothing");
    }
}
