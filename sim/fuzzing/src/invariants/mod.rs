//! Invariant checkers: what must hold after every transaction on every replica, whatever the
//! replicas agree on — one file per invariant, as TigerBeetle keeps its `*_checker.zig`. A violation
//! is a finding exactly like a divergence: replicas that are identically wrong still agree.
//!
//! Each checker looks at one [`Step`]: a transaction, its receipt, and the state roots before and
//! after it in one runtime's store. [`effects`] works out once, for all of them, which accounts the
//! transaction may touch and proves that no other account changed.

pub mod call_records;
pub mod codec_roundtrip;
pub mod collections_whole;
pub mod conservation;
pub mod effects;
pub mod events_live;
pub mod failed_changes_nothing;
pub mod fee_rule;
pub mod gas_within_limit;
pub mod receipt_state;
pub mod root_reloads;

use effects::Effects;
use svm::account::Account;
use svm::receipt::Receipt;
use svm::runtime::Runtime;
use svm::state::{AccountTrie, TrieNodeCache};
use svm::transaction::Transaction;
use svm::{Address, StateRoot};

/// One applied transaction, as a checker sees it.
pub struct Step<'a> {
    /// The runtime that applied it (its kv store holds both roots).
    pub runtime: &'a Runtime,
    /// The transaction.
    pub tx: &'a Transaction,
    /// Its receipt.
    pub receipt: &'a Receipt,
    /// The state root before it.
    pub before: StateRoot,
    /// The state root after it.
    pub after: StateRoot,
    /// The layer it ran in.
    pub layer: u64,
    /// The checker's own cache of trie nodes (never the runtime's), or `None` to read the store directly.
    pub nodes: Option<&'a TrieNodeCache>,
}

impl Step<'_> {
    /// The account-trie root of the state `root` (its own account half when events are live).
    pub fn accounts_root(&self, root: StateRoot) -> Result<svm::Hash, String> {
        svm::state::resolve_parts(self.runtime.kv().as_ref(), root)
            .map(|p| p.accounts)
            .map_err(|e| format!("the parts of {root}: {e}"))
    }

    /// The account trie at `root` of the runtime's store, read through the checker's node cache (a root
    /// whose parts cannot be read opens as an account root, and fails on its first read).
    pub fn trie_at(&self, root: StateRoot) -> AccountTrie<'_> {
        let accounts = self.accounts_root(root).unwrap_or(root.0);
        let trie = AccountTrie::open(self.runtime.kv().as_ref(), accounts);
        match self.nodes {
            Some(nodes) => trie.with_cache(nodes),
            None => trie,
        }
    }

    /// The account at `address` in the state `root`.
    pub fn account_at(&self, root: StateRoot, address: &Address) -> Result<Option<Account>, String> {
        self.trie_at(root).get(address).map_err(|e| format!("account {address} at {root}: {e}"))
    }
}

/// An invariant that does not hold, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's name.
    pub invariant: &'static str,
    /// What was found.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invariant {} violated: {}", self.invariant, self.detail)
    }
}

/// A checker: its name and what it checks.
pub struct Checker {
    /// The invariant's name, as reports print it.
    pub name: &'static str,
    /// One sentence: what holds.
    pub holds: &'static str,
    /// Checks one step whose effects are known; `Err` says how it failed.
    pub check: fn(&Step<'_>, &Effects) -> Result<(), String>,
}

/// Every checker, in report order.
pub const CHECKERS: [Checker; 10] = [
    effects::CHECKER,
    conservation::CHECKER,
    fee_rule::CHECKER,
    failed_changes_nothing::CHECKER,
    gas_within_limit::CHECKER,
    receipt_state::CHECKER,
    codec_roundtrip::CHECKER,
    collections_whole::CHECKER,
    events_live::CHECKER,
    call_records::CHECKER,
];

/// Every checker, [`root_reloads`] last.
pub fn all() -> Vec<&'static Checker> {
    CHECKERS.iter().chain([&root_reloads::CHECKER]).collect()
}

/// Runs every checker on `step` (and, when `reload` is set, [`root_reloads`], which reopens the
/// runtime at the new root); the violations found, in checker order.
pub fn check(step: &Step<'_>, reload: bool) -> Vec<Violation> {
    match Effects::of(step) {
        Ok(effects) => check_effects(step, &effects, reload),
        Err(detail) => vec![Violation { invariant: effects::CHECKER.name, detail }],
    }
}

/// [`check`], with the step's effects already read.
pub fn check_effects(step: &Step<'_>, effects: &Effects, reload: bool) -> Vec<Violation> {
    let mut violations: Vec<Violation> = CHECKERS
        .iter()
        .filter_map(|c| (c.check)(step, effects).err().map(|detail| Violation { invariant: c.name, detail }))
        .collect();
    if reload && let Err(detail) = (root_reloads::CHECKER.check)(step, effects) {
        violations.push(Violation { invariant: root_reloads::CHECKER.name, detail });
    }
    violations
}
