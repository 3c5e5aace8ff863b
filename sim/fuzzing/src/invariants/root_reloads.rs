//! The root after a transaction reloads: the account trie opened afresh at it (as a restarted node
//! opens it: no cache, every node read from the store and checked against its hash) reads the same
//! accounts.

use super::Checker;
use svm::state::{AccountTrie, resolve_parts};

/// A runtime reopened at the new root reads every touched account as the effects say.
pub const CHECKER: Checker = Checker {
    name: "root-reloads",
    holds: "a runtime reopened at the root after a transaction reads the same accounts",
    check: |step, effects| {
        // An unchanged root was checked when it was made.
        if step.after == step.before {
            return Ok(());
        }
        // What a restarted node does: open the trie at the root, no cache, every node read from the
        // store and checked against its hash.
        let kv = step.runtime.kv().as_ref();
        let parts = resolve_parts(kv, step.after).map_err(|e| format!("cannot split {}: {e}", step.after))?;
        let reopened = AccountTrie::open(kv, parts.accounts);
        reopened.check_root().map_err(|e| format!("cannot reopen at {}: {e}", step.after))?;
        for touched in &effects.touched {
            let read = reopened.get(&touched.address).map_err(|e| e.to_string())?;
            if read != touched.after {
                return Err(format!("account {} reads differently after reopening", touched.address));
            }
        }
        Ok(())
    },
};
