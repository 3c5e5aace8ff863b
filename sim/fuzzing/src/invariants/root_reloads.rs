//! The root after a transaction reloads: a fresh runtime opened at it reads the same accounts.

use super::Checker;
use svm::runtime::Runtime;

/// A runtime reopened at the new root reads every touched account as the effects say.
pub const CHECKER: Checker = Checker {
    name: "root-reloads",
    holds: "a runtime reopened at the root after a transaction reads the same accounts",
    check: |step, effects| {
        let reopened = Runtime::open(step.runtime.kv().clone(), step.runtime.config().clone(), step.after)
            .map_err(|e| format!("cannot reopen at {}: {e}", step.after))?;
        for touched in &effects.touched {
            let read = reopened.account(&touched.address).map_err(|e| e.to_string())?;
            if read != touched.after {
                return Err(format!("account {} reads differently after reopening", touched.address));
            }
        }
        Ok(())
    },
};
